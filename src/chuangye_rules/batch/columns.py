"""Text cells parsed column by column into typed columns — every bad cell becomes an error row, never a crash and
never a silently dropped row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ..base.messages import Text
from ..base.privacy import SUSPECT, mask_text
from ..rules.catalog import DATE_FORMATS, YES_NO, FieldSpec, catalog
from ..rules.history import HISTORY, cell_codes
from ..rules.received import parse_received
from ..rules.values import LIST_SEPARATORS, MAX_DATE, MIN_DATE, MONEY_DIGITS, NUMBER_DIGITS
from .columnar import COMPARED, NUMBER_SCALE, ROW, dtype, set_cell

# the reader's names, imported from here by other modules and the tests before the reader was split by job
from .headers import Header, column_guide, map_headers  # noqa: F401
from .records import RawChunk, _decode_lines, detect_encoding, iter_csv, split_block, split_records  # noqa: F401
from .xlsx import read_xlsx  # noqa: F401

NONE_WORDS = ["无", "没有", "none", "None"]


def mask_column(series: pl.Series) -> pl.Series:
    """mask_text over a text column, in Python only for the few cells with a run of digits in them."""
    suspect = series.str.contains(SUSPECT).fill_null(False)
    if not suspect.any():
        return series
    where = suspect.arg_true()
    masked = pl.Series([mask_text(v) for v in series.gather(where).to_list()], dtype=pl.String)
    return series.scatter(where, masked)


# ----------------------------------------------------------------------------------------- typed columns


def _money(text: pl.Expr) -> pl.Expr:
    # the pattern admits at most two decimals, so the cast (which would cut a third) is exact
    ok = text.str.contains(rf"^\d{{1,{MONEY_DIGITS}}}(\.\d{{1,2}})?$")
    return pl.when(ok).then((text.cast(pl.Decimal(15, 2), strict=False) * 100).cast(pl.Int64))


FIRST_DATE, LAST_DATE = MIN_DATE, MAX_DATE


def _date(text: pl.Expr) -> pl.Expr:
    # a handful of exact formats tried in turn is far cheaper than normalising every cell with regexes
    serial = text.str.contains(r"^\d{5}$")  # an Excel date serial number (1900 system)
    from_serial = pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=text.cast(pl.Int64, strict=False))
    return pl.coalesce([text.str.to_date(f, strict=False) for f in DATE_FORMATS] + [pl.when(serial).then(from_serial)])


def _vocabulary_map(spec: FieldSpec) -> dict[str, str]:
    vocab = catalog().vocabularies[spec.vocabulary]
    return dict(vocab.lookup)


def normalise_text(spec: FieldSpec, text: pl.Expr) -> pl.Expr:
    """Normalise a stripped, non-empty text cell before conversion (computed once, then reused)."""
    if spec.type == "money":
        return text.str.replace_all(r"[,，\s]", "").str.replace(r"^[¥￥]", "").str.replace(r"元$", "")
    if spec.type == "date":
        return (text.str.replace("年", "-", literal=True).str.replace("月", "-", literal=True)
                .str.replace("日", "", literal=True))
    return text


def convert(spec: FieldSpec, text: pl.Expr) -> tuple[pl.Expr, Text]:
    """(typed value, reason when invalid) from a prepared text column. A non-empty cell whose value comes
    out null is invalid; an empty cell is an unknown fact."""
    t = spec.type
    if t == "text":
        return text, Text("", "")
    if t == "bool":
        mapping = YES_NO
        return text.replace_strict(mapping, default=None, return_dtype=pl.Boolean), Text(
            "应为 是/否（或 1/0、true/false）", "should be 是/否 (yes/no; or 1/0, true/false)")
    if t == "int":
        return pl.when(text.str.contains(r"^\d{1,9}$")).then(text.cast(pl.Int64, strict=False)), Text(
            "应为非负整数（人数、数量）", "should be a whole number, not negative (a count)")
    if t == "money":
        return _money(text), Text("应为金额：以元为单位的数字，最多两位小数",
                                  "should be an amount: a number of yuan with at most two decimal places")
    if t == "number":
        # held exactly as an integer × 10^6 (compile.NUMBER_SCALE): the pattern admits at most 6 decimals, so the
        # decimal cast cuts nothing, and 12 whole digits × 10^6 fit in 64 bits
        ok = text.str.contains(rf"^-?\d{{1,{NUMBER_DIGITS}}}(\.\d{{1,6}})?%?$")
        number = text.str.replace("%", "", literal=True).cast(pl.Decimal(18, 6), strict=False) * NUMBER_SCALE
        return pl.when(ok).then(number.cast(pl.Int64)), Text("应为数字", "should be a number")
    if t == "date":
        return _date(text), Text(
            f"应为日期，如 2023-07-01（也可 2023/7/1、20230701），且在{FIRST_DATE.year}至{LAST_DATE.year}年之间",
            f"should be a date such as 2023-07-01 (or 2023/7/1, 20230701), between {FIRST_DATE.year} and {LAST_DATE.year}")
    mapping = _vocabulary_map(spec)
    allowed = _choices(spec)
    if t == "one_of":
        return text.replace_strict(mapping, default=None, return_dtype=pl.String), Text(
            f"不是可选值（可选：{allowed.zh}）", f"not one of the choices ({allowed.en})")
    raise ValueError("set_of columns are converted by their distinct values: see set_values")


def _choices(spec: FieldSpec) -> Text:
    """A vocabulary's choices as a reason lists them: the Chinese labels, the codes."""
    labels = catalog().vocabularies[spec.vocabulary].labels
    return Text("、".join(labels.values()), ", ".join(labels))


