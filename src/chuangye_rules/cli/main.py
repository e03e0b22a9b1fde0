"""`main`: runs the app, and turns what can go wrong on the command line into one line (Chinese, or English with
--lang en) and an exit code."""

from __future__ import annotations

import os
import signal
import sys
from typing import NoReturn

import typer

from .app import app, argv_lang


def main() -> None:
    from .clicks import exceptions as click_errors

    try:
        code = app(standalone_mode=False)
        if code == 130:  # typer caught a Ctrl-C outside a command's own handling (commands say so and exit by SystemExit)
            raise KeyboardInterrupt
        # the command is done: a Ctrl-C or SIGTERM from now on changes nothing. Ignored, it cannot end the process
        # by the signal itself while Python shuts down (which restores the default handlers it had set)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
    except click_errors.NoArgsIsHelpError as error:  # `chuangye` alone: the help, as before
        typer.echo(error.ctx.get_help() if error.ctx else str(error), err=True)
        sys.exit(2)
    except typer.Abort as error:  # a question asked with no one to answer it (input closed, or Ctrl-D)
        if isinstance(error.__cause__, KeyboardInterrupt):  # older typer: a Ctrl-C becomes Abort
            _say_interrupted()
        typer.echo("没有得到回答（输入已结束）：请在命令行上用选项给出，或加 --no-input 查看缺少哪些选项"
                   if argv_lang() == "zh" else
                   "no answer (the input ended): give it as an option on the command line, or add --no-input to see "
                   "which options are missing", err=True)
        sys.exit(2)
    except click_errors.UsageError as error:  # typer's own option errors, in Chinese like every other message
        typer.echo(usage_message(error, argv_lang()), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        _say_interrupted()
    except Exception as error:  # a bug, not bad input: one line for the user, the traceback on request
        if os.environ.get("CHUANGYE_DEBUG"):
            raise
        from ..render.endings import internal_error

        typer.echo(internal_error(error, argv_lang()), err=True)
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)


def _say_interrupted() -> NoReturn:
    from ..render.endings import INTERRUPTED

    typer.echo(INTERRUPTED.get(argv_lang()), err=True)
    sys.exit(130)


def usage_message(error, lang: str = "zh") -> str:
    """A command-line mistake (an unknown option, a missing argument, a value not allowed), in Chinese, or in
    English with --lang en."""
    import re

    from .clicks import exceptions as click_errors

    zh = lang != "en"
    command = error.ctx.command_path if error.ctx else "chuangye"
    help_hint = f"（用 {command} --help 查看用法）" if zh else f" (see {command} --help)"
    param = getattr(error, "param", None)
    name = _param_name(param, getattr(error, "param_hint", None))
    if isinstance(error, click_errors.NoSuchOption):
        meant = sorted(getattr(error, "possibilities", None) or [])
        if zh:
            return f"{command}: 没有选项 {error.option_name}" + (f"（是否想写 {'、'.join(meant)}？）" if meant else help_hint)
        return f"{command}: no option {error.option_name}" + (f" (did you mean {', '.join(meant)}?)" if meant else help_hint)
    if isinstance(error, click_errors.MissingParameter):
        argument = param is not None and param.param_type_name == "argument"
        return (f"{command}: 缺少{'参数' if argument else '选项'} {name}{help_hint}" if zh else
                f"{command}: missing {'argument' if argument else 'option'} {name}{help_hint}")
    if isinstance(error, click_errors.BadParameter):
        return _bad_value(error, command, name, param, help_hint, zh)
    extra = re.search(r"unexpected extra argument(?:s|\(s\))? \((.*)\)", error.message or "")
    if extra:
        return f"{command}: 多余的参数 {extra.group(1)}{help_hint}" if zh else \
            f"{command}: unexpected arguments {extra.group(1)}{help_hint}"
    if isinstance(error, click_errors.BadOptionUsage):
        option = getattr(error, "option_name", "")
        return (f"{command}: 选项 {option} 的用法不对（例如缺少它的取值）{help_hint}" if zh else
                f"{command}: option {option} is not used right (its value may be missing){help_hint}")
    return f"{command}: 命令行用法不对{help_hint}" if zh else f"{command}: the command line is not right{help_hint}"


def _bad_value(error, command: str, name: str, param, help_hint: str, zh: bool) -> str:
    import re

    message = error.message or ""
    bad = re.search(r"'([^']*)' is not", message) or re.search(r"^'?([^\s']+)'? is not", message)
    shown = f" {bad.group(1)}" if bad else ""
    choices = _choices(param, message)
    if choices:
        return (f"{command}: {name} 的取值{shown}无效（可选：{'、'.join(choices)}）" if zh else
                f"{command}: the value{shown} of {name} is not valid (one of: {', '.join(choices)})")
    if "range" in message or "less than" in message or "greater than" in message:
        return (f"{command}: {name} 的取值{shown}超出允许的范围{help_hint}" if zh else
                f"{command}: the value{shown} of {name} is out of the allowed range{help_hint}")
    if "integer" in message or "is not a valid" in message:
        return (f"{command}: {name} 的取值{shown}无效，应为整数{help_hint}" if zh else
                f"{command}: the value{shown} of {name} is not valid: it should be a whole number{help_hint}")
    return f"{command}: {name} 的取值{shown}无效{help_hint}" if zh else f"{command}: the value{shown} of {name} is not valid{help_hint}"


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
