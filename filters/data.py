"""Data filters: canonical JSON, the same bytes for the same data every time."""

from __future__ import annotations

import json as jsonlib
import math
from collections.abc import Mapping
from decimal import Decimal

from ladle.filters._common import LIMIT, MAX_DIGITS, describe, error, filter_function, plain

__all__ = ["MAX_DEPTH", "json"]

#: Lists and objects may nest this deep.
MAX_DEPTH = 100


def _at(path: str) -> str:
    return f" at {path}" if path else ""


def _key_path(path: str, key: str) -> str:
    step = key if key.isidentifier() else f"[{jsonlib.dumps(key, ensure_ascii=False)}]"
    if not path:
        return step
    return f"{path}{step}" if step.startswith("[") else f"{path}.{step}"


def _tree(value: object, path: str, open_containers: set[int]) -> object:
    """``value`` as plain JSON data (dict with string keys, list, str, int, float, bool, None)."""
    value = plain(value)
    if value is None or isinstance(value, (bool, str)):
        return value  # markupsafe.Markup is a str: its text goes in as it is
    if isinstance(value, Decimal):
        if not value.is_finite() or (value and value.adjusted() >= MAX_DIGITS):
            raise error(f"json cannot express {describe(value)}{_at(path)}")
        if value == value.to_integral_value():
            return int(value)  # a whole number is written without a fraction
        if Decimal(repr(float(value))) == value:
            return float(value)
        raise error(f"json cannot express {describe(value)} exactly{_at(path)}")
    if isinstance(value, int):
        if abs(value) >= LIMIT:
            raise error(f"json cannot express {describe(value)}{_at(path)}")
        return int(value)  # an int subclass (IntEnum) is written as its number
    if isinstance(value, float):
        if not math.isfinite(value):
            raise error(f"json cannot express {describe(value)}{_at(path)}")
        return float(value)
    if isinstance(value, (list, tuple, range, Mapping)):
        if id(value) in open_containers:
            raise error(f"json cannot express data that contains itself{_at(path)}")
        if len(open_containers) >= MAX_DEPTH:
            raise error(f"data is nested too deeply for json (the limit is {MAX_DEPTH})")
        open_containers.add(id(value))
        try:
            if isinstance(value, Mapping):
                tree = {}
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise error(f"json object keys must be strings, found {describe(key)}"
                                    f"{_at(path)}")
                    tree[key] = _tree(item, _key_path(path, key), open_containers)
                return tree
            return [_tree(item, f"{path}[{i}]", open_containers) for i, item in enumerate(value)]
        finally:
            open_containers.discard(id(value))
    raise error(f"json cannot express {describe(value)}{_at(path)}")


@filter_function
def json(value: object) -> str:
    """Canonical JSON: keys sorted, no spaces, non-ASCII text as itself.

    Tuples and ranges become lists, ``Markup`` is its text, a ``Decimal`` is its exact
    number; nil and undefined are ``null``. Values JSON cannot express (sets, dates,
    other objects, NaN, infinity, non-string keys, data that contains itself) raise
    ``FilterArgumentError`` naming where they are.

    >>> print(json({"title": "Déjà vu", "tracks": (1, 2), "artist": None}))
    {"artist":null,"title":"Déjà vu","tracks":[1,2]}
    >>> json({"tags": {"lossless"}})
    Traceback (most recent call last):
    liquid.exceptions.FilterArgumentError: json cannot express {'lossless'} (set) at tags
    """
    tree = _tree(value, "", set())
    return jsonlib.dumps(
        tree, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
