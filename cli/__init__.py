"""The ``ladle`` command: thin click adapters over the library, no logic of its own."""

from __future__ import annotations

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``ladle`` with ``argv`` (default: the process arguments); return the exit code.

    The command group is imported here, when the command runs, so that ``import
    ladle.cli`` (the console script's first step) costs nothing."""
    from ladle.cli.app import main as run

    return run(argv)
