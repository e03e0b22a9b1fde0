"""Evaluating a typed columnar chunk of applicants against compiled rulebooks.

The core is `evaluate_chunk(frame, compiled)`: a function from one polars DataFrame (one row per applicant,
one typed column per profile field) to one DataFrame of results, so the same code can run inside any
engine that hands it chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from ..render.i18n import AMOUNT_KIND, CATEGORY, PERIOD, field_label, label
from ..render.i18n import STATUS as STATUS_WORDS
from ..rules.catalog import catalog
from ..rules.facts import fact_order
from .columnar import ROW, dtype
from .compile import MAX_FACTS, CompiledRulebook, mask_names, one_of, received, result_columns
from .plan import KIND, STATUS


def ensure_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add every catalog field the input lacks as an all-null column: an absent column is unknown facts."""
    cat = catalog()
    absent = [pl.lit(None, dtype=dtype(spec)).alias(name) for name, spec in cat.fields.items() if name not in frame.columns]
    return frame.with_columns(absent) if absent else frame


def _value_of(benefit_id: str) -> pl.Expr:
    c = result_columns(benefit_id)
    return (pl.when(pl.col(c["kind"]) == "exact").then(pl.col(c["value"])).otherwise(pl.col(c["max"]))
            .fill_null(-1))


def _derived(compiled: CompiledRulebook, name: str, build):
    """Expressions and tables that depend on the rulebook only: built once, reused for every chunk (building
    a few thousand expressions again per chunk would cost more than evaluating many of the chunks)."""
    if name not in compiled.derived:
        compiled.derived[name] = build(compiled)
    return compiled.derived[name]


def evaluate_chunk(frame: pl.DataFrame, compiled: CompiledRulebook) -> pl.DataFrame:
    """One row per applicant: for each benefit its status, amount (fen), missing facts and exclusion."""
    return evaluate_lazy(frame, compiled).collect()


def _query(compiled: CompiledRulebook) -> list:
    """The steps of evaluate_lazy after the input: the plan's stages, the result columns, the exclusions."""
    steps: list = [("with_columns", stage) for stage in compiled.plan.stages()]
    exprs = {name: expr for cb in compiled.benefits for name, expr in cb.columns.items()}
    pairs = compiled.exclusion_pairs()
    named = list(dict.fromkeys(i for pair in pairs for i in pair))
    # which benefits of a pair the history names (evaluation.apply_exclusions), dropped once applied
    once = {b.id for b in compiled.rulebook.benefits if b.period.value == "once"}  # evaluation.excluding_history
    flags = [(received(compiled.rulebook, i) if i in once else pl.lit(False)).alias(f"{i}::received") for i in named]
    steps.append(("select", [pl.col(ROW), pl.col("applicant_id"), *(e.alias(n) for n, e in exprs.items()), *flags]))
    steps.append(("with_columns", [pl.lit(None, dtype=pl.String).alias(f"{cb.benefit.id}::excluded_by")
                                   for cb in compiled.benefits]))
    for first, second in pairs:
        a, b = result_columns(first)["status"], result_columns(second)["status"]
        got_a, got_b = pl.col(f"{first}::received"), pl.col(f"{second}::received")
        for got, mine, other, col in ((got_b, got_a, second, first), (got_a, got_b, first, second)):
            c = result_columns(col)
            hit = got & ~mine & one_of(pl.col(c["status"]), ["eligible", "needs_info"], STATUS)
            steps.append(("with_columns", [
                pl.when(hit).then(pl.lit("excluded", dtype=STATUS)).otherwise(pl.col(c["status"])).alias(c["status"]),
                pl.when(hit).then(pl.lit(other)).otherwise(pl.col(f"{col}::excluded_by")).alias(f"{col}::excluded_by"),
                pl.when(hit).then(pl.lit(0, dtype=pl.UInt32)).otherwise(pl.col(c["missing"])).alias(c["missing"]),
            ]))
        both = (pl.col(a) == "eligible") & (pl.col(b) == "eligible")
        keep_first = _value_of(first) >= _value_of(second)
        steps.append(("with_columns", [
            pl.when(both & ~keep_first).then(pl.lit("excluded", dtype=STATUS)).otherwise(pl.col(a)).alias(a),
            pl.when(both & keep_first).then(pl.lit("excluded", dtype=STATUS)).otherwise(pl.col(b)).alias(b),
            pl.when(both & ~keep_first).then(pl.lit(second)).otherwise(pl.col(f"{first}::excluded_by"))
            .alias(f"{first}::excluded_by"),
            pl.when(both & keep_first).then(pl.lit(first)).otherwise(pl.col(f"{second}::excluded_by"))
            .alias(f"{second}::excluded_by"),
        ]))
    if named:
        steps.append(("drop", [f"{i}::received" for i in named]))
    return steps


