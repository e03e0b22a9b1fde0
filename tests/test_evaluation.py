"""The evaluator on a tiny rulebook: statuses, exclusions, validity, totals and the draft flag."""

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from chuangye_rules import InputError, Status, evaluate, load_rulebooks
from chuangye_rules.render.words import exclusion_note, flat_reasons

MINI = Path(__file__).parent / "fixtures" / "rulebooks"
AS_OF = dt.date(2024, 6, 1)
FOUNDER = {"kind": "individual", "first_time_business": True, "business_registered_date": dt.date(2023, 1, 1)}


@pytest.fixture(scope="module")
def mini():
    return load_rulebooks([MINI])


def result(mini, profile, as_of=AS_OF):
    return evaluate(profile, mini, as_of=as_of)


def test_eligible_with_exact_amount_lead_department_and_quote(mini):
    r = result(mini, FOUNDER).benefit("startup_subsidy")
    assert r.status is Status.eligible and r.amount.value == D(5000)
    assert r.lead_departments == ["市人社局"] and r.quote == ["一次性创业补贴5000元"]
    assert all(reason["result"] for reason in flat_reasons(r))


def test_a_missing_fact_is_needs_information_naming_it(mini):
    profile = {k: v for k, v in FOUNDER.items() if k != "business_registered_date"}
    r = result(mini, profile).benefit("startup_subsidy")
    assert r.status is Status.needs_info and r.missing_facts == ["business_registered_date"]


def test_a_missing_applicant_kind_is_needs_information(mini):
    r = result(mini, {"first_time_business": True, "business_registered_date": dt.date(2023, 1, 1)})
    assert r.benefit("startup_subsidy").status is Status.needs_info
    assert "kind" in r.benefit("startup_subsidy").missing_facts


def test_wrong_applicant_kind_is_not_eligible(mini):
    r = result(mini, {**FOUNDER, "kind": "enterprise"}).benefit("startup_subsidy")
    assert r.status is Status.not_eligible


def test_near_miss_on_the_date_is_not_eligible(mini):
    r = result(mini, {**FOUNDER, "business_registered_date": dt.date(2023, 6, 2)}).benefit("startup_subsidy")
    assert r.status is Status.not_eligible


def test_exclusion_keeps_the_more_valuable_and_says_why(mini):
    ev = result(mini, {**FOUNDER, "incubated_graduated": 2})  # 10000 beats 5000
    assert ev.benefit("incubation_subsidy").status is Status.eligible
    dropped = ev.benefit("startup_subsidy")
    assert dropped.status is Status.excluded and dropped.excluded_by == "incubation_subsidy"
    assert "孵化补贴" in exclusion_note(dropped, ev.cities[0])
    assert ev.cities[0].totals.exact == D(10000)


def test_exclusion_tie_keeps_the_first_listed(mini):
    ev = result(mini, {**FOUNDER, "incubated_graduated": 1})  # 5000 each
    assert ev.benefit("startup_subsidy").status is Status.eligible
    assert ev.benefit("incubation_subsidy").status is Status.excluded


def test_benefit_validity_and_document_validity(mini):
    assert result(mini, FOUNDER, dt.date(2024, 7, 1)).benefit("free_space").status is Status.expired
    assert result(mini, FOUNDER, dt.date(2024, 6, 30)).benefit("free_space").status is Status.eligible
    late = result(mini, FOUNDER, dt.date(2026, 1, 1))
    assert {b.status for b in late.cities[0].benefits} == {Status.expired}
    early = result(mini, FOUNDER, dt.date(2022, 12, 31))
    assert {b.status for b in early.cities[0].benefits} == {Status.not_yet_in_force}


def test_totals_count_cash_only(mini):
    ev = result(mini, FOUNDER)
    assert ev.cities[0].totals.exact == D(5000) and ev.cities[0].totals.up_to == D(5000)


def test_draft_documents_mark_every_result(mini):
    assert all(b.draft for b in result(mini, FOUNDER).cities[0].benefits)


def test_results_are_deterministic_and_json_round_trips(mini):
    a, b = result(mini, FOUNDER), result(mini, FOUNDER)
    assert a.to_json() == b.to_json()
    assert a.to_dict()["cities"][0]["benefits"][0]["amount"]["value"] == "5000"


def test_profile_city_selects_the_rulebook(mini):
    assert evaluate({**FOUNDER, "city": "mini"}, mini, as_of=AS_OF).cities
    with pytest.raises(InputError, match="elsewhere"):  # a city with no rulebook is said, not an empty result
        evaluate({**FOUNDER, "city": "elsewhere"}, mini, as_of=AS_OF)
