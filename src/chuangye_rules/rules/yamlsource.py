"""Safe YAML reading that remembers where every key and value stands, for messages that point at a line."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..base import limits
from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem
from .yamlmessages import MESSAGES_EN, MESSAGES_ZH, _constructor_problem, syntax_problem  # noqa: F401  (imported from here by other modules)
from .yamlshape import _SURROGATE, _check_shape, _FastLoader, _key_reader, _Loader, _too_large, _walk


@dataclass
class Located:
    """Parsed YAML data plus the (line, column) of every path in it (1-based)."""

    data: Any
    file: str
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple) -> tuple[int | None, int | None]:
        """The mark of the deepest prefix of `path` that exists (a missing key points at its parent)."""
        path = tuple(path)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (None, None))

    def problem(self, path: tuple, message: "Text | str", hint: "Text | str | None" = None, severity: str = "error",
                code: str | None = None) -> Problem:
        line, col = self.where(path)
        return make_problem(self.file, line, col, message, hint, severity, code)


# why a file could not be opened, in the reader's words (the system's own, strerror, is English)
_READ_ERRORS = {
    errno.ENOENT: Text("文件不存在", "no such file"),
    errno.EACCES: Text("没有读取权限", "no permission to read it"),
    errno.EPERM: Text("没有读取权限", "no permission to read it"),
    errno.EISDIR: Text("这是一个文件夹，不是文件", "it is a folder, not a file"),
    errno.ENOTDIR: Text("路径中有一段不是文件夹", "a part of the path is not a folder"),
    errno.ENAMETOOLONG: Text("文件名太长", "the file name is too long"),
    errno.ELOOP: Text("符号链接循环", "a loop of symbolic links"),
    errno.EIO: Text("磁盘读写出错", "a disk read error"),
}


def read_text(path: Path, what: str = "file", gb18030: bool = False) -> str:
    """The file as text: UTF-8 (with or without a BOM); with `gb18030`, a file that is not UTF-8 but reads as
    GB18030 too (a profile saved by Notepad as "ANSI" on a Chinese Windows, as batch reads such lists)."""
    limit = limits.current().max_file_bytes
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)  # never more than the limit: a huge file (or /dev/zero) is not read whole
    except OSError as error:
        why = _READ_ERRORS.get(error.errno) or Text(str(error.strerror or error), str(error.strerror or error))
        raise InputError([make_problem(
            str(path), None, None, Text(f"无法读取{what}：{why.zh}", f"cannot read the file: {why.en}"),
            Text("检查路径是否正确、文件是否存在", "check the path and that the file exists"), code="unreadable")]) from None
    if len(raw) > limit:
        raise InputError([too_large_problem(str(path), limit)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if gb18030:
            try:
                return raw.decode("gb18030")
            except UnicodeDecodeError:
                pass
        line = raw[: error.start].count(b"\n") + 1
        column = len(raw[raw.rfind(b"\n", 0, error.start) + 1: error.start].decode("utf-8", "replace")) + 1
        guess = _other_encoding(raw)
        raise InputError([make_problem(
            str(path), line, column,
            Text("文件不是 UTF-8 编码" + (f"（看起来是 {guess}）" if guess else "") + "，这里有无法识别的字节",
                 "the file is not UTF-8" + (f" (it looks like {guess})" if guess else "") + ": unreadable bytes here"),
            Text("用 UTF-8 重新保存：VS Code 中点右下角的编码 →“通过编码保存”→ UTF-8；记事本中“另存为”选 UTF-8",
                 "save it again as UTF-8: in VS Code click the encoding in the status bar, 'Save with Encoding', UTF-8"),
            code="not_utf8")]) from None


def too_large_problem(file: str, limit: int) -> Problem:
    try:
        size = Path(file).stat().st_size
    except OSError:
        size = 0
    shown = f"{size / 1024 / 1024:,.1f} MB" if size > limit else f"超过 {limit / 1024 / 1024:g} MB"
    shown_en = f"{size / 1024 / 1024:,.1f} MB" if size > limit else f"over {limit / 1024 / 1024:g} MB"
    return make_problem(
        file, None, None,
        Text(f"文件过大（{shown}，上限 {limit / 1024 / 1024:g} MB），没有读取",
             f"the file is too large ({shown_en}, at most {limit / 1024 / 1024:g} MB) and was not read"),
        Text(f"检查是否选错了文件；确需读取更大的文件时，设置环境变量 {limits.env_name('max_file_mb')}（单位 MB）",
             f"check that this is the right file; to allow larger files set {limits.env_name('max_file_mb')} (in MB)"),
        code="too_large")


def _other_encoding(raw: bytes) -> str | None:
    for name in ("gb18030", "big5"):
        try:
            raw.decode(name)
            return "GBK/GB18030" if name == "gb18030" else "Big5"
        except UnicodeDecodeError:
            continue
    return None


def _compose(text: str):
    """The node tree (with line marks) and the loader that made it, for constructing the data from it."""
    fast = _FastLoader(text)
    try:
        return fast.get_single_node(), fast
    except yaml.YAMLError:
        fast.dispose()
    slow = _Loader(text)
    return slow.get_single_node(), slow


def _reader_problem(error: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    """A character YAML does not allow (a NUL, a control character), at its line and column."""
    position = error.position if isinstance(error.position, int) and 0 <= error.position <= len(text) else None
    line = column = None
    if position is not None:
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    code_point = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
    return make_problem(
        file, line, column,
        Text(f"文件中有不允许的控制字符 {code_point}", f"the file contains a control character YAML does not allow ({code_point})"),
        Text("删除这个字符；文件可能已损坏，或不是文本文件", "delete it; the file may be damaged or not a text file"),
        code="yaml_syntax")


def load_located(text: str, file: str) -> Located:
    """Parse YAML text safely: no Python tags, duplicate keys and excessive depth or size are errors."""
    lim = limits.current()
    broken = _SURROGATE.search(text)  # possible in text handed over directly (a JSON request), never in a file
    if broken:
        line = text.count("\n", 0, broken.start()) + 1
        column = broken.start() - (text.rfind("\n", 0, broken.start()) + 1) + 1
        raise InputError([make_problem(file, line, column, Text("这里有无效的 Unicode 字符（单独的代理项）",
                                                                "an invalid Unicode character here (a lone surrogate)"),
                                       Text("删除这个字符", "delete it"), code="yaml_syntax")])
    _check_shape(text, file, lim)
    try:
        node, loader = _compose(text)
    except yaml.reader.ReaderError as error:
        raise InputError([_reader_problem(error, text, file)]) from None
    except yaml.MarkedYAMLError as error:
        raise InputError([syntax_problem(error, file)]) from None
    except RecursionError:
        raise InputError([_too_large(file, None, lim, deep=True)]) from None
    except yaml.YAMLError as error:
        raise InputError([make_problem(file, None, None, Text(f"YAML 语法错误：{error}", f"YAML syntax error: {error}"),
                                       code="yaml_syntax")]) from None
    if node is None:
        raise InputError([make_problem(
            file, 1, 1, Text("文件为空（没有内容，或只有注释）", "the file is empty (nothing but blank lines or comments)"),
            Text("填写内容；新的规则库可以用 chuangye new 城市标识 生成一个能通过检查的模板",
                 "fill it in; for a new rulebook, `chuangye new CITY` writes a template that passes validation"),
            code="empty_file")])
    located = Located(None, file)
    problems: list[Problem] = []
    try:
        _walk(node, (), located.marks, problems, file, 0, {}, lim, _key_reader(loader))
    except RecursionError:
        problems = [_too_large(file, None, lim, deep=True)]
    if problems:
        raise InputError(problems)
    try:
        located.data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as error:
        raise InputError([_constructor_problem(error, file)]) from None
    except RecursionError:
        raise InputError([_too_large(file, None, lim, deep=True)]) from None
    except (yaml.YAMLError, ValueError) as error:
        raise InputError([make_problem(file, None, None, Text(f"YAML 无法解析：{error}", f"YAML cannot be read: {error}"),
                                       code="yaml_syntax")]) from None
    return located


