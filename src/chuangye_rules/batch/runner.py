"""`chuangye batch`: a whole list, chunk by chunk, into outputs that appear only when the whole run succeeded.

Outputs (in OUTDIR): results.<fmt> (one row per applicant × benefit that is eligible or needs
information), applicants.<fmt> (one row per applicant and city: counts and totals), errors.csv (every row
that could not be read, with row number, column and reason), summary.json, and with a budget report.md. They
are written in a hidden folder of this run's own and placed in OUTDIR together at the end (outfolder.py says
what a run may and may not touch); a failure or an interruption removes only what this run wrote.

Duplicate applicant ids are not an error: every row is evaluated (and keeps its row number, which tells
them apart), and summary.json counts the rows whose id an earlier row already used (`duplicate_ids`) and
lists them (`duplicate_rows`, the first 20 groups of row numbers sharing an id).
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import gc
import json
import os
import queue
import re
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

import polars as pl
from rich.cells import cell_len  # display width: a Chinese character takes two columns

from ..base import limits
from ..base.problems import InputError, Problem
from ..engine.amounts import checked_parameters
from ..render.i18n import AMOUNT_KIND, OUTPUT_COLUMNS_ZH, label
from ..render.i18n import STATUS as STATUS_WORDS
from ..rules.history import benefit_keys
from ..rules.loading import LoadedRulebook, choose_city, city_names, load_rulebooks
from . import report_html
from .budget import Budget
from .columnar import ROW
from .columns import ERROR_SCHEMA, detect_encoding, iter_csv, map_headers, mask_column, parse_chunk, read_xlsx
from .compile import CompiledRulebook, compile_rulebook
from .engine import (
    FORMULA_CHARS,
    JOINED,
    BenefitTable,
    benefit_table,
    evaluate_lazy,
    joined_rows,
    long_results,
    prepare,
    totals,
    with_benefit_text,
)
from .outfolder import OutFolder
from .parquet import is_parquet, iter_parquet

FORMATS = ("csv", "jsonl", "xlsx", "parquet")
EXCEL_ROWS = 1_048_575
FORMULA_START = "^[" + re.escape(FORMULA_CHARS) + "]"


@dataclass
class BatchSummary:
    input: str
    encoding: str
    as_of: str
    read: int = 0
    evaluated: int = 0
    rejected: int = 0
    blank_lines: int = 0
    result_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    duplicate_ids: int = 0  # evaluated rows whose applicant id an earlier evaluated row already had
    duplicate_rows: list[list[int]] = field(default_factory=list)  # the first groups of rows sharing an id
    outputs: dict[str, str] = field(default_factory=dict)
    earlier_outputs: list[str] = field(default_factory=list)  # an earlier run's files left in OUTDIR, not this run's
    seconds: float = 0.0
    interrupted_when_done: bool = field(default=False, repr=False)  # a signal came as the outputs were placed

    @property
    def balanced(self) -> bool:
        return self.read == self.evaluated + self.rejected


def cell_cities(books: list[LoadedRulebook]) -> dict[str, str]:
    """What a list's 城市 cell may say → the city's slug."""
    return {name: b.slug for b in books for name in city_names(b)}


def yuan_text(fen: pl.Expr) -> pl.Expr:
    """Integer fen as exact decimal yuan with two places (500000 → 5000.00), written as such in every format."""
    return fen.cast(pl.Decimal(38, 2)) / pl.lit(100, dtype=pl.Decimal(38, 0))


# columns whose text comes from the input file; the others are rulebook text, checked once below
INPUT_COLUMNS = ("applicant_id", "value", "column")


def _defused(cell: pl.Expr) -> pl.Expr:
    return pl.when(cell.str.contains(FORMULA_START)).then(pl.lit("'") + cell).otherwise(cell)


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Cells a spreadsheet would run as a formula (= + - @) get a leading apostrophe."""
    strings = [c for c, t in frame.schema.items() if t == pl.String and c in INPUT_COLUMNS]
    return frame.with_columns(_defused(pl.col(c)).alias(c) for c in strings)


PREQUOTE = True  # CSV cells quoted by csv_cell / _csv_cells, written unchecked; False: polars quotes each cell


