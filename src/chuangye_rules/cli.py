"""The `chuangye` command: a thin shell over the library API (chuangye_rules.api).

Exit codes: 0 done; 1 problems found (validate, test) ; 2 input could not be used (a broken profile,
rulebook or option). Bad input is printed as `file:line:column: message`, never as a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="创业政策规则引擎：查询申请人可享受的创业扶持待遇。 Policy-rule engine for entrepreneurship plans.")


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class Format(str, Enum):
    table = "table"
    json = "json"


RULEBOOKS_OPT = typer.Option(None, "--rulebooks", help="规则库目录或文件（默认：内置规则库） / rulebook folder")
LANG_OPT = typer.Option(Lang.zh, "--lang", help="输出语言 zh|en")
AS_OF_OPT = typer.Option(None, "--as-of", help="评估日期 YYYY-MM-DD（默认：今天）")
CITY_OPT = typer.Option(None, "--city", help="只评估该城市（标识或中文名，如 huaibei / 淮北）")
PARAM_OPT = typer.Option(None, "--param", help="参数取值 NAME=VALUE，可重复（如最低工资标准）")


@app.callback()
def _root() -> None:
    """创业政策规则引擎：查询申请人可享受的创业扶持待遇。"""


def _extra(name: str) -> str:
    """How to install an optional part, as the README installs the package: from the clone's folder."""
    return f"在本仓库目录中运行 pip install '.[{name}]'"


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=False)


def _fail(error, code: int = 2, lang: str = "zh") -> None:
    for problem in error.problems:
        typer.echo(problem.format(lang), err=True)
    raise typer.Exit(code)


def _date(text: Optional[str]) -> Optional[dt.date]:
    if text is None:
        return None
    from .rules.profile import MAX_DATE, MIN_DATE

    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        typer.echo(f"--as-of: {text!r} 不是有效日期（应为 YYYY-MM-DD，如 2024-06-01）", err=True)
        raise typer.Exit(2)
    if not MIN_DATE <= date <= MAX_DATE:
        typer.echo(f"--as-of: {text} 超出可评估的范围（{MIN_DATE} 至 {MAX_DATE}）", err=True)
        raise typer.Exit(2)
    return date


def _params(items: Optional[List[str]]) -> dict[str, Decimal]:
    out = {}
    for item in items or []:
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = Decimal(value.strip())
        except InvalidOperation:
            typer.echo(f"--param: {item!r} 应写作 NAME=数值", err=True)
            raise typer.Exit(2)
    return out


def _say_folder(rulebooks, always: bool = False) -> None:
    """Which rulebooks a command reads, when none were named: always for the authors' commands (validate,
    test, coverage), and for the others when it is not the bundled copy (a ./rulebooks folder is preferred)."""
    if rulebooks:
        return
    from .rules.loading import bundled_rulebook_dir, default_rulebook_dir

    folder = default_rulebook_dir()
    if always or folder.resolve() != bundled_rulebook_dir().resolve():
        where = "当前目录下的 rulebooks/" if folder.resolve() != bundled_rulebook_dir().resolve() else "内置规则库"
        typer.echo(f"规则库：{folder}（{where}；用 --rulebooks 指定其他目录）", err=True)


def _load_books(rulebooks, city: Optional[str] = None):
    """The rulebooks a command works on; a broken one ends the command with its located problems."""
    from .base.problems import InputError
    from .rules.loading import load_rulebooks

    _say_folder(rulebooks)
    try:
        return load_rulebooks(rulebooks, city=city)
    except InputError as error:
        _fail(error)


def _evaluate_file(profile: Path, rulebooks, as_of: Optional[str], city: Optional[str], param, lang: str = "zh"):
    """A profile file evaluated as `check` and `explain` need it; bad input ends the command with exit 2."""
    from .api import check_file
    from .base.problems import InputError

    try:
        return check_file(profile, rulebooks=rulebooks, as_of=_date(as_of), city=city, parameters=_params(param))
    except InputError as error:
        _fail(error, lang=lang)


@app.command()
def check(
    profile: Path = typer.Argument(..., help="申请人信息文件（YAML 或 JSON）"),
    city: Optional[str] = CITY_OPT,
    as_of: Optional[str] = AS_OF_OPT,
    output_format: Format = typer.Option(Format.table, "--format", help="table（表格）或 json"),
    lang: Lang = LANG_OPT,
    show_all: bool = typer.Option(False, "--show-all", help="同时列出不符合和已过期的待遇"),
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
    param: Optional[List[str]] = PARAM_OPT,
) -> None:
    """查询一位申请人可享受的全部待遇 / every benefit an applicant qualifies for."""
    evaluation = _evaluate_file(profile, rulebooks, as_of, city, param, lang.value)
    if output_format is Format.json:
        from .render.jsondoc import evaluation_json

        typer.echo(evaluation_json(evaluation, lang.value))
        return
    from .render.reporting import print_evaluation

    print_evaluation(evaluation, _console(), lang.value, show_all)


