"""How a command that ended early says so: interrupted (Ctrl-C, SIGTERM), or an internal error (a bug, with the
one line a maintainer needs and any personal number masked). The typer CLI (cli/main.py) and `chuangye check`'s fast
start (fastcheck.py) say it in the same words."""

from __future__ import annotations

from ..base.privacy import mask_text

INTERRUPTED = {"zh": "已中断", "en": "interrupted"}


def internal_error(error: BaseException, lang: str = "zh") -> str:
    said = ("内部错误（请把这条信息和所用文件报告给维护者；设置 CHUANGYE_DEBUG=1 可看到详情）：" if lang == "zh"
            else "internal error (please report this line and the files used; CHUANGYE_DEBUG=1 shows the details): ")
    return mask_text(f"{said}{type(error).__name__}: {error}")
