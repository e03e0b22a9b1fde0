"""The words of a result: the evaluator returns data in no language (engine/results.py); this module words it in
Chinese or English, once, for every output — the CLI tables, `explain`, the JSON, the web page.

- an amount: `amount_text` (the figure: 最高1万元 / up to ¥10,000) and `amount_description` (the rule: 每户5000元，
  最高5万元 / ¥5,000 per household, at most ¥50,000), worded from the amount rule the result carries;
- the reasons: `reasons` (the tree of conditions and findings, worded), `flat_reasons` (the same as a list with
  depths, as the JSON gives it), `failing_reasons` (the innermost tests that failed);
- an exclusion (`exclusion_note`) and the history (`finding_text`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterator

from ..base.money import plain, yuan
from ..engine.results import AmountResult, BenefitResult, CityResult, Condition, Finding, ParameterNote
from ..rules.visit import AmountVisitor
from .i18n import condition_text, field_label, show_value, word

if TYPE_CHECKING:
    from ..rules.schema import (
        FixedAmount,
        FormulaAmount,
        GradesAmount,
        InKindAmount,
        NotStatedAmount,
        PartsAmount,
        PercentageAmount,
        PerUnitAmount,
        RangeAmount,
        TiersAmount,
        UpToAmount,
    )

# the units a per-unit amount counts (`unit_zh` of a rulebook), in English
UNITS_EN = {"人": "person", "名": "person", "户": "household", "家": "business", "个": "unit", "项": "project",
            "次": "time", "所": "school", "套": "set"}


def _sep(lang: str) -> str:
    """The colon of a language."""
    return "：" if lang == "zh" else ": "


def _list_sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _in_brackets(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


# ------------------------------------------------------------------------------------------------ amounts


class _Describe(AmountVisitor[str]):
    """An amount rule in words: what the document grants, before any applicant's facts."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.zh = lang == "zh"

    def _yuan(self, value: Decimal | None) -> str:
        return yuan(value, self.lang)

    def _cap(self, cap: Decimal | None) -> str:
        if cap is None:
            return ""
        return f"，最高{self._yuan(cap)}" if self.zh else f", at most {self._yuan(cap)}"

    def fixed(self, rule: FixedAmount) -> str:
        return self._yuan(rule.value)

    def up_to(self, rule: UpToAmount) -> str:
        text = f"最高{self._yuan(rule.max)}" if self.zh else f"up to {self._yuan(rule.max)}"
        return text + self._cumulative(rule.cumulative_cap)

    def range(self, rule: RangeAmount) -> str:
        return f"{self._yuan(rule.min)}-{self._yuan(rule.max)}" + self._cumulative(rule.cumulative_cap)

    def _cumulative(self, cap: Decimal | None) -> str:
        if cap is None:
            return ""
        return f"（累计最高{self._yuan(cap)}）" if self.zh else f" (at most {self._yuan(cap)} in total)"

    def per_unit(self, rule: PerUnitAmount) -> str:
        rate = (self._yuan(rule.rate) if rule.rate is not None
                else f"{self._yuan(rule.rate_min)}-{self._yuan(rule.rate_max)}")
        if self.zh:
            return f"每{rule.unit_zh}{rate}{self._cap(rule.cap)}"
        return f"{rate} per {UNITS_EN.get(rule.unit_zh, 'unit')}{self._cap(rule.cap)}"

    def percentage(self, rule: PercentageAmount) -> str:
        percent = f"{rule.percent.normalize():f}%"
        base = field_label(rule.of_field, self.lang)
        if self.zh:
            return f"{'不高于' if rule.up_to else ''}{base}的{percent}{self._cap(rule.cap)}"
        return f"{'up to ' if rule.up_to else ''}{percent} of {base}{self._cap(rule.cap)}"

    def tiers(self, rule: TiersAmount) -> str:
        measure = field_label(rule.field, self.lang)
        if self.zh:
            steps = "、".join(f"达{self._yuan(t.at_least)}给予{self._yuan(t.value)}" for t in rule.tiers)
            return f"按{measure}分档：{steps}" + ("（逐档累计）" if rule.cumulative else "")
        steps = ", ".join(f"{self._yuan(t.value)} from {self._yuan(t.at_least)}" for t in rule.tiers)
        return f"by {measure}: {steps}" + (" (each tier reached adds up)" if rule.cumulative else "")

    def grades(self, rule: GradesAmount) -> str:
        if self.zh:
            return "按等级：" + "、".join(f"{g.grade}档{self._yuan(g.value)}" for g in rule.grades)
        return f"by {field_label(rule.field, self.lang)}: " + ", ".join(self._yuan(g.value) for g in rule.grades)

    def formula(self, rule: FormulaAmount) -> str:
        if self.zh:
            return rule.description + self._cap(rule.cap)
        factors = []
        for f in rule.factors:
            if f.parameter is not None:
                factors.append(f.parameter)
            elif f.field is not None:
                factors.append(field_label(f.field, self.lang) + (f" (at most {plain(f.max)})" if f.max is not None else ""))
            else:
                factors.append(plain(f.number))
        return " × ".join(factors) + self._cap(rule.cap)

    def not_stated(self, rule: NotStatedAmount) -> str:
        return f"文件未列明金额，按{rule.set_by}执行" if self.zh else f"no figure in the document: set by {_set_by(rule, 'en')}"

    def in_kind(self, rule: InKindAmount) -> str:
        # without an English text the document's own words are kept: there is nothing else to say what it grants
        return rule.description if self.zh else (rule.description_en or rule.description)

    def parts(self, rule: PartsAmount) -> str:
        return " + ".join(f"{p.label}{self.visit(p.amount)}" if self.zh else f"{p.label_en or p.label}: {self.visit(p.amount)}"
                          for p in rule.parts)