def csv_cell(text: str) -> str:
    """A cell as CSV writes it: quoted, quotes doubled, when it holds a comma, a quote or a line break."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') or text == "" else text


def _csv_cells(cell: pl.Expr) -> pl.Expr:
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
        self._handle = open(self.tmp, "wb") if fmt not in ("xlsx", "parquet") else None
        if fmt == "csv":
            self._handle.write(b"\xef\xbb\xbf")  # so Excel opens UTF-8 Chinese correctly

    def write(self, frame: pl.DataFrame) -> None:
        for start in range(0, frame.height, self.SLICE):
            piece = frame.slice(start, self.SLICE)
            self._emit(self.render(piece) if self.render else piece)

    def _emit(self, frame: pl.DataFrame) -> None:
        if self.defuse and self.fmt not in ("xlsx", "parquet"):  # an xlsx cell written as a string is never a formula
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
        elif self.fmt == "parquet":  # typed columns (Decimal yuan), one file at the end from the parts
            self._frames.append(frame.with_columns(pl.col(pl.Categorical).cast(pl.String)))
        else:
            if self.rows + frame.height > EXCEL_ROWS:
                raise InputError([Problem(str(self.path), None, None,
                                          f"结果超过 Excel 单表行数上限（{EXCEL_ROWS}），请改用 --format csv")])
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
        elif self.fmt == "parquet":
            frame = pl.concat(self._frames, how="vertical_relaxed") if self._frames else pl.DataFrame()
            frame.write_parquet(self.tmp)
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
    of results; a third measured no faster and raised the peak of a long run by ~60 MB).
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


class Ahead:
    """Runs an iterator on its own thread, at most `depth` items ahead of its consumer: the next block is read
    and typed while this one is evaluated. Its error is raised to the consumer; close() stops it early."""

    def __init__(self, items: Iterator, depth: int = 1) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), name="chuangye-reader", daemon=True)
        self._thread.start()

    def _put(self, item: tuple) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, items: Iterator) -> None:
        try:
            for item in items:
                if not self._put(("item", item)):
                    return
            self._put(("end", None))
        except BaseException as error:  # handed to the consumer, which decides what it means
            self._put(("error", error))
        finally:
            close = getattr(items, "close", None)
            if close:
                close()  # a generator's own clean-up (the list's file handle) runs on this thread

    def __iter__(self) -> Iterator:
        while True:
            kind, value = self._queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()


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


def _result_rows(long: pl.DataFrame, lang: str = "en") -> pl.DataFrame:
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


def _joined_result_rows(long: pl.DataFrame, table: BenefitTable) -> pl.DataFrame:
    """Long results as the CSV writes them (engine.joined_rows), the amounts as text."""
    rows = joined_rows(long, table)
    return rows.select(
        pl.col(ROW).alias("row"), "applicant_id", JOINED["head"], JOINED["status_kind"],
        *(pl.lit(_yuan(rows[f"{part}_fen"], True)).alias(f"amount_{part}") for part in ("value", "min", "max")),
        JOINED["tail"])


def _applicant_rows(sums: pl.DataFrame, cities: dict[str, str] | None = None) -> pl.DataFrame:
    city = pl.col("city").replace_strict(cities, default=pl.col("city")) if cities else pl.col("city")
    return sums.select(pl.col(ROW).alias("row"), "applicant_id", city, "eligible", "needs_info",
                       yuan_text(pl.col("exact_fen")).alias("exact_total"),
                       yuan_text(pl.col("up_to_fen")).alias("up_to_total"), "unquantified")


def _two_threads(run: Callable) -> Callable:
    """While a batch runs, the main and the writer thread take turns with the GIL between polars calls: hand
    it over sooner than the default 5 ms. And nothing in a run makes reference cycles worth a collector pass."""

    @functools.wraps(run)
    def wrapper(*args, **kwargs):
        interval, collecting = sys.getswitchinterval(), gc.isenabled()
        sys.setswitchinterval(0.0005)
        gc.disable()
        try:
            return run(*args, **kwargs)
        finally:
            sys.setswitchinterval(interval)
            if collecting:
                gc.enable()

    return wrapper


@_two_threads
def run_batch(
    input_path: Path,
    outdir: Path,
    city: str | None = None,
    as_of: dt.date | None = None,
    fmt: str = "csv",
    encoding: str | None = None,
    rulebook_paths: Iterable[Path] | None = None,
    parameters: dict[str, Decimal] | None = None,
    chunk_rows: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    budget: Budget | None = None,
    overwrite: bool = False,
    lang: str = "en",
) -> BatchSummary:
    """Evaluate every row of a CSV or XLSX list; see the module docstring for the outputs. `chunk_rows`: rows
    evaluated at once (default: limits.chunk_rows). With a `budget`, report.md is written too. `overwrite`: an
    earlier run's outputs in OUTDIR (and only those, unchanged since) may be replaced. `lang`: "zh" writes
    Chinese column names and words (what `chuangye batch` writes by default), "en" the field names and codes."""
    started = time.perf_counter()
    chunk_rows = chunk_rows or limits.current().chunk_rows
    input_path = Path(input_path)
    outdir = Path(outdir)
    if not input_path.is_file():
        raise InputError([Problem(str(input_path), None, None, "找不到输入文件")])
    if fmt not in FORMATS:
        raise InputError([Problem("--format", None, None, f"不支持的格式 {fmt}（可选: {', '.join(FORMATS)}）")])
    ext = "jsonl" if fmt == "jsonl" else fmt
    names = {"results": f"results.{ext}", "applicants": f"applicants.{ext}", "errors": "errors.csv"}
    # report.html beside report.md where matplotlib is installed (the `charts` extra)
    extra = ["summary.json"] + (["report.md"] + (["report.html"] if report_html.available() else [])
                                if budget is not None else [])
    folder = OutFolder(outdir, [*names.values(), *extra], input_path, overwrite)
    folder.check()
    as_of = as_of or dt.date.today()
    every = load_rulebooks(rulebook_paths or None)
    books = choose_city(every, city) if city else every
    compiled = {b.slug: compile_rulebook(b.rulebook, as_of, checked_parameters(parameters)) for b in books}
    cities = cell_cities(every)
    used, header, chunks = _open_list(input_path, encoding, chunk_rows)

    outputs: dict[str, Output] = {}
    summary = BatchSummary(str(input_path), used, as_of.isoformat(), ignored_columns=header.ignored,
                           earlier_outputs=sorted(folder.earlier))
    ids = DuplicateIds()
    waiting = Waiting(list(compiled), chunk_rows)
    known: dict = {}  # each column's distinct cells already typed, kept from block to block
    reader: Ahead | None = None
    writer: Writer | None = None
    doing = "无法在输出目录中写文件"
    noted = _SignalsNoted()
    try:
        noted.__enter__()
        folder.open()
        doing = "读写文件失败"
        writer = Writer()
        # the next block is read and typed on its own thread while this one is evaluated
        benefits = benefit_keys(b.rulebook for b in every)  # as evaluate() checks a profile's history
        reader = Ahead((raw, parse_chunk(raw, header, cities, known, benefits)) for raw in chunks)
        # results and applicants: their one input column, the id, is defused (and quoted for CSV) as it is read,
        # and the rulebook text quoted once per benefit, not once per row written
        quoted = fmt == "csv" and PREQUOTE
        table = benefit_table(list(compiled.values()), cell=csv_cell if quoted else None, joined=quoted, lang=lang)
        city_words = {c.slug: c.book.city.zh for c in compiled.values()} if lang == "zh" else None
        if city_words and quoted:
            city_words = {slug: csv_cell(zh) for slug, zh in city_words.items()}
        headers = OUTPUT_COLUMNS_ZH if lang == "zh" else None
        for key, name in names.items():
            kind = "csv" if key == "errors" else fmt
            render = {"results": (lambda long: _joined_result_rows(long, table)) if quoted else
                      (lambda long: _result_rows(with_benefit_text(long, table), lang)),
                      "applicants": lambda sums: _applicant_rows(sums, city_words), "errors": None}[key]
            outputs[key] = Output(folder.final(name), folder.path(name), kind, render=render,
                                  defuse=key == "errors", quoted=quoted and key != "errors", headers=headers)
        for book in compiled.values():  # while the reader reads and types the first block
            prepare(book)
        for raw, parsed in reader:
            summary.blank_lines += raw.blank_lines
            summary.read += parsed.frame.height + parsed.rejected
            summary.rejected += parsed.rejected
            summary.evaluated += parsed.frame.height
            writes = [(outputs["errors"], parsed.errors)] if parsed.errors.height else []
            ids.add(parsed.ids)
            frame = parsed.frame
            if frame.height:  # echoed in every output: an ID or phone number used as the id is masked, and a
                # formula defused, once per applicant rather than once per result row
                shown = pl.lit(mask_column(frame["applicant_id"]))
                shown = shown if fmt in ("xlsx", "parquet") else _defused(shown)  # an xlsx string cell is never a formula
                frame = frame.with_columns((_csv_cells(shown) if quoted else shown).alias("applicant_id"))
            waiting.add(_city_parts(frame, compiled, city))
            for slug, part in waiting.full():
                writes += _evaluate(slug, part, compiled, table, outputs, summary, budget)
            writer.submit(writes)
            if progress:
                progress(summary.read, summary.rejected)
        for slug, part in waiting.rest():
            writer.submit(_evaluate(slug, part, compiled, table, outputs, summary, budget))
        writer.wait()
        outputs["results"].header_only(RESULT_SCHEMA)
        outputs["applicants"].header_only(APPLICANT_SCHEMA)
        outputs["errors"].header_only(ERROR_SCHEMA)
        summary.duplicate_ids, summary.duplicate_rows = ids.report()
        summary.outputs = {k: str(v.path) for k, v in outputs.items()}
        for out in outputs.values():
            out.finish()
        if budget is not None:
            title = f"政策找人预算报告（评估日期 {summary.as_of}）"
            summary.outputs["report"] = str(folder.final("report.md"))
            folder.path("report.md").write_text(budget.markdown(title), encoding="utf-8")
            if "report.html" in extra:
                summary.outputs["report_html"] = str(folder.final("report.html"))
                folder.path("report.html").write_text(report_html.html_report(budget, title), encoding="utf-8")
        summary.seconds = round(time.perf_counter() - started, 3)
        _write_summary(folder.path("summary.json"), summary)
        reader.close()
        writer.stop()
        if noted.received:  # a Ctrl-C or SIGTERM that something on the way swallowed: the user asked to stop
            raise KeyboardInterrupt
        folder.commit([*names.values(), *extra])
        summary.interrupted_when_done = folder.late_interrupt
    except BaseException as error:
        while True:  # Ctrl-C may arrive twice (polars raises its own as well): the clean-up is finished regardless
            try:
                if reader is not None:
                    reader.close()
                if writer is not None:
                    writer.stop()
                for out in outputs.values():
                    out.close()
                folder.discard()
                break
            except KeyboardInterrupt:
                pass
        noted.__exit__()
        if not isinstance(error, KeyboardInterrupt) and (noted.received or _interrupted(error)):
            raise KeyboardInterrupt from None
        if isinstance(error, OSError):  # a full disk, a folder made read-only or removed, an unreadable list
            raise _disk_problem(error, outdir, doing) from None
        if isinstance(error, MemoryError):
            raise InputError([Problem(str(input_path), None, None, "内存不足，运行已停止，未写出任何结果文件",
                                      "关闭其他程序后重新运行，或把名单分成几个文件")]) from None
        raise
    noted.__exit__()
    return summary


class _SignalsNoted:
    """Remembers that Ctrl-C or SIGTERM came during the run (then acts as before: KeyboardInterrupt). polars
    may swallow the KeyboardInterrupt raised inside one of its calls and raise something else instead; the
    run is then still reported as interrupted, not as a bug."""

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self) -> None:
        self.received = False
        self.previous: dict = {}

    def __enter__(self) -> "_SignalsNoted":
        import signal

        if threading.current_thread() is not threading.main_thread():
            return self
        for name in self.SIGNALS:
            number = getattr(signal, name)
            previous = signal.getsignal(number)
            self.previous[number] = previous
            signal.signal(number, functools.partial(self._note, previous))
        return self

    def _note(self, previous, number, frame) -> None:
        import signal

        self.received = True
        if callable(previous):
            previous(number, frame)
        elif previous != signal.SIG_IGN:  # ignored stays ignored; SIGTERM's default (ending at once) an interrupt
            raise KeyboardInterrupt

    def __exit__(self, *exc) -> None:
        import signal

        for number, previous in self.previous.items():
            signal.signal(number, previous)
        self.previous = {}


def _interrupted(error: BaseException) -> bool:
    """Whether Ctrl-C or SIGTERM caused this error: one that lands while polars calls back into Python comes
    out of polars as another error (a TypeError "… is not a Polars data type") with the interrupt inside."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


