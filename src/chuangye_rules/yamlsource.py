"""Safe YAML reading that remembers where every key and value stands, for messages that point at a line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .messages import Text, as_text

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
    message_en: str | None = None  # the English message (`--lang en`); the Chinese one when None
    hint_en: str | None = None
    code: str | None = None  # a stable name for the kind of problem, for CI and tests

    def format(self, lang: str = "zh") -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        message, hint = self.message, self.hint
        if lang == "en":
            message, hint = self.message_en or message, self.hint_en or hint
        text = f"{where}: {message}"
        if hint:
            text += f"（{hint}）" if lang != "en" and _is_zh(hint) else f" ({hint})"
        return text


def make_problem(file: str, line: int | None, column: int | None, message: "Text | str",
                 hint: "Text | str | None" = None, severity: str = "error", code: str | None = None) -> Problem:
    """A Problem from bilingual (or plain) message and hint."""
    message = as_text(message)
    hint = as_text(hint) if hint is not None else None
    return Problem(file, line, column, message.zh, hint.zh if hint else None, severity,
                   message.en, hint.en if hint else None, code)


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

    def problem(self, path: tuple, message: "Text | str", hint: "Text | str | None" = None, severity: str = "error",
                code: str | None = None) -> Problem:
        line, col = self.where(path)
        return make_problem(self.file, line, col, message, hint, severity, code)


def read_text(path: Path, what: str = "file") -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError([make_problem(
            str(path), None, None, Text(f"无法读取{what}: {error.strerror}", f"cannot read the file: {error.strerror}"),
            Text("检查路径是否正确、文件是否存在", "check the path and that the file exists"), code="unreadable")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([make_problem(
            str(path), None, None, Text(f"文件过大（{len(raw)} 字节，上限 {MAX_FILE_BYTES}）",
                                        f"the file is too large ({len(raw)} bytes, at most {MAX_FILE_BYTES})"),
            code="too_large")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
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


def _other_encoding(raw: bytes) -> str | None:
    for name in ("gb18030", "big5"):
        try:
            raw.decode(name)
            return "GBK/GB18030" if name == "gb18030" else "Big5"
        except UnicodeDecodeError:
            continue
    return None


def _lenient_timestamp(loader, node):
    """Impossible dates (2023-02-30) stay text, so validation can name their line instead of crashing."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class _Loader(yaml.SafeLoader):
    """The pure-Python safe loader: its error messages are the ones _SYNTAX translates."""


# libyaml's parser, when PyYAML has it, reads a rulebook ~10× faster; its error messages differ, so a
# file it rejects is read again by the pure-Python parser.
class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same safe loader on libyaml's parser."""


for _cls in (_Loader, _FastLoader):
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def _compose(text: str):
    """The node tree (with line marks) and the loader that made it, for constructing the data from it."""
    fast = _FastLoader(text)
    try:
        return fast.get_single_node(), fast
    except yaml.YAMLError:
        fast.dispose()
    slow = _Loader(text)
    return slow.get_single_node(), slow


def load_located(text: str, file: str) -> Located:
    """Parse YAML text safely: no Python tags, duplicate keys and excessive depth are errors."""
    try:
        node, loader = _compose(text)
    except yaml.MarkedYAMLError as error:
        raise InputError([syntax_problem(error, file)]) from None
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
    counter = [0]
    _walk(node, (), located.marks, problems, file, 0, counter, set())
    if problems:
        raise InputError(problems)
    try:
        located.data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        tag = str(error.problem).rsplit("tag ", 1)[-1]
        raise InputError([make_problem(
            file, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
            Text(f"不支持的 YAML 标签 {tag}", f"unsupported YAML tag {tag}"),
            Text("去掉以 ! 开头的标签；如果这是文字，请给整个值加引号",
                 "remove the tag starting with !; if it is text, put the whole value in quotes"),
            code="yaml_tag")]) from None
    except (yaml.YAMLError, ValueError) as error:
        raise InputError([make_problem(file, None, None, Text(f"YAML 无法解析：{error}", f"YAML cannot be read: {error}"),
                                       code="yaml_syntax")]) from None
    return located


