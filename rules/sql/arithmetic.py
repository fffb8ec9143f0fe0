"""The compiler's arithmetic, ranges and function calls: ``Arithmetic``, which ``Compiler``
extends with lookups, logic and comparisons.

``slot(key, n)`` is the first 16 hex digits of ``md5(text)`` as an unsigned 64-bit number,
modulo ``n`` (``Dialect.hash64``), ``text`` being the string key or ``CAST(key AS
VARCHAR)`` (plain decimal digits, Python's ``str``): the definition of ``grammar.slot``,
digit for digit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ladle.grammar import functions, runtime
from ladle.grammar.errors import EvaluationError
from ladle.grammar.nodes import Call, Node
from ladle.rules.sql.algebra import FALSE, NULL, TRUE, ite, safe, sql_and, sql_not, sql_or
from ladle.rules.sql.literals import TWO_127, TWO_256
from ladle.rules.sql.numbers import float_operation, infinite, integer_operation, native_modulo
from ladle.rules.sql.operands import Operands
from ladle.rules.sql.patterns import case_unsafe_pattern
from ladle.rules.sql.values import (
    ALL_KINDS,
    ERROR,
    NUMBERS,
    Seq,
    Value,
    chain,
    failures,
    kind_of,
    with_failures,
)

_SUPPORTED_FUNCTIONS = frozenset(
    {"slot", "min", "max", "abs", "len", "lower", "upper", "startswith", "endswith"}
)


class Arithmetic(Operands):
    """Arithmetic, negation, ranges and functions. ``Compiler`` supplies ``value``,
    ``order`` and ``merge``, which these call."""

    def value(self, node: Node) -> Value:
        raise NotImplementedError

    def order(self, op: str, left: Value, right: Value, node: Node) -> tuple[str, str]:
        raise NotImplementedError

    def merge(self, test: str, then: Value, otherwise: Value, node: Node) -> Value:
        raise NotImplementedError

    # -- arithmetic ----------------------------------------------------------------------

    def numeric(self, value: Value, node: Node) -> tuple[str, str]:
        """(int SQL, float SQL) of ``value`` as an arithmetic operand: nil counts as 0."""
        if value.is_const:
            kind = kind_of(value.const)
            if kind == "nil":
                return self.dialect.int_literal(0), NULL
            if kind == "int":
                return self.slot(value, "int", node), NULL
            if kind == "float":
                return NULL, self.slot(value, "float", node)
            return NULL, NULL
        if not value.scalar:
            return NULL, NULL
        integer = value.slots.get("int", NULL)
        if value.nil:
            if set(value.slots) <= {"int"}:
                integer = (self.dialect.int_literal(0) if integer == NULL
                           else f"COALESCE({integer}, 0)")
            else:
                integer = ite(self.has(value, "nil"), self.dialect.int_literal(0), integer)
        return integer, value.slots.get("float", NULL)

    def as_float(self, value: Value, integer: str, floating: str, node: Node) -> str:
        """The operand as a DOUBLE, as Python converts an int (correctly rounded)."""
        if value.is_const and isinstance(value.const, int) and not isinstance(value.const,
                                                                               bool):
            try:
                converted = self.dialect.float_literal(float(value.const))
            except OverflowError:
                raise self.unsupported("an integer too large for a float", node) from None
        elif integer == NULL:
            return floating
        else:
            converted = f"CAST({self.dialect.as_text(integer)} AS DOUBLE)"
        return converted if floating == NULL else f"COALESCE({floating}, {converted})"

    def arithmetic(self, node: Node, op: str, left: Value, right: Value) -> tuple[Value, str, str]:
        numbers = sql_and(sql_not(self.outside(left, {"nil", "int", "float"})),
                          sql_not(self.outside(right, {"nil", "int", "float"})))
        slots: dict[str, str] = {}
        if op == "+" and (left.seq is not None or right.seq is not None):
            if left.seq is None or right.seq is None:
                return ERROR, TRUE, FALSE
            if left.seq.items is None or right.seq.items is None:
                raise self.unsupported("joining ranges with computed bounds", node)
            items = left.seq.items + right.seq.items
            if len(items) > self.max_length:
                return ERROR, TRUE, FALSE
            return Value(seq=Seq(items=items)), FALSE, FALSE
        strings = FALSE
        err_extra = FALSE
        if op == "+":
            strings = sql_and(self.has(left, "str"), self.has(right, "str"))
            if strings != FALSE:
                a, b = self.slot(left, "str", node), self.slot(right, "str", node)
                slots["str"] = f"({a} || {b})"
                err_extra = safe(f"(length({a}) + length({b}) > {self.max_length})")
        err = sql_or(sql_not(sql_or(numbers, strings)), err_extra)
        if numbers == FALSE:
            return Value(slots), err, FALSE
        ai, af = self.numeric(left, node)
        bi, bf = self.numeric(right, node)
        divisor: str = NULL
        constant_divisor: int | None = None
        if op in "/%":
            if right.is_const:
                if right.const in (0, None):
                    # always an error; and no SQL may divide by a literal zero (DuckDB
                    # raises on it, even where the error is decided first)
                    return Value({}), TRUE, FALSE
                zero = FALSE
                if isinstance(right.const, int) and not isinstance(right.const, bool):
                    constant_divisor = right.const
                divisor = bi
            else:
                zero = sql_or(*(safe(f"({sql} = 0)") if not self.certain(right, kind) else
                                f"({sql} = 0)"
                                for kind, sql in (("int", bi), ("float", bf)) if sql != NULL))
                if right.nil:
                    zero = sql_or(self.has(right, "nil"), zero)
                divisor = f"NULLIF({bi}, 0)" if bi != NULL else NULL
            err = sql_or(err, sql_and(numbers, zero))
        if ai != NULL and bi != NULL:
            exact = integer_operation(self.dialect, op, ai, bi, divisor, constant_divisor)
            native = native_modulo(self.dialect, left, constant_divisor, exact) \
                if op == "%" else None
            slots["int"] = native or exact
        if af != NULL or bf != NULL:
            # The result is a float when either side is; where only one side can be, the
            # other is an int (or nil) there.
            fa = af if bf == NULL else self.as_float(left, ai, af, node)
            fb = bf if af == NULL else self.as_float(right, bi, bf, node)
            if fa != NULL and fb != NULL:
                any_float = sql_or(self.has(left, "float"), self.has(right, "float"))
                sign = None
                if right.is_const and isinstance(right.const, (int, float)):
                    sign = right.const > 0
                elif op in "/%":
                    fb = f"NULLIF({fb}, 0)"
                operation = float_operation(self.dialect, op, fa, fb, sign)
                # Where only one side can be a float, the operation is NULL unless it is
                # one (the general % aside, which gives a signed zero for NULL).
                one_side = (bf == NULL and fa == af) or (af == NULL and fb == bf)
                if one_side and (op != "%" or sign is not None):
                    result = operation
                else:
                    result = ite(any_float, operation, NULL)
                slots["float"] = result
                if op == "%":
                    # fmod is finite; only an infinite side makes NaN or infinity
                    inf = infinite(fa)
                    if not right.is_const:
                        inf = sql_or(inf, sql_and(infinite(fb), safe(
                            f"({fa} <> 0 AND (({fa} < 0) <> ({fb} < 0)))")))
                    err = sql_or(err, sql_and(any_float, inf))
                else:
                    err = sql_or(err, infinite(result))
        return Value({k: slots[k] for k in ALL_KINDS if k in slots}), err, FALSE

    def negate(self, node: Node, operand: Value) -> Value:
        if operand.is_const:
            folded = self.fold_call(node, runtime.negate, operand.const)
            if folded is not None:
                return self.after(folded, operand)
        integer, floating = self.numeric(operand, node)
        slots = {}
        if integer != NULL:
            slots["int"] = f"(-({integer}))"
        err = self.outside(operand, {"nil", "int", "float"})
        if floating != NULL:
            slots["float"] = f"(-({floating}))"
            err = sql_or(err, infinite(floating))
        err, abort = chain([(operand.err, operand.abort), (err, FALSE)])
        return Value(slots, err=err, abort=abort)

    # -- ranges --------------------------------------------------------------------------

    def bound(self, value: Value, node: Node) -> tuple[Value, str, str]:
        """A range bound as ladle reads it: nil is 0, a float is truncated."""
        err = self.outside(value, {"nil", "int", "float"})
        integer, floating = self.numeric(value, node)
        abort = FALSE
        if floating != NULL:
            # int(f) must be within ±2**256 (ladle's integer limit; an infinite f fails too)
            allowed = f"(abs({floating}) <= {TWO_256})"
            small = f"(abs({floating}) < {TWO_127})"
            err = sql_or(err, sql_and(self.has(value, "float"), safe(f"(NOT {allowed})")))
            abort = sql_and(self.has(value, "float"), safe(f"({allowed} AND NOT {small})"))
            truncated = f"(CASE WHEN {small} THEN {self.dialect.truncated(floating)} END)"
            integer = truncated if integer == NULL else f"COALESCE({integer}, {truncated})"
        return Value({"int": integer}), err, abort

    def range(self, node: Node, start: Value, stop: Value) -> Value:
        if start.is_const and stop.is_const:
            folded = self.fold_call(node, runtime.make_range, start.const, stop.const)
            if folded is not None:
                return self.after(folded, start, stop)
        low, low_err, low_abort = (self.constant(runtime.to_integer(start.const, ""), node),
                                   FALSE, FALSE) if start.is_const and \
            kind_of(start.const) in ("int", "nil") else self.bound(start, node)
        high, high_err, high_abort = (self.constant(runtime.to_integer(stop.const, ""), node),
                                      FALSE, FALSE) if stop.is_const and \
            kind_of(stop.const) in ("int", "nil") else self.bound(stop, node)
        err, abort = chain([*failures(start, stop), (low_err, low_abort),
                            (high_err, high_abort)])
        return Value(seq=Seq(bounds=(low, high)), err=err, abort=abort)

    # -- functions -----------------------------------------------------------------------

    def call(self, node: Call) -> Value:
        name = node.name
        function = functions.BUILTINS.get(name)
        if function is None or name not in _SUPPORTED_FUNCTIONS or name in self.own_names:
            raise self.unsupported(f"the function {name}() has no SQL form", node)
        count = len(node.args)
        if count < function.min_args or (function.max_args is not None and
                                         count > function.max_args):
            raise self.unsupported(f"{name}() with {count} arguments", node)
        args = [self.value(arg) for arg in node.args]
        if all(a.is_const for a in args):
            call = function.call if function.direct else self.checked(function.call)
            folded = self.fold_call(node, call, *(a.const for a in args))
            if folded is not None:
                return self.after(folded, *args)
        steps = failures(*args)
        result: Value
        if name == "slot":
            result, err, abort = self.slot_call(node, args[0], args[1])
        elif name in ("startswith", "endswith"):
            whole, part = args
            err = sql_or(self.outside(whole, {"str"}), self.outside(part, {"str"}))
            test = self.dialect.starts_with if name == "startswith" else \
                self.dialect.ends_with
            result = Value({"bool": test(self.slot(whole, "str", node),
                                         self.slot(part, "str", node))})
            abort = FALSE
        elif name in ("lower", "upper"):
            result, err, abort = self.change_case(name, args[0], node)
        elif name == "len":
            result, err = self.length(node, args[0])
            abort = FALSE
        elif name == "abs":
            integer, floating = self.numeric(args[0], node)
            slots = {}
            if integer != NULL:
                slots["int"] = f"abs({integer})"
            err, abort = self.outside(args[0], {"nil", "int", "float"}), FALSE
            if floating != NULL:
                slots["float"] = f"abs({floating})"
                err = sql_or(err, infinite(floating))
            result = Value(slots)
        else:
            result, err = self.extreme(node, name == "min", args)
            abort = FALSE
        err, abort = chain([*steps, (err, abort)])
        return with_failures(result, err, abort)

    def change_case(self, name: str, value: Value, node: Node) -> tuple[Value, str, str]:
        """``lower(value)`` or ``upper(value)``: (result, err, abort). SQL changes case as
        Python does except for a few characters, on which the query aborts."""
        text = self.slot(value, "str", node)
        err = sql_or(self.outside(value, {"str"}),
                     safe(f"(length({text}) > {self.max_length})"))
        # Spark's case tables are an older Unicode's: it changes only ASCII exactly
        pattern = self.dialect.string(case_unsafe_pattern(
            name, every_cased=self.dialect.name == "spark"))
        abort = safe(self.dialect.regex(text, pattern))
        return Value({"str": f"{name}({text})"} if text != NULL else {}), err, abort

    def checked(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` under the python engine's argument and result length checks."""

        def call(*args: Any) -> Any:
            pending = list(args)
            while pending:
                item = pending.pop()
                if isinstance(item, range):
                    runtime.check_length(item, self.max_length, "argument")
                elif type(item) is tuple:
                    pending.extend(item)
            return runtime.check_length(function(*args), self.max_length)

        return call

    def slot_call(self, node: Node, key: Value, count: Value) -> tuple[Value, str, str]:
        err = sql_or(self.outside(key, {"int", "str"}), self.outside(count, {"int"}))
        if count.is_const:
            if not isinstance(count.const, int) or isinstance(count.const, bool) or \
                    count.const <= 0:
                return ERROR, TRUE, FALSE
            modulus = count.const
        else:
            modulus = None
            not_positive = safe(f"({self.slot(count, 'int', node)} <= 0)")
            err = sql_or(err, sql_and(self.has(count, "int"), not_positive))
        if key.is_const:
            try:
                # the whole 64-bit hash: grammar's slot() modulo 2**64, which it is below
                hashed = self.dialect.int_literal(functions.slot(key.const, 2**64))
            except EvaluationError:  # not an int or string key
                return ERROR, TRUE, FALSE
        else:
            texts = []
            if "str" in key.slots:
                texts.append(key.slots["str"])
            if "int" in key.slots:
                integer = key.native[0] if key.native is not None else key.slots["int"]
                texts.append(self.dialect.as_text(integer))
            if not texts:
                return ERROR, TRUE, FALSE
            text_sql = texts[0] if len(texts) == 1 else f"COALESCE({', '.join(texts)})"
            hashed = self.dialect.hash64(text_sql)
        if modulus is not None:
            # The hash is below 2**64: 64-bit arithmetic is exact and much faster.
            value = self.dialect.as_int(hashed) if modulus >= 2**64 else \
                self.dialect.hash_modulo(hashed, modulus)
        else:
            value = (f"({self.dialect.as_int(hashed)} % "
                     f"NULLIF({self.slot(count, 'int', node)}, 0))")
        return Value({"int": value}), err, FALSE

    def length(self, node: Node, value: Value) -> tuple[Value, str]:
        if value.seq is not None:
            if value.seq.items is not None:
                return self.constant(len(value.seq.items), node), FALSE
            assert value.seq.bounds is not None
            low, high = (self.slot(b, "int", node) for b in value.seq.bounds)
            size = (f"(CASE WHEN {high} < {low} THEN {self.dialect.int_literal(0)} "
                    f"ELSE {high} - {low} + 1 END)")
            return Value({"int": size}), FALSE
        text = self.slot(value, "str", node)
        result = Value({"int": self.dialect.as_int(f"length({text})")} if text != NULL else {})
        return result, self.outside(value, {"str"})

    def extreme(self, node: Node, is_min: bool, args: list[Value]) -> tuple[Value, str]:
        if len(args) == 1 and args[0].seq is not None:
            seq = args[0].seq
            if seq.bounds is not None:
                low, high = seq.bounds
                low_sql, high_sql = self.slot(low, "int", node), self.slot(high, "int", node)
                # high - low + 1 > max_length, without overflowing HUGEINT
                too_long = (f"(CASE WHEN {high_sql} < 0 OR {low_sql} >= 0 "
                            f"THEN {high_sql} - {low_sql} >= {self.max_length} "
                            f"ELSE {high_sql} >= {low_sql} + {self.max_length} END)")
                err = sql_or(f"({high_sql} < {low_sql})", too_long)
                return replace(low if is_min else high, err=FALSE, abort=FALSE), err
            assert seq.items is not None
            values = list(seq.items)
            if not values:
                return ERROR, TRUE
        else:
            values = args
        if any(not v.scalar for v in values):
            return ERROR, TRUE  # lists, ranges, empty and blank are neither numbers nor text
        numbers = sql_and(*(sql_not(self.outside(v, NUMBERS)) for v in values))
        strings = sql_and(*(sql_not(self.outside(v, {"str"})) for v in values))
        err = sql_not(sql_or(numbers, strings))
        current = replace(values[0], err=FALSE, abort=FALSE)
        for candidate in values[1:]:
            candidate = replace(candidate, err=FALSE, abort=FALSE)
            better, _ = self.order("<" if is_min else ">", candidate, current, node)
            current = self.merge(better, candidate, current, node)
            current = replace(current, nil=False)
        current = replace(current, nil=False) if not current.is_const else current
        if "str" in current.slots and not current.is_const:
            err = sql_or(err, safe(f"(length({current.slots['str']}) > {self.max_length})"))
        return current, err
