"""Every amount kind, computed exactly (Decimal yuan), with and without the facts it needs."""

import datetime as dt
from decimal import Decimal as D

import pytest
from pydantic import TypeAdapter

from chuangye_rules.engine.amounts import compute_amount
from chuangye_rules.rules.schema import Amount, Parameter

AS_OF = dt.date(2024, 6, 1)
rule = TypeAdapter(Amount).validate_python


def amount(spec, facts=None, parameters=None, overrides=None):
    return compute_amount(rule(spec), facts or {}, AS_OF, parameters or {}, overrides or {})


@pytest.mark.parametrize("spec, facts, expected", [
    ({"kind": "fixed", "value": 5000}, {}, {"kind": "exact", "value": D(5000)}),
    ({"kind": "up_to", "max": 10000}, {}, {"kind": "up_to", "max": D(10000)}),
    ({"kind": "range", "min": 100000, "max": 500000}, {}, {"kind": "range", "min": D(100000), "max": D(500000)}),
    # per unit × a count from the profile, capped
    ({"kind": "per_unit", "rate": 1000, "unit_field": "new_hires_6m"}, {"new_hires_6m": 7}, {"kind": "exact", "value": D(7000)}),
    ({"kind": "per_unit", "rate": 1000, "unit_field": "new_hires_6m", "cap": 5000}, {"new_hires_6m": 7},
     {"kind": "exact", "value": D(5000)}),
    ({"kind": "per_unit", "rate_min": 600, "rate_max": 2000, "unit_field": "graduates_retained"},
     {"graduates_retained": 10}, {"kind": "range", "min": D(6000), "max": D(20000)}),
    ({"kind": "per_unit", "rate": 1000, "unit_field": "new_hires_6m", "cap": 5000}, {},
     {"kind": "formula", "max": D(5000), "missing": ["new_hires_6m"]}),
    # percentage of an amount with a cap (10% of a technology purchase, at most 100万)
    ({"kind": "percentage", "percent": 10, "of_field": "technology_purchase_amount", "cap": 1000000},
     {"technology_purchase_amount": D(3000000)}, {"kind": "exact", "value": D(300000)}),
    ({"kind": "percentage", "percent": 10, "of_field": "technology_purchase_amount", "cap": 1000000},
     {"technology_purchase_amount": D(12000000)}, {"kind": "exact", "value": D(1000000)}),
    ({"kind": "percentage", "percent": 10, "of_field": "technology_purchase_amount", "cap": 1000000},
     {"technology_purchase_amount": D("12345.67")}, {"kind": "exact", "value": D("1234.57")}),
    ({"kind": "percentage", "percent": 30, "of_field": "rd_investment", "cap": 5000000, "up_to": True},
     {"rd_investment": D(4000000)}, {"kind": "up_to", "max": D(1200000)}),
])
def test_amount_kinds(spec, facts, expected):
    got = amount(spec, facts)
    for key, value in expected.items():
        assert getattr(got, key) == value, (key, got)


TIERS = {"kind": "tiers", "field": "annual_tax_paid", "tiers": [
    {"at_least": 1000000, "value": 20000}, {"at_least": 3000000, "value": 30000},
    {"at_least": 5000000, "value": 50000}, {"at_least": 10000000, "value": 100000}]}


@pytest.mark.parametrize("tax, highest, cumulative", [
    (D(999999), D(0), D(0)),
    (D(1000000), D(20000), D(20000)),
    (D(6000000), D(50000), D(100000)),
    (D(10000000), D(100000), D(200000)),
])
def test_tiers(tax, highest, cumulative):
    assert amount(TIERS, {"annual_tax_paid": tax}).value == highest
    assert amount({**TIERS, "cumulative": True}, {"annual_tax_paid": tax}).value == cumulative


def test_tiers_without_the_measure_names_it():
    got = amount(TIERS)
    assert got.kind == "formula" and got.missing == ["annual_tax_paid"] and got.max == D(100000)


