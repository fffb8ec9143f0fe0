"""The ``ladle`` command: thin click adapters over the library, no logic of its own."""

from ladle.cli.app import main

__all__ = ["main"]
