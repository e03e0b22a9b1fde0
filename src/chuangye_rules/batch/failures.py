"""How a run ends when it cannot finish: Ctrl-C and SIGTERM noted even where polars swallows them, and a disk
that fails (full, read-only, removed) reported in the user's words, with the promise that nothing was written."""

from __future__ import annotations

import errno
import functools
import os
import re
import sys
import threading
from pathlib import Path

from ..base.messages import Text, as_text
from ..base.problems import InputError, make_problem


class SignalsNoted:
    """Remembers that Ctrl-C or SIGTERM came during the run (then acts as before: KeyboardInterrupt). polars
    may swallow the KeyboardInterrupt raised inside one of its calls and raise something else instead; the
    run is then still reported as interrupted, not as a bug."""

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self) -> None:
        self.received = False
        self.previous: dict = {}
        self.previous_hook = None

    def __enter__(self) -> "SignalsNoted":
        import signal

        if threading.current_thread() is not threading.main_thread():
            return self
        # an interrupt raised while polars calls back into Python (its data-type classes) may be one Python cannot
        # raise there: it would print "Exception ignored in … Traceback" to the user. It is noted (received) and
        # the run ends as interrupted at its next step, so that report is only noise.
        self.previous_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        for name in self.SIGNALS:
            number = getattr(signal, name)
            previous = signal.getsignal(number)
            self.previous[number] = previous
            signal.signal(number, functools.partial(self._note, previous))
        return self

    def _note(self, previous, number, frame) -> None:
        import signal

        self.received = True
        if callable(previous):
            previous(number, frame)
        elif previous != signal.SIG_IGN:  # ignored stays ignored; SIGTERM's default (ending at once) an interrupt
            raise KeyboardInterrupt

    def _unraisable(self, unraisable) -> None:
        if not (self.received and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            (self.previous_hook or sys.__unraisablehook__)(unraisable)

    def __exit__(self, *exc) -> None:
        import signal

        for number, previous in self.previous.items():
            signal.signal(number, previous)
        self.previous = {}
        if self.previous_hook is not None:
            sys.unraisablehook, self.previous_hook = self.previous_hook, None


def interrupted(error: BaseException) -> bool:
    """Whether Ctrl-C or SIGTERM caused this error: one that lands while polars calls back into Python comes
    out of polars as another error (a TypeError "… is not a Polars data type") with the interrupt inside."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


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


NOTHING_CHANGED = Text("未写出任何结果文件，名单和目录中原有的文件都未改动",
                       "No result file was written; the list and the folder's earlier files are unchanged")


CHECK_AND_RERUN = Text("检查磁盘空间、目录权限和名单文件后重新运行，或用 -o 指定另一个目录",
                       "check the disk space, the folder's permissions and the list, then run again, or choose another "
                       "folder with -o")


def disk_problem(error: OSError, outdir: Path, what: "Text | str", promise: Text = NOTHING_CHANGED,
                 hint: Text = CHECK_AND_RERUN) -> InputError:
    what = as_text(what)
    why = _DISK_WORDS.get(_errno_of(error)) or as_text(f"{error.strerror or error}")
    return InputError([make_problem(str(error.filename or outdir), None, None, Text(
        f"{what.zh}：{why.zh}。{promise.zh}", f"{what.en}: {why.en}. {promise.en}"), hint)])
