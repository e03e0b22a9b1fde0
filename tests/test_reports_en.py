"""The budget report (`batch --report`: the screen, report.md, report.html), the reform costing (`compare`) and
`diff` speak English with `--lang en` (issue 16): their words are English, and the only Chinese left is data the
rulebooks hold in Chinese alone — listed here, source by source, and nothing else may be Chinese. In Chinese
(the default) they are as they were: the tests of test_budget.py and test_compare.py read them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chuangye_rules.batch.budget import Budget
from chuangye_rules.batch.runner import run_batch
from chuangye_rules.cli import app
from chuangye_rules.render.departments import DEPARTMENTS_EN
from chuangye_rules.rules.schema import Departments, Period

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
AS_OF = dt.date(2024, 6, 1)

# a run of Chinese characters or of Chinese punctuation (、。「」，：（）…)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def allowed_chinese(books, extra: tuple[str, ...] = ()) -> list[str]:
    """The texts English output may show in Chinese: the rulebooks' data that has no English of its own.

    - a benefit's English name as the rulebook writes it (it may gloss the document's own term: 揭榜挂帅);
    - a department the English table (render/departments.py) does not name, shown as the document writes it;
    - a target without `description_en`, and a parameter without one: their Chinese description;
    - who sets a figure the document does not state, where no `set_by_en` is written (a document number);
    - `extra`: what the test itself brings (the list's own column names)."""
    texts = list(extra)
    for book in books:
        rb = book.rulebook
        for b in rb.benefits:
            texts.append(b.name_en)
            texts += [d for d in b.departments.lead + b.departments.cooperating if d not in DEPARTMENTS_EN]
            set_by = getattr(b.amount, "set_by", None)
            if set_by and not getattr(b.amount, "set_by_en", None):
                texts.append(set_by)
        texts += [t.description for t in rb.targets if not t.description_en]
        texts += [p.description for p in rb.parameters.values() if not p.description_en]
    return [t for t in texts if CJK.search(t)]


def foreign_chinese(text: str, allowed: list[str]) -> list[str]:
    """The runs of Chinese in `text` that none of the allowed texts holds."""
    return sorted({run for run in CJK.findall(text) if not any(run in source for source in allowed)})


@pytest.fixture(scope="module")
def budget_run(tmp_path_factory, books):
    """The example list with --report, once in each language, through the command (the screen) and its files."""
    folder = tmp_path_factory.mktemp("budget")
    runs = {}
    for lang in ("zh", "en"):
        result = CliRunner().invoke(app, ["batch", str(EXAMPLE), "-o", str(folder / lang), "--as-of", AS_OF.isoformat(),
                                          "--report", "--lang", lang], env={"COLUMNS": "160"})
        assert result.exit_code == 0, result.output
        runs[lang] = {"screen": result.output, "report.md": (folder / lang / "report.md").read_text("utf-8"),
                      "report.html": (folder / lang / "report.html").read_text("utf-8")}
    return runs


BUDGET_WORDS = [  # (output, words it must show in English, words of the Chinese it must not show)
    ("screen", ["Budget summary", "the largest benefits", "by lead department (each benefit counted once",
                "more rows: see the report files", "eligible for at least one", "¥304,500"], ["预算概要", "另有", "万元"]),
    ("report.md", ["# Budget report (evaluation date 2024-06-01)", "## Summary", "## By benefit", "## By lead department",
                   "## Each department's benefits", "## Against the plan's targets", "| city total |", "| co-lead |",
                   "| cooperating |", "lead together", "sole lead", "Municipal Human Resources and Social Security Bureau",
                   "2,500 people", "over the whole period", "no benefit named",
                   "college graduates given practical startup training, 2022-2025", "Huaibei"],
     ["全市合计", "共同牵头", "未关联待遇", "万元", "元"]),
    ("report.html", ['<html lang="en">', "<h1>Budget report (evaluation date 2024-06-01)</h1>", "<svg",
                     "Huaibei: the budget by lead department", "people per benefit", "Eligible and needing information",
                     ">yuan</text>", ">people</text>", ">person-times</text>", "<h2>Against the plan&#x27;s targets</h2>"],
     ['lang="zh-CN"', "万元", "人次"]),
]


def assert_english(text: str, english: list[str], chinese: list[str], allowed, output: str) -> None:
    """The English words there, the Chinese ones not, and no Chinese beyond the data allowed."""
    missing = [w for w in english if w not in text]
    assert not missing, missing
    assert not [w for w in chinese if w in text]
    assert not foreign_chinese(text, allowed), output


@pytest.mark.parametrize("output, english, chinese", BUDGET_WORDS, ids=[b[0] for b in BUDGET_WORDS])
def test_the_budget_report_in_english(budget_run, books, output, english, chinese):
    assert_english(budget_run["en"][output], english, chinese, allowed_chinese(books, extra=("备注",)),  # a list column
                   output)


@pytest.mark.parametrize("output", ["report.md", "report.html"])
def test_the_budget_report_has_the_same_tables_in_both_languages(budget_run, output):
    """Only the words differ: the same lines, the same cells in each."""
    zh, en = budget_run["zh"][output], budget_run["en"][output]
    assert len(zh.splitlines()) == len(en.splitlines())
    for a, b in zip(zh.splitlines(), en.splitlines()):
        assert a.count("|") + a.count("<td>") == b.count("|") + b.count("<td>"), (a, b)
    assert "## 概要" in budget_run["zh"]["report.md"] and '<html lang="zh-CN">' in budget_run["zh"]["report.html"]
    assert foreign_chinese(zh, []), "the check finds Chinese where there is some"


def test_the_budget_rows_give_the_same_figures_in_english(books, tmp_path):
    """Chinese amounts (1.06万元) and English ones (¥10,600) are the same fen."""
    budget = Budget()
    run_batch(EXAMPLE, tmp_path / "out", as_of=AS_OF, budget=budget)

    def fen(text: str) -> int | None:
        if text == "—" or not re.search(r"\d", text):
            return None
        number = float(re.sub(r"[^\d.]", "", text))
        return round(number * (1_000_000 if "万" in text else 100))

    for rows in ("summary_rows", "benefit_rows", "department_rows", "role_rows", "target_rows"):
        zh, en = getattr(budget, rows)("zh"), getattr(budget, rows)("en")
        assert len(zh) == len(en) and len(zh) > 0, rows
        for a, b in zip(zh, en):
            money = [i for i, cell in enumerate(a) if cell.endswith("元")]
            assert [fen(a[i]) for i in money] == [fen(b[i]) for i in money], (rows, a, b)
            assert all(b[i].startswith("¥") for i in money), b


def test_the_library_writes_the_report_in_the_runs_language(tmp_path):
    """run_batch's `lang` (default "en", as for its other files) is the report's; lang="zh" writes it in Chinese."""
    run_batch(EXAMPLE, tmp_path / "en", as_of=AS_OF, budget=Budget())
    run_batch(EXAMPLE, tmp_path / "zh", as_of=AS_OF, budget=Budget(), lang="zh")
    assert (tmp_path / "en" / "report.md").read_text("utf-8").startswith("# Budget report")
    assert (tmp_path / "zh" / "report.md").read_text("utf-8").startswith("# 政策找人预算报告")


def test_the_spark_engine_writes_its_report_in_the_runs_language(tmp_path, monkeypatch, books):
    """spark/runner hands the run's `lang` to the report (the figures themselves come from Spark, stubbed here
    with the polars engine's budget: pyspark is not needed)."""
    from chuangye_rules.batch.outfolder import OutFolder
    from chuangye_rules.batch.runner import BatchSummary
    from chuangye_rules.spark import report, runner

    budget = Budget()
    run_batch(EXAMPLE, tmp_path / "polars", as_of=AS_OF, budget=budget)
    monkeypatch.setattr(report, "spark_budget", lambda session, results, rulebooks: budget)
    for lang, title in (("en", "# Budget report"), ("zh", "# 政策找人预算报告")):
        folder = OutFolder(tmp_path / lang, ["report.md", "report.html"], EXAMPLE, False)
        folder.open()
        summary = BatchSummary(str(EXAMPLE), "", AS_OF.isoformat())
        runner._write_report(None, None, books, summary, folder, lang)
        assert folder.path("report.md").read_text("utf-8").startswith(title)
        assert ('<html lang="en">' if lang == "en" else '<html lang="zh-CN">') in folder.path("report.html").read_text("utf-8")
        folder.discard()


def test_every_bundled_target_has_an_english_description(books):
    for book in books:
        for t in book.rulebook.targets:
            assert t.description_en and not CJK.search(t.description_en), (book.slug, t.id)


def test_a_target_without_english_shows_its_chinese_description(books):
    from chuangye_rules.batch.budget import _target_description

    target = next(t for b in books for t in b.rulebook.targets).model_copy(update={"description_en": None})
    assert _target_description(target, "en") == target.description == _target_description(target, "zh")


# ------------------------------------------------------------------------------------------- compare and diff

SUBSIDY = "one_time_startup_subsidy"


def _ordos(books):
    return next(b.rulebook for b in books if b.slug == "ordos")


def _with(book, benefit_id: str, **update):
    """The rulebook with one benefit changed (its fields replaced as a reform would write them)."""
    return book.model_copy(update={"benefits": [b.model_copy(update=update) if b.id == benefit_id else b
                                                for b in book.benefits]})


def _amount(data: dict):
    from pydantic import TypeAdapter

    from chuangye_rules.rules.amountmodels import Amount

    return TypeAdapter(Amount).validate_python(data)


CHANGES = [  # (what changes, the fields, a fragment of the Chinese text, of the English one)
    ("name", {"name": "一次性创业扶持补贴", "name_en": "One-time startup support"},
     "名称由“一次性创业补贴”改为“一次性创业扶持补贴”", "name changed from 'One-time startup subsidy' to 'One-time startup support'"),
    ("amount", {"amount": _amount({"kind": "fixed", "value": 8000})}, "金额由5000元改为8000元",
     "amount changed from ¥5,000 to ¥8,000"),
    ("an up-to amount", {"amount": _amount({"kind": "up_to", "max": 50000})}, "金额由5000元改为最高5万元",
     "amount changed from ¥5,000 to up to ¥50,000"),
    ("applicant kinds", {"applicant_kinds": ["individual"]}, "申请人类型由个人、个体工商户改为个人",
     "applicant kinds changed from individual, individual business to individual"),
    ("lead departments", {"departments": Departments(lead=["市财政局"])}, "改为市财政局",
     "State Taxation Administration, Ordos Municipal Tax Service to Municipal Finance Bureau"),
    ("period", {"period": Period.yearly}, "发放方式由一次性改为每年", "payment changed from once to yearly"),
    ("exclusions", {"exclusive_with": []}, "不可同时享受的待遇改为无", "the benefits it cannot be combined with changed to none"),
    ("end date", {"valid_to": dt.date(2024, 12, 31)}, "改为2022-10-24至2024-12-31",
     "in force changed from 2022-10-24 – 2025-12-31 to 2022-10-24 – 2024-12-31"),
]


@pytest.mark.parametrize("what, update, chinese, english", CHANGES, ids=[c[0] for c in CHANGES])
def test_each_kind_of_rule_change_reads_in_both_languages(books, what, update, chinese, english):
    from chuangye_rules.render.rulediff import benefit_changes

    old = _ordos(books)
    new = _with(old, SUBSIDY, **update)
    [change] = benefit_changes(old, new, AS_OF)
    assert chinese in change.text and change.text == change.text_in("zh"), change.text
    assert english in change.text_in("en"), change.text_in("en")
    assert not foreign_chinese(change.text_in("en"), allowed_chinese(books)), change.text_in("en")


def test_a_benefit_added_or_removed_and_a_parameter_changed_read_in_both_languages(books):
    from chuangye_rules.render.rulediff import benefit_changes, parameter_changes

    old = _ordos(books)
    fewer = old.model_copy(update={"benefits": [b for b in old.benefits if b.id != SUBSIDY]})
    [removed] = benefit_changes(old, fewer, AS_OF)
    [added] = benefit_changes(fewer, old, AS_OF)
    assert (removed.text, removed.text_in("en")) == ("删除待遇", "benefit removed")
    assert (added.text, added.text_in("en"), added.named("en")) == ("新增待遇", "a new benefit", "One-time startup subsidy")
    wage = old.parameters["nm_min_wage_class1_monthly"]
    paid = old.model_copy(update={"parameters": {"nm_min_wage_class1_monthly": wage.model_copy(
        update={"values": [{"from": dt.date(2024, 1, 1), "value": 2270}]})}})
    assert parameter_changes(old, paid) == ["参数 nm_min_wage_class1_monthly（内蒙古自治区一类地区月最低工资标准）的取值改变"]
    assert parameter_changes(old, paid, "en") == [
        "parameter nm_min_wage_class1_monthly (Inner Mongolia's monthly minimum wage, class I areas) changed"]


def _reform_file(folder: Path) -> Path:
    """Ordos with the one-time startup subsidy at 8000元 and graduates counted for five years instead of two."""
    import shutil

    folder.mkdir()
    text = (ROOT / "rulebooks" / "ordos.yaml").read_text("utf-8").replace(
        "amount: {kind: fixed, value: 5000}", "amount: {kind: fixed, value: 8000}", 1).replace(
        "no_later_than: {field: graduation_date, years: 2}", "no_later_than: {field: graduation_date, years: 5}")
    (folder / "ordos.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "rulebooks" / "sources", folder / "sources")
    return folder / "ordos.yaml"


def test_diff_in_english(tmp_path, books):
    reform = _reform_file(tmp_path / "reform")
    base = str(ROOT / "rulebooks" / "ordos.yaml")
    en = CliRunner().invoke(app, ["diff", base, str(reform), "--lang", "en"])
    zh = CliRunner().invoke(app, ["diff", base, str(reform)])
    assert en.exit_code == zh.exit_code == 1, en.output + zh.output
    assert en.output.strip() == (
        "Ordos  One-time startup subsidy (one_time_startup_subsidy): amount changed from ¥5,000 to ¥8,000; condition "
        "'business registration date no later than 2 years after graduation date' changed to 'business registration "
        "date no later than 5 years after graduation date'")
    assert zh.output.strip() == ("鄂尔多斯  一次性创业补贴（one_time_startup_subsidy）：金额由5000元改为8000元；"
                                 "条件「注册登记日期不晚于毕业时间后2年」改为「注册登记日期不晚于毕业时间后5年」")
    same = CliRunner().invoke(app, ["diff", base, base, "--lang", "en"])
    assert same.exit_code == 0 and same.output.strip() == "the two versions' rules are the same"


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory):
    """The example list against the Ordos reform, once in each language, through the command."""
    folder = tmp_path_factory.mktemp("compare")
    reform = _reform_file(folder / "reform")
    runs = {}
    for lang in ("zh", "en"):
        result = CliRunner().invoke(app, ["compare", str(EXAMPLE), "--reform", str(reform), "-o", str(folder / lang),
                                          "--as-of", AS_OF.isoformat(), "--lang", lang], env={"COLUMNS": "160"})
        assert result.exit_code == 0, result.output
        runs[lang] = {"screen": result.output, **{name: (folder / lang / name).read_text("utf-8-sig")
                                                   for name in ("report.md", "report.html", "changes.csv")}}
    return runs


COMPARE_WORDS = [  # (output, words it must show in English, words of the Chinese it must not show)
    ("screen", ["read 15 rows = 3 compared + 3 rejected + 9 of other cities (not compared)", "by city", "Ordos",
                "+¥3,000", "amount changed from ¥5,000 to ¥8,000", "Municipal Finance Bureau"], ["读取", "万元", "元"]),
    ("report.md", ["# Reform costing (before: 2024-06-01, after: 2024-06-01)", "## By city", "## Benefits that change",
                   "## By lead department", "## Who gains and who loses (by applicant kind and identity)",
                   "| applicant kind | individual |", "| identity | disabled |", "| ¥5,300 | ¥8,300 | +¥3,000 |",
                   "| One-time startup subsidy |", "changed to 'business registration date no later than 5 years after"],
     ["各城市", "得益", "万元", "元"]),
    ("report.html", ['<html lang="en">', "<h2>Who gains and who loses</h2>", "applicant kind: individual",
                     "The budget&#x27;s change (up-to total)", ">yuan</text>"], ['lang="zh-CN"', "万元", "人"]),
]


@pytest.mark.parametrize("output, english, chinese", COMPARE_WORDS, ids=[c[0] for c in COMPARE_WORDS])
def test_the_reform_costing_in_english(compare_run, books, output, english, chinese):
    assert_english(compare_run["en"][output], english, chinese, allowed_chinese(books), output)


def test_the_reform_costing_has_the_same_tables_in_both_languages(compare_run):
    zh, en = compare_run["zh"]["report.md"], compare_run["en"]["report.md"]
    assert len(zh.splitlines()) == len(en.splitlines())
    for a, b in zip(zh.splitlines(), en.splitlines()):
        assert a.count("|") == b.count("|"), (a, b)
    assert "## 各城市" in zh and "金额由5000元改为8000元" in zh and "## 各城市" not in en


def test_changes_csv_gives_the_rule_change_in_the_runs_language(compare_run):
    """changes.csv with --lang en is the programs' form (field names, codes; the benefit's name as the document
    writes it, as in results.csv); its reason, words for a person, is English."""
    import io

    import polars as pl

    en = pl.read_csv(io.StringIO(compare_run["en"]["changes.csv"]), infer_schema=False)
    zh = pl.read_csv(io.StringIO(compare_run["zh"]["changes.csv"]), infer_schema=False)
    assert en.height == zh.height > 0 and "reason" in en.columns and "原因（规则的变化）" in zh.columns
    assert all(r.startswith("amount changed from ¥5,000 to ¥8,000") for r in en["reason"]), en["reason"].to_list()
    assert not any(CJK.search(r) for r in en["reason"])


def test_the_comparison_rows_in_english(books):
    """The library's rows (compare() on frames): every table in English, for the groups too."""
    import polars as pl  # noqa: F401

    from chuangye_rules import parse_profile
    from chuangye_rules.batch.compare import (
        benefit_rows,
        city_rows,
        compare,
        department_rows,
        group_rows,
        with_settings,
    )
    from chuangye_rules.batch.frames import frame_from_profiles

    graduate = {"kind": "individual", "city": "ordos", "identities": ["college_graduate"], "graduation_date": "2019-07-01",
                "employed_since_graduation": False, "first_time_business": True, "business_registered_date": "2023-01-10",
                "operating_normally": True, "employees": 1, "files_tax_normally": True}
    base = [b for b in books if b.slug == "ordos"]
    reform = with_settings(base, [f"ordos.{SUBSIDY}.amount=8000"])
    result = compare(frame_from_profiles([parse_profile(graduate)] * 2), base, reform, AS_OF, reform_as_of=dt.date(2026, 6, 1))
    allowed = allowed_chinese(books)
    tables = {"cities": city_rows(result, result.city_names("en"), "en"), "benefits": benefit_rows(result, result.city_names("en"), "en"),
              "departments": department_rows(result, result.city_names("en"), "en"), "groups": group_rows(result, "en")}
    for name, rows in tables.items():
        assert rows, name
        for row in rows:
            assert not foreign_chinese(" ".join(row), allowed), (name, row)
    assert ["applicant kind", "individual"] == tables["groups"][0][:2]
    assert any(row[:2] == ["identity", "college graduate"] for row in tables["groups"])
    assert tables["cities"][0][0] == "Ordos" and tables["cities"][0][5].startswith(("+¥", "−¥", "±¥"))
