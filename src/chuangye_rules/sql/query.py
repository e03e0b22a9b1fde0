"""Rulebooks as one SQL query: the SQL twin of batch/compile.py and batch/engine.py.

One dialect-neutral sqlglot expression tree is built from the rule model — a visitor over the same conditions
and amounts that compile.py turns into polars expressions — and sqlglot writes it in each dialect. Semantics:
unknown facts are NULL, and SQL's three-valued AND / OR / NOT is the evaluator's Kleene logic; money is integer
fen inside the query (BIGINT, products in DECIMAL(38,0)) and DECIMAL(38,2) yuan out; dates are shifted with
the calendar of dates.py (month ends clamp). tests/test_sql.py runs the DuckDB query against the polars engine.

The table (README, "SQL"): one row per applicant, a column per profile field — bool BOOLEAN, int BIGINT, money
DECIMAL(p,2) yuan, number DECIMAL(p,6), date DATE, text and one_of VARCHAR (codes), set_of VARCHAR "|code|code|",
`received` VARCHAR "|city.id|city.id=fen|" (the batch's own form). A rule the query cannot express exactly in a
dialect is refused (SqlError, in Chinese, naming the benefit), never written approximately.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import reduce
from typing import Any, Iterable

from sqlglot import exp

from ..base.dates import shift
from ..base.messages import Text, as_text
from ..batch.columnar import INT64_MAX, NUMBER_SCALE, SCALE, CompileError, fen, literal, scaled
from ..engine.amounts import parameter_value
from ..rules.catalog import FieldSpec, catalog
from ..rules.facts import fact_order, paid_once, pays_tiers_once
from ..rules.history import HISTORY
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
from ..rules.visit import AmountVisitor

DIALECTS = ("duckdb", "postgres", "spark", "hive", "mysql")
OPEN = ("eligible", "needs_info")
ALL_STATUSES = ("eligible", "needs_info", "not_eligible", "excluded", "already_received", "expired", "not_yet_in_force")
BIGINT = exp.DataType.build("BIGINT")
# products of columns are computed in 38 digits; written HUGEINT for DuckDB, whose DECIMAL division is DOUBLE
WIDE = exp.DataType.build("DECIMAL(38, 0)")
TEXT = exp.DataType.build("VARCHAR")
DATE = exp.DataType.build("DATE")
YUAN = exp.DataType.build("DECIMAL(38, 2)")
TABLE_TYPES = {"text": "VARCHAR", "one_of": "VARCHAR", "set_of": "VARCHAR", "bool": "BOOLEAN", "int": "BIGINT",
               "money": "DECIMAL(20, 2)", "number": "DECIMAL(24, 6)", "date": "DATE"}
ROW = "_row"


class SqlError(ValueError):
    """A rule the query cannot express exactly in the chosen dialect, or a request it cannot serve: `text` in
    Chinese and English (str() is the Chinese, as the CLI prints by default)."""

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(text.zh)


# ------------------------------------------------------------------------------------------- small builders


def col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def num(n: int) -> exp.Expression:
    return exp.Literal.number(n) if n >= 0 else exp.Neg(this=exp.Literal.number(-n))


def big(n: int | None) -> exp.Expression:
    return exp.cast(exp.null(), BIGINT) if n is None else exp.cast(num(n), BIGINT)


def wide(n: int) -> exp.Expression:
    return exp.cast(num(n), WIDE)


def text(s: str | None) -> exp.Expression:
    return exp.cast(exp.null(), TEXT) if s is None else exp.Literal.string(s)


def date_lit(d: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(d.isoformat()), DATE)


NULL_BOOL = exp.cast(exp.null(), "BOOLEAN")


def case(*branches: tuple[exp.Expression, exp.Expression], default: exp.Expression | None = None) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in branches], default=default)


ATOMS = (exp.Column, exp.Literal, exp.Cast, exp.Case, exp.Func, exp.Paren, exp.Null, exp.Boolean, exp.Subquery)


def p(e: exp.Expression, copy: bool = False) -> exp.Expression:
    """`e` in parentheses when it is an operation (the tree is written with exactly the grouping built)."""
    e = e.copy() if copy else e
    # (sqlglot's AND / OR are also functions: only a node that is no operation at all is left bare)
    operation = isinstance(e, (exp.Binary, exp.Unary, exp.Connector, exp.Predicate, exp.Not, exp.Neg))
    return e if isinstance(e, ATOMS) and not operation else exp.Paren(this=e)


def and_(*items: exp.Expression) -> exp.Expression:
    return reduce(lambda a, b: exp.And(this=p(a), expression=p(b)), items)


def or_(*items: exp.Expression) -> exp.Expression:
    return reduce(lambda a, b: exp.Or(this=p(a), expression=p(b)), items)


def not_(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=p(e))


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=p(e, copy=True), expression=exp.null())


def not_null(e: exp.Expression) -> exp.Expression:
    return not_(is_null(e))


def cmp(kind: type, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return kind(this=p(a, copy=True), expression=p(b, copy=True))


def eq(a, b):
    return cmp(exp.EQ, a, b)


def isin(e: exp.Expression, values: list[exp.Expression]) -> exp.Expression:
    if not values:
        return exp.false()
    return exp.In(this=p(e, copy=True), expressions=values)


def arith(kind: type, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Paren(this=kind(this=p(a, copy=True), expression=p(b, copy=True)))


def add(a, b):
    return arith(exp.Add, a, b)


def sub(a, b):
    return arith(exp.Sub, a, b)


def mul(a, b):
    return arith(exp.Mul, a, b)


def intdiv(a, b):
    return arith(exp.IntDiv, a, b)


def contains(column: exp.Expression, token: str) -> exp.Expression:
    """`token` occurs in the text (a plain search: no LIKE, whose _ would match any character)."""
    return cmp(exp.GT, exp.StrPosition(this=column.copy(), substr=exp.Literal.string(token)), num(0))


# ------------------------------------------------------------------------------------------- the plan


class Plan:
    """Named intermediate columns in dependency levels, as compile.Plan: each level is one CTE adding its
    columns, so a condition node or amount part is computed once and referenced by name."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.exprs: dict[str, exp.Expression] = {}
        self.level: dict[str, int] = {}
        self.keys: dict[Any, str] = {}

    def add(self, expr: exp.Expression, key: Any = None) -> exp.Column:
        if key is not None and key in self.keys:
            return col(self.keys[key])
        if isinstance(expr, exp.Column) or not any(True for _ in expr.find_all(exp.Column)):
            return expr  # a column or a constant: nothing to compute once
        name = f"{self.prefix}{len(self.exprs)}"
        deps = [c.name for c in expr.find_all(exp.Column) if c.name in self.level]
        self.level[name] = 1 + max((self.level[d] for d in deps), default=0)
        self.exprs[name] = expr
        if key is not None:
            self.keys[key] = name
        return col(name)

    def stages(self) -> list[list[tuple[str, exp.Expression]]]:
        levels: dict[int, list] = {}
        for name, e in self.exprs.items():
            levels.setdefault(self.level[name], []).append((name, e))
        return [levels[k] for k in sorted(levels)]