def evaluate_lazy(frame: pl.DataFrame, compiled: CompiledRulebook) -> pl.LazyFrame:
    """The query behind evaluate_chunk, for callers that collect several cities' queries together."""
    lazy = ensure_columns(frame).lazy()
    for how, exprs in _derived(compiled, "query", _query):
        lazy = (lazy.with_columns(exprs) if how == "with_columns" else lazy.drop(exprs) if how == "drop"
                else lazy.select(exprs))
    return lazy


def _totals_exprs(compiled: CompiledRulebook) -> list[pl.Expr]:
    exact, up_to, open_, eligible, needs = [], [], [], [], []
    cash = set(compiled.cash_ids())
    for cb in compiled.benefits:
        c = result_columns(cb.benefit.id)
        ok = pl.col(c["status"]) == "eligible"
        eligible.append(ok)  # (sum_horizontal counts booleans)
        needs.append(pl.col(c["status"]) == "needs_info")
        if cb.benefit.id not in cash:
            continue
        kind = pl.col(c["kind"])
        upper = pl.when(kind == "exact").then(pl.col(c["value"])).otherwise(pl.col(c["max"]))
        exact.append(pl.when(ok & (kind == "exact")).then(pl.col(c["value"])).otherwise(0))
        up_to.append(pl.when(ok).then(upper).otherwise(0).fill_null(0))
        open_.append(ok & (one_of(kind, ["not_stated", "formula"], KIND) | upper.is_null()))

    def total(items):
        return pl.sum_horizontal(items) if items else pl.lit(0)

    return [
        pl.col(ROW), pl.col("applicant_id"), pl.lit(compiled.slug).alias("city"),
        total(eligible).cast(pl.Int32).alias("eligible"), total(needs).cast(pl.Int32).alias("needs_info"),
        total(exact).cast(pl.Int64).alias("exact_fen"), total(up_to).cast(pl.Int64).alias("up_to_fen"),
        total(open_).cast(pl.Int32).alias("unquantified"),
    ]


def build_queries(compiled: CompiledRulebook) -> None:
    """Build the rulebook's query and totals now (a caller with a thread idle meanwhile), not at its first chunk."""
    _derived(compiled, "query", _query)
    _derived(compiled, "totals", _totals_exprs)


def row_totals(wide: pl.DataFrame, compiled: CompiledRulebook) -> pl.DataFrame:
    """Per applicant: counts by status and the exact / up-to totals of cash benefits (fen)."""
    return wide.select(_derived(compiled, "totals", _totals_exprs))


# a cell starting with one of these is run by a spreadsheet as a formula; such text gets a leading apostrophe
FORMULA_CHARS = "=+-@\t\r"


def safe_text(text: str) -> str:
    """Rulebook text put into spreadsheet cells: never something a spreadsheet would run as a formula."""
    return "'" + text if text[:1] and text[0] in FORMULA_CHARS else text


BENEFIT_TEXT = ("city", "benefit_id", "benefit_name", "category", "period", "lead_departments", "clause")
MASK_BITS = MAX_FACTS  # a (benefit, missing mask) pair as one integer key: row in benefit_table × 2^32 + mask
LISTED_MASKS = 1 << 18  # the missing-facts text of every possible mask is listed up front if there are no more


def _named(facts: list[str], mask: int, word: Callable[[str], str] = str, sep: str = ";") -> str | None:
    return sep.join(word(name) for name in mask_names(facts, mask)) or None


