"""Errors in the author's words, Chinese and English: YAML's own (syntax, a value it cannot construct), located at
the line and column of the mistake, and the words for pydantic's error types."""

from __future__ import annotations

import re

import yaml

from ..base.messages import Text
from ..base.problems import Problem, make_problem

# Pydantic's error types in Chinese and English, for rulebook and profile messages (they read the values
# this module's YAML gives)
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

# The same in English (`--lang en`)
MESSAGES_EN = {
    "missing": "required, but missing",
    "extra_forbidden": "not a known key",
    "literal_error": "not one of the allowed values",
    "enum": "not one of the allowed values",
    "string_type": "should be text",
    "list_type": "should be a list",
    "dict_type": "should be a mapping (key: value)",
    "model_type": "should be a mapping (key: value)",
    "date_from_datetime_parsing": "should be a date (YYYY-MM-DD)",
    "date_parsing": "should be a date (YYYY-MM-DD)",
    "date_type": "should be a date (YYYY-MM-DD)",
    "decimal_parsing": "should be a number",
    "decimal_type": "should be a number",
    "int_parsing": "should be a whole number",
    "int_type": "should be a whole number",
    "bool_parsing": "should be true or false",
    "greater_than_equal": "the number is too small",
    "greater_than": "the number is too small",
    "less_than_equal": "the number is too large",
    "string_pattern_mismatch": "an identifier uses lower-case letters, digits and underscores, starting with a letter",
    "too_short": "cannot be empty",
    "union_tag_invalid": "the kind is not valid",
    "union_tag_not_found": "kind is missing",
    "value_error": "not a valid value",
    "finite_number": "should be a finite number (not NaN or infinity)",
    "bool_type": "should be true or false",
    "date_from_datetime_inexact": "should be a date (YYYY-MM-DD)",
    "int_from_float": "should be a whole number (no decimals)",
    "frozen_set_type": "should be a list, e.g. [college_graduate, veteran], or words separated by 、 or commas",
    "set_type": "should be a list",
    "string_too_long": "the text is too long",
    "recursion_loop": "the content refers to itself",
}


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


