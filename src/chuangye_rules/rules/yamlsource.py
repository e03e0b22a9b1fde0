"""Safe YAML reading that remembers where every key and value stands, for messages that point at a line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..base import limits
from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem

LONGEST_NUMBER = 50  # digits: no figure in a rulebook or profile has more; Python refuses ints above 4300
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    "int_from_float": "应为整数（不能有小数）",
    "frozen_set_type": "应为列表，如 [高校毕业生, 退役军人]，或用、分隔的文字",
    "set_type": "应为列表",
    "string_too_long": "文字过长",
    "recursion_loop": "内容循环引用了自身",
}


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
    limit = limits.current().max_file_bytes
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)  # never more than the limit: a huge file (or /dev/zero) is not read whole
    except OSError as error:
        raise InputError([make_problem(
            str(path), None, None, Text(f"无法读取{what}: {error.strerror}", f"cannot read the file: {error.strerror}"),
            Text("检查路径是否正确、文件是否存在", "check the path and that the file exists"), code="unreadable")]) from None
    if len(raw) > limit:
        raise InputError([too_large_problem(str(path), limit)])
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


def _check_shape(text: str, file: str, lim: limits.Limits) -> None:
    """Nesting depth and size, from the parser's event stream (which, unlike composing, is not recursive): a
    file nested 10,000 deep is refused here, before anything recursive sees it. Syntax errors are left to the
    composer, which reports them with their line."""
    loader = _FastLoader(text)
    depth = events = 0
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        while loader.check_event():
            event = loader.get_event()
            events += 1
            if isinstance(event, starts):
                depth += 1
                if depth > lim.max_depth:
                    raise InputError([_too_large(file, event.start_mark, lim, deep=True)])
            elif isinstance(event, ends):
                depth -= 1
            if events > 2 * lim.max_nodes + 10:
                raise InputError([_too_large(file, event.start_mark, lim, deep=False)])
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in str(error.problem):  # libyaml's own limit (1000), met while it scans ahead
            raise InputError([_too_large(file, error.problem_mark, lim, deep=True)]) from None
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()


def _too_large(file: str, mark, lim: limits.Limits, deep: bool) -> Problem:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    if deep:
        message = Text(f"嵌套过深（超过 {lim.max_depth} 层），没有继续读取",
                       f"nested too deep (more than {lim.max_depth} levels); reading stopped")
        hint = Text(f"规则库的条件通常不超过十几层；确有需要时设置环境变量 {limits.env_name('max_depth')}",
                    f"conditions rarely nest more than a dozen levels; to allow more set {limits.env_name('max_depth')}")
    else:
        message = Text(f"内容过多（超过 {lim.max_nodes} 个值，别名 * 按展开后计），没有继续读取",
                       f"too much content (more than {lim.max_nodes} values, aliases counted as expanded); reading stopped")
        hint = Text(f"检查以 & 定义、以 * 引用的别名是否层层相套（“billion laughs”）；确有需要时设置环境变量 "
                    f"{limits.env_name('max_nodes')}",
                    f"check for aliases (&anchor, *alias) nested inside each other ('billion laughs'); to allow more "
                    f"set {limits.env_name('max_nodes')}")
    return make_problem(file, line, column, message, hint, code="too_large")


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


def _constructor_problem(error: yaml.constructor.ConstructorError, file: str) -> Problem:
    mark = error.problem_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    detail = str(error.problem or "")
    if "merging" in detail:
        return make_problem(file, line, column,
                            Text("合并键 << 后面应为映射，或映射的列表", "a merge key << takes a mapping or a list of mappings"),
                            Text("写成 <<: *别名，别名指向一个“键: 值”映射", "write <<: *alias, the alias naming a mapping"),
                            code="yaml_syntax")
    tag = detail.rsplit("tag ", 1)[-1]
    return make_problem(file, line, column, Text(f"不支持的 YAML 标签 {tag}", f"unsupported YAML tag {tag}"),
                        Text("去掉以 ! 开头的标签；如果这是文字，请给整个值加引号",
                             "remove the tag starting with !; if it is text, put the whole value in quotes"),
                        code="yaml_tag")


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


def _key_reader(loader):
    """The Python value of a key written as a number, null, true or a date (`1:`, `null:`), so that a message
    about that key in the data finds its line too."""

    def key(node):
        if node.tag not in _PLAIN_KEY_TAGS or len(node.value) > LONGEST_NUMBER:
            return _NO_KEY
        try:
            return loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError):
            return _NO_KEY

    return key


_NO_KEY = object()
_PLAIN_KEY_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp")}


def _walk(node, path, marks, problems, file, depth, sizes, lim, key_of=lambda node: _NO_KEY) -> int:
    """Record the line of every path; report duplicate keys, keys that are lists, broken characters and numbers
    too long to be a figure. Returns the number of values under `node` with every alias expanded, so that a
    "billion laughs" (aliases nested in aliases) is refused here and never expanded by what reads the data."""
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if id(node) in sizes:  # an alias: its size is known; never walked twice
        size = sizes[id(node)]
        if size is None:  # an alias inside its own anchor: endless when expanded
            _once(problems, make_problem(
                file, node.start_mark.line + 1, node.start_mark.column + 1,
                Text("别名 * 引用了包含它自己的内容（循环引用）", "an alias refers to a value that contains it (a cycle)"),
                Text("去掉这个别名，或把内容直接写出", "remove the alias or write the content out"), code="too_large"))
            return 1
        return size
    sizes[id(node)] = None
    if depth > lim.max_depth:
        _once(problems, _too_large(file, node.start_mark, lim, deep=True))
        sizes[id(node)] = 1
        return 1
    total = 1
    if isinstance(node, yaml.MappingNode):
        keys: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(make_problem(
                    file, line, column, Text("键不能是列表或映射", "a key cannot be a list or a mapping"),
                    Text("键写成文字，如 name:；以 ? 开头的行表示复杂键，通常是误写", "write the key as text, e.g. name:"),
                    code="yaml_syntax"))
                continue
            _check_scalar(key_node, problems, file)
            key = key_node.value
            if key in keys:
                problems.append(make_problem(
                    file, line, column,
                    Text(f"重复的键 {key}：同一层已在第 {keys[key]} 行写过", f"duplicate key {key}: already on line {keys[key]}"),
                    Text("一个键在同一层只能出现一次：删除其中一个，或把两处合并",
                         "a key may appear once per level: delete one or merge them"),
                    code="duplicate_key"))
            keys[key] = line
            marks[path + (key,)] = (line, column)
            value = key_of(key_node)
            if value is not _NO_KEY and value != key:
                marks.setdefault(path + (value,), (line, column))
            total += 1 + _walk(value_node, path + (key,), marks, problems, file, depth + 1, sizes, lim, key_of)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            total += _walk(item, path + (i,), marks, problems, file, depth + 1, sizes, lim, key_of)
    else:
        _check_scalar(node, problems, file)
    sizes[id(node)] = total
    if total > lim.max_nodes:
        _once(problems, _too_large(file, node.start_mark, lim, deep=False))
    return total


def _once(problems: list[Problem], problem: Problem) -> None:
    """Depth and size are reported once, at the first place they are exceeded."""
    if not any(p.code == problem.code and p.message == problem.message for p in problems):
        problems.append(problem)


def _check_scalar(node, problems: list[Problem], file: str) -> None:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if _SURROGATE.search(node.value):
        problems.append(make_problem(
            file, line, column, Text("这里有无效的 Unicode 字符（单独的代理项，如 \\ud800）",
                                     "an invalid Unicode character here (a lone surrogate such as \\ud800)"),
            Text("删除这个转义序列，或写出完整的字符", "delete the escape sequence or write the character itself"),
            code="yaml_syntax"))
    elif node.tag == "tag:yaml.org,2002:int" and len(node.value) > LONGEST_NUMBER:
        problems.append(make_problem(
            file, line, column, Text(f"数字过长（{len(node.value)} 位，最多 {LONGEST_NUMBER} 位）",
                                     f"a number too long ({len(node.value)} digits, at most {LONGEST_NUMBER})"),
            Text("检查是否多写了数字；如果这是编号等文字，请加引号", "check the figure; if it is text such as an id, quote it"),
            code="invalid_value"))
