"""Pydantic's validation errors in the rulebook author's words: each at the line of the key or value concerned,
in Chinese and English, with a hint how to write it instead. Loading (loading.py) calls `pydantic_problems`; the
rest is the vocabulary of those messages and the walk from Pydantic's error locations back into the YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from pydantic import ValidationError

from ..base.messages import (
    AMOUNT_KINDS,
    KEY_HELP,
    Text,
    amount_kinds,
    choices,
    closest,
    did_you_mean,
    place,
    written,
)
from ..base.problems import Problem
from .errorpaths import allowed_keys, belongs_under, keys_of, model_at, one_branch, yaml_path
from .yamlsource import MESSAGES_ZH, Located

NUMBER_ERRORS = {"decimal_parsing", "decimal_type", "int_parsing", "int_type", "int_from_float", "float_parsing",
                 "float_type", "decimal_max_digits", "decimal_max_places", "decimal_whole_digits"}
DATE_ERRORS = {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact",
               "date_past", "date_future"}
MAPPING_ERRORS = {"dict_type", "model_type", "model_attributes_type"}

TYPE_HELP = {
    "number": (Text("数字", "a number"),
               Text("写阿拉伯数字，不带单位、逗号和引号，如 5000；1万元写 10000，10% 写 10",
                    "write digits without unit, commas or quotes, e.g. 5000 (1万元 is 10000, 10% is 10)")),
    "int": (Text("整数", "a whole number"),
            Text("期限和人数用整数；1.5年写 {years: 1, months: 6}", "use whole numbers; 1.5 years is {years: 1, months: 6}")),
    "date": (Text("日期", "a date"),
             Text("日期写作 YYYY-MM-DD，如 2022-10-24（不写“年月日”，不加引号）",
                  "write dates as YYYY-MM-DD, e.g. 2022-10-24")),
    "string": (Text("文本", "text"),
               Text("直接写文字；全是数字、true/false 或日期样子的文本请加引号，如 '2023'",
                    "write the text; quote text that looks like a number, a date or true/false, e.g. '2023'")),
    "bool": (Text("true 或 false", "true or false"), Text("写 true（是）或 false（否）", "write true or false")),
    "list": (Text("列表", "a list"),
             Text("写成 [a, b]，或每项一行、以“- ”开头", "write [a, b], or one item per line starting with '- '")),
    "mapping": (Text("映射（键: 值）", "a mapping (key: value)"),
                Text("写成“键: 值”，如 {kind: fixed, value: 5000}", "write key: value pairs, e.g. {kind: fixed, value: 5000}")),
}

# The schema's own validator messages (schema.py), in both languages: (pattern, message, hint).
VALUE_ERRORS = [
    (r"exactly one operator .*found: none",
     Text("这个比较缺少运算符", "this comparison has no operator"),
     Text("加一个运算符，如 eq: true、gte: 50、contains_any: [veteran]、within_last: {{years: 5}}（见 docs/rulebook-format.md）",
          "add one operator, e.g. eq: true, gte: 50, contains_any: [veteran], within_last: {{years: 5}}")),
    (r"exactly one operator .*found: (?P<ops>.+)$",
     Text("一个比较只能有一个运算符，这里有 {ops}", "a comparison takes exactly one operator, this one has {ops}"),
     Text("拆成几个比较放在 all: 下，每个一行，如 - {{field: employees, gte: 1}} 和 - {{field: employees, lte: 100}}",
          "split it into several comparisons under all:, e.g. - {{field: employees, gte: 1}} and "
          "- {{field: employees, lte: 100}}")),
    (r"the operator (?P<op>\w+) has no value",
     Text("运算符 {op} 后面没有写值", "the operator {op} has no value"),
     Text("在冒号后写要比较的值，如 {op}: …；或删除这个比较", "write the value after the colon, or delete the comparison")),
    (r"a duration needs",
     Text("期限没有写 years、months 或 days", "a duration needs years, months or days"),
     Text("如 {{years: 1}}、{{months: 6}}", "e.g. {{years: 1}} or {{months: 6}}")),
    (r"range min (?P<min>\S+) is above max (?P<max>\S+)",
     Text("range 的 min {min} 大于 max {max}", "the range's min {min} is above its max {max}"),
     Text("交换 min 和 max", "swap min and max")),
    (r"give either rate",
     Text("per_unit 需要 rate（每人/户金额），或同时写 rate_min 和 rate_max（金额区间）",
          "per_unit needs rate, or both rate_min and rate_max"),
     Text("如 {{kind: per_unit, rate: 1000, unit_field: new_hires, unit_zh: 人}}",
          "e.g. {{kind: per_unit, rate: 1000, unit_field: new_hires, unit_zh: 人}}")),
    (r"rate_min is above rate_max",
     Text("rate_min 大于 rate_max", "rate_min is above rate_max"), Text("交换两者", "swap them")),
    (r"tiers must be listed",
     Text("tiers 须按 at_least 从小到大排列，且门槛不能重复", "tiers must be listed by ascending at_least, without repeats"),
     Text("按门槛从低到高重新排列各档", "reorder the tiers from the lowest threshold up")),
    (r"a factor is exactly one of",
     Text("每个因子只能写 parameter、field、number 中的一个", "a factor is exactly one of parameter, field, number"),
     Text("拆成几个因子，每个一行，如 - {{parameter: min_wage}} 和 - {{number: 0.6}}",
          "split it into one factor per line, e.g. - {{parameter: min_wage}} and - {{number: 0.6}}")),
]


# Pydantic's error types → the problem codes of `chuangye validate --format json`.
PYDANTIC_CODES = {
    "extra_forbidden": "unknown_key", "missing": "missing_key", "union_tag_invalid": "unknown_amount_kind",
    "union_tag_not_found": "missing_amount_kind", "enum": "unknown_value", "literal_error": "unknown_value",
    "string_pattern_mismatch": "bad_identifier", "too_short": "empty_list", "greater_than_equal": "out_of_range",
    "greater_than": "out_of_range", "less_than_equal": "out_of_range", "less_than": "out_of_range",
    **{t: "wrong_type" for t in NUMBER_ERRORS | DATE_ERRORS | MAPPING_ERRORS
       | {"string_type", "bool_type", "bool_parsing", "list_type", "int_type", "int_parsing", "int_from_float"}},
}


def pydantic_problems(error: ValidationError, located: Located) -> list[Problem]:
    """Pydantic's errors as problems in the author's words, each at the line of the key or value concerned."""
    items = one_branch(error.errors(include_url=False), located)
    return [_pydantic_problem(item, located) for item in _without_misspelt_missing(items)]


def _without_misspelt_missing(items: list[dict]) -> list[dict]:
    """`catgory: x` makes `category` both unknown and missing: report the misspelling only, where it is."""
    meant: set[tuple] = set()
    for item in items:
        if item["type"] == "extra_forbidden":
            parent, key = item["loc"][:-1], item["loc"][-1]
            allowed = allowed_keys(parent)
            target = closest(key, allowed)
            if target:
                meant.add(parent + (target,))
            model = model_at(parent)
            for name in keys_of(model) if model else []:
                if belongs_under(key, parent, only=name):
                    meant.add(parent + (name,))
    return [item for item in items if not (item["type"] == "missing" and tuple(item["loc"]) in meant)]


@dataclass
class _Error:
    """One Pydantic error item, placed in the YAML: what every message handler below needs."""

    item: dict
    located: Located
    path: tuple
    where: Text

    @property
    def kind(self) -> str:
        return self.item["type"]

    @property
    def loc(self) -> tuple:
        return self.item["loc"]

    @property
    def key(self):
        return self.loc[-1] if self.loc else None

    @property
    def value(self) -> Any:
        return self.item.get("input")

    @property
    def ctx(self) -> dict:
        return self.item.get("ctx") or {}

    def problem(self, message: Text, hint: Text | None = None, at: tuple | None = None) -> Problem:
        return self.located.problem(self.path if at is None else at, message, hint,
                                    code=PYDANTIC_CODES.get(self.kind, "invalid_value"))


def _pydantic_problem(item: dict, located: Located) -> Problem:
    kind = item["type"]
    path = yaml_path(item["loc"], located, keep_last=kind in ("missing", "extra_forbidden"))
    error = _Error(item, located, path, place(path, located.data))
    if "[key]" in error.loc:
        return error.problem(Text(f"{error.where.zh} 的名称不是有效的标识", f"the name of {error.where.en} is not a valid "
                                  "identifier"),
                             Text("只用小写英文字母、数字和下划线，以字母开头，如 min_wage_monthly",
                                  "use lower-case letters, digits and underscores, starting with a letter"))
    for test, handler in _HANDLERS:
        if test(error):
            return handler(error)
    detail = item["msg"]
    return error.problem(Text(f"{error.where.zh}: {MESSAGES_ZH.get(kind, '取值无效')}（{detail}）",
                              f"{error.where.en}: {detail}"))


def _extra_key(error: _Error) -> Problem:
    parent = place(error.path[:-1], error.located.data)
    allowed = allowed_keys(error.loc[:-1])
    hint = did_you_mean(error.key, allowed) or belongs_under(error.key, error.loc[:-1])
    listed = Text(f"这里可用的键: {', '.join(allowed)}", f"keys allowed here: {', '.join(allowed)}")
    return error.problem(Text(f"{parent.zh} 中有不认识的键 {error.key}", f"unknown key {error.key} in {parent.en}"),
                         hint + Text("", " ") + listed if hint else listed + Text("；或删除这个键", "; or delete the key"))


def _missing_key(error: _Error) -> Problem:
    key, path = error.key, error.path
    parent = place(path[:-1] if path and path[-1] == key else path, error.located.data)
    zh, en = KEY_HELP.get(str(key), ("", ""))
    return error.problem(Text(f"{parent.zh} 缺少必填的键 {key}", f"{parent.en} lacks the required key {key}"),
                         Text(f"在这一项下加上 {key}:" + (f" …（{zh}）" if zh else ""),
                              f"add {key}: under this item" + (f" ({en})" if en else "")))


def _unknown_amount_kind(error: _Error) -> Problem:
    tag, where = error.ctx.get("tag"), error.where
    hint = did_you_mean(tag, AMOUNT_KINDS)
    options = Text("可选: ", "choose from: ") + amount_kinds()
    return error.problem(Text(f"{where.zh} 中的 kind: {tag} 不是已知的金额类型", f"{where.en}: kind '{tag}' is not an amount kind"),
                         hint + Text(" ", " ") + options if hint else options, at=error.path + ("kind",))


def _missing_amount_kind(error: _Error) -> Problem:
    return error.problem(Text(f"{error.where.zh} 缺少 kind（金额类型）", f"{error.where.en} lacks kind (the amount kind)"),
                         Text("加上 kind:，可选: ", "add kind:, one of: ") + amount_kinds())


def _not_allowed_value(error: _Error) -> Problem:
    expected, value, where = error.ctx.get("expected", ""), error.value, error.where
    options = re.findall(r"'([^']*)'", expected) or [expected]
    labels = _labels_for(options)
    hint = did_you_mean(value, options, labels)
    listed = Text("可选: ", "choose from: ") + choices(options, labels)
    return error.problem(Text(f"{where.zh} 写的是 {value}，不是允许的取值", f"{where.en}: {value!r} is not one of the allowed values"),
                         hint + Text(" ", " ") + listed if hint else listed)


def _is_impossible_date(error: _Error) -> bool:
    value = error.value
    return (error.kind in DATE_ERRORS and isinstance(value, str)
            and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()) is not None)


def _impossible_date(error: _Error) -> Problem:
    return error.problem(Text(f"{error.where.zh} 的日期 {error.value} 不存在", f"{error.where.en}: the date {error.value} does not exist"),
                         Text("检查月份和日期（如 2 月没有 30 日）", "check the month and the day (February has no 30th)"))


def _type_group(kind: str) -> str | None:
    return ("int" if kind.startswith("int_") else "number" if kind in NUMBER_ERRORS else "date" if kind in DATE_ERRORS
            else "string" if kind == "string_type" else "bool" if kind.startswith("bool_")
            else "list" if kind == "list_type" else "mapping" if kind in MAPPING_ERRORS else None)


def _wrong_type(error: _Error) -> Problem:
    group, path, value = _type_group(error.kind), error.path, error.value
    expected, hint = TYPE_HELP[group]
    if group == "mapping":
        hint = _mapping_hint(path[-1] if path and isinstance(path[-1], str) else None, path)
    written_date = re.fullmatch(r"\s*(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?\s*", str(value))
    if group == "date" and written_date:
        iso = "{}-{:0>2}-{:0>2}".format(*written_date.groups())
        hint = Text(f"写作 {iso}（YYYY-MM-DD，不加引号）", f"write {iso} (YYYY-MM-DD, without quotes)")
    return error.problem(Text(f"{error.where.zh} 应为{expected.zh}，这里写的是{written(value).zh}",
                              f"{error.where.en} should be {expected.en}, not {written(value).en}"), hint)


def _too_small(error: _Error) -> Problem:
    bound, value, where = error.ctx.get("ge", error.ctx.get("gt")), error.value, error.where
    return error.problem(Text(f"{where.zh} 不能小于 {bound}，这里写的是 {value}", f"{where.en} cannot be below {bound}, not {value}"),
                         Text("金额和数量不能是负数", "amounts and counts cannot be negative"))


def _too_large(error: _Error) -> Problem:
    bound, value, where = error.ctx.get("le", error.ctx.get("lt")), error.value, error.where
    return error.problem(Text(f"{where.zh} 不能大于 {bound}，这里写的是 {value}", f"{where.en} cannot be above {bound}, not {value}"),
                         Text("百分比写 0 到 100 之间的数字，10% 写 10", "a percentage is a number from 0 to 100, 10% is 10")
                         if error.key == "percent" else None)


def _bad_identifier(error: _Error) -> Problem:
    value, where = error.value, error.where
    suggestion = re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_") or "one_time_startup_subsidy"
    if not suggestion[0].isalpha():
        suggestion = "b_" + suggestion
    return error.problem(Text(f"{where.zh} 写的是“{value}”，不是有效的标识", f"{where.en}: '{value}' is not a valid identifier"),
                         Text(f"只用小写英文字母、数字和下划线，以字母开头，如 {suggestion}",
                              f"use lower-case letters, digits and underscores, starting with a letter, e.g. {suggestion}"))


def _empty_list(error: _Error) -> Problem:
    return error.problem(Text(f"{error.where.zh} 不能为空", f"{error.where.en} cannot be empty"),
                         Text("至少写一项", "give at least one item"))


def _not_finite(error: _Error) -> Problem:
    return error.problem(Text(f"{error.where.zh} 应为有限数字（不能是 NaN 或无穷大）", f"{error.where.en} should be a finite number"))


def _schema_rule(error: _Error) -> Problem:
    """The schema's own validators (VALUE_ERRORS), reworded; any other as it was raised."""
    detail, where = error.item["msg"].removeprefix("Value error, "), error.where
    for pattern, message, hint in VALUE_ERRORS:
        found = re.search(pattern, detail)
        if found:
            fill = found.groupdict()
            return error.problem(Text(f"{where.zh}: " + message.zh.format(**fill), f"{where.en}: " + message.en.format(**fill)),
                                 Text(hint.zh.format(**fill), hint.en.format(**fill)))
    return error.problem(Text(f"{where.zh}: 取值无效（{detail}）", f"{where.en}: invalid value ({detail})"))


