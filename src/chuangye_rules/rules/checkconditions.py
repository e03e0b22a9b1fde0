"""The checks of a benefit's conditions against the profile field catalog: each field exists, each operator
applies to its field's type, each value is of that type or a value of its vocabulary. Pure: returns problems."""

from __future__ import annotations

import datetime as dt
import math

from ..base.messages import Text, choices, closest, did_you_mean, field_type, written
from ..base.problems import Problem
from .catalog import NUMERIC_TYPES, catalog
from .schema import RELATIVE_OPS, AllOf, AnyOf, Compare, NotOf
from .visit import ConditionVisitor
from .yamlsource import Located

MAX_MONTHS = 200 * 12  # a duration in a condition (within_last, at_least_ago, …): at most 200 years
MAX_DAYS = 200 * 366

SET_OPS = ("contains", "contains_any", "contains_all")
DATE_OPS = ("within_last", "at_least_ago", "same_year_as_evaluation", *RELATIVE_OPS)


def field_problem(name: str, path: tuple, located: Located) -> Problem | None:
    cat = catalog()
    if name in cat.fields:
        return None
    english = cat.resolve(name)
    suggestion = english or cat.suggest(name)
    if english:
        hint = Text(f"规则库中要写字段的英文名：{english}", f"rulebooks use the field's English name: {english}")
    elif suggestion:
        hint = Text(f"是否想写 {suggestion}（{cat.fields[suggestion].zh}）？", f"did you mean {suggestion}?")
    else:
        hint = Text("用 chuangye fields 查看全部字段；确需新的事实时，先在 src/chuangye_rules/rules/fields.yaml 中添加",
                    "see `chuangye fields`; to test a new fact, add it to src/chuangye_rules/rules/fields.yaml first")
    return located.problem(path, Text(f"申请人信息中没有字段 {name}", f"the applicant profile has no field {name}"), hint,
                           code="unknown_field")


def vocabulary_of(cond: Compare) -> str | None:
    """The vocabulary whose codes a comparison's values are, when the comparison is one that applies to its field
    (a set operator on a multiple-choice field, another non-date operator on a choice field); None otherwise."""
    spec = catalog().fields.get(cond.field)
    if spec is None:
        return None
    if cond.op in SET_OPS:
        return spec.vocabulary if spec.type == "set_of" else None
    if cond.op in DATE_OPS:
        return None
    return spec.vocabulary if spec.type == "one_of" else None


class _ConditionCheck(ConditionVisitor[list[Problem]]):
    def __init__(self, located: Located):
        self.located = located

    def all_of(self, node: AllOf, path: tuple) -> list[Problem]:
        return [p for i, c in enumerate(node.all) for p in self.visit(c, path + ("all", i))]

    def any_of(self, node: AnyOf, path: tuple) -> list[Problem]:
        return [p for i, c in enumerate(node.any) for p in self.visit(c, path + ("any", i))]

    def not_of(self, node: NotOf, path: tuple) -> list[Problem]:
        return self.visit(node.not_, path + ("not",))

    def compare(self, node: Compare, path: tuple) -> list[Problem]:
        missing = field_problem(node.field, path + ("field",), self.located)
        if missing:
            return [missing]
        spec = catalog().fields[node.field]
        at = path + (node.op,)
        if node.op in SET_OPS:
            wrong = self._set_operator(node, spec, at)
        elif node.op in DATE_OPS:
            wrong = self._date_operator(node, spec, at)
        else:
            wrong = self._value_operator(node, spec, at)
        if wrong:
            return wrong
        vocabulary = vocabulary_of(node)
        return _vocabulary_problems(node, vocabulary, at, self.located) if vocabulary else []

    def _bad(self, at: tuple, message: Text, hint: Text | None = None, code: str = "wrong_operator") -> list[Problem]:
        return [self.located.problem(at, message, hint, code=code)]

    def _set_operator(self, cond: Compare, spec, at: tuple) -> list[Problem]:
        if spec.type == "set_of":
            return []
        kind, op = field_type(spec.type), cond.op
        return self._bad(at, Text(f"{op} 只能用于多选字段（如 identities），字段 {cond.field} 的类型为{kind.zh}",
                                  f"{op} works on multiple-choice fields (such as identities); {cond.field} is {kind.en}"),
                         Text(f"单值字段请用 eq 或 in，如 {{field: {cond.field}, in: [...]}}",
                              f"for a single value use eq or in, e.g. {{field: {cond.field}, in: [...]}}"))

    def _date_operator(self, cond: Compare, spec, at: tuple) -> list[Problem]:
        kind, op, operand = field_type(spec.type), cond.op, cond.operand
        if spec.type != "date":
            return self._bad(at, Text(f"{op} 只能用于日期字段，字段 {cond.field} 的类型为{kind.zh}",
                                      f"{op} works on date fields; {cond.field} is {kind.en}"),
                             Text("数字请用 gte、lte 等比较", "compare numbers with gte, lte and the like"))
        if op not in ("same_year_as_evaluation", "same_year_as") and (
                operand.years * 12 + operand.months > MAX_MONTHS or operand.days > MAX_DAYS):
            return self._bad(at, Text(f"{op} 的期限过长（最多 {MAX_MONTHS // 12} 年）", f"the duration of {op} is too long "
                                      f"(at most {MAX_MONTHS // 12} years)"),
                             Text("检查年、月、日的数字，如 {years: 5}", "check the numbers of years, months and days, "
                                  "e.g. {years: 5}"), code="out_of_range")
        if op not in RELATIVE_OPS:
            return []
        name = cond.other_field
        other = field_problem(name, at + (() if op == "same_year_as" else ("field",)), self.located)
        if other:
            return [other]
        if catalog().fields[name].type != "date":
            return self._bad(at, Text(f"{op} 的参照字段 {name} 不是日期字段", f"{op} counts from {name}, which is not a date field"),
                             Text("field 写另一个日期字段，如 traineeship_end_date", "name another date field"))
        return []

    def _value_operator(self, cond: Compare, spec, at: tuple) -> list[Problem]:
        kind, op = field_type(spec.type), cond.op
        if spec.type == "one_of":
            return []
        if spec.type == "set_of":
            return self._bad(at, Text(f"{cond.field} 是多选字段，不能用 {op}",
                                      f"{cond.field} is a multiple-choice field; {op} does not apply"),
                             Text(f"用 contains / contains_any / contains_all，如 {{field: {cond.field}, contains_any: [...]}}",
                                  f"use contains / contains_any / contains_all, e.g. {{field: {cond.field}, contains_any: [...]}}"))
        for value in cond.operand if op in ("in", "not_in") else [cond.operand]:
            if not _value_fits(spec.type, value):
                return self._bad(at, Text(f"字段 {cond.field} 的类型为{kind.zh}，不能与{written(value).zh} 比较",
                                          f"{cond.field} is {kind.en} and cannot be compared with {written(value).en}"),
                                 _comparison_hint(spec.type), code="type_mismatch")
        if spec.type == "bool" and op not in ("eq", "ne"):
            return self._bad(at, Text(f"是/否字段 {cond.field} 只能用 eq 或 ne", f"the yes/no field {cond.field} takes only eq or ne"),
                             Text(f"如 {{field: {cond.field}, eq: true}}", f"e.g. {{field: {cond.field}, eq: true}}"))
        return []


