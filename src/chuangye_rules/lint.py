"""Checks for rulebook authors beyond structure: quotes, wording against amounts, unused parameters,
conditions that can never hold, and warnings (no lead department, no test case, very short quotes).

Structural checks that every load needs (fields exist, types match) stay in loading.py; these run in
`chuangye validate` and in the test suite.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .loading import LoadedRulebook
from .schema import (
    AllOf, AnyOf, Compare, FixedAmount, FormulaAmount, NotOf, PartsAmount, PercentageAmount, PerUnitAmount,
)
from .yamlsource import Problem

UP_TO_WORDS = re.compile(r"最高|不超过|不高于|以内|可达|最多")
MIN_QUOTE_CHARS = 8


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def closest_passage(source: str, quote: str) -> str:
    """The passage of the source that best matches a quote that is not found exactly."""
    matcher = SequenceMatcher(None, source, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(source), 0, len(quote))
    start = max(0, match.a - match.b)
    return source[start:start + len(quote) + 4]


def _quotes(book: LoadedRulebook):
    rb = book.rulebook
    for i, b in enumerate(rb.benefits):
        yield ("benefits", i, "quote"), b.quote
    for i, t in enumerate(rb.targets):
        yield ("targets", i, "quote"), t.quote
    for i, n in enumerate(rb.not_encoded):
        yield ("not_encoded", i, "quote"), n.quote


def check_quotes(book: LoadedRulebook) -> list[Problem]:
    if book.source_text is None:
        return []
    source = squash(book.source_text)
    problems = []
    for path, quote in _quotes(book):
        passages = [quote] if isinstance(quote, str) else quote
        for k, passage in enumerate(passages):
            where = path if isinstance(quote, str) else path + (k,)
            text = squash(passage)
            if text not in source:
                problems.append(book.located.problem(
                    where, f"引文不是原文中的一段: “{passage[:40]}”",
                    f"原文最接近的一段是: “{closest_passage(source, text)}”；请从 {book.rulebook.document.source} 原样复制"))
            elif len(text) < MIN_QUOTE_CHARS and path[0] == "benefits":
                problems.append(book.located.problem(where, f"引文过短（{len(text)} 个字）: “{passage}”",
                                                     "引用授予待遇的完整句子", severity="warning"))
    return problems


def _only_fixed(amount) -> bool:
    if isinstance(amount, FixedAmount):
        return True
    if isinstance(amount, PartsAmount):
        return all(_only_fixed(p.amount) for p in amount.parts)
    if isinstance(amount, FormulaAmount):
        return amount.cap is None and all(f.max is None for f in amount.factors)
    if isinstance(amount, (PerUnitAmount, PercentageAmount)):
        return amount.cap is None and not getattr(amount, "up_to", False)
    return False


def check_wording(book: LoadedRulebook) -> list[Problem]:
    problems = []
    for i, b in enumerate(book.rulebook.benefits):
        text = "".join([b.quote] if isinstance(b.quote, str) else b.quote)
        word = UP_TO_WORDS.search(text)
        if word and _only_fixed(b.amount):
            problems.append(book.located.problem(
                ("benefits", i, "amount"),
                f"{b.id}: 引文有“{word.group(0)}”，金额却是确定值",
                "用 up_to、range、cap 或 percentage 的 up_to: true 表示“最高/不超过”"))
    return problems


def check_parameters(book: LoadedRulebook) -> list[Problem]:
    used = set()

    def walk(amount):
        if isinstance(amount, FormulaAmount):
            used.update(f.parameter for f in amount.factors if f.parameter)
        if isinstance(amount, PartsAmount):
            for p in amount.parts:
                walk(p.amount)

    for b in book.rulebook.benefits:
        walk(b.amount)
    return [book.located.problem(("parameters", name), f"参数 {name} 没有被任何待遇使用", "删除它或在公式中引用它")
            for name in book.rulebook.parameters if name not in used]


def check_dates(book: LoadedRulebook) -> list[Problem]:
    doc = book.rulebook.document
    problems = []
    for i, b in enumerate(book.rulebook.benefits):
        if b.valid_to and doc.in_force_to and b.valid_to > doc.in_force_to:
            problems.append(book.located.problem(("benefits", i, "valid_to"),
                                                 f"{b.id}: 有效期截止 {b.valid_to} 晚于文件截止 {doc.in_force_to}"))
        if b.valid_from and doc.in_force_to and b.valid_from > doc.in_force_to:
            problems.append(book.located.problem(("benefits", i, "valid_from"), f"{b.id}: 生效日期晚于文件截止日期"))
    return problems


def _bounds(node, out: dict) -> None:
    """Collect numeric/date bounds per field from `all` branches, to find ranges that are empty."""
    if isinstance(node, AllOf):
        for child in node.all:
            _bounds(child, out)
    elif isinstance(node, Compare) and node.op in ("gt", "gte", "lt", "lte", "eq"):
        out.setdefault(node.field, []).append((node.op, node.operand))


def _never_true(node) -> str | None:
    if isinstance(node, AllOf):
        bounds: dict = {}
        _bounds(node, bounds)
        for field, tests in bounds.items():
            low = max((v for op, v in tests if op in ("gt", "gte", "eq")), default=None)
            high = min((v for op, v in tests if op in ("lt", "lte", "eq")), default=None)
            if low is None or high is None:
                continue
            strict = any(op == "gt" and v == low for op, v in tests) or any(op == "lt" and v == high for op, v in tests)
            if low > high or (low == high and strict):
                return f"{field} 的条件互相矛盾（下限 {low}，上限 {high}）"
            eqs = {v for op, v in tests if op == "eq"}
            if len(eqs) > 1:
                return f"{field} 不能同时等于 {sorted(map(str, eqs))}"
        for child in node.all:
            reason = _never_true(child)
            if reason:
                return reason
    if isinstance(node, AnyOf):
        reasons = [_never_true(c) for c in node.any]
        if all(reasons):
            return reasons[0]
    if isinstance(node, NotOf):
        return None
    return None


def check_conditions(book: LoadedRulebook) -> list[Problem]:
    problems = []
    for i, b in enumerate(book.rulebook.benefits):
        if b.conditions is not None:
            reason = _never_true(b.conditions)
            if reason:
                problems.append(book.located.problem(("benefits", i, "conditions"), f"{b.id}: 条件永远不能同时满足：{reason}"))
    return problems


def check_leads(book: LoadedRulebook) -> list[Problem]:
    return [book.located.problem(("benefits", i, "departments"), f"{b.id}: 没有牵头单位", "填写 departments.lead",
                                 severity="warning")
            for i, b in enumerate(book.rulebook.benefits) if not b.departments.lead]


def check_tests(book: LoadedRulebook, exercised: dict[str, set[str]] | None) -> list[Problem]:
    if exercised is None:
        return []
    seen = exercised.get(book.slug, set())
    return [book.located.problem(("benefits", i, "id"), f"{b.id}: 没有测试用例", "在 tests/cases/ 中加一个用例",
                                 severity="warning")
            for i, b in enumerate(book.rulebook.benefits) if b.id not in seen]


def lint(book: LoadedRulebook, exercised: dict[str, set[str]] | None = None) -> list[Problem]:
    return (check_quotes(book) + check_wording(book) + check_parameters(book) + check_dates(book)
            + check_conditions(book) + check_leads(book) + check_tests(book, exercised))

