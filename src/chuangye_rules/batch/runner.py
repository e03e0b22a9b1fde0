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
import functools
import gc
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

import polars as pl

from ..base import limits
from ..base.disks import WRITING_OUTDIR, disk_problem
from ..base.messages import Text
from ..base.problems import InputError, make_problem
from ..engine.evaluation import checked_overrides
from ..render.i18n import OUTPUT_COLUMNS_ZH
from ..rules.history import benefit_keys
from ..rules.loading import choose_city, load_rulebooks
from . import report_html
from .budget import Budget
from .columns import ERROR_SCHEMA, mask_column, parse_chunk
from .compile import CompiledRulebook, compile_rulebook
from .engine import BenefitTable, benefit_table, build_queries, evaluate_lazy, long_results, row_totals, with_benefit_text
from .failures import SignalsNoted, interrupted
from .listinput import Ahead, cell_cities
from .listinput import open_list as _open_list  # the name compare.py and the tests reach it by
from .outfolder import OutFolder, is_uri
from .outputs import (
    APPLICANT_SCHEMA,
    PREQUOTE,
    RESULT_SCHEMA,
    Output,
    Writer,
    applicant_rows,
    csv_cell,
    csv_cells,
    defused,
    joined_result_rows,
    neutralise,
    result_rows,
    write_xlsx,
    yuan_text,
)
from .rowbatches import DuplicateIds, Waiting, city_parts

# what other modules and the tests import from here, where these lived before the batch flow was split by job
__all__ = ["BatchSummary", "Output", "Writer", "_open_list", "cell_cities", "neutralise", "run_batch", "write_xlsx",
           "yuan_text"]

FORMATS = ("csv", "jsonl", "xlsx", "parquet")


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


def _arguments(input_path: Path, outdir: Path | str, fmt: str) -> tuple[Path, Path, dict[str, str]]:
    """The list, OUTDIR and the outputs' names, or InputError for what cannot be."""
    input_path = Path(input_path)
    if is_uri(outdir):  # before it becomes a Path, which would make it a local folder "hdfs:"
        raise InputError([make_problem("-o", None, None, Text(
            f"输出目录 {outdir} 在 Hadoop 文件系统上：只有 --engine spark 能写到那里，polars 引擎写本机目录",
            f"the output folder {outdir} is on a Hadoop file system: only --engine spark writes there; the polars "
            "engine writes a folder on this machine"))])
    outdir = Path(outdir)
    if not input_path.is_file():
        raise InputError([make_problem(str(input_path), None, None, Text("找不到输入文件", "the input file does not exist"))])
    if fmt not in FORMATS:
        raise InputError([make_problem("--format", None, None, Text(f"不支持的格式 {fmt}（可选: {', '.join(FORMATS)}）",
                                                                  f"unknown format {fmt} (one of: {', '.join(FORMATS)})"))])
    ext = "jsonl" if fmt == "jsonl" else fmt
    names = {"results": f"results.{ext}", "applicants": f"applicants.{ext}", "errors": "errors.csv"}
    return input_path, outdir, names


