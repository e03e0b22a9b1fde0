"""Checks for rulebook authors beyond structure: quotes, wording against amounts, unused parameters,
conditions that can never hold, and warnings (no lead department, no test case, very short quotes).

Structural checks that every load needs (fields exist, types match) stay in loading.py; these run in
`chuangye validate` and in the test suite.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from ..base.messages import Text, closest
from ..base.problems import Problem
from ..rules.loading import LoadedRulebook
from ..rules.schema import (
    AllOf,
    AnyOf,
    Compare,
    FixedAmount,
    FormulaAmount,
    PartsAmount,
    PercentageAmount,
    PerUnitAmount,
)

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


def first_difference(quote: str, passage: str, context: int = 8) -> tuple[int, str, str]:
    """Where a quote first differs from the closest passage, and a few characters of each from just before."""
    at = next((i for i, (a, b) in enumerate(zip(quote, passage)) if a != b), min(len(quote), len(passage)))
    start = max(0, at - context)
    cut = lambda s: ("…" if start else "") + s[start:at + context] + ("…" if len(s) > at + context else "")  # noqa: E731
    return at, cut(quote), cut(passage)


def _width_note(ours: str, theirs: str) -> Text:
    """Full-width and half-width punctuation look alike (，and ,): say so when that is the difference."""
    if ours and theirs and ours != theirs and unicodedata.normalize("NFKC", ours) == unicodedata.normalize("NFKC", theirs):
        return Text(f"这里是全角/半角之别：原文写的是“{theirs}”，引文写的是“{ours}”。",
                    f"the difference is full-width against half-width: the text has '{theirs}', the quote '{ours}'. ")
    return Text("", "")


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
                near = closest_passage(source, text)
                at, ours, theirs = first_difference(text, near)
                doc_source = book.rulebook.document.source
                width = _width_note(text[at:at + 1], near[at:at + 1])
                problems.append(book.located.problem(
                    where, Text(f"引文不是原文中的一段：从第 {at + 1} 个字起不同，引文是“{ours}”，原文是“{theirs}”",
                                f"the quote is not a passage of the official text: from character {at + 1} "
                                f"the quote reads '{ours}', the text '{theirs}'"),
                    width + Text(f"原文中最接近的一段是：“{near}”；请从 {doc_source} 原样复制（空白可以不同，字和标点必须一致）",
                                 f"the closest passage of the text is: '{near}'; copy it exactly from {doc_source} "
                                 "(whitespace may differ, characters and punctuation may not)"),
                    code="quote_not_found"))
            elif len(text) < MIN_QUOTE_CHARS and path[0] == "benefits":
                problems.append(book.located.problem(
                    where, Text(f"引文过短（{len(text)} 个字）：“{passage}”",
                                f"the quote is very short ({len(text)} characters): '{passage}'"),
                    Text("引用授予待遇的完整句子，读者才能核对",
                         "quote the whole sentence that grants the benefit, so readers can check it"),
                    severity="warning", code="short_quote"))
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
            w = word.group(0)
            problems.append(book.located.problem(
                ("benefits", i, "amount"),
                Text(f"待遇 {b.id} 的引文说“{w}”，金额却是确定值", f"benefit {b.id}: the quote says '{w}' (up to) but the amount is fixed"),
                Text("“最高/不超过/以内”是上限：用 {kind: up_to, max: …}、range、cap，或 percentage 加 up_to: true；"
                     "若“最高”说的不是金额（如期限），在 notes 中说明并改写引文",
                     "an 'up to' figure is a maximum: use {kind: up_to, max: …}, range, a cap, or percentage with "
                     "up_to: true; if the word is about something else, quote less"),
                code="up_to_wording"))
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
    if book.partial:  # a benefit left out for not fitting the schema may be the one that uses it
        return []
    # a formula naming an undefined parameter is reported where it is; the parameter it probably meant
    # is not reported again as unused
    defined = list(book.rulebook.parameters)
    used.update(closest(name, defined) for name in list(used) if name not in book.rulebook.parameters)
    return [book.located.problem(
        ("parameters", name), Text(f"参数 {name} 没有被任何公式使用", f"parameter {name} is not used by any formula"),
        Text("在某个 formula 的 factors 中写 {parameter: " + name + "}，或删除这个参数",
             "use it in a formula ({parameter: " + name + "}) or delete it"), code="unused_parameter")
            for name in book.rulebook.parameters if name not in used]


def check_dates(book: LoadedRulebook) -> list[Problem]:
    doc = book.rulebook.document
    problems = []
    if doc is None:
        return problems
    for i, b in enumerate(book.rulebook.benefits):
        if b.valid_to and doc.in_force_to and b.valid_to > doc.in_force_to:
            problems.append(book.located.problem(
                ("benefits", i, "valid_to"),
                Text(f"待遇 {b.id} 的有效期截止 {b.valid_to} 晚于文件截止日期 {doc.in_force_to}",
                     f"benefit {b.id} runs to {b.valid_to}, after the document ends ({doc.in_force_to})"),
                Text(f"待遇不能比文件更久：改为不晚于 {doc.in_force_to} 的日期；与文件相同时删除 valid_to",
                     f"a benefit cannot outlast its document: use a date up to {doc.in_force_to}, or delete valid_to"),
                code="outside_document"))
        if b.valid_from and doc.in_force_to and b.valid_from > doc.in_force_to:
            problems.append(book.located.problem(
                ("benefits", i, "valid_from"),
                Text(f"待遇 {b.id} 的生效日期 {b.valid_from} 晚于文件截止日期 {doc.in_force_to}",
                     f"benefit {b.id} starts ({b.valid_from}) after the document ends ({doc.in_force_to})"),
                Text("检查年份", "check the year"), code="outside_document"))
    return problems


def _bounds(node, path: tuple, out: dict) -> None:
    """Collect numeric/date bounds per field from `all` branches, to find ranges that are empty."""
    if isinstance(node, AllOf):
        for k, child in enumerate(node.all):
            _bounds(child, path + ("all", k), out)
    elif isinstance(node, Compare) and node.op in ("gt", "gte", "lt", "lte", "eq"):
        out.setdefault(node.field, []).append((node.op, node.operand, path + (node.op,)))


BOUND_WORDS = {"gt": "大于", "gte": "不小于", "lt": "小于", "lte": "不大于", "eq": "等于"}


def _never_true(node, path: tuple) -> tuple[Text, tuple] | None:
    """Why the conditions can never all hold, and the comparison to look at; None when they can."""
    if isinstance(node, AllOf):
        bounds: dict = {}
        _bounds(node, path, bounds)
        for field, tests in bounds.items():
            try:
                lows = [t for t in tests if t[0] in ("gt", "gte", "eq")]
                highs = [t for t in tests if t[0] in ("lt", "lte", "eq")]
                if not lows or not highs:
                    continue
                low = max(lows, key=lambda t: t[1])
                high = min(highs, key=lambda t: t[1])
                strict = any(op == "gt" and v == low[1] for op, v, _ in tests) or \
                    any(op == "lt" and v == high[1] for op, v, _ in tests)
                eqs = {v for op, v, _ in tests if op == "eq"}
                if low[1] > high[1] or (low[1] == high[1] and strict) or len(eqs) > 1:
                    later = max(low, high, key=lambda t: tests.index(t))
                    return (Text(f"{field} 要{BOUND_WORDS[low[0]]} {low[1]}，又要{BOUND_WORDS[high[0]]} {high[1]}",
                                 f"{field} must be {low[0]} {low[1]} and {high[0]} {high[1]}"), later[2])
            except TypeError:  # values of different types: reported by the type check already
                continue
        for k, child in enumerate(node.all):
            found = _never_true(child, path + ("all", k))
            if found:
                return found
    if isinstance(node, AnyOf):
        found = [_never_true(c, path + ("any", k)) for k, c in enumerate(node.any)]
        if all(found):
            return found[0]
    return None


def check_conditions(book: LoadedRulebook) -> list[Problem]:
    problems = []
    for i, b in enumerate(book.rulebook.benefits):
        if b.conditions is not None:
            found = _never_true(b.conditions, ("benefits", i, "conditions"))
            if found:
                reason, at = found
                problems.append(book.located.problem(
                    at, Text(f"待遇 {b.id} 的条件永远不能同时满足：{reason.zh}", f"benefit {b.id} can never be granted: {reason.en}"),
                    Text("检查 gt/gte/lt/lte 的方向和数值；“或者”关系要写在 any: 下",
                         "check the direction and the figures of gt/gte/lt/lte; alternatives go under any:"),
                    code="never_true"))
    return problems


def check_leads(book: LoadedRulebook) -> list[Problem]:
    return [book.located.problem(
        ("benefits", i, "departments"), Text(f"待遇 {b.id} 没有牵头单位", f"benefit {b.id} has no lead department"),
        Text("在 departments.lead 中写申请人去办理的部门（原文的牵头/责任单位）",
             "list under departments.lead where the applicant applies (the document's lead unit)"),
        severity="warning", code="no_lead")
            for i, b in enumerate(book.rulebook.benefits) if not b.departments.lead]


def check_tests(book: LoadedRulebook, exercised: dict[str, set[str]] | None) -> list[Problem]:
    if exercised is None:
        return []
    seen = exercised.get(book.slug, set())
    return [book.located.problem(
        ("benefits", i, "id"), Text(f"待遇 {b.id} 没有测试用例", f"benefit {b.id} has no test case"),
        Text(f"在 tests/cases/{book.slug}.yaml 中加一个用例（符合条件的一例和差一项的一例）",
             f"add a case to tests/cases/{book.slug}.yaml (one that qualifies and a near miss)"),
        severity="warning", code="no_test")
            for i, b in enumerate(book.rulebook.benefits) if b.id not in seen]


def lint(book: LoadedRulebook, exercised: dict[str, set[str]] | None = None) -> list[Problem]:
    return (check_quotes(book) + check_wording(book) + check_parameters(book) + check_dates(book)
            + check_conditions(book) + check_leads(book) + check_tests(book, exercised))

