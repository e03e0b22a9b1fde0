"""The library API that the CLI (and a notebook) calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping

from .engine.evaluation import evaluate
from .engine.results import Evaluation


def check_file(profile_path: Path | str, rulebooks: Iterable[Path | str] | None = None, as_of: dt.date | None = None,
               city: str | None = None, parameters: Mapping[str, Decimal] | None = None,
               fast: bool = False) -> Evaluation:
    """Load a profile file and evaluate it against the bundled rulebooks (or those under `rulebooks`). The result is
    in no language: `render.evaluation_json(result, lang)` words it.

    `fast=True` (`chuangye check`) reads a profile whose values need no parsing, and rulebooks already in the cache,
    without Pydantic (rules/values.py, rules/runtime.py); anything else goes the ordinary way. The evaluation is the
    same; each amount's `rule` is then a plain object of the same class and fields as the model
    (`rules.runtime.node_data` gives the data of either)."""
    if fast:
        from .rules.books import cached_rulebooks
        from .rules.values import read_facts

        facts = read_facts(profile_path)
        books = cached_rulebooks(rulebooks or None) if facts is not None else None
        if books is not None:
            return evaluate(facts, books, as_of=as_of, city=city, parameters=parameters)
    from .rules.loading import load_rulebooks
    from .rules.profile import load_profile

    profile = load_profile(profile_path)
    return evaluate(profile, load_rulebooks(rulebooks or None), as_of=as_of, city=city, parameters=parameters)
