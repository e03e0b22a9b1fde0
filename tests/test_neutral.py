"""The evaluator speaks no language (issue 16): evaluate() returns data — statuses, a tree of the conditions tested
with the rule's operands and the applicant's values, amounts with the rule they come from, exclusions and history as
codes — and the render layer words it, once, in Chinese or English."""

import datetime as dt
import inspect
import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chuangye_rules import Evaluation, evaluate, evaluation_dict, evaluation_json, load_profile, load_rulebooks
from chuangye_rules.cli import app
from chuangye_rules.engine.results import Condition
from chuangye_rules.rules.catalog import catalog
from chuangye_rules.rules.schema import NotStatedAmount, PartsAmount

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "profiles").glob("*.yaml"))
# a date on which each example's plan is in force (README), and one after every plan ended
AS_OF = {"luan": "2019-06-01", "weihai": "2025-03-01"}
LATE = "2026-06-01"
# what Chinese looks like: Han characters, CJK punctuation (、。〔〕“”), fullwidth forms (（）：，)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d]")


def as_of(path: Path) -> str:
    return AS_OF.get(path.stem.split("-")[0], "2024-06-01")


def test_evaluate_has_no_language():
    assert "lang" not in inspect.signature(evaluate).parameters
    from chuangye_rules import check_file

    assert "lang" not in inspect.signature(check_file).parameters


def _names_and_titles(books) -> set[str]:
    """The Chinese an English output may carry, all of it data of the rulebooks and the field catalog, never the
    program's words: department names, document titles and numbers, clause citations, the body that sets an amount
    the document does not state (set_by), and the English names and field labels, which gloss a Chinese term in
    brackets ("founded by a returnee (返乡创业企业)")."""
    allowed = {spec.en for spec in catalog().fields.values()}

    def amounts(rule):
        yield rule
        if isinstance(rule, PartsAmount):
            for part in rule.parts:
                yield from amounts(part.amount)

    for book in books:
        doc = book.rulebook.document
        allowed |= {doc.title, doc.number or ""}
        for b in book.rulebook.benefits:
            allowed |= {b.name_en, b.clause, *b.departments.lead, *b.departments.cooperating}
            # who sets a figure, in Chinese, and its English, which keeps the document's number (皖政办〔2018〕44号)
            allowed |= {t for r in amounts(b.amount) if isinstance(r, NotStatedAmount) for t in (r.set_by, r.set_by_en)}
    return {a for a in allowed if a}


def _strip(text: str, allowed: set[str]) -> str:
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, "")
    return text


def _check(path: Path, date: str, lang: str) -> str:
    result = CliRunner().invoke(app, ["check", str(path), "--as-of", date, "--show-all", "--lang", lang],
                                env={"COLUMNS": "2000"})  # wide: no name is broken across lines
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_english_check_output_has_no_chinese_but_names_and_titles(path, books):
    allowed = _names_and_titles(books)
    for date in (as_of(path), LATE):
        english = _check(path, date, "en")
        left = [line.strip() for line in _strip(english, allowed).splitlines() if CJK.search(line)]
        assert not left, f"{path.stem} on {date}: Chinese in the program's English words:\n" + "\n".join(left[:10])
    # the same rule finds the program's words in the Chinese output: it can fail
    assert CJK.search(_strip(_check(path, as_of(path), "zh"), allowed))


def test_the_amount_is_worded_once_in_the_language_asked_for(books):
    path = next(p for p in EXAMPLES if p.stem == "huaibei-enterprise-tech-purchase")
    result = evaluate(load_profile(path), books, as_of=dt.date(2024, 6, 1))
    english = evaluation_dict(result, "en")
    benefit = next(b for c in english["cities"] for b in c["benefits"] if b["id"] == "technology_purchase_subsidy")
    assert benefit["amount"]["text"] == "¥300,000"
    assert benefit["amount"]["description"] == "10% of amount actually paid for advanced technology, at most ¥1,000,000"
    chinese = evaluation_dict(result, "zh")
    benefit = next(b for c in chinese["cities"] for b in c["benefits"] if b["id"] == "technology_purchase_subsidy")
    assert benefit["amount"]["text"] == "30万元" and benefit["amount"]["description"].endswith("的10%，最高100万元")
    explained = CliRunner().invoke(app, ["explain", str(path), "technology_purchase_subsidy", "--as-of", "2024-06-01",
                                         "--lang", "en"], env={"COLUMNS": "200"})
    assert explained.exit_code == 0 and "¥300,000 (10% of" in explained.output and "（" not in explained.output