@dataclass
class BenefitTable:
    """Each benefit's own text, one row per benefit, the rulebooks in the order given: a long result names its
    benefit by its row here (`_b`), and the text is gathered only when the rows are written."""
    text: pl.DataFrame  # BENEFIT_TEXT columns
    facts: list[list[str]]  # each benefit's fact_order: a missing mask's bits
    first: dict[str, int]  # each rulebook's first row (long_results' `first`)
    cell: Callable[[str], str] = str
    fact_word: Callable[[str], str] = str  # a missing fact as written: its id (en) or its Chinese name (zh)
    fact_sep: str = ";"
    # the text of every mask of every benefit, benefit after benefit, and where each benefit's masks start
    # (None if that would be more than LISTED_MASKS strings)
    # (joined, each text is the benefit's tail and the mask's missing facts: for joined_rows, not with_benefit_text)
    named: pl.Series | None = None
    named_at: pl.Series | None = None
    # joined (CSV): the runs of cells that are the same for every row of a benefit, each written as one cell
    # already joined by commas — JOINED_HEAD, and the tail (period to clause) before each mask's missing facts
    head: pl.Series | None = None
    tails: list[str] | None = None
    status_kind: pl.Series | None = None

    def named_text(self, b: int, mask: int) -> str | None:
        """Benefit b's missing facts under `mask` as written; joined, after the benefit's tail of cells."""
        text = _named(self.facts[b], mask, self.fact_word, self.fact_sep)
        text = None if text is None else self.cell(text)
        return text if self.tails is None else self.tails[b] + (text or "")


def benefit_table(books: list[CompiledRulebook], cell: Callable[[str], str] | None = None,
                  joined: bool = False, lang: str = "en") -> BenefitTable:
    """`cell`: applied to every text once here (CSV quoting), instead of to every row written. `joined`: also
    the joined runs of cells that joined_rows writes (with `cell`, for CSV). `lang`: "zh" writes the city,
    category, period, status, amount kind and missing facts in Chinese words; "en" as their codes."""
    cell = cell or (lambda text: text)
    zh = lang == "zh"
    names = {book.slug: (book.rulebook.city.zh if zh else book.slug) for book in books}
    benefits = [(names[book.slug], cb.benefit) for book in books for cb in book.benefits]

    def word(table: dict, code: str) -> str:
        return label(table, code, "zh") if zh else code

    # Categorical: a row of results gathers 4-byte codes, and polars writes such a column about twice as
    # fast as the same text held as strings
    text = pl.DataFrame(schema_overrides={name: pl.Categorical for name in BENEFIT_TEXT}, data={
        "city": [cell(slug) for slug, _ in benefits],
        "benefit_id": [cell(b.id) for _, b in benefits],
        "benefit_name": [cell(safe_text(b.name)) for _, b in benefits],
        "category": [cell(word(CATEGORY, b.category.value)) for _, b in benefits],
        "period": [cell(word(PERIOD, b.period.value)) for _, b in benefits],
        "lead_departments": [cell(safe_text("、".join(b.departments.lead))) for _, b in benefits],
        "clause": [cell(safe_text(b.clause)) for _, b in benefits],
    })
    first, row = {}, 0
    for book in books:
        first[book.slug], row = row, row + len(book.benefits)
    # zh: a missing fact by its catalog name, a missing parameter by its description; "；" between them, as
    # some names hold a "、" themselves
    described = {name: p.description for book in books for name, p in book.rulebook.parameters.items()}
    table = BenefitTable(text, [fact_order(b) for _, b in benefits], first, cell,
                         fact_word=(lambda name: described.get(name) or field_label(name, "zh")) if zh else str,
                         fact_sep="；" if zh else ";")
    if joined:
        def runs(names: tuple[str, ...]) -> list[str]:
            return [",".join(cells) for cells in zip(*(text[n].cast(pl.String).to_list() for n in names))]

        table.head = pl.Series(runs(JOINED_HEAD), dtype=pl.Categorical)
        table.tails = [run + "," for run in runs(JOINED_TAIL[:-1])]
        table.status_kind = pl.Series([f"{cell(word(STATUS_WORDS, s))},{cell(word(AMOUNT_KIND, k))}"
                                       for s in STATUS.categories for k in KIND.categories], dtype=pl.Categorical)
    if sum(1 << len(f) for f in table.facts) <= LISTED_MASKS:
        starts = [0]
        for f in table.facts:
            starts.append(starts[-1] + (1 << len(f)))
        table.named_at = pl.Series(starts[:-1], dtype=pl.UInt32)
        table.named = pl.Series([table.named_text(b, m) for b, f in enumerate(table.facts) for m in range(1 << len(f))],
                                dtype=pl.Categorical)
    return table


LONG_COLUMNS = (ROW, "applicant_id", "city", "benefit_id", "benefit_name", "category", "status", "amount_kind",
                "value_fen", "min_fen", "max_fen", "period", "lead_departments", "clause", "missing_facts")