def amount_description(amount: AmountResult, lang: str = "zh") -> str:
    """The amount rule in words (最高1万元, 每户5000元，最高5万元); a cumulative cap already reached says so."""
    if amount.rule is None:
        return ""
    text = _Describe(lang).visit(amount.rule)
    if amount.cap_reached:
        text += "，已达累计上限" if lang == "zh" else ", cumulative cap already reached"
    return text


def amount_formula(amount: AmountResult, lang: str = "zh") -> str | None:
    """For a figure still open (`formula`), how it will be worked out."""
    if amount.kind != "formula":
        return None
    text = amount_description(amount, lang)
    if amount.rule is not None and amount.rule.kind == "per_unit":
        text += f" × {field_label(amount.rule.unit_field, lang)}"
    return text


def parameter_labels(amount: AmountResult, lang: str = "zh") -> dict[str, str]:
    """What each missing parameter is and where its value comes from (the rulebook's words)."""
    return {name: f"{_note(note, lang)}{_in_brackets(note.source, lang)}" for name, note in amount.parameter_notes.items()}


def _note(note: ParameterNote, lang: str) -> str:
    return note.description if lang == "zh" else (note.description_en or note.description)


def _set_by(rule: NotStatedAmount, lang: str) -> str:
    """Who sets a figure the document does not state; the document's own words where no English is written."""
    return rule.set_by if lang == "zh" else (rule.set_by_en or rule.set_by)


def _needed_name(name: str, amount: AmountResult, lang: str) -> str:
    """A missing fact by its field label; a missing parameter by what it is, or its name where it has no English."""
    note = amount.parameter_notes.get(name)
    if note is not None and (lang == "zh" or note.description_en):
        return _note(note, lang)
    return field_label(name, lang)