def set_codes(text: str, lookup: dict[str, str]) -> list[str] | None:
    """"高校毕业生、退役军人" → ["college_graduate", "veteran"]; "无" → []; None if any item is unknown."""
    if text in NONE_WORDS:
        return []
    items = [item.strip() for item in LIST_SEPARATORS.split(text) if item.strip()]
    codes = [lookup.get(item) for item in items]
    if not codes or None in codes:
        return None
    return codes


def set_values(spec: FieldSpec, column: pl.Series) -> tuple[pl.Expr, Text]:
    """A list column has few distinct values (combinations of identities): parse each distinct value once,
    into the column's representation of a set (compile.set_cell)."""
    lookup = _vocabulary_map(spec)
    mapping = {}
    for text in column.drop_nulls().unique().to_list():
        codes = set_codes(text, lookup)
        mapping[text] = None if codes is None else set_cell(spec, codes)
    allowed = _choices(spec)
    value = pl.col(column.name).replace_strict(mapping, default=None, return_dtype=dtype(spec))
    return value, Text(f"含有不认识的取值（可选：{allowed.zh}；都不是请写“无”）",
                       f"holds a value that is not a choice ({allowed.en}, or their Chinese names; write 无 for none)")


@dataclass
class Parsed:
    frame: pl.DataFrame  # valid rows: ROW + typed profile columns
    errors: pl.DataFrame  # row, column, value, reason
    rejected: int
    ids: pl.DataFrame | None = None  # ROW + applicant_id, for the valid rows whose id the list gives (not row-N)


ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}
SHOWN_VALUE = 200  # characters of a bad cell quoted in errors.csv
HIDDEN = Text("（已隐去）", "(hidden)")  # a personal field's bad cell is never quoted


def _shown_values(values: pl.Series) -> pl.Series:
    """A bad cell as errors.csv quotes it: personal numbers masked, then cut to a readable length."""
    values = mask_column(values)
    long = values.str.len_chars() > SHOWN_VALUE
    return pl.select(pl.when(long).then(values.str.slice(0, SHOWN_VALUE) + "…").otherwise(values)).to_series()


