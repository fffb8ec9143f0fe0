"""Filters: python-liquid's standard filters plus ladle's own, one registry for every host.

Templates, player layouts and placement rules all read filters from here::

    from ladle import filters

    table = filters.registry()            # standard filters + ladle's own, fresh each call
    table["upcase"]("lossless")           # every entry works when called plainly
    table = {**filters.registry(), "mine": my_filter}   # a host adding its own

Three names make the public API:

- ``standard()``: python-liquid 2.3's standard filters exactly as ``liquid.Environment()``
  registers them, untouched (the ones marked ``with_environment`` still expect an
  ``environment=`` keyword, as python-liquid's render context supplies it).
- ``LADLE``: ladle's own filters, read-only. One module per family: ``filters.time``
  (``mmss``), ``filters.numbers`` (``money``, ``filesize``), ``filters.text``
  (``pluralize``, ``slugify``), ``filters.data`` (``json``).
- ``registry(environment=None)``: both, as callables that work as ``f(value, *args,
  **kwargs)``.

How ``registry()`` makes every filter callable plainly:

- A filter marked ``with_environment = True`` (``escape``, ``join``, ``first``, ``safe``,
  ``date`` …) is bound with ``functools.partial(f, environment=env)``. ``env`` is the
  ``environment`` argument, or a plain ``liquid.Environment()`` made for that call, so
  two registries never share one. The environment decides autoescape behaviour:
  a template environment passes itself (``registry(environment=self)``), so that
  ``escape`` and ``safe`` return ``Markup`` when it autoescapes.
- A filter marked ``with_context = True`` needs the render context of a template being
  rendered, which a plain call does not have. ``registry()`` leaves such filters out.
  python-liquid 2.3.6 has none among its standard filters (only the opt-in ``extra=True``
  ones, such as ``t`` and ``currency``, are), and none of ladle's own needs one, so
  nothing is left out today; a test keeps that true.

ladle's own filters raise python-liquid's ``FilterArgumentError`` with a lower-case
message quoting the bad value, so a template reports them like a standard filter's
error, pointing at the filter. They treat nil and python-liquid's ``Undefined`` alike,
the way python-liquid's standard filters do, and let a ``StrictUndefined`` raise its
``UndefinedError``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import liquid

from ladle.filters.data import json
from ladle.filters.limits import guarded
from ladle.filters.numbers import filesize, money
from ladle.filters.text import pluralize, slugify
from ladle.filters.time import mmss
from ladle.grammar.runtime import DEFAULT_MAX_LENGTH

__all__ = ["LADLE", "registry", "standard", "table"]

Filter = Callable[..., Any]

LADLE: Mapping[str, Filter] = MappingProxyType(
    {
        "filesize": filesize,
        "json": json,
        "mmss": mmss,
        "money": money,
        "pluralize": pluralize,
        "slugify": slugify,
    }
)


def standard() -> dict[str, Filter]:
    """python-liquid's standard filters, exactly as a new ``liquid.Environment()`` holds them.

    A new dict on every call. Filters marked ``with_environment`` are not bound here.

    >>> table = standard()
    >>> table["upcase"]("flac"), len(table) >= 60
    ('FLAC', True)
    """
    return dict(liquid.Environment().filters)


def registry(environment: liquid.Environment | None = None) -> dict[str, Filter]:
    """Standard filters plus ladle's own, each callable as ``f(value, *args, **kwargs)``.

    ``with_environment`` filters are bound to ``environment`` (default: a plain
    ``liquid.Environment()`` made for this call); ``with_context`` filters are left out.
    Every call returns a new dict with new bound filters, so callers may change theirs.
    A host adds its own filters with ``{**filters.registry(), "mine": f}``.

    >>> table = registry()
    >>> table["escape"]("<b>"), table["join"](["a", "b"], ", "), table["mmss"](245)
    ('&lt;b&gt;', 'a, b', '4:05')
    """
    env = liquid.Environment() if environment is None else environment
    table: dict[str, Filter] = {}
    for name, function in {**standard(), **LADLE}.items():
        if getattr(function, "with_context", False):
            continue  # needs a template's render context: no plain call can supply one
        if getattr(function, "with_environment", False):
            function = functools.partial(function, environment=env)
        table[name] = function
    return table


def table(extra: Mapping[str, Filter] | None = None, *,
          max_length: int = DEFAULT_MAX_LENGTH) -> Mapping[str, Filter]:
    """The filters of an expression outside a template (a rule, a layout field, ``ladle
    eval``): ``registry()``, with the filters that can outgrow their input measuring their
    result against ``max_length`` first, plus the host's ``extra`` ones; read-only.

    >>> from ladle import grammar
    >>> grammar.compile("tag | downcase", filters=table()).evaluate({"tag": "FLAC"})
    'flac'
    >>> table({"twice": lambda v: v * 2})["twice"](21)
    42
    """
    found = guarded(registry(), max_length)
    if extra:
        for name, function in extra.items():
            if not callable(function):
                raise TypeError(f"filter {name!r} is not callable: {function!r}")
            found[name] = function
    return MappingProxyType(found)
