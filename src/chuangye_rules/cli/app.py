"""The typer app, the options several commands share, and how a command reports bad input and ends."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from enum import Enum
from typing import List, NoReturn, Optional

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
    from ..render.reporting import make_console

    return make_console(stderr)


def _fail(error, code: int = 2, lang: Optional[str] = None) -> None:
    for problem in error.problems:
        typer.echo(problem.format(lang or argv_lang()), err=True)
    raise typer.Exit(code)


def _interrupted(code: int = 130) -> NoReturn:
    """End a command that was interrupted and has said so. SystemExit, which typer passes on: a typer.Exit(130)
    could not be told from the Ctrl-C typer catches itself outside a command's own handling (it returns 130,
    silently; cli.main then says 已中断)."""
    sys.exit(code)


def argv_lang(argv: Optional[List[str]] = None) -> str:
    """The --lang the command line asks for: the running command's own --lang once typer has parsed it (also when
    the app runs in process — a test's CliRunner, a notebook — where sys.argv is not its command line), else read
    from the command line before typer parses it (so its own errors can use it too)."""
    if argv is None:
        parsed = _parsed_lang()
        if parsed is not None:
            return parsed
    argv = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(argv):
        if arg == "--lang=en" or (arg == "--lang" and argv[i + 1:i + 2] == ["en"]):
            return "en"
    return "zh"


def _parsed_lang() -> Optional[str]:
    from .clicks import get_current_context

    context = get_current_context(silent=True)
    value = context.params.get("lang") if context is not None else None
    value = getattr(value, "value", value)
    return value if value in ("zh", "en") else None


def _say(zh: str, en: str) -> str:
    """A message in the command line's --lang (for what is said before or beside a command's own words)."""
    return en if argv_lang() == "en" else zh


def _date(text: Optional[str], option: str = "--as-of") -> Optional[dt.date]:
    if text is None:
        return None
    from ..rules.values import MAX_DATE, MIN_DATE, evaluation_date

    try:
        return evaluation_date(text)
    except ValueError as error:
        if str(error) == "format":
            typer.echo(_say(f"{option}: {text!r} 不是有效日期（应为 YYYY-MM-DD，如 2024-06-01）",
                            f"{option}: {text!r} is not a valid date (write YYYY-MM-DD, e.g. 2024-06-01)"), err=True)
        else:
            typer.echo(_say(f"{option}: {text} 超出可评估的范围（{MIN_DATE} 至 {MAX_DATE}）",
                            f"{option}: {text} is outside the dates that can be evaluated ({MIN_DATE} to {MAX_DATE})"),
                       err=True)
        raise typer.Exit(2) from None


def _params(items: Optional[List[str]]) -> dict[str, Decimal]:
    from ..rules.values import parameter_values

    try:
        return parameter_values(items or [])
    except ValueError as error:
        typer.echo(_say(f"--param: {str(error)!r} 应写作 NAME=数值", f"--param: {str(error)!r} should be NAME=number"),
                   err=True)
        raise typer.Exit(2) from None


def _say_folder(rulebooks, always: bool = False) -> None:
    """Which rulebooks a command reads, when none were named: always for the authors' commands (validate,
    test, coverage), and for the others when it is not the bundled copy (a ./rulebooks folder is preferred)."""
    if rulebooks:
        return
    from ..rules.loading import bundled_rulebook_dir, default_rulebook_dir

    folder = default_rulebook_dir()
    if always or folder.resolve() != bundled_rulebook_dir().resolve():
        local = folder.resolve() != bundled_rulebook_dir().resolve()
        typer.echo(_say(f"规则库：{folder}（{'当前目录下的 rulebooks/' if local else '内置规则库'}；用 --rulebooks 指定其他目录）",
                        f"rulebooks: {folder} ({'rulebooks/ in the current folder' if local else 'the bundled ones'}; "
                        "--rulebooks names another folder)"), err=True)


def _load_books(rulebooks, city: Optional[str] = None):
    """The rulebooks a command works on; a broken one ends the command with its located problems."""
    from ..base.problems import InputError
    from ..rules.loading import load_rulebooks

    _say_folder(rulebooks)
    try:
        return load_rulebooks(rulebooks, city=city)
    except InputError as error:
        _fail(error)


class _sigterm_as_interrupt:
    """While a batch or a comparison runs, SIGTERM (`kill PID`, a service manager stopping the job) raises
    KeyboardInterrupt, so run_batch and run_compare remove their files exactly as for Ctrl-C — by default SIGTERM
    ends Python at once and leaves them behind. A second SIGTERM is ignored so the clean-up is not cut short
    (SIGKILL still ends the process); `received` tells the exit code apart (143 for SIGTERM, 130 for Ctrl-C)."""

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
