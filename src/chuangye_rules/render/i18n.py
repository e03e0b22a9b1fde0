"""User-facing words: Chinese first, English with --lang en."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..base.money import plain, yuan
from ..base.privacy import mask_id
from ..engine.conditions import condition_of
from ..engine.results import Condition
from ..rules.catalog import catalog
from ..rules.vocabulary import CATEGORY, PERIOD  # noqa: F401  (every word users read is reached through this module)

LANGS = ("zh", "en")

STATUS = {
    "eligible": ("符合条件", "eligible"),
    "needs_info": ("需补充信息", "needs information"),
    "not_eligible": ("不符合", "not eligible"),
    "excluded": ("不可同时享受", "excluded"),
    "expired": ("已过期", "expired"),
    "not_yet_in_force": ("尚未生效", "not yet in force"),
    "already_received": ("已享受", "already received"),
}

AMOUNT_KIND = {
    "exact": ("确定金额", "exact"),
    "up_to": ("最高", "up_to"),
    "range": ("区间", "range"),
    "formula": ("待定（按公式）", "formula"),
    "not_stated": ("未列明", "not_stated"),
    "in_kind": ("非现金", "in_kind"),
}

# the columns of the batch's output files: Chinese for a caseworker; with --lang en the column names are the codes
OUTPUT_COLUMNS_ZH = {
    "row": "行号", "applicant_id": "编号", "city": "城市", "benefit_id": "待遇标识", "benefit_name": "待遇名称",
    "category": "类别", "status": "状态", "amount_kind": "金额类型", "amount_value": "金额（元）",
    "amount_min": "最低（元）", "amount_max": "最高（元）", "period": "发放方式", "lead_departments": "牵头单位",
    "clause": "条款", "missing_facts": "缺少的信息", "eligible": "符合条件项数", "needs_info": "需补充信息项数",
    "exact_total": "确定金额合计（元）", "up_to_total": "最高可得合计（元）", "unquantified": "金额未定项数",
    "column": "列", "value": "内容", "reason": "原因",
}

# a reform's effect on one applicant and benefit (chuangye compare), and the columns of its changes.csv
CHANGE = {
    "gained": ("新增符合", "gained"),
    "lost": ("不再符合", "lost"),
    "amount_changed": ("金额改变", "amount changed"),
}
CHANGE_COLUMNS_ZH = {
    **OUTPUT_COLUMNS_ZH, "change": "变化", "status_before": "改革前状态", "status_after": "改革后状态",
    "amount_before": "改革前金额（元）", "amount_after": "改革后金额（元）", "reason": "原因（规则的变化）",
}

FIELD_TYPE = {
    "text": ("文字", "text"),
    "bool": ("是/否", "yes/no"),
    "int": ("整数", "whole number"),
    "money": ("金额（元）", "money (yuan)"),
    "number": ("数字", "number"),
    "date": ("日期", "date"),
    "one_of": ("单选", "one of"),
    "set_of": ("多选", "several of"),
}

# how a value of each type is written, in a profile or a list's cell
FIELD_WRITING = {
    "text": ("任意文字", "text"),
    "bool": ("是/否（也可 1/0、true/false）", "yes/no (是/否, 1/0 or true/false)"),
    "int": ("非负整数", "a whole number, 0 or more"),
    "money": ("金额，单位元，最多两位小数", "yuan, at most two decimals"),
    "number": ("数字", "a number"),
    "date": ("日期 2023-07-01（也可 2023/7/1、20230701）", "a date: 2023-07-01 (or 2023/7/1, 20230701)"),
    # the history (已享受待遇): a text field written its own way
    "received": ("已享受的待遇标识或名称，用、分隔，已发放金额写在=之后，如 one_time_startup_subsidy、"
                 "startup_talent_referral_reward=20000；留空或“无”表示没有",
                 "ids or names of benefits already received, separated by 、, an amount paid after =, e.g. "
                 "one_time_startup_subsidy、startup_talent_referral_reward=20000; empty or 无 for none"),
}


def field_writing(name: str, kind: str, lang: str = "zh") -> str:
    """How a field's value is written: by its type, or the history's own way."""
    return label(FIELD_WRITING, name if name in FIELD_WRITING else kind, lang)

WORDS = {
    "applicant_kind": ("申请人类型", "applicant kind"),
    "in_force": ("文件有效期", "document in force"),
    "amount": ("金额", "amount"),
    "in_kind": ("内容", "what is given"),  # the amount line of a benefit in kind (a service, a title, free space)
    "missing": ("需补充", "still needed"),
    "lead": ("牵头单位（申请渠道）", "lead department (where to apply)"),
    "cooperating": ("配合单位", "cooperating departments"),
    "clause": ("条款", "clause"),
    "quote": ("原文", "quote"),
    "reasons": ("判断依据", "reasons"),
    "notes": ("说明", "notes"),
    "draft": ("本文件为征求意见稿，结果仅供参考", "this document is a draft for comments: results are provisional"),
    "benefit": ("待遇", "benefit"),
    "status": ("结果", "status"),
    "department": ("去哪办", "where to apply"),
    "total_exact": ("确定金额合计", "total of exact amounts"),
    "total_up_to": ("最高可得合计", "total up to"),
    "unquantified": ("项符合条件的现金待遇金额未定（未列明或待定，未计入合计）",
                     "eligible cash benefits with no figure yet (not in the totals)"),
    "as_of": ("评估日期", "evaluation date"),
    "applicant": ("申请人", "applicant"),
    "none_eligible": ("没有符合条件的待遇", "no benefit qualifies"),
    "hidden": ("另有 {n} 项不符合或已过期，使用 --show-all 查看", "{n} more not eligible or expired: use --show-all"),
    "excluded_by_history": ("已享受“{other}”，与之不得重复享受", "{other} was already received, and cannot be combined with this"),
    "received_once": ("已享受过（一次性待遇，不再重复给予）", "already received (a one-off benefit, not given again)"),
    "received_tiers": ("已发放 {paid}，尚未发放的档次 {due}", "{paid} already paid; the tiers not yet paid: {due}"),
    "received_all_tiers": ("已达到的档次均已发放（已发放 {paid}）", "every tier reached has been paid ({paid} already paid)"),
    "received_amount_unknown": ("已享受过，但未写明已发放的金额，无法算出尚未发放的档次",
                                "received before, but the amount paid is not stated: the tiers still due cannot be worked out"),
    "excluded_by": ("与“{other}”不得重复享受，已保留金额较高的一项", "cannot be combined with {other}; the more valuable one is kept"),
    "unknown": ("未提供", "not given"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "expired_on": ("已于 {date} 失效", "expired on {date}"),
    "starts_on": ("{date} 起施行", "in force from {date}"),
}

OPS_ZH = {
    "eq": "为", "ne": "不为", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "属于", "not_in": "不属于",
    "contains": "包括", "contains_any": "包括其一", "contains_all": "全部包括",
}
OPS_EN = {
    "eq": "is", "ne": "is not", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "is one of",
    "not_in": "is not one of", "contains": "includes", "contains_any": "includes any of", "contains_all": "includes all of",
}


def word(key: str, lang: str = "zh", **kwargs: Any) -> str:
    text = WORDS[key][0 if lang == "zh" else 1]
    return text.format(**kwargs) if kwargs else text


def amount_word(kind: str) -> str:
    """The key of the word an amount line starts with: 金额, or 内容 for a benefit in kind (not a sum)."""
    return "in_kind" if kind == "in_kind" else "amount"


def heading(key: str, lang: str = "zh") -> str:
    """A word followed by the colon of its language: "状态：" / "status: "."""
    return word(key, lang) + ("：" if lang == "zh" else ": ")


def label(table: dict, key: str, lang: str = "zh") -> str:
    pair = table.get(key)
    return (pair[0] if lang == "zh" else pair[1]) if pair else key


def field_label(name: str, lang: str = "zh") -> str:
    spec = catalog().fields.get(name)
    return spec.label(lang) if spec else name


def _order(item: Any) -> tuple:
    """Numbers by their value (a rule's `in: [0.5, 60]` reaches here as "0.5" and 60), then texts as written."""
    try:
        number = None if isinstance(item, bool) else Decimal(str(item))
    except ArithmeticError:
        number = None
    return (0, number, "") if number is not None and number.is_finite() else (1, Decimal(0), str(item))


def show_value(name: str | None, value: Any, lang: str = "zh") -> str:
    """A profile value as a person reads it; personal numbers are masked."""
    if value is None:
        return word("unknown", lang)
    cat = catalog()
    spec = cat.fields.get(name) if name else None
    if spec and spec.personal:
        return mask_id(value)
    vocab = cat.vocabulary_of(name) if name else None
    if isinstance(value, bool):
        return word("yes" if value else "no", lang)
    if isinstance(value, (set, frozenset, list, tuple)):
        items = sorted(value, key=_order)
        shown = [vocab.label(v, lang) if vocab else str(v) for v in items]
        return ("、" if lang == "zh" else ", ").join(shown) or "—"
    if vocab:
        return vocab.label(value, lang)
    if spec and spec.type == "money":  # a rulebook literal is an int or a float from YAML: 0.1 stays 0.1
        return yuan(value if isinstance(value, Decimal) else Decimal(str(value)), lang)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "normalize"):
        return plain(value)
    return str(value)


