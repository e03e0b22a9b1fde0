"""A reform written as options: `--set city.benefit.amount=…` applied to a copy of the rulebooks, checked as the
rulebooks themselves are."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError

from ..base.messages import Text
from ..base.problems import InputError, make_problem
from ..rules.authormessages import pydantic_problems
from ..rules.crosscheck import check_rulebook
from ..rules.loading import LoadedRulebook
from ..rules.schema import Rulebook
from ..rules.yamlsource import Located

# ------------------------------------------------------------------------------------------- reforms by option


def with_settings(books: list[LoadedRulebook], settings: list[str]) -> list[LoadedRulebook]:
    """`--set huaibei.returnee_startup_subsidy.amount=8000` (or `.amount.max=…`, `.amount.rate=…`): the books
    with those figures changed, each checked by the same schema as a rulebook file."""
    changed = {b.slug: b.rulebook.model_dump(by_alias=True, exclude_none=True) for b in books}
    problems = []
    for setting in settings:
        path, _, value = setting.partition("=")
        parts = path.strip().split(".")
        if not value or len(parts) < 3 or parts[2] != "amount":
            problems.append(make_problem(f"--set {setting}", None, None, Text(
                "写作 城市.待遇标识.amount=金额，如 huaibei.returnee_startup_subsidy.amount=8000（或 amount.max=…）",
                "write city.benefit_id.amount=yuan, e.g. huaibei.returnee_startup_subsidy.amount=8000 (or amount.max=…)")))
            continue
        slug, benefit_id, keys = parts[0], parts[1], parts[3:]
        data = changed.get(slug)
        benefit = next((b for b in (data or {}).get("benefits", []) if b["id"] == benefit_id), None)
        if benefit is None:
            problems.append(make_problem(f"--set {setting}", None, None, Text(
                f"没有待遇 {slug}.{benefit_id}", f"there is no benefit {slug}.{benefit_id}"),
                Text("城市和待遇标识见 chuangye benefits", "chuangye benefits lists the cities and benefit ids")))
            continue
        amount = benefit["amount"]
        key = keys[0] if keys else {"fixed": "value", "up_to": "max", "per_unit": "rate"}.get(amount["kind"])
        if key is None or key not in amount:
            settable = [k for k in amount if k != "kind"]
            problems.append(make_problem(f"--set {setting}", None, None, Text(
                f"{slug}.{benefit_id} 的金额（{amount['kind']}）没有可设的 {key or '数额'}",
                f"the amount of {slug}.{benefit_id} ({amount['kind']}) has no {key or 'figure'} to set"),
                Text("可设的键：" + "、".join(settable), "keys that can be set: " + ", ".join(settable))))
            continue
        try:
            amount[key] = Decimal(value.strip())
        except ArithmeticError:
            problems.append(make_problem(f"--set {setting}", None, None, Text(f"{value!r} 不是数字", f"{value!r} is not a number")))
    if problems:
        raise InputError(problems)
    out = []
    for book in books:
        # the changed book is checked as a rulebook file is (its schema, then the checks that need the catalog:
        # an amount beyond what the engines compute exactly, …), and the problems worded as for its author
        located = Located(changed[book.slug], f"--set（{book.slug}）")
        try:
            rulebook = Rulebook.model_validate(changed[book.slug])
        except ValidationError as error:
            raise InputError(pydantic_problems(error, located)) from None
        errors = [p for p in check_rulebook(rulebook, located) if p.severity == "error"]
        if errors:
            raise InputError(errors)
        out.append(LoadedRulebook(rulebook, book.path, book.located, book.source_text, book.partial))
    return out


