"""Where a batch run writes, and the promise it keeps: it never writes over, moves or deletes a file it did
not create in that run — the list it reads above all — and its outputs appear only when the whole run has
succeeded.

- Before any work, every output name is checked in OUTDIR. A file of that name that is the list itself is
  always refused. Any other file of that name is refused too, unless the manifest (`.chuangye-manifest.json`,
  written by each successful run) shows an earlier run wrote it, it is unchanged since (size and modification
  time), and `--overwrite` was given.
- Everything is written inside a hidden folder this run creates in OUTDIR (`.chuangye-运行中-…`), on the same
  disk as OUTDIR, so that placing the files is a rename that needs no space. A failure at any point removes
  that folder and what is in it (this run's files only), and an OUTDIR the run created if it is left empty.
- The outputs are placed at the end, with Ctrl-C and SIGTERM held back for those few milliseconds. A new name
  is placed with a hard link, which fails rather than replace a file that appeared meanwhile; an earlier run's
  file being replaced is first moved aside into the hidden folder, and put back if placing fails.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..base.messages import Text
from ..base.outfile import make_folders, quietly, remove_folders
from ..base.problems import InputError, make_problem

MANIFEST = ".chuangye-manifest.json"
STAGING_PREFIX = ".chuangye-运行中-"
MANIFEST_SCHEMA = "chuangye.batch-manifest/1"


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def is_uri(outdir: str | Path) -> bool:
    """OUTDIR names a Hadoop file system (hdfs://, s3a://, file://…) rather than a folder on this machine: only
    `--engine spark` writes there (spark/folders.py); as a Path it would collapse into a local folder "hdfs:"."""
    return isinstance(outdir, str) and _URI.match(outdir) is not None



def _stamp(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class OutFolder:
    """One run's outputs in OUTDIR: checked before the run, staged during it, placed or discarded at the end."""

    def __init__(self, outdir: Path, names: list[str], input_path: Path, overwrite: bool = False) -> None:
        self.outdir = Path(outdir)
        self.names = list(names)
        self.input_path = Path(input_path)
        self.overwrite = overwrite
        self.created_dirs: list[Path] = []  # OUTDIR and parents this run made, innermost last
        self.staging: Path | None = None
        self.late_interrupt = False  # Ctrl-C or SIGTERM came while the outputs were placed: they are complete
        self.placed = False  # the outputs are in OUTDIR: the run is complete, whatever comes after
        self.replacing: dict[str, list[int]] = {}  # earlier run's outputs this run may replace, with their stamps
        self.earlier: dict[str, list[int]] = {}  # an earlier run's outputs still there unchanged that this run leaves

    # ------------------------------------------------------------------ before the run

    def check(self) -> None:
        """Refuse, before any work is done, a run that would have to write over a file it does not own."""
        if self.outdir.exists() and not self.outdir.is_dir():  # (said before the hidden folder's name is tried)
            raise InputError([make_problem(str(self.outdir), None, None, Text(
                "输出目录是一个文件，不是目录；未做任何改动", "the output folder is a file, not a folder; nothing was changed"),
                Text("用 -o 指定一个目录（不存在时会新建）", "name a folder with -o (it is made if it does not exist)"))])
        earlier = self._manifest()
        problems = []
        for name in self.names:
            target = self.outdir / name
            if not (target.exists() or target.is_symlink()):
                continue
            if _same_file(target, self.input_path):
                problems.append(make_problem(
                    str(target), None, None,
                    Text("输出文件会覆盖名单文件本身，已停止，名单未被改动",
                         "an output file would overwrite the list itself: stopped, the list is unchanged"),
                    Text("用 -o 指定另一个输出目录", "name another output folder with -o")))
            elif name in earlier and not target.is_symlink() and _stamp(target) == earlier[name]:
                if self.overwrite:
                    self.replacing[name] = earlier[name]
                else:
                    problems.append(make_problem(
                        str(target), None, None,
                        Text("输出目录中已有上次运行写出的同名文件，未做任何改动",
                             "the output folder already has a file of this name from an earlier run; nothing was changed"),
                        Text("加 --overwrite 用本次结果替换上次的结果，或用 -o 指定另一个目录",
                             "add --overwrite to replace the earlier results with this run's, or name another folder with -o")))
            else:
                problems.append(make_problem(
                    str(target), None, None,
                    Text("输出目录中已有同名文件（不是本程序上次写出的，或写出后被改动过），不会覆盖，未做任何改动",
                         "the output folder already has a file of this name (not written by an earlier run, or changed "
                         "since), which is never overwritten; nothing was changed"),
                    Text("用 -o 指定另一个目录，或先移走这个文件", "name another folder with -o, or move this file away first")))
        if problems:
            raise InputError(problems)
        self.earlier = {name: stamp for name, stamp in earlier.items() if name not in self.names
                        and "/" not in name and (self.outdir / name).is_file() and _stamp(self.outdir / name) == stamp}

    def _manifest(self) -> dict[str, list[int]]:
        try:
            data = json.loads((self.outdir / MANIFEST).read_text("utf-8"))
            if data.get("schema") != MANIFEST_SCHEMA:
                return {}
            return {str(k): [int(x) for x in v] for k, v in data["files"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}

    def open(self) -> None:
        """Make OUTDIR (remembering what this run created) and the hidden folder the outputs are written in."""
        make_folders(self.outdir, self.created_dirs)
        # remembered before it is made, so that an interruption between the two still removes it
        self.staging = self.outdir / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self.staging.mkdir()

    def path(self, name: str) -> Path:
        """Where this run writes the output `name` until it is placed."""
        assert self.staging is not None
        return self.staging / name

    def final(self, name: str) -> Path:
        return self.outdir / name

    # ------------------------------------------------------------------ at the end

    def commit(self, names: list[str]) -> None:
        """Place the staged outputs `names` in OUTDIR, all or none, then the manifest; signals wait meanwhile.
        A signal that arrived while they were placed is not an error: the run is complete (`late_interrupt`)."""
        self.late_interrupt = place_held(lambda: self._place_all(names))
        self.placed = True
        self._remove_staging()

    def _place_all(self, names: list[str]) -> None:
        placed: list[str] = []
        aside: dict[str, Path] = {}
        try:
            for name in names:
                self._place(name, aside)
                placed.append(name)
            self._write_manifest(names)
        except BaseException:
            for name in placed:
                quietly(os.unlink, self.final(name))
            for name, moved in aside.items():
                quietly(os.rename, moved, self.final(name))
            raise

    def _place(self, name: str, aside: dict[str, Path]) -> None:
        staged, target = self.path(name), self.final(name)
        if name in self.replacing:
            if not target.exists() or _stamp(target) != self.replacing[name]:
                raise _changed(target)
            moved = self.staging / f".earlier-{name}"
            os.rename(target, moved)
            aside[name] = moved
        try:
            os.link(staged, target)
        except FileExistsError:
            raise _changed(target) from None
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK,
                                   errno.ENOSYS, errno.EACCES):
                raise
            # a disk without hard links (FAT, exFAT, some network shares): check, then rename
            if target.exists() or target.is_symlink():
                raise _changed(target) from None
            os.rename(staged, target)
            return
        os.unlink(staged)

    def _write_manifest(self, names: list[str]) -> None:
        data = {"schema": MANIFEST_SCHEMA,
                "note": "chuangye batch 写出的文件（加 --overwrite 时可被下一次运行替换）/ files written by chuangye batch",
                "files": {**self.earlier, **{name: _stamp(self.final(name)) for name in names}}}
        staged = self.path(MANIFEST)
        staged.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        target = self.final(MANIFEST)
        if target.exists() and not self._manifest():
            raise _changed(target)  # a file of that name that is not a manifest: not ours to replace
        os.replace(staged, target)

    def discard(self) -> None:
        """Remove everything this run wrote: the hidden folder and its files, and an OUTDIR it created if empty.
        Never raises: a clean-up that fails (a read-only disk) must not hide why the run failed."""
        self._remove_staging()
        remove_folders(self.created_dirs)

    def _remove_staging(self) -> None:
        if self.staging is None:
            return
        try:
            entries = list(os.scandir(self.staging))
        except OSError:
            entries = []
        for entry in entries:
            quietly(os.unlink, entry.path)
        quietly(os.rmdir, self.staging)
        if not self.staging.exists():
            self.staging = None


def _changed(target: Path) -> InputError:
    return InputError([make_problem(
        str(target), None, None,
        Text("运行期间输出目录中出现了（或改动了）同名文件，不会覆盖，未写出任何结果文件",
             "a file of this name appeared (or changed) in the output folder during the run; it is not overwritten, "
             "and no result file was written"),
        Text("用 -o 指定另一个目录后重新运行", "name another folder with -o and run again"))])


def place_held(place) -> bool:
    """Run `place` (all outputs placed, or none) with Ctrl-C and SIGTERM held back; True when one came meanwhile
    and the outputs were all placed: the run is complete (a signal before that is raised as usual)."""
    placed_all = False
    try:
        with _signals_held():
            place()
            placed_all = True
    except KeyboardInterrupt:
        if not placed_all:
            raise
        return True
    return False


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the outputs are placed (a few renames): a run is then either complete
    or never happened. A signal that arrived meanwhile is delivered after, when the run is already complete."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
