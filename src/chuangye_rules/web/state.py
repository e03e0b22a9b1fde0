"""What every route of one server shares: the rulebooks it loaded, the list jobs it runs, the questions it has
derived (asked for on every page load, derived once), and the look-ups that answer 404 or 422 in the API's words.
Passed to each route module (routes_*.py) explicitly, so a route's inputs are visible where it is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from ..base.messages import Text
from ..base.problems import make_problem
from ..rules.catalog import catalog
from ..rules.loading import LoadedRulebook
from .errors import ApiError
from .lists import Jobs
from .questions import find_book, questions


class ServerState:
    def __init__(self, books: list[LoadedRulebook], rulebook_paths: list[Path | str] | None):
        self.books = books
        self.jobs = Jobs(rulebook_paths)
        self.question_cache: dict[tuple[str, Optional[str], str], list[dict[str, Any]]] = {}

    def known_cities(self) -> str:
        return "、".join(f"{b.slug}（{b.rulebook.city.zh}）" for b in self.books)

    def known_cities_hint(self) -> Text:
        return Text(f"可选: {self.known_cities()}", "one of: " + ", ".join(f"{b.slug} ({b.rulebook.city.en})" for b in self.books))

    def book_or_404(self, city: str) -> LoadedRulebook:
        book = find_book(self.books, city)
        if book is None:
            raise ApiError(404, "not_found", [make_problem("city", None, None, Text(
                f"没有城市 {city!r} 的规则库", f"no rulebook for the city {city!r}"), self.known_cities_hint())])
        return book

    def asked_fields(self, city: str, kind: Optional[str], lang: str = "zh") -> list[dict[str, Any]]:
        key = (city, kind, lang)
        if key not in self.question_cache:
            self.question_cache[key] = questions(self.book_or_404(city).rulebook, kind, lang)
        return self.question_cache[key]


def kind_code(kind: Optional[str]) -> Optional[str]:
    """An applicant kind as asked for in a query (code or label) → its code; 422 for one that is no kind."""
    if kind is None or kind == "":
        return None
    code = catalog().vocabularies["applicant_kind"].normalise(kind)
    if code is None:
        labels = catalog().vocabularies["applicant_kind"].labels
        allowed = Text("可选: " + "、".join(f"{c}（{z}）" for c, z in labels.items()), "one of: " + ", ".join(labels))
        raise ApiError(422, "invalid_request", [make_problem("kind", None, None, Text(
            f"未知的申请人类型 {kind!r}", f"unknown applicant kind {kind!r}"), allowed)])
    return code
