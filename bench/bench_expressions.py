"""Expressions suite: the five placement rules of rules.md over 200,000 generated records.

Every contender computes, for every record, the results of all five rules, and is
reported in nanoseconds per rule evaluation (time of one pass / (records x 5)), as a
ratio to hand-written Python lambdas measured in the same run. The slow peers
(simpleeval, rule-engine, cel-python) are timed on the first ``SUBSET`` records only;
the lambdas are timed on that subset too, to show what the smaller input alone changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import celpy
import pytest
import rule_engine
import simpleeval

from bench import report, workload
from bench.pages.measure import interleaved
from ladle import grammar

GROUP = "expressions"
# The contenders with targets again, timed in the same rounds: the ratios judged on.
INTERLEAVED = "expressions, interleaved"
INTERLEAVED_KEYS = ("lambdas", "ladle-compile", "ladle-compile-set", "simpleeval")
INTERLEAVED_SECONDS = 6.0
SUBSET = 2_000
SOURCES = list(workload.RULES.values())

Record = dict[str, Any]
Runner = Callable[[list[Any]], list[Sequence[Any]]]

# The reference: the rules as a programmer would write them by hand, in RULES order.
LAMBDAS: list[Callable[[Record], bool]] = [
    lambda r: r["tag"] == "lossless" and r["id"] % 100 >= 0 and r["id"] % 100 <= 47,
    lambda r: r["tag"] == "lossless" and r["id"] % 100 >= 48 and r["id"] % 100 <= 96,
    lambda r: r["tag"] == "lossless" and r["id"] % 100 >= 97 and r["id"] % 100 <= 99,
    lambda r: r["public"] is True,
    lambda r: r["public"] is True,
]


def each(functions: Sequence[Callable[[Any], Any]]) -> Runner:
    """Run one callable per rule on every row: the shape shared by most contenders."""

    def run(rows: list[Any]) -> list[Sequence[Any]]:
        return [[function(row) for function in functions] for row in rows]

    return run


def lambdas() -> Runner:
    return each(LAMBDAS)


def ladle_per_rule() -> Runner:
    return each([grammar.compile(source).evaluate for source in SOURCES])


def ladle_set() -> Runner:
    evaluate = grammar.compile_set(SOURCES).evaluate

    def run(rows: list[Any]) -> list[Sequence[Any]]:
        return [evaluate(row) for row in rows]

    return run


def python_syntax(source: str) -> str:
    """simpleeval evaluates Python syntax."""
    source = source.replace("&&", " and ").replace("||", " or ")
    return re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", source))


def simple_eval() -> Runner:
    # Its fastest ordinary use: parse once, then swap in each record as the names.
    evaluator = simpleeval.SimpleEval()
    parsed = [(text, evaluator.parse(text)) for text in map(python_syntax, SOURCES)]

    def run(rows: list[Any]) -> list[Sequence[Any]]:
        results = []
        for row in rows:
            evaluator.names = row
            results.append([evaluator.eval(text, previously_parsed=tree)
                            for text, tree in parsed])
        return results

    return run


def rule_engine_rules() -> Runner:
    # rule-engine spells && as "and"; true and % are the same.
    return each([rule_engine.Rule(source.replace("&&", "and")).matches for source in SOURCES])


def cel() -> Runner:
    # The rules are valid CEL as written. CompiledRunner (transpiled to Python) is
    # cel-python's faster runner, about 3x the default InterpretedRunner here.
    environment = celpy.Environment(runner_class=celpy.CompiledRunner)
    return each([environment.program(environment.compile(source)).evaluate
                 for source in SOURCES])


def cel_activation(record: Record) -> Any:
    """The record as CEL values, converted before timing (which flatters cel-python).

    CEL ints are signed 64-bit, so an id of 2**63 or more is wrapped into that range,
    the way a uint64 read into an int64 column would be; its rules then give other
    answers than ladle's, which is why those records are not compared.
    """
    wrapped = (record["id"] + 2**63) % 2**64 - 2**63
    return celpy.json_to_cel({**record, "id": wrapped})


def everything(record: Record) -> bool:
    return True


def non_negative_id(record: Record) -> bool:
    # rule-engine (Decimal) and CEL truncate: -7 % 100 is -7 there, 93 in ladle and Python.
    return record["id"] >= 0


def int64_id(record: Record) -> bool:
    return 0 <= record["id"] < 2**63


@dataclass(frozen=True)
class Contender:
    key: str  # the pytest id
    label: str  # the row in the report
    build: Callable[[], Runner]
    records: int = workload.RECORDS  # timed on the first this many records
    prepare: Callable[[Record], Any] | None = None  # per-record conversion, not timed
    comparable: Callable[[Record], bool] = everything  # records whose answers must agree

    def rows(self, records: list[Record]) -> list[Any]:
        return records if self.prepare is None else [self.prepare(r) for r in records]


BASELINE = "lambdas"
CONTENDERS = [
    Contender("lambdas", BASELINE, lambdas),
    Contender("ladle-compile", "ladle compile(), per rule", ladle_per_rule),
    Contender("ladle-compile-set", "ladle compile_set()", ladle_set),
    Contender("lambdas-subset", "lambdas (subset)", lambdas, SUBSET),
    Contender("simpleeval", "simpleeval", simple_eval, SUBSET),
    Contender("rule-engine", "rule-engine", rule_engine_rules, SUBSET,
              comparable=non_negative_id),
    Contender("cel-python", "cel-python", cel, SUBSET, cel_activation, int64_id),
]


def check(contender: Contender, run: Runner, records: list[Record]) -> None:
    """The contender's answers have the lambdas' truthiness on every comparable record."""
    sample = [r for r in records[: contender.records] if contender.comparable(r)]
    expected = [[bool(rule(r)) for rule in LAMBDAS] for r in sample]
    actual = [[bool(value) for value in row] for row in run(contender.rows(sample))]
    wrong = [(r, e, a) for r, e, a in zip(sample, expected, actual, strict=True) if e != a]
    assert not wrong, (f"{contender.label} disagrees with the lambdas on {len(wrong)} of "
                       f"{len(sample)} records; first: {wrong[0]}")


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return workload.make_records()


@pytest.fixture(scope="module")
def runners(records: list[Record]) -> dict[str, Runner]:
    """Every contender, built and checked against the lambdas before anything is timed."""
    built = {}
    for contender in CONTENDERS:
        built[contender.key] = run = contender.build()
        check(contender, run, records)
    return built


@pytest.mark.parametrize("contender", CONTENDERS, ids=lambda c: c.key)
def test_rules(benchmark: Any, records: list[Record], runners: dict[str, Runner],
               contender: Contender) -> None:
    rows = contender.rows(records[: contender.records])
    benchmark.group = GROUP
    benchmark.extra_info.update(
        label=contender.label,
        records=len(rows),
        evaluations=len(rows) * len(SOURCES),
        baseline=contender.label == BASELINE,
    )
    results = benchmark(runners[contender.key], rows)
    assert len(results) == len(rows)


def test_interleaved(benchmark: Any, records: list[Record], runners: dict[str, Runner]) -> None:
    """The contenders that have targets on the first ``SUBSET`` records, each called once
    per round in rotating order (``bench/pages/measure.py``'s ``interleaved``: CPU time,
    medians), so that a slower moment of the machine does not fall on one of them only."""
    chosen = [c for c in CONTENDERS if c.key in INTERLEAVED_KEYS]
    calls = {c.key: functools.partial(runners[c.key], c.rows(records[:SUBSET])) for c in chosen}
    benchmark.group = INTERLEAVED
    benchmark.extra_info.update(label=INTERLEAVED, hidden=True)
    medians, rounds = benchmark.pedantic(interleaved, args=(calls, INTERLEAVED_SECONDS),
                                         rounds=1, iterations=1, warmup_rounds=0)
    report.RESULTS.extend(
        report.Result(INTERLEAVED, c.label, medians[c.key] / (SUBSET * len(SOURCES)), rounds,
                      SUBSET, c.label == BASELINE) for c in chosen)
