"""A rulebook compiled into polars expressions: the columnar twin of conditions.py and amounts.py.

Semantics follow the reference evaluator exactly (tests/test_batch_equivalence.py compares both on random
profiles): unknown facts are nulls, and polars' Kleene logic for & | ~ is the three-valued logic of
conditions.py. Money is integer fen. Dates are shifted with the same calendar rules (dates.shift, and
polars' month offsets, which clamp to the month's end the same way).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import reduce
from typing import Any

import polars as pl

from ..base.dates import shift
from ..engine.amounts import parameter_value
from ..engine.results import AmountKind, Status
from ..rules.catalog import FieldSpec, catalog
from ..rules.facts import fact_order, paid_once, pays_tiers_once
from ..rules.history import HISTORY
from ..rules.loading import MAX_FACTS
from ..rules.schema import (
    CASH_CATEGORIES,
    AllOf,
    Benefit,
    Compare,
    FixedAmount,
    FormulaAmount,
    GradesAmount,
    InKindAmount,
    NotOf,
    NotStatedAmount,
    PartsAmount,
    PercentageAmount,
    PerUnitAmount,
    RangeAmount,
    Rulebook,
    TiersAmount,
    UpToAmount,
)
from .columnar import COMPARED, INT64_MAX, SCALE, CompileError, dtype, fen, literal, scaled, set_bits

NULL_BOOL = pl.lit(None, dtype=pl.Boolean)
# a benefit's status and amount kind per applicant: one byte a row instead of a 16-byte string, and
# compared as integers; they read and write as their text
STATUS = pl.Enum([s.value for s in Status])
KIND = pl.Enum(list(AmountKind.__args__))
NULL_INT = pl.lit(None, dtype=pl.Int64)


WIDE = pl.Int128  # products of columns (formula, per unit, percentage) are computed in 128 bits


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


def _clamped(n: int) -> pl.Expr:
    # a bound beyond what any cell holds compares the same as the nearest 64-bit integer
    return pl.lit(max(-INT64_MAX, min(INT64_MAX, n)), dtype=pl.Int64)


def numeric_test(column: pl.Expr, op: str, q: Fraction) -> pl.Expr:
    """An integer column compared exactly with a rational bound q (in the column's units): x ≥ 2.5 is x ≥ 3 for
    whole x, x = 2.5 is never true."""
    floor = q.numerator // q.denominator
    ceil = -((-q.numerator) // q.denominator)
    exact = q.denominator == 1
    if op == "eq":
        return column == _clamped(floor) if exact else pl.lit(False)
    if op == "ne":
        return column != _clamped(floor) if exact else pl.lit(True)
    return {"gt": lambda: column > _clamped(floor), "gte": lambda: column >= _clamped(ceil),
            "lt": lambda: column < _clamped(ceil), "lte": lambda: column <= _clamped(floor)}[op]()


def one_of(column: pl.Expr, values: list, dtype: pl.DataType) -> pl.Expr:
    """column is one of `values` (null if it is null). A few values are compared one by one: a hash lookup
    per cell (is_in) costs three times as much as comparing a short text with two or three others."""
    if 0 < len(values) <= COMPARED:
        return reduce(lambda a, b: a | b, [column == pl.lit(v, dtype=dtype) for v in values])
    return column.is_in(pl.lit(pl.Series(values, dtype=dtype)).implode())


def set_token(code: str) -> str:
    return f"|{code}|"


def _int(value: int | None) -> pl.Expr:
    return NULL_INT if value is None else pl.lit(value, dtype=pl.Int64)


def _shift_expr(column: pl.Expr, years: int, months: int, days: int) -> pl.Expr:
    total = years * 12 + months
    if total:
        column = column.dt.offset_by(f"{total}mo")
    if days:
        column = column.dt.offset_by(f"{days}d")
    return column


class Plan:
    """Named intermediate columns, in dependency levels: every condition node and amount part is computed
    once per chunk (and an identical test shared by several benefits only once), never re-derived
    inside the expressions that use it."""

    def __init__(self) -> None:
        self.exprs: dict[str, pl.Expr] = {}
        self.level: dict[str, int] = {}
        self.keys: dict[Any, str] = {}

    def add(self, expr: pl.Expr, key: Any = None) -> pl.Expr:
        if key is not None and key in self.keys:
            return pl.col(self.keys[key])
        name = f"__{len(self.exprs)}"
        deps = [n for n in expr.meta.root_names() if n in self.level]
        self.level[name] = 1 + max((self.level[d] for d in deps), default=0)
        self.exprs[name] = expr.alias(name)
        if key is not None:
            self.keys[key] = name
        return pl.col(name)

    def stages(self) -> list[list[pl.Expr]]:
        levels: dict[int, list[pl.Expr]] = {}
        for name, expr in self.exprs.items():
            levels.setdefault(self.level[name], []).append(expr)
        return [levels[k] for k in sorted(levels)]


# ------------------------------------------------------------------------------------------- conditions


@dataclass
class Truth:
    result: pl.Expr  # nullable Boolean: null is "unknown"
    missing: dict[str, pl.Expr] = field(default_factory=dict)  # fact -> "this fact is reported missing"


def compile_condition(node, as_of: dt.date, plan: Plan) -> Truth:
    if isinstance(node, Compare):
        return _compare(node, as_of, plan)
    if isinstance(node, NotOf):
        child = compile_condition(node.not_, as_of, plan)
        return Truth(plan.add(~child.result), child.missing)
    is_all = isinstance(node, AllOf)
    children = [compile_condition(c, as_of, plan) for c in (node.all if is_all else node.any)]
    result = plan.add(reduce((lambda a, b: a & b) if is_all else (lambda a, b: a | b), [c.result for c in children]))
    names = list(dict.fromkeys(n for c in children for n in c.missing))
    # a fact is reported missing where this node is unknown and some unknown child reports it
    missing = {name: plan.add(result.is_null() & pl.any_horizontal([c.missing[name] for c in children if name in c.missing]))
               for name in names}
    return Truth(result, missing)


def _compare(node: Compare, as_of: dt.date, plan: Plan) -> Truth:
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
    return Truth(plan.add(pl.when(column.is_null()).then(NULL_BOOL).otherwise(test), key=key), missing)


# ------------------------------------------------------------------------------------------- amounts


@dataclass
class Money:
    kind: pl.Expr
    value: pl.Expr = NULL_INT
    min: pl.Expr = NULL_INT
    max: pl.Expr = NULL_INT
    missing: dict[str, pl.Expr] = field(default_factory=dict)


def _kind(name: str) -> pl.Expr:
    return pl.lit(name, dtype=KIND)


def _status(name: str) -> pl.Expr:
    return pl.lit(name, dtype=STATUS)


def _cap(expr: pl.Expr, cap: Decimal | None) -> pl.Expr:
    if cap is None:
        return expr
    limit = fen(cap)
    return pl.when(expr > limit).then(pl.lit(limit, dtype=pl.Int64)).otherwise(expr)


def _round_half_up(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """numerator / denominator rounded as money.to_fen rounds (Decimal's ROUND_HALF_UP: halves away from zero,
    for a formula with a negative decimal number), in WIDE integers."""
    d, d2 = pl.lit(denominator, dtype=WIDE), pl.lit(2 * denominator, dtype=WIDE)
    n, zero = numerator.cast(WIDE), pl.lit(0, dtype=WIDE)  # (polars has no negation of 128-bit integers)
    return pl.when(n < 0).then(zero - (((zero - n) * 2 + d) // d2)).otherwise((n * 2 + d) // d2)


def _wide(value: int) -> pl.Expr:
    return pl.lit(value, dtype=WIDE)


def _number_fraction(value: Decimal) -> Fraction:
    return Fraction(Decimal(str(value)))


def compile_amount(rule, as_of: dt.date, parameters: dict, overrides: dict[str, Decimal], plan: Plan) -> Money:
    """The amount rule as columns, each registered once in the plan."""
    money = _amount(rule, as_of, parameters, overrides, plan)
    kind = plan.add(money.kind)
    return Money(kind, plan.add(money.value.cast(pl.Int64)), plan.add(money.min.cast(pl.Int64)),
                 plan.add(money.max.cast(pl.Int64)), {n: plan.add(m) for n, m in money.missing.items()})


def _amount(rule, as_of: dt.date, parameters: dict, overrides: dict[str, Decimal], plan: Plan) -> Money:
    cat = catalog()
    if isinstance(rule, FixedAmount):
        return Money(_kind("exact"), value=_int(fen(rule.value)))

    if isinstance(rule, (UpToAmount, RangeAmount)):
        low = fen(rule.min) if isinstance(rule, RangeAmount) else None
        high: pl.Expr = _int(fen(rule.max))
        if rule.cumulative_cap is not None:
            received = pl.col(rule.received_field)
            remaining = pl.lit(fen(rule.cumulative_cap), dtype=pl.Int64) - received
            remaining = pl.when(remaining < 0).then(0).otherwise(remaining)
            high = pl.when(received.is_null()).then(high).otherwise(
                pl.when(remaining < high).then(remaining).otherwise(high))
        # only a cumulative cap reached makes the amount exactly 0 (amounts.compute_amount); `max: 0` alone is
        # still an up-to (or a 0-0 range)
        zero = (high == 0) if rule.cumulative_cap is not None else pl.lit(False)
        if low is None:
            kind = pl.when(zero).then(_kind("exact")).otherwise(_kind("up_to"))
        else:
            kind = pl.when(zero).then(_kind("exact")).when(high >= low).then(_kind("range")).otherwise(_kind("up_to"))
        return Money(kind, value=pl.when(zero).then(0).otherwise(NULL_INT),
                     min=pl.when(kind == "range").then(_int(low)).otherwise(NULL_INT),
                     max=pl.when(zero).then(NULL_INT).otherwise(high))

    if isinstance(rule, PerUnitAmount):
        units = pl.col(rule.unit_field)  # a whole number (validation: unit_field is an int field)
        wide_units = units.cast(WIDE)
        cap = _int(fen(rule.cap)) if rule.cap is not None else NULL_INT
        missing = {rule.unit_field: units.is_null()}
        if rule.rate is not None:
            value = _cap(wide_units * _wide(fen(rule.rate)), rule.cap)
            kind = pl.when(units.is_null()).then(_kind("formula")).otherwise(_kind("exact"))
            return Money(kind, value=value, max=pl.when(units.is_null()).then(cap).otherwise(NULL_INT), missing=missing)
        low = _cap(wide_units * _wide(fen(rule.rate_min)), rule.cap)
        high = _cap(wide_units * _wide(fen(rule.rate_max)), rule.cap)
        kind = (pl.when(units.is_null()).then(_kind("formula")).when(low == high).then(_kind("exact"))
                .otherwise(_kind("range")))
        return Money(kind, value=pl.when(kind == "exact").then(low).otherwise(NULL_INT),
                     min=pl.when(kind == "range").then(low).otherwise(NULL_INT),
                     max=pl.when(kind == "range").then(high).when(kind == "formula").then(cap).otherwise(NULL_INT),
                     missing=missing)

    if isinstance(rule, PercentageAmount):
        base = pl.col(rule.of_field)  # in the column's units: fen for money
        # fen = base / scale × 100 (yuan to fen) × percent / 100
        share = _number_fraction(rule.percent) / SCALE[cat.fields[rule.of_field].type]
        value = _cap(_round_half_up(base.cast(WIDE) * _wide(share.numerator), share.denominator), rule.cap)
        cap = _int(fen(rule.cap)) if rule.cap is not None else NULL_INT
        known = _kind("up_to") if rule.up_to else _kind("exact")
        kind = pl.when(base.is_null()).then(_kind("formula")).otherwise(known)
        return Money(kind, value=NULL_INT if rule.up_to else value,
                     max=pl.when(base.is_null()).then(cap).otherwise(value if rule.up_to else NULL_INT),
                     missing={rule.of_field: base.is_null()})

    if isinstance(rule, TiersAmount):
        spec = cat.fields[rule.field]
        measure = pl.col(rule.field)
        if rule.cumulative:
            value = pl.sum_horizontal([pl.when(numeric_test(measure, "gte", scaled(spec, t.at_least)))
                                       .then(fen(t.value)).otherwise(0) for t in rule.tiers])
            top = sum(fen(t.value) for t in rule.tiers)
        else:
            value = pl.lit(0, dtype=pl.Int64)
            for t in rule.tiers:  # ascending: the last threshold reached wins
                value = pl.when(numeric_test(measure, "gte", scaled(spec, t.at_least))).then(fen(t.value)).otherwise(value)
            top = fen(rule.tiers[-1].value)
        unknown = measure.is_null()
        return Money(pl.when(unknown).then(_kind("formula")).otherwise(_kind("exact")),
                     value=pl.when(unknown).then(NULL_INT).otherwise(value.cast(pl.Int64)),
                     max=pl.when(unknown).then(_int(top)).otherwise(NULL_INT), missing={rule.field: unknown})

    if isinstance(rule, GradesAmount):
        grade = pl.col(rule.field).cast(pl.String)
        values = [fen(g.value) for g in rule.grades]
        value = NULL_INT
        for g in reversed(rule.grades):
            value = pl.when(grade == g.grade).then(fen(g.value)).otherwise(value)
        matched = value.is_not_null()
        return Money(pl.when(matched).then(_kind("exact")).otherwise(_kind("range")), value=value,
                     min=pl.when(matched).then(NULL_INT).otherwise(min(values)),
                     max=pl.when(matched).then(NULL_INT).otherwise(max(values)),
                     missing={rule.field: pl.col(rule.field).is_null()})

    if isinstance(rule, FormulaAmount):
        constant, columns, missing = Fraction(100), [], {}
        static_missing = False
        for factor in rule.factors:
            if factor.number is not None:
                constant *= _number_fraction(factor.number)
            elif factor.parameter is not None:
                value = parameter_value(factor.parameter, parameters[factor.parameter], as_of, overrides)
                if value is None:
                    static_missing = True
                    missing[factor.parameter] = pl.lit(True)
                else:
                    constant *= _number_fraction(value)
            else:
                spec = cat.fields[factor.field]
                column, units = pl.col(factor.field).cast(WIDE), SCALE[spec.type]  # the column holds value × units
                if factor.max is not None:
                    top = scaled(spec, factor.max)  # in the column's units; a fraction of them (12.5 months) is
                    if top.denominator != 1:       # reached by counting in finer units
                        column, units = column * _wide(top.denominator), units * top.denominator
                    limit = _wide(top.numerator)
                    column = pl.when(column > limit).then(limit).otherwise(column)
                constant /= units  # back to the value itself
                columns.append(column)
                missing[factor.field] = pl.col(factor.field).is_null()
        cap = _int(fen(rule.cap)) if rule.cap is not None else NULL_INT
        if static_missing:
            return Money(_kind("formula"), max=cap, missing=missing)
        product = reduce(lambda a, b: a * b, columns, _wide(constant.numerator))
        value = _cap(_round_half_up(product, constant.denominator), rule.cap)
        unknown = pl.any_horizontal([m for m in missing.values()]) if missing else pl.lit(False)
        return Money(pl.when(unknown).then(_kind("formula")).otherwise(_kind("exact")),
                     value=pl.when(unknown).then(NULL_INT).otherwise(value),
                     max=pl.when(unknown).then(cap).otherwise(NULL_INT), missing=missing)

    if isinstance(rule, NotStatedAmount):
        return Money(_kind("not_stated"))
    if isinstance(rule, InKindAmount):
        return Money(_kind("in_kind"))

    if isinstance(rule, PartsAmount):
        parts = [compile_amount(p.amount, as_of, parameters, overrides, plan) for p in rule.parts]
        lows, highs = [], []
        for p in parts:
            capped = p.kind.is_in(["up_to", "formula"]) & p.max.is_not_null()
            lows.append(pl.when(p.kind == "exact").then(p.value).when(p.kind == "range").then(p.min)
                        .when(capped).then(0).otherwise(NULL_INT))
            highs.append(pl.when(p.kind == "exact").then(p.value).when(p.kind == "range").then(p.max)
                         .when(capped).then(p.max).otherwise(NULL_INT))
        unbounded = pl.any_horizontal([h.is_null() for h in highs])
        low, high = pl.sum_horizontal(lows), pl.sum_horizontal(highs)
        kind = (pl.when(unbounded).then(_kind("formula")).when(low == high).then(_kind("exact"))
                .when(low == 0).then(_kind("up_to")).otherwise(_kind("range")))
        names = list(dict.fromkeys(n for p in parts for n in p.missing))
        missing = {n: (kind != "exact") & pl.any_horizontal([p.missing[n] for p in parts if n in p.missing])
                   for n in names}
        return Money(kind, value=pl.when(kind == "exact").then(low).otherwise(NULL_INT),
                     min=pl.when(kind == "range").then(low).otherwise(NULL_INT),
                     max=pl.when(kind.is_in(["up_to", "range"])).then(high).otherwise(NULL_INT), missing=missing)

    raise CompileError(f"amount kind {type(rule).__name__}")


# ------------------------------------------------------------------------------------------- benefits


# MAX_FACTS (loading.py): facts a benefit may depend on: its missing ones are a UInt32 bit mask


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


def _history(book: Rulebook, benefit: Benefit, status: pl.Expr, money: Money, missing: dict[str, pl.Expr],
             plan: Plan) -> tuple[pl.Expr, Money]:
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
    return new_status, Money(money.kind, value, money.min, high, money.missing)


@dataclass
class CompiledRulebook:
    book: Rulebook
    benefits: list[CompiledBenefit]
    plan: Plan
    # what the engine derives from this rulebook (queries, tables): built for the first chunk, reused for the rest
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def slug(self) -> str:
        return self.book.city.slug

    def exclusion_pairs(self) -> list[tuple[str, str]]:
        order = {b.id: i for i, b in enumerate(self.book.benefits)}
        pairs = {tuple(sorted((b.id, o), key=order.get)) for b in self.book.benefits for o in b.exclusive_with}
        return sorted(pairs, key=lambda p: (order[p[0]], order[p[1]]))

    def cash_ids(self) -> list[str]:
        return [b.id for b in self.book.benefits if b.category in CASH_CATEGORIES]


def compile_rulebook(book: Rulebook, as_of: dt.date, overrides: dict[str, Decimal] | None = None) -> CompiledRulebook:
    overrides = overrides or {}
    plan = Plan()
    benefits = [compile_benefit(book, b, as_of, overrides, plan) for b in book.benefits]
    return CompiledRulebook(book, benefits, plan)