def check_condition(cond, path: tuple, located: Located) -> list[Problem]:
    return _ConditionCheck(located).visit(cond, path)


def _comparison_hint(field_type_name: str) -> Text:
    if field_type_name == "date":
        return Text("日期写作 2023-01-01；“满1年”“5年内”这类期限请用 at_least_ago / within_last，如 within_last: {years: 5}",
                    "write dates as 2023-01-01; for 'at least 1 year ago' or 'within 5 years' use at_least_ago / "
                    "within_last, e.g. within_last: {years: 5}")
    if field_type_name in NUMERIC_TYPES:
        return Text("数字不加引号、不带单位，如 gte: 50；1万元写 10000", "write numbers without quotes or units, e.g. gte: 50")
    if field_type_name == "bool":
        return Text("是/否字段写 eq: true 或 eq: false（不写“是”“否”）", "write eq: true or eq: false")
    return Text("文本值直接写，含特殊字符时加引号", "write the text, in quotes if it has special characters")


def _value_fits(field_type: str, value) -> bool:
    if field_type == "bool":
        return isinstance(value, bool)
    if field_type in NUMERIC_TYPES:  # .inf and .nan are numbers to YAML, not to a comparison
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if field_type == "date":  # a date with a time of day is compared with no date
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, str)


def vocabulary_problem(value, field: str, vocab, at: tuple, located: Located) -> Problem:
    options = list(vocab.labels) + list(vocab.labels.values())
    best = did_you_mean(value, options)
    if best is not None:
        code = vocab.normalise(closest(value, options) or "")
        hint = Text(f"是否想写 {code}（{vocab.labels[code]}）？全部可选值见 chuangye fields",
                    f"did you mean {code}? `chuangye fields` lists every value")
    else:
        hint = Text("可选: ", "choose from: ") + choices(vocab.labels, vocab.labels)
    return located.problem(at, Text(f"{value} 不是 {field} 的可选值", f"{value!r} is not a value of {field}"), hint,
                           code="unknown_value")


def _vocabulary_problems(cond: Compare, vocab_name: str, at: tuple, located: Located) -> list[Problem]:
    vocab = catalog().vocabularies[vocab_name]
    operand = cond.operand
    listed = isinstance(operand, list)
    return [vocabulary_problem(value, cond.field, vocab, at + (k,) if listed else at, located)
            for k, value in enumerate(operand if listed else [operand])
            if not isinstance(value, str) or vocab.normalise(value) is None]

