"""What the web page shows beside the evaluation: the words the CLI prints, made by the same functions.

`POST /evaluate` returns the pure `chuangye check --format json` document. The page calls `POST /ui/evaluate`,
which returns that same document plus this `display` part: amounts as `reporting.amount_text` writes them,
totals as `money.yuan` writes them, status, category and period words from `i18n`, the failing reasons of a
benefit that is not open to the applicant, and the question to answer next — so the page's JavaScript never
formats money or decides anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..base.money import yuan
from ..engine.results import BenefitResult, CityResult, Evaluation, Reason, Status
from ..render.i18n import CATEGORY, PERIOD, STATUS, field_label, label, word
from ..render.reporting import amount_text, display_order
from ..rules.schema import Rulebook

DEFAULT_COMPOSITE = {
    "zh": ("同时满足以下条件", "满足以下任一条件", "不满足以下条件"),
    "en": ("all of", "any of", "not"),
}


@dataclass
class _Node:
    reason: Reason
    children: list["_Node"] = field(default_factory=list)


def _tree(reasons: list[Reason]) -> list[_Node]:
    """Rebuild the condition tree that `evaluate` flattened into reasons with depths."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    for reason in reasons:
        node = _Node(reason)
        while stack and stack[-1].reason.depth >= reason.depth:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _shown(reason: Reason, lang: str) -> str:
    if reason.value is None:
        return reason.text
    who = "您的情况" if lang == "zh" else "yours"
    return f"{reason.text}（{who}：{reason.value}）" if lang == "zh" else f"{reason.text} ({who}: {reason.value})"


def _failing(node: _Node, lang: str) -> list[str]:
    """The tests that make a false condition false: the lowest false nodes (a `not` shows its child)."""
    if node.reason.result is not False:
        return []
    false_children = [c for c in node.children if c.reason.result is False]
    if false_children:
        return [text for c in false_children for text in _failing(c, lang)]
    if node.children:  # a `not` whose inner test holds
        inner = "；".join(_shown(c.reason, lang) for c in node.children)
        return [f"{node.reason.text}：{inner}" if lang == "zh" else f"{node.reason.text}: {inner}"]
    return [_shown(node.reason, lang)]


def failing_reasons(result: BenefitResult, lang: str = "zh") -> tuple[list[str], bool]:
    """(why a benefit is not open to the applicant, whether only the kind of applicant rules it out)."""
    roots = _tree(result.reasons)
    texts = [t for root in roots for t in _failing(root, lang)]
    kind_only = bool(roots) and roots[0].reason.field == "kind" and roots[0].reason.result is False
    return texts, kind_only


def _missing(result: BenefitResult, book: Rulebook | None, asked: set[str], lang: str) -> list[dict[str, Any]]:
    out = []
    for name in result.missing_facts:
        parameter = book.parameters.get(name) if book else None
        if parameter is not None:
            what = "参数" if lang == "zh" else "parameter"
            out.append({"name": name, "label": f"{parameter.description}（{what}，{parameter.source}）" if lang == "zh"
                        else f"{parameter.description} ({what}, {parameter.source})", "question": False})
        else:
            out.append({"name": name, "label": field_label(name, lang), "question": name in asked})
    return out


def benefit_display(result: BenefitResult, book: Rulebook | None, asked: set[str], lang: str) -> dict[str, Any]:
    failed, kind_only = failing_reasons(result, lang) if result.status is Status.not_eligible else ([], False)
    return {
        "id": result.id,
        "status": label(STATUS, result.status.value, lang),
        "amount": amount_text(result.amount, lang),
        "amount_kind": result.amount.kind,
        "parts": [{"label": p.label, "amount": amount_text(p.amount, lang)} for p in result.amount.parts],
        "period": label(PERIOD, result.period, lang),
        "category": label(CATEGORY, result.category, lang),
        "missing": _missing(result, book, asked, lang),
        "failed": failed,
        "other_kind": kind_only,
        "expired_on": word("expired_on", lang, date=result.valid_to) if result.status is Status.expired else None,
    }


def next_question(city: CityResult, asked: set[str], answered: set[str]) -> dict[str, Any] | None:
    """The unanswered question that most benefits needing information are waiting for."""
    counts: dict[str, int] = {}
    for r in city.benefits:
        if r.status is Status.needs_info:
            for name in r.missing_facts:
                if name in asked and name not in answered:
                    counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda n: counts[n])
    return {"field": best, "benefits": counts[best]}


def city_display(city: CityResult, book: Rulebook | None, asked: set[str], answered: set[str],
                 lang: str) -> dict[str, Any]:
    zh = lang == "zh"
    doc = city.document
    t = city.totals
    summary = f"{word('total_exact', lang)}：{yuan(t.exact, lang)}    {word('total_up_to', lang)}：{yuan(t.up_to, lang)}"
    if t.unquantified:
        summary += (f"    另有{t.unquantified}{word('unquantified', lang)}" if zh
                    else f"    {t.unquantified} {word('unquantified', lang)}")
    statuses = {r.status for r in city.benefits}
    note = None
    if statuses == {Status.expired}:
        note = word("expired_on", lang, date=doc.in_force_to)
    elif statuses == {Status.not_yet_in_force}:
        note = word("starts_on", lang, date=doc.in_force_from)
    ordered = display_order(city.benefits)
    return {
        "city": city.city,
        "name": city.city_zh if zh else city.city_en,
        "title": f"{city.city_zh if zh else city.city_en} · {doc.title}" + (f"（{doc.number}）" if doc.number else ""),
        "draft": doc.draft,
        "draft_note": word("draft", lang) if doc.draft else None,
        "validity_note": note,
        "totals": {"exact": yuan(t.exact, lang), "up_to": yuan(t.up_to, lang), "unquantified": t.unquantified,
                   "exact_label": word("total_exact", lang), "up_to_label": word("total_up_to", lang),
                   "unquantified_text": (f"另有{t.unquantified}{word('unquantified', lang)}" if zh else
                                         f"{t.unquantified} {word('unquantified', lang)}") if t.unquantified else None,
                   "summary": summary},
        "order": [r.id for r in ordered],
        "benefits": {r.id: benefit_display(r, book, asked, lang) for r in city.benefits},
        "next_question": next_question(city, asked, answered),
    }


def evaluation_display(evaluation: Evaluation, books: dict[str, Rulebook], asked: dict[str, set[str]],
                       answered: set[str], lang: str) -> dict[str, Any]:
    """`asked`: per city, the fields the page has a question for; `answered`: the facts given."""
    return {
        "lang": lang,
        "words": {key: word(key, lang) for key in ("lead", "cooperating", "clause", "quote", "notes", "reasons",
                                                   "missing", "as_of", "draft")},
        "cities": [city_display(c, books.get(c.city), asked.get(c.city, set()), answered, lang)
                   for c in evaluation.cities],
    }
