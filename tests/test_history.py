"""An applicant's history (已享受待遇): how a profile and a list cell write it, what a bad entry gets, and the
same answers from `check` and `batch` (the random profiles of test_batch_equivalence.py carry histories too)."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chuangye_rules import evaluate, parse_profile
from chuangye_rules.base.problems import InputError
from chuangye_rules.batch.runner import run_batch
from chuangye_rules.cli import app
from chuangye_rules.rules.received import Received, parse_received

AS_OF = dt.date(2024, 6, 1)


@pytest.mark.parametrize("written, entries", [
    ("one_time_startup_subsidy", [Received(benefit="one_time_startup_subsidy")]),
    ("一次性创业补贴、startup_talent_referral_reward=20000",
     [Received(benefit="一次性创业补贴"), Received(benefit="startup_talent_referral_reward", amount=Decimal(20000))]),
    ("startup_talent_referral_reward：20000元", [Received(benefit="startup_talent_referral_reward", amount=Decimal(20000))]),
    ("无", []),
    ([{"benefit": "x", "date": "2023-05-01", "amount": "12.50"}],
     [Received(benefit="x", date=dt.date(2023, 5, 1), amount=Decimal("12.50"))]),
    ([{"待遇": "x", "金额": 300}], [Received(benefit="x", amount=Decimal(300))]),
])
def test_ways_of_writing_a_history(written, entries):
    assert list(parse_received(written)) == entries


@pytest.mark.parametrize("written, words", [
    ([{"benefit": "x", "amount": -5}], "不小于0"),
    ([{"benefit": "x", "amount": "1.234"}], "两位小数"),
    ([{"benefit": "x", "amount": True}], "true/false"),
    ([{"benefit": "x", "paid": 5}], "不认识 paid"),
    ([{"amount": 5}], "缺少 benefit"),
    ([5], "而不是 int"),
    (5, "已享受待遇应为"),
])
def test_a_bad_entry_is_named_in_chinese(written, words):
    with pytest.raises(InputError) as error:
        parse_profile({"kind": "individual", "received": written})
    text = str(error.value.problems[0])
    assert "已享受待遇" in text and words in text


def test_an_entry_naming_no_benefit_is_refused_by_name(books):
    with pytest.raises(InputError) as error:
        evaluate({"kind": "individual", "city": "ordos", "received": ["一次性创业补帖"]}, books, as_of=AS_OF)
    assert "一次性创业补帖" in str(error.value.problems[0]) and "不是" in str(error.value.problems[0])


def test_check_shows_already_received(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("kind: individual\ncity: ordos\nidentities: [disabled]\nfirst_time_business: true\n"
                       "business_registered_date: 2022-09-01\noperating_normally: true\nemployees: 2\n"
                       "files_tax_normally: true\n已享受待遇: [一次性创业补贴]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(profile), "--as-of", "2024-06-01"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "一次性创业补贴" in line)
    assert "已享受" in line and "5000元" in line


HEAD = ("编号,城市,申请人类型,身份,首次创业,注册登记日期,正常经营,吸纳就业人数,正常申报纳税,"
        "引荐创业类人才（团队）来本市创业,被引荐人才所办企业注册落户后5年内的纳税额,已享受待遇")
LIST = HEAD + """
O1,鄂尔多斯,个人,残疾人,是,2022-09-01,是,2,是,,,
O2,鄂尔多斯,个人,残疾人,是,2022-09-01,是,2,是,,,一次性创业补贴
O3,鄂尔多斯,个人,残疾人,是,2022-09-01,是,2,是,,,创业孵化补贴
H1,淮北,个人,,,,,,,是,3500000,startup_talent_referral_reward=20000
H2,淮北,个人,,,,,,,是,3500000,startup_talent_referral_reward=20000、startup_talent_referral_reward=30000
H3,淮北,个人,,,,,,,是,3500000,引荐创业类人才（团队）奖励
H4,淮北,个人,,,,,,,是,,huaibei.startup_talent_referral_reward=20000
X1,淮北,个人,,,,,,,是,,不存在的待遇
"""


def test_a_list_with_a_history_column(tmp_path, books):
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF)
    assert (summary.evaluated, summary.rejected) == (7, 1)
    errors = pl.read_csv(tmp_path / "out" / "errors.csv", infer_schema=False)
    assert errors.rows() == [("9", "已享受待遇", "不存在的待遇", errors["reason"][0])]
    assert "ids or names of benefits received" in errors["reason"][0]  # lang="en"; in Chinese: 待遇标识或名称
    results = pl.read_csv(tmp_path / "out" / "results.csv", infer_schema=False)
    got = {(r["applicant_id"], r["benefit_id"]): r for r in results.to_dicts()}
    assert got[("O1", "one_time_startup_subsidy")]["amount_value"] == "5000.00"
    assert ("O2", "one_time_startup_subsidy") not in got and ("O3", "one_time_startup_subsidy") not in got
    assert got[("H1", "startup_talent_referral_reward")]["amount_value"] == "30000.00"
    assert ("H2", "startup_talent_referral_reward") not in got
    assert got[("H3", "startup_talent_referral_reward")]["missing_facts"] == "received"
    assert got[("H4", "startup_talent_referral_reward")]["amount_max"] == "180000.00"
    # every row as `check` sees it
    frame = pl.read_csv(path, infer_schema=False)
    for row in frame.to_dicts()[:-1]:
        facts = {k: v for k, v in row.items() if v not in (None, "")}
        evaluation = evaluate(facts, books, as_of=AS_OF)
        expected = {(row["编号"], b.id): b for c in evaluation.cities for b in c.benefits
                    if b.status.value in ("eligible", "needs_info")}
        mine = {key: r for key, r in got.items() if key[0] == row["编号"]}
        assert set(mine) == set(expected), row["编号"]
        for key, r in mine.items():
            want = expected[key].amount
            assert (r["status"], r["amount_value"], r["amount_max"]) == (
                expected[key].status.value, None if want.value is None else f"{want.value:.2f}",
                None if want.max is None else f"{want.max:.2f}"), key


def test_only_a_one_off_benefit_received_excludes_its_partner():
    """不得重复享受 against the history: a one-off benefit received excludes its partner; one given every year,
    received in an earlier year, does not decide this year's choice."""
    from chuangye_rules import load_rulebooks
    from chuangye_rules.rules.loading import LoadedRulebook
    from chuangye_rules.rules.schema import Period

    mini = load_rulebooks([Path(__file__).parent / "fixtures" / "rulebooks"])[0]
    founder = {"kind": "individual", "first_time_business": True, "business_registered_date": "2022-01-01",
               "received": ["incubation_subsidy"]}
    for period, status in ((Period.once, "excluded"), (Period.yearly, "eligible")):
        book = mini.rulebook.model_copy(deep=True)
        next(b for b in book.benefits if b.id == "incubation_subsidy").period = period
        loaded = LoadedRulebook(book, mini.path, mini.located, mini.source_text)
        got = evaluate(founder, [loaded], as_of=AS_OF).benefit("startup_subsidy")
        assert got.status.value == status, period
