"""A file as git has it at a revision (`chuangye diff HEAD~1:rulebooks/ordos.yaml …`).

The one place the package runs another program: always `git`, never through a shell, with the revision and path
given as one argument after --end-of-options (a revision cannot pass as an option of git's).
"""

from __future__ import annotations

import subprocess

from ..base.problems import InputError, Problem


def show(rev: str, path: str) -> bytes:
    written = f"{rev}:{path}"
    if not rev or rev.startswith("-"):
        raise InputError([Problem(written, None, None, "版本名无效", "写作 版本:路径，如 HEAD~1:rulebooks/ordos.yaml")])
    try:
        shown = subprocess.run(["git", "show", "--end-of-options", f"{rev}:./{path}"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError([Problem(written, None, None, f"无法运行 git：{error}")]) from None
    if shown.returncode != 0:
        raise InputError([Problem(written, None, None, "git 中没有这个版本的文件：" +
                                  shown.stderr.decode("utf-8", "replace").strip()[:200],
                                  "写作 版本:路径，如 HEAD~1:rulebooks/ordos.yaml（在仓库目录中运行）")])
    return shown.stdout
