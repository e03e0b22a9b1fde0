"""Evaluating one applicant against rulebooks: status, amount, reasons, exclusions and totals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..base.privacy import mask_text
from ..rules.books import LoadedRulebook, choose_city
from ..rules.core import CASH_CATEGORIES
from ..rules.facts import excluding_history, fact_order, paid_once, pays_tiers_once
from ..rules.history import HISTORY, received_by_benefit, references, unknown_entries
from .amounts import checked_parameters, compute_amount
from .conditions import as_data, evaluate_condition, reason_tree
from .results import (
    AmountResult,
    BenefitResult,
    CityResult,
    Condition,
    DocumentInfo,
    Evaluation,
    Finding,
    Status,
    Totals,
)

if TYPE_CHECKING:
    from ..rules.profile import ProfileBase
    from ..rules.received import Received
    from ..rules.schema import Benefit, Rulebook
    from ..rules.values import Facts


def evaluate(
    profile: ProfileBase | Facts | Mapping[str, Any],
    rulebooks: Iterable[LoadedRulebook] | None = None,
    as_of: dt.date | None = None,
    city: str | None = None,
    parameters: Mapping[str, Decimal] | None = None,
) -> Evaluation:
    """Every benefit of the chosen rulebooks for this applicant, in no language (`render` words it).

    `profile`: a validated profile (profile.py), facts checked without Pydantic (values.py), or a mapping of facts
    (validated here). `city` (or else the profile's own `city`) limits the evaluation to one rulebook; `parameters` supplies
    values for named parameters (e.g. a minimum wage) that the rulebook leaves open.
    """
    if isinstance(profile, Mapping) or not hasattr(profile, "known"):  # facts, not a validated profile
        from ..rules.profile import parse_profile

        profile = parse_profile(dict(profile) if isinstance(profile, Mapping) else profile)
    if rulebooks is None:
        from ..rules.loading import load_rulebooks

        rulebooks = load_rulebooks()
    books = list(rulebooks)
    as_of = as_of or dt.date.today()
    overrides = checked_parameters(parameters)
    facts = profile.known()
    history = facts.pop(HISTORY, ())
    if history:  # checked against every rulebook given: a history may name another city's benefits
        _known_history(history, books)
    wanted = city or profile.get("city")
    if wanted:
        books = choose_city(books, wanted, "--city" if city else "city")
    known_parameters(overrides, books)
    cities = [evaluate_rulebook(b.rulebook, facts, as_of, overrides, history) for b in books]
    applicant_id = profile.get("applicant_id")  # echoed in every output: an ID or phone number used as the id is masked
    return Evaluation(applicant_id=mask_text(applicant_id) if applicant_id else applicant_id, as_of=as_of,
                      parameters=overrides, cities=cities)


def checked_overrides(values: Mapping[str, Any] | None, books: list[LoadedRulebook]) -> dict[str, Decimal]:
    """Parameter values given for a run (--param, --set-param): each a valid number, each the name of a parameter
    of these rulebooks — in check, sql, batch (either engine) and compare alike."""
    overrides = checked_parameters(values)
    known_parameters(overrides, books)
    return overrides


def known_parameters(overrides: Mapping[str, Decimal], books: list[LoadedRulebook]) -> None:
    """A parameter value for no parameter of these rulebooks is a typo, not something to ignore silently."""
    known = {name for b in books for name in b.rulebook.parameters}
    unknown = [name for name in overrides if name not in known]
    if unknown:
        from ..base.messages import Text
        from ..base.problems import InputError, make_problem

        hint = (Text("可用的参数：" + "、".join(sorted(known)), "parameters: " + ", ".join(sorted(known))) if known
                else Text("这些规则库没有参数", "these rulebooks have no parameters"))
        raise InputError([make_problem(f"--param {name}", None, None,
                                       Text(f"没有名为 {name} 的参数", f"there is no parameter called {name}"), hint)
                          for name in unknown])


def _known_history(history: tuple[Received, ...], books: list[LoadedRulebook]) -> None:
    """An entry of the history that names no benefit of these rulebooks is a typo, not something to ignore."""
    unknown = unknown_entries(history, [references(b.slug, b.rulebook.city.zh, b.rulebook.benefits) for b in books])
    if unknown:
        from ..base.messages import Text
        from ..base.problems import InputError, make_problem

        cities = "、".join(b.rulebook.city.zh for b in books) or "—"
        cities_en = ", ".join(b.rulebook.city.en for b in books) or "—"
        problems = [make_problem(Text("已享受待遇", HISTORY), None, None, Text(
            f"已享受待遇中的 {e.benefit!r} 不是{cities}规则库中的待遇",
            f"{e.benefit!r} in the benefits already received is not a benefit of the {cities_en} rulebooks"),
            Text("写待遇标识（如 one_time_startup_subsidy，见 chuangye check --show-all）或待遇名称",
                 "write the benefit's id (e.g. one_time_startup_subsidy; chuangye check --show-all lists them) or its name"))
            for e in unknown]
        for problem in problems:
            problem.field = HISTORY
        raise InputError(problems)


def evaluate_rulebook(book: Rulebook, facts: dict[str, Any], as_of: dt.date,
                      overrides: dict[str, Decimal], history: tuple[Received, ...] = ()) -> CityResult:
    results = [evaluate_benefit(book, b, facts, as_of, overrides) for b in book.benefits]
    received = received_by_benefit(history, references(book.city.slug, book.city.zh, book.benefits)) if history else {}
    apply_history(book, results, received)
    apply_exclusions(book, results, excluding_history(book, received))
    doc = book.document
    return CityResult(
        city=book.city.slug, city_zh=book.city.zh, city_en=book.city.en,
        document=DocumentInfo(title=doc.title, number=doc.number, in_force_from=doc.in_force_from,
                              in_force_to=doc.in_force_to, draft=doc.draft),
        benefits=results,
        totals=totals(results),
    )


def _validity(book: Rulebook, benefit: Benefit) -> tuple[dt.date, dt.date | None]:
    start = benefit.valid_from or book.document.in_force_from
    end = benefit.valid_to or book.document.in_force_to
    return start, end


def evaluate_benefit(book: Rulebook, benefit: Benefit, facts: dict[str, Any], as_of: dt.date,
                     overrides: dict[str, Decimal]) -> BenefitResult:
    kind = facts.get("kind")
    kind_ok = None if kind is None else kind in benefit.applicant_kinds
    conditions = [Condition(test="applicant_kind", field="kind", operand=list(benefit.applicant_kinds),
                            value=as_data(kind), result=kind_ok)]
    missing: list[str] = [] if kind is not None else ["kind"]
    verdict = kind_ok
    if benefit.conditions is not None:
        trace = evaluate_condition(benefit.conditions, facts, as_of)
        conditions.append(reason_tree(trace))
        verdict = _and(kind_ok, trace.result)
        if trace.result is None:
            missing += trace.missing
    amount = compute_amount(benefit.amount, facts, as_of, book.parameters, overrides)
    status = _status(book, benefit, as_of, verdict, amount)
    findings = [Finding(code="amount_zero", result=False)] if status is Status.not_eligible and verdict else []
    if status in (Status.eligible, Status.needs_info):
        missing = ordered_missing(benefit, (set(missing) if status is Status.needs_info else set()) | set(amount.missing))
    else:
        missing = []
    _, end = _validity(book, benefit)
    return BenefitResult(
        id=benefit.id, name=benefit.name, name_en=benefit.name_en, city=book.city.slug, clause=benefit.clause,
        category=benefit.category.value, status=status, amount=amount, period=benefit.period.value,
        period_note=benefit.period_note, conditions=conditions, findings=findings, missing_facts=missing,
        lead_departments=list(benefit.departments.lead),
        cooperating_departments=list(benefit.departments.cooperating),
        quote=[benefit.quote] if isinstance(benefit.quote, str) else list(benefit.quote),
        notes=benefit.notes, valid_to=end, draft=book.document.draft,
    )


def _status(book: Rulebook, benefit: Benefit, as_of: dt.date, verdict: bool | None, amount: AmountResult) -> Status:
    start, end = _validity(book, benefit)
    if as_of < start:
        return Status.not_yet_in_force
    if end is not None and as_of > end:
        return Status.expired
    if verdict is False:
        return Status.not_eligible
    if verdict is None:
        return Status.needs_info
    return Status.not_eligible if amount.is_zero else Status.eligible


def apply_history(book: Rulebook, results: list[BenefitResult], received: dict[str, list[Received]]) -> None:
    """已享受: a one-off benefit the history names is reported as already received, not as due again; a one-off
    reward in cumulative tiers pays only what the tiers reached add beyond what was paid (see paid_once for what
    the history limits)."""
    for benefit, r in zip(book.benefits, results):
        entries = received.get(benefit.id)
        if not entries or not paid_once(benefit) or r.status in (Status.expired, Status.not_yet_in_force):
            continue
        if pays_tiers_once(benefit) and r.status is Status.needs_info:
            continue  # whether a new tier is reached is not known yet
        if pays_tiers_once(benefit) and r.status is Status.eligible:
            if _tiers_left(benefit, r, [e.amount for e in entries]):
                continue
        else:
            r.findings.append(Finding(code="received_once", result=False, field=HISTORY))
        r.status = Status.already_received
        r.missing_facts = []


def _tiers_left(benefit: Benefit, r: BenefitResult, paid: list[Decimal | None]) -> bool:
    """Cumulative tiers of which some were paid: whether something is still due (or not known yet), else the
    benefit is already received. Records what the history decided in `r.findings`."""
    if None in paid:
        r.status = Status.needs_info
        r.missing_facts = ordered_missing(benefit, set(r.missing_facts) | {HISTORY})
        r.findings.append(Finding(code="received_amount_unknown", result=None, field=HISTORY))
        return True
    total = sum(paid, Decimal(0))
    if r.amount.kind != "exact":  # the measure is not known yet: at most what the tiers add beyond what was paid
        if r.amount.max is not None:
            r.amount = dataclasses.replace(r.amount, max=max(r.amount.max - total, Decimal(0)))
        r.findings.append(Finding(code="received_tiers", result=None, field=HISTORY, paid=total))
        return True
    due = r.amount.value - total
    if due > 0:
        r.amount = dataclasses.replace(r.amount, value=due)
        r.findings.append(Finding(code="received_tiers", result=True, field=HISTORY, paid=total, due=due))
        return True
    r.findings.append(Finding(code="received_all_tiers", result=False, field=HISTORY, paid=total))
    return False


def ordered_missing(benefit: Benefit, missing: set[str]) -> list[str]:
    return [name for name in fact_order(benefit) if name in missing]


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def value_of(amount: AmountResult) -> Decimal:
    """What an amount is worth when two benefits cannot be combined: its exact value, else its maximum."""
    return amount.upper if amount.upper is not None else Decimal(-1)


def apply_exclusions(book: Rulebook, results: list[BenefitResult],
                     received: set[str] | frozenset[str] = frozenset()) -> None:
    """不得重复享受: a benefit that may not be combined with one already received (`received`: ids from the
    history) is excluded; of two eligible benefits that exclude each other, the more valuable one is kept (the
    earlier one in the rulebook on a tie) and the other marked as excluded, saying why."""
    by_id = {r.id: r for r in results}
    order = {b.id: i for i, b in enumerate(book.benefits)}
    pairs = {tuple(sorted((b.id, other), key=order.get)) for b in book.benefits for other in b.exclusive_with}
    for first, second in sorted(pairs, key=lambda p: (order[p[0]], order[p[1]])):
        a, b = by_id[first], by_id[second]
        for got, other in ((a, b), (b, a)):
            if got.id in received and other.id not in received and other.status in (Status.eligible, Status.needs_info):
                other.status = Status.excluded
                other.excluded_by = got.id
                other.missing_facts = []
                other.exclusion = "by_history"
        if a.status is not Status.eligible or b.status is not Status.eligible:
            continue
        keep, drop = (a, b) if value_of(a.amount) >= value_of(b.amount) else (b, a)
        drop.status = Status.excluded
        drop.excluded_by = keep.id
        drop.exclusion = "by_value"


def totals(results: list[BenefitResult]) -> Totals:
    exact = up_to = Decimal(0)
    unquantified = 0
    for r in results:
        if r.status is not Status.eligible or r.category not in {c.value for c in CASH_CATEGORIES}:
            continue
        if r.amount.kind == "exact":
            exact += r.amount.value
            up_to += r.amount.value
        elif r.amount.upper is not None:
            up_to += r.amount.upper
        if r.amount.kind in ("not_stated", "formula") or r.amount.upper is None:
            unquantified += 1
    return Totals(exact=exact, up_to=up_to, unquantified=unquantified)

