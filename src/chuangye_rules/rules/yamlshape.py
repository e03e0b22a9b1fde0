"""The safe loaders, and the shape of a YAML document checked before anything trusts it: its size, depth and
number of nodes, duplicate and non-text keys, over-long numbers and unpaired surrogates — every key and value
located."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..base import limits
from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem

LONGEST_NUMBER = 50  # digits: no figure in a rulebook or profile has more; Python refuses ints above 4300
_SURROGATE = re.compile("[\ud800-\udfff]")
def _lenient_timestamp(loader, node):
    """Impossible dates (2023-02-30) stay text, so validation can name their line instead of crashing."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class _Loader(yaml.SafeLoader):
    """The pure-Python safe loader: its error messages are the ones _SYNTAX translates."""


# libyaml's parser, when PyYAML has it, reads a rulebook much faster (bench/README.md); its error messages differ, so a
# file it rejects is read again by the pure-Python parser.
class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same safe loader on libyaml's parser."""


for _cls in (_Loader, _FastLoader):
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


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
