"""The checks beyond the schema: a rulebook that Pydantic accepted, checked against the profile field catalog and
against itself (ids, exclusions, dates, sums, what every engine can compute).

Pure: the checks only read the model and return problems. Turning the vocabulary's labels an author wrote into
its codes is loading's job (loading.normalise_codes), done only where these checks found nothing wrong. The
conditions' checks are in checkconditions.py, the amounts' in checkamounts.py."""

from __future__ import annotations

import datetime as dt

from ..base.messages import Text, did_you_mean
from ..base.problems import Problem
from .catalog import catalog
from .checkamounts import check_amount, rulebook_amount_problems
from .checkconditions import check_condition, vocabulary_problem
from .schema import Benefit, Document, Rulebook
from .yamlsource import Located

# What every engine can compute (the batch engine holds money as 64-bit integers of fen, and names a benefit's
# missing facts in a 32-bit mask): check_rulebook refuses the rest, so what `validate` accepts runs everywhere.
MAX_FACTS = 32  # facts one benefit may depend on: the applicant kind, the fields its conditions and amount read
# (MAX_SUM: checkamounts.py; MAX_MONTHS, MAX_DAYS: checkconditions.py)


def check_rulebook(book: Rulebook, located: Located, known_ids: set[str] | None = None) -> list[Problem]:
    """Checks that need the field catalog or the whole file. `known_ids`: every benefit id written in the file,
    when some benefits were left out for not fitting the schema (so exclusions naming them are not flagged)."""
    problems = _document_dates(book.document, located)
    ids: dict[str, int] = {}
    for i, benefit in enumerate(book.benefits):
        if benefit.id in ids:
            problems.append(_duplicate_id(benefit.id, ids[benefit.id], i, located))
        ids.setdefault(benefit.id, i)
        problems += _check_benefit(benefit, ("benefits", i), book, located)
    names = set(ids) | (known_ids or set())
    problems += _target_problems(book, names, located)
    problems += _exclusion_problems(book, names, located)
    return problems + rulebook_amount_problems(book, located)


def _document_dates(doc: Document | None, located: Located) -> list[Problem]:
    if doc is None or not doc.in_force_to or doc.in_force_to >= doc.in_force_from:
        return []
    return [located.problem(
        ("document", "in_force_to"),
        Text(f"文件有效期截止 {doc.in_force_to} 早于生效日期 {doc.in_force_from}",
             f"the document ends ({doc.in_force_to}) before it takes effect ({doc.in_force_from})"),
        Text("检查年份，或把 in_force_from 和 in_force_to 对调", "check the years, or swap in_force_from and in_force_to"),
        code="dates_inverted")]


def _duplicate_id(benefit_id: str, first: int, i: int, located: Located) -> Problem:
    first_line = located.where(("benefits", first, "id"))[0]
    return located.problem(
        ("benefits", i, "id"),
        Text(f"重复的待遇标识 {benefit_id}：第 {first_line} 行已有一项同名待遇",
             f"duplicate benefit id {benefit_id}: line {first_line} already has it"),
        Text("每项待遇的 id 在文件中必须唯一：给其中一项改名（如加上 _enterprise），或删除重复的一项",
             "each benefit id must be unique in the file: rename one (e.g. add _enterprise) or delete the copy"),
        code="duplicate_id")


def _check_benefit(benefit: Benefit, base: tuple, book: Rulebook, located: Located) -> list[Problem]:
    kinds = catalog().vocabularies["applicant_kind"]
    problems = [vocabulary_problem(kind, "applicant_kinds", kinds, base + ("applicant_kinds", k), located)
                for k, kind in enumerate(benefit.applicant_kinds) if kinds.normalise(kind) is None]
    if benefit.conditions is not None:
        problems += check_condition(benefit.conditions, base + ("conditions",), located)
    problems += check_amount(benefit.amount, base + ("amount",), book, located)
    problems += _check_facts(benefit, base, located)
    if book.document is not None:
        problems += _check_validity(benefit, base, book.document.in_force_from, located)
    return problems


def _target_problems(book: Rulebook, names: set[str], located: Located) -> list[Problem]:
    return [located.problem(
        ("targets", i, "counts", k),
        Text(f"counts 中的 {counted} 不是本文件中任何待遇的 id", f"counts names {counted}, which is no benefit id in this file"),
        did_you_mean(counted, sorted(names)) or Text("写这个目标计数的待遇 id", "give the id of a benefit the target counts"),
        code="unknown_target_benefit")
        for i, target in enumerate(book.targets) for k, counted in enumerate(target.counts) if counted not in names]


def _exclusion_problems(book: Rulebook, names: set[str], located: Located) -> list[Problem]:
    problems = []
    for i, benefit in enumerate(book.benefits):
        for k, other in enumerate(benefit.exclusive_with):
            at = ("benefits", i, "exclusive_with", k)
            if other not in names:
                hint = did_you_mean(other, sorted(names - {benefit.id}))
                problems.append(located.problem(
                    at, Text(f"exclusive_with 中的 {other} 不是本文件中任何待遇的 id",
                             f"exclusive_with names {other}, which is no benefit id in this file"),
                    hint or Text("写不得同时享受的另一项待遇的 id，或删除这一项",
                                 "give the id of the benefit it cannot be combined with, or delete the entry"),
                    code="unknown_exclusion"))
            elif other == benefit.id:
                problems.append(located.problem(
                    at, Text(f"待遇 {benefit.id} 不能与自身互斥", f"benefit {benefit.id} cannot exclude itself"),
                    Text("删除这一项", "delete this entry"), code="self_exclusion"))
    return problems


def _check_facts(benefit: Benefit, base: tuple, located: Located) -> list[Problem]:
    from .facts import fact_order

    facts = fact_order(benefit)
    if len(facts) <= MAX_FACTS:
        return []
    return [located.problem(
        base + ("conditions",) if benefit.conditions is not None else base + ("id",),
        Text(f"待遇 {benefit.id} 依据 {len(facts)} 项事实（申请人类型、条件和金额用到的字段与参数），最多 {MAX_FACTS} 项",
             f"benefit {benefit.id} depends on {len(facts)} facts (the applicant kind, the fields and parameters its "
             f"conditions and amount use); at most {MAX_FACTS} are allowed"),
        Text("把它拆成几项待遇（如按申请人类型），或删去重复的条件",
             "split it into several benefits (e.g. one per applicant kind), or delete conditions that repeat"),
        code="too_many_facts")]


def _check_validity(benefit: Benefit, base, start: dt.date, located: Located) -> list[Problem]:
    problems = []
    if benefit.valid_from and benefit.valid_to and benefit.valid_to < benefit.valid_from:
        problems.append(located.problem(
            base + ("valid_to",),
            Text(f"待遇 {benefit.id} 的有效期截止 {benefit.valid_to} 早于生效日期 {benefit.valid_from}",
                 f"benefit {benefit.id} ends ({benefit.valid_to}) before it starts ({benefit.valid_from})"),
            Text("检查年份，或把 valid_from 和 valid_to 对调", "check the years, or swap valid_from and valid_to"),
            code="dates_inverted"))
    if benefit.valid_from and benefit.valid_from < start:
        problems.append(located.problem(
            base + ("valid_from",),
            Text(f"待遇 {benefit.id} 的生效日期 {benefit.valid_from} 早于文件生效日期 {start}",
                 f"benefit {benefit.id} starts ({benefit.valid_from}) before the document takes effect ({start})"),
            Text(f"改为不早于 {start} 的日期；与文件相同时删除 valid_from", f"use a date from {start} on, or delete valid_from"),
            code="outside_document"))
    return problems
