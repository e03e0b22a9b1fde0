"""A rulebook compiled into polars expressions: the columnar twin of conditions.py and evaluation.py (the amounts
are compiled in compileamounts.py, over the shared columns of plan.py).

Semantics follow the reference evaluator exactly (tests/test_batch_equivalence.py compares both on random
profiles): unknown facts are nulls, and polars' Kleene logic for & | ~ is the three-valued logic of
conditions.py. Money is integer fen. Dates are shifted with the same calendar rules (dates.shift, and
polars' month offsets, which clamp to the month's end the same way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from typing import Any

import polars as pl

from ..base.dates import shift
from ..rules.catalog import FieldSpec, catalog
from ..rules.crosscheck import MAX_FACTS
from ..rules.facts import fact_order, paid_once, pays_tiers_once
from ..rules.history import HISTORY
from ..rules.schema import (
    CASH_CATEGORIES,
    AllOf,
    Benefit,
    Compare,
    NotOf,
    Rulebook,
)
from .columnar import COMPARED, SCALE, CompileError, dtype, literal, scaled, set_bits
from .compileamounts import AmountColumns, compile_amount
from .plan import NULL_BOOL, STATUS, Plan, numeric_test


def _has(spec: FieldSpec, column: pl.Expr, codes: list[str], every: bool) -> pl.Expr:
    """Whether the set in `column` holds every one (or any one) of `codes`; null where it is unknown."""
    bits = set_bits(spec)
    if not codes:  # every one of none: true; any one of none: false
        return pl.lit(every)
    if bits is None:
        tests = [column.str.contains(set_token(code), literal=True) for code in codes]
        return pl.all_horizontal(tests) if every else pl.any_horizontal(tests)
    unknown = [code for code in codes if code not in bits]
    if unknown:
        raise CompileError(f"{spec.vocabulary} has no code {unknown[0]}")
    mask = pl.lit(sum(1 << bits[code] for code in codes), dtype=pl.UInt64)
    return (column & mask) == mask if every else (column & mask) != 0


def one_of(column: pl.Expr, values: list, dtype: pl.DataType) -> pl.Expr:
    """column is one of `values` (null if it is null). A few values are compared one by one: a hash lookup
    per cell (is_in) costs three times as much as comparing a short text with two or three others."""
    if 0 < len(values) <= COMPARED:
        return reduce(lambda a, b: a | b, [column == pl.lit(v, dtype=dtype) for v in values])
    return column.is_in(pl.lit(pl.Series(values, dtype=dtype)).implode())


def set_token(code: str) -> str:
    return f"|{code}|"


def _shift_expr(column: pl.Expr, years: int, months: int, days: int) -> pl.Expr:
    total = years * 12 + months
    if total:
        column = column.dt.offset_by(f"{total}mo")
    if days:
        column = column.dt.offset_by(f"{days}d")
    return column


# ------------------------------------------------------------------------------------------- conditions


@dataclass
class ConditionColumns:
    """A condition as polars expressions (engine/conditions.Truth's columnar form)."""

    result: pl.Expr  # nullable Boolean: null is "unknown"
    missing: dict[str, pl.Expr] = field(default_factory=dict)  # fact -> "this fact is reported missing"


def compile_condition(node, as_of: dt.date, plan: Plan) -> ConditionColumns:
    if isinstance(node, Compare):
        return _compare(node, as_of, plan)
    if isinstance(node, NotOf):
        child = compile_condition(node.not_, as_of, plan)
        return ConditionColumns(plan.add(~child.result), child.missing)
    is_all = isinstance(node, AllOf)
    children = [compile_condition(c, as_of, plan) for c in (node.all if is_all else node.any)]
    result = plan.add(reduce((lambda a, b: a & b) if is_all else (lambda a, b: a | b), [c.result for c in children]))
    names = list(dict.fromkeys(n for c in children for n in c.missing))
    # a fact is reported missing where this node is unknown and some unknown child reports it
    missing = {name: plan.add(result.is_null() & pl.any_horizontal([c.missing[name] for c in children if name in c.missing]))
               for name in names}
    return ConditionColumns(result, missing)


def _compare(node: Compare, as_of: dt.date, plan: Plan) -> ConditionColumns:
    spec = catalog().fields[node.field]
    column = pl.col(node.field)
    op, operand = node.op, node.operand
    missing = {node.field: column.is_null()}
    if op in ("eq", "ne", "gt", "gte", "lt", "lte") and spec.type in SCALE:
        test = numeric_test(column, op, scaled(spec, operand))
    elif op in ("eq", "ne", "gt", "gte", "lt", "lte"):
        value = pl.lit(literal(spec, operand), dtype=dtype(spec))
        test = {"eq": column == value, "ne": column != value, "gt": column > value, "gte": column >= value,
                "lt": column < value, "lte": column <= value}[op]
    elif op in ("in", "not_in"):
        values = [literal(spec, v) for v in operand]
        # a number no cell can hold (2.5 people, 0.001 yuan) is never matched
        test = one_of(column, [v for v in values if v is not None] if spec.type in SCALE else values, dtype(spec))
        test = ~test if op == "not_in" else test
    elif op == "contains":
        test = _has(spec, column, [operand], every=True)
    elif op in ("contains_any", "contains_all"):
        test = _has(spec, column, list(operand), every=op == "contains_all")
    elif op == "within_last":
        start = shift(as_of, operand.years, operand.months, operand.days, sign=-1)
        test = (column >= pl.lit(start)) & (column <= pl.lit(as_of))
    elif op == "at_least_ago":
        test = column <= pl.lit(shift(as_of, operand.years, operand.months, operand.days, sign=-1))
    elif op == "same_year_as_evaluation":
        test = column.dt.year() == as_of.year
    elif op == "within_after":
        other = pl.col(operand.field)
        test = (column >= other) & (column <= _shift_expr(other, operand.years, operand.months, operand.days))
        missing[operand.field] = column.is_not_null() & other.is_null()
    elif op == "no_later_than":
        other = pl.col(operand.field)
        test = column <= _shift_expr(other, operand.years, operand.months, operand.days)
        missing[operand.field] = column.is_not_null() & other.is_null()
    elif op == "same_year_as":
        other = pl.col(operand)
        test = column.dt.year() == other.dt.year()
        missing[operand] = column.is_not_null() & other.is_null()
    else:  # pragma: no cover - the schema admits no other operator
        raise CompileError(f"operator {op}")
    key = ("compare", node.field, op, repr(operand))
    return ConditionColumns(plan.add(pl.when(column.is_null()).then(NULL_BOOL).otherwise(test), key=key), missing)


def _status(name: str) -> pl.Expr:
    return pl.lit(name, dtype=STATUS)


# ------------------------------------------------------------------------------------------- benefits


# MAX_FACTS (rules/crosscheck.py): facts a benefit may depend on: its missing ones are a UInt32 bit mask


def mask_names(facts: list[str], mask: int | None) -> list[str]:
    """The facts whose bits are set in `mask` (bit i: facts[i]), in order."""
    return [name for i, name in enumerate(facts) if mask and mask >> i & 1]


def missing_names(benefit: Benefit, mask: int | None) -> list[str]:
    """The missing facts a `::missing` mask names, in fact_order."""
    return mask_names(fact_order(benefit), mask)


@dataclass
class CompiledBenefit:
    benefit: Benefit
    columns: dict[str, pl.Expr]  # the benefit's result columns, prefixed by its id


def result_columns(benefit_id: str) -> dict[str, str]:
    return {key: f"{benefit_id}::{key}" for key in ("status", "kind", "value", "min", "max", "missing")}


def compile_benefit(book: Rulebook, benefit: Benefit, as_of: dt.date, overrides: dict[str, Decimal],
                    plan: Plan) -> CompiledBenefit:
    names = result_columns(benefit.id)
    kind = pl.col("kind")
    kind_ok = plan.add(pl.when(kind.is_null()).then(NULL_BOOL).otherwise(one_of(kind, benefit.applicant_kinds, pl.String)),
                       key=("kind", tuple(benefit.applicant_kinds)))
    missing: dict[str, pl.Expr] = {"kind": kind.is_null()}
    verdict = kind_ok
    if benefit.conditions is not None:
        truth = compile_condition(benefit.conditions, as_of, plan)
        verdict = plan.add(kind_ok & truth.result)
        for name, expr in truth.missing.items():
            missing[name] = missing[name] | expr if name in missing else expr
    money = compile_amount(benefit.amount, as_of, book.parameters, overrides, plan)

    start = benefit.valid_from or book.document.in_force_from
    end = benefit.valid_to or book.document.in_force_to
    if as_of < start:
        status = plan.add(_status("not_yet_in_force"))
    elif end is not None and as_of > end:
        status = plan.add(_status("expired"))
    else:
        zero = (money.kind == "exact") & (money.value == 0)
        status = plan.add(pl.when(verdict.is_null()).then(_status("needs_info")).when(~verdict).then(_status("not_eligible"))
                          .when(zero).then(_status("not_eligible")).otherwise(_status("eligible")))
    if paid_once(benefit) and (as_of >= start and (end is None or as_of <= end)):
        status, money = _history(book, benefit, status, money, missing, plan)
    needs = status == "needs_info"
    open_ = one_of(status, ["eligible", "needs_info"], STATUS)
    facts = fact_order(benefit)
    if len(facts) > MAX_FACTS:
        raise CompileError(f"{benefit.id} depends on {len(facts)} facts; the batch path names at most {MAX_FACTS}")
    # the missing facts as a bit mask over fact_order (bit i: fact i is missing): integer sums, where joining
    # names row by row cost half the evaluation; missing_names turns a mask back into the names
    shown = plan.add(pl.sum_horizontal(
        [pl.when((needs & missing.get(n, pl.lit(False))) | (open_ & money.missing.get(n, pl.lit(False))))
         .then(pl.lit(1 << i, dtype=pl.UInt32)).otherwise(pl.lit(0, dtype=pl.UInt32)) for i, n in enumerate(facts)]
        or [pl.lit(0, dtype=pl.UInt32)]).cast(pl.UInt32))
    return CompiledBenefit(benefit, {
        names["status"]: status, names["kind"]: money.kind, names["value"]: money.value,
        names["min"]: money.min, names["max"]: money.max, names["missing"]: shown,
    })


def received(book: Rulebook, benefit_id: str) -> pl.Expr:
    """Whether the history column names this benefit (false where the history is empty)."""
    token = rf"\|{book.city.slug}\.{benefit_id}[|=]"
    return pl.col(HISTORY).str.contains(token).fill_null(False)


def _paid(book: Rulebook, benefit_id: str) -> tuple[pl.Expr, pl.Expr]:
    """(fen the history says were paid for this benefit, whether some entry for it gives no amount)."""
    prefix = rf"\|{book.city.slug}\.{benefit_id}"
    column = pl.col(HISTORY)
    amounts = column.str.extract_all(prefix + r"=\d+").list.eval(
        pl.element().str.extract(r"=(\d+)$", 1).cast(pl.Int64)).list.sum()
    return amounts.fill_null(0), column.str.contains(prefix + r"\|").fill_null(False)


def _history(book: Rulebook, benefit: Benefit, status: pl.Expr, money: AmountColumns, missing: dict[str, pl.Expr],
             plan: Plan) -> tuple[pl.Expr, AmountColumns]:
    """evaluation.apply_history in columns: a one-off benefit received is already received; cumulative tiers
    pay what the tiers reached add beyond what was paid."""
    got = plan.add(received(book, benefit.id))
    if not pays_tiers_once(benefit):
        return plan.add(pl.when(got).then(_status("already_received")).otherwise(status)), money
    paid, unstated = (plan.add(e) for e in _paid(book, benefit.id))
    eligible = got & (status == "eligible")
    exact = money.kind == "exact"
    due = money.value - paid
    new_status = plan.add(
        pl.when(got & (status == "not_eligible")).then(_status("already_received"))
        .when(eligible & unstated).then(_status("needs_info"))
        .when(eligible & exact & (due <= 0)).then(_status("already_received"))
        .otherwise(status))
    missing[HISTORY] = eligible & unstated
    reduced = ~unstated & (new_status == "eligible") & got
    value = plan.add(pl.when(reduced & exact).then(due).otherwise(money.value))
    top = money.max - paid
    high = plan.add(pl.when(reduced & ~exact & money.max.is_not_null())
                    .then(pl.when(top < 0).then(0).otherwise(top)).otherwise(money.max))
    return new_status, AmountColumns(money.kind, value, money.min, high, money.missing)


@dataclass
class CompiledRulebook:
    rulebook: Rulebook
    benefits: list[CompiledBenefit]
    plan: Plan
    # what the engine derives from this rulebook (queries, tables): built for the first chunk, reused for the rest
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def slug(self) -> str:
        return self.rulebook.city.slug

    def exclusion_pairs(self) -> list[tuple[str, str]]:
        order = {b.id: i for i, b in enumerate(self.rulebook.benefits)}
        pairs = {tuple(sorted((b.id, o), key=order.get)) for b in self.rulebook.benefits for o in b.exclusive_with}
        return sorted(pairs, key=lambda p: (order[p[0]], order[p[1]]))

    def cash_ids(self) -> list[str]:
        return [b.id for b in self.rulebook.benefits if b.category in CASH_CATEGORIES]


def compile_rulebook(book: Rulebook, as_of: dt.date, overrides: dict[str, Decimal] | None = None) -> CompiledRulebook:
    overrides = overrides or {}
    plan = Plan()
    benefits = [compile_benefit(book, b, as_of, overrides, plan) for b in book.benefits]
    return CompiledRulebook(book, benefits, plan)
