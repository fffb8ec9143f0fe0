"""A rule set as one SQL query that routes a catalog, for DuckDB or Spark SQL: one row per
record and one boolean column per rule, TRUE where the rule claims the record, with
ladle's semantics (``rules.sql``: nil, the modulo sign, exact integers, ``slot()``).

    >>> from ladle import rules
    >>> print(rules.to_sql(rules.parse("web: public == true"), "spark",
    ...                    types={"public": "bool"}))
    SELECT COALESCE((`public` = TRUE), FALSE) AS `web`
    FROM (SELECT record.`public` AS `public` FROM (SELECT from_json(value, 'STRUCT<`public`: ...

The catalog is read by the warehouse's own reader, each field the rules use with the type
``types`` gives it (as ``ladle rules check --vars`` names them: string, int, float, bool,
any); a field without one is ``any`` (DuckDB reads it as JSON, Spark needs a type). A
record whose values SQL cannot follow exactly makes the query fail, as in the engines.
"""

from __future__ import annotations

from collections.abc import Mapping

from ladle.grammar.names import top_level_names
from ladle.rules.ruleset import RuleSet

__all__ = ["DIALECT_NAMES", "to_sql"]

DIALECT_NAMES = ("duckdb", "spark")  # rules.sql.DIALECTS, loaded when a query is made
_SQL_TYPES = {"string": "VARCHAR", "int": "HUGEINT", "float": "DOUBLE", "bool": "BOOLEAN",
              "any": "JSON"}


def to_sql(ruleset: RuleSet, dialect: str = "duckdb", *, catalog: str | None = None,
           format: str = "jsonl", types: Mapping[str, str] | None = None) -> str:
    """The query routing ``catalog`` (a path; ``catalog.jsonl`` or ``catalog.parquet`` by
    default) in ``format`` (``jsonl`` or ``parquet``) through ``ruleset``.

    Raises ``ValueError`` for an unknown dialect, format or type, or a field Spark is not
    given a type for, and ``rules.sql.SqlUnsupported`` for a rule SQL cannot express."""
    from ladle.rules.sql import DIALECTS, Shared, SqlUnsupported, rule_sql

    sql_dialect = DIALECTS.get(dialect)
    if sql_dialect is None:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    if format not in ("jsonl", "parquet"):
        raise ValueError(f"format must be jsonl or parquet, not {format!r}")
    path = catalog if catalog is not None else f"catalog.{format}"
    fields: dict[str, str] = {}
    for rule in ruleset.rules:
        for name in sorted(top_level_names(rule.tree)):
            kind = (types or {}).get(name, "any")
            if kind not in _SQL_TYPES:
                raise ValueError(f"the type of {name!r} must be one of "
                                 f"{', '.join(_SQL_TYPES)}, not {kind!r}")
            if kind == "any" and dialect == "spark":
                raise ValueError(f"Spark SQL needs the type of the field {name!r} "
                                 f"(--vars {name}:TYPE)")
            if kind == "any" and format == "parquet":
                raise ValueError(f"a Parquet column has one type: give the type of {name!r} "
                                 f"(--vars {name}:TYPE)")
            fields[name] = _SQL_TYPES[kind]
    # the values the rules repeat (``id % 100``) are computed once, in columns named
    # unlike any field
    prefix = "_ladle_x"
    while any(name.casefold().startswith(prefix) for name in fields):
        prefix = f"_{prefix}"
    shared = Shared([rule.tree for rule in ruleset.rules], sql_dialect, prefix)
    columns = []
    for rule in ruleset.rules:
        try:
            sql = rule_sql(rule.tree, fields, source=rule.source, own_names=rule.own_names,
                           dialect=sql_dialect, shared=shared)
        except SqlUnsupported as error:
            raise SqlUnsupported(f"rule {rule.name!r}: {error.message}", error.source,
                                 error.position) from None
        columns.append(f"{sql.claim} AS {sql_dialect.identifier(rule.name)}")
    select = ",\n       ".join(columns) if columns else "TRUE AS matched"
    return f"SELECT {select}\nFROM {shared.wrap(_reader(dialect, path, format, fields))} AS catalog"


def _reader(dialect: str, path: str, format: str, fields: Mapping[str, str]) -> str:
    """A subquery with one column per field, of its type, read from the catalog."""
    from ladle.rules.sql import DIALECTS

    d = DIALECTS[dialect]
    names = [d.identifier(name) for name in fields]
    if dialect == "duckdb":
        if format == "parquet":
            typed = [f"CAST({name} AS {kind}) AS {name}"
                     for name, kind in zip(names, fields.values(), strict=True)]
            return (f"(SELECT {', '.join(typed) or '1 AS one'} "
                    f"FROM read_parquet({d.string(path)}))")
        columns = ", ".join(f"{d.string(name)}: {d.string(kind)}"
                            for name, kind in fields.items())
        option = f"columns = {{{columns}}}, " if columns else ""
        return (f"(SELECT {', '.join(names) or '1 AS one'} FROM read_json({d.string(path)}, "
                f"format = 'newline_delimited', {option}ignore_errors = true))")
    spark_types = {"VARCHAR": "STRING", "HUGEINT": d.integer, "DOUBLE": "DOUBLE",
                   "BOOLEAN": "BOOLEAN"}
    source = "`" + path.replace("`", "``") + "`"
    if format == "parquet":
        typed = [f"CAST({name} AS {spark_types[kind]}) AS {name}"
                 for name, kind in zip(names, fields.values(), strict=True)]
        return f"(SELECT {', '.join(typed) or '1 AS one'} FROM parquet.{source})"
    schema = ", ".join(f"{name}: {spark_types[kind]}"
                       for name, kind in zip(names, fields.values(), strict=True))
    parsed = f"from_json(value, {d.string(f'STRUCT<{schema}>')})" if fields else "NULL"
    return (f"(SELECT {', '.join(f'record.{name} AS {name}' for name in names) or '1 AS one'} "
            f"FROM (SELECT {parsed} AS record FROM text.{source}))")