@app.command()
def explain(
    profile: Path = typer.Argument(..., help="申请人信息文件"),
    benefit_id: str = typer.Argument(..., help="待遇标识，如 returnee_startup_subsidy"),
    city: Optional[str] = CITY_OPT,
    as_of: Optional[str] = AS_OF_OPT,
    lang: Lang = LANG_OPT,
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
    param: Optional[List[str]] = PARAM_OPT,
) -> None:
    """某项待遇的完整判断过程 / the full reasoning for one benefit."""
    from .render.reporting import explain_panel

    evaluation = _evaluate_file(profile, rulebooks, as_of, city, param, lang.value)
    found = [(b, c) for c in evaluation.cities for b in c.benefits if b.id == benefit_id]
    if not found:
        known = sorted(b.id for c in evaluation.cities for b in c.benefits)
        import difflib

        close = difflib.get_close_matches(benefit_id, known, n=3)
        typer.echo(f"没有待遇 {benefit_id!r}" + (f"；是否想查 {'、'.join(close)}？" if close else
                                                 "；用 chuangye benefits 查看全部标识"), err=True)
        raise typer.Exit(2)
    console = _console()
    for result, city_result in found:
        console.print(explain_panel(result, lang.value, city_result))


@app.command("rulebooks")
def list_rulebooks(rulebooks: Optional[List[Path]] = RULEBOOKS_OPT, lang: Lang = LANG_OPT) -> None:
    """列出规则库及其有效期 / the rulebooks, their validity and number of benefits."""
    from rich.table import Table

    books = _load_books(rulebooks)
    zh = lang is Lang.zh
    table = Table(title="规则库" if zh else "Rulebooks")
    for head in (("城市", "city"), ("文件", "document"), ("文号", "number"), ("有效期", "in force"),
                 ("待遇数", "benefits"), ("状态", "state")):
        table.add_column(head[0] if zh else head[1], overflow="fold")
    if not books:
        typer.echo("没有找到规则库（*.yaml）" if zh else "no rulebooks (*.yaml) found", err=True)
        raise typer.Exit(2)
    today = dt.date.today()
    for b in books:
        doc = b.rulebook.document
        if doc.in_force_to is not None and doc.in_force_to < today:
            state = f"已于 {doc.in_force_to} 失效" if zh else f"ended {doc.in_force_to}"
        elif doc.in_force_from > today:
            state = f"{doc.in_force_from} 起施行" if zh else f"from {doc.in_force_from}"
        else:
            state = "现行" if zh else "in force"
        if doc.draft:
            state = ("征求意见稿，" if zh else "draft, ") + state
        table.add_row(f"{b.rulebook.city.zh if zh else b.rulebook.city.en}（{b.slug}）", doc.title, doc.number or "—",
                      f"{doc.in_force_from} ~ {doc.in_force_to or '—'}", str(len(b.rulebook.benefits)), state)
    _console().print(table)


@app.command()
def benefits(city: Optional[str] = CITY_OPT, rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
             lang: Lang = LANG_OPT) -> None:
    """列出待遇标识、名称和牵头单位 / list benefit ids, names and lead departments."""
    from rich.table import Table

    from .render.i18n import CATEGORY, label
    books = _load_books(rulebooks, city)
    zh = lang is Lang.zh
    for book in books:
        table = Table(title=f"{book.rulebook.city.zh if zh else book.rulebook.city.en}（{book.slug}）")
        for head in (("标识", "id"), ("待遇", "benefit"), ("类别", "category"), ("条款", "clause"), ("牵头单位", "lead")):
            table.add_column(head[0] if zh else head[1], overflow="fold")
        for b in book.rulebook.benefits:
            table.add_row(b.id, b.name if zh else b.name_en, label(CATEGORY, b.category.value, lang.value), b.clause,
                          "、".join(b.departments.lead))
        _console().print(table)


@app.command()
def validate(
    paths: Optional[List[Path]] = typer.Argument(None, help="规则库文件或目录（默认：内置规则库）"),
    strict: bool = typer.Option(False, "--strict", help="警告也算作问题"),
    output_format: str = typer.Option("text", "--format", help="text 或 json（供 CI 使用）"),
    cases: Optional[Path] = typer.Option(None, "--cases", help="测试用例目录，用于提示没有用例的待遇（默认：tests/cases，如存在）"),
    lang: Lang = LANG_OPT,
) -> None:
    """检查规则库 / check rulebooks: schema, fields, types, quotes, wording, exclusions, dates."""
    from .authoring.validation import validate_paths

    _say_folder(paths, always=True)
    report = validate_paths(paths or None, cases)
    if output_format == "json":
        typer.echo(report.to_json())
    else:
        typer.echo(report.text(lang.value))
    if report.unreadable:
        raise typer.Exit(2)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(1)