def _duration(d: dict, lang: str) -> str:
    parts = []
    for key, zh, en in (("years", "年", "years"), ("months", "个月", "months"), ("days", "天", "days")):
        if d.get(key):
            parts.append(f"{d[key]}{zh}" if lang == "zh" else f"{d[key]} {en}")
    return "".join(parts) if lang == "zh" else " ".join(parts)


def describe_condition(node, lang: str = "zh") -> str:
    """How one condition of a rule reads (its children left out); a Chinese author's label wins in Chinese."""
    return condition_text(condition_of(node), lang)


GROUP_WORDS = {"all": ("同时满足以下条件", "all of"), "any": ("满足以下任一条件", "any of"), "not": ("不满足以下条件", "not")}
DATE_TESTS = {  # a date compared with the evaluation date or another date field: (Chinese, English)
    "within_last": ("{name}在{d}内", "{name} within the last {d}"),
    "at_least_ago": ("{name}已满{d}", "{name} at least {d} ago"),
    "same_year_as_evaluation": ("{name}在当年", "{name} in the evaluation year"),
    "within_after": ("{name}在{other}后{d}内", "{name} within {d} after {other}"),
    "no_later_than": ("{name}不晚于{other}后{d}", "{name} no later than {d} after {other}"),
    "same_year_as": ("{name}与{other}在同一年", "{name} in the same year as {other}"),
}


