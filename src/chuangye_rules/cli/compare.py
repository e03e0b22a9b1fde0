"""`compare` and `diff`: two versions of the rulebooks, by the money they give a list and by their text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional

import typer

from ..base.messages import Text
from .app import (
    AS_OF_OPT,
    CITY_OPT,
    PARAM_OPT,
    Lang,
    _console,
    _date,
    _fail,
    _interrupted,
    _load_books,
    _params,
    _sigterm_as_interrupt,
    app,
)


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
    lang: Lang = typer.Option(Lang.zh, "--lang", help="zh 中文（默认）；en 英文的屏幕摘要和报告，changes.csv 的列名和取值为代码"),
):
    """改革测算：同一名单在两个版本的规则下谁得益、谁受损、预算变化多少 / what a reform would cost, and who gains or loses."""
    from ..base.problems import InputError
    from ..batch.comparerun import run_compare
    from ..batch.reforms import with_settings

    sigterm = _sigterm_as_interrupt()  # SIGTERM as Ctrl-C: run_compare removes what it began (batch does the same)
    # the options first (a bad date or parameter is said before any rulebook is read), then the rulebooks
    when, reform_when = _date(as_of) or dt.date.today(), _date(reform_as_of, "--reform-as-of")
    params = _params(param)
    reform_params = {**params, **_params(set_param)}
    try:
        before = _load_books(base)
        after = _load_books(reform) if reform else before
        if setting:
            after = with_settings(after, list(setting))
        outdir = outdir or input_path.with_name(input_path.stem + "-测算")
        with sigterm:
            result = run_compare(input_path, outdir, before, after, as_of=when, reform_as_of=reform_when, city=city,
                                 parameters=params, reform_parameters=reform_params, encoding=encoding,
                                 overwrite=overwrite, lang=lang.value)
    except InputError as error:
        _fail(error, lang=lang.value)
    except KeyboardInterrupt:
        from ..render.endings import NOTHING_WRITTEN_FOLDER_AS_IT_WAS

        typer.echo(NOTHING_WRITTEN_FOLDER_AS_IT_WAS.get(lang.value), err=True)
        _interrupted(143 if sigterm.received else 130)
    _print_comparison(result, outdir, lang)


_TABLES = {  # the console's three tables: title and heads, Chinese and English
    "zh": [("各城市", ["城市", "改革前符合", "改革后符合", "确定金额变化", "最高可得变化", "得益", "受损"]),
           ("变化最大的待遇", ["城市", "待遇", "人数变化", "最高可得变化", "规则的变化"]),
           ("按牵头单位", ["城市", "牵头单位", "确定金额变化", "最高可得变化"])],
    "en": [("by city", ["city", "eligible before", "eligible after", "exact total change", "up-to total change",
                        "gain", "lose"]),
           ("the benefits that change most", ["city", "benefit", "people change", "up-to total change", "rule change"]),
           ("by lead department", ["city", "lead department", "exact total change", "up-to total change"])],
}


def _print_comparison(result, outdir: Path, lang) -> None:
    from rich.table import Table

    from ..batch.compare import balance, benefit_rows, city_rows, department_rows

    names = result.city_names(lang.value)
    typer.echo(balance(result, lang.value))
    console = _console()
    rows = ([[r[0], r[1], r[2], r[5], r[8], r[9], r[10]] for r in city_rows(result, names, lang.value)],
            [[r[0], r[1], r[4], r[6], r[8]] for r in benefit_rows(result, names, lang.value)[:5]],
            [[r[0], r[1], r[4], r[7]] for r in department_rows(result, names, lang.value)[:5]])
    for (title, head), body in zip(_TABLES[lang.value], rows):
        table = Table(title=title)
        for h in head:
            table.add_column(h, overflow="fold")
        for row in body:
            table.add_row(*row)
        console.print(table)
    html = (outdir / "report.html").exists()
    if lang is Lang.zh:
        typer.echo(f"逐人变化：{outdir / 'changes.csv'}")
        typer.echo(f"报告：{outdir / 'report.md'}" + (f"；图表：{outdir / 'report.html'}" if html else ""))
    else:
        typer.echo(f"person by person: {outdir / 'changes.csv'}")
        typer.echo(f"report: {outdir / 'report.md'}" + (f"; charts: {outdir / 'report.html'}" if html else ""))


def _version(written: str, scratch: Path) -> Path:
    """A rulebook file or folder — or `REV:path`, that file as git has it at a revision (HEAD~1, a tag, a commit),
    read beside the current official texts (sources/)."""
    import shutil

    from ..authoring.gitfile import show

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


_DIFF = {"removed": Text("整个规则库被删除", "the whole rulebook was removed"),
         "added": Text("新增规则库", "a new rulebook"),
         "document": Text("文件信息（标题、文号、有效期等）改变", "the document's details (title, number, validity…) changed"),
         "same": Text("两个版本的规则相同", "the two versions' rules are the same")}


@app.command()
def diff(
    old: Path = typer.Argument(..., metavar="OLD", help="原规则库（文件或目录）"),
    new_: Path = typer.Argument(..., metavar="NEW", help="新规则库（文件或目录）"),
    as_of: Optional[str] = AS_OF_OPT,
    lang: Lang = typer.Option(Lang.zh, "--lang", help="输出语言：zh 中文（默认），en 英文（规则变化的说明也是英文）"),
):
    """两个版本的规则库有什么不同（逐项待遇，用文字说明） / what changed between two versions of a rulebook, in words."""
    import tempfile

    from ..base.problems import InputError
    from ..render.rulediff import benefit_changes, parameter_changes

    with tempfile.TemporaryDirectory() as scratch:
        try:
            before = {b.slug: b for b in _load_books([_version(str(old), Path(scratch) / "old")])}
            after = {b.slug: b for b in _load_books([_version(str(new_), Path(scratch) / "new")])}
        except InputError as error:
            _fail(error, lang=lang.value)
    when = _date(as_of) or dt.date.today()
    zh, found = lang is Lang.zh, 0
    for slug in dict.fromkeys([*before, *after]):
        if slug not in after or slug not in before:
            city = (before.get(slug) or after[slug]).rulebook.city
            typer.echo((f"{city.zh}：" if zh else f"{city.en}: ") + _DIFF["removed" if slug not in after else "added"].get(lang.value))
            found += 1
            continue
        a, b = before[slug].rulebook, after[slug].rulebook
        lines = [f"{c.name}（{c.id}）：{c.text}" if zh else f"{c.named('en')} ({c.id}): {c.text_in('en')}"
                 for c in benefit_changes(a, b, when)] + parameter_changes(a, b, lang.value)
        if a.document != b.document:
            lines.append(_DIFF["document"].get(lang.value))
        for line in lines:
            typer.echo(f"{b.city.zh if zh else b.city.en}  {line}")
        found += len(lines)
    if not found:
        typer.echo(_DIFF["same"].get(lang.value))
    raise typer.Exit(1 if found else 0)


