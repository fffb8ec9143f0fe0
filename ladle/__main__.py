"""``python -m ladle`` runs the ``ladle`` command."""

import sys

from ladle.cli.app import main

sys.exit(main())
