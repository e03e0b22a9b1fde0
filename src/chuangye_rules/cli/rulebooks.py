"""The rulebooks and what they hold: `rulebooks`, `benefits`, `validate`, `test`, `fields`, `coverage`, `departments`, `schema`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional

import typer

from .app import (
    CITY_OPT,
    LANG_OPT,
    RULEBOOKS_OPT,
    Lang,
    _console,
    _fail,
    _load_books,
    _say_folder,
    app,
)


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

    from ..render.departments import departments_text
    from ..render.i18n import CATEGORY, label

    books = _load_books(rulebooks, city)
    zh = lang is Lang.zh
    for book in books:
        table = Table(title=f"{book.rulebook.city.zh if zh else book.rulebook.city.en}（{book.slug}）")
        for head in (("标识", "id"), ("待遇", "benefit"), ("类别", "category"), ("条款", "clause"), ("牵头单位", "lead")):
            table.add_column(head[0] if zh else head[1], overflow="fold")
        for b in book.rulebook.benefits:
            table.add_row(b.id, b.name if zh else b.name_en, label(CATEGORY, b.category.value, lang.value), b.clause,
                          departments_text(b.departments.lead, lang.value))
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
    from ..authoring.validation import validate_paths

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
    lang: Lang = LANG_OPT,
) -> None:
    """运行规则库测试用例 / run the YAML case files."""
    from ..authoring.casefiles import exercised, run_files
    from ..base.messages import Text
    from ..base.problems import InputError, make_problem
    from ..rules.loading import load_rulebooks

    _say_folder(rulebooks, always=True)
    try:
        count, failures = run_files(paths or None, rulebooks)
    except InputError as error:
        _fail(error, lang=lang.value)
    if not count:  # no case file found is a wrong path, not a pass (a CI job would pass on nothing)
        where = ", ".join(str(p) for p in paths or [Path("tests/cases")])
        _fail(InputError([make_problem(where, None, None, Text("没有找到测试用例（*.yaml）", "no case file (*.yaml) found"),
                                       Text("给出用例文件或所在目录，如 chuangye test tests/cases/",
                                            "give case files or their folder, e.g. chuangye test tests/cases/"))]),
              lang=lang.value)
    for failure in failures:
        typer.echo(failure.format(lang.value))
    failed_cases = len({id(f.case) for f in failures})
    typer.echo(f"通过 {count - failed_cases} 个用例，失败 {failed_cases} 个" if lang is Lang.zh else
               f"{count - failed_cases} passed, {failed_cases} failed")
    if coverage:
        seen = exercised(paths or None)
        for book in load_rulebooks(rulebooks):
            untested = [b.id for b in book.rulebook.benefits if b.id not in seen.get(book.slug, set())]
            tested = f"{len(book.rulebook.benefits) - len(untested)}/{len(book.rulebook.benefits)}"
            if lang is Lang.en:
                typer.echo(f"{book.slug}: {tested} benefits have cases" + (f"; none for: {', '.join(untested)}" if untested else ""))
            else:
                typer.echo(f"{book.slug}: {tested} 项待遇有用例" + (f"；无用例: {', '.join(untested)}" if untested else ""))
    if failures:
        raise typer.Exit(1)


@app.command()
def fields(lang: Lang = LANG_OPT) -> None:
    """申请人信息可用的字段 / the profile fields (names, Chinese names, types)."""
    from rich.table import Table

    from ..render.i18n import FIELD_TYPE, field_writing, label
    from ..rules.catalog import catalog

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
             rulebooks: Optional[List[Path]] = RULEBOOKS_OPT, lang: Lang = LANG_OPT) -> None:
    """覆盖审计：文件中带金额、期限或待遇的每句话，要么被规则引用，要么列入 not_encoded 并说明理由。"""
    from ..authoring.coverage import audit
    books = _load_books(rulebooks, city)
    gaps = 0
    for book in books:
        report = audit(book)
        gaps += len(report.uncovered)
        zh = lang is Lang.zh
        counted = f"{report.covered}/{len(report.carrying)}"
        typer.echo(f"{report.city}（{report.city_zh}）: {counted} 句已覆盖（{report.share:.0%}）" if zh else
                   f"{report.city} ({report.city_zh}): {counted} sentences covered ({report.share:.0%})")
        for sentence in report.uncovered:
            typer.echo(f"    {'未覆盖' if zh else 'not covered'}: {sentence.text}")
    if gaps:
        typer.echo(f"{gaps} 句既未被引用也未列入 not_encoded" if lang is Lang.zh else
                   f"{gaps} sentence(s) neither quoted by a rule nor listed in not_encoded", err=True)
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
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="写入文件（默认：打印）"),
           overwrite: bool = typer.Option(False, "--overwrite", help="-o 的文件已存在且内容不同时替换它（默认不改动已有文件）"),
           lang: Lang = LANG_OPT) -> None:
    """输出规则库或申请人信息的 JSON Schema（供编辑器补全和校验）/ the JSON Schema of a format."""
    from ..authoring.jsonschema import schema_text

    if which not in ("rulebook", "profile"):
        typer.echo("schema: 只能是 rulebook 或 profile" if lang is Lang.zh else "schema: rulebook or profile",
                   err=True)
        raise typer.Exit(2)
    text = schema_text(which)
    if output:
        from ..base.outfile import place_file
        from ..base.problems import InputError

        try:
            place_file(output, text.encode("utf-8"), overwrite)
        except InputError as error:
            _fail(error, lang=lang.value)
    else:
        typer.echo(text)


