"""`new`: a rulebook scaffold for an author starting a city's plan."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import (
    LANG_OPT,
    Lang,
    _fail,
    app,
)


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
    from ..authoring.scaffold import PROMPTS, QUESTIONS_EN, answer_problem, new_city, scaffold
    from ..base.problems import InputError

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


