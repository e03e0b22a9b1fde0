"""Conditions as SQL: the same three-valued logic as the evaluator (NULL is unknown), dates shifted with the
calendar of dates.py (Hive's ADD_MONTHS corrected), each field test as a NULL-aware comparison."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlglot import exp

from ..base.dates import shift
from ..base.messages import Text
from ..batch.columnar import INT64_MAX, SCALE, literal, scaled
from ..rules.catalog import FieldSpec, catalog
from ..rules.schema import (
    AllOf,
    Compare,
    NotOf,
)
from .builders import DATE, NULL_BOOL, and_, big, case, cmp, col, contains, date_lit, eq, is_null, isin, not_, not_null, num, or_, sub, text
from .plan import Context

# ------------------------------------------------------------------------------------------- conditions


@dataclass
class SqlCondition:
    """A condition as SQL: its three-valued result (NULL: unknown) and, per fact, when that fact is missing."""

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


def compile_condition(node, ctx: Context) -> SqlCondition:
    plan = ctx.plan
    if isinstance(node, Compare):
        return _compare(node, ctx)
    if isinstance(node, NotOf):
        child = compile_condition(node.not_, ctx)
        return SqlCondition(plan.add(not_(child.result)), child.missing)
    is_all = isinstance(node, AllOf)
    children = [compile_condition(c, ctx) for c in (node.all if is_all else node.any)]
    result = plan.add((and_ if is_all else or_)(*[c.result for c in children]))
    names = list(dict.fromkeys(n for c in children for n in c.missing))
    missing = {name: plan.add(and_(is_null(result), or_(*[c.missing[name] for c in children if name in c.missing])))
               for name in names}
    return SqlCondition(result, missing)


def _compare(node: Compare, ctx: Context) -> SqlCondition:
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
    return SqlCondition(ctx.plan.add(case((is_null(column), NULL_BOOL), default=test), key=key), missing)


