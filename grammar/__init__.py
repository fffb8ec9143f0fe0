"""The expression language: parse, compile once, evaluate many times.

>>> from ladle import grammar
>>> grammar.evaluate("tag == 'lossless' && (id % 100) <= 47", {"tag": "lossless", "id": 1234})
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ladle.grammar.errors import EvaluationError, ExpressionError, ExpressionSyntaxError
from ladle.grammar.later import imported_later
from ladle.grammar.limits import DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH, INTEGER_LIMIT

if TYPE_CHECKING:
    from ladle.grammar.functions import BUILTINS, Function, slot
    from ladle.grammar.nodes import Node, unparse
    from ladle.grammar.runtime import to_output, truthy

# The parser, compiler and runtime load when first used, so that a program (``ladle
# --help``) that only needs an error class does not pay for them.
_LATER = {"BUILTINS": "functions", "Function": "functions", "slot": "functions",
          "Node": "nodes", "unparse": "nodes", "to_output": "runtime", "truthy": "runtime"}


__getattr__ = imported_later(__name__, _LATER)


__all__ = [
    "BUILTINS",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_LENGTH",
    "INTEGER_LIMIT",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "ExpressionSet",
    "ExpressionSyntaxError",
    "Function",
    "compile",
    "compile_set",
    "evaluate",
    "parse",
    "slot",
    "to_output",
    "truthy",
    "unparse",
]

Filters = Mapping[str, Callable[..., Any]]


class _Frozen:
    """Attributes are set once, in ``__init__``; compiled objects are shared across threads."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")


class Expression(_Frozen):
    """A compiled expression. ``evaluate(data)`` returns its value for one mapping of data."""

    __slots__ = ("evaluate", "source", "tree", "variables")
    evaluate: Callable[..., Any]
    source: str
    tree: Node
    variables: frozenset[str]

    def __init__(self, source: str, tree: Node, function: Callable[..., Any]) -> None:
        from ladle.grammar.names import top_level_names

        object.__setattr__(self, "source", source)
        object.__setattr__(self, "tree", tree)
        object.__setattr__(self, "variables", top_level_names(tree))
        object.__setattr__(self, "evaluate", function)

    def __repr__(self) -> str:
        return f"<Expression {self.source!r}>"


class ExpressionSet(_Frozen):
    """Several expressions compiled into one function that shares their common parts.

    ``evaluate(data)`` returns a tuple with one value per expression, in order.
    """

    __slots__ = ("evaluate", "sources", "trees", "variables")
    evaluate: Callable[..., tuple[Any, ...]]
    sources: tuple[str, ...]
    trees: tuple[Node, ...]
    variables: frozenset[str]

    def __init__(
        self, sources: Sequence[str], trees: Sequence[Node], function: Callable[..., Any]
    ) -> None:
        from ladle.grammar.names import top_level_names

        object.__setattr__(self, "sources", tuple(sources))
        object.__setattr__(self, "trees", tuple(trees))
        names: frozenset[str] = frozenset().union(*(top_level_names(t) for t in trees))
        object.__setattr__(self, "variables", names)
        object.__setattr__(self, "evaluate", function)

    def __len__(self) -> int:
        return len(self.sources)

    def __repr__(self) -> str:
        return f"<ExpressionSet of {len(self.sources)}>"


