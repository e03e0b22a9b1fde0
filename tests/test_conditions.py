"""Condition operators and three-valued logic (true / false / unknown)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from pydantic import TypeAdapter

from chuangye_rules.engine.conditions import evaluate_condition
from chuangye_rules.rules.schema import Condition

AS_OF = dt.date(2024, 6, 1)
cond = TypeAdapter(Condition).validate_python


def truth(spec, facts):
    return evaluate_condition(cond(spec), facts, AS_OF).result


@pytest.mark.parametrize("spec, facts, expected", [
    ({"field": "employees", "gte": 50}, {"employees": 50}, True),
    ({"field": "employees", "gte": 50}, {"employees": 49}, False),
    ({"field": "employees", "gt": 50}, {"employees": 50}, False),
    ({"field": "employees", "lt": 50}, {"employees": 49}, True),
    ({"field": "employees", "lte": 50}, {"employees": 51}, False),
    ({"field": "employees", "eq": 3}, {"employees": 3}, True),
    ({"field": "employees", "ne": 3}, {"employees": 3}, False),
    ({"field": "graduate_retention_rate", "gt": 10}, {"graduate_retention_rate": D("10.5")}, True),
    ({"field": "graduate_retention_rate", "gt": 10.0}, {"graduate_retention_rate": D("10")}, False),
    ({"field": "kind", "in": ["individual", "enterprise"]}, {"kind": "enterprise"}, True),
    ({"field": "kind", "not_in": ["individual", "enterprise"]}, {"kind": "enterprise"}, False),
    ({"field": "identities", "contains": "veteran"}, {"identities": frozenset({"veteran"})}, True),
    ({"field": "identities", "contains": "veteran"}, {"identities": frozenset()}, False),
    ({"field": "identities", "contains_any": ["veteran", "disabled"]}, {"identities": frozenset({"disabled"})}, True),
    ({"field": "identities", "contains_all": ["veteran", "disabled"]}, {"identities": frozenset({"disabled"})}, False),
    ({"field": "first_time_business", "eq": True}, {"first_time_business": True}, True),
    ({"field": "first_time_business", "eq": True}, {"first_time_business": False}, False),
    # date arithmetic relative to the evaluation date (2024-06-01)
    ({"field": "graduation_date", "within_last": {"years": 5}}, {"graduation_date": dt.date(2019, 6, 1)}, True),
    ({"field": "graduation_date", "within_last": {"years": 5}}, {"graduation_date": dt.date(2019, 5, 31)}, False),
    ({"field": "graduation_date", "within_last": {"years": 5}}, {"graduation_date": dt.date(2024, 7, 1)}, False),
    ({"field": "business_registered_date", "at_least_ago": {"years": 1}}, {"business_registered_date": dt.date(2023, 6, 1)}, True),
    ({"field": "business_registered_date", "at_least_ago": {"years": 1}}, {"business_registered_date": dt.date(2023, 6, 2)}, False),
    ({"field": "graduation_date", "same_year_as_evaluation": True}, {"graduation_date": dt.date(2024, 1, 1)}, True),
    ({"field": "graduation_date", "same_year_as_evaluation": True}, {"graduation_date": dt.date(2023, 12, 31)}, False),
    ({"field": "business_registered_date", "within_after": {"field": "graduation_date", "months": 6}},
     {"business_registered_date": dt.date(2023, 12, 30), "graduation_date": dt.date(2023, 6, 30)}, True),
    ({"field": "business_registered_date", "within_after": {"field": "graduation_date", "months": 6}},
     {"business_registered_date": dt.date(2023, 12, 31), "graduation_date": dt.date(2023, 6, 30)}, False),
    ({"field": "business_registered_date", "within_after": {"field": "graduation_date", "months": 6}},
     {"business_registered_date": dt.date(2023, 6, 29), "graduation_date": dt.date(2023, 6, 30)}, False),
])
def test_operators(spec, facts, expected):
    assert truth(spec, facts) is expected


T = {"field": "employees", "gte": 1}          # true with employees=5
F = {"field": "first_time_business", "eq": True}  # false with first_time_business=False
U = {"field": "graduation_date", "within_last": {"years": 5}}  # unknown: not in facts
FACTS = {"employees": 5, "first_time_business": False}


@pytest.mark.parametrize("spec, expected", [
    ({"all": [T, T]}, True), ({"all": [T, F]}, False), ({"all": [T, U]}, None), ({"all": [F, U]}, False),
    ({"any": [F, F]}, False), ({"any": [F, T]}, True), ({"any": [F, U]}, None), ({"any": [T, U]}, True),
    ({"not": T}, False), ({"not": F}, True), ({"not": U}, None),
    ({"all": [T, {"any": [F, {"not": F}]}]}, True),
])
def test_three_valued_logic(spec, expected):
    assert truth(spec, FACTS) is expected


def test_unknown_names_the_missing_fact_only_when_it_matters():
    trace = evaluate_condition(cond({"all": [T, U]}), FACTS, AS_OF)
    assert trace.missing == ["graduation_date"]
    assert evaluate_condition(cond({"all": [F, U]}), FACTS, AS_OF).missing == []


def test_within_after_with_the_other_date_missing_is_unknown():
    spec = {"field": "business_registered_date", "within_after": {"field": "graduation_date", "months": 6}}
    trace = evaluate_condition(cond(spec), {"business_registered_date": dt.date(2024, 1, 1)}, AS_OF)
    assert trace.result is None and trace.missing == ["graduation_date"]


def test_leap_day_arithmetic():
    spec = {"field": "graduation_date", "within_last": {"years": 1}}
    # one year before 2024-02-29 is 2023-02-28 (the month's last day), and the bound is inclusive
    assert evaluate_condition(cond(spec), {"graduation_date": dt.date(2023, 2, 27)}, dt.date(2024, 2, 29)).result is False
    assert evaluate_condition(cond(spec), {"graduation_date": dt.date(2023, 2, 28)}, dt.date(2024, 2, 29)).result is True


@pytest.mark.parametrize("spec", [
    {"field": "employees"},
    {"field": "employees", "gte": 1, "lte": 5},
])
def test_a_comparison_needs_exactly_one_operator(spec):
    with pytest.raises(Exception, match="exactly one operator"):
        cond(spec)