def clean(spec: FieldSpec, cell: pl.Expr) -> pl.Expr:
    """A raw cell stripped, empty as null, then prepared for conversion."""
    text = cell.str.strip_chars()
    return normalise_text(spec, pl.when(text == "").then(None).otherwise(text))


def history_values(column: pl.Series, benefits: dict[str, list[str]]) -> tuple[pl.Expr, Text]:
    """The history column (已享受待遇) as history.cell_codes writes it, each distinct cell parsed once."""
    mapping = {}
    for text in column.drop_nulls().unique().to_list():
        try:
            mapping[text] = cell_codes(parse_received(text), benefits)
        except ValueError:
            mapping[text] = None
    value = pl.col(column.name).replace_strict(mapping, default=None, return_dtype=pl.String)
    return value, Text("应为已享受的待遇标识或名称，用、分隔，已发放金额写在=之后，如 "
                       "one_time_startup_subsidy、startup_talent_referral_reward=20000（都没有请留空或写“无”）",
                       "should be the ids or names of benefits received, separated by 、, an amount paid after =, e.g. "
                       "one_time_startup_subsidy、startup_talent_referral_reward=20000 (none: leave it empty or write 无)")


def _typed(name: str, spec: FieldSpec, text: pl.Series, cities: dict[str, str],
           benefits: dict[str, list[str]] | None = None) -> tuple[pl.Expr, Text]:
    """(typed value from the cleaned column `text`, the reason a non-empty cell that types to null is bad)."""
    t = pl.col(text.name)
    if name == HISTORY:
        value, reason = history_values(text, benefits or {})
    elif name == "city":
        value = t.replace_strict(cities, default=None, return_dtype=pl.String)
        reason = Text("没有该城市的规则库（可选：" + "、".join(sorted(set(cities.values()))) + "）",
                      "no rulebook for this city (one of: " + ", ".join(sorted(set(cities.values()))) + ")")
    elif spec.type == "set_of":
        value, reason = set_values(spec, text)
    else:
        value, reason = convert(spec, t)
    value = value.cast(dtype(spec))
    if spec.type == "date":
        value = pl.when(value.is_between(pl.lit(FIRST_DATE), pl.lit(LAST_DATE))).then(value)
    return value, reason


# types whose columns hold few distinct values however long the list (dates, yes/no, choices, small counts)
FEW_VALUES = ("date", "bool", "one_of", "set_of", "int")
KNOWN_LIMIT = 50_000  # distinct cells a column's KnownValues may hold; past it the column is typed cell by cell


