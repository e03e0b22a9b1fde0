"""Amounts as SQL: the visitor over the amount kinds (fixed, up to, range, per unit, percentage, tiers, grades,
formula, parts), money as integer fen and products in DECIMAL(38,0), capped and rounded as the evaluator."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import reduce

from sqlglot import exp

from ..batch.columnar import SCALE, fen, scaled
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
from .builders import (
    BIGINT,
    TEXT,
    WIDE,
    add,
    and_,
    big,
    case,
    cmp,
    coalesce,
    col,
    eq,
    intdiv,
    is_null,
    isin,
    mul,
    not_null,
    num,
    or_,
    sub,
    text,
    wide,
)
from .conditions import numeric_test
from .plan import Context

# ------------------------------------------------------------------------------------------- amounts


@dataclass
class SqlAmount:
    """An amount as SQL: its kind, and value / min / max in integer fen, and when each fact is missing."""

    kind: exp.Expression
    value: exp.Expression = field(default_factory=lambda: big(None))
    min: exp.Expression = field(default_factory=lambda: big(None))
    max: exp.Expression = field(default_factory=lambda: big(None))
    missing: dict[str, exp.Expression] = field(default_factory=dict)


def _cap(e: exp.Expression, cap: Decimal | None) -> exp.Expression:
    if cap is None:
        return e
    limit = fen(cap)
    return case((cmp(exp.GT, e, wide(limit)), wide(limit)), default=e)


def _round_half_up(numerator: exp.Expression, denominator: int) -> exp.Expression:
    """compile._round_half_up: halves away from zero; the divisions are of non-negative integers, where every
    dialect's integer division (truncating) is floor division."""
    n = exp.cast(numerator, WIDE)
    d, d2, zero, two = wide(denominator), wide(2 * denominator), wide(0), wide(2)
    return case((cmp(exp.LT, n, zero), sub(zero, intdiv(add(mul(sub(zero, n), two), d), d2))),
                default=intdiv(add(mul(n, two), d), d2))


def eq_kind(kind: exp.Expression, name: str) -> exp.Expression:
    return eq(kind, text(name))


def compile_amount(rule, ctx: Context) -> SqlAmount:
    money = _AMOUNTS.visit(rule, ctx)
    plan = ctx.plan
    kind = plan.add(money.kind)
    return SqlAmount(kind, plan.add(exp.cast(money.value, BIGINT)), plan.add(exp.cast(money.min, BIGINT)),
                 plan.add(exp.cast(money.max, BIGINT)), {n: plan.add(m) for n, m in money.missing.items()})


