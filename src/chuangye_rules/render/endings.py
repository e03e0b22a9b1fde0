"""How a command that ended early says so: interrupted (Ctrl-C, SIGTERM), or an internal error (a bug, with the
one line a maintainer needs and any personal number masked), and whether anything was written. The typer CLI, `chuangye
check`'s fast start (fastcheck.py) and spark-submit's entry say it in these words."""

from __future__ import annotations

from ..base.messages import Text
from ..base.privacy import mask_text

INTERRUPTED = Text("已中断", "interrupted")
# a run interrupted before its outputs were placed (batch: the CLI and spark-submit's entry; compare)
NOTHING_WRITTEN = Text("已中断：未写出任何结果文件（可重新运行）", "interrupted: no result file was written (run it again)")
NOTHING_WRITTEN_FOLDER_AS_IT_WAS = Text(
    "已中断：未写出任何结果文件（输出目录中原有的文件未改动）",
    "interrupted: no result file was written (the files already in the output folder are unchanged)")


def internal_error(error: BaseException, lang: str = "zh") -> str:
    said = ("内部错误（请把这条信息和所用文件报告给维护者；设置 CHUANGYE_DEBUG=1 可看到详情）：" if lang == "zh"
            else "internal error (please report this line and the files used; CHUANGYE_DEBUG=1 shows the details): ")
    return mask_text(f"{said}{type(error).__name__}: {error}")