_DISK_WORDS = {
    errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "输出目录所在的磁盘是只读的",
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.ENOENT: "输出目录或名单文件在运行中被删除或移动",
    errno.EIO: "磁盘读写出错",
}


def _errno_of(error: OSError) -> int | None:
    """The error's number — polars' own I/O errors carry it only in their text ("[Errno 28] No space left…")."""
    if error.errno is not None:
        return error.errno
    found = re.search(r"\[Errno (\d+)\]|os error (\d+)", str(error))
    if found:
        return int(found.group(1) or found.group(2))
    by_text = {os.strerror(number).lower(): number for number in _DISK_WORDS}
    return next((n for text, n in by_text.items() if text in str(error).lower()), None)


def _disk_problem(error: OSError, outdir: Path, what: str) -> InputError:
    why = _DISK_WORDS.get(_errno_of(error)) or f"{error.strerror or error}"
    return InputError([Problem(str(error.filename or outdir), None, None,
                               f"{what}：{why}。未写出任何结果文件，名单和目录中原有的文件都未改动",
                               "检查磁盘空间、目录权限和名单文件后重新运行，或用 -o 指定另一个目录")])


def _open_list(input_path: Path, encoding: str | None, chunk_rows: int):
    """(the encoding used, the header mapped to fields, the blocks of raw lines) — or a located problem."""
    if is_parquet(input_path):
        used = "parquet"
        names, chunks = iter_parquet(input_path, chunk_rows)
    elif input_path.suffix.lower() in (".xlsx", ".xlsm"):
        used = "xlsx"
        try:
            names, chunks = read_xlsx(input_path, chunk_rows)
        except InputError:
            raise
        except Exception as error:  # a corrupt or non-Excel file: report it, no traceback
            raise InputError([Problem(str(input_path), None, None, f"无法读取 Excel 文件: {error}")]) from None
    else:
        used = encoding or detect_encoding(input_path)
        names, chunks = iter_csv(input_path, used)
    if not names:
        raise InputError([Problem(str(input_path), 1, None, "文件为空或没有表头")])
    header = map_headers(names)
    if header.problems:
        raise InputError([Problem(str(input_path), 1, None, p) for p in header.problems])
    if not header.fields:
        raise InputError([Problem(str(input_path), 1, None, "表头中没有可识别的字段",
                                  "用 chuangye batch --show-columns 查看可用的列名")])
    return used, header, chunks


