"""The screener's questions, derived from a rulebook: the facts that the conditions and amounts of the
benefits open to one kind of applicant actually use — never a hand-written list per city.

Each question carries what the page needs to render an input by the field's catalog type (bool → 是/否/不清楚,
date, int, money, number, one_of → a select, set_of → checkboxes, text → a select when the rulebook only
compares it with a few values), and why it is asked (the conditions that test it, the benefits that use it).
An unanswered question is left out of the profile, so the evaluator reports the benefit as needing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from ..render.i18n import describe_condition
from ..rules.catalog import catalog
from ..rules.facts import amount_inputs, paid_once
from ..rules.history import HISTORY
from ..rules.loading import city_names
from ..rules.schema import AllOf, AnyOf, Benefit, Compare, NotOf, Rulebook
from ..rules.visit import ConditionVisitor

# facts the page asks in its first step (or never: a name is not a condition)
NOT_ASKED = {"kind", "city", "applicant_id", "name", "id_number", "phone", "received"}
OTHER = "其他"  # a text answer that matches none of the values a rulebook compares with
MAX_CONDITION_TEXTS = 4


@dataclass
class _Use:
    benefits: list[Benefit] = field(default_factory=list)
    conditions: list[Any] = field(default_factory=list)  # Compare nodes that test the field
    values: list[Any] = field(default_factory=list)      # literal values the rulebook compares it with
    for_amount: bool = False


class _Uses(ConditionVisitor[None]):
    """Which fields a benefit's conditions test (with the values they compare them with)."""

    def __init__(self, uses: dict[str, _Use], benefit: Benefit) -> None:
        self.uses, self.benefit = uses, benefit

    def compare(self, node: Compare) -> None:
        use = _use(self.uses, node.field, self.benefit)
        use.conditions.append(node)
        operand = node.operand
        if node.op in ("in", "not_in", "contains_any", "contains_all"):
            use.values.extend(operand)
        elif node.op in ("eq", "ne", "contains"):
            use.values.append(operand)
        elif node.other_field:
            _use(self.uses, node.other_field, self.benefit).conditions.append(node)

    def all_of(self, node: AllOf) -> None:
        for child in node.all:
            self.visit(child)

    def any_of(self, node: AnyOf) -> None:
        for child in node.any:
            self.visit(child)

    def not_of(self, node: NotOf) -> None:
        self.visit(node.not_)


def _walk_condition(node, uses: dict[str, _Use], benefit: Benefit) -> None:
    if node is not None:
        _Uses(uses, benefit).visit(node)


def _use(uses: dict[str, _Use], name: str, benefit: Benefit) -> _Use:
    use = uses.setdefault(name, _Use())
    if not use.benefits or use.benefits[-1] is not benefit:
        use.benefits.append(benefit)
    return use


def _walk_amount(amount, uses: dict[str, _Use], benefit: Benefit) -> None:
    """The facts the amount reads (rules/facts.py: parameters too, which are not asked), and a grade's names as the
    values a select offers."""
    for name in amount_inputs(amount):
        _use(uses, name, benefit).for_amount = True
    for grades in _grades(amount):
        _use(uses, grades.field, benefit).values.extend(g.grade for g in grades.grades)


def _grades(amount) -> list:
    if amount.kind == "parts":
        return [g for part in amount.parts for g in _grades(part.amount)]
    return [amount] if amount.kind == "grades" else []


def benefits_for_kind(book: Rulebook, kind: str | None) -> list[Benefit]:
    return [b for b in book.benefits if kind is None or kind in b.applicant_kinds]


def applicant_kinds(book: Rulebook, lang: str = "zh") -> list[dict[str, str]]:
    """The kinds of applicant this rulebook has benefits for, in the catalog's order."""
    vocab = catalog().vocabularies["applicant_kind"]
    used = {k for b in book.benefits for k in b.applicant_kinds}
    return [{"value": code, "label": vocab_label(vocab, code, lang),
             "benefits": sum(code in b.applicant_kinds for b in book.benefits)}
            for code in vocab.labels if code in used]


def vocab_label(vocab, code: str, lang: str) -> str:
    """A vocabulary value as a person reads it (the catalog has Chinese labels; English shows the code)."""
    return vocab.label(code, "zh") if lang == "zh" else code.replace("_", " ")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