@_two_threads
def run_batch(
    input_path: Path,
    outdir: Path | str,
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
    input_path, outdir, names = _arguments(input_path, outdir, fmt)
    extra = ["summary.json"] + (["report.md", "report.html"] if budget is not None else [])
    folder = OutFolder(outdir, [*names.values(), *extra], input_path, overwrite)
    folder.check()
    as_of = as_of or dt.date.today()
    # from here a Ctrl-C or SIGTERM is noted: one that lands inside a polars call (compiling the rulebooks, reading
    # the header) can come out of polars as another error, which is then an interruption, not a bug
    noted = SignalsNoted().__enter__()
    try:
        every = load_rulebooks(rulebook_paths or None)
        books = choose_city(every, city) if city else every
        overrides = checked_overrides(parameters, every)
        compiled = {b.slug: compile_rulebook(b.rulebook, as_of, overrides) for b in books}
        cities = cell_cities(every)
        used, header, chunks = _open_list(input_path, encoding, chunk_rows)
    except BaseException as error:
        noted.__exit__()
        if not isinstance(error, KeyboardInterrupt) and (noted.received or interrupted(error)):
            raise KeyboardInterrupt from None
        raise
    summary = BatchSummary(str(input_path), used, as_of.isoformat(), ignored_columns=header.ignored,
                           earlier_outputs=sorted(folder.earlier))
    run = _Run(folder, compiled, summary, fmt=fmt, lang=lang, city=city, budget=budget, progress=progress,
               noted=noted)
    run.execute(names, extra, lambda: (Ahead((raw, parse_chunk(raw, header, cities, run.known, run.benefits, lang))
                                             for raw in chunks)), every, chunk_rows, started, input_path, outdir)
    return summary


class _Run:
    """One run's moving parts between opening its hidden folder and placing (or discarding) its outputs: what the
    clean-up after a failure or an interruption has to stop, close and remove."""

    def __init__(self, folder: OutFolder, compiled: dict[str, CompiledRulebook], summary: BatchSummary, *, fmt: str,
                 lang: str, city: str | None, budget: Budget | None, progress: Callable[[int, int], None] | None,
                 noted: SignalsNoted):
        self.folder, self.compiled, self.summary = folder, compiled, summary
        self.fmt, self.lang, self.city, self.budget, self.progress = fmt, lang, city, budget, progress
        self.outputs: dict[str, Output] = {}
        self.ids = DuplicateIds()
        self.known: dict = {}  # each column's distinct cells already typed, kept from block to block
        self.benefits: dict = {}
        self.reader: Ahead | None = None
        self.writer: Writer | None = None
        self.noted = noted  # entered by run_batch, left when the run ends either way
        # results and applicants: their one input column, the id, is defused (and quoted for CSV) as it is read,
        # and the rulebook text quoted once per benefit, not once per row written
        self.quoted = fmt == "csv" and PREQUOTE

    def execute(self, names: dict[str, str], extra: list[str], reader: Callable[[], Ahead], every: list,
                chunk_rows: int, started: float, input_path: Path, outdir: Path) -> None:
        doing = WRITING_OUTDIR
        try:
            self.folder.open()
            doing = Text("读写文件失败", "reading or writing a file failed")
            self.writer = Writer()
            # the next block is read and typed on its own thread while this one is evaluated
            self.benefits = benefit_keys(b.rulebook for b in every)  # as evaluate() checks a profile's history
            self.reader = reader()
            table = self._open_outputs(names)
            for book in self.compiled.values():  # while the reader reads and types the first block
                build_queries(book)
            self._evaluate_all(table, chunk_rows)
            self._finish(names, extra, started)
            self.noted.__exit__()
        except BaseException as error:
            if self.folder.placed and isinstance(error, KeyboardInterrupt):  # a signal just after the outputs were placed
                self.noted.__exit__()
                self.folder.discard()  # what is left of the hidden folder; the placed outputs are not in it
                self.summary.interrupted_when_done = True
                return
            replacement = self._fail(error, input_path, outdir, doing)
            if replacement is not None:
                raise replacement from None
            raise

    def _open_outputs(self, names: dict[str, str]) -> BenefitTable:
        quoted, lang = self.quoted, self.lang
        table = benefit_table(list(self.compiled.values()), cell=csv_cell if quoted else None, joined=quoted, lang=lang)
        city_words = {c.slug: c.rulebook.city.zh for c in self.compiled.values()} if lang == "zh" else None
        if city_words and quoted:
            city_words = {slug: csv_cell(zh) for slug, zh in city_words.items()}
        headers = OUTPUT_COLUMNS_ZH if lang == "zh" else None
        for key, name in names.items():
            kind = "csv" if key == "errors" else self.fmt
            render = {"results": (lambda long: joined_result_rows(long, table)) if quoted else
                      (lambda long: result_rows(with_benefit_text(long, table), lang)),
                      "applicants": lambda sums: applicant_rows(sums, city_words), "errors": None}[key]
            self.outputs[key] = Output(self.folder.final(name), self.folder.path(name), kind, render=render,
                                       defuse=key == "errors", quoted=quoted and key != "errors", headers=headers)
        return table

    def _evaluate_all(self, table: BenefitTable, chunk_rows: int) -> None:
        summary, outputs = self.summary, self.outputs
        waiting = Waiting(list(self.compiled), chunk_rows)
        for raw, parsed in self.reader:
            summary.blank_lines += raw.blank_lines
            summary.read += parsed.frame.height + parsed.rejected
            summary.rejected += parsed.rejected
            summary.evaluated += parsed.frame.height
            writes = [(outputs["errors"], parsed.errors)] if parsed.errors.height else []
            self.ids.add(parsed.ids)
            waiting.add(city_parts(self._shown_ids(parsed.frame), self.compiled, self.city))
            for slug, part in waiting.full():
                writes += _evaluate(slug, part, self.compiled, table, outputs, summary, self.budget)
            self.writer.submit(writes)
            if self.progress:
                self.progress(summary.read, summary.rejected)
        for slug, part in waiting.rest():
            self.writer.submit(_evaluate(slug, part, self.compiled, table, outputs, summary, self.budget))
        self.writer.wait()

    def _shown_ids(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Echoed in every output: an ID or phone number used as the id is masked, and a formula defused, once per
        applicant rather than once per result row."""
        if not frame.height:
            return frame
        shown = pl.lit(mask_column(frame["applicant_id"]))
        shown = shown if self.fmt in ("xlsx", "parquet") else defused(shown)  # a typed string cell is never a formula
        return frame.with_columns((csv_cells(shown) if self.quoted else shown).alias("applicant_id"))

    def _finish(self, names: dict[str, str], extra: list[str], started: float) -> None:
        summary, outputs, folder, budget = self.summary, self.outputs, self.folder, self.budget
        outputs["results"].header_only(RESULT_SCHEMA)
        outputs["applicants"].header_only(APPLICANT_SCHEMA)
        outputs["errors"].header_only(ERROR_SCHEMA)
        summary.duplicate_ids, summary.duplicate_rows = self.ids.report()
        summary.outputs = {k: str(v.path) for k, v in outputs.items()}
        for out in outputs.values():
            out.finish()
        if budget is not None:
            report_html.write_reports(budget, summary.as_of, folder, summary.outputs, "report.html" in extra, self.lang)
        summary.seconds = round(time.perf_counter() - started, 3)
        _write_summary(folder.path("summary.json"), summary)
        self.reader.close()
        self.writer.stop()
        if self.noted.received:  # a Ctrl-C or SIGTERM that something on the way swallowed: the user asked to stop
            raise KeyboardInterrupt
        folder.commit([*names.values(), *extra])
        summary.interrupted_when_done = folder.late_interrupt

    def _fail(self, error: BaseException, input_path: Path, outdir: Path, doing: Text) -> BaseException | None:
        """Stop, close and remove what the run started; the error to raise instead of `error`, if any."""
        while True:  # Ctrl-C may arrive twice (polars raises its own as well): the clean-up is finished regardless
            try:
                if self.reader is not None:
                    self.reader.close()
                if self.writer is not None:
                    self.writer.stop()
                for out in self.outputs.values():
                    out.close()
                self.folder.discard()
                break
            except KeyboardInterrupt:
                pass
        self.noted.__exit__()
        if not isinstance(error, KeyboardInterrupt) and (self.noted.received or interrupted(error)):
            return KeyboardInterrupt()
        if isinstance(error, OSError):  # a full disk, a folder made read-only or removed, an unreadable list
            return disk_problem(error, outdir, doing)
        if isinstance(error, MemoryError):
            return InputError([make_problem(str(input_path), None, None, Text(
                "内存不足，运行已停止，未写出任何结果文件", "out of memory: the run stopped and wrote no result file"),
                Text("关闭其他程序后重新运行，或把名单分成几个文件",
                     "close other programs and run again, or split the list into several files"))])
        return None


def _evaluate(slug: str, part: pl.DataFrame, compiled: dict[str, CompiledRulebook], table: BenefitTable,
              outputs: dict[str, Output], summary: BatchSummary, budget: Budget | None) -> list:
    """Evaluate a batch of one rulebook's applicants; the (output, frame) writes it makes, for the writer thread."""
    book = compiled[slug]
    wide = evaluate_lazy(part, book).collect()
    results = long_results(wide, book, first=table.first[slug])
    summary.result_rows += results.height
    if budget is not None:
        budget.add(book, wide)
    return [(outputs["results"], results), (outputs["applicants"], row_totals(wide, book))]


def _write_summary(path: Path, summary: BatchSummary) -> None:
    data = {**asdict(summary), "balanced": summary.balanced}
    data.pop("interrupted_when_done")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