def _kind_in(*kinds: str) -> Callable[[_Error], bool]:
    return lambda error: error.kind in kinds


# Tried in order, the first that applies words the problem: an impossible date (2023-02-30) before the wrong type.
_HANDLERS: list[tuple[Callable[[_Error], bool], Callable[[_Error], Problem]]] = [
    (_kind_in("extra_forbidden"), _extra_key),
    (_kind_in("missing"), _missing_key),
    (_kind_in("union_tag_invalid"), _unknown_amount_kind),
    (_kind_in("union_tag_not_found"), _missing_amount_kind),
    (_kind_in("enum", "literal_error"), _not_allowed_value),
    (_is_impossible_date, _impossible_date),
    (lambda error: _type_group(error.kind) is not None, _wrong_type),
    (_kind_in("greater_than_equal", "greater_than"), _too_small),
    (_kind_in("less_than_equal", "less_than"), _too_large),
    (_kind_in("string_pattern_mismatch"), _bad_identifier),
    (_kind_in("too_short"), _empty_list),
    (_kind_in("finite_number"), _not_finite),
    (_kind_in("value_error"), _schema_rule),
]


def _mapping_hint(key: str | None, path: tuple) -> Text:
    if not path:
        return Text("规则库的顶层是 city、document、benefits 等“键: 值”，见 docs/rulebook-format.md 或用 chuangye new 生成模板",
                    "a rulebook is a mapping of city, document, benefits…; `chuangye new` writes a template")
    if key == "conditions":
        return Text("一个条件写成 {field: employees, gte: 1}；几个条件写在 all: 或 any: 下面",
                    "one condition is {field: employees, gte: 1}; several go under all: or any:")
    if path[0] == "benefits" and len(path) == 2:
        return Text("每项待遇以“- id: …”开头，下面缩进写 name、amount 等键",
                    "each benefit starts with '- id: …' and its keys indented below")
    zh, en = KEY_HELP.get(str(key), ("", ""))
    if "如 {" in zh:
        return Text(f"写成“键: 值”的映射：{zh}", f"write a mapping: {en}")
    return Text("写成“键: 值”的映射，下一行缩进两个空格写各个键", "write key: value pairs, indented on the lines below")


def _labels_for(options: list[str]) -> dict[str, str] | None:
    from .vocabulary import CATEGORY, PERIOD

    for table in (CATEGORY, PERIOD):
        if options and all(o in table for o in options):
            return {o: table[o][0] for o in options}
    return None