def test_the_result_is_data_a_tree_of_conditions_with_values(books):
    path = next(p for p in EXAMPLES if p.stem == "huaibei-returnee-graduate")
    result = evaluate(load_profile(path), books, as_of=dt.date(2024, 6, 1))
    data = result.to_dict()
    assert "reasons" not in json.dumps(data) and "exclusion_note" not in json.dumps(data)
    benefit = result.benefit("returnee_startup_subsidy")
    kind, tree = benefit.conditions
    assert (kind.test, kind.field, kind.value, kind.result) == ("applicant_kind", "kind", "individual_business", True)
    assert kind.operand == ["individual", "individual_business", "enterprise"]
    assert (tree.test, tree.result) == ("all", True)
    identities = tree.children[0]
    assert (identities.test, identities.field, identities.operand, identities.value, identities.result) == (
        "contains_any", "identities", ["college_graduate", "veteran", "migrant_worker"],
        ["college_graduate", "returnee", "youth"], True)
    assert benefit.amount.rule is not None and benefit.amount.max == D(10000)
    # a date is an ISO string and a duration a mapping, in the tree as in the JSON
    mini = load_rulebooks([Path(__file__).parent / "fixtures" / "rulebooks"])
    founder = {"kind": "individual", "first_time_business": True, "business_registered_date": dt.date(2023, 1, 1)}
    tree = evaluate(founder, mini, as_of=dt.date(2024, 6, 1)).benefit("startup_subsidy").conditions[1]
    dated = next(c for c in _nodes(tree) if c.field == "business_registered_date")
    assert (dated.test, dated.operand, dated.value, dated.result) == (
        "at_least_ago", {"years": 1, "months": 0, "days": 0}, "2023-01-01", True)


def _nodes(c: Condition):
    yield c
    for child in c.children:
        yield from _nodes(child)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_json_document_round_trips(lang, books):
    for path in EXAMPLES:
        for date in (as_of(path), LATE):
            result = evaluate(load_profile(path), books, as_of=dt.date.fromisoformat(date))
            document = evaluation_json(result, lang)
            data = json.loads(document)
            assert data["schema"] == "chuangye.evaluation/2" and data["lang"] == lang
            again = Evaluation.from_json(document)
            assert again == result, path.stem
            assert evaluation_json(again, lang) == document, path.stem


def test_an_exclusion_and_the_history_are_codes_worded_by_the_renderer(books):
    profile = {"kind": "individual", "city": "ordos", "identities": ["disabled"], "first_time_business": True,
               "business_registered_date": "2022-09-01", "operating_normally": True, "employees": 2,
               "files_tax_normally": True, "received": ["incubation_subsidy"]}
    result = evaluate(profile, books, as_of=dt.date(2024, 6, 1))
    excluded = result.benefit("one_time_startup_subsidy")
    assert (excluded.status.value, excluded.excluded_by, excluded.exclusion) == (
        "excluded", "incubation_subsidy", "by_history")
    zh, en = (next(b for c in evaluation_dict(result, lang)["cities"] for b in c["benefits"]
                   if b["id"] == "one_time_startup_subsidy") for lang in ("zh", "en"))
    assert "创业孵化补贴" in zh["exclusion_note"] and not CJK.search(en["exclusion_note"])
    referral = {"kind": "individual", "city": "huaibei", "referred_startup_talent": True,
                "referred_business_tax_paid": 3500000,
                "received": [{"benefit": "startup_talent_referral_reward", "date": "2022-05-01", "amount": 20000}]}
    got = evaluate(referral, books, as_of=dt.date(2024, 6, 1)).benefit("startup_talent_referral_reward")
    finding = got.findings[-1]
    assert (finding.code, finding.paid, finding.due, got.amount.value) == ("received_tiers", D(20000), D(30000), D(30000))
