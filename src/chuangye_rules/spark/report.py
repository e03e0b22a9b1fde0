"""The budget report (report.md) of a Spark run: the same figures as the polars engine's Budget, aggregated by
Spark over the long results (the run's only shuffle), then written by the same Budget.markdown.

From the long rows (only eligible and needs_info are kept, one per applicant, city and benefit): per benefit the
people eligible and needing information and the cash totals in fen (exact: the eligible exact amounts; up to:
the eligible exact amounts and the maxima of the others); per city the applicants eligible for at least one
benefit; per set of lead departments (共同牵头) and per target of the plan, the applicants eligible for at least
one of its benefits — distinct applicants (city, row), as the polars engine counts rows with any eligible."""

from __future__ import annotations

from ..batch.budget import Budget, Line, lead_key
from ..rules.schema import CASH_CATEGORIES, Rulebook


def spark_budget(session, results, books: list[Rulebook]) -> Budget:
    """`results`: the Spark DataFrame of the long results (or None: nobody reached anything)."""
    budget = Budget()
    groups: list[tuple[str, str, int]] = []  # (city, benefit id, its group's number)
    counted: list[tuple[str, str, str]] = []  # (city, benefit id, a target counting it)
    keys: dict[tuple[str, int], tuple[str, ...]] = {}
    for book in books:
        slug = book.city.slug
        budget.city_names[slug] = book.city.zh
        budget.city_names_en[slug] = book.city.en
        budget.targets[slug] = book.targets
        budget.people[slug] = 0
        numbers: dict[tuple[str, ...], int] = {}
        for b in book.benefits:
            budget.benefits[(slug, b.id)] = Line(slug, b.id, b.name, cash=b.category in CASH_CATEGORIES,
                                                 lead=list(b.departments.lead), cooperating=list(b.departments.cooperating),
                                                 name_en=b.name_en)
            key = lead_key(b.departments.lead)
            number = numbers.setdefault(key, len(numbers))
            keys[(slug, number)] = key
            budget.groups[(slug, key)] = [0, 0]
            groups.append((slug, b.id, number))
        for t in book.targets:
            if t.counts:
                budget.target_people[(slug, t.id)] = 0
                counted += [(slug, benefit_id, t.id) for benefit_id in t.counts]
    if results is None:
        return budget
    _benefit_figures(results, budget)
    _distinct_people(session, results, budget, groups, counted, keys)
    return budget


def _benefit_figures(results, budget: Budget) -> None:
    from pyspark.sql import functions as F

    eligible = F.col("status") == "eligible"
    # summed as 38-digit decimals: a BIGINT sum overflows past 9.2 × 10^18 fen (an error under ANSI, a wrap without)
    fen = F.expr("CAST(amount_value * 100 AS DECIMAL(38, 0))")
    upper = F.when(F.col("amount_kind") == "exact", fen).otherwise(F.expr("CAST(amount_max * 100 AS DECIMAL(38, 0))"))
    rows = results.groupBy("city", "benefit_id").agg(
        F.sum(eligible.cast("int")).alias("e"), F.sum((F.col("status") == "needs_info").cast("int")).alias("n"),
        F.sum(F.when(eligible & (F.col("amount_kind") == "exact"), fen).otherwise(0)).alias("x"),
        F.sum(F.when(eligible, F.coalesce(upper, F.lit(0))).otherwise(0)).alias("u")).collect()
    for row in rows:
        line = budget.benefits.get((row["city"], row["benefit_id"]))
        if line is None:
            continue
        line.eligible, line.needs_info = row["e"], row["n"]
        if line.cash:
            line.exact_fen, line.up_to_fen = int(row["x"] or 0), int(row["u"] or 0)


def _distinct_people(session, results, budget: Budget, groups, counted, keys) -> None:
    from pyspark.sql import functions as F

    eligible = results.filter(F.col("status") == "eligible")
    for row in eligible.groupBy("city").agg(F.countDistinct("row").alias("people")).collect():
        if row["city"] in budget.people:
            budget.people[row["city"]] = row["people"]
    members = F.broadcast(session.createDataFrame(groups, "city string, benefit_id string, g int"))
    joined = results.join(members, ["city", "benefit_id"])
    for row in joined.groupBy("city", "g").agg(
            F.countDistinct(F.when(F.col("status") == "eligible", F.col("row"))).alias("e"),
            F.countDistinct(F.when(F.col("status") == "needs_info", F.col("row"))).alias("n")).collect():
        budget.groups[(row["city"], keys[(row["city"], row["g"])])] = [row["e"], row["n"]]
    if counted:
        targets = F.broadcast(session.createDataFrame(counted, "city string, benefit_id string, target string"))
        for row in eligible.join(targets, ["city", "benefit_id"]).groupBy("city", "target").agg(
                F.countDistinct("row").alias("people")).collect():
            budget.target_people[(row["city"], row["target"])] = row["people"]
