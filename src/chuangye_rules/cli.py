"""The `chuangye` command: a thin shell over the library API."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="创业政策规则引擎 chuangye-rules")


@app.callback()
def _root() -> None:
    """创业政策规则引擎：查询可享受的创业扶持待遇。"""


@app.command()
def validate(paths: List[Path] = typer.Argument(None, help="规则库文件或目录（默认：内置规则库）")) -> None:
    """检查规则库 / check rulebooks."""
    from .loading import load_rulebooks
    from .yamlsource import InputError

    try:
        books = load_rulebooks(paths or None)
    except InputError as error:
        for problem in error.problems:
            typer.echo(problem.format(), err=True)
        raise typer.Exit(1)
    for book in books:
        typer.echo(f"{book.path}: OK（{len(book.rulebook.benefits)} 项待遇）")


def main() -> None:
    app()