def amount_text(amount: AmountResult, lang: str = "zh") -> str:
    """The figure an applicant can expect, as a table cell shows it (最高1万元 / up to ¥10,000)."""
    zh = lang == "zh"
    if amount.kind == "exact":
        return yuan(amount.value, lang)
    if amount.kind == "up_to":
        return f"最高{yuan(amount.max, lang)}" if zh else f"up to {yuan(amount.max, lang)}"
    if amount.kind == "range":
        return f"{yuan(amount.min, lang)}-{yuan(amount.max, lang)}"
    if amount.kind == "formula":
        needed = _list_sep(lang).join(_needed_name(m, amount, lang) for m in amount.missing)
        cap = (f"，最高{yuan(amount.max)}" if zh else f", at most {yuan(amount.max, lang)}") if amount.max is not None else ""
        return f"待定（缺{needed}）{cap}" if zh else f"open (needs {needed}){cap}"
    if amount.kind == "not_stated":
        said = _set_by(amount.rule, lang) if amount.rule is not None and amount.rule.kind == "not_stated" else amount.set_by
        return f"未列明（按{said}）" if zh else f"not stated (set by {said})"
    return amount_description(amount, lang) if zh else "in kind / non-monetary"


# ------------------------------------------------------------------------------------------------ reasons


@dataclass
class Reason:
    """A reason in words: a condition tested (or what the history or the figure decided), with its result."""

    text: str
    result: bool | None
    field: str | None = None
    value: str | None = None
    children: list["Reason"] = dataclasses.field(default_factory=list)

    def flat(self, depth: int = 0) -> Iterator[dict[str, Any]]:
        """This reason and those under it, each with its depth (the JSON's `reasons`)."""
        yield {"text": self.text, "result": self.result, "field": self.field, "value": self.value, "depth": depth}
        for child in self.children:
            yield from child.flat(depth + 1)


def _worded(c: Condition, lang: str) -> Reason:
    value = show_value(c.field, c.value, lang) if c.field is not None else None
    return Reason(condition_text(c, lang), c.result, c.field, value, [_worded(child, lang) for child in c.children])


def finding_text(f: Finding, amount: AmountResult, lang: str = "zh") -> str:
    if f.code == "amount_zero":
        return f"{word('amount', lang)}{_sep(lang)}{amount_description(amount, lang)} → 0"
    return word(f.code, lang, paid=yuan(f.paid, lang), due=yuan(f.due, lang))


def reasons(r: BenefitResult, lang: str = "zh") -> list[Reason]:
    """Why a benefit has its status, in words: the applicant kind, the tree of conditions, then what the figure or
    the history decided."""
    return ([_worded(c, lang) for c in r.conditions]
            + [Reason(finding_text(f, r.amount, lang), f.result, f.field) for f in r.findings])


def flat_reasons(r: BenefitResult, lang: str = "zh") -> list[dict[str, Any]]:
    return [item for reason in reasons(r, lang) for item in reason.flat()]


def failing_reasons(r: BenefitResult, lang: str = "zh") -> list[Reason]:
    """The innermost tests that failed: what a person must read to see why a benefit is not theirs."""

    def leaves(reason: Reason) -> Iterator[Reason]:
        if reason.result is False and not reason.children:
            yield reason
        for child in reason.children:
            yield from leaves(child)

    return [leaf for reason in reasons(r, lang) for leaf in leaves(reason)]


def received_note(r: BenefitResult, lang: str = "zh") -> str | None:
    """What the history left due of a reward in tiers (已发放 2万元，尚未发放的档次 3万元), when something is."""
    due = next((f for f in r.findings if f.code == "received_tiers" and f.due is not None), None)
    return finding_text(due, r.amount, lang) if due else None


def exclusion_note(r: BenefitResult, city: CityResult | None = None, lang: str = "zh") -> str | None:
    """Why a benefit is excluded, naming the benefit it may not be combined with (by its id without the city)."""
    if r.exclusion is None:
        return None
    other = next((b for b in city.benefits if b.id == r.excluded_by), None) if city is not None else None
    name = (other.name if lang == "zh" else other.name_en) if other is not None else r.excluded_by
    return word("excluded_by_history" if r.exclusion == "by_history" else "excluded_by", lang, other=name)
