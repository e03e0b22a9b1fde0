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


@pytest.mark.parametrize("output, english, chinese", BUDGET_WORDS, ids=[b[0] for b in BUDGET_WORDS])
def test_the_budget_report_in_english(budget_run, books, output, english, chinese):
    text = budget_run["en"][output]
    missing = [w for w in english if w not in text]
    assert not missing, missing
    assert not [w for w in chinese if w in text]
    assert not foreign_chinese(text, allowed_chinese(books, extra=("备注",))), output  # 备注: a column of the list


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
