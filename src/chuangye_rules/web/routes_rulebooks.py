"""The rulebooks as the API shows them: the list, one rulebook, one benefit, the questions a city asks of a kind
of applicant (what the screener page asks), and the profile fields."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from fastapi import APIRouter, Query

from ..base.messages import Text
from ..base.problems import make_problem
from ..render.i18n import CATEGORY, label
from ..rules.catalog import catalog
from ..rules.loading import LoadedRulebook
from .errors import ERRORS, NOT_FOUND, ApiError
from .questions import applicant_kinds, vocab_label
from .state import ServerState, kind_code


def summary(book: LoadedRulebook, lang: str = "zh") -> dict[str, Any]:
    rb, doc = book.rulebook, book.rulebook.document
    return {
        "city": rb.city.slug, "city_zh": rb.city.zh, "city_en": rb.city.en,
        "document": {"title": doc.title, "number": doc.number, "issuer": doc.issuer, "issued": _iso(doc.issued),
                     "in_force_from": _iso(doc.in_force_from), "in_force_to": _iso(doc.in_force_to),
                     "draft": doc.draft, "implements": doc.implements, "notes": doc.notes},
        "benefits": len(rb.benefits),
        "applicant_kinds": applicant_kinds(rb, lang),
    }


def router(state: ServerState) -> APIRouter:
    routes = APIRouter()
    books = state.books

    @routes.get("/rulebooks", tags=["rulebooks"], summary="List the rulebooks")
    def list_rulebooks(lang: Literal["zh", "en"] = "zh") -> list[dict[str, Any]]:
        """The rulebooks: city, document, validity, whether it is a draft, benefits and applicant kinds."""
        return [summary(b, lang) for b in books]

    @routes.get("/rulebooks/{city}", tags=["rulebooks"], summary="One rulebook", responses=NOT_FOUND)
    def get_rulebook(city: str, lang: Literal["zh", "en"] = "zh") -> dict[str, Any]:
        """One rulebook with its benefits (id, name, category, clause, applicant kinds, lead departments)."""
        book = state.book_or_404(city)
        out = summary(book, lang)
        out["benefits"] = [{"id": b.id, "name": b.name, "name_en": b.name_en, "clause": b.clause,
                            "category": b.category.value, "category_label": label(CATEGORY, b.category.value, lang),
                            "applicant_kinds": b.applicant_kinds, "lead_departments": b.departments.lead}
                           for b in book.rulebook.benefits]
        return out

    @routes.get("/rulebooks/{city}/benefits/{benefit_id}", tags=["rulebooks"], summary="One benefit",
                responses=NOT_FOUND)
    def get_benefit(city: str, benefit_id: str) -> dict[str, Any]:
        """One benefit as the rulebook encodes it: conditions, amount rule, departments, clause and quote."""
        book = state.book_or_404(city)
        benefit = _benefit_or_404(book, benefit_id)
        data = benefit.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["city"] = book.slug
        data["document"] = {"title": book.rulebook.document.title, "number": book.rulebook.document.number,
                            "draft": book.rulebook.document.draft}
        return data

    @routes.get("/rulebooks/{city}/questions", tags=["web page"], summary="The questions for a city and kind of applicant",
                responses={**NOT_FOUND, **ERRORS})
    def get_questions(city: str, kind: Optional[str] = Query(None, description="applicant kind, e.g. individual; "
                                                                                "default: every kind"),
                      lang: Literal["zh", "en"] = "zh") -> dict[str, Any]:
        """The questions that matter for this city and kind of applicant, derived from the rulebook: the
        facts its conditions and amounts use, with the input each needs (by the field's catalog type)."""
        book = state.book_or_404(city)
        code = kind_code(kind)
        return {"city": book.slug, "kind": code, "lang": lang, "kinds": applicant_kinds(book.rulebook, lang),
                "questions": state.asked_fields(book.slug, code, lang)}

    @routes.get("/fields", tags=["rulebooks"], summary="The profile fields")
    def fields(lang: Literal["zh", "en"] = "zh") -> list[dict[str, Any]]:
        """The profile fields (as `chuangye fields`): name, Chinese name, type and allowed values."""
        cat = catalog()
        out = []
        for spec in cat.fields.values():
            vocab = cat.vocabularies.get(spec.vocabulary) if spec.vocabulary else None
            out.append({"name": spec.name, "zh": spec.zh, "en": spec.en, "type": spec.type, "aliases": list(spec.aliases),
                        "values": [{"value": c, "label": vocab_label(vocab, c, lang)} for c in vocab.labels]
                        if vocab else None})
        return out

    return routes


def _benefit_or_404(book: LoadedRulebook, benefit_id: str):
    benefit = book.rulebook.benefit(benefit_id)
    if benefit is None:
        import difflib

        ids = [b.id for b in book.rulebook.benefits]
        close = difflib.get_close_matches(benefit_id, ids, n=3)
        raise ApiError(404, "not_found", [make_problem("benefit_id", None, None, Text(
            f"{book.slug} 没有待遇 {benefit_id!r}", f"{book.slug} has no benefit {benefit_id!r}"),
            Text(f"是否想查 {'、'.join(close)}？", f"did you mean {', '.join(close)}?") if close else None)])
    return benefit


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
