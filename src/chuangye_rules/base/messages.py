"""Messages for rulebook authors in two languages: Chinese first, English with `--lang en`.

A `Text` carries both versions of one message. Call sites build it from a pair of f-strings, so each
message reads in context; the helpers here describe the things messages talk about (a place in the
rulebook, a value that was written, a field type, a list of choices) in both languages.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def __str__(self) -> str:
        return self.zh

    def get(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def __add__(self, other: "Text | str") -> "Text":
        other = as_text(other)
        return Text(self.zh + other.zh, self.en + other.en)


def as_text(value: "Text | str") -> Text:
    return value if isinstance(value, Text) else Text(str(value), str(value))


# ----------------------------------------------------------------------------------- the vocabulary

FIELD_TYPES = {  # as in "字段 X 的类型为…" / "X is …"
    "text": ("文本", "text"),
    "bool": ("是/否（true/false）", "a yes/no value (true/false)"),
    "int": ("整数", "a whole number"),
    "money": ("金额（元）", "an amount in yuan"),
    "number": ("数字", "a number"),
    "date": ("日期", "a date"),
    "one_of": ("单选", "a single choice"),
    "set_of": ("多选", "a multiple choice"),
}

AMOUNT_KINDS = {
    "fixed": ("确定金额", "a fixed amount"),
    "up_to": ("最高/不超过", "up to"),
    "range": ("区间", "a range"),
    "per_unit": ("按人/户计", "per person or unit"),
    "percentage": ("按比例", "a percentage"),
    "tiers": ("分档", "tiers"),
    "grades": ("按评定等级", "by grade"),
    "formula": ("公式", "a formula"),
    "not_stated": ("文件未写数额", "not stated"),
    "in_kind": ("非现金（场地、权利、服务、称号）", "in kind"),
    "parts": ("几部分合成", "several parts"),
}

# What each required key holds, with an example, for "missing key" messages.
KEY_HELP = {
    "city": ("城市，如 {slug: ordos, zh: 鄂尔多斯, en: Ordos}", "the city, e.g. {slug: ordos, zh: 鄂尔多斯, en: Ordos}"),
    "document": ("所编码的文件（title、issuer、in_force_from、source 等）", "the document encoded (title, issuer, in_force_from, source…)"),
    "benefits": ("待遇列表，至少一项", "the list of benefits, at least one"),
    "slug": ("城市标识（小写字母），如 ordos", "the city identifier (lower case), e.g. ordos"),
    "zh": ("中文名，如 鄂尔多斯", "the Chinese name, e.g. 鄂尔多斯"),
    "en": ("英文名，如 Ordos", "the English name, e.g. Ordos"),
    "title": ("文件标题", "the document's title"),
    "issuer": ("发文单位，如 鄂尔多斯市人民政府办公室", "the issuing body, e.g. 鄂尔多斯市人民政府办公室"),
    "in_force_from": ("生效日期，如 2022-10-24", "the date it takes effect, e.g. 2022-10-24"),
    "source": ("原文文件路径，如 sources/ordos.txt", "the path of the official text, e.g. sources/ordos.txt"),
    "id": ("待遇标识（小写字母、数字、下划线），如 one_time_startup_subsidy", "an identifier, e.g. one_time_startup_subsidy"),
    "name": ("中文名称，如 一次性创业补贴", "the Chinese name, e.g. 一次性创业补贴"),
    "name_en": ("英文名称，如 One-time startup subsidy", "the English name, e.g. One-time startup subsidy"),
    "clause": ("条款位置，如 二(一)2", "where in the document, e.g. 二(一)2"),
    "category": ("类别，如 cash_subsidy", "the category, e.g. cash_subsidy"),
    "applicant_kinds": ("申请人类型，如 [individual, individual_business]", "who may apply, e.g. [individual, individual_business]"),
    "amount": ("金额，如 {kind: fixed, value: 5000}", "the amount, e.g. {kind: fixed, value: 5000}"),
    "departments": ("办理部门，如 {lead: [市人力资源和社会保障局]}", "the departments, e.g. {lead: [市人力资源和社会保障局]}"),
    "quote": ("原文中授予该待遇的句子（原样复制）", "the sentence of the document that grants it (copied exactly)"),
    "value": ("金额（元），如 5000", "the amount in yuan, e.g. 5000"),
    "max": ("最高金额（元），如 10000", "the maximum in yuan, e.g. 10000"),
    "min": ("最低金额（元）", "the minimum in yuan"),
    "set_by": ("规定数额的文件或机关，如 鄂财社发〔2022〕79号", "who sets the figure, e.g. 鄂财社发〔2022〕79号"),
    "description": ("文字说明", "a description"),
    "percent": ("百分比数字，10% 写 10", "the percentage, 10% is written 10"),
    "of_field": ("作为基数的申请人信息字段，如 technology_purchase_amount", "the profile field with the base amount"),
    "unit_field": ("人数或户数所在的申请人信息字段，如 new_hires", "the profile field with the number of units"),
    "field": ("申请人信息字段（用 chuangye fields 查看）", "a profile field (see chuangye fields)"),
    "tiers": ("分档列表，如 [{at_least: 1000000, value: 20000}]", "the tiers, e.g. [{at_least: 1000000, value: 20000}]"),
    "grades": ("等级列表，如 [{grade: 一等, value: 10000}, …]", "the grades, e.g. [{grade: 一等, value: 10000}, …]"),
    "factors": ("相乘的因子列表", "the factors multiplied together"),
    "parts": ("各部分列表，每部分有 label 和 amount", "the parts, each with label and amount"),
    "label": ("说明文字", "a label"),
    "at_least": ("门槛金额", "the threshold"),
    "grade": ("等级名称", "the grade's name"),
    "reason": ("不编码的理由", "why it is not encoded"),
    "from": ("参数值的起始日期", "the date the value applies from"),
}


def field_type(name: str) -> Text:
    zh, en = FIELD_TYPES.get(name, (name, name))
    return Text(zh, en)


def choices(codes: Iterable[str], labels: dict[str, str] | None = None) -> Text:
    codes = list(codes)
    zh = "、".join(f"{c}（{labels[c]}）" if labels and c in labels else c for c in codes)
    return Text(zh, ", ".join(codes))


def amount_kinds() -> Text:
    return Text("、".join(f"{k}（{zh}）" for k, (zh, _) in AMOUNT_KINDS.items()), ", ".join(AMOUNT_KINDS))


def closest(word: Any, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    options = list(options)
    found = difflib.get_close_matches(str(word), options, n=1, cutoff=cutoff)
    if not found:  # a prefix or a label typed instead of a code: "fix" for "fixed"
        found = [o for o in options if str(word) and (o.startswith(str(word)) or str(word).startswith(o))][:1]
    return found[0] if found else None


def did_you_mean(word: Any, options: Iterable[str], labels: dict[str, str] | None = None) -> Text | None:
    """"Did you mean …?" for a misspelt code, or for a code's Chinese label written where the code belongs."""
    options = list(options)
    by_label = {label: code for code, label in (labels or {}).items() if code in options}
    best = by_label.get(str(word).strip()) or closest(word, options)
    if best is None and by_label:
        near = closest(word, by_label)
        best = by_label[near] if near else None
    if best is None:
        return None
    label = f"（{labels[best]}）" if labels and best in labels else ""
    return Text(f"是否想写 {best}{label}？", f"did you mean {best}?")


