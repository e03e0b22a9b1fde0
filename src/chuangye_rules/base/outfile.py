"""One output file (`sql -o`, `schema -o`) kept to the promise batch keeps for its folder (outfolder.py): a file
that is there already is never written over unless it holds these very bytes or `--overwrite` is given, and the
file appears whole or not at all — written beside its place under a hidden name, then renamed; a failure removes
what was begun (and a folder made for it), and a full or read-only disk is the user's message, not a bug."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .disks import disk_problem
from .messages import Text
from .problems import InputError, make_problem

UNCHANGED, WRITTEN = "unchanged", "written"


def place_file(path: Path, data: bytes, overwrite: bool = False) -> str:
    """Write `data` at `path`: WRITTEN, or UNCHANGED when the file already holds exactly these bytes."""
    return place_files([(Path(path), data)], overwrite)[0]


def place_files(files: list[tuple[Path, bytes]], overwrite: bool = False) -> list[str]:
    """Several files, all or none (`chuangye new`'s rulebook, cases and text): every one is checked, then all are
    written under hidden names, then renamed into place — renames need no space, so a full disk leaves none."""
    files = [(Path(path), data) for path, data in files]
    done = [_checked(path, data, overwrite) for path, data in files]
    pending = [(path, data) for (path, data), state in zip(files, done) if state == WRITTEN]
    created: list[Path] = []
    begun: list[tuple[Path, Path]] = []
    try:
        for path, data in pending:
            make_folders(path.parent, created)
            temporary = path.with_name(f".{path.name}.chuangye-{secrets.token_hex(4)}.tmp")
            begun.append((temporary, path))
            with open(temporary, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for temporary, path in begun:
            os.replace(temporary, path)
    except BaseException as error:
        for temporary, _ in begun:
            quietly(os.unlink, temporary)
        remove_folders(created)
        if isinstance(error, OSError):  # named by the file asked for, never the hidden name it was begun under
            where = begun[-1][1] if begun else (pending[0][0] if pending else Path("."))
            raise disk_problem(OSError(error.errno, error.strerror), where, Text("无法写出文件", "cannot write the file"), Text(
                "文件未写出，原有的文件都未改动", "The file was not written; the files there before are unchanged"),
                Text("检查磁盘空间和目录权限后重新运行，或写到另一个位置",
                     "check the disk space and the folder's permissions, then run again, or write it somewhere else")
            ) from None
        raise
    return done


def _checked(path: Path, data: bytes, overwrite: bool) -> str:
    if path.is_dir():
        raise InputError([make_problem(str(path), None, None, Text("这是一个目录，不是文件", "this is a folder, not a file"),
                                       Text("-o 写文件的路径，如 -o 结果/huaibei.sql", "give -o a file's path, e.g. -o out/huaibei.sql"))])
    if path.is_file() and _holds(path, data):
        return UNCHANGED
    if os.path.lexists(path) and not overwrite:
        raise InputError([make_problem(str(path), None, None, Text(
            "已有同名文件，内容与本次不同，未做任何改动", "a file of that name is there already, with other content; nothing was changed"),
            Text("加 --overwrite 用本次结果替换它，或用 -o 指定另一个文件名",
                 "add --overwrite to replace it with this output, or give -o another name"))])
    return WRITTEN


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def make_folders(folder: Path, created: list[Path]) -> None:
    """Make `folder` and its missing parents, outermost first, each noted in `created` before it is made (so that
    an interruption between the two still removes it); one made meanwhile by someone else is not ours."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        created.append(each)
        try:
            each.mkdir()
        except FileExistsError:
            created.pop()


def remove_folders(created: list[Path]) -> None:
    """The folders `make_folders` made, innermost first, each only if it is empty."""
    for folder in reversed(created):
        quietly(os.rmdir, folder)


def quietly(action, *args) -> None:
    """A clean-up step that must not hide why the run failed."""
    try:
        action(*args)
    except OSError:
        pass