@app.command("test")
def run_tests(
    paths: Optional[List[Path]] = typer.Argument(None, help="测试用例文件或目录（默认：tests/cases）"),
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
    coverage: bool = typer.Option(False, "--coverage", help="列出没有任何用例覆盖的待遇"),
) -> None:
    """运行规则库测试用例 / run the YAML case files."""
    from .authoring.casefiles import exercised, run_files
    from .base.problems import InputError
    from .rules.loading import load_rulebooks

    _say_folder(rulebooks, always=True)
    try:
        count, failures = run_files(paths or None, rulebooks)
    except InputError as error:
        _fail(error)
    for failure in failures:
        typer.echo(failure.format())
    failed_cases = len({id(f.case) for f in failures})
    typer.echo(f"{count - failed_cases} passed, {failed_cases} failed")
    if coverage:
        seen = exercised(paths or None)
        for book in load_rulebooks(rulebooks):
            untested = [b.id for b in book.rulebook.benefits if b.id not in seen.get(book.slug, set())]
            typer.echo(f"{book.slug}: {len(book.rulebook.benefits) - len(untested)}/{len(book.rulebook.benefits)} 项待遇有用例"
                       + (f"；无用例: {', '.join(untested)}" if untested else ""))
    if failures:
        raise typer.Exit(1)


@app.command()
def fields(lang: Lang = LANG_OPT) -> None:
    """申请人信息可用的字段 / the profile fields (names, Chinese names, types)."""
    from rich.table import Table

    from .render.i18n import FIELD_TYPE, field_writing, label
    from .rules.catalog import catalog

    cat = catalog()
    zh = lang is Lang.zh
    table = Table(title="申请人信息字段" if zh else "Profile fields")
    for head in (("字段", "field"), ("中文名", "Chinese name"), ("类型", "type"), ("填写方式/可选值", "meaning / values")):
        table.add_column(head[0] if zh else head[1], overflow="fold")
    for spec in cat.fields.values():
        vocab = cat.vocabularies.get(spec.vocabulary) if spec.vocabulary else None
        if vocab:
            extra = "、".join(vocab.labels.values()) if zh else ", ".join(vocab.labels)
        else:
            extra = (field_writing(spec.name, spec.type, "zh") if zh
                     else f"{spec.en}: {field_writing(spec.name, spec.type, 'en')}")
        table.add_row(spec.name, spec.zh, label(FIELD_TYPE, spec.type, lang.value), extra)
    _console().print(table)


@app.command()
def coverage(city: Optional[str] = typer.Argument(None, help="城市（默认：全部）"),
             rulebooks: Optional[List[Path]] = RULEBOOKS_OPT) -> None:
    """覆盖审计：文件中带金额、期限或待遇的每句话，要么被规则引用，要么列入 not_encoded 并说明理由。"""
    from .authoring.coverage import audit
    books = _load_books(rulebooks, city)
    gaps = 0
    for book in books:
        report = audit(book)
        gaps += len(report.uncovered)
        typer.echo(f"{report.city}（{report.city_zh}）: {report.covered}/{len(report.carrying)} 句已覆盖（{report.share:.0%}）")
        for sentence in report.uncovered:
            typer.echo(f"    未覆盖: {sentence.text}")
    if gaps:
        typer.echo(f"{gaps} 句既未被引用也未列入 not_encoded", err=True)
        raise typer.Exit(1)


@app.command()
def departments(city: Optional[str] = typer.Argument(None, help="城市（默认：全部）"),
                rulebooks: Optional[List[Path]] = RULEBOOKS_OPT, lang: Lang = LANG_OPT) -> None:
    """各部门牵头和配合办理的待遇 / for each department, the benefits it leads and co-handles."""
    from rich.table import Table

    books = _load_books(rulebooks, city)
    zh = lang is Lang.zh
    for book in books:
        leads: dict[str, list[str]] = {}
        helps: dict[str, list[str]] = {}
        for b in book.rulebook.benefits:
            for d in b.departments.lead:
                leads.setdefault(d, []).append(b.name if zh else b.name_en)
            for d in b.departments.cooperating:
                helps.setdefault(d, []).append(b.name if zh else b.name_en)
        table = Table(title=f"{book.rulebook.city.zh if zh else book.rulebook.city.en}（{book.slug}）", show_lines=True)
        for head in (("部门", "department"), ("牵头办理", "leads"), ("配合办理", "co-handles")):
            table.add_column(head[0] if zh else head[1], overflow="fold")
        for d in sorted(set(leads) | set(helps), key=lambda d: (-len(leads.get(d, [])), d)):
            table.add_row(d, "\n".join(leads.get(d, [])) or "—", "\n".join(helps.get(d, [])) or "—")
        _console().print(table)