def written(value: Any) -> Text:
    """How a value the author wrote reads in a message: its kind and the value itself."""
    if value is None:
        return Text("空值（冒号后什么也没写）", "nothing (the value is empty)")
    if isinstance(value, bool):
        word = "true" if value else "false"
        return Text(word, word)
    if isinstance(value, (dt.date, dt.datetime)):
        return Text(f"日期 {value.isoformat()}", f"the date {value.isoformat()}")
    if isinstance(value, (int, float)):
        return Text(f"数字 {value}", f"the number {value}")
    if isinstance(value, str):
        short = value if len(value) <= 30 else value[:30] + "…"
        return Text(f"文本“{short}”", f"the text '{short}'")
    if isinstance(value, list):
        return Text("一个列表", "a list")
    if isinstance(value, dict):
        return Text("一个映射（键: 值）", "a mapping (key: value)")
    return Text(repr(value), repr(value))


def place(path: tuple, data: Any) -> Text:
    """Where in the rulebook `path` is, for people: "待遇 one_time_startup_subsidy 的 amount.value"."""
    path = tuple(path)
    head: Text | None = None
    rest = path
    if len(path) >= 2 and path[0] in ("benefits", "targets") and isinstance(path[1], int):
        item = value_at(data, path[:2])
        ident = item.get("id") if isinstance(item, dict) else None
        what = ("待遇", "benefit") if path[0] == "benefits" else ("目标", "target")
        if isinstance(ident, str):
            head = Text(f"{what[0]} {ident}", f"{what[1]} {ident}")
        else:
            head = Text(f"{path[0]} 第 {path[1] + 1} 项", f"{path[0]} item {path[1] + 1}")
        rest = path[2:]
    elif len(path) >= 2 and path[0] == "not_encoded" and isinstance(path[1], int):
        head, rest = Text(f"not_encoded 第 {path[1] + 1} 项", f"not_encoded item {path[1] + 1}"), path[2:]
    elif len(path) >= 2 and path[0] == "parameters":
        head, rest = Text(f"参数 {path[1]}", f"parameter {path[1]}"), path[2:]
    keys = ".".join(str(p) for p in rest if not isinstance(p, int))
    if head is None:
        return Text(keys or "文件顶层", keys or "the top level")
    if not keys:
        return head
    return Text(f"{head.zh} 的 {keys}", f"{head.en}: {keys}")


def value_at(data: Any, path: tuple) -> Any:
    """The value at a path of keys and indexes in parsed YAML, or None where the path leads nowhere."""
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