class KnownValues:
    """The distinct raw cells of one column seen so far, each cleaned and typed once: raw → (value, bad). Kept
    from block to block, so a list's few thousand dates or identity combinations are converted once per run,
    and each block costs one lookup per cell."""

    def __init__(self, name: str, spec: FieldSpec, cities: dict[str, str],
                 benefits: dict[str, list[str]] | None = None) -> None:
        self.name, self.spec, self.cities, self.benefits = name, spec, cities, benefits
        self.raw = pl.Series("raw", [], dtype=pl.String)
        self.value = pl.Series("v", [], dtype=dtype(spec))
        self.bad = pl.Series("bad", [], dtype=pl.Boolean)
        self.reason = Text("", "")
        self.full = False  # too many distinct cells: type this column cell by cell from now on
        self._cells = pl.Enum([])
        self._bad_rows = pl.Series([], dtype=pl.UInt32).implode()

    def index(self, cell: pl.Expr) -> pl.Expr:
        """Each cell's row in the table; null for an empty cell or one not yet seen. (A cast to an Enum of the
        cells seen is the same lookup as replace_strict, a third cheaper; for a yes/no column's two or three
        cells, comparing with each is cheaper still than hashing.)"""
        if 0 < self.raw.len() <= COMPARED:
            found = pl.lit(None, dtype=pl.UInt32)
            for row, text in reversed(list(enumerate(self.raw.to_list()))):
                found = pl.when(cell == text).then(pl.lit(row, dtype=pl.UInt32)).otherwise(found)
            return found
        return cell.cast(self._cells, strict=False).to_physical()

    def bad_cells(self, index: pl.Series) -> pl.Expr | None:
        """Which cells are bad (from their rows in the table); None when no cell seen so far is."""
        return pl.lit(index).is_in(self._bad_rows).fill_null(False) if self._bad_rows.len() else None

    def learn(self, column: pl.Series, index: pl.Series) -> bool:
        """Type the cells of `column` not yet known; False if that would pass KNOWN_LIMIT."""
        new = column.filter(index.is_null()).drop_nulls().unique()
        if self.raw.len() + new.len() > KNOWN_LIMIT:
            self.full = True
            return False
        table = pl.DataFrame({"raw": new}).with_columns(clean(self.spec, pl.col("raw")).alias("t"))
        value, self.reason = _typed(self.name, self.spec, table["t"], self.cities, self.benefits)
        table = table.with_columns(value.alias("v")).with_columns((pl.col("t").is_not_null() & pl.col("v").is_null()).alias("bad"))
        self.raw = pl.concat([self.raw, table["raw"]], rechunk=True)
        self.value = pl.concat([self.value, table["v"].cast(dtype(self.spec))], rechunk=True)
        self.bad = pl.concat([self.bad, table["bad"]], rechunk=True)
        self._cells = pl.Enum(self.raw)
        self._bad_rows = self.bad.arg_true().cast(pl.UInt32).implode()
        return True


def _looked_up(frame: pl.DataFrame, fields: list, known: dict[str, KnownValues]) -> tuple[list, dict, dict, list]:
    """The columns typed through their KnownValues: (their values, their bad cells, the reasons, and the columns
    left to type cell by cell — those not looked up, or whose new values overflowed the table)."""
    looked_up = [(position, name, spec) for position, name, spec in fields if name in known and not known[name].full]
    index = frame.select(known[name].index(pl.col(f"c{position}")).alias(name) for position, name, _ in looked_up)
    values, bad, reasons, cellwise = [], {}, {}, []
    for position, name, spec in fields:
        if name not in index.columns:
            cellwise.append((position, name, spec))
            continue
        table, column, where = known[name], frame[f"c{position}"], index[name]
        if where.null_count() > column.null_count():  # cells not seen before
            if not table.learn(column, where):
                cellwise.append((position, name, spec))
                continue
            where = frame.select(table.index(pl.col(f"c{position}"))).to_series()
        reasons[name] = table.reason
        values.append(pl.lit(table.value).gather(pl.lit(where)).alias(name))
        if (flagged := table.bad_cells(where)) is not None:
            bad[name] = flagged
    return values, bad, reasons, cellwise


def _cleaned(position: int, spec: FieldSpec, plain: bool) -> pl.Expr:
    cell = pl.col(f"c{position}")
    return pl.when(cell == "").then(None).otherwise(cell) if plain else clean(spec, cell)


def _typed_cellwise(frame: pl.DataFrame, cellwise: list, cities: dict[str, str], benefits, bad: dict,
                    reasons: dict) -> pl.DataFrame:
    """The frame with the cell-by-cell columns typed (their bad cells and reasons added to `bad`, `reasons`)."""
    # money is read as plain numbers first (nothing to strip or remove: most lists), and a column again with
    # separators, ¥ and 元 removed only if some cell did not read so
    staged = frame.with_columns(_cleaned(position, spec, spec.type == "money").alias(f"t:{name}")
                                for position, name, spec in cellwise)
    typed = {name: _typed(name, spec, staged[f"t:{name}"], cities, benefits) for _, name, spec in cellwise}
    staged = staged.with_columns(value.alias(name) for name, (value, _) in typed.items())
    again = [(position, name, spec) for position, name, spec in cellwise if spec.type == "money"
             and (staged[f"t:{name}"].is_not_null() & staged[name].is_null()).any()]
    if again:
        staged = staged.with_columns(_cleaned(position, spec, False).alias(f"t:{name}") for position, name, spec in again)
        typed.update({name: _typed(name, spec, staged[f"t:{name}"], cities, benefits) for _, name, spec in again})
        staged = staged.with_columns(typed[name][0].alias(name) for _, name, _ in again)
    for name, (_, reasons[name]) in typed.items():
        bad[name] = pl.col(f"t:{name}").is_not_null() & pl.col(name).is_null()
    return staged