@dataclass
class Context:
    book: Rulebook
    as_of: dt.date
    overrides: dict[str, Decimal]
    dialect: str
    plan: Plan
    benefit: Benefit | None = None

    def refuse(self, why: "Text | str") -> SqlError:
        b = self.benefit
        why = as_text(why)
        where = f"{self.book.city.slug}.{b.id}（{b.name}）" if b is not None else self.book.city.slug
        where_en = f"{self.book.city.slug}.{b.id}" if b is not None else self.book.city.slug
        return SqlError(Text(f"无法把待遇 {where} 准确写成 {self.dialect} 查询：{why.zh}",
                             f"cannot write benefit {where_en} exactly as a {self.dialect} query: {why.en}"))


# ------------------------------------------------------------------------------------------- conditions


@dataclass
class Truth:
    result: exp.Expression
    missing: dict[str, exp.Expression] = field(default_factory=dict)


def _clamped(n: int) -> exp.Expression:
    return big(max(-INT64_MAX, min(INT64_MAX, n)))


def numeric_test(column: exp.Expression, op: str, q: Fraction) -> exp.Expression:
    """compile.numeric_test: an integer column compared exactly with a rational bound."""
    floor = q.numerator // q.denominator
    ceil = -((-q.numerator) // q.denominator)
    exact = q.denominator == 1
    if op == "eq":
        return eq(column, _clamped(floor)) if exact else exp.false()
    if op == "ne":
        return cmp(exp.NEQ, column, _clamped(floor)) if exact else exp.true()
    return {"gt": lambda: cmp(exp.GT, column, _clamped(floor)), "gte": lambda: cmp(exp.GTE, column, _clamped(ceil)),
            "lt": lambda: cmp(exp.LT, column, _clamped(ceil)), "lte": lambda: cmp(exp.LTE, column, _clamped(floor))}[op]()


def value_lit(spec: FieldSpec, value: Any) -> exp.Expression:
    if spec.type == "date":
        return date_lit(value)
    if spec.type == "bool":
        return exp.true() if value else exp.false()
    if spec.type in SCALE:
        return big(literal(spec, value))
    return text(str(value))


def _has(column: exp.Expression, codes: list[str], every: bool) -> exp.Expression:
    if not codes:
        return exp.true() if every else exp.false()
    tests = [contains(column, f"|{code}|") for code in codes]
    return and_(*tests) if every else or_(*tests)


def shifted(ctx: Context, column: exp.Expression, years: int, months: int, days: int) -> exp.Expression:
    """compile._shift_expr: whole months first (the month's end clamps, as dates.add_months), then days."""
    total = years * 12 + months
    out = column.copy()
    if total and ctx.dialect == "hive":
        out = hive_add_months(out, total)
    elif total:
        out = exp.cast(exp.DateAdd(this=out, expression=num(total), unit=exp.var("MONTH")), DATE)
    if days:
        out = exp.cast(exp.DateAdd(this=out, expression=num(days), unit=exp.var("DAY")), DATE)
    return out


def hive_add_months(column: exp.Expression, months: int) -> exp.Expression:
    """dates.add_months in Hive: Hive's ADD_MONTHS gives the target month's last day when the date is its own
    month's last day (2024-02-29 + 1 month = 2024-03-31, where dates.py gives 2024-03-29); otherwise it clamps
    as dates.py does. So its result is moved back by the days it overshoots the date's own day of the month:
    m − max(day(m) − day(d), 0). (Spark 3+ and MySQL clamp like dates.py and need no correction.)"""
    moved = exp.cast(exp.Anonymous(this="ADD_MONTHS", expressions=[column.copy(), num(months)]), DATE)
    over = exp.func("GREATEST", sub(exp.Day(this=moved.copy()), exp.Day(this=column.copy())), num(0))
    return exp.cast(exp.DateSub(this=moved, expression=over, unit=exp.var("DAY")), DATE)


def compile_condition(node, ctx: Context) -> Truth:
    plan = ctx.plan
    if isinstance(node, Compare):
        return _compare(node, ctx)
    if isinstance(node, NotOf):
        child = compile_condition(node.not_, ctx)
        return Truth(plan.add(not_(child.result)), child.missing)
    is_all = isinstance(node, AllOf)
    children = [compile_condition(c, ctx) for c in (node.all if is_all else node.any)]
    result = plan.add((and_ if is_all else or_)(*[c.result for c in children]))
    names = list(dict.fromkeys(n for c in children for n in c.missing))
    missing = {name: plan.add(and_(is_null(result), or_(*[c.missing[name] for c in children if name in c.missing])))
               for name in names}
    return Truth(result, missing)


def _compare(node: Compare, ctx: Context) -> Truth:
    spec = catalog().fields[node.field]
    column = col(node.field)
    op, operand, as_of = node.op, node.operand, ctx.as_of
    missing: dict[str, exp.Expression] = {node.field: is_null(column)}
    kinds = {"eq": exp.EQ, "ne": exp.NEQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE}
    if op in kinds and spec.type in SCALE:
        test = numeric_test(column, op, scaled(spec, operand))
    elif op in kinds:
        test = cmp(kinds[op], column, value_lit(spec, operand))
    elif op in ("in", "not_in"):
        values = [literal(spec, v) for v in operand]
        if spec.type in SCALE:
            values = [v for v in values if v is not None]
        test = isin(column, [value_lit(spec, v) if spec.type not in SCALE else big(v) for v in values])
        test = not_(test) if op == "not_in" else test
    elif op == "contains":
        test = _has(column, [operand], every=True)
    elif op in ("contains_any", "contains_all"):
        test = _has(column, list(operand), every=op == "contains_all")
    elif op == "within_last":
        start = shift(as_of, operand.years, operand.months, operand.days, sign=-1)
        test = and_(cmp(exp.GTE, column, date_lit(start)), cmp(exp.LTE, column, date_lit(as_of)))
    elif op == "at_least_ago":
        test = cmp(exp.LTE, column, date_lit(shift(as_of, operand.years, operand.months, operand.days, sign=-1)))
    elif op == "same_year_as_evaluation":
        test = eq(exp.Year(this=column.copy()), num(as_of.year))
    elif op == "within_after":
        other = col(operand.field)
        test = and_(cmp(exp.GTE, column, other),
                    cmp(exp.LTE, column, shifted(ctx, other, operand.years, operand.months, operand.days)))
        missing[operand.field] = and_(not_null(column), is_null(other))
    elif op == "no_later_than":
        other = col(operand.field)
        test = cmp(exp.LTE, column, shifted(ctx, other, operand.years, operand.months, operand.days))
        missing[operand.field] = and_(not_null(column), is_null(other))
    elif op == "same_year_as":
        other = col(operand)
        test = eq(exp.Year(this=column.copy()), exp.Year(this=other))
        missing[operand] = and_(not_null(column), is_null(other))
    else:  # pragma: no cover - the schema admits no other operator
        raise ctx.refuse(Text(f"运算符 {op}", f"the operator {op}"))
    key = ("compare", node.field, op, repr(operand))
    return Truth(ctx.plan.add(case((is_null(column), NULL_BOOL), default=test), key=key), missing)


# ------------------------------------------------------------------------------------------- amounts


@dataclass
class Money:
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


def compile_amount(rule, ctx: Context) -> Money:
    money = _AMOUNTS.visit(rule, ctx)
    plan = ctx.plan
    kind = plan.add(money.kind)
    return Money(kind, plan.add(exp.cast(money.value, BIGINT)), plan.add(exp.cast(money.min, BIGINT)),
                 plan.add(exp.cast(money.max, BIGINT)), {n: plan.add(m) for n, m in money.missing.items()})


class _Amounts(AmountVisitor[Money]):
    """Each amount kind as SQL expressions: the kind, value, min and max in fen, and when each fact is missing."""

    def fixed(self, rule: FixedAmount, ctx: Context) -> Money:
        return Money(text("exact"), value=big(fen(rule.value)))

    def up_to(self, rule: UpToAmount | RangeAmount, ctx: Context) -> Money:
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
        return Money(kind, value=case((zero, big(0)), default=null),
                     min=case((eq_kind(kind, "range"), big(low)), default=null),
                     max=case((zero, null), default=high))

    range = up_to

    def per_unit(self, rule: PerUnitAmount, ctx: Context) -> Money:
        null = big(None)
        units = col(rule.unit_field)
        wide_units = exp.cast(units, WIDE)
        cap = big(fen(rule.cap)) if rule.cap is not None else null
        missing = {rule.unit_field: is_null(units)}
        if rule.rate is not None:
            value = _cap(mul(wide_units, wide(fen(rule.rate))), rule.cap)
            kind = case((is_null(units), text("formula")), default=text("exact"))
            return Money(kind, value=value, max=case((is_null(units), cap), default=null), missing=missing)
        low = ctx.plan.add(exp.cast(_cap(mul(wide_units, wide(fen(rule.rate_min))), rule.cap), BIGINT))
        high = ctx.plan.add(exp.cast(_cap(mul(wide_units, wide(fen(rule.rate_max))), rule.cap), BIGINT))
        kind = ctx.plan.add(case((is_null(units), text("formula")), (eq(low, high), text("exact")), default=text("range")))
        return Money(kind, value=case((eq_kind(kind, "exact"), low), default=null),
                     min=case((eq_kind(kind, "range"), low), default=null),
                     max=case((eq_kind(kind, "range"), high), (eq_kind(kind, "formula"), cap), default=null),
                     missing=missing)

    def percentage(self, rule: PercentageAmount, ctx: Context) -> Money:
        cat = catalog()
        null = big(None)
        base = col(rule.of_field)
        share = Fraction(Decimal(str(rule.percent))) / SCALE[cat.fields[rule.of_field].type]
        value = ctx.plan.add(exp.cast(_cap(_round_half_up(mul(exp.cast(base, WIDE), wide(share.numerator)),
                                                          share.denominator), rule.cap), BIGINT))
        cap = big(fen(rule.cap)) if rule.cap is not None else null
        known = text("up_to") if rule.up_to else text("exact")
        kind = case((is_null(base), text("formula")), default=known)
        return Money(kind, value=null if rule.up_to else value,
                     max=case((is_null(base), cap), default=value if rule.up_to else null),
                     missing={rule.of_field: is_null(base)})

    def tiers(self, rule: TiersAmount, ctx: Context) -> Money:
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
        return Money(case((unknown, text("formula")), default=text("exact")),
                     value=case((unknown, null), default=value),
                     max=case((unknown, big(top)), default=null), missing={rule.field: unknown})

    def grades(self, rule: GradesAmount, ctx: Context) -> Money:
        null = big(None)
        grade = exp.cast(col(rule.field), TEXT)
        values = [fen(g.value) for g in rule.grades]
        value: exp.Expression = null
        for g in reversed(rule.grades):
            value = case((eq(grade, text(str(g.grade))), big(fen(g.value))), default=value)
        value = ctx.plan.add(value)
        matched = not_null(value)
        return Money(case((matched, text("exact")), default=text("range")), value=value,
                     min=case((matched, null), default=big(min(values))),
                     max=case((matched, null), default=big(max(values))),
                     missing={rule.field: is_null(col(rule.field))})

    def formula(self, rule: FormulaAmount, ctx: Context) -> Money:
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
            return Money(text("formula"), max=cap, missing=missing)
        product = reduce(mul, columns, wide(constant.numerator))
        value = _cap(_round_half_up(product, constant.denominator), rule.cap)
        unknown = or_(*missing.values()) if missing else exp.false()
        return Money(case((unknown, text("formula")), default=text("exact")),
                     value=case((unknown, null), default=value),
                     max=case((unknown, cap), default=null), missing=missing)

    def not_stated(self, rule: NotStatedAmount, ctx: Context) -> Money:
        return Money(text("not_stated"))

    def in_kind(self, rule: InKindAmount, ctx: Context) -> Money:
        return Money(text("in_kind"))

    def parts(self, rule: PartsAmount, ctx: Context) -> Money:
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
        low = ctx.plan.add(reduce(add, [exp.func("COALESCE", x, big(0)) for x in lows]))
        high = ctx.plan.add(reduce(add, [exp.func("COALESCE", x, big(0)) for x in highs]))
        kind = ctx.plan.add(case((unbounded, text("formula")), (eq(low, high), text("exact")),
                                 (eq(low, num(0)), text("up_to")), default=text("range")))
        names = list(dict.fromkeys(n for p in parts for n in p.missing))
        missing = {n: and_(cmp(exp.NEQ, kind, text("exact")), or_(*[p.missing[n] for p in parts if n in p.missing]))
                   for n in names}
        return Money(kind, value=case((eq_kind(kind, "exact"), low), default=null),
                     min=case((eq_kind(kind, "range"), low), default=null),
                     max=case((isin(kind, [text("up_to"), text("range")]), high), default=null), missing=missing)


_AMOUNTS = _Amounts()


# ------------------------------------------------------------------------------------------- benefits


@dataclass
class BenefitColumns:
    benefit: Benefit
    status: exp.Expression
    kind: exp.Expression
    value: exp.Expression
    min: exp.Expression
    max: exp.Expression
    missing: exp.Expression  # text: field ids joined by ';' in fact_order, NULL for none


def received_flag(book: Rulebook, benefit_id: str) -> exp.Expression:
    """compile.received: whether the history names this benefit (false where the history is empty)."""
    h = col(HISTORY)
    key = f"|{book.city.slug}.{benefit_id}"
    return exp.func("COALESCE", or_(contains(h, key + "|"), contains(h, key + "=")), exp.false())


def _paid(ctx: Context, benefit_id: str) -> tuple[exp.Expression, exp.Expression]:
    """(fen the history says were paid for this benefit, whether some entry for it gives no amount): the
    history's entries split at | and the amounts of this benefit's entries summed."""
    if ctx.dialect not in ("duckdb", "postgres", "spark"):
        raise ctx.refuse(Text("一次性累计档位奖励需要把“已享受待遇”中该待遇各项已发放金额相加，"
                              "这一写法目前只支持 duckdb、postgres 和 spark",
                              "a one-off reward in cumulative tiers adds up the amounts already paid for it (in "
                              "received); only duckdb, postgres and spark are written that way so far"))
    prefix = f"{ctx.book.city.slug}.{benefit_id}="
    unstated = exp.func("COALESCE", contains(col(HISTORY), f"|{ctx.book.city.slug}.{benefit_id}|"), exp.false())
    if ctx.dialect == "spark":
        return spark_paid(prefix), unstated
    token = exp.column("tok", table="t")
    amounts = exp.select(exp.func("COALESCE", exp.Sum(this=exp.cast(
        exp.Substring(this=token, start=num(len(prefix) + 1)), BIGINT)), big(0))).from_(
        exp.Unnest(expressions=[exp.Split(this=col(HISTORY), expression=exp.Literal.string("|"))],
                   alias=exp.TableAlias(this=exp.to_identifier("t"), columns=[exp.to_identifier("tok")]))
    ).where(exp.StartsWith(this=token.copy(), expression=exp.Literal.string(prefix)))
    paid = exp.func("COALESCE", exp.Subquery(this=amounts), big(0))
    return paid, unstated


def spark_paid(prefix: str) -> exp.Expression:
    """_paid's sum in Spark SQL, which has no correlated UNNEST: the history split at | (SPLIT takes a regular
    expression, hence [|]), the entries starting with `prefix` kept by FILTER and their amounts added up by
    AGGREGATE (higher-order functions, Spark 2.4+), 0 where the history is NULL or names no amount."""
    token, acc = exp.to_identifier("tok"), exp.to_identifier("acc")
    entries = exp.Anonymous(this="FILTER", expressions=[
        exp.Anonymous(this="SPLIT", expressions=[col(HISTORY), exp.Literal.string("[|]")]),
        exp.Lambda(this=exp.StartsWith(this=exp.column(token), expression=exp.Literal.string(prefix)),
                   expressions=[token.copy()])])
    amount = exp.cast(exp.Substring(this=exp.column(token), start=num(len(prefix) + 1)), BIGINT)
    total = exp.Anonymous(this="AGGREGATE", expressions=[
        entries, big(0), exp.Lambda(this=exp.Add(this=exp.column(acc), expression=amount), expressions=[acc.copy(), token.copy()])])
    return exp.func("COALESCE", total, big(0))


def _history(ctx: Context, benefit: Benefit, status, money: Money, missing: dict) -> tuple[exp.Expression, Money]:
    plan = ctx.plan
    got = plan.add(received_flag(ctx.book, benefit.id))
    if not pays_tiers_once(benefit):
        return plan.add(case((got, text("already_received")), default=status)), money
    paid, unstated = (plan.add(e) for e in _paid(ctx, benefit.id))
    eligible = and_(got, eq(status, text("eligible")))
    exact = eq_kind(money.kind, "exact")
    due = sub(money.value, paid)
    new_status = plan.add(case(
        (and_(got, eq(status, text("not_eligible"))), text("already_received")),
        (and_(eligible, unstated), text("needs_info")),
        (and_(eligible, exact, cmp(exp.LTE, due, num(0))), text("already_received")),
        default=status))
    missing[HISTORY] = and_(eligible, unstated)
    reduced = and_(not_(unstated), eq(new_status, text("eligible")), got)
    value = plan.add(case((and_(reduced, exact), due), default=money.value))
    top = sub(money.max, paid)
    high = plan.add(case((and_(reduced, not_(exact), not_null(money.max)),
                          case((cmp(exp.LT, top, num(0)), big(0)), default=top)), default=money.max))
    return new_status, Money(money.kind, value, money.min, high, money.missing)


def compile_benefit(ctx: Context, benefit: Benefit) -> BenefitColumns:
    plan, book, as_of = ctx.plan, ctx.book, ctx.as_of
    ctx.benefit = benefit
    kind = col("kind")
    kind_ok = plan.add(case((is_null(kind), NULL_BOOL), default=isin(kind, [text(k) for k in benefit.applicant_kinds])),
                       key=("kind", tuple(benefit.applicant_kinds)))
    missing: dict[str, exp.Expression] = {"kind": is_null(kind)}
    verdict = kind_ok
    if benefit.conditions is not None:
        truth = compile_condition(benefit.conditions, ctx)
        verdict = plan.add(and_(kind_ok, truth.result))
        for name, e in truth.missing.items():
            missing[name] = or_(missing[name], e) if name in missing else e
    money = compile_amount(benefit.amount, ctx)
    start = benefit.valid_from or book.document.in_force_from
    end = benefit.valid_to or book.document.in_force_to
    in_force = as_of >= start and (end is None or as_of <= end)
    if as_of < start:
        status = plan.add(text("not_yet_in_force"))
    elif end is not None and as_of > end:
        status = plan.add(text("expired"))
    else:
        zero = and_(eq_kind(money.kind, "exact"), eq(money.value, num(0)))
        status = plan.add(case((is_null(verdict), text("needs_info")), (not_(verdict), text("not_eligible")),
                               (zero, text("not_eligible")), default=text("eligible")))
    if paid_once(benefit) and in_force:
        status, money = _history(ctx, benefit, status, money, missing)
    needs = eq(status, text("needs_info"))
    open_ = isin(status, [text(s) for s in OPEN])
    pieces = []
    for name in fact_order(benefit):
        shown = or_(and_(needs, missing.get(name, exp.false())), and_(open_, money.missing.get(name, exp.false())))
        pieces.append(case((shown, text(";" + name)), default=text("")))
    if pieces:
        joined = reduce(lambda a, b: exp.DPipe(this=a, expression=b, safe=True), pieces)
        shown_text = exp.func("NULLIF", exp.Substring(this=joined, start=num(2)), text(""))
    else:
        shown_text = text(None)
    ctx.benefit = None
    return BenefitColumns(benefit, status, money.kind, money.value, money.min, money.max, shown_text)


def exclusion_pairs(book: Rulebook) -> list[tuple[str, str]]:
    """compile.CompiledRulebook.exclusion_pairs: in the order evaluation.apply_exclusions applies them."""
    order = {b.id: i for i, b in enumerate(book.benefits)}
    pairs = {tuple(sorted((b.id, o), key=order.get)) for b in book.benefits for o in b.exclusive_with}
    return sorted(pairs, key=lambda p: (order[p[0]], order[p[1]]))


# ------------------------------------------------------------------------------------------- the query


def _star(table: str) -> exp.Column:
    return exp.Column(this=exp.Star(), table=exp.to_identifier(table))


def _input_column(name: str, spec: FieldSpec | None, source: dict[str, str] | None) -> exp.Expression:
    """A table column as the query computes with it: money in fen, numbers × 10^6 (compile.SCALE); an absent
    one is NULL (an unknown fact). `source`: the table's column for each field, when the columns are known."""
    if source is not None and name not in source:
        kind = BIGINT if spec is not None and spec.type in SCALE else exp.DataType.build(
            TABLE_TYPES[spec.type] if spec is not None else "VARCHAR")
        return exp.cast(exp.null(), kind)
    c = col(source[name] if source is not None else name)
    if spec is not None and spec.type == "money":
        return exp.cast(mul(c, num(100)), BIGINT)
    if spec is not None and spec.type == "number":
        return exp.cast(mul(c, num(NUMBER_SCALE)), BIGINT)
    if spec is not None and spec.type == "int":
        return exp.cast(c, BIGINT)
    return c


@dataclass
class _Chain:
    """The CTEs of one city, each selecting from the one before."""
    ctes: list[tuple[str, exp.Expression]]
    prefix: str
    previous: str = ""

    def add(self, name: str, select: exp.Expression) -> None:
        self.ctes.append((self.prefix + name, select))
        self.previous = self.prefix + name


def _city_query(book: Rulebook, index: int, as_of: dt.date, overrides: dict[str, Decimal], dialect: str,
                statuses: tuple[str, ...], ctes: list[tuple[str, exp.Expression]],
                summary: bool = False) -> list[exp.Select]:
    """The CTEs evaluating one rulebook (appended to `ctes`) and its long rows, one SELECT per benefit."""
    chain = _Chain(ctes, f"c{index}_")
    ctx = Context(book, as_of, overrides, dialect, Plan(chain.prefix + "p"))
    try:
        benefits = [compile_benefit(ctx, b) for b in book.benefits]
    except CompileError as error:
        raise ctx.refuse(str(error)) from None
    ctx.benefit = None
    cities = {book.city.slug, book.city.zh, book.city.zh + "市", book.city.en, book.city.en.lower()}
    chain.add("in", exp.select(_star("chuangye_input")).from_("chuangye_input").where(
        or_(is_null(col("city")), isin(col("city"), [text(c) for c in sorted(cities)]))))
    for k, stage in enumerate(ctx.plan.stages()):
        chain.add(f"l{k}", exp.select(_star(chain.previous), *(exp.alias_(e, n, quoted=True) for n, e in stage))
                  .from_(chain.previous, copy=False))
    _exclusions(book, benefits, chain)
    if summary:
        return [_summary(book, benefits, chain.previous, _yuan)]
    chain.add("long", _long_rows(book, benefits, chain.previous))
    return [exp.select("*").from_(chain.previous).where(isin(col("status"), [text(s) for s in statuses]), copy=False)]


def _exclusions(book: Rulebook, benefits: list[BenefitColumns], chain: _Chain) -> None:
    """The wide result — per benefit i: s{i} status, k kind, v value, lo min, hi max, m missing, x excluded_by —
    then one step per exclusion, in the batch's order."""
    pairs = exclusion_pairs(book)
    named = list(dict.fromkeys(i for pair in pairs for i in pair))
    ids = {b.benefit.id: i for i, b in enumerate(benefits)}
    cols: dict[str, exp.Expression] = {ROW: col(ROW), "applicant_id": col("applicant_id")}
    for i, b in enumerate(benefits):
        cols.update({f"s{i}": b.status, f"k{i}": b.kind, f"v{i}": b.value, f"lo{i}": b.min, f"hi{i}": b.max,
                     f"m{i}": b.missing, f"x{i}": text(None)})
    # which benefits of a pair the history names, as engine._query: only one given once excludes its partner
    # (facts.excluding_history)
    once = {b.id for b in book.benefits if b.period.value == "once"}
    for bid in named:
        cols[f"r{ids[bid]}"] = received_flag(book, bid) if bid in once else exp.false()

    def step(changes: dict[str, exp.Expression]) -> None:
        select = [exp.alias_(changes.get(n, col(n)), n, quoted=True) for n in cols]
        chain.add(f"x{len(chain.ctes)}", exp.select(*select).from_(chain.previous, copy=False))

    chain.add("wide", exp.select(*(exp.alias_(e, n, quoted=True) for n, e in cols.items()))
              .from_(chain.previous, copy=False))
    for first, second in pairs:
        a, b = ids[first], ids[second]
        for got, mine, other, i in ((f"r{b}", f"r{a}", second, a), (f"r{a}", f"r{b}", first, b)):
            hit = and_(col(got), not_(col(mine)), isin(col(f"s{i}"), [text(s) for s in OPEN]))
            step({f"s{i}": case((hit, text("excluded")), default=col(f"s{i}")),
                  f"x{i}": case((hit, text(other)), default=col(f"x{i}")),
                  f"m{i}": case((hit, text(None)), default=col(f"m{i}"))})
        both = and_(eq(col(f"s{a}"), text("eligible")), eq(col(f"s{b}"), text("eligible")))
        keep_first = cmp(exp.GTE, _value_of(a), _value_of(b))
        step({f"s{a}": case((and_(both, not_(keep_first)), text("excluded")), default=col(f"s{a}")),
              f"s{b}": case((and_(both, keep_first), text("excluded")), default=col(f"s{b}")),
              f"x{a}": case((and_(both, not_(keep_first)), text(second)), default=col(f"x{a}")),
              f"x{b}": case((and_(both, keep_first), text(first)), default=col(f"x{b}"))})


def _value_of(i: int) -> exp.Expression:
    """evaluation.value_of: an amount's exact value, else its maximum, else -1."""
    return exp.func("COALESCE", case((eq(col(f"k{i}"), text("exact")), col(f"v{i}")), default=col(f"hi{i}")), big(-1))


def _yuan(e: exp.Expression) -> exp.Expression:
    return exp.cast(mul(exp.cast(e, "DECIMAL(20, 0)"), exp.cast(exp.Literal.number("0.01"), "DECIMAL(3, 2)")), YUAN)


def _long_rows(book: Rulebook, benefits: list[BenefitColumns], wide: str) -> exp.Select:
    """The long rows: the wide rows crossed with the benefits' numbers (one pass over the evaluation, where a
    UNION ALL of one SELECT per benefit would make engines that inline CTEs evaluate it once per benefit)."""
    which = exp.column("b", table="benefits")

    def pick(column: str) -> exp.Expression:
        return case(*((eq(which, num(i)), col(f"{column}{i}")) for i in range(len(benefits))))

    def pick_text(values: list[str]) -> exp.Expression:
        return case(*((eq(which, num(i)), text(v)) for i, v in enumerate(values)))

    numbers = exp.Values(expressions=[exp.Tuple(expressions=[num(i)]) for i in range(len(benefits))],
                         alias=exp.TableAlias(this=exp.to_identifier("benefits"), columns=[exp.to_identifier("b")]))
    return exp.select(
        exp.alias_(col(ROW), "row", quoted=True), exp.alias_(col("applicant_id"), "applicant_id", quoted=True),
        exp.alias_(text(book.city.slug), "city", quoted=True),
        exp.alias_(pick_text([b.benefit.id for b in benefits]), "benefit_id", quoted=True),
        exp.alias_(pick("s"), "status", quoted=True), exp.alias_(pick("k"), "amount_kind", quoted=True),
        exp.alias_(_yuan(pick("v")), "amount_value", quoted=True), exp.alias_(_yuan(pick("lo")), "amount_min", quoted=True),
        exp.alias_(_yuan(pick("hi")), "amount_max", quoted=True),
        exp.alias_(pick("m"), "missing_facts", quoted=True), exp.alias_(pick("x"), "excluded_by", quoted=True),
    ).from_(wide, copy=False).join(numbers, join_type="CROSS", copy=False)


def _summary(book: Rulebook, benefits: list[BenefitColumns], wide: str, yuan) -> exp.Select:
    """engine._totals_exprs: per applicant, counts by status and the exact / up-to totals of cash benefits."""
    cash = {b.id for b in book.benefits if b.category in CASH_CATEGORIES}
    eligible, needs, exact, up_to, open_ = [], [], [], [], []
    for i, b in enumerate(benefits):
        ok = eq(col(f"s{i}"), text("eligible"))
        eligible.append(case((ok, num(1)), default=num(0)))
        needs.append(case((eq(col(f"s{i}"), text("needs_info")), num(1)), default=num(0)))
        if b.benefit.id not in cash:
            continue
        kind = col(f"k{i}")
        upper = case((eq(kind, text("exact")), col(f"v{i}")), default=col(f"hi{i}"))
        exact.append(case((and_(ok, eq(kind, text("exact"))), col(f"v{i}")), default=big(0)))
        up_to.append(exp.func("COALESCE", case((ok, upper), default=big(0)), big(0)))
        open_.append(case((and_(ok, or_(isin(kind, [text("not_stated"), text("formula")]), is_null(upper))), num(1)),
                          default=num(0)))

    def total(items, kind):
        return exp.cast(reduce(add, items) if items else num(0), kind)

    return exp.select(
        exp.alias_(col(ROW), "row", quoted=True), exp.alias_(col("applicant_id"), "applicant_id", quoted=True),
        exp.alias_(text(book.city.slug), "city", quoted=True),
        exp.alias_(total(eligible, "INT"), "eligible", quoted=True),
        exp.alias_(total(needs, "INT"), "needs_info", quoted=True),
        exp.alias_(yuan(total(exact, BIGINT)), "exact_total", quoted=True),
        exp.alias_(yuan(total(up_to, BIGINT)), "up_to_total", quoted=True),
        exp.alias_(total(open_, "INT"), "unquantified", quoted=True),
    ).from_(wide)


def table_columns(columns: Iterable[str]) -> dict[str, str]:
    """The table's column for each profile field: the English name, or a Chinese header or other name the batch
    accepts (`chuangye batch --show-columns`); columns that name no field are not read."""
    cat, source = catalog(), {}
    for column in columns:
        field = cat.resolve(column) if column != "row" else None
        if field is None:
            continue
        if field in source:
            raise SqlError(Text(f"列“{column}”与“{source[field]}”都对应字段 {field}：请在 --columns 中只保留一个",
                                f"the columns “{column}” and “{source[field]}” both mean the field {field}: "
                                "keep one of them in --columns"))
        source[field] = column
    return source


def rulebooks_query(books: Iterable[Rulebook], as_of: dt.date, dialect: str = "duckdb", table: str = "applicants",
                    columns: Iterable[str] | None = None, overrides: dict[str, Decimal] | None = None,
                    statuses: tuple[str, ...] = OPEN, summary: bool = False) -> exp.Expression:
    """The dialect-neutral query: `table`'s applicants → the long results of every rulebook (`statuses`: the
    rows kept, by default those of results.csv). `columns`: the table's columns when known — a catalog field
    not among them is an unknown fact, and a column `row` is the row key (else one is numbered). `dialect`
    only decides what is refused (SqlError); write_sql writes the tree. `summary`: instead, the applicants
    summary (applicants.csv): one row per applicant and city, counts by status and the cash totals in yuan."""
    if dialect not in DIALECTS:
        raise SqlError(Text(f"不支持的 SQL 方言 {dialect!r}（可选：{'、'.join(DIALECTS)}）",
                            f"unknown SQL dialect {dialect!r} (one of: {', '.join(DIALECTS)})"))
    cat = catalog()
    source = None if columns is None else table_columns(columns)
    present = None if columns is None else set(source) | ({"row"} & set(columns))
    row = exp.cast(col("row"), BIGINT) if present is not None and "row" in present else exp.Window(
        this=exp.RowNumber(), over="OVER")
    # the row key is numbered once (in its own CTE), so every city's rows and the applicant id agree on it
    numbered = exp.select(_star("t"), exp.alias_(row, ROW, quoted=True)).from_(exp.alias_(exp.to_table(table), "t"))
    inputs = [col(ROW)]
    applicant = (exp.cast(col(source["applicant_id"] if source else "applicant_id"), TEXT)
                 if present is None or "applicant_id" in present else text(None))
    inputs.append(exp.alias_(exp.func("COALESCE", applicant, exp.DPipe(
        this=text("row-"), expression=exp.cast(col(ROW), TEXT), safe=True)), "applicant_id", quoted=True))
    ctes: list[tuple[str, exp.Expression]] = []
    selects: list[exp.Select] = []
    for index, book in enumerate(books):
        selects += _city_query(book, index, as_of, overrides or {}, dialect, statuses, ctes, summary)
    used = {c.name for _, cte in ctes for c in cte.find_all(exp.Column)} | {"city"}
    for name, spec in cat.fields.items():
        if name in used and name != "applicant_id":
            inputs.append(exp.alias_(_input_column(name, spec, source), name, quoted=True))
    ctes.insert(0, ("chuangye_input", exp.select(*inputs).from_("chuangye_rows")))
    ctes.insert(0, ("chuangye_rows", numbered))
    if not selects:
        raise SqlError(Text("没有可写成查询的待遇（规则库为空）", "no benefit to write as a query (the rulebooks are empty)"))
    query = reduce(lambda a, b: exp.Union(this=a, expression=b, distinct=False), selects)
    query = exp.select("*").from_(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("results"))))
    for name, cte in ctes:
        query = query.with_(name, as_=cte, copy=False)
    return query


def _for_dialect(node: exp.Expression, dialect: str) -> exp.Expression:
    """What sqlglot leaves to the caller: DuckDB computes wide integers as HUGEINT (its DECIMAL division is
    floating point); PostgreSQL splits text with string_to_array."""
    if dialect == "duckdb" and isinstance(node, exp.DataType) and node == WIDE:
        return exp.DataType.build("HUGEINT")
    if dialect == "postgres" and isinstance(node, exp.Split):
        return exp.func("STRING_TO_ARRAY", node.this, node.expression)
    return node


def write_sql(query: exp.Expression, dialect: str, pretty: bool = True) -> str:
    tree = query.copy().transform(lambda n: _for_dialect(n, dialect), copy=False)
    return tree.sql(dialect=dialect, pretty=pretty)
