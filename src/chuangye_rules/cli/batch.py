"""`batch`: a whole list of applicants (政策找人), on polars or on Spark."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from .app import (
    AS_OF_OPT,
    CITY_OPT,
    PARAM_OPT,
    RULEBOOKS_OPT,
    Lang,
    _console,
    _date,
    _fail,
    _interrupted,
    _params,
    _say,
    _sigterm_as_interrupt,
    app,
    argv_lang,
)


@app.command()
def batch(
    input_path: Optional[Path] = typer.Argument(None, metavar="INPUT", help="申请人名单：CSV（UTF-8 或 GB18030）、.xlsx 或 .parquet"),
    outdir: Optional[str] = typer.Option(None, "-o", "--outdir", help="输出目录（默认：<名单文件名>-结果；--engine spark 也可写 hdfs://… 或 s3a://…）"),
    city: Optional[str] = CITY_OPT,
    as_of: Optional[str] = AS_OF_OPT,
    output_format: str = typer.Option("csv", "--format", help="csv、jsonl、xlsx 或 parquet"),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="输入编码（默认自动识别 UTF-8 / GB18030）"),
    report: bool = typer.Option(False, "--report", help="生成按待遇和牵头单位汇总的预算报告（report.md、report.html）"),
    overwrite: bool = typer.Option(False, "--overwrite", help="用本次结果替换输出目录中上次运行写出的结果（其他文件从不覆盖）"),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="zh 中文（默认）；en 结果文件写字段名和代码（供程序读取），屏幕摘要和预算报告为英文"),
    show_columns: bool = typer.Option(False, "--show-columns", help="列出可识别的列名及填写方式"),
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
    param: Optional[List[str]] = PARAM_OPT,
    chunk_rows: Optional[int] = typer.Option(None, "--chunk-rows", min=1, hidden=True),
    engine: str = typer.Option("polars", "--engine", help="polars（默认，单机）或 spark（需 pip install '.[spark]' 和 Java 17）"),
    table: Optional[str] = typer.Option(None, "--table", help="--engine spark：读 Spark 目录中的表（db.name），代替名单文件"),
    master: str = typer.Option("local[*]", "--master", help="--engine spark：Spark master（默认 local[*]）"),
) -> None:
    """批量评估申请人名单（政策找人）/ evaluate a whole list of applicants."""
    if show_columns:
        _show_columns()
        return
    _check_engine_and_list(engine, input_path, lang)
    if engine == "spark":
        _batch_on_spark(input_path, outdir, city, as_of, table, master, encoding, rulebooks, param, overwrite, report,
                        lang.value)
        return
    from ..base.problems import InputError
    from ..batch.budget import Budget

    outdir = outdir or input_path.with_name(f"{input_path.stem}-结果")  # a hdfs://… string is refused by run_batch
    budget = Budget() if report else None
    console = _console(stderr=True)
    sigterm = _sigterm_as_interrupt()
    summary = None
    try:
        with sigterm:
            summary = _run_polars(console, input_path=input_path, outdir=outdir, city=city, as_of=_date(as_of),
                                  fmt=output_format, encoding=encoding, rulebook_paths=rulebooks,
                                  parameters=_params(param), chunk_rows=chunk_rows, budget=budget,
                                  overwrite=overwrite, lang=lang.value)
    except InputError as error:
        _fail(error, lang=lang.value)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see _sigterm_as_interrupt): run_batch removed its files
        if summary is None:
            from ..render.endings import NOTHING_WRITTEN

            typer.echo(NOTHING_WRITTEN.get(lang.value), err=True)
            _interrupted(143 if sigterm.received else 130)
        summary.interrupted_when_done = True  # it came just after run_batch returned: the outputs are whole
    try:
        with sigterm:
            if summary.interrupted_when_done:
                raise KeyboardInterrupt
            _print_batch_summary(summary, budget, lang.value)
    except KeyboardInterrupt:  # the run had finished: its outputs are whole, only this account of it was cut short
        typer.echo(f"已中断，但本次运行已完成，结果文件完整：{outdir}" if lang is Lang.zh else
                   f"interrupted, but the run had finished and its result files are whole: {outdir}", err=True)
        _interrupted(143 if sigterm.received else 130)


def _check_engine_and_list(engine: str, input_path, lang) -> None:
    if engine not in ("polars", "spark"):
        typer.echo(f"batch: 不支持的引擎 {engine}（可选：polars、spark）" if lang is Lang.zh else
                   f"batch: unknown engine {engine} (polars or spark)", err=True)
        raise typer.Exit(2)
    if engine == "polars" and input_path is None:
        typer.echo("batch: 需要名单文件，如 chuangye batch 名单.csv（用 --show-columns 查看列名）" if lang is Lang.zh else
                   "batch: give a list file, e.g. chuangye batch list.csv (--show-columns lists the column names)", err=True)
        raise typer.Exit(2)


def _run_polars(console, **options):
    """run_batch, with a line of progress on a terminal (none in a pipe or a log)."""
    from ..batch.runner import run_batch

    if not console.is_terminal:
        return run_batch(**options)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    zh = options.get("lang", "zh") == "zh"
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("读取中…" if zh else "reading…")
        started = time.perf_counter()

        def tick(read: int, rejected: int) -> None:
            rate = read / max(time.perf_counter() - started, 1e-9)
            bar.update(task, description=f"已处理 {read:,} 行（拒绝 {rejected:,}），{rate:,.0f} 行/秒" if zh else
                       f"{read:,} rows done ({rejected:,} rejected), {rate:,.0f} rows/s")

        return run_batch(progress=tick, **options)


def _batch_on_spark(input_path, outdir, city, as_of, table, master, encoding, rulebooks, param, overwrite, report,
                    lang: str = "zh") -> None:
    from ..base.problems import InputError
    from ..spark.runner import run_spark_batch

    say = (lambda z, e: z) if lang == "zh" else (lambda z, e: e)
    if input_path is None and table is None:
        typer.echo(say("batch: 需要名单文件或 --table 表名，如 chuangye batch --engine spark 名单.parquet",
                       "batch: give a list file or --table NAME, e.g. chuangye batch --engine spark list.parquet"), err=True)
        raise typer.Exit(2)
    outdir = outdir or (input_path.with_name(f"{input_path.stem}-结果") if input_path else Path(f"{table}-结果"))
    try:
        summary = run_spark_batch(input_path, outdir, city=city, as_of=_date(as_of), table=table, master=master,
                                  encoding=encoding, rulebook_paths=rulebooks, parameters=_params(param),
                                  overwrite=overwrite, report=report, lang=lang)
    except InputError as error:
        _fail(error, lang=lang)
    except KeyboardInterrupt:
        from ..render.endings import NOTHING_WRITTEN

        typer.echo(NOTHING_WRITTEN.get(lang), err=True)
        _interrupted()
    typer.echo(say(f"评估日期 {summary.as_of}，引擎 Spark，用时 {summary.seconds} 秒",
                   f"evaluation date {summary.as_of}, engine Spark, {summary.seconds} s"))
    typer.echo(say(f"读取 {summary.read} 行 = 评估 {summary.evaluated} 行 + 拒绝 {summary.rejected} 行",
                   f"read {summary.read} rows = {summary.evaluated} evaluated + {summary.rejected} rejected"))
    typer.echo(say(f"结果（Parquet，按城市分区）：{summary.outputs['results']}（{summary.result_rows} 行）",
                   f"results (Parquet, by city): {summary.outputs['results']} ({summary.result_rows} rows)"))
    typer.echo(say(f"错误行：{summary.outputs['errors']}（{summary.rejected} 行被拒绝）",
                   f"rejected rows: {summary.outputs['errors']} ({summary.rejected} rows)"))
    typer.echo(say(f"待遇名称（与结果按 benefit_id 关联）：{summary.outputs['benefits']}",
                   f"the benefits in words (join the results on benefit_id): {summary.outputs['benefits']}"))
    if "report" in summary.outputs:
        typer.echo(say(f"报告：{summary.outputs['report']}", f"report: {summary.outputs['report']}"))
        _echo_report_page(summary, say)


def _print_batch_summary(summary, budget, lang: str = "zh") -> None:
    zh = lang == "zh"
    say = (lambda z, e: z) if zh else (lambda z, e: e)
    typer.echo(say(f"评估日期 {summary.as_of}，编码 {summary.encoding}，用时 {summary.seconds} 秒",
                   f"evaluation date {summary.as_of}, encoding {summary.encoding}, {summary.seconds} s"))
    blank = summary.blank_lines
    typer.echo(say(f"读取 {summary.read} 行 = 评估 {summary.evaluated} 行 + 拒绝 {summary.rejected} 行"
                   + (f"（另有 {blank} 个空行）" if blank else ""),
                   f"read {summary.read} rows = {summary.evaluated} evaluated + {summary.rejected} rejected"
                   + (f" (and {blank} blank lines)" if blank else "")))
    if summary.ignored_columns:
        typer.echo(say("未使用的列：" + "、".join(summary.ignored_columns), "columns not used: " + ", ".join(summary.ignored_columns)))
    if summary.duplicate_ids:
        rows = summary.duplicate_rows[:3]
        more = "…" if len(summary.duplicate_rows) > 3 else ""
        typer.echo(say(f"注意：{summary.duplicate_ids} 行的编号与前面的行重复（各行均已分别评估，以行号区分）："
                       + "；".join("、".join(f"第 {r} 行" for r in group) for group in rows) + more
                       + "；详见 summary.json 的 duplicate_rows",
                       f"note: {summary.duplicate_ids} rows repeat an earlier row's id (each row was evaluated on its "
                       "own, told apart by its row number): " + "; ".join(", ".join(f"row {r}" for r in group)
                                                                         for group in rows) + more
                       + "; see duplicate_rows in summary.json"), err=True)
    typer.echo(say(f"结果：{summary.outputs['results']}（{summary.result_rows} 行）",
                   f"results: {summary.outputs['results']} ({summary.result_rows} rows)"))
    typer.echo(say(f"按申请人汇总：{summary.outputs['applicants']}", f"per applicant: {summary.outputs['applicants']}"))
    typer.echo(say(f"错误行：{summary.outputs['errors']}（{summary.rejected} 行被拒绝）",
                   f"rejected rows: {summary.outputs['errors']} ({summary.rejected} rows)"))
    if summary.earlier_outputs:
        typer.echo(say("注意：目录中的 " + "、".join(summary.earlier_outputs) + " 是更早一次运行写出的，不是本次的结果（本次未生成，"
                       "也未删除）", "note: " + ", ".join(summary.earlier_outputs) + " in the folder are from an earlier "
                       "run, not this one's (this run did not write them, nor delete them)"), err=True)
    if budget is not None:
        from ..batch.report import print_budget

        print_budget(budget, _console(), lang)
        typer.echo(say(f"报告（全部表格）：{summary.outputs['report']}", f"report (every table): {summary.outputs['report']}"))
        _echo_report_page(summary, say)


def _show_columns() -> None:
    from rich.table import Table

    from ..batch.headers import column_guide

    table = Table(title=_say("可识别的列名（表头可用中文名、英文字段名或别名）",
                             "the column names understood (a header may be the Chinese name, the field or an alias)"),
                  show_lines=False)
    for head in (("字段", "中文列名", "其他可用列名", "填写方式") if argv_lang() == "zh" else
                 ("field", "Chinese column name", "other names", "how to fill it in")):
        table.add_column(head, overflow="fold")
    for row in column_guide():
        table.add_row(*row)
    _console().print(table)


def _echo_report_page(summary, say) -> None:
    """Where report.html is: the same line for both engines."""
    typer.echo(say(f"图表报告（用浏览器打开）：{summary.outputs['report_html']}",
                   f"report with charts (open it in a browser): {summary.outputs['report_html']}"))
