"""``python -m cli`` runs the ``ladle`` command."""

import sys

from cli.app import main

sys.exit(main())
