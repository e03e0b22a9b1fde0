"""chuangye-rules: entrepreneurship-policy rulebooks and an evaluator.

    from chuangye_rules import load_rulebooks, load_profile, evaluate, evaluation_json
    books = load_rulebooks()
    result = evaluate(load_profile("examples/profiles/huaibei-returnee-graduate.yaml"), books,
                      as_of=datetime.date(2024, 6, 1))     # in no language: statuses, a reason tree, amounts
    evaluation_json(result, "en")                          # the `chuangye check --format json --lang en` document

The names below are imported when first used (PEP 562), so that `import chuangye_rules.cli` (or any one
submodule) does not import the models, the engine and pydantic before the command needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["check_file", "evaluate", "evaluation_json", "evaluation_dict", "load_rulebook", "load_rulebooks", "load_profile",
           "parse_profile", "Evaluation", "Status", "InputError"]

if TYPE_CHECKING:
    from .api import check_file
    from .base.problems import InputError
    from .engine.evaluation import evaluate
    from .engine.results import Evaluation, Status
    from .render import evaluation_dict, evaluation_json
    from .rules.loading import load_rulebook, load_rulebooks
    from .rules.profile import load_profile, parse_profile


def __getattr__(name: str) -> Any:
    # each module by its literal name (tests/robustness/test_security.py: no module is imported by a name from data)
    if name == "check_file":
        from . import api as module
    elif name == "evaluate":
        from .engine import evaluation as module
    elif name in ("Evaluation", "Status"):
        from .engine import results as module
    elif name in ("evaluation_json", "evaluation_dict"):
        from . import render as module
    elif name == "InputError":
        from .base import problems as module
    elif name in ("load_rulebook", "load_rulebooks"):
        from .rules import loading as module
    elif name in ("load_profile", "parse_profile"):
        from .rules import profile as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
