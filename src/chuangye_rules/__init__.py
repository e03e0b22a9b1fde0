"""chuangye-rules: entrepreneurship-policy rulebooks and an evaluator.

    from chuangye_rules import load_rulebooks, load_profile, evaluate
    books = load_rulebooks()
    result = evaluate(load_profile("examples/profiles/huaibei-returnee-graduate.yaml"), books,
                      as_of=datetime.date(2024, 6, 1))
"""

from .api import check_file
from .base.problems import InputError
from .engine.evaluation import evaluate
from .engine.results import Evaluation, Status
from .rules.loading import load_rulebook, load_rulebooks
from .rules.profile import load_profile, parse_profile

__all__ = ["check_file", "evaluate", "load_rulebook", "load_rulebooks", "load_profile", "parse_profile",
           "Evaluation", "Status", "InputError"]
