"""Safe YAML reading that remembers where every key and value stands, for messages that point at a line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 200
MAX_NODES = 500_000


# Pydantic error types in Chinese, for rulebook and profile messages
MESSAGES_ZH = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的键",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "string_pattern_mismatch": "标识只能用小写字母、数字和下划线，且以字母开头",
    "too_short": "不能为空",
    "union_tag_invalid": "kind 取值无效",
    "union_tag_not_found": "缺少 kind",
    "value_error": "取值无效",
    "finite_number": "应为有限数字（不能是 NaN 或无穷大）",
    "bool_type": "应为 true 或 false",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
}


@dataclass
class Problem:
    file: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None
    severity: str = "error"

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"（{self.hint}）" if _is_zh(self.hint) else f" ({self.hint})"
        return text


def _is_zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class InputError(Exception):
    """One or more problems in a file the user gave us; printed without a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


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

    def problem(self, path: tuple, message: str, hint: str | None = None, severity: str = "error") -> Problem:
        line, col = self.where(path)
        return Problem(self.file, line, col, message, hint, severity)


def read_text(path: Path, what: str = "file") -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError([Problem(str(path), None, None, f"无法读取{what}: {error.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Problem(str(path), None, None, f"文件过大（{len(raw)} 字节，上限 {MAX_FILE_BYTES}）")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError([Problem(str(path), line, None, "文件不是 UTF-8 编码", "请另存为 UTF-8")]) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader whose impossible dates (2023-02-30) stay text, so validation can name their line."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load_located(text: str, file: str) -> Located:
    """Parse YAML text safely: no Python tags, duplicate keys and excessive depth are errors."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError([Problem(file, line, col, f"YAML 语法错误: {error.problem or error}")]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(file, None, None, f"YAML 语法错误: {error}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError([Problem(file, 1, 1, "文件为空")])
    located = Located(None, file)
    problems: list[Problem] = []
    counter = [0]
    _walk(node, (), located.marks, problems, file, 0, counter, set())
    if problems:
        raise InputError(problems)
    try:
        located.data = _Loader(text).get_single_data()
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise InputError([Problem(file, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                                  f"不支持的 YAML 内容: {error.problem}")]) from None
    except (yaml.YAMLError, ValueError) as error:
        raise InputError([Problem(file, None, None, f"YAML 无法解析: {error}")]) from None
    return located


def _walk(node, path, marks, problems, file, depth, counter, seen) -> None:
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_NODES:
        if not problems:
            problems.append(Problem(file, node.start_mark.line + 1, node.start_mark.column + 1,
                                    f"嵌套过深或内容过多（深度上限 {MAX_DEPTH}，节点上限 {MAX_NODES}）"))
        return
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if id(node) in seen:  # an alias: count it once, never expand it again (no "billion laughs")
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            if key in keys:
                problems.append(Problem(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                        f"重复的键 {key!r}（第一次出现在第 {keys[key]} 行）"))
            keys[key] = key_node.start_mark.line + 1
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, path + (key,), marks, problems, file, depth + 1, counter, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), marks, problems, file, depth + 1, counter, seen)
