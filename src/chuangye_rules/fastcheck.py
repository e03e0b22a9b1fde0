"""`chuangye check` started fast: the command line read here, not by typer, and the profile and the rulebooks read
without Pydantic when they allow it (api.check_file(fast=True)), so that a caseworker's one-profile check does not
pay for importing typer and Pydantic (the figures: bench/README.md).

Only a command line this module is sure of is handled here — `check PROFILE` with check's own options, each
well-formed; anything else (`--help`, an unknown or misspelt option, a bad date or value, another command) returns
None and goes to typer, which parses and reports it as always. What is printed, and the exit code, are the same as
typer's `check` gives (tests/test_fastcheck.py runs both on the same command lines)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal
from typing import Any

VALUED = {"--city": "city", "--as-of": "as_of", "--format": "format", "--lang": "lang",
          "--rulebooks": "rulebooks", "--param": "param"}
REPEATED = ("rulebooks", "param")
CHOICES = {"format": ("table", "json"), "lang": ("zh", "en")}


def parse(argv: list[str]) -> dict[str, Any] | None:
    """check's arguments, or None when the command line is not one this module is sure of."""
    if not argv or argv[0] != "check" or os.environ.get("CHUANGYE_NO_FAST"):
        return None
    args: dict[str, Any] = {"profile": None, "city": None, "as_of": None, "format": "table", "lang": "zh",
                            "show_all": False, "rulebooks": [], "param": []}
    rest = iter(argv[1:])
    for arg in rest:
        name, eq, value = arg.partition("=")
        if arg == "--show-all":
            args["show_all"] = True
        elif name in VALUED:
            value = value if eq else next(rest, None)
            if value is None or (not eq and value.startswith("-")):
                return None  # a missing value, or an option where the value should be: typer says which
            key = VALUED[name]
            if key in REPEATED:
                args[key].append(value)
            else:
                args[key] = value
        elif arg.startswith("-") or args["profile"] is not None:
            return None  # --help, an option check does not have, a second profile
        else:
            args["profile"] = arg
    if args["profile"] is None or any(args[key] not in allowed for key, allowed in CHOICES.items()):
        return None
    return args


def run(argv: list[str]) -> int | None:
    """The exit code of `check` run here, or None when typer should run the command line."""
    from .rules.values import evaluation_date, parameter_values

    args = parse(argv)
    if args is None:
        return None
    try:
        as_of = evaluation_date(args["as_of"]) if args["as_of"] is not None else None
        parameters = parameter_values(args["param"])
    except ValueError:
        return None  # typer says what is wrong with it
    lang = args["lang"]
    try:
        return _check(args, as_of, parameters)
    except BrokenPipeError:  # the reader stopped reading (`chuangye check … | head`): nothing lost, nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that Python's own last flush does not fail again
        return 1  # as Python's documentation does on EPIPE
    except KeyboardInterrupt:
        from .render.endings import INTERRUPTED

        print(INTERRUPTED.get(lang), file=sys.stderr)
        return 130
    except Exception as error:  # a bug, not bad input: one line, as cli.main says it
        if os.environ.get("CHUANGYE_DEBUG"):
            raise
        from .render.endings import internal_error

        print(internal_error(error, lang), file=sys.stderr)
        return 3


def _check(args: dict[str, Any], as_of: dt.date | None, parameters: dict[str, Decimal]) -> int:
    from .api import check_file
    from .base.problems import InputError

    lang = args["lang"]
    try:
        evaluation = check_file(args["profile"], rulebooks=args["rulebooks"] or None, as_of=as_of, city=args["city"],
                                parameters=parameters, fast=True)
    except InputError as error:
        for problem in error.problems:
            print(problem.format(lang), file=sys.stderr)
        return 2
    show(evaluation, args["format"], lang, args["show_all"])
    return 0


def show(evaluation, output_format: str, lang: str, show_all: bool) -> None:
    """What `check` prints of an evaluation: the JSON document, or the tables (typer's `check` prints it here too)."""
    if output_format == "json":
        from .render.jsondoc import evaluation_json

        print(evaluation_json(evaluation, lang))
    else:
        from .render.reporting import make_console, print_evaluation

        print_evaluation(evaluation, make_console(), lang, show_all)