@app.command()
def schema(which: str = typer.Argument("rulebook", help="rulebook 或 profile"),
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="写入文件（默认：打印）")) -> None:
    """输出规则库或申请人信息的 JSON Schema（供编辑器补全和校验）/ the JSON Schema of a format."""
    from .authoring.jsonschema import schema_text

    if which not in ("rulebook", "profile"):
        typer.echo("schema: 只能是 rulebook 或 profile", err=True)
        raise typer.Exit(2)
    text = schema_text(which)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只允许本机访问）"),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="端口（0：自动选一个空闲端口）"),
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
) -> None:
    """网页版政策计算器和 HTTP API / the web screener and the HTTP API (docs at /docs)."""
    try:
        import uvicorn

        from .web import create_app
    except ImportError as error:
        typer.echo(f"serve 需要网页组件，请安装：{_extra('web')}（缺少 {error.name}）", err=True)
        raise typer.Exit(2)
    from .base.problems import InputError

    try:
        web_app = create_app(rulebooks)
    except InputError as error:
        _fail(error)
    sock = _listening_socket(host, port)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"政策计算器 / screener: http://{shown}:{port}/    API: http://{shown}:{port}/docs    （Ctrl+C 停止）")
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"注意：监听 {host}，其他机器也可以访问本服务 / reachable from other machines", err=True)
    server = uvicorn.Server(uvicorn.Config(web_app, log_level="warning"))
    server.run(sockets=[sock])


