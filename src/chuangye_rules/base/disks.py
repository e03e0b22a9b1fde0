"""How a disk that fails (full, read-only, removed, a path that cannot be a file) is told to the user: in their
words, with what was and was not written — for every command that writes (batch, compare, sql, schema, new)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from .messages import Text, as_text
from .problems import InputError, make_problem

_DISK_WORDS = {
    errno.ENOSPC: Text("磁盘空间不足", "the disk is full"), errno.EDQUOT: Text("超出磁盘配额", "the disk quota is exceeded"),
    errno.EROFS: Text("输出目录所在的磁盘是只读的", "the output folder's disk is read-only"),
    errno.EACCES: Text("没有写入权限", "no permission to write"), errno.EPERM: Text("没有写入权限", "no permission to write"),
    errno.ENOENT: Text("输出目录或名单文件在运行中被删除或移动", "the output folder or the list was removed or moved during the run"),
    errno.EIO: Text("磁盘读写出错", "a disk read or write error"),
    errno.ENOTDIR: Text("路径中有一段是文件而不是目录", "part of the path is a file, not a folder"),
    errno.EEXIST: Text("路径中已有同名的文件", "a file of that name is in the way"),
}


def _errno_of(error: OSError) -> int | None:
    """The error's number — polars' own I/O errors carry it only in their text ("[Errno 28] No space left…")."""
    if error.errno is not None:
        return error.errno
    found = re.search(r"\[Errno (\d+)\]|os error (\d+)", str(error))
    if found:
        return int(found.group(1) or found.group(2))
    by_text = {os.strerror(number).lower(): number for number in _DISK_WORDS}
    return next((n for text, n in by_text.items() if text in str(error).lower()), None)


def disk_words(error: OSError) -> Text:
    """What went wrong with the disk, in the user's words (磁盘空间不足), or the system's own where none fit."""
    return _DISK_WORDS.get(_errno_of(error)) or as_text(f"{error.strerror or error}")


WRITING_OUTDIR = Text("无法在输出目录中写文件", "cannot write files in the output folder")
NOTHING_CHANGED = Text("未写出任何结果文件，名单和目录中原有的文件都未改动",
                       "No result file was written; the list and the folder's earlier files are unchanged")


CHECK_AND_RERUN = Text("检查磁盘空间、目录权限和名单文件后重新运行，或用 -o 指定另一个目录",
                       "check the disk space, the folder's permissions and the list, then run again, or choose another "
                       "folder with -o")


def disk_problem(error: OSError, outdir: Path, what: "Text | str", promise: Text = NOTHING_CHANGED,
                 hint: Text = CHECK_AND_RERUN) -> InputError:
    what, why = as_text(what), disk_words(error)
    return InputError([make_problem(str(error.filename or outdir), None, None, Text(
        f"{what.zh}：{why.zh}。{promise.zh}", f"{what.en}: {why.en}. {promise.en}"), hint)])