class DuplicateIds:
    """Applicant ids seen so far, as 64-bit hashes: 8 bytes a row (160 MB for 20 million rows), never the ids
    themselves, and for each block which of its rows they belong to, one bit a row. Found by sorting at the end,
    which needs no hash table."""

    SHOWN = 20

    def __init__(self) -> None:
        self.hashes: list[pl.Series] = []
        self.blocks: list[tuple[int, pl.Series]] = []  # (first row, which rows from there on have an id)

    def add(self, ids: pl.DataFrame | None) -> None:
        if ids is not None and ids.height:
            self.hashes.append(ids["applicant_id"].hash(seed=0))
            rows = ids[ROW]
            first, last = rows.min(), rows.max()
            self.blocks.append((first, pl.int_range(first, last + 1, eager=True).is_in(rows.implode())))

    def _rows(self) -> pl.Series:
        """The row of each hash, in the order added."""
        return pl.concat([pl.int_range(first, first + has.len(), eager=True).filter(has) for first, has in self.blocks])

    def report(self) -> tuple[int, list[list[int]]]:
        """(how many rows repeat an earlier row's id, the first groups of rows that share an id)."""
        if not self.hashes:
            return 0, []
        hashes = pl.concat(self.hashes, rechunk=False)
        self.hashes = []
        ordered = hashes.sort()
        repeats = ordered.len() - ordered.n_unique()  # on sorted values a scan, with no table or copy
        if repeats == 0:
            return 0, []
        repeated = ordered.filter(ordered == ordered.shift(1)).unique()
        del ordered
        found = pl.DataFrame({"h": hashes, "row": self._rows()}).filter(pl.col("h").is_in(repeated.implode()))
        groups = (found.group_by("h").agg(pl.col("row").sort()).sort(pl.col("row").list.first())
                  .head(self.SHOWN)["row"].to_list())
        return repeats, groups