def _listening_socket(host: str, port: int):
    """The server's socket, bound here rather than by uvicorn, so that a port in use (or a host that is not this
    machine's) is one Chinese line and exit 2 before anything is printed, and port 0 gives the port chosen."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        typer.echo(f"--host: 无法识别的地址 {host}（如 127.0.0.1 只允许本机访问，0.0.0.0 允许其他机器访问）", err=True)
        raise typer.Exit(2)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        why = {errno.EADDRINUSE: f"端口 {port} 已被其他程序占用（可能已经启动过一次）",
               errno.EACCES: f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）",
               errno.EADDRNOTAVAIL: f"地址 {host} 不是本机的地址"}.get(error.errno, f"无法监听 {host}:{port}")
        typer.echo(f"serve: {why}；用 --port 指定另一个端口，或 --port 0 自动选择", err=True)
        raise typer.Exit(2)
    return sock


@app.command()
def batch(
    input_path: Optional[Path] = typer.Argument(None, metavar="INPUT", help="申请人名单：CSV（UTF-8 或 GB18030）、.xlsx 或 .parquet"),
    outdir: Optional[Path] = typer.Option(None, "-o", "--outdir", help="输出目录（默认：<名单文件名>-结果）"),
    city: Optional[str] = CITY_OPT,
    as_of: Optional[str] = AS_OF_OPT,
    output_format: str = typer.Option("csv", "--format", help="csv、jsonl、xlsx 或 parquet"),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="输入编码（默认自动识别 UTF-8 / GB18030）"),
    report: bool = typer.Option(False, "--report", help="生成按待遇和牵头单位汇总的预算报告（report.md）"),
    overwrite: bool = typer.Option(False, "--overwrite", help="用本次结果替换输出目录中上次运行写出的结果（其他文件从不覆盖）"),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="结果文件的列名和取值：zh 中文（默认），en 字段名和代码（供程序读取）"),
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
    if engine not in ("polars", "spark"):
        typer.echo(f"batch: 不支持的引擎 {engine}（可选：polars、spark）", err=True)
        raise typer.Exit(2)
    if engine == "spark":
        _batch_on_spark(input_path, outdir, city, as_of, table, master, encoding, rulebooks, param, overwrite, report)
        return
    if input_path is None:
        typer.echo("batch: 需要名单文件，如 chuangye batch 名单.csv（用 --show-columns 查看列名）", err=True)
        raise typer.Exit(2)
    from .base.problems import InputError
    from .batch.budget import Budget
    from .batch.runner import run_batch

    outdir = outdir or input_path.with_name(f"{input_path.stem}-结果")
    budget = Budget() if report else None
    console = _console(stderr=True)
    sigterm = _sigterm_as_interrupt()
    try:
        with sigterm:
            if console.is_terminal:
                from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

                with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                              console=console, transient=True) as bar:
                    task = bar.add_task("读取中…")
                    started = time.perf_counter()

                    def tick(read: int, rejected: int) -> None:
                        rate = read / max(time.perf_counter() - started, 1e-9)
                        bar.update(task, description=f"已处理 {read:,} 行（拒绝 {rejected:,}），{rate:,.0f} 行/秒")

                    summary = run_batch(input_path, outdir, city=city, as_of=_date(as_of), fmt=output_format,
                                        encoding=encoding, rulebook_paths=rulebooks, parameters=_params(param),
                                        chunk_rows=chunk_rows, progress=tick, budget=budget,
                                        overwrite=overwrite, lang=lang.value)
            else:
                summary = run_batch(input_path, outdir, city=city, as_of=_date(as_of), fmt=output_format,
                                    encoding=encoding, rulebook_paths=rulebooks, parameters=_params(param),
                                    chunk_rows=chunk_rows, budget=budget, overwrite=overwrite,
                                    lang=lang.value)
    except InputError as error:
        _fail(error, lang=lang.value)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see _sigterm_as_interrupt): run_batch removed its files
        typer.echo("已中断：未写出任何结果文件（可重新运行）", err=True)
        raise typer.Exit(143 if sigterm.received else 130)
    try:
        with sigterm:
            if summary.interrupted_when_done:
                raise KeyboardInterrupt
            _print_batch_summary(summary, budget)
    except KeyboardInterrupt:  # the run had finished: its outputs are whole, only this account of it was cut short
        typer.echo(f"已中断，但本次运行已完成，结果文件完整：{outdir}", err=True)
        raise typer.Exit(143 if sigterm.received else 130)


def _batch_on_spark(input_path, outdir, city, as_of, table, master, encoding, rulebooks, param, overwrite, report) -> None:
    from .base.problems import InputError
    from .spark.runner import run_spark_batch

    if report:
        typer.echo("batch: --engine spark 暂不生成 --report 预算报告（请用默认的 polars 引擎）", err=True)
        raise typer.Exit(2)
    if input_path is None and table is None:
        typer.echo("batch: 需要名单文件或 --table 表名，如 chuangye batch --engine spark 名单.parquet", err=True)
        raise typer.Exit(2)
    outdir = outdir or (input_path.with_name(f"{input_path.stem}-结果") if input_path else Path(f"{table}-结果"))
    try:
        summary = run_spark_batch(input_path, outdir, city=city, as_of=_date(as_of), table=table, master=master,
                                  encoding=encoding, rulebook_paths=rulebooks, parameters=_params(param),
                                  overwrite=overwrite)
    except InputError as error:
        _fail(error)
    except KeyboardInterrupt:
        typer.echo("已中断：未写出任何结果文件（可重新运行）", err=True)
        raise typer.Exit(130)
    typer.echo(f"评估日期 {summary.as_of}，引擎 Spark，用时 {summary.seconds} 秒")
    typer.echo(f"读取 {summary.read} 行 = 评估 {summary.evaluated} 行 + 拒绝 {summary.rejected} 行")
    typer.echo(f"结果（Parquet，按城市分区）：{summary.outputs['results']}（{summary.result_rows} 行）")
    typer.echo(f"错误行：{summary.outputs['errors']}（{summary.rejected} 行被拒绝）")


def _print_batch_summary(summary, budget) -> None:
    typer.echo(f"评估日期 {summary.as_of}，编码 {summary.encoding}，用时 {summary.seconds} 秒")
    typer.echo(f"读取 {summary.read} 行 = 评估 {summary.evaluated} 行 + 拒绝 {summary.rejected} 行"
               + (f"（另有 {summary.blank_lines} 个空行）" if summary.blank_lines else ""))
    if summary.ignored_columns:
        typer.echo("未使用的列：" + "、".join(summary.ignored_columns))
    if summary.duplicate_ids:
        shown = "；".join("、".join(f"第 {r} 行" for r in rows) for rows in summary.duplicate_rows[:3])
        typer.echo(f"注意：{summary.duplicate_ids} 行的编号与前面的行重复（各行均已分别评估，以行号区分）：{shown}"
                   + ("…" if len(summary.duplicate_rows) > 3 else "") + "；详见 summary.json 的 duplicate_rows", err=True)
    typer.echo(f"结果：{summary.outputs['results']}（{summary.result_rows} 行）")
    typer.echo(f"按申请人汇总：{summary.outputs['applicants']}")
    typer.echo(f"错误行：{summary.outputs['errors']}（{summary.rejected} 行被拒绝）")
    if summary.earlier_outputs:
        typer.echo("注意：目录中的 " + "、".join(summary.earlier_outputs) + " 是更早一次运行写出的，不是本次的结果（本次未生成，"
                   "也未删除）", err=True)
    if budget is not None:
        from .batch.report import print_budget

        print_budget(budget, _console())
        typer.echo(f"报告（全部表格）：{summary.outputs['report']}")
        if "report_html" in summary.outputs:
            typer.echo(f"图表报告（用浏览器打开）：{summary.outputs['report_html']}")
        else:
            typer.echo(f"图表报告 report.html 需要 matplotlib：{_extra('charts')}", err=True)


class _sigterm_as_interrupt:
    """While a batch runs, SIGTERM (`kill PID`, a service manager stopping the job) raises KeyboardInterrupt, so
    run_batch removes its files exactly as for Ctrl-C — by default SIGTERM ends Python at once and leaves them
    behind. A second SIGTERM is ignored so the clean-up is not cut short (SIGKILL still ends the process);
    `received` tells the exit code apart (143 for SIGTERM, 130 for Ctrl-C)."""

    received = False

    def __enter__(self):
        import signal

        def handler(signum, frame):
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            self.received = True
            raise KeyboardInterrupt("SIGTERM")

        try:
            self.previous = signal.signal(signal.SIGTERM, handler)
        except ValueError:  # not the main thread (an embedding application): leave signals alone
            self.previous = None
        return self

    def __exit__(self, *exc) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


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
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
    param: Optional[List[str]] = PARAM_OPT,
) -> None:
    """把规则库写成一条 SQL 查询：申请人表 → 与 batch 的 results.csv 相同的结果行 / the rulebooks as one SQL query."""
    try:
        from .sql import SqlError, rulebooks_query, write_sql
    except ImportError:
        typer.echo(f"sql: 需要 sqlglot（{_extra('sql')}）", err=True)
        raise typer.Exit(2)
    books = []
    for city in cities or [None]:
        books += _load_books(rulebooks, city)
    books = list({b.slug: b for b in books}.values())
    given = _params(param)
    from .base.problems import InputError
    from .engine.evaluation import _known_parameters

    try:
        _known_parameters(given, books)
    except InputError as error:
        _fail(error)
    if summary and budget:
        typer.echo("sql: --summary 与 --budget 只能选一个", err=True)
        raise typer.Exit(2)
    when = _date(as_of) or dt.date.today()
    listed = None if columns is None else [c.strip() for c in columns.split(",") if c.strip()]
    try:
        if budget:
            from .sql.budget import budget_query

            query = budget_query([b.rulebook for b in books], when, dialect.value, table=table, columns=listed,
                                 overrides=given)
        else:
            query = rulebooks_query([b.rulebook for b in books], when, dialect.value, table=table, columns=listed,
                                    overrides=given, summary=summary)
        text = write_sql(query, dialect.value) + ";\n"
    except SqlError as error:
        typer.echo(f"sql: {error}", err=True)
        raise typer.Exit(2)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"已写出 {output}（{dialect.value}，评估日期 {when}，{len(books)} 个规则库）", err=True)


def _show_columns() -> None:
    from rich.table import Table

    from .batch.columns import column_guide

    table = Table(title="可识别的列名（表头可用中文名、英文字段名或别名）", show_lines=False)
    for head in ("字段", "中文列名", "其他可用列名", "填写方式"):
        table.add_column(head, overflow="fold")
    for row in column_guide():
        table.add_row(*row)
    _console().print(table)


@app.command()
def compare(
    input_path: Path = typer.Argument(..., metavar="LIST", help="申请人名单（CSV 或 XLSX，与 batch 相同）"),
    base: Optional[List[Path]] = typer.Option(None, "--base", help="改革前的规则库（目录或文件；默认：内置规则库）"),
    reform: Optional[List[Path]] = typer.Option(None, "--reform", help="改革后的规则库（目录或文件；默认：与改革前相同）"),
    setting: Optional[List[str]] = typer.Option(
        None, "--set", help="改革：改一个金额，如 huaibei.returnee_startup_subsidy.amount=8000，可重复"),
    set_param: Optional[List[str]] = typer.Option(None, "--set-param", help="改革后的参数取值 NAME=VALUE，可重复"),
    param: Optional[List[str]] = PARAM_OPT,
    city: Optional[str] = CITY_OPT,
    as_of: Optional[str] = AS_OF_OPT,
    reform_as_of: Optional[str] = typer.Option(None, "--reform-as-of", help="改革后的评估日期（比较两个日期：哪些到期）"),
    outdir: Optional[Path] = typer.Option(None, "-o", "--output", help="输出目录（默认：<名单>-测算/）"),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="输入编码（默认自动识别 UTF-8 / GB18030）"),
    overwrite: bool = typer.Option(False, "--overwrite", help="用本次结果替换上次测算写出的结果（其他文件从不覆盖）"),
    lang: Lang = typer.Option(Lang.zh, "--lang", help="changes.csv 的列名和取值：zh 中文（默认），en 代码"),
):
    """改革测算：同一名单在两个版本的规则下谁得益、谁受损、预算变化多少 / what a reform would cost, and who gains or loses."""
    from .base.problems import InputError
    from .batch.compare import balance, benefit_rows, city_rows, department_rows, run_compare, with_settings

    try:
        before = _load_books(base)
        after = _load_books(reform) if reform else before
        if setting:
            after = with_settings(after, list(setting))
        params = _params(param)
        reform_params = {**params, **_params(set_param)}
        when = _date(as_of) or dt.date.today()
        outdir = outdir or input_path.with_name(input_path.stem + "-测算")
        result = run_compare(input_path, outdir, before, after, as_of=when, reform_as_of=_date(reform_as_of), city=city,
                             parameters=params, reform_parameters=reform_params, encoding=encoding,
                             overwrite=overwrite, lang=lang.value)
    except InputError as error:
        _fail(error, lang=lang.value)
    except KeyboardInterrupt:
        typer.echo("已中断：未写出任何结果文件（输出目录中原有的文件未改动）", err=True)
        raise typer.Exit(130)
    from rich.table import Table

    names = {**result.base.city_names, **result.reform.city_names}
    typer.echo(balance(result))
    console = _console()
    for title, head, rows in (
            ("各城市", ["城市", "改革前符合", "改革后符合", "确定金额变化", "最高可得变化", "得益", "受损"],
             [[r[0], r[1], r[2], r[5], r[8], r[9], r[10]] for r in city_rows(result, names)]),
            ("变化最大的待遇", ["城市", "待遇", "人数变化", "最高可得变化", "规则的变化"],
             [[r[0], r[1], r[4], r[6], r[8]] for r in benefit_rows(result, names)[:5]]),
            ("按牵头单位", ["城市", "牵头单位", "确定金额变化", "最高可得变化"],
             [[r[0], r[1], r[4], r[7]] for r in department_rows(result, names)[:5]])):
        table = Table(title=title)
        for h in head:
            table.add_column(h, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    typer.echo(f"逐人变化：{outdir / 'changes.csv'}")
    typer.echo(f"报告：{outdir / 'report.md'}" + (f"；图表：{outdir / 'report.html'}" if (outdir / "report.html").exists() else ""))


def _version(written: str, scratch: Path) -> Path:
    """A rulebook file or folder — or `REV:path`, that file as git has it at a revision (HEAD~1, a tag, a commit),
    read beside the current official texts (sources/)."""
    import shutil

    from .authoring.gitfile import show

    if Path(written).exists() or ":" not in written:
        return Path(written)
    rev, _, path = written.partition(":")
    content = show(rev, path)
    scratch.mkdir(parents=True)
    target = scratch / Path(path).name
    target.write_bytes(content)
    sources = Path(path).parent / "sources"
    if sources.is_dir():
        shutil.copytree(sources, scratch / "sources")
    return target


@app.command()
def diff(
    old: Path = typer.Argument(..., metavar="OLD", help="原规则库（文件或目录）"),
    new_: Path = typer.Argument(..., metavar="NEW", help="新规则库（文件或目录）"),
    as_of: Optional[str] = AS_OF_OPT,
):
    """两个版本的规则库有什么不同（逐项待遇，用中文说明） / what changed between two versions of a rulebook."""
    import tempfile

    from .base.problems import InputError
    from .render.rulediff import benefit_changes, parameter_changes

    with tempfile.TemporaryDirectory() as scratch:
        try:
            before = {b.slug: b for b in _load_books([_version(str(old), Path(scratch) / "old")])}
            after = {b.slug: b for b in _load_books([_version(str(new_), Path(scratch) / "new")])}
        except InputError as error:
            _fail(error)
    when = _date(as_of) or dt.date.today()
    found = 0
    for slug in dict.fromkeys([*before, *after]):
        if slug not in after:
            typer.echo(f"{before[slug].rulebook.city.zh}：整个规则库被删除")
            found += 1
            continue
        if slug not in before:
            typer.echo(f"{after[slug].rulebook.city.zh}：新增规则库")
            found += 1
            continue
        a, b = before[slug].rulebook, after[slug].rulebook
        lines = [f"{c.name}（{c.id}）：{c.text}" for c in benefit_changes(a, b, when)] + parameter_changes(a, b)
        if a.document != b.document:
            lines.append("文件信息（标题、文号、有效期等）改变")
        for line in lines:
            typer.echo(f"{b.city.zh}  {line}")
        found += len(lines)
    if not found:
        typer.echo("两个版本的规则相同")
    raise typer.Exit(1 if found else 0)


@app.command()
def new(
    city: str = typer.Argument(..., help="城市标识：小写英文（通常是拼音），用作文件名，如 zibo"),
    zh: Optional[str] = typer.Option(None, "--zh", help="城市中文名，如 淄博"),
    en: Optional[str] = typer.Option(None, "--en", help="城市英文名，如 Zibo"),
    title: Optional[str] = typer.Option(None, "--title", help="文件标题"),
    number: Optional[str] = typer.Option(None, "--number", help="文号，如 淄政办发〔2023〕1号"),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="发文单位"),
    issued: Optional[str] = typer.Option(None, "--issued", help="印发日期 YYYY-MM-DD"),
    in_force_from: Optional[str] = typer.Option(None, "--from", help="生效日期 YYYY-MM-DD"),
    in_force_to: Optional[str] = typer.Option(None, "--to", help="截止日期 YYYY-MM-DD"),
    source: Optional[str] = typer.Option(None, "--source", help="原文文本文件（UTF-8 或 GBK），复制到 <规则库目录>/sources/"),
    draft: bool = typer.Option(False, "--draft", help="征求意见稿"),
    rulebooks_dir: Path = typer.Option(Path("rulebooks"), "--rulebooks-dir", help="规则库目录（默认：./rulebooks）"),
    cases_dir: Path = typer.Option(Path("tests/cases"), "--cases-dir", help="测试用例目录（默认：./tests/cases）"),
    no_input: bool = typer.Option(False, "--no-input", help="不提问：只用选项，缺少必填项时报错"),
    force: bool = typer.Option(False, "--force", help="覆盖已有文件"),
    lang: Lang = LANG_OPT,
) -> None:
    """新建一个城市的规则库和测试用例（从模板，立即可通过检查）/ scaffold a new city's rulebook and cases."""
    from .authoring.scaffold import PROMPTS, QUESTIONS_EN, answer_problem, new_city, scaffold
    from .base.problems import InputError

    answers = {"zh": zh, "en": en, "title": title, "number": number, "issuer": issuer, "issued": issued,
               "in_force_from": in_force_from, "in_force_to": in_force_to, "source": source}
    for key, question, required in PROMPTS:
        while answers[key] is None and not no_input:
            text = typer.prompt(QUESTIONS_EN[key] if lang is Lang.en else question, default="" if not required else None,
                                show_default=False)
            why = answer_problem(key, text, lang.value)
            if why:
                typer.echo(why, err=True)
            else:
                answers[key] = text
    try:
        made = scaffold(new_city(city, answers, draft=draft), rulebooks_dir, cases_dir, force=force)
    except InputError as error:
        _fail(error, lang=lang.value)
    for line in made.summary(lang.value):
        typer.echo(line)
    if any(p.severity == "error" for p in made.problems):
        raise typer.Exit(1)


