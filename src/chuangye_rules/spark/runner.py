"""`chuangye batch --engine spark`: a list evaluated by Spark with the spark-dialect query of `chuangye sql`.

- A CSV, XLSX or Parquet list is read and validated on the driver by the polars engine's own reader
  (columns.parse_chunk: the same rows rejected, with the same reasons and row numbers), a block at a time, and
  staged as Parquet in the SQL table form (spark/table.py) inside the run's hidden folder; `--table db.name`
  reads a table of the Spark catalog (its columns typed as `chuangye sql` describes), its cells checked by
  Spark (sql/cells.py), its repeated ids counted and personal numbers in its ids masked (spark/masking.py).
- Spark evaluates the rows with the query of sql/query.py over a temporary view — map-only: the query has no
  join but the cross join with a constant VALUES list of benefit numbers, no aggregation, no window
  (the row key comes with the rows) — and writes results/ (Parquet, partitioned by city, the columns of
  `chuangye sql`: codes, DECIMAL yuan), errors.csv and summary.json (read = evaluated + rejected).
- Outputs are written in the run's hidden folder in OUTDIR and placed only when the whole run succeeded
  (spark/folders.py): OUTDIR is a folder the driver and executors share — on this machine in local mode, NFS,
  or a Hadoop file system's (`hdfs://…`, `s3a://…`) on a cluster.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from functools import reduce
from pathlib import Path
from typing import Iterable

import polars as pl

from ..base.messages import Text
from ..base.problems import InputError, make_problem
from ..batch.columns import ERROR_SCHEMA, mask_column, parse_chunk
from ..batch.rowbatches import DuplicateIds
from ..batch.runner import BatchSummary, _open_list, _write_summary, cell_cities
from ..engine.evaluation import checked_overrides
from ..rules.history import benefit_keys
from ..rules.loading import choose_city, load_rulebooks
from .folders import HadoopOutFolder, SparkOutFolder, is_uri
from .masking import masked
from .session import require_pyspark, spark_session
from .table import sql_table

NAMES = ["results", "errors.csv", "benefits.csv", "summary.json"]
VIEW = "chuangye_applicants"


def _write_report(session, results, books, summary: BatchSummary, folder, lang: str) -> None:
    """report.md and report.html as the polars engine writes them (in `lang`), the figures aggregated by Spark
    (spark/report.py)."""
    from ..batch.report_html import write_reports
    from .report import spark_budget

    write_reports(spark_budget(session, results, [b.rulebook for b in books]), summary.as_of, folder, summary.outputs,
                  lang=lang)


def benefits_table(books) -> pl.DataFrame:
    """The benefits the results name, in words (benefits.csv): results/ holds codes, for the data platform to join
    on; this small table gives each benefit's names, category, payment and departments in Chinese and English."""
    from ..render.departments import department_names
    from ..rules.vocabulary import CATEGORY, PERIOD

    rows = []
    for book in books:
        city = book.rulebook.city
        for b in book.rulebook.benefits:
            category, period = b.category.value, b.period.value
            rows.append({
                "city": city.slug, "城市": city.zh, "benefit_id": b.id, "待遇名称": b.name, "benefit_name": b.name_en,
                "category": category, "类别": CATEGORY[category][0], "period": period, "发放方式": PERIOD[period][0],
                "牵头单位": "、".join(b.departments.lead), "配合单位": "、".join(b.departments.cooperating),
                "lead_departments": "; ".join(department_names(b.departments.lead, "en")), "条款": b.clause})
    return pl.DataFrame(rows, schema={name: pl.String for name in rows[0]} if rows else None)


def _source(session, table, input_path, encoding, chunk_rows, folder, every, summary, lang):
    """(the Spark frame to evaluate or None when no row is valid, its columns, the rejected rows): a catalog table
    with its cells checked in Spark (its errors.csv written then: None), or the list read and validated by the
    polars reader and staged as Parquet in the hidden folder."""
    if table is not None:
        from pyspark.sql import functions as F

        from ..sql.query import table_columns

        try:
            frame = session.table(table)
        except Exception as error:  # no such table: a message, no traceback
            first = str(error).splitlines()[0]
            raise InputError([make_problem(table, None, None, Text(f"无法读取 Spark 表：{first}",
                                                                   f"cannot read the Spark table: {first}"))]) from None
        if "row" not in frame.columns:
            # the query would number the rows with ROW_NUMBER() OVER (), a window that moves every row through one
            # task: unique increasing ids, numbered where each partition lies, keep the evaluation map-only
            from pyspark.sql.functions import monotonically_increasing_id

            frame = frame.withColumn("row", monotonically_increasing_id() + 1)
        frame = _checked_table(frame, every, folder, summary, lang)
        ids = table_columns(frame.columns).get("applicant_id")
        if ids is not None:
            _count_duplicates(frame, ids, summary)
            frame = frame.withColumn(ids, masked(F.col(f"`{ids}`").cast("string")))  # as the list reader masks them
        return frame, frame.columns, None
    staged = folder.path(".input")
    columns, errors = _stage_list(Path(input_path), encoding, chunk_rows, staged, every, summary, lang)
    if not any(staged.iterdir()):
        return None, columns, errors
    folder.publish(".input")
    return session.read.parquet(folder.dataset(".input")), columns, errors