def parse(source: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Node:
    """The AST of ``source``; raises ``ExpressionSyntaxError``."""
    from ladle.grammar.parser import parse as _parse

    return _parse(source, max_depth=max_depth)


def _located(error: ExpressionError, origin: tuple[str, int] | None) -> ExpressionError:
    return error if origin is None else error.relocated(*origin)


def compile(
    source: str,
    *,
    filters: Filters | None = None,
    functions: Mapping[str, Any] | None = None,
    strict: bool = False,
    names: Iterable[str] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_length: int = DEFAULT_MAX_LENGTH,
    origin: tuple[str, int] | None = None,
    undefined: Callable[[str], Any] | None = None,
    liquid: bool = False,
    strings: Callable[[str], str] | None = None,
) -> Expression:
    """Compile ``source`` once for many evaluations.

    ``filters`` serve the ``|`` pipeline, ``functions`` add callables to the
    built-ins, ``strict`` makes a missing name, key or index an error unless a
    fallback guards it (``grammar.fallbacks``), and ``names`` (when
    given) is every name the expression may read. ``origin=(host_text, offset)``
    positions errors in the host's text, where the expression starts at ``offset``.

    Two options serve the template host, whose standard Liquid templates must keep
    their meaning:

    - ``undefined(text)`` makes the value that a missing name, key or index reads as
      (instead of nil), given the text of what is missing (``"user.name"``); it is
      called once per place at compile time. The value should behave as nil (python-
      liquid's ``Undefined`` does: its ``__liquid__`` is ``None``).
    - ``liquid=True`` applies Liquid's rules where they differ from the defaults:
      ordering with nil, undefined, a boolean, ``empty``, ``blank``, a list or a map
      is false rather than an error (a number with a string is still an error);
      nil, false and undefined are never ``contains``-ed (nor ``in``); range bounds
      read text holding an integer as that integer and anything else as 0; the
      ``first`` of a map is its first ``[key, value]`` pair; and positional filter
      arguments may follow keyword arguments.
    - ``strings(text)`` makes the value of each string literal (a template that escapes
      its output passes ``markupsafe.Markup``: the template's own text is trusted).
    """
    return _compile_many([source], filters, functions, strict, names, max_depth, max_length,
                         origin, single=True, undefined=undefined,
                         liquid=liquid, strings=strings)  # type: ignore[return-value]


def compile_set(
    sources: Sequence[str],
    *,
    filters: Filters | None = None,
    functions: Mapping[str, Any] | None = None,
    strict: bool = False,
    names: Iterable[str] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_length: int = DEFAULT_MAX_LENGTH,
    truthy: bool = False,
    trees: Sequence[Node] | None = None,
) -> ExpressionSet:
    """Compile several expressions into one ``ExpressionSet`` that computes shared parts once.

    With ``truthy``, ``evaluate`` gives each expression's truthiness (True or False)
    instead of its value: a rule set's claims, with no Python call per rule.
    ``trees``, when given, are the sources as ``parse`` made them (with the same
    ``max_depth``), so they are not parsed again.
    """
    if trees is not None and len(trees) != len(sources):
        raise ValueError(f"{len(trees)} trees for {len(sources)} sources")
    result = _compile_many(list(sources), filters, functions, strict, names, max_depth,
                           max_length, None, single=False, truthy=truthy, trees=trees)
    assert isinstance(result, ExpressionSet)
    return result


def _compile_many(
    sources: list[str],
    filters: Filters | None,
    functions: Mapping[str, Any] | None,
    strict: bool,
    names: Iterable[str] | None,
    max_depth: int,
    max_length: int,
    origin: tuple[str, int] | None,
    *,
    single: bool,
    undefined: Callable[[str], Any] | None = None,
    liquid: bool = False,
    strings: Callable[[str], str] | None = None,
    truthy: bool = False,
    trees: Sequence[Node] | None = None,
) -> Expression | ExpressionSet:
    from ladle.grammar.compiler import Compiler
    from ladle.grammar.names import check_names, function_table
    from ladle.grammar.parser import parse as _parse
    from ladle.grammar.parser import with_stack

    table = function_table(functions)
    allowed = None if names is None else frozenset(names)
    parsed = []
    for index, source in enumerate(sources):
        try:
            tree = _parse(source, max_depth=max_depth, liquid=liquid) if trees is None \
                else trees[index]
            check_names(tree, source, names=allowed, functions=table, filters=filters)
        except ExpressionError as error:
            raise _located(error, origin) from None
        parsed.append(tree)
    trees = parsed
    compiler = Compiler(functions=table, filters=filters, strict=strict, max_length=max_length,
                        undefined=undefined, liquid=liquid, strings=strings)
    roots = list(zip(sources, trees, strict=True))
    function = with_stack(lambda: compiler.build(roots, single=single, truthy=truthy),
                          levels=max_depth,
                          source=sources[0] if sources else "")
    if not single:
        return ExpressionSet(sources, trees, function)
    if origin is not None:
        function = _relocating(function, origin)
    return Expression(sources[0], trees[0], function)


def _relocating(function: Callable[..., Any], origin: tuple[str, int]) -> Callable[..., Any]:
    from ladle.grammar.compiler import NO_DATA

    def evaluate(data: Mapping[str, Any] = NO_DATA) -> Any:
        try:
            return function(data)
        except ExpressionError as error:
            raise error.relocated(*origin) from error.__cause__

    return evaluate


def evaluate(source: str, data: Mapping[str, Any] | None = None, **options: Any) -> Any:
    """Compile ``source`` and evaluate it once: ``evaluate("1 + 2 * 3", {})`` is 7."""
    from ladle.grammar.compiler import NO_DATA

    return compile(source, **options).evaluate(NO_DATA if data is None else data)
