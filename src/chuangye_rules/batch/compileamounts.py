"""An amount rule compiled into polars expressions: the columnar twin of amounts.py, one method per amount kind.
AmountColumns is integer fen (Int64), products of columns are computed in 128 bits and rounded as money.to_fen rounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import reduce

import polars as pl

from ..engine.amounts import parameter_value
from ..rules.catalog import catalog
from ..rules.schema import (
    FixedAmount,
    FormulaAmount,
    GradesAmount,
    InKindAmount,
    NotStatedAmount,
    PartsAmount,
    PercentageAmount,
    PerUnitAmount,
    RangeAmount,
    TiersAmount,
    UpToAmount,
)
from ..rules.visit import AmountVisitor
from .columnar import SCALE, fen, scaled
from .plan import KIND, NULL_INT, WIDE, Plan, int_lit, numeric_test


@dataclass
class AmountColumns:
    """An amount as polars expressions: its kind, and value / min / max in integer fen, and when each fact is missing."""

    kind: pl.Expr
    value: pl.Expr = NULL_INT
    min: pl.Expr = NULL_INT
    max: pl.Expr = NULL_INT
    missing: dict[str, pl.Expr] = field(default_factory=dict)


def _kind(name: str) -> pl.Expr:
    return pl.lit(name, dtype=KIND)


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


def compile_amount(rule, as_of: dt.date, parameters: dict, overrides: dict[str, Decimal], plan: Plan) -> AmountColumns:
    """The amount rule as columns, each registered once in the plan."""
    money = _AmountCompiler(as_of, parameters, overrides, plan).visit(rule)
    kind = plan.add(money.kind)
    return AmountColumns(kind, plan.add(money.value.cast(pl.Int64)), plan.add(money.min.cast(pl.Int64)),
                 plan.add(money.max.cast(pl.Int64)), {n: plan.add(m) for n, m in money.missing.items()})


class _AmountCompiler(AmountVisitor[AmountColumns]):
    def __init__(self, as_of: dt.date, parameters: dict, overrides: dict[str, Decimal], plan: Plan):
        self.as_of, self.parameters, self.overrides, self.plan = as_of, parameters, overrides, plan

    def fixed(self, rule: FixedAmount) -> AmountColumns:
        return AmountColumns(_kind("exact"), value=int_lit(fen(rule.value)))

    def up_to(self, rule: UpToAmount | RangeAmount) -> AmountColumns:
        low = fen(rule.min) if isinstance(rule, RangeAmount) else None
        high: pl.Expr = int_lit(fen(rule.max))
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
        return AmountColumns(kind, value=pl.when(zero).then(0).otherwise(NULL_INT),
                     min=pl.when(kind == "range").then(int_lit(low)).otherwise(NULL_INT),
                     max=pl.when(zero).then(NULL_INT).otherwise(high))

    range = up_to

    def per_unit(self, rule: PerUnitAmount) -> AmountColumns:
        units = pl.col(rule.unit_field)  # a whole number (validation: unit_field is an int field)
        wide_units = units.cast(WIDE)
        cap = int_lit(fen(rule.cap)) if rule.cap is not None else NULL_INT
        missing = {rule.unit_field: units.is_null()}
        if rule.rate is not None:
            value = _cap(wide_units * _wide(fen(rule.rate)), rule.cap)
            kind = pl.when(units.is_null()).then(_kind("formula")).otherwise(_kind("exact"))
            return AmountColumns(kind, value=value, max=pl.when(units.is_null()).then(cap).otherwise(NULL_INT), missing=missing)
        low = _cap(wide_units * _wide(fen(rule.rate_min)), rule.cap)
        high = _cap(wide_units * _wide(fen(rule.rate_max)), rule.cap)
        kind = (pl.when(units.is_null()).then(_kind("formula")).when(low == high).then(_kind("exact"))
                .otherwise(_kind("range")))
        return AmountColumns(kind, value=pl.when(kind == "exact").then(low).otherwise(NULL_INT),
                     min=pl.when(kind == "range").then(low).otherwise(NULL_INT),
                     max=pl.when(kind == "range").then(high).when(kind == "formula").then(cap).otherwise(NULL_INT),
                     missing=missing)

    def percentage(self, rule: PercentageAmount) -> AmountColumns:
        base = pl.col(rule.of_field)  # in the column's units: fen for money
        # fen = base / scale × 100 (yuan to fen) × percent / 100
        share = _number_fraction(rule.percent) / SCALE[catalog().fields[rule.of_field].type]
        value = _cap(_round_half_up(base.cast(WIDE) * _wide(share.numerator), share.denominator), rule.cap)
        cap = int_lit(fen(rule.cap)) if rule.cap is not None else NULL_INT
        known = _kind("up_to") if rule.up_to else _kind("exact")
        kind = pl.when(base.is_null()).then(_kind("formula")).otherwise(known)
        return AmountColumns(kind, value=NULL_INT if rule.up_to else value,
                     max=pl.when(base.is_null()).then(cap).otherwise(value if rule.up_to else NULL_INT),
                     missing={rule.of_field: base.is_null()})

    def tiers(self, rule: TiersAmount) -> AmountColumns:
        spec = catalog().fields[rule.field]
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
        return AmountColumns(pl.when(unknown).then(_kind("formula")).otherwise(_kind("exact")),
                     value=pl.when(unknown).then(NULL_INT).otherwise(value.cast(pl.Int64)),
                     max=pl.when(unknown).then(int_lit(top)).otherwise(NULL_INT), missing={rule.field: unknown})

    def grades(self, rule: GradesAmount) -> AmountColumns:
        grade = pl.col(rule.field).cast(pl.String)
        values = [fen(g.value) for g in rule.grades]
        value = NULL_INT
        for g in reversed(rule.grades):
            value = pl.when(grade == g.grade).then(fen(g.value)).otherwise(value)
        matched = value.is_not_null()
        return AmountColumns(pl.when(matched).then(_kind("exact")).otherwise(_kind("range")), value=value,
                     min=pl.when(matched).then(NULL_INT).otherwise(min(values)),
                     max=pl.when(matched).then(NULL_INT).otherwise(max(values)),
                     missing={rule.field: pl.col(rule.field).is_null()})

    def formula(self, rule: FormulaAmount) -> AmountColumns:
        constant, columns, missing = Fraction(100), [], {}
        static_missing = False
        for factor in rule.factors:
            if factor.number is not None:
                constant *= _number_fraction(factor.number)
            elif factor.parameter is not None:
                value = parameter_value(factor.parameter, self.parameters[factor.parameter], self.as_of, self.overrides)
                if value is None:
                    static_missing = True
                    missing[factor.parameter] = pl.lit(True)
                else:
                    constant *= _number_fraction(value)
            else:
                column, units = _factor_column(factor)
                constant /= units  # back to the value itself
                columns.append(column)
                missing[factor.field] = pl.col(factor.field).is_null()
        cap = int_lit(fen(rule.cap)) if rule.cap is not None else NULL_INT
        if static_missing:
            return AmountColumns(_kind("formula"), max=cap, missing=missing)
        product = reduce(lambda a, b: a * b, columns, _wide(constant.numerator))
        value = _cap(_round_half_up(product, constant.denominator), rule.cap)
        unknown = pl.any_horizontal([m for m in missing.values()]) if missing else pl.lit(False)
        return AmountColumns(pl.when(unknown).then(_kind("formula")).otherwise(_kind("exact")),
                     value=pl.when(unknown).then(NULL_INT).otherwise(value),
                     max=pl.when(unknown).then(cap).otherwise(NULL_INT), missing=missing)

    def not_stated(self, rule: NotStatedAmount) -> AmountColumns:
        return AmountColumns(_kind("not_stated"))

    def in_kind(self, rule: InKindAmount) -> AmountColumns:
        return AmountColumns(_kind("in_kind"))

    def parts(self, rule: PartsAmount) -> AmountColumns:
        parts = [compile_amount(p.amount, self.as_of, self.parameters, self.overrides, self.plan) for p in rule.parts]
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
        return AmountColumns(kind, value=pl.when(kind == "exact").then(low).otherwise(NULL_INT),
                     min=pl.when(kind == "range").then(low).otherwise(NULL_INT),
                     max=pl.when(kind.is_in(["up_to", "range"])).then(high).otherwise(NULL_INT), missing=missing)


def _factor_column(factor) -> tuple[pl.Expr, int]:
    """A formula's field factor as a WIDE column, and the units it counts in (the column holds value × units)."""
    spec = catalog().fields[factor.field]
    column, units = pl.col(factor.field).cast(WIDE), SCALE[spec.type]
    if factor.max is not None:
        top = scaled(spec, factor.max)  # in the column's units; a fraction of them (12.5 months) is
        if top.denominator != 1:       # reached by counting in finer units
            column, units = column * _wide(top.denominator), units * top.denominator
        limit = _wide(top.numerator)
        column = pl.when(column > limit).then(limit).otherwise(column)
    return column, units
