"""A file as git has it at a revision (`chuangye diff HEAD~1:rulebooks/ordos.yaml …`).

The one place the package runs another program: always `git`, never through a shell, with the revision and path
given as one argument after --end-of-options (a revision cannot pass as an option of git's).
"""

from __future__ import annotations

import subprocess

from ..base.messages import Text
from ..base.problems import InputError, make_problem

HOW = Text("写作 版本:路径，如 HEAD~1:rulebooks/ordos.yaml", "write REVISION:PATH, e.g. HEAD~1:rulebooks/ordos.yaml")


def show(rev: str, path: str) -> bytes:
    written = f"{rev}:{path}"
    if not rev or rev.startswith("-"):
        raise InputError([make_problem(written, None, None, Text("版本名无效", "not a valid revision"), HOW)])
    try:
        shown = subprocess.run(["git", "show", "--end-of-options", f"{rev}:./{path}"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError([make_problem(written, None, None, Text(f"无法运行 git：{error}", f"cannot run git: {error}"))]) from None
    if shown.returncode != 0:
        said = shown.stderr.decode("utf-8", "replace").strip()[:200]
        raise InputError([make_problem(written, None, None,
                                       Text("git 中没有这个版本的文件：" + said, "git has no such file at that revision: " + said),
                                       HOW + Text("（在仓库目录中运行）", " (run it in the repository's folder)"))])
    return shown.stdout