def _error_rows(raw: RawChunk, header: Header, fields: list, rejected: pl.DataFrame, flags: dict, reasons: dict,
                lang: str):
    """errors.csv's rows for a block: its structural errors, and one row per bad cell of the rejected rows, the
    reasons in `lang`."""
    cells = []
    for position, name, spec in fields if rejected.height else []:
        if name not in flags:  # no cell of this column is bad
            continue
        # the cell as the user wrote it (2020年6月, not the 2020-6- it was normalised to), so it can be found in the list
        shown = pl.lit(HIDDEN.get(lang)) if spec.personal else pl.col(f"c{position}").str.strip_chars()
        cells.append(rejected.filter(pl.col(flags[name])).select(
            pl.col(ROW).alias("row"), pl.lit(header.names[position]).alias("column"), shown.cast(pl.String).alias("value"),
            pl.lit(reasons[name].get(lang)).alias("reason")))
    structural = pl.DataFrame([(r, c, v, reason.get(lang)) for r, c, v, reason in raw.errors], schema=ERROR_SCHEMA,
                              orient="row")
    errors = pl.concat([structural, *cells], how="vertical_relaxed").sort("row", maintain_order=True)
    return errors.with_columns(_shown_values(errors["value"]).alias("value"))


def parse_chunk(raw: RawChunk, header: Header, cities: dict[str, str],
                known: dict[str, KnownValues] | None = None, benefits: dict[str, list[str]] | None = None,
                lang: str = "zh") -> Parsed:
    """Text columns → typed columns. A column of few distinct values (dates, yes/no, choices) is typed once
    per distinct value through `known` (pass the same dict for every block of a list); the others cell by
    cell. A row with any bad cell is rejected, with one error row per bad cell (its reason in `lang`)."""
    cat = catalog()
    fields = [(position, name, cat.fields[name]) for position, name in header.fields.items()]
    frame = raw.frame
    known = {} if known is None else known
    for position, name, spec in fields:
        if (spec.type in FEW_VALUES or name in ("city", HISTORY)) and name not in known:
            known[name] = KnownValues(name, spec, cities, benefits)
    values, bad, reasons, cellwise = _looked_up(frame, fields, known)
    staged = _typed_cellwise(frame, cellwise, cities, benefits, bad, reasons).with_columns(values)
    flags = {name: f"bad:{name}" for name in bad}
    staged = staged.with_columns([b.alias(flags[n]) for n, b in bad.items()])
    any_bad = pl.any_horizontal([pl.col(f) for f in flags.values()]) if flags else pl.lit(False)
    staged = staged.with_columns(any_bad.alias("_bad"))
    rejected = staged.filter(pl.col("_bad"))
    errors = _error_rows(raw, header, fields, rejected, flags, reasons, lang)
    good = staged.filter(~pl.col("_bad")).select(ROW, *[name for _, name, _ in fields])
    ids = good.select(ROW, "applicant_id").drop_nulls() if "applicant_id" in good.columns else None
    good = good.with_columns(pl.coalesce(pl.col("applicant_id") if "applicant_id" in good.columns else pl.lit(None),
                                         pl.format("row-{}", pl.col(ROW))).cast(pl.String).alias("applicant_id"))
    return Parsed(good, errors, rejected.height + len(raw.errors), ids)
