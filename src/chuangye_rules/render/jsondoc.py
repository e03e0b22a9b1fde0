"""The `--format json` document (`chuangye.evaluation/2`): the evaluation's language-neutral data, with the texts the
render layer adds in the language asked for — each benefit's `reasons` (flattened, with depths), `exclusion_note`, its departments
(`lead_departments_text`, `cooperating_departments_text`),
the amount's `text`, `description`, `formula` and `parameter_labels` — and the document's `lang`. `chuangye check
--format json`, `POST /evaluate` and a notebook (`render.evaluation_json`) all write it here."""

from __future__ import annotations

import json
from typing import Any

from ..engine.results import AmountResult, BenefitResult, CityResult, Evaluation
from .departments import department_names
from .words import (
    amount_description,
    amount_formula,
    amount_text,
    exclusion_note,
    flat_reasons,
    parameter_labels,
    received_note,
)

LANGS = ("zh", "en")


def _word_amount(amount: AmountResult, data: dict[str, Any], lang: str) -> None:
    data["text"] = amount_text(amount, lang)
    data["description"] = amount_description(amount, lang)
    data["formula"] = amount_formula(amount, lang)
    data["parameter_labels"] = parameter_labels(amount, lang)
    for part, worded in zip(amount.parts, data["parts"]):
        _word_amount(part.amount, worded["amount"], lang)


def _word_benefit(benefit: BenefitResult, data: dict[str, Any], city: CityResult, lang: str) -> None:
    _word_amount(benefit.amount, data["amount"], lang)
    note = received_note(benefit, lang)
    if note:  # a reward in tiers of which some were paid: the figure is what is still due
        data["amount"]["description"] += ("；" if lang == "zh" else "; ") + note
    data["reasons"] = flat_reasons(benefit, lang)
    data["exclusion_note"] = exclusion_note(benefit, city, lang)
    data["lead_departments_text"] = department_names(benefit.lead_departments, lang)
    data["cooperating_departments_text"] = department_names(benefit.cooperating_departments, lang)


def evaluation_dict(evaluation: Evaluation, lang: str = "zh") -> dict[str, Any]:
    """The evaluation as the JSON document's data, with its texts in `lang` ("zh" or "en")."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    data = evaluation.to_dict()
    data["lang"] = lang
    for city, worded in zip(evaluation.cities, data["cities"]):
        for benefit, item in zip(city.benefits, worded["benefits"]):
            _word_benefit(benefit, item, city, lang)
    return data


def evaluation_json(evaluation: Evaluation, lang: str = "zh") -> str:
    """The JSON document `chuangye check --format json` prints (`Evaluation.from_json` reads it back)."""
    return json.dumps(evaluation_dict(evaluation, lang), ensure_ascii=False, indent=2)