def condition_text(c: Condition, lang: str = "zh") -> str:
    """How a tested condition (a node of the result's reason tree) reads; a Chinese author's label wins in Chinese."""
    zh = lang == "zh"
    if zh and c.label:
        return c.label
    if c.test in GROUP_WORDS:
        return label(GROUP_WORDS, c.test, lang)
    name = field_label(c.field, lang)
    if c.test == "applicant_kind":
        return f"{word('applicant_kind', lang)}{'：' if zh else ': '}" + ("、" if zh else ", ").join(
            show_value("kind", k, lang) for k in c.operand)
    op, operand = c.test, c.operand
    if op in DATE_TESTS:
        other = operand if op == "same_year_as" else (operand.get("field") if isinstance(operand, dict) else None)
        d = _duration(operand, lang) if isinstance(operand, dict) else ""
        return label(DATE_TESTS, op, lang).format(name=name, d=d, other=field_label(other, lang) if other else "")
    if isinstance(operand, bool) and op in ("eq", "ne"):
        positive = operand == (op == "eq")
        return name if positive else (f"非{name}" if zh else f"not {name}")
    shown = show_value(c.field, operand if not isinstance(operand, list) else frozenset(operand), lang)
    ops = OPS_ZH if zh else OPS_EN
    joiner = "" if zh and op in ("eq", "ne", "contains", "in", "not_in", "contains_any", "contains_all") else " "
    return f"{name}{joiner}{ops[op]}{joiner}{shown}"
