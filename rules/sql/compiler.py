"""The compiler: a rule's AST walked into one ``Value``. Lookups, logic and comparisons are
here; arithmetic, ranges and functions are in ``Arithmetic``, which ``Compiler`` extends."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Final

from ladle.grammar import operators, runtime
from ladle.grammar.nodes import (
    EMPTY,
    Binary,
    Call,
    Conditional,
    ListLiteral,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    Pipeline,
    RangeLiteral,
    RootIndex,
    Unary,
)
from ladle.grammar.nodes import Index as IndexNode
from ladle.rules.sql.algebra import FALSE, NULL, TRUE, ite, ite_cond, safe, sql_and, sql_not, sql_or
from ladle.rules.sql.errors import SqlUnsupported
from ladle.rules.sql.filters import Filters
from ladle.rules.sql.numbers import (
    float_vs_int_const,
    int_vs_float,
    int_vs_float_const,
    int_vs_int_const,
    sql_op,
)
from ladle.rules.sql.patterns import blank_pattern
from ladle.rules.sql.values import (
    ALL_KINDS,
    BOOLEAN_TYPES,
    FLOAT_TYPES,
    INTEGER_TYPES,
    JSON_TYPES,
    NIL,
    NUMBERS,
    STRING_TYPES,
    Seq,
    Value,
    chain,
    failures,
    kind_of,
    with_failures,
)

# The SQL text of one rule may not grow beyond this (merged branches repeat their parts).
MAX_SQL_LENGTH: Final = 200_000

# Each operator's lowering, as grammar/operators.py names it; an operator without one
# is SqlUnsupported (the rule goes to the python engine).
_LOWERING: Mapping[str, str | None] = MappingProxyType(
    {op.symbol: op.sql for op in operators.BINARY})
_AND_OR = frozenset({"&&", "and", "||", "or"})
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_PY_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
}


class Compiler(Filters):
    """A rule's compiler: ``Compiler(columns, source, max_length).value(tree)``."""

    # -- nodes ------------------------------------------------------------------------

    def value(self, node: Node) -> Value:
        result = self.compile(node)
        for text in (*result.slots.values(), result.err, result.abort):
            if len(text) > MAX_SQL_LENGTH:
                raise self.unsupported("the rule is too complex for SQL", node)
        if self.shared is not None:
            return self.shared.value(node, result)
        return result

    def compile(self, node: Node) -> Value:
        match node:
            case Literal(value=value):
                return self.constant(value, node)
            case Name(name=name):
                return self.column(name, node)
            case RootIndex(key=Literal(kind="string", value=str() as name)):
                return self.column(name, node)
            case RootIndex(key=Literal()):
                return NIL
            case RootIndex():
                raise self.unsupported("a variable looked up by a computed name", node)
            case Member(target=target, name=name):
                return self.member(node, self.value(target), name)
            case IndexNode(target=target, key=key):
                return self.index(node, target, key)
            case Unary(op="-", operand=operand):
                return self.negate(node, self.value(operand))
            case Unary(operand=operand):
                inner = self.value(operand)
                if inner.is_const:
                    result = self.constant(not runtime.truthy(inner.const), node)
                    return self.after(result, inner)
                result = Value({"bool": sql_not(self.truthy(inner))})
                return with_failures(result, inner.err, inner.abort)
            case Binary(op=op, left=left, right=right):
                return self.binary(node, op, self.value(left), self.value(right))
            case Logical(op=op, left=left, right=right) if op in _AND_OR:
                return self.logical(node, op in ("&&", "and"), left, right)
            case Logical(op=op, left=left, right=right):
                if operators.OPERATORS[op].sql != "coalesce":
                    raise self.unsupported(f"the operator {op!r} has no SQL form", node)
                return self.coalesce(node, left, right)
            case Conditional(test=test, then=then, otherwise=otherwise):
                return self.conditional(node, test, then, otherwise)
            case RangeLiteral(start=start, stop=stop):
                return self.range(node, self.value(start), self.value(stop))
            case ListLiteral(items=items):
                values = tuple(self.value(item) for item in items)
                if all(v.is_const for v in values):
                    return self.after(self.constant(tuple(v.const for v in values), node),
                                      *values)
                err, abort = chain(failures(*values))
                return Value(seq=Seq(items=values), err=err, abort=abort)
            case Call():
                return self.call(node)
            case Pipeline():
                return self.pipeline(node)
        raise self.unsupported(f"{type(node).__name__} has no SQL form", node)

    def column(self, name: str, node: Node) -> Value:
        sql_type = self.columns.get(name)
        if sql_type is None:
            return NIL
        if self.folded.get(name.casefold(), 0) > 1:
            raise self.unsupported(f"the fields named {name!r} differ only in case, which "
                                   "SQL identifiers do not tell apart", node)
        kind = sql_type.strip().upper()
        try:
            column = self.dialect.identifier(name)
        except SqlUnsupported as error:
            raise self.unsupported(error.message, node) from None
        if kind in BOOLEAN_TYPES:
            return Value({"bool": column}, nil=True)
        if kind in INTEGER_TYPES:
            if kind in ("HUGEINT", "INT128"):
                return Value({"int": column}, nil=True, native=(column, "huge"),
                             nil_test=f"({column} IS NULL)")
            return Value({"int": self.dialect.as_int(column)}, nil=True,
                         native=(column, "unsigned" if kind.startswith("U") else "signed"),
                         nil_test=f"({column} IS NULL)")
        if kind in FLOAT_TYPES:
            return Value({"float": column}, nil=True)
        if kind in STRING_TYPES:
            return Value({"str": column}, nil=True)
        if kind in JSON_TYPES and self.dialect.json:
            return self.json_column(column)
        raise self.unsupported(f"the field {name!r} has the SQL type {sql_type}, which the "
                               "SQL engine does not read exactly", node)

    @staticmethod
    def json_column(column: str) -> Value:
        """A JSON column, read from its JSON text as Python's json reads it: a number is an
        integer when its text has no '.', 'e' or 'E'. Lists, objects and integers beyond
        HUGEINT abort."""
        text = f"CAST({column} AS VARCHAR)"
        kind = f"json_type({column})"
        fraction = f"regexp_matches({text}, '[.eE]')"
        slots = {
            "bool": f"(CASE {text} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END)",
            # TRY_CAST would round '1.5': only texts without '.', 'e', 'E' and '"' are
            # integers (or null, true, false, lists and objects, which it makes NULL).
            "int": (f"TRY_CAST((CASE WHEN NOT regexp_matches({text}, '[.eE\"]') "
                    f"THEN {text} END) AS HUGEINT)"),
            "float": (f"(CASE WHEN {kind} = 'DOUBLE' AND {fraction} "
                      f"THEN CAST({text} AS DOUBLE) END)"),
            "str": f"(CASE WHEN {kind} = 'VARCHAR' THEN json_extract_string({column}, '$') END)",
        }
        abort = safe(f"({kind} IN ('ARRAY', 'OBJECT') OR ({kind} IN ('BIGINT', 'UBIGINT', "
                     f"'DOUBLE') AND NOT {fraction} AND TRY_CAST({text} AS HUGEINT) IS NULL))")
        nil_test = f"(COALESCE({text}, 'null') = 'null')"
        truth = f"(COALESCE({text}, 'null') NOT IN ('null', 'false'))"
        return Value(slots, nil=True, abort=abort, truth=truth, nil_test=nil_test)

    # -- logic ------------------------------------------------------------------------

    def merge(self, test: str, then: Value, otherwise: Value, node: Node) -> Value:
        """The value ``then`` where ``test`` holds, else ``otherwise`` (failures not set)."""
        if test == TRUE:
            return replace(then, err=FALSE, abort=FALSE)
        if test == FALSE:
            return replace(otherwise, err=FALSE, abort=FALSE)
        if not then.scalar or not otherwise.scalar:
            raise self.unsupported("a list, range, empty or blank chosen at run time", node)
        # kinds(), not slots: an integer constant beyond ±2**127 has no slot (and refuses)
        kinds = [k for k in ALL_KINDS if k in then.kinds() or k in otherwise.kinds()]
        slots = {k: ite(test, self.slot(then, k, node), self.slot(otherwise, k, node))
                 for k in kinds}
        truth = ite_cond(test, self.truthy(then), self.truthy(otherwise))
        return Value(slots, nil=then.nil or otherwise.nil, truth=truth)

    def logical(self, node: Node, is_and: bool, left_node: Node, right_node: Node) -> Value:
        left = self.value(left_node)
        test = self.truthy(left)
        if test == (FALSE if is_and else TRUE):
            return left  # decided: the right side is never evaluated
        right = self.value(right_node)
        if test == (TRUE if is_and else FALSE):
            err, abort = chain(failures(left, right))
            return with_failures(right, err, abort)
        runs = test if is_and else sql_not(test)
        err, abort = chain([(left.err, left.abort),
                            (sql_and(runs, right.err), sql_and(runs, right.abort))])
        if self.only_bool(left) and self.only_bool(right):
            combine = sql_and if is_and else sql_or
            result = Value({"bool": combine(left.slots["bool"], right.slots["bool"])})
        elif is_and:
            # Where the left side is falsy it is the result: nil, or false.
            falsy = Value({"bool": left.slots["bool"]} if "bool" in left.slots else {},
                          nil=left.nil, truth=FALSE)
            result = self.merge(test, right, falsy, node)
            result = replace(result, truth=sql_and(test, self.truthy(right)))
        else:
            result = self.merge(test, left, right, node)
            result = replace(result, nil=right.nil, truth=sql_or(test, self.truthy(right)))
        return with_failures(result, err, abort)

    def coalesce(self, node: Node, left_node: Node, right_node: Node) -> Value:
        """``left ?? right``: ``right`` where ``left`` is nil (false is kept)."""
        left = self.value(left_node)
        is_nil = self.has(left, "nil")
        if is_nil == FALSE:
            return left  # decided: the right side is never evaluated
        right = self.value(right_node)
        if is_nil == TRUE:
            err, abort = chain(failures(left, right))
            return with_failures(right, err, abort)
        err, abort = chain([(left.err, left.abort),
                            (sql_and(is_nil, right.err), sql_and(is_nil, right.abort))])
        result = replace(self.merge(is_nil, right, left, node), nil=right.nil)
        return with_failures(result, err, abort)

    def only_bool(self, value: Value) -> bool:
        return not value.is_const and value.scalar and self.certain(value, "bool")

    def conditional(self, node: Node, test_node: Node, then_node: Node,
                    otherwise_node: Node) -> Value:
        test_value = self.value(test_node)
        test = self.truthy(test_value)
        if test in (TRUE, FALSE):
            branch = self.value(then_node if test == TRUE else otherwise_node)
            err, abort = chain(failures(test_value, branch))
            return with_failures(branch, err, abort)
        then = self.value(then_node)
        otherwise = self.value(otherwise_node)
        result = self.merge(test, then, otherwise, node)
        err, abort = chain([(test_value.err, test_value.abort),
                            (ite_cond(test, then.err, otherwise.err),
                             ite_cond(test, then.abort, otherwise.abort))])
        return with_failures(result, err, abort)

    # -- binary operators -------------------------------------------------------------------

    def binary(self, node: Binary, op: str, left: Value, right: Value) -> Value:
        if op == "in":
            container, item = right, left
        elif op == "contains":
            container, item = left, right
        else:
            container = item = NIL
        if left.is_const and right.is_const:
            folded = self.fold(node, op, left.const, right.const)
            if folded is not None:
                return self.after(folded, left, right)
        steps = failures(left, right)
        lowering = _LOWERING.get(op)
        if lowering == "contains":
            condition, err, abort = self.contains(node, container, item)
            result = Value({"bool": condition})
        elif lowering == "equality":
            condition = self.equal(left, right, node)
            result = Value({"bool": condition if op == "==" else sql_not(condition)})
            err = abort = FALSE
        elif lowering == "order":
            condition, err = self.order(op, left, right, node)
            result = Value({"bool": condition})
            abort = FALSE
        elif lowering == "arithmetic":
            result, err, abort = self.arithmetic(node, op, left, right)
        else:
            raise self.unsupported(f"the operator {op!r} has no SQL form", node)
        err, abort = chain([*steps, (err, abort)])
        return with_failures(result, err, abort)

    def fold(self, node: Node, op: str, left: Any, right: Any) -> Value | None:
        row = operators.OPERATORS[op]
        assert row.function is not None  # the logical operators never come here
        extra = (self.max_length,) if row.takes_max_length else ()
        function = row.function
        return self.fold_call(node, lambda a, b: function(a, b, *extra), left, right)

    # -- equality ------------------------------------------------------------------------

    def equal(self, left: Value, right: Value, node: Node) -> str:
        """ladle's ``==`` as a condition (for values that did not fail)."""
        if left.is_const and right.is_const:
            return TRUE if runtime.equals(left.const, right.const) else FALSE
        if left.marker is not None or right.marker is not None:
            if left.marker is not None and right.marker is not None:
                return TRUE if left.marker is right.marker else FALSE
            marker, other = (left, right) if left.marker is not None else (right, left)
            return self.marker_equal(marker.marker, other, node)
        if left.seq is not None or right.seq is not None:
            if left.seq is None or right.seq is None:
                return FALSE  # a list never equals a scalar
            a, b = left.seq.items, right.seq.items
            if a is None or b is None:
                raise self.unsupported("comparing ranges with computed bounds", node)
            if len(a) != len(b):
                return FALSE
            return sql_and(*(self.equal(x, y, node) for x, y in zip(a, b, strict=True)))
        parts = [sql_and(self.has(left, "nil"), self.has(right, "nil"))]
        for a_kind in left.kinds():
            for b_kind in right.kinds():
                if a_kind == "nil" or b_kind == "nil":
                    continue
                if a_kind == b_kind or {a_kind, b_kind} == NUMBERS:
                    parts.append(self.compare_kinds("==", left, a_kind, right, b_kind, node))
        return sql_or(*parts)

    def marker_equal(self, marker: Any, other: Value, node: Node) -> str:
        if other.seq is not None:
            if other.seq.items is None:
                raise self.unsupported("comparing a range with computed bounds", node)
            return TRUE if not other.seq.items else FALSE
        text = self.slot(other, "str", node)
        empty = sql_and(self.has(other, "str"), safe(f"(length({text}) = 0)"))
        if marker is EMPTY:
            return empty
        blank = safe(self.dialect.regex(text, self.dialect.string(blank_pattern())))
        false = sql_and(self.has(other, "bool"), safe(f"(NOT {self.slot(other, 'bool', node)})"))
        return sql_or(self.has(other, "nil"), false, sql_and(self.has(other, "str"), blank))

    # -- ordering and numeric comparison --------------------------------------------------

    def order(self, op: str, left: Value, right: Value, node: Node) -> tuple[str, str]:
        """(condition, err) of ``left op right`` for < <= > >=."""
        numbers = sql_and(sql_not(self.outside(left, NUMBERS)),
                          sql_not(self.outside(right, NUMBERS)))
        strings = sql_and(self.has(left, "str"), self.has(right, "str"))
        err = sql_not(sql_or(numbers, strings))
        parts = []
        for a_kind in left.kinds():
            for b_kind in right.kinds():
                if (a_kind in NUMBERS and b_kind in NUMBERS) or a_kind == b_kind == "str":
                    parts.append(self.compare_kinds(op, left, a_kind, right, b_kind, node))
        return sql_or(*parts), err

    def compare_kinds(self, op: str, left: Value, a_kind: str, right: Value, b_kind: str,
                      node: Node) -> str:
        """``left op right`` where left is of ``a_kind`` and right of ``b_kind`` (FALSE
        when they are not), for two numbers, two strings or two booleans."""
        guard = sql_and(self.has(left, a_kind), self.has(right, b_kind))
        if guard == FALSE:
            return FALSE
        if left.is_const and right.is_const:
            return TRUE if _PY_ORDER[op](left.const, right.const) else FALSE
        if left.is_const:
            return self.compare_kinds(_FLIP[op], right, b_kind, left, a_kind, node)
        a = self.slot(left, a_kind, node)
        # A plain comparison is NULL when either side is; the others need the guard.
        plain = True
        if a_kind == "int" and b_kind == "float":
            if right.is_const:
                condition = int_vs_float_const(self.dialect, op, a, right.const)
            else:
                condition = int_vs_float(self.dialect, op, a, self.slot(right, "float", node))
                plain = False
        elif a_kind == "float" and b_kind == "int":
            if right.is_const:
                condition = float_vs_int_const(self.dialect, op, a, right.const)
            else:
                condition = int_vs_float(self.dialect, _FLIP[op], self.slot(right, "int", node),
                                         a)
                plain = False
        elif a_kind == "int" and right.is_const:
            condition = int_vs_int_const(self.dialect, op, a, right.const)
        else:
            condition = f"({a} {sql_op(op)} {self.slot(right, b_kind, node)})"
        if guard == TRUE:
            return condition
        if plain and condition not in (TRUE, FALSE):
            return safe(condition)
        return safe(sql_and(guard, condition))

    # -- contains ------------------------------------------------------------------------

    def contains(self, node: Node, container: Value, item: Value) -> tuple[str, str, str]:
        """(condition, err, abort) of ``container contains item``."""
        if container.seq is not None and container.seq.items is not None:
            return self.in_list(container.seq.items, item, node), FALSE, FALSE
        if container.seq is not None and container.seq.bounds is not None:
            return self.in_range(container.seq.bounds, item, node), FALSE, FALSE
        if container.marker is not None:
            return FALSE, TRUE, FALSE
        err = sql_or(self.has(container, "int"), self.has(container, "float"),
                     self.has(container, "bool"))
        text = self.slot(container, "str", node)
        if text == NULL:
            return FALSE, err, FALSE
        parts = []
        for kind in item.kinds():
            if kind not in ("str", "int", "float"):
                continue  # nil, booleans, lists, empty and blank are in no string
            if item.is_const:
                needle = self.dialect.string(item.const if kind == "str" else repr(item.const)
                                      if kind == "float" else str(item.const))
            else:
                needle = self.slot(item, kind, node)
                if kind == "float" and not self.dialect.float_text:
                    raise self.unsupported(f"a float as text in {self.dialect.name}", node)
                needle = needle if kind == "str" else self.dialect.as_text(needle)
            found = f"(POSITION({needle} IN {text}) > 0)"
            certain = self.certain(container, "str") and self.certain(item, kind)
            parts.append(found if certain else safe(found))
        return sql_or(*parts), err, FALSE

    def in_list(self, items: tuple[Value, ...], item: Value, node: Node) -> str:
        for kind in ("str", "int"):
            if item.scalar and not item.is_const and set(item.slots) == {kind} and items and all(
                v.is_const and kind_of(v.const) == kind for v in items
            ) and all(kind == "str" or self.dialect.int_min <= v.const <= self.dialect.int_max
                      for v in items):
                listed = ", ".join(self.slot(v, kind, node) for v in items)
                found = f"({item.slots[kind]} IN ({listed}))"
                return found if not item.nil else safe(found)
        return sql_or(*(self.equal(element, item, node) for element in items))

    def in_range(self, bounds: tuple[Value, Value], item: Value, node: Node) -> str:
        start, stop = bounds
        parts = []
        for kind in item.kinds():
            if kind not in NUMBERS:
                continue
            if kind == "int" and not item.is_const and all(
                b.is_const and self.dialect.int_min <= b.const <= self.dialect.int_max
                for b in bounds
            ):
                # one reference to the item (slot(id, 1024) in (0..490) hashes once)
                inside = (f"({item.slots['int']} BETWEEN {self.slot(start, 'int', node)} "
                          f"AND {self.slot(stop, 'int', node)})")
                parts.append(inside if self.certain(item, "int") else safe(inside))
                continue
            low = self.compare_kinds(">=", item, kind, start, "int", node)
            high = self.compare_kinds("<=", item, kind, stop, "int", node)
            inside = sql_and(low, high)
            if kind == "float":
                if item.is_const:
                    integral = TRUE if item.const.is_integer() else FALSE
                else:
                    value = self.slot(item, "float", node)
                    integral = safe(self.dialect.integral(value))
                inside = sql_and(integral, inside)
            parts.append(inside)
        return sql_or(*parts)

    # -- members and indexes -------------------------------------------------------------

    def property(self, node: Node, target: Value, name: str) -> Value:
        """``target.name`` for a value that did not fail (failures not set)."""
        if target.seq is not None:
            if target.is_const:
                folded = self.fold_call(node, runtime.member, target.const, name)
                return NIL if folded is None else folded
            items = target.seq.items
            if items is None:
                raise self.unsupported("a property of a range with computed bounds", node)
            if name == "size":
                return self.constant(len(items), node)
            if name in ("first", "last") and items:
                return replace(items[0] if name == "first" else items[-1], err=FALSE,
                               abort=FALSE)
            return NIL
        if name != "size" or target.marker is not None:
            return NIL
        if target.is_const:
            return self.constant(len(target.const), node) if isinstance(target.const,
                                                                        str) else NIL
        text = self.slot(target, "str", node)
        if text == NULL:
            return NIL
        return Value({"int": self.dialect.as_int(f"length({text})")},
                     nil=not self.certain(target, "str"))

    def member(self, node: Node, target: Value, name: str) -> Value:
        result = self.property(node, target, name)
        err, abort = chain([*failures(target), *failures(result)])
        return with_failures(result, err, abort)

    def index(self, node: Node, target_node: Node, key_node: Node) -> Value:
        target = self.value(target_node)
        key = self.value(key_node)
        steps = failures(target, key)
        if key.is_const:
            if isinstance(key.const, str):
                result = self.property(node, target, key.const)
            elif target.is_const:
                folded = self.fold_call(node, runtime.index, target.const, key.const)
                result = NIL if folded is None else folded
            elif target.seq is not None and target.seq.items is not None:
                position = key.const
                if isinstance(position, float) and position.is_integer():
                    position = int(position)
                items = target.seq.items
                if type(position) is int and -len(items) <= position < len(items):
                    result = replace(items[position], err=FALSE, abort=FALSE)
                else:
                    result = NIL
            elif target.seq is not None:
                raise self.unsupported("indexing a range with computed bounds", node)
            else:
                result = NIL  # scalars have no integer positions
            err, abort = chain([*steps, *failures(result)])
            return with_failures(result, err, abort)
        if target.marker is not None:
            return self.after(NIL, target, key)  # empty and blank hold nothing
        if not target.scalar:
            raise self.unsupported("indexing a list or range by a computed key", node)
        # A scalar has no positions; a string key reads a property, and only ``size``
        # (of a string) is one.
        size = self.property(node, target, "size")
        key_text = self.slot(key, "str", node)
        if not size.slots or key_text == NULL:
            result = NIL
        else:
            wanted = safe(f"({key_text} = 'size')")
            result = Value({"int": ite(wanted, self.slot(size, "int", node), NULL)}, nil=True)
        err, abort = chain(steps)
        return with_failures(result, err, abort)
