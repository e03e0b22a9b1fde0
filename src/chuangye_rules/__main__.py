"""`python -m chuangye_rules` and the `chuangye` command: `check PROFILE …` by fastcheck.py when it can, else the CLI
(cli.main); then a quick exit.

A command's work ends when cli.main does; what Python does after that — tearing down every module and freeing
every object one by one (the rulebooks' models, pydantic's validators) — is a large part of a short command's
time (bench/README.md) and changes nothing. So once the output is flushed and the exit functions (atexit, which also run the
weakref finalizers such as a TemporaryDirectory's clean-up) have run, the process ends at once (os._exit). It
does so only when nothing could be lost: a whole-number exit code, no other thread still running, stdout and
stderr flushed without error; otherwise Python exits the ordinary way. (Every file a command writes is closed by
the command itself — `with` blocks, the batch's writer — never left for the teardown to flush.)
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def run() -> None:
    from .fastcheck import run as fast_check

    code = fast_check(sys.argv[1:])  # `check PROFILE …` without typer or Pydantic (fastcheck.py), else None
    if code is not None:
        _quiet_from_now_on()
    else:
        code = _typer_cli()
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`chuangye check … | head`): Python's own handling, as before
        sys.exit(code)
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None:  # not CPython: the ordinary exit
        sys.exit(code)
    run_exit_functions()
    os._exit(code or 0)


def _typer_cli() -> int | None:
    from .cli import main

    try:
        main()
        return 0
    except SystemExit as end:
        if end.code is not None and not isinstance(end.code, int):
            raise
        return end.code


def _quiet_from_now_on() -> None:
    """The command is done: a Ctrl-C or SIGTERM from now on changes nothing (as cli.main does after a command)."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


if __name__ == "__main__":
    run()
