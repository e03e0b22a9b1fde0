"""The library API that the CLI (and a notebook) calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping

from .engine.evaluation import evaluate
from .engine.results import Evaluation
from .rules.loading import load_rulebooks
from .rules.profile import load_profile


def check_file(profile_path: Path | str, rulebooks: Iterable[Path | str] | None = None, as_of: dt.date | None = None,
               city: str | None = None, parameters: Mapping[str, Decimal] | None = None, lang: str = "zh") -> Evaluation:
    """Load a profile file and evaluate it against the bundled rulebooks (or those under `rulebooks`)."""
    profile = load_profile(profile_path)
    books = load_rulebooks(rulebooks or None)
    return evaluate(profile, books, as_of=as_of, city=city, parameters=parameters, lang=lang)