GRADES = {"kind": "grades", "field": "project_grade",
          "grades": [{"grade": "1", "value": 10000}, {"grade": "2", "value": 20000},
                     {"grade": "3", "value": 50000}, {"grade": "4", "value": 80000}]}


def test_grades(monkeypatch):
    assert amount(GRADES, {"project_grade": "3"}).value == D(50000)
    unknown = amount(GRADES)
    assert (unknown.kind, unknown.min, unknown.max, unknown.missing) == ("range", D(10000), D(80000), ["project_grade"])
    assert [o.value for o in unknown.options] == [D(10000), D(20000), D(50000), D(80000)]


def test_parts_add_up_exactly():
    got = amount({"kind": "parts", "parts": [
        {"label": "生活补贴（3年内）", "amount": {"kind": "fixed", "value": 1000000}},
        {"label": "启动资金", "amount": {"kind": "fixed", "value": 2000000}}]})
    assert (got.kind, got.value, len(got.parts)) == ("exact", D(3000000), 2)


def test_parts_with_an_up_to_part_are_a_range():
    got = amount({"kind": "parts", "parts": [
        {"label": "a", "amount": {"kind": "fixed", "value": 5000}},
        {"label": "b", "amount": {"kind": "up_to", "max": 5000}}]})
    assert (got.kind, got.min, got.max) == ("range", D(5000), D(10000))


WAGE = Parameter(description="月最低工资", unit="元/月", source="test", values=[
    {"from": dt.date(2021, 12, 1), "value": D(1000)}, {"from": dt.date(2025, 1, 1), "value": D(2000)}])
FORMULA = {"kind": "formula", "description": "最低工资×60%×见习月数（最长12个月）",
           "factors": [{"parameter": "wage"}, {"number": "0.6"}, {"field": "traineeship_months", "max": 12}]}


def test_formula_uses_the_parameter_in_force_and_caps_the_factor():
    got = amount(FORMULA, {"traineeship_months": 18}, {"wage": WAGE})
    assert (got.kind, got.value) == ("exact", D("7200.00"))


def test_formula_reports_a_missing_parameter_and_accepts_an_override():
    empty = Parameter(description="月最低工资", source="test", values=[])
    got = amount(FORMULA, {"traineeship_months": 8}, {"wage": empty})
    assert got.kind == "formula" and got.missing == ["wage"]
    assert amount(FORMULA, {"traineeship_months": 8}, {"wage": empty}, {"wage": D(1980)}).value == D("9504.00")


def test_cumulative_cap_counts_what_was_received():
    spec = {"kind": "range", "min": 100000, "max": 500000, "cumulative_cap": 2000000,
            "received_field": "carrier_awards_received"}
    assert (amount(spec, {"carrier_awards_received": D(1800000)}).kind,
            amount(spec, {"carrier_awards_received": D(1800000)}).max) == ("range", D(200000))
    assert amount(spec, {"carrier_awards_received": D(1950000)}).kind == "up_to"
    assert amount(spec, {"carrier_awards_received": D(2000000)}).value == D(0)
    assert amount(spec).max == D(500000)


def test_not_stated_and_in_kind():
    got = amount({"kind": "not_stated", "set_by": "皖政办〔2018〕44号"})
    assert got.kind == "not_stated" and got.set_by == "皖政办〔2018〕44号"
    assert amount({"kind": "in_kind", "description": "保留人事关系3年"}).kind == "in_kind"


@pytest.mark.parametrize("spec, message", [
    ({"kind": "range", "min": 500000, "max": 100000}, "above max"),
    ({"kind": "per_unit", "unit_field": "x"}, "either rate"),
    ({"kind": "tiers", "field": "x", "tiers": [{"at_least": 5, "value": 1}, {"at_least": 1, "value": 2}]}, "ascending"),
    ({"kind": "fixed", "value": -1}, "greater than or equal"),
])
def test_bad_amount_rules_are_rejected(spec, message):
    with pytest.raises(Exception, match=message):
        rule(spec)
