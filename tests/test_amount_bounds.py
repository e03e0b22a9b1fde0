"""What `chuangye validate` accepts is computed exactly at the largest values a list may hold: every count at
999,999,999, every sum at 9,999,999,999,999.99 and every decimal number at ±999,999,999,999.999999, for the
bundled rulebooks and for generated ones made always eligible (so every amount is computed). The batch (64-bit
fen, 128-bit products) and SQL (DECIMAL(38,0)) give the reference evaluator's exact amounts and totals: no wrapped
integer, no internal error. That validation refuses what would not be exact is shown by the broken rulebooks
(tests/broken_rulebooks/: formula_without_max_too_large, per_unit_rate_too_large, formula_product_beyond_38_digits)."""

import datetime as dt
import random
from decimal import Decimal

import pytest
import yaml
from test_batch_equivalence import assert_engines_agree

from chuangye_rules import load_rulebooks, parse_profile
from chuangye_rules.authoring.lint import lint
from chuangye_rules.batch.synthetic import random_rulebook
from chuangye_rules.rules.amountbounds import MAX_AMOUNT, WIDE_MAX, amount_bound
from chuangye_rules.rules.catalog import catalog
from chuangye_rules.rules.loading import inspect_rulebook
from chuangye_rules.rules.values import MAX_COUNT, MAX_MONEY

# the largest cells batch/columns.convert reads (13 whole digits of yuan; 12 of a decimal number, 6 decimals)
LARGEST = {"int": MAX_COUNT, "money": Decimal("9999999999999.99"), "number": Decimal("999999999999.999999")}

AS_OF = dt.date(2024, 12, 31)
KINDS = ["individual", "enterprise", "individual_business", "incubator"]


def extreme_profiles(sign: int = 1) -> list:
    """One profile per applicant kind with every numeric field at its largest (a decimal number at its most
    negative, with sign -1), and every yes/no true."""
    profiles = []
    for kind in KINDS:
        facts = {"kind": kind}
        for name, spec in catalog().fields.items():
            if spec.type in LARGEST:
                facts[name] = LARGEST[spec.type] * (sign if spec.type == "number" else 1)
            elif spec.type == "bool":
                facts[name] = True
        profiles.append(parse_profile(facts))
    return profiles


def always_eligible(tmp_path, seed: int, amount: dict | None = None):
    """A generated rulebook with no conditions, exclusions or validity dates (its first amount replaced by
    `amount`, if given), checked as `validate` checks it."""
    data, source = random_rulebook(random.Random(f"bounds {seed}"), f"big{seed}", AS_OF)
    if amount is not None:
        data["benefits"][0]["amount"] = amount
    for benefit in data["benefits"]:
        for key in ("conditions", "exclusive_with", "valid_from", "valid_to"):
            benefit.pop(key, None)
    data.pop("exclusions", None)
    path = tmp_path / f"big{seed}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / "source.txt").write_text(source, encoding="utf-8")
    book, problems = inspect_rulebook(path)
    errors = [p for p in problems + lint(book) if p.severity == "error" and p.code != "never_true"]
    assert not errors, "\n".join(p.format() for p in errors)
    return load_rulebooks([path])[0]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bounds")
    return [always_eligible(folder, seed) for seed in range(8)]


def test_the_generated_rulebooks_reach_the_bounds(generated):
    """The generator makes formulas validation accepts by capping them; some come near the limits."""
    bounds = [amount_bound(b.amount) for book in generated for b in book.rulebook.benefits]
    assert all(b.largest <= MAX_AMOUNT and b.wide <= WIDE_MAX for b in bounds)
    assert max(b.wide for b in bounds) > 10 ** 30
    assert max(b.largest for b in bounds) > 10 ** 12


@pytest.mark.parametrize("sign", [1, -1])
def test_the_batch_is_exact_at_the_largest_values(generated, sign):
    books = generated + load_rulebooks()
    compared = assert_engines_agree(books, extreme_profiles(sign), AS_OF, {"wage_open": MAX_MONEY})
    assert compared > 200


def test_sql_is_exact_at_the_largest_values(generated, monkeypatch):
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    from test_sql import assert_sql_agrees

    from chuangye_rules.batch import columnar

    monkeypatch.setattr(columnar, "SET_BITS", 0)  # the SQL table holds sets as text (test_sql.sets_as_text)

    profiles = extreme_profiles(1) + extreme_profiles(-1)  # (the generated rulebooks: the bundled ones add 2.6 s)
    assert assert_sql_agrees([b.rulebook for b in generated], profiles, AS_OF, {"wage_open": MAX_MONEY},
                             results_rows=False) > 200


def test_a_product_of_many_digits_is_rounded_once_to_the_fen(tmp_path):
    """0.004999…9 (31 digits) × 1 employee is 0.00 yuan: the reference evaluator computes it exactly, as the batch's
    integers do (Decimal's default 28 digits made it 0.005, then 0.01)."""
    book = always_eligible(tmp_path, 0, {"kind": "formula", "description": "公式", "factors": [
        {"number": "0.00499999999999999999999999999999"}, {"field": "employees", "max": 10}]})
    profile = parse_profile({"kind": "individual", "employees": 1})
    assert assert_engines_agree([book], [profile], AS_OF) > 0
    from chuangye_rules import evaluate

    first = evaluate(profile, [book], as_of=AS_OF).cities[0].benefits[0]
    assert first.amount.value == Decimal("0.00")


def test_a_parameter_value_with_more_than_six_decimals_is_refused():
    from chuangye_rules.base.problems import InputError
    from chuangye_rules.engine.amounts import checked_parameters

    assert checked_parameters({"x": "1980.123456"}) == {"x": Decimal("1980.123456")}
    with pytest.raises(InputError) as caught:
        checked_parameters({"x": "1980.1234567"})
    assert "小数超过 6 位" in caught.value.problems[0].message