class _Amounts(AmountVisitor[SqlAmount]):
    """Each amount kind as SQL expressions: the kind, value, min and max in fen, and when each fact is missing."""

    def fixed(self, rule: FixedAmount, ctx: Context) -> SqlAmount:
        return SqlAmount(text("exact"), value=big(fen(rule.value)))

    def up_to(self, rule: UpToAmount | RangeAmount, ctx: Context) -> SqlAmount:
        null = big(None)
        low = fen(rule.min) if isinstance(rule, RangeAmount) else None
        high: exp.Expression = big(fen(rule.max))
        if rule.cumulative_cap is not None:
            received = col(rule.received_field)
            remaining = sub(big(fen(rule.cumulative_cap)), received)
            remaining = case((cmp(exp.LT, remaining, num(0)), big(0)), default=remaining)
            high = case((is_null(received), high), default=case((cmp(exp.LT, remaining, high), remaining), default=high))
        high = ctx.plan.add(high)
        zero = eq(high, num(0)) if rule.cumulative_cap is not None else exp.false()
        if low is None:
            kind = case((zero, text("exact")), default=text("up_to"))
        else:
            kind = case((zero, text("exact")), (cmp(exp.GTE, high, big(low)), text("range")), default=text("up_to"))
        kind = ctx.plan.add(kind)
        return SqlAmount(kind, value=case((zero, big(0)), default=null),
                     min=case((eq_kind(kind, "range"), big(low)), default=null),
                     max=case((zero, null), default=high))

    range = up_to

    def per_unit(self, rule: PerUnitAmount, ctx: Context) -> SqlAmount:
        null = big(None)
        units = col(rule.unit_field)
        wide_units = exp.cast(units, WIDE)
        cap = big(fen(rule.cap)) if rule.cap is not None else null
        missing = {rule.unit_field: is_null(units)}
        if rule.rate is not None:
            value = _cap(mul(wide_units, wide(fen(rule.rate))), rule.cap)
            kind = case((is_null(units), text("formula")), default=text("exact"))
            return SqlAmount(kind, value=value, max=case((is_null(units), cap), default=null), missing=missing)
        low = ctx.plan.add(exp.cast(_cap(mul(wide_units, wide(fen(rule.rate_min))), rule.cap), BIGINT))
        high = ctx.plan.add(exp.cast(_cap(mul(wide_units, wide(fen(rule.rate_max))), rule.cap), BIGINT))
        kind = ctx.plan.add(case((is_null(units), text("formula")), (eq(low, high), text("exact")), default=text("range")))
        return SqlAmount(kind, value=case((eq_kind(kind, "exact"), low), default=null),
                     min=case((eq_kind(kind, "range"), low), default=null),
                     max=case((eq_kind(kind, "range"), high), (eq_kind(kind, "formula"), cap), default=null),
                     missing=missing)

    def percentage(self, rule: PercentageAmount, ctx: Context) -> SqlAmount:
        cat = catalog()
        null = big(None)
        base = col(rule.of_field)
        share = Fraction(Decimal(str(rule.percent))) / SCALE[cat.fields[rule.of_field].type]
        value = ctx.plan.add(exp.cast(_cap(_round_half_up(mul(exp.cast(base, WIDE), wide(share.numerator)),
                                                          share.denominator), rule.cap), BIGINT))
        cap = big(fen(rule.cap)) if rule.cap is not None else null
        known = text("up_to") if rule.up_to else text("exact")
        kind = case((is_null(base), text("formula")), default=known)
        return SqlAmount(kind, value=null if rule.up_to else value,
                     max=case((is_null(base), cap), default=value if rule.up_to else null),
                     missing={rule.of_field: is_null(base)})

    def tiers(self, rule: TiersAmount, ctx: Context) -> SqlAmount:
        cat = catalog()
        null = big(None)
        spec = cat.fields[rule.field]
        measure = col(rule.field)
        if rule.cumulative:
            value = reduce(add, [case((numeric_test(measure, "gte", scaled(spec, t.at_least)), big(fen(t.value))),
                                      default=big(0)) for t in rule.tiers])
            top = sum(fen(t.value) for t in rule.tiers)
        else:
            value = big(0)
            for t in rule.tiers:  # ascending: the last threshold reached wins
                value = case((numeric_test(measure, "gte", scaled(spec, t.at_least)), big(fen(t.value))), default=value)
            top = fen(rule.tiers[-1].value)
        unknown = is_null(measure)
        return SqlAmount(case((unknown, text("formula")), default=text("exact")),
                     value=case((unknown, null), default=value),
                     max=case((unknown, big(top)), default=null), missing={rule.field: unknown})

    def grades(self, rule: GradesAmount, ctx: Context) -> SqlAmount:
        null = big(None)
        grade = exp.cast(col(rule.field), TEXT)
        values = [fen(g.value) for g in rule.grades]
        value: exp.Expression = null
        for g in reversed(rule.grades):
            value = case((eq(grade, text(str(g.grade))), big(fen(g.value))), default=value)
        value = ctx.plan.add(value)
        matched = not_null(value)
        return SqlAmount(case((matched, text("exact")), default=text("range")), value=value,
                     min=case((matched, null), default=big(min(values))),
                     max=case((matched, null), default=big(max(values))),
                     missing={rule.field: is_null(col(rule.field))})

    def formula(self, rule: FormulaAmount, ctx: Context) -> SqlAmount:
        cat = catalog()
        null = big(None)
        constant, columns, missing = Fraction(100), [], {}
        static_missing = False
        for factor in rule.factors:
            if factor.number is not None:
                constant *= Fraction(Decimal(str(factor.number)))
            elif factor.parameter is not None:
                value = parameter_value(factor.parameter, ctx.book.parameters[factor.parameter], ctx.as_of,
                                        ctx.overrides)
                if value is None:
                    static_missing = True
                    missing[factor.parameter] = exp.true()
                else:
                    constant *= Fraction(Decimal(str(value)))
            else:
                spec = cat.fields[factor.field]
                column, units = exp.cast(col(factor.field), WIDE), SCALE[spec.type]
                if factor.max is not None:
                    top = scaled(spec, factor.max)
                    if top.denominator != 1:
                        column, units = mul(column, wide(top.denominator)), units * top.denominator
                    limit = wide(top.numerator)
                    column = case((cmp(exp.GT, column, limit), limit), default=column)
                constant /= units
                columns.append(column)
                missing[factor.field] = is_null(col(factor.field))
        cap = big(fen(rule.cap)) if rule.cap is not None else null
        if static_missing:
            return SqlAmount(text("formula"), max=cap, missing=missing)
        product = reduce(mul, columns, wide(constant.numerator))
        value = _cap(_round_half_up(product, constant.denominator), rule.cap)
        unknown = or_(*missing.values()) if missing else exp.false()
        return SqlAmount(case((unknown, text("formula")), default=text("exact")),
                     value=case((unknown, null), default=value),
                     max=case((unknown, cap), default=null), missing=missing)

    def not_stated(self, rule: NotStatedAmount, ctx: Context) -> SqlAmount:
        return SqlAmount(text("not_stated"))

    def in_kind(self, rule: InKindAmount, ctx: Context) -> SqlAmount:
        return SqlAmount(text("in_kind"))

    def parts(self, rule: PartsAmount, ctx: Context) -> SqlAmount:
        null = big(None)
        parts = [compile_amount(p.amount, ctx) for p in rule.parts]
        lows, highs = [], []
        for p in parts:
            capped = and_(isin(p.kind, [text("up_to"), text("formula")]), not_null(p.max))
            lows.append(case((eq_kind(p.kind, "exact"), p.value), (eq_kind(p.kind, "range"), p.min),
                             (capped, big(0)), default=null))
            highs.append(case((eq_kind(p.kind, "exact"), p.value), (eq_kind(p.kind, "range"), p.max),
                              (capped, p.max), default=null))
        unbounded = or_(*[is_null(h) for h in highs])
        low = ctx.plan.add(reduce(add, [coalesce(x, big(0)) for x in lows]))
        high = ctx.plan.add(reduce(add, [coalesce(x, big(0)) for x in highs]))
        kind = ctx.plan.add(case((unbounded, text("formula")), (eq(low, high), text("exact")),
                                 (eq(low, num(0)), text("up_to")), default=text("range")))
        names = list(dict.fromkeys(n for p in parts for n in p.missing))
        missing = {n: and_(cmp(exp.NEQ, kind, text("exact")), or_(*[p.missing[n] for p in parts if n in p.missing]))
                   for n in names}
        return SqlAmount(kind, value=case((eq_kind(kind, "exact"), low), default=null),
                     min=case((eq_kind(kind, "range"), low), default=null),
                     max=case((isin(kind, [text("up_to"), text("range")]), high), default=null), missing=missing)


_AMOUNTS = _Amounts()