def main() -> None:
    from typer._click import exceptions as click_errors

    try:
        code = app(standalone_mode=False)
        # the command is done: a Ctrl-C or SIGTERM from now on changes nothing. Ignored, it cannot end the process
        # by the signal itself while Python shuts down (which restores the default handlers it had set)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
    except click_errors.NoArgsIsHelpError as error:  # `chuangye` alone: the help, as before
        typer.echo(error.ctx.get_help() if error.ctx else str(error), err=True)
        sys.exit(2)
    except typer.Abort:  # a question asked with no one to answer it (input closed, or Ctrl-D)
        typer.echo("没有得到回答（输入已结束）：请在命令行上用选项给出，或加 --no-input 查看缺少哪些选项", err=True)
        sys.exit(2)
    except click_errors.UsageError as error:  # typer's own option errors, in Chinese like every other message
        typer.echo(usage_message(error), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("已中断 / interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # a bug, not bad input: one line for the user, the traceback on request
        if os.environ.get("CHUANGYE_DEBUG"):
            raise
        from .base.privacy import mask_text

        typer.echo(mask_text(f"内部错误（请把这条信息和所用文件报告给维护者；设置 CHUANGYE_DEBUG=1 可看到详情）："
                             f"{type(error).__name__}: {error}"), err=True)
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)


def usage_message(error) -> str:
    """A command-line mistake (an unknown option, a missing argument, a value not allowed) in Chinese."""
    import re

    from typer._click import exceptions as click_errors

    command = error.ctx.command_path if error.ctx else "chuangye"
    help_hint = f"（用 {command} --help 查看用法）"
    param = getattr(error, "param", None)
    name = _param_name(param, getattr(error, "param_hint", None))
    if isinstance(error, click_errors.NoSuchOption):
        meant = sorted(getattr(error, "possibilities", None) or [])
        return f"{command}: 没有选项 {error.option_name}" + (f"（是否想写 {'、'.join(meant)}？）" if meant else help_hint)
    if isinstance(error, click_errors.MissingParameter):
        what = "参数" if param is not None and param.param_type_name == "argument" else "选项"
        return f"{command}: 缺少{what} {name}{help_hint}"
    if isinstance(error, click_errors.BadParameter):
        message = error.message or ""
        bad = re.search(r"'([^']*)' is not", message) or re.search(r"^'?([^\s']+)'? is not", message)
        shown = f" {bad.group(1)}" if bad else ""
        choices = _choices(param, message)
        if choices:
            return f"{command}: {name} 的取值{shown}无效（可选：{'、'.join(choices)}）"
        if "range" in message or "less than" in message or "greater than" in message:
            return f"{command}: {name} 的取值{shown}超出允许的范围{help_hint}"
        if "integer" in message or "is not a valid" in message:
            return f"{command}: {name} 的取值{shown}无效，应为整数{help_hint}"
        return f"{command}: {name} 的取值{shown}无效{help_hint}"
    extra = re.search(r"unexpected extra argument(?:s|\(s\))? \((.*)\)", error.message or "")
    if extra:
        return f"{command}: 多余的参数 {extra.group(1)}{help_hint}"
    if isinstance(error, click_errors.BadOptionUsage):
        return f"{command}: 选项 {getattr(error, 'option_name', '')} 的用法不对（例如缺少它的取值）{help_hint}"
    return f"{command}: 命令行用法不对{help_hint}"


def _param_name(param, hint) -> str:
    if param is None:
        return str(hint or "")
    if param.param_type_name == "argument":
        return (param.metavar or param.name or "").upper()
    return max(param.opts, key=len) if param.opts else (param.name or "")


def _choices(param, message: str = "") -> list[str]:
    """The values an option allows: from its Enum, else from the message ("… is not one of 'a', 'b'.")."""
    import re
    from enum import Enum as _Enum

    runtime = getattr(param, "_runtime_param", None) if param is not None else None
    annotation = getattr(runtime, "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, _Enum):
        return [member.value for member in annotation]
    listed = re.search(r"one of (.*?)\.?$", message)
    return re.findall(r"'([^']*)'", listed.group(1)) if listed else []
