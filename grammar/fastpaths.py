"""Plain Python for the compiler's values: ``Operand`` (a compiled value and what is known
of its type), and ``fast_binary``, the plain Python a binary operator compiles to where
the operands' types allow it, behind a type guard."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from ladle.grammar import runtime
from ladle.grammar.operators import BINARY
from ladle.grammar.pyast import all_of, invoke, load, type_is

# Python's own operators, where they compute the same on ints (comparisons: on strings
# too), or on ints by a non-zero constant.
_PY_COMPARE = {op.symbol: op.python() for op in BINARY
               if op.python is not None and issubclass(op.python, ast.cmpop)}
_PY_ARITH = {op.symbol: op.python() for op in BINARY
             if op.python is not None and issubclass(op.python, ast.operator)}
_PY_BY_CONSTANT = {op.symbol: op.python_by_constant() for op in BINARY
                   if op.python_by_constant is not None}


@dataclass(frozen=True)
class Operand:
    """A compiled value: a local name or a constant, and whether it is surely a bool."""

    expr: ast.expr
    constant: bool = False
    value: Any = None
    is_bool: bool = False
    is_number: bool = False  # surely an int or float (never a bool)



def fast_binary(
    op: str, left: Operand, right: Operand, slow: ast.expr
) -> tuple[ast.expr | None, ast.expr, bool, ast.expr] | None:
    """(type guard, plain Python expression, needs an integer bound check, what to compute
    where the guard fails), or None.

    A guard of None means the expression is right for every value (it may fall
    back to ``slow`` itself); where the guard fails, the value is ``slow`` unless a
    quicker equivalent is given.
    """
    variables = [o for o in (left, right) if not o.constant]
    constants = [o for o in (left, right) if o.constant]
    if not variables:
        return None
    const: Any = constants[0].value if constants else None
    numbers = all(v.is_number for v in variables)
    if op in ("==", "!="):
        if not constants or type(const) not in (str, int, float, bool):
            return None
        variable = variables[0].expr
        negate = op == "!="
        if numbers and type(const) in (int, float):
            py_op: ast.cmpop = ast.NotEq() if negate else ast.Eq()
            plain = ast.Compare(left=variable, ops=[py_op], comparators=[ast.Constant(const)])
            return None, plain, False, slow
        if type(const) in (str, bool):
            # Equal by Python means equal by Liquid for these constants: ``if x == c`` (or
            # ``x is c``), Python's quickest test. Where Python says no, only values that
            # are not plain data (drops) need the full rule.
            quick = ast.Compare(left=variable, ops=[ast.Is() if type(const) is bool
                                                    else ast.Eq()],
                                comparators=[ast.Constant(const)])
            unusual: list[ast.expr] = [ast.Compare(
                left=invoke("type", variable), ops=[ast.NotIn()], comparators=[load("_PLAIN")])]
            # The common "no" first, with no set lookup: the other boolean, or a str.
            unusual.insert(0, ast.Compare(left=variable, ops=[ast.IsNot()],
                                          comparators=[ast.Constant(not const)])
                           if type(const) is bool else ast.Compare(
                               left=invoke("type", variable), ops=[ast.IsNot()],
                               comparators=[load("str")]))
            equal: ast.expr = ast.BoolOp(op=ast.And(), values=[
                *unusual, invoke("_op0", variable, ast.Constant(const))])
            otherwise = ast.UnaryOp(op=ast.Not(), operand=equal) if negate else equal
            return quick, ast.Constant(not negate), False, otherwise
        guard = type_is(variable, type(const).__name__)
        py_op = ast.NotEq() if negate else ast.Eq()
        return guard, ast.Compare(left=left.expr, ops=[py_op],
                                  comparators=[right.expr]), False, slow
    if op in _PY_COMPARE:
        if constants and type(const) not in (int, float, str):
            return None
        comparison = ast.Compare(left=left.expr, ops=[_PY_COMPARE[op]],
                                 comparators=[right.expr])
        if numbers and not isinstance(const, str):
            return None, comparison, False, slow
        kind = "str" if isinstance(const, str) else "int"
        guard = all_of(*(type_is(v.expr, kind) for v in variables))
        return guard, comparison, False, slow
    if constants and (type(const) is not int):
        return None
    guard = all_of(*(type_is(v.expr, "int") for v in variables))
    if op in _PY_ARITH:
        return guard, ast.BinOp(left=left.expr, op=_PY_ARITH[op], right=right.expr), True, slow
    if op in _PY_BY_CONSTANT and right.constant and const != 0:
        # ``x % c`` stays within ``c``: no bound check when ``c`` is within the limit.
        bounded = isinstance(_PY_BY_CONSTANT[op], ast.Mod) and (
            -runtime.INTEGER_LIMIT <= const <= runtime.INTEGER_LIMIT)
        return guard, ast.BinOp(left=left.expr, op=_PY_BY_CONSTANT[op],
                                right=right.expr), not bounded, slow
    return None
