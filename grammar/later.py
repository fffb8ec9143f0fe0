"""A package's names imported when first read (PEP 562 ``__getattr__``), so that importing
the package (every ``ladle`` command does) costs nothing for parts a program never uses."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def imported_later(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package`` that imports name ``n`` from
    ``package.<modules[n]>`` on first read and keeps it in the package."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # later reads find it directly
        return value

    return __getattr__