def questions(book: Rulebook, kind: str | None, lang: str = "zh") -> list[dict[str, Any]]:
    """The questions for one kind of applicant (all kinds when `kind` is None), most telling first: the
    identity and recognition lists, then the facts that decide the most benefits, in catalog order."""
    cat = catalog()
    uses: dict[str, _Use] = {}
    for benefit in benefits_for_kind(book, kind):
        _walk_condition(benefit.conditions, uses, benefit)
        _walk_amount(benefit.amount, uses, benefit)
    order = {name: i for i, name in enumerate(cat.fields)}
    names = [n for n in uses if n in cat.fields and n not in NOT_ASKED]
    # a tie between facts that decide as many of this applicant's benefits goes to the more general fact — the
    # one more benefits of the whole plan read (在本市范围内创业 before 原单位为事业单位) — then catalog order
    general: dict[str, _Use] = {}
    for benefit in book.benefits:
        _walk_condition(benefit.conditions, general, benefit)
        _walk_amount(benefit.amount, general, benefit)
    names.sort(key=lambda n: (cat.fields[n].type != "set_of", -len(uses[n].benefits),
                              -len(general[n].benefits) if n in general else 0, order[n]))
    asked = [_question(name, uses[name], lang) for name in names]
    history = _history_question(book, kind, lang)
    return grouped(asked + ([history] if history else []))


KEY_QUESTIONS = 5  # asked first, whatever their kind: the facts that decide the most of this applicant's benefits
GROUPS = ("key", "who", "facts", "dates", "figures", "choices", "history")


def grouped(asked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first KEY_QUESTIONS as they are, then the rest by what they ask (identities, yes/no facts, dates,
    figures, choices, the history), each group in the order of how many benefits a question decides."""
    def group(q: dict[str, Any]) -> str:
        if q["field"] == HISTORY:
            return "history"
        return {"set_of": "who", "bool": "facts", "date": "dates", "int": "figures", "money": "figures",
                "number": "figures"}.get(q["type"], "choices")
    for i, q in enumerate(asked):
        q["group"] = "key" if i < KEY_QUESTIONS and q["field"] != HISTORY else group(q)
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(asked, key=lambda q: order[q["group"]])  # stable: within a group, the order decided above


def _history_question(book: Rulebook, kind: str | None, lang: str) -> dict[str, Any] | None:
    """Last, and optional: which of this applicant's benefits the history changes were already received (a
    one-off payment, or one of two that cannot be combined). An amount paid is not asked: tiered rewards then
    say which amount they still need."""
    zh = lang == "zh"
    paired = {i for b in book.benefits for i in (b.id, *b.exclusive_with) if b.exclusive_with}
    chosen = [b for b in benefits_for_kind(book, kind) if paid_once(b) or b.id in paired]
    if not chosen:
        return None
    spec = catalog().fields[HISTORY]
    return {
        "field": HISTORY, "type": "set_of", "label": (spec.zh + "（可选）") if zh else f"{spec.en} (optional)",
        "label_zh": spec.zh, "conditions": [], "more_conditions": 0, "for_amount": False,
        "benefits": [{"id": b.id, "name": b.name if zh else b.name_en} for b in chosen],
        "options": [{"value": b.id, "label": b.name if zh else b.name_en} for b in chosen], "unit": None,
    }


def _question(name: str, use: _Use, lang: str) -> dict[str, Any]:
    cat = catalog()
    spec = cat.fields[name]
    zh = lang == "zh"
    texts: list[str] = []
    for node in use.conditions:
        text = describe_condition(node, lang)
        if text not in texts:
            texts.append(text)
    question: dict[str, Any] = {
        "field": name,
        "type": spec.type,
        "label": spec.label(lang),
        "label_zh": spec.zh,
        "conditions": texts[:MAX_CONDITION_TEXTS],
        "more_conditions": max(0, len(texts) - MAX_CONDITION_TEXTS),
        "for_amount": use.for_amount,
        "benefits": [{"id": b.id, "name": b.name if zh else b.name_en} for b in use.benefits],
        "options": [],
        "unit": {"money": "元" if zh else "yuan", "int": "", "number": ""}.get(spec.type),
    }
    if spec.type in ("one_of", "set_of"):
        vocab = cat.vocabularies[spec.vocabulary]
        wanted = {vocab.normalise(v) for v in use.values if isinstance(v, str)}
        # only the values the rulebook tests: the evaluator never looks at the others, and a list that is
        # present counts as complete, so leaving the rest unticked changes nothing
        question["options"] = [{"value": code, "label": vocab_label(vocab, code, lang)}
                               for code in vocab.labels if code in wanted]
    elif spec.type == "text" and use.values:
        seen: list[str] = []
        for value in use.values:
            if str(value) not in seen:
                seen.append(str(value))
        question["options"] = [{"value": v, "label": v} for v in seen]
        question["other"] = {"value": OTHER, "label": "其他" if zh else "other"}
    return question


def find_book(books: Iterable[Any], city: str):
    """A loaded rulebook by slug, Chinese or English name (as `evaluate(city=...)` matches it)."""
    return next((book for book in books if city in city_names(book)), None)