# PyYAML's error, in words an author understands: (pattern on "context | problem", use the context's mark,
# message zh, message en, hint zh, hint en). The first that matches wins. The texts are str.format templates
# ({0}: the pattern's group, {ctx_line}: the line where the unclosed bracket opened), so literal braces are doubled.
_SYNTAX = [
    (r"found character '\\t'", False,
     "这一行用了制表符（Tab）", "a tab character is used here",
     "YAML 只能用空格缩进：把 Tab 换成空格（VS Code 右下角可设为“空格: 2”）",
     "YAML is indented with spaces only: replace the tab with spaces"),
    (r"found character '(.)' that cannot start any token", False,
     "值不能以“{0}”开头", "a value cannot start with '{0}'",
     "给整个值加引号，如 '{0}…'", "put the whole value in quotes, e.g. '{0}…'"),
    (r"while parsing a flow sequence", False,
     "第 {ctx_line} 行的方括号 [ 没有闭合，或列表项之间缺少逗号",
     "the bracket [ on line {ctx_line} is not closed, or a comma is missing",
     "在列表末尾补上 ]，各项之间用英文逗号加空格分隔，如 [individual, enterprise]",
     "close the list with ] and separate items with commas, e.g. [individual, enterprise]"),
    (r"while parsing a flow mapping", False,
     "第 {ctx_line} 行的花括号 {{ 没有闭合，或键值对之间缺少逗号",
     "the brace {{ on line {ctx_line} is not closed, or a comma is missing",
     "在末尾补上 }}，各项之间用英文逗号加空格分隔，如 {{kind: fixed, value: 5000}}",
     "close it with }} and separate the entries with commas, e.g. {{kind: fixed, value: 5000}}"),
    (r"while scanning a simple key", True,
     "这一行缺少冒号：键和值之间要写“: ”（英文冒号加空格）", "this line has no colon: write 'key: value'",
     "如 name: 一次性创业补贴；如果这一行是上一行文字的延续，请把它接到上一行，或给整个值加引号",
     "e.g. name: 一次性创业补贴; if the line continues the previous one, join them or quote the value"),
    (r"while scanning a quoted scalar", True,
     "这里开始的引号没有闭合", "the quotation mark opened here is not closed",
     "在值的末尾补上同样的英文引号（\" 或 '）", "close the value with the same quotation mark (\" or ')"),
    (r"mapping values are not allowed here", False,
     "这里不能出现“键: 值”", "a 'key: value' is not allowed here",
     "常见原因：① 值里含有“: ”——给整个值加引号；② 这一行比同一层的上一行多缩进了——对齐；③ 上一行冒号后缺少空格——写成“键: 值”",
     "usually: the value contains ': ' (quote it), the line is indented more than the one above, or a colon "
     "on the line above lacks its space"),
    (r"while scanning an alias|found undefined alias", False,
     "以 * 开头的值在 YAML 中表示引用", "a value starting with * is a YAML alias",
     "如果这是文字，请给整个值加引号", "if it is text, put the whole value in quotes"),
    (r"expected a single document", False,
     "文件中有多个文档（--- 分隔）", "the file holds several documents (separated by ---)",
     "一个规则库只能有一个文档：删除多余的 --- 行", "a rulebook is one document: delete the extra --- line"),
    (r"but found '[\]}]'", False,
     "多了一个右括号", "there is a closing bracket too many",
     "删除多余的 ] 或 }}", "delete the extra ] or }}"),
    (r"but found '<scalar>'", False,
     "引号后面还有文字", "there is text after the closing quotation mark",
     "把整个值放在一对引号里", "put the whole value inside one pair of quotation marks"),
    (r"while parsing a block collection", False,
     "列表中混入了不以“- ”开头的行，或这一行缩进不对", "a line in a list does not start with '- ', or is indented wrongly",
     "列表的每一项以“- ”开头并对齐；属于某一项的键要比“-”多缩进两个空格",
     "each list item starts with '- ' in the same column; keys belonging to an item are indented two more spaces"),
    (r"expected <block end>|expected <block mapping start>|but found '-'|but found '\?'", False,
     "缩进不对：这一行与同一层的其他行没有对齐", "wrong indentation: this line is not aligned with its siblings",
     "同一层的键要左对齐（只用空格，通常每层 2 个）；列表项以“- ”开头，短横线后有空格",
     "keys at the same level start in the same column (spaces only); list items start with '- '"),
]


def syntax_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    """A YAML syntax error as a Problem pointing at the line to fix, with what to do."""
    import re

    words = f"{error.context or ''} | {error.problem or ''}"
    for pattern, at_context, zh, en, hint_zh, hint_en in _SYNTAX:
        found = re.search(pattern, words)
        if found:
            groups = found.groups()
            ctx_line = error.context_mark.line + 1 if error.context_mark else "?"
            fill = lambda t: t.format(*groups, ctx_line=ctx_line)  # noqa: E731 (templates escape literal braces)
            mark = (error.context_mark if at_context else None) or error.problem_mark or error.context_mark
            message = Text("YAML 语法错误：" + fill(zh), "YAML syntax error: " + fill(en))
            hint = Text(fill(hint_zh), fill(hint_en))
            break
    else:
        mark = error.problem_mark or error.context_mark
        detail = error.problem or str(error)
        message = Text(f"YAML 语法错误：{detail}", f"YAML syntax error: {detail}")
        hint = Text("检查这一行和上一行的缩进、冒号、引号和括号", "check the indentation, colons, quotes and brackets here and above")
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return make_problem(file, line, col, message, hint, code="yaml_syntax")


def _walk(node, path, marks, problems, file, depth, counter, seen) -> None:
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_NODES:
        if not problems:
            problems.append(make_problem(
                file, node.start_mark.line + 1, node.start_mark.column + 1,
                Text(f"嵌套过深或内容过多（深度上限 {MAX_DEPTH}，节点上限 {MAX_NODES}）",
                     f"nested too deep or too large (depth at most {MAX_DEPTH}, nodes at most {MAX_NODES})"),
                code="too_large"))
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
                problems.append(make_problem(
                    file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                    Text(f"重复的键 {key}：同一层已在第 {keys[key]} 行写过", f"duplicate key {key}: already on line {keys[key]}"),
                    Text("一个键在同一层只能出现一次：删除其中一个，或把两处合并",
                         "a key may appear once per level: delete one or merge them"),
                    code="duplicate_key"))
            keys[key] = key_node.start_mark.line + 1
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, path + (key,), marks, problems, file, depth + 1, counter, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), marks, problems, file, depth + 1, counter, seen)
