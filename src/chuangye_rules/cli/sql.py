"""`sql`: the rulebooks as one SQL query for the data platform where the records are."""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .app import (
    AS_OF_OPT,
    LANG_OPT,
    PARAM_OPT,
    RULEBOOKS_OPT,
    Lang,
    _date,
    _extra,
    _fail,
    _load_books,
    _params,
    app,
)


class Dialect(str, Enum):
    duckdb = "duckdb"
    postgres = "postgres"
    spark = "spark"
    hive = "hive"
    mysql = "mysql"


@app.command()
def sql(
    cities: Optional[List[str]] = typer.Argument(None, metavar="[CITY ...]", help="城市（默认：全部规则库）"),
    dialect: Dialect = typer.Option(Dialect.duckdb, "--dialect", help="SQL 方言：duckdb、postgres、spark、hive 或 mysql"),
    table: str = typer.Option("applicants", "--table", help="申请人表名（可带库名，如 db.applicants）"),
    columns: Optional[str] = typer.Option(None, "--columns", help="表中实有的列，用逗号分隔：其余字段按未知处理；含 row 时用作行号"),
    as_of: Optional[str] = AS_OF_OPT,
    summary: bool = typer.Option(False, "--summary", help="改为按申请人汇总（与 applicants.csv 相同：每人每城市一行）"),
    budget: bool = typer.Option(False, "--budget", help="改为预算汇总（与 report.md 按待遇表相同：每项待遇一行，另有各城市合计行）"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="写入文件（默认：打印）"),
    overwrite: bool = typer.Option(False, "--overwrite", help="-o 的文件已存在且内容不同时替换它（默认不改动已有文件）"),
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
    param: Optional[List[str]] = PARAM_OPT,
    lang: Lang = LANG_OPT,
) -> None:
    """把规则库写成一条 SQL 查询：申请人表 → 与 batch 的 results.csv 相同的结果行 / the rulebooks as one SQL query."""
    try:
        from ..sql import SqlError, rulebooks_query, write_sql
    except ImportError:
        typer.echo(f"sql: 需要 sqlglot（{_extra('sql')}）" if lang is Lang.zh else f"sql: needs sqlglot ({_extra('sql')})",
                   err=True)
        raise typer.Exit(2)
    books = []
    for city in cities or [None]:
        books += _load_books(rulebooks, city)
    books = list({b.slug: b for b in books}.values())
    given = _params(param)
    from ..base.problems import InputError
    from ..engine.evaluation import known_parameters

    try:
        known_parameters(given, books)
    except InputError as error:
        _fail(error, lang=lang.value)
    if summary and budget:
        typer.echo("sql: --summary 与 --budget 只能选一个" if lang is Lang.zh else "sql: --summary or --budget, not both",
                   err=True)
        raise typer.Exit(2)
    when = _date(as_of) or dt.date.today()
    listed = None if columns is None else [c.strip() for c in columns.split(",") if c.strip()]
    try:
        if budget:
            from ..sql.budget import budget_query

            query = budget_query([b.rulebook for b in books], when, dialect.value, table=table, columns=listed,
                                 overrides=given)
        else:
            query = rulebooks_query([b.rulebook for b in books], when, dialect.value, table=table, columns=listed,
                                    overrides=given, summary=summary)
        text = write_sql(query, dialect.value) + ";\n"
    except SqlError as error:
        typer.echo(f"sql: {error.text.get(lang.value)}", err=True)
        raise typer.Exit(2)
    if output is None:
        sys.stdout.write(text)
    else:
        _write(output, text, overwrite, f"{dialect.value}，评估日期 {when}，{len(books)} 个规则库",
               f"{dialect.value}, evaluation date {when}, {len(books)} rulebooks", lang)


def _write(output: Path, text: str, overwrite: bool, what_zh: str, what_en: str, lang: Lang) -> None:
    from ..base.outfile import UNCHANGED, place_file
    from ..base.problems import InputError

    try:
        done = place_file(output, text.encode("utf-8"), overwrite)
    except InputError as error:
        _fail(error, lang=lang.value)
    if lang is Lang.zh:
        typer.echo(f"已写出 {output}（{what_zh}）" + ("（内容与已有文件相同，未改动）" if done == UNCHANGED else ""), err=True)
    else:
        typer.echo(f"wrote {output} ({what_en})" + (" (the file held this already; unchanged)" if done == UNCHANGED else ""),
                   err=True)