def _count_duplicates(frame, column: str, summary: BatchSummary) -> None:
    """A table's repeated applicant ids, counted as the polars engine counts a list's (among the evaluated rows,
    on the ids as given): the rows whose id an earlier row had, and the first groups of rows sharing one. The
    run's one aggregation besides the report's (a shuffle of the id column; the evaluation stays map-only)."""
    from pyspark.sql import functions as F

    ids = F.col(f"`{column}`").cast("string")
    groups = (frame.where(ids.isNotNull()).groupBy(ids.alias("id"))
              .agg(F.count(F.lit(1)).alias("n"), F.sort_array(F.collect_list(F.col("row").cast("long"))).alias("rows"))
              .where("n > 1").cache())
    repeats = groups.agg(F.sum(F.col("n") - 1)).first()[0]
    if repeats:
        shown = groups.orderBy(F.col("rows")[0]).limit(DuplicateIds.SHOWN).select("rows").collect()
        summary.duplicate_ids, summary.duplicate_rows = int(repeats), [list(r["rows"]) for r in shown]
    groups.unpersist()


def _checked_table(frame, every, folder, summary: BatchSummary, lang: str):
    """The table's rows whose cells pass sql/cells.py's checks; the others rejected, one errors.csv line per bad
    cell (written by Spark: a table's errors may be many), and counted in the summary (read = evaluated + rejected)."""
    from pyspark.sql import functions as F

    from ..sql.cells import cell_checks

    summary.read = frame.count()
    checks = cell_checks(frame.columns, cell_cities(every),
                         {key for keys in benefit_keys(b.rulebook for b in every).values() for key in keys})
    if not checks:
        summary.evaluated = summary.read
        return frame
    bad = [F.expr(check.bad.sql(dialect="spark")) for check in checks]
    flagged = frame.withColumn("_chuangye_bad", reduce(lambda a, b: a | b, bad)).cache()
    cells = F.array(*[F.when(test, F.struct(F.lit(check.column).alias("column"),
                                             F.col(f"`{check.column}`").cast("string").alias("value"),
                                             F.lit(check.reason.get(lang)).alias("reason")))
                      for check, test in zip(checks, bad)])
    errors = flagged.where("_chuangye_bad").select(F.col("row").cast("long").alias("row"),
                                                   F.explode(F.filter(cells, lambda c: c.isNotNull())).alias("e"))
    # a bad cell as errors.csv quotes it, a personal number in it masked as mask_text masks one (once, on the
    # exploded cells: one masking expression per column would make the plan a hundred times larger)
    errors.select("row", "e.column", masked(F.col("e.value")).alias("value"), "e.reason").coalesce(1).write.csv(
        folder.dataset(".errors"), header=True, quote='"', escape='"', encoding="utf-8")
    if not folder.take_part(".errors", "errors.csv"):  # Spark writes no part for no rows
        pl.DataFrame(schema=ERROR_SCHEMA).write_csv(folder.path("errors.csv"))
    summary.rejected = flagged.where("_chuangye_bad").count()
    summary.evaluated = summary.read - summary.rejected
    return flagged.where("NOT _chuangye_bad").drop("_chuangye_bad")


def _stage_list(input_path: Path, encoding: str | None, chunk_rows: int, folder: Path, every, summary: BatchSummary,
                lang: str = "zh") -> tuple[list[str], pl.DataFrame]:
    """The list read and validated by the polars reader into Parquet parts under `folder`; (the table's
    columns, the errors)."""
    used, header, chunks = _open_list(input_path, encoding, chunk_rows)
    summary.encoding, summary.ignored_columns = used, header.ignored
    cities, benefits, known = cell_cities(every), benefit_keys(b.rulebook for b in every), {}
    ids = DuplicateIds()  # as the polars engine counts them: the list is read here, on the driver
    folder.mkdir()
    errors, columns = [], None
    for i, raw in enumerate(chunks):
        parsed = parse_chunk(raw, header, cities, known, benefits, lang)
        summary.blank_lines += raw.blank_lines
        summary.read += parsed.frame.height + parsed.rejected
        summary.rejected += parsed.rejected
        summary.evaluated += parsed.frame.height
        if parsed.errors.height:
            errors.append(parsed.errors)
        ids.add(parsed.ids)
        frame = parsed.frame
        frame = frame.with_columns(pl.lit(mask_column(frame["applicant_id"])).alias("applicant_id"))
        table = sql_table(frame)
        columns = table.columns
        if table.height:
            table.write_parquet(folder / f"part-{i:06d}.parquet")
    summary.duplicate_ids, summary.duplicate_rows = ids.report()
    if columns is None:
        columns = ["row", "applicant_id"]
    errors_frame = pl.concat(errors, how="vertical_relaxed") if errors else pl.DataFrame(schema=ERROR_SCHEMA)
    return columns, errors_frame