class Waiting:
    """Valid rows waiting to be evaluated, per rulebook. A rulebook is evaluated `size` rows at a time (and
    what is left at the end): a query of a few thousand expressions costs ~10 ms to plan whatever its rows,
    so each city gets full batches rather than its fifth of every block read; and a block of very short lines
    (a million rows) is still evaluated at most `size` rows at once — each row takes up to ~20 kB meanwhile."""

    def __init__(self, slugs: list[str], size: int) -> None:
        self.size = max(size, 1)
        # the first batches are smaller, so the writer thread gets work before five cities have filled up
        self.batch = max(self.size // 8, 1)
        self.frames: dict[str, list[pl.DataFrame]] = {s: [] for s in slugs}
        self.rows = dict.fromkeys(slugs, 0)

    def add(self, parts: dict[str, pl.DataFrame]) -> None:
        for slug, part in parts.items():
            self.frames[slug].append(part)
            self.rows[slug] += part.height

    def full(self) -> Iterator[tuple[str, pl.DataFrame]]:
        """Batches of `size` rows (the first few smaller): one from the city with the most rows waiting
        (cities fill at the same pace, and evaluating them all after the same block would leave the writer
        thread idle, then swamped), then more, fullest city first, while over three batches' rows wait in all
        (what bounds the memory rows take while they wait)."""
        fullest = max(self.rows, key=self.rows.get, default=None)
        if fullest is not None and self.rows[fullest] >= self.batch:
            yield fullest, self._take(fullest)
        while sum(self.rows.values()) > 3 * self.size:
            fullest = max(self.rows, key=self.rows.get)
            yield fullest, self._take(fullest)

    def _take(self, slug: str) -> pl.DataFrame:
        frame = pl.concat(self.frames[slug], rechunk=False)
        size, self.batch = min(self.batch, frame.height), min(2 * self.batch, self.size)
        rest = frame.slice(size)
        self.frames[slug], self.rows[slug] = ([rest] if rest.height else []), rest.height
        return frame.slice(0, size)

    def rest(self) -> Iterator[tuple[str, pl.DataFrame]]:
        """What is left at the end, still at most `size` rows at a time."""
        for slug, frames in self.frames.items():
            frame = pl.concat(frames, rechunk=False) if frames else None
            self.frames[slug], self.rows[slug] = [], 0
            for start in range(0, frame.height if frame is not None else 0, self.size):
                yield slug, frame.slice(start, self.size)


def _city_parts(frame: pl.DataFrame, compiled: dict[str, CompiledRulebook], city: str | None) -> dict[str, pl.DataFrame]:
    """The rows each rulebook evaluates: those naming its city, and those naming none (evaluated against
    every rulebook, as `check` does)."""
    if frame.height == 0:
        return {}
    if city or "city" not in frame.columns:
        return dict.fromkeys(compiled, frame)
    parts = {slug: frame.filter(pl.col("city").is_null() | (pl.col("city") == slug)) for slug in compiled}
    return {slug: part for slug, part in parts.items() if part.height}


def _evaluate(slug: str, part: pl.DataFrame, compiled: dict[str, CompiledRulebook], table: BenefitTable,
              outputs: dict[str, Output], summary: BatchSummary, budget: Budget | None) -> list:
    """Evaluate a batch of one rulebook's applicants; the (output, frame) writes it makes, for the writer thread."""
    book = compiled[slug]
    wide = evaluate_lazy(part, book).collect()
    results = long_results(wide, book, first=table.first[slug])
    summary.result_rows += results.height
    if budget is not None:
        budget.add(book, wide)
    return [(outputs["results"], results), (outputs["applicants"], totals(wide, book))]


def _write_summary(path: Path, summary: BatchSummary) -> None:
    data = {**asdict(summary), "balanced": summary.balanced}
    data.pop("interrupted_when_done")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