COMPACT_SCHEMA = {ROW: pl.Int64, "applicant_id": pl.String, "_b": pl.UInt32, "status": STATUS, "amount_kind": KIND,
                  "value_fen": pl.Int64, "min_fen": pl.Int64, "max_fen": pl.Int64, "missing_mask": pl.UInt32}


def long_results(wide: pl.DataFrame, compiled: CompiledRulebook,
                 statuses: tuple[str, ...] = ("eligible", "needs_info"), first: int = 0) -> pl.DataFrame:
    """One row per applicant × benefit whose status is in `statuses`, compact: the benefit is `_b`, its row in
    benefit_table (`first` is this rulebook's first row there); with_benefit_text adds the text. One query for
    all benefits: picked benefit by benefit with Series calls it was quicker alone, but each call needed the GIL
    back while the reader and writer threads ran, and the run's peak memory was higher (bench/README.md)."""
    lazy = wide.lazy()
    pieces = []
    for i, cb in enumerate(compiled.benefits):
        c = result_columns(cb.benefit.id)
        status = pl.col(c["status"])
        pieces.append(lazy.filter(one_of(status, list(statuses), STATUS)).select(
            pl.col(ROW), pl.col("applicant_id"), pl.lit(first + i, dtype=pl.UInt32).alias("_b"),
            status.alias("status"), pl.col(c["kind"]).alias("amount_kind"), pl.col(c["value"]).alias("value_fen"),
            pl.col(c["min"]).alias("min_fen"), pl.col(c["max"]).alias("max_fen"),
            pl.col(c["missing"]).alias("missing_mask")))
    if not pieces:
        return pl.DataFrame(schema=COMPACT_SCHEMA)
    return pl.concat(pieces, how="vertical").collect()


def _missing_text(long: pl.DataFrame, table: BenefitTable) -> pl.Series:
    """Each long result's missing facts as written (BenefitTable.named_text)."""
    index, mask = long["_b"], long["missing_mask"].fill_null(0)
    if table.named is not None:
        return table.named.gather(table.named_at.gather(index) + mask)
    # named once per distinct (benefit, mask) in the rows
    key = index.cast(pl.UInt64) * (1 << MASK_BITS) + mask.cast(pl.UInt64)
    distinct = key.unique()
    names = [table.named_text(k >> MASK_BITS, k & ((1 << MASK_BITS) - 1)) for k in distinct.to_list()]
    return key.replace_strict(distinct, pl.Series(names, dtype=pl.String), return_dtype=pl.String)


def with_benefit_text(long: pl.DataFrame, table: BenefitTable) -> pl.DataFrame:
    """Compact long results with each benefit's text gathered from the table, and the missing facts' names:
    LONG_COLUMNS."""
    index = long["_b"]
    return long.with_columns(*(table.text[name].gather(index) for name in BENEFIT_TEXT),
                             _missing_text(long, table).alias("missing_facts")).select(LONG_COLUMNS)


# the runs of results columns that joined_rows writes as one cell each, and the names of those cells
JOINED_HEAD = ("city", "benefit_id", "benefit_name", "category")
JOINED_TAIL = ("period", "lead_departments", "clause", "missing_facts")
JOINED = {"head": ",".join(JOINED_HEAD), "status_kind": "status,amount_kind", "tail": ",".join(JOINED_TAIL)}


def joined_rows(long: pl.DataFrame, table: BenefitTable) -> pl.DataFrame:
    """Compact long results as CSV rows with fewer cells: the runs of text that are the same for every row of a
    benefit (JOINED_HEAD; JOINED_TAIL with the missing facts), and the status with the amount kind, are each one
    cell already joined by commas, gathered from a table (benefit_table(joined=True)). Each column is named
    after the columns it holds, so the header a writer writes unquoted is the header of the full row. polars
    writes 8 cells a row instead of 15, and gathers 3 texts instead of 9."""
    index = long["_b"]
    codes = long["status"].to_physical().cast(pl.UInt32) * len(KIND.categories) + long["amount_kind"].to_physical()
    return pl.DataFrame([
        long[ROW], long["applicant_id"], table.head.gather(index).alias(JOINED["head"]),
        table.status_kind.gather(codes).alias(JOINED["status_kind"]),
        long["value_fen"], long["min_fen"], long["max_fen"],
        _missing_text(long, table).alias(JOINED["tail"]),
    ])
