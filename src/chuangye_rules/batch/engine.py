"""Evaluating a typed columnar chunk of applicants against compiled rulebooks.

The core is `evaluate_chunk(frame, compiled)`: a function from one polars DataFrame (one row per applicant,
one typed column per profile field) to one DataFrame of results, so the same code can run inside any
engine that hands it chunks.
"""

from __future__ import annotations

import polars as pl

from ..catalog import catalog
from .compile import CompiledRulebook, dtype, result_columns

ROW = "_row"  # the input row number, carried through for the errors and results files


def ensure_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add every catalog field the input lacks as an all-null column: an absent column is unknown facts."""
    cat = catalog()
    absent = [pl.lit(None, dtype=dtype(spec)).alias(name) for name, spec in cat.fields.items() if name not in frame.columns]
    return frame.with_columns(absent) if absent else frame


def _value_of(benefit_id: str) -> pl.Expr:
    c = result_columns(benefit_id)
    return (pl.when(pl.col(c["kind"]) == "exact").then(pl.col(c["value"])).otherwise(pl.col(c["max"]))
            .fill_null(-1))


def evaluate_chunk(frame: pl.DataFrame, compiled: CompiledRulebook) -> pl.DataFrame:
    """One row per applicant: for each benefit its status, amount (fen), missing facts and exclusion."""
    return evaluate_lazy(frame, compiled).collect()


def evaluate_lazy(frame: pl.DataFrame, compiled: CompiledRulebook) -> pl.LazyFrame:
    """The query behind evaluate_chunk, for callers that collect several cities' queries together."""
    frame = ensure_columns(frame)
    lazy = frame.lazy()
    for stage in compiled.plan.stages():
        lazy = lazy.with_columns(stage)
    exprs = {name: expr for cb in compiled.benefits for name, expr in cb.columns.items()}
    lazy = lazy.select(pl.col(ROW), pl.col("applicant_id"), **exprs)
    lazy = lazy.with_columns(pl.lit(None, dtype=pl.String).alias(f"{cb.benefit.id}::excluded_by")
                             for cb in compiled.benefits)
    for first, second in compiled.exclusion_pairs():
        a, b = result_columns(first)["status"], result_columns(second)["status"]
        both = (pl.col(a) == "eligible") & (pl.col(b) == "eligible")
        keep_first = _value_of(first) >= _value_of(second)
        lazy = lazy.with_columns(
            pl.when(both & ~keep_first).then(pl.lit("excluded")).otherwise(pl.col(a)).alias(a),
            pl.when(both & keep_first).then(pl.lit("excluded")).otherwise(pl.col(b)).alias(b),
            pl.when(both & ~keep_first).then(pl.lit(second)).otherwise(pl.col(f"{first}::excluded_by"))
            .alias(f"{first}::excluded_by"),
            pl.when(both & keep_first).then(pl.lit(first)).otherwise(pl.col(f"{second}::excluded_by"))
            .alias(f"{second}::excluded_by"),
        )
    return lazy


def totals(wide: pl.DataFrame, compiled: CompiledRulebook) -> pl.DataFrame:
    """Per applicant: counts by status and the exact / up-to totals of cash benefits (fen)."""
    exact, up_to, open_, eligible, needs = [], [], [], [], []
    cash = set(compiled.cash_ids())
    for cb in compiled.benefits:
        c = result_columns(cb.benefit.id)
        ok = pl.col(c["status"]) == "eligible"
        eligible.append(ok.cast(pl.Int32))
        needs.append((pl.col(c["status"]) == "needs_info").cast(pl.Int32))
        if cb.benefit.id not in cash:
            continue
        kind = pl.col(c["kind"])
        upper = pl.when(kind == "exact").then(pl.col(c["value"])).otherwise(pl.col(c["max"]))
        exact.append(pl.when(ok & (kind == "exact")).then(pl.col(c["value"])).otherwise(0))
        up_to.append(pl.when(ok).then(upper).otherwise(0).fill_null(0))
        open_.append((ok & (kind.is_in(["not_stated", "formula"]) | upper.is_null())).cast(pl.Int32))

    def total(items):
        return pl.sum_horizontal(items) if items else pl.lit(0)

    return wide.select(
        pl.col(ROW), pl.col("applicant_id"), pl.lit(compiled.slug).alias("city"),
        total(eligible).cast(pl.Int32).alias("eligible"), total(needs).cast(pl.Int32).alias("needs_info"),
        total(exact).cast(pl.Int64).alias("exact_fen"), total(up_to).cast(pl.Int64).alias("up_to_fen"),
        total(open_).cast(pl.Int32).alias("unquantified"),
    )


# a cell starting with one of these is run by a spreadsheet as a formula; such text gets a leading apostrophe
FORMULA_CHARS = "=+-@\t\r"


def safe_text(text: str) -> str:
    """Rulebook text put into spreadsheet cells: never something a spreadsheet would run as a formula."""
    return "'" + text if text[:1] and text[0] in FORMULA_CHARS else text


def long_results(wide: pl.DataFrame, compiled: CompiledRulebook,
                 statuses: tuple[str, ...] = ("eligible", "needs_info")) -> pl.DataFrame:
    """One row per applicant × benefit whose status is in `statuses`. The benefit's own text (name, clause,
    departments) is joined on at the end from a small table, not repeated column by column."""
    pieces = []
    for i, cb in enumerate(compiled.benefits):
        c = result_columns(cb.benefit.id)
        pieces.append(
            wide.lazy().filter(pl.col(c["status"]).is_in(list(statuses))).select(
                pl.col(ROW), pl.col("applicant_id"), pl.lit(i, dtype=pl.UInt32).alias("_b"),
                pl.col(c["status"]).alias("status"), pl.col(c["kind"]).alias("amount_kind"),
                pl.col(c["value"]).alias("value_fen"), pl.col(c["min"]).alias("min_fen"),
                pl.col(c["max"]).alias("max_fen"), pl.col(c["missing"]).alias("missing_facts"),
            ))
    if not pieces:
        return pl.DataFrame()
    benefits = [cb.benefit for cb in compiled.benefits]
    about = pl.DataFrame({
        "_b": pl.Series(range(len(benefits)), dtype=pl.UInt32),
        "city": [compiled.slug] * len(benefits),
        "benefit_id": [b.id for b in benefits],
        "benefit_name": [safe_text(b.name) for b in benefits],
        "category": [b.category.value for b in benefits],
        "period": [b.period.value for b in benefits],
        "lead_departments": [safe_text("、".join(b.departments.lead)) for b in benefits],
        "clause": [safe_text(b.clause) for b in benefits],
    })
    long = pl.concat(pl.collect_all(pieces), how="vertical")
    return long.join(about, on="_b", how="left", maintain_order="left").select(
        ROW, "applicant_id", "city", "benefit_id", "benefit_name", "category", "status", "amount_kind",
        "value_fen", "min_fen", "max_fen", "period", "lead_departments", "clause", "missing_facts")
