"""Checking the names an expression uses: unknown variables, functions and filters get a
positioned syntax error with a did-you-mean; ``function_table`` is the built-ins plus a
host's own functions."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ladle.grammar.errors import ExpressionSyntaxError
from ladle.grammar.functions import BUILTINS, Function
from ladle.grammar.nodes import (
    Call,
    Filter,
    Literal,
    Member,
    Name,
    Node,
    Pipeline,
    RootIndex,
    children,
    walk,
)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest known name, or ''."""
    import difflib  # here: only a mistake needs it

    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def check_names(
    tree: Node,
    source: str,
    *,
    names: Iterable[str] | None,
    functions: Mapping[str, Function],
    filters: Mapping[str, Callable[..., Any]] | None,
    filter_arguments: bool = False,
) -> list[Filter]:
    """Raise ``ExpressionSyntaxError`` for an unknown variable, function or filter, and,
    with ``filter_arguments``, for a filter given arguments it cannot take
    (``check_filter_arguments``). Returns the filters the tree applies (what a host may
    want to know of them next, without walking the tree again)."""
    allowed = None if names is None else frozenset(names)
    if allowed is not None:  # else there is nothing to check the names read against
        for name, node in _read_names(tree):
            if name not in allowed:
                hint = did_you_mean(name, allowed)
                parts = name.split("-")
                if "-" in name and all(p in allowed or p.isdigit() for p in parts if p):
                    hint = f" (did you mean {' - '.join(parts)!r}?)"
                raise ExpressionSyntaxError(f"unknown variable {name!r}{hint}", source,
                                            node.span[0])
    applied: list[Filter] = []
    for node in _named(tree):
        if isinstance(node, Filter):
            if filters is None or node.name not in filters:
                hint = did_you_mean(node.name, filters or {})
                raise ExpressionSyntaxError(f"unknown filter {node.name!r}{hint}", source,
                                            node.span[0])
            applied.append(node)
        elif isinstance(node, Call):
            function = functions.get(node.name)
            if function is None:
                hint = did_you_mean(node.name, functions)
                raise ExpressionSyntaxError(f"unknown function {node.name!r}{hint}", source,
                                            node.span[0])
            count = len(node.args)
            if count < function.min_args or (
                function.max_args is not None and count > function.max_args
            ):
                if function.max_args is None:
                    wanted = f"at least {function.min_args}"
                elif function.min_args == function.max_args:
                    wanted = str(function.min_args)
                else:
                    wanted = f"{function.min_args} to {function.max_args}"
                noun = "argument" if wanted in ("1", "at least 1") else "arguments"
                raise ExpressionSyntaxError(
                    f"{node.name}() takes {wanted} {noun}, not {count}", source, node.span[0]
                )
        elif isinstance(node, RootIndex) and allowed is not None and not (
                isinstance(node.key, Literal) and isinstance(node.key.value, str)):
            raise ExpressionSyntaxError(
                "a variable looked up by a computed name cannot be checked: "
                "write the name itself", source, node.span[0])
    if filter_arguments and filters is not None:
        check_filter_arguments(tree, source, filters)
    return applied


_LEAVES = (Name, Literal)
_NAMED = (Call, RootIndex)


def _named(tree: Node) -> list[Node]:
    """The tree's calls, filters and root lookups (``[key]``), in ``walk``'s order: a
    walk that steps over the leaves and paths, most of a template's nodes."""
    found: list[Node] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _LEAVES):
            continue
        if isinstance(node, Member):
            stack.append(node.target)
        elif isinstance(node, Filter):
            found.append(node)
            stack.extend(reversed(children(node)) if node.kwargs else node.args[::-1])
        elif isinstance(node, Pipeline):
            stack.extend(node.filters[::-1])
            stack.append(node.value)
        else:
            if isinstance(node, _NAMED):
                found.append(node)
            stack.extend(reversed(children(node)))
    return found


def check_filter_arguments(tree: Node, source: str,
                           filters: Mapping[str, Callable[..., Any]]) -> None:
    """Raise ``ExpressionSyntaxError`` for a filter given arguments its signature refuses:
    hosts that read an expression once, before using it (rules, layouts, ``ladle
    eval``), report it there; the language alone and templates (as python-liquid does)
    report it when the filter runs."""
    for node in walk(tree):
        if isinstance(node, Filter) and node.name in filters:
            problem = refused_arguments(filters[node.name], node)
            if problem is not None:
                raise ExpressionSyntaxError(f"filter {node.name!r} {problem}", source,
                                            node.span[0])


def function_table(functions: Mapping[str, Any] | None) -> Mapping[str, Function]:
    """The built-ins plus a host's own functions (plain callables take any arguments)."""
    if not functions:
        return BUILTINS
    table = dict(BUILTINS)
    for name, function in functions.items():
        table[name] = function if isinstance(function, Function) else Function(
            function, 0, None, pure=False)
    return table


def _read_names(tree: Node) -> list[tuple[str, Node]]:
    """Each top-level variable the tree reads by name: ``x`` and ``["x"]``."""
    found: list[tuple[str, Node]] = []
    for node in walk(tree):
        if isinstance(node, Name):
            found.append((node.name, node))
        elif isinstance(node, RootIndex) and isinstance(node.key, Literal) and \
                isinstance(node.key.value, str):
            found.append((node.key.value, node))
    return found


def top_level_names(tree: Node) -> frozenset[str]:
    return frozenset(name for name, _ in _read_names(tree))


def refused_arguments(function: Callable[..., Any], node: Filter) -> str | None:
    """Why ``function``'s signature refuses the filter's arguments (after the value it is
    applied to), or None (also when the signature cannot be read)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    positional = [p for p in list(signature.parameters.values())[1:]
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    takes_more = any(p.kind == p.VAR_POSITIONAL for p in signature.parameters.values())
    count = len(node.args)
    least = sum(1 for p in positional if p.default is p.empty)
    if count < least or (count > len(positional) and not takes_more):
        most = "" if takes_more or len(positional) == least else f" to {len(positional)}"
        wanted = f"at least {least}" if takes_more else f"{least}{most}"
        noun = "argument" if wanted in ("1", "at least 1") else "arguments"
        return f"takes {wanted} {noun}, not {count}"
    try:
        signature.bind(None, *([None] * count), **{key: None for key, _ in node.kwargs})
    except TypeError as error:
        return f"cannot take these arguments ({error})"
    return None
