"""A rulebook as a command holds it once loaded (its model, file, located YAML, official text), and choosing the
rulebooks of one city by any of its names. No Pydantic: `chuangye check` holds its rulebooks as plain objects built
from the cache (runtime.py), the other commands as the models loading.py validated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.messages import Text
from ..base.problems import InputError, make_problem

if TYPE_CHECKING:
    from .yamlsource import Located


@dataclass
class LoadedRulebook:
    rulebook: Any  # a schema.Rulebook, or its plain runtime twin (runtime.py)
    path: Path
    located: Located | None  # None for a rulebook from the cache
    source_text: str | None  # the official text of the document, for quote checks
    partial: bool = False  # some benefits (or the document) did not fit the schema and were left out

    @property
    def slug(self) -> str:
        return self.rulebook.city.slug


def city_names(book: LoadedRulebook) -> tuple[str, ...]:
    """Every name a city is known by: its slug, Chinese name (with or without 市) and English name."""
    city = book.rulebook.city
    return (city.slug, city.zh, city.zh + "市", city.en, city.en.lower())


def choose_city(books: list[LoadedRulebook], name: str, where: str = "--city") -> list[LoadedRulebook]:
    """The rulebook of the city called `name`; a name that matches none is an input error listing the cities."""
    chosen = [b for b in books if name in city_names(b)]
    if not chosen:
        known = "、".join(f"{b.slug}（{b.rulebook.city.zh}）" for b in books)
        known_en = ", ".join(f"{b.slug} ({b.rulebook.city.en})" for b in books)
        raise InputError([make_problem(where, None, None, Text(f"没有城市 {name!r} 的规则库", f"no rulebook for the city {name!r}"),
                                       Text(f"可选: {known}", f"one of: {known_en}") if known else
                                       Text("所指的目录中没有任何规则库（*.yaml）", "the folder given holds no rulebook (*.yaml)"))])
    return chosen
