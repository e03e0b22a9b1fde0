"""`check` and `explain`: one applicant's profile against the rulebooks."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .app import (
    AS_OF_OPT,
    CITY_OPT,
    LANG_OPT,
    PARAM_OPT,
    RULEBOOKS_OPT,
    Format,
    Lang,
    _console,
    _date,
    _fail,
    _params,
    _say,
    app,
)


def _evaluate_file(profile: Path, rulebooks, as_of: Optional[str], city: Optional[str], param, lang: str = "zh"):
    """A profile file evaluated as `check` and `explain` need it; bad input ends the command with exit 2."""
    from ..api import check_file
    from ..base.problems import InputError

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
    from ..fastcheck import show

    show(_evaluate_file(profile, rulebooks, as_of, city, param, lang.value), output_format.value, lang.value, show_all)


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
    from ..render.reporting import explain_panel

    evaluation = _evaluate_file(profile, rulebooks, as_of, city, param, lang.value)
    found = [(b, c) for c in evaluation.cities for b in c.benefits if b.id == benefit_id]
    if not found:
        known = sorted(b.id for c in evaluation.cities for b in c.benefits)
        import difflib

        close = difflib.get_close_matches(benefit_id, known, n=3)
        typer.echo(_say(f"没有待遇 {benefit_id!r}" + (f"；是否想查 {'、'.join(close)}？" if close else
                                                     "；用 chuangye benefits 查看全部标识"),
                        f"no benefit {benefit_id!r}" + (f"; did you mean {', '.join(close)}?" if close else
                                                         "; chuangye benefits lists every id")), err=True)
        raise typer.Exit(2)
    console = _console()
    for result, city_result in found:
        console.print(explain_panel(result, lang.value, city_result))


