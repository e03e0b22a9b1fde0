"""chuangye-rules: entrepreneurship-policy rulebooks and an evaluator.

    from chuangye_rules import load_rulebooks, load_profile, evaluate, evaluation_json
    books = load_rulebooks()
    result = evaluate(load_profile("examples/profiles/huaibei-returnee-graduate.yaml"), books,
                      as_of=datetime.date(2024, 6, 1))     # in no language: statuses, a reason tree, amounts
    evaluation_json(result, "en")                          # the `chuangye check --format json --lang en` document
"""

from .api import check_file
from .base.problems import InputError
from .engine.evaluation import evaluate
from .engine.results import Evaluation, Status
from .render import evaluation_dict, evaluation_json
from .rules.loading import load_rulebook, load_rulebooks
from .rules.profile import load_profile, parse_profile

__all__ = ["check_file", "evaluate", "evaluation_json", "evaluation_dict", "load_rulebook", "load_rulebooks",
           "load_profile", "parse_profile", "Evaluation", "Status", "InputError"]
