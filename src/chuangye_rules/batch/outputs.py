"""Writing a run's outputs: each file appended chunk by chunk under a temporary name (Output), on a thread of its
own (Writer); cells a spreadsheet would run as a formula defused; money as exact yuan; xlsx a caseworker opens as
is. What the files are called and where they end up is outfolder.py's and runner.py's."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import polars as pl
from rich.cells import cell_len  # display width: a Chinese character takes two columns

from ..base.messages import Text
from ..base.problems import InputError, make_problem
from ..render.i18n import AMOUNT_KIND, label
from ..render.i18n import STATUS as STATUS_WORDS
from .columnar import ROW
from .engine import FORMULA_CHARS, JOINED, BenefitTable, joined_rows

EXCEL_ROWS = 1_048_575
FORMULA_START = "^[" + re.escape(FORMULA_CHARS) + "]"


def yuan_text(fen: pl.Expr) -> pl.Expr:
    """Integer fen as exact decimal yuan with two places (500000 → 5000.00), written as such in every format."""
    return fen.cast(pl.Decimal(38, 2)) / pl.lit(100, dtype=pl.Decimal(38, 0))


# columns whose text comes from the input file; the others are rulebook text, checked once below
INPUT_COLUMNS = ("applicant_id", "value", "column")


def defused(cell: pl.Expr) -> pl.Expr:
    return pl.when(cell.str.contains(FORMULA_START)).then(pl.lit("'") + cell).otherwise(cell)


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Cells a spreadsheet would run as a formula (= + - @) get a leading apostrophe."""
    strings = [c for c, t in frame.schema.items() if t == pl.String and c in INPUT_COLUMNS]
    return frame.with_columns(defused(pl.col(c)).alias(c) for c in strings)


PREQUOTE = True  # CSV cells quoted by csv_cell / csv_cells, written unchecked; False: polars quotes each cell


