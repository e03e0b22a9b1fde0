"""The budget report as SQL (`chuangye sql --budget`): the figures of report.md's 按待遇 table and the city's
total, aggregated in the database over the long results of query.py — so the applicants' rows never leave it.

One row per (city, benefit) that anyone reaches: how many applicants are eligible and how many need
information, and — for cash benefits only, NULL for the others as report.md's "—" — the exact total and the
"up to" total in yuan. Then one row per city with `benefit_id` NULL: the applicants eligible for at least one
benefit, those who need information for at least one, and the sums over the city's cash benefits (report.md's
合计). The statuses are those of results.csv: a benefit set aside for a better one it cannot be combined with
(excluded) is not counted, as in report.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import reduce
from typing import Iterable

from sqlglot import exp

from ..rules.schema import CASH_CATEGORIES, Rulebook
from .builders import OPEN, YUAN, and_, case, coalesce, col, eq, is_null, isin, num, text
from .query import rulebooks_query


def _count_if(condition: exp.Expression) -> exp.Expression:
    return exp.func("SUM", case((condition, num(1)), default=num(0)))


def _people_if(condition: exp.Expression) -> exp.Expression:
    return exp.Count(this=exp.Distinct(expressions=[case((condition, col("row")))]))


def _sum_yuan(value: exp.Expression, cash: exp.Expression) -> exp.Expression:
    """The sum for cash benefits (0 when none qualifies), NULL for the others."""
    total = coalesce(exp.func("SUM", value), exp.cast(num(0), YUAN))
    return case((cash, exp.cast(total, YUAN)), default=exp.cast(exp.null(), YUAN))


def budget_query(books: Iterable[Rulebook], as_of: dt.date, dialect: str = "duckdb", table: str = "applicants",
                 columns: Iterable[str] | None = None, overrides: dict[str, Decimal] | None = None) -> exp.Expression:
    books = list(books)
    results = rulebooks_query(books, as_of, dialect, table=table, columns=columns, overrides=overrides,
                              statuses=OPEN)
    ctes = results.args.get("with")
    results.set("with", None)
    cash_pairs = [(b.city.slug, x.id) for b in books for x in b.benefits if x.category in CASH_CATEGORIES]
    by_city = {}
    for slug, benefit_id in cash_pairs:
        by_city.setdefault(slug, []).append(benefit_id)
    is_cash = exp.or_(*(and_(eq(col("city"), text(slug)), isin(col("benefit_id"), [text(i) for i in ids]))
                        for slug, ids in by_city.items())) if by_city else exp.false()
    eligible = eq(col("status"), text("eligible"))
    needs = eq(col("status"), text("needs_info"))
    exact = case((and_(eligible, eq(col("amount_kind"), text("exact"))), col("amount_value")))
    upper = case((eligible, coalesce(case((eq(col("amount_kind"), text("exact")), col("amount_value")),
                                                       default=col("amount_max")), exp.cast(num(0), YUAN))))

    def named(e: exp.Expression, name: str) -> exp.Expression:
        return exp.alias_(e, name, quoted=True)

    per_benefit = exp.select(
        named(col("city"), "city"), named(col("benefit_id"), "benefit_id"),
        named(_count_if(eligible), "eligible"), named(_count_if(needs), "needs_info"),
        named(_sum_yuan(exact, exp.func("MAX", case((is_cash, num(1)), default=num(0))).eq(1)), "exact_total"),
        named(_sum_yuan(upper, exp.func("MAX", case((is_cash, num(1)), default=num(0))).eq(1)), "up_to_total"),
    ).from_("chuangye_results").group_by(col("city"), col("benefit_id")).having(
        exp.or_(exp.func("SUM", case((eligible, num(1)), default=num(0))) > 0,
                exp.func("SUM", case((needs, num(1)), default=num(0))) > 0))
    cash_exact = case((is_cash, exact))
    cash_upper = case((is_cash, upper))
    # one aggregate per city, without GROUP BY: a city nobody on the list reaches still has its row of zeros
    per_city = [exp.select(
        named(text(b.city.slug), "city"), named(exp.cast(exp.null(), exp.DataType.build("VARCHAR")), "benefit_id"),
        named(_people_if(eligible), "eligible"), named(_people_if(needs), "needs_info"),
        named(exp.cast(coalesce(exp.func("SUM", cash_exact), exp.cast(num(0), YUAN)), YUAN), "exact_total"),
        named(exp.cast(coalesce(exp.func("SUM", cash_upper), exp.cast(num(0), YUAN)), YUAN), "up_to_total"),
    ).from_("chuangye_results").where(eq(col("city"), text(b.city.slug))) for b in books]
    union = reduce(lambda a, b: exp.Union(this=a, expression=b, distinct=False), [per_benefit, *per_city])
    query = exp.select("*").from_(exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("budget"))))
    query = query.order_by(col("city"), exp.Ordered(this=is_null(col("benefit_id"))), col("benefit_id"))
    for cte in (ctes.expressions if ctes is not None else []):
        query = query.with_(cte.alias, as_=cte.this, copy=False)
    return query.with_("chuangye_results", as_=results, copy=False)