def _out_folder(outdir, names: list[str], input_path, overwrite: bool, spark, master):
    """(the run's out folder, checked; the session). On a Hadoop file system the session comes first (the file
    system is the JVM's); on this machine the check comes first, so a refused run starts no JVM."""
    if is_uri(outdir):
        session = spark or spark_session(master)
        folder = HadoopOutFolder(session, str(outdir), names)
        folder.check()
        return folder, session
    folder = SparkOutFolder(Path(outdir), names, Path(input_path) if input_path else Path(outdir) / ".no-input",
                            overwrite)
    folder.check()
    return folder, spark or spark_session(master)


def _evaluate(session, frame, query: str, folder):
    """results/ written by Spark (map-only) and read back, or None when no row was written: with no row
    eligible or needing information Spark writes no Parquet file at all."""
    if frame is None:
        folder.make_dataset("results")
        return None
    frame.createOrReplaceTempView(VIEW)
    session.sql(query).write.partitionBy("city").parquet(folder.dataset("results"))
    return session.read.parquet(folder.dataset("results")) if folder.has_files("results", ".parquet") else None


def run_spark_batch(input_path: Path | None, outdir: Path | str, city: str | None = None, as_of: dt.date | None = None,
                    table: str | None = None, master: str | None = "local[*]", encoding: str | None = None,
                    rulebook_paths: Iterable[Path] | None = None, parameters: dict[str, Decimal] | None = None,
                    chunk_rows: int = 200_000, overwrite: bool = False, spark=None, report: bool = False,
                    lang: str = "zh") -> BatchSummary:
    """Evaluate a list (`input_path`) or a catalog table (`table`) on Spark; see the module docstring. `lang`:
    the language of errors.csv's reasons and of the report (results/ holds codes either way)."""
    started = time.perf_counter()
    if spark is None:
        require_pyspark()  # before the query is written: sqlglot comes with the same extra
    from ..sql import SqlError, rulebooks_query, write_sql

    if (input_path is None) == (table is None):
        raise InputError([make_problem("--engine spark", None, None, Text(
            "需要名单文件或 --table 表名（二者选一）", "give a list file or --table NAME (one of the two)"))])
    if input_path is not None and not Path(input_path).is_file():
        raise InputError([make_problem(str(input_path), None, None, Text("找不到输入文件", "the input file does not exist"))])
    as_of = as_of or dt.date.today()
    every = load_rulebooks(rulebook_paths or None)
    books = choose_city(every, city) if city else every
    overrides = checked_overrides(parameters, every)
    names = NAMES + (["report.md", "report.html"] if report else [])
    folder, session = _out_folder(outdir, names, input_path, overwrite, spark, master)
    summary = BatchSummary(str(input_path or table), "parquet" if table else "", as_of.isoformat(),
                           earlier_outputs=sorted(folder.earlier))
    try:
        folder.open()
        frame, columns, errors = _source(session, table, input_path, encoding, chunk_rows, folder, every, summary,
                                         lang)
        # --city: every row against that city, whatever its city cell says (as the polars engine)
        present = [c for c in columns if not (city and c == "city")]
        query = rulebooks_query([b.rulebook for b in books], as_of, "spark", table=VIEW, columns=present,
                                overrides=overrides)
        results = _evaluate(session, frame, write_sql(query, "spark", pretty=False), folder)
        summary.result_rows = results.count() if results is not None else 0
        if errors is not None:  # a table's errors were written by Spark (_checked_table)
            errors.write_csv(folder.path("errors.csv"))
        benefits_table(books).write_csv(folder.path("benefits.csv"), include_bom=True)  # BOM: Excel reads it as UTF-8
        summary.outputs = {"results": str(folder.final("results")), "errors": str(folder.final("errors.csv")),
                           "benefits": str(folder.final("benefits.csv"))}
        if report:
            _write_report(session, results, books, summary, folder, lang)
        summary.seconds = round(time.perf_counter() - started, 3)
        _write_summary(folder.path("summary.json"), summary)
        folder.remove(".input")
        folder.commit(names)
    except SqlError as error:
        folder.discard()
        raise InputError([make_problem("--engine spark", None, None, error.text)]) from None
    except BaseException:
        folder.discard()
        raise
    return summary