def csv_cell(text: str) -> str:
    """A cell as CSV writes it: quoted, quotes doubled, when it holds a comma, a quote or a line break."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') or text == "" else text


def csv_cells(cell: pl.Expr) -> pl.Expr:
    return pl.when(cell.str.contains('[,"\r\n]') | (cell == "")).then(
        pl.lit('"') + cell.str.replace_all('"', '""', literal=True) + pl.lit('"')).otherwise(cell)


class Output:
    """One output file, appended chunk by chunk to a temporary name and renamed on success. `render` turns
    what is handed to `write` into the rows written (on the writer thread, a slice at a time, so the full
    text of a chunk's results never sits in memory at once)."""

    SLICE = 200_000

    def __init__(self, path: Path, tmp: Path, fmt: str, render: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
                 defuse: bool = True, quoted: bool = False, headers: dict[str, str] | None = None):
        # path: where the output will be once the run succeeded; tmp: where it is written until then.
        # quoted: every text cell is already as CSV must write it (csv_cell), so the writer checks none of them.
        # headers: the column names as written (Chinese); a joined column "a,b" is named part by part
        self.path, self.tmp, self.fmt, self.render, self.defuse, self.quoted = path, tmp, fmt, render, defuse, quoted
        self.headers = headers
        self.rows = 0
        self._frames: list[pl.DataFrame] = []
        self._parts = tmp.with_name(tmp.name + ".parts")  # parquet: beside the file, in the run's hidden folder
        self._handle = open(self.tmp, "wb") if fmt not in ("xlsx", "parquet") else None
        if fmt == "csv":
            self._handle.write(b"\xef\xbb\xbf")  # so Excel opens UTF-8 Chinese correctly

    def write(self, frame: pl.DataFrame) -> None:
        for start in range(0, frame.height, self.SLICE):
            piece = frame.slice(start, self.SLICE)
            self._emit(self.render(piece) if self.render else piece)

    def _emit(self, frame: pl.DataFrame) -> None:
        if self.defuse and self.fmt not in ("xlsx", "parquet"):  # a typed string cell is never a formula
            frame = neutralise(frame)
        if self.headers:
            frame = frame.rename({c: ",".join(self.headers.get(p, p) for p in c.split(",")) for c in frame.columns})
        if self.fmt == "csv":
            # the same text ("5000.00"), but polars writes a Decimal column about half as fast as a String one
            frame = frame.with_columns(pl.col(pl.Decimal).cast(pl.String))
            frame.write_csv(self._handle, include_header=self.rows == 0,
                            quote_style="never" if self.quoted else "necessary")
        elif self.fmt == "jsonl":
            frame.write_ndjson(self._handle)
        elif self.fmt == "parquet":  # typed columns (Decimal yuan): a part file per slice, one file at the end
            self._parts.mkdir(exist_ok=True)
            frame.with_columns(pl.col(pl.Categorical).cast(pl.String)).write_parquet(
                self._parts / f"part-{len(list(self._parts.iterdir())):06d}.parquet")
        else:
            if self.rows + frame.height > EXCEL_ROWS:
                raise InputError([make_problem(str(self.path), None, None, Text(
                    f"结果超过 Excel 单表行数上限（{EXCEL_ROWS}），请改用 --format csv",
                    f"the results exceed Excel's {EXCEL_ROWS} rows a sheet: use --format csv"))])
            self._frames.append(frame)
        self.rows += frame.height

    def header_only(self, schema: dict) -> None:
        if self.rows == 0:
            self._emit(pl.DataFrame(schema=schema))

    def finish(self) -> None:
        """Complete the file at its temporary name (a full disk shows here at the latest)."""
        if self.fmt == "xlsx":
            frame = pl.concat(self._frames, how="vertical_relaxed") if self._frames else pl.DataFrame()
            write_xlsx(frame, self.tmp)
        elif self.fmt == "parquet":  # the parts streamed into one file, never all in memory at once
            parts = sorted(self._parts.iterdir()) if self._parts.is_dir() else []
            if parts:
                pl.scan_parquet(parts).sink_parquet(self.tmp)
            else:
                pl.DataFrame().write_parquet(self.tmp)
            if self._parts.is_dir():
                shutil.rmtree(self._parts)
        else:
            self._handle.close()

    def close(self) -> None:
        """Let go of the file handle (the hidden folder with the file is removed by the OutFolder)."""
        try:
            if self._handle and not self._handle.closed:
                self._handle.close()
        except OSError:  # a full disk refuses the last flush too; the file is discarded anyway
            pass


class Writer:
    """Writes the outputs on a second thread while the next rows are read and evaluated (polars releases the
    GIL while it formats and writes, and writing is mostly single-threaded, so the other core is free). At most
    `depth` submissions wait or are being written — further submits wait — which bounds the memory they hold
    (two: one being written, one ready — a slow write then stalls evaluation rather than holding a third batch
    of results; why not three: bench/README.md).
    A write's error (a full disk) is raised in the main thread at the next submit or wait."""

    def __init__(self, depth: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chuangye-writer")
        self._pending: list[Future] = []
        self.depth = depth

    @staticmethod
    def _write(writes: list[tuple[Output, pl.DataFrame]]) -> None:
        for out, frame in writes:
            out.write(frame)

    def submit(self, writes: list[tuple[Output, pl.DataFrame]]) -> None:
        while self._pending and (self._pending[0].done() or len(self._pending) >= self.depth):
            self._pending.pop(0).result()
        if writes:
            self._pending.append(self._pool.submit(self._write, writes))

    def wait(self) -> None:
        while self._pending:
            self._pending.pop(0).result()

    def stop(self) -> None:
        """Let the write under way finish (its file is then discarded or committed) and end the thread."""
        self._pending = []
        self._pool.shutdown(wait=True, cancel_futures=True)


def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    """An xlsx a caseworker opens as is: the header row frozen, columns as wide as their text, money as numbers
    in a yuan format. Strings are written as strings (never formulas or links), so no cell needs an apostrophe."""
    import xlsxwriter

    money = [c for c, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    frame = frame.with_columns(pl.col(money).cast(pl.Float64)) if money else frame  # xlsx numbers are doubles
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False}) as book:
        # polars takes widths in pixels: about 7 a column of text, a Chinese character two columns
        widths = {c: 7 * min(60, max([cell_len(c)] + [cell_len(v) for v in frame[c].cast(pl.String).head(2000)
                                                        .drop_nulls().to_list()]) + 2) for c in frame.columns}
        frame.write_excel(book, worksheet="results", autofit=False, freeze_panes=(1, 0),
                          column_formats={c: '#,##0.00" 元"' for c in money} or None, column_widths=widths,
                          include_header=True, table_style=None, autofilter=True)


RESULT_SCHEMA = {
    "row": pl.Int64, "applicant_id": pl.String, "city": pl.String, "benefit_id": pl.String, "benefit_name": pl.String,
    "category": pl.String, "status": pl.String, "amount_kind": pl.String, "amount_value": pl.Decimal(38, 2),
    "amount_min": pl.Decimal(38, 2), "amount_max": pl.Decimal(38, 2), "period": pl.String, "lead_departments": pl.String,
    "clause": pl.String, "missing_facts": pl.String,
}
APPLICANT_SCHEMA = {
    "row": pl.Int64, "applicant_id": pl.String, "city": pl.String, "eligible": pl.Int32, "needs_info": pl.Int32,
    "exact_total": pl.Decimal(38, 2), "up_to_total": pl.Decimal(38, 2), "unquantified": pl.Int32,
}


def _yuan(fen: pl.Series, text: bool) -> pl.Series:
    """yuan_text over a column of amounts, computed once per distinct amount (a benefit's amounts are mostly
    the same few figures) and as the written text when `text`."""
    distinct = fen.drop_nulls().unique()
    dtype = pl.String if text else pl.Decimal(38, 2)
    converted = pl.select(yuan_text(pl.lit(distinct)).cast(dtype)).to_series()
    return fen.replace_strict(distinct, converted, default=None, return_dtype=dtype)


def result_rows(long: pl.DataFrame, lang: str = "en") -> pl.DataFrame:
    """Long results with benefit text (LONG_COLUMNS) as results-file rows; status and amount kind as words in zh."""
    def words(column: str, table: dict) -> pl.Expr:
        if lang != "zh":
            return pl.col(column)
        return pl.col(column).cast(pl.String).replace_strict(
            {code: label(table, code, "zh") for code in table}, default=pl.col(column).cast(pl.String))
    return long.select(
        pl.col(ROW).alias("row"), "applicant_id", "city", "benefit_id", "benefit_name", "category",
        words("status", STATUS_WORDS), words("amount_kind", AMOUNT_KIND),
        *(pl.lit(_yuan(long[f"{part}_fen"], False)).alias(f"amount_{part}") for part in ("value", "min", "max")),
        "period", "lead_departments", "clause", "missing_facts")


def joined_result_rows(long: pl.DataFrame, table: BenefitTable) -> pl.DataFrame:
    """Long results as the CSV writes them (engine.joined_rows), the amounts as text."""
    rows = joined_rows(long, table)
    return rows.select(
        pl.col(ROW).alias("row"), "applicant_id", JOINED["head"], JOINED["status_kind"],
        *(pl.lit(_yuan(rows[f"{part}_fen"], True)).alias(f"amount_{part}") for part in ("value", "min", "max")),
        JOINED["tail"])


def applicant_rows(sums: pl.DataFrame, cities: dict[str, str] | None = None) -> pl.DataFrame:
    city = pl.col("city").replace_strict(cities, default=pl.col("city")) if cities else pl.col("city")
    return sums.select(pl.col(ROW).alias("row"), "applicant_id", city, "eligible", "needs_info",
                       yuan_text(pl.col("exact_fen")).alias("exact_total"),
                       yuan_text(pl.col("up_to_fen")).alias("up_to_total"), "unquantified")
