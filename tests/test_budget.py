"""The budget report adds up: a benefit led by several departments is counted once (in their shared row), the
rows of 按牵头单位 add up to the city's total, each department lists each benefit once with its role, targets
are counted only through the benefits they name, the screen shows a summary, and report.html is one
self-contained page with charts."""
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chuangye_rules.base.money import yuan
from chuangye_rules.batch.budget import Budget
from chuangye_rules.batch.runner import run_batch
from chuangye_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
AS_OF = dt.date(2024, 6, 1)

# Ordos: the one-time startup subsidy (5000元) and the transport subsidy (300元) are both led by the same ten
# departments together; a list of two people eligible for each must budget 2 × 5300元 once, not once per department
ORDOS = """编号,城市,申请人类型,身份,首次创业,注册登记日期,正常经营,吸纳就业人数,正常申报纳税,在省外务工
A,鄂尔多斯,个人,残疾人、脱贫人口,是,2022-09-01,是,2,是,是
B,鄂尔多斯,个人,残疾人、脱贫人口,是,2022-09-01,是,2,是,是
"""


@pytest.fixture(scope="module")
def ordos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ordos")
    (folder / "list.csv").write_text(ORDOS, encoding="utf-8")
    budget = Budget()
    run_batch(folder / "list.csv", folder / "out", as_of=AS_OF, budget=budget, lang="zh")  # as the command writes
    return budget, folder / "out"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example")
    budget = Budget()
    run_batch(EXAMPLE, folder / "out", as_of=AS_OF, budget=budget, lang="zh")  # as the command writes
    return budget, folder / "out"


def fen(text: str) -> int:
    """A yuan() text back to fen (5300元, 30.45万元)."""
    number = Decimal(re.sub(r"[^\d.]", "", text))
    return int(number * (1_000_000 if "万" in text else 100))


def test_shared_leads_are_counted_once(ordos):
    budget, _ = ordos
    rows = [r for r in budget.department_rows() if r[0] == "鄂尔多斯"]
    shared = [r for r in rows if "共同牵头" in r[2] and fen(r[7])]
    assert len(shared) == 1 and shared[0][7] == yuan(Decimal(10600)), shared  # 2 × (5000 + 300), once
    total = rows[-1]
    assert total[1] == "全市合计" and total[7] == "1.06万元" and total[4] == "2"


def test_department_rows_add_up_to_the_city_total(example):
    budget, _ = example
    for city in budget.city_names.values():
        rows = [r for r in budget.department_rows() if r[0] == city]
        *groups, total = rows
        assert total[1] == "全市合计"
        assert sum(fen(r[6]) for r in groups) == fen(total[6]) and sum(fen(r[7]) for r in groups) == fen(total[7]), city
        assert sum(fen(r[5]) for r in budget.benefit_rows() if r[0] == city and r[5] != "—") == fen(total[7])


def test_each_department_lists_each_benefit_once_with_its_role(ordos):
    budget, _ = ordos
    rows = budget.role_rows()
    pairs = [(r[1], r[2]) for r in rows]
    assert len(pairs) == len(set(pairs))
    subsidy = [r for r in rows if r[2] == "一次性创业补贴"]
    assert len(subsidy) == 10 and {r[3] for r in subsidy} == {"共同牵头"}
    assert all(r[7] == "1万元" for r in subsidy), "each row shows the benefit's whole amount, not a share"


def test_targets_are_counted_only_through_the_benefits_they_name(example):
    budget, _ = example
    rows = {(r[0], r[1]): r for r in budget.target_rows()}
    unlinked = rows[("鄂尔多斯", "2022—2025年全市扶持创业人数")]
    assert unlinked[4] == "未关联待遇" and unlinked[5] == "—"
    linked = rows[("鄂尔多斯", "2022—2025年组织高校毕业生开展创业实训")]
    line = budget.benefits[("ordos", "graduate_practical_training_subsidy")]
    assert linked[4] == line.name and linked[5] == str(line.eligible)


def test_report_files(example):
    _, out = example
    md = (out / "report.md").read_text("utf-8")
    for section in ("## 概要", "## 按待遇", "## 按牵头单位", "## 各单位经办的待遇", "## 与规划目标对照"):
        assert section in md
    page = (out / "report.html").read_text("utf-8")
    assert page.count("<svg") >= 3 and "按牵头单位的预算" in page
    # self-contained: nothing is fetched (the SVG namespace URIs are names, not requests)
    assert not re.search(r"<script|<link|<img|@import|@font-face|url\((?!#)|src=", page, re.I)  # url(#clip): in-page
    assert not re.search(r"https?://(?!www\.w3\.org/)", page)
    assert "font-family: 'Noto Sans CJK SC'" in page, "text kept as text, drawn with the reader's fonts"


def test_the_screen_shows_a_summary_and_names_the_files(tmp_path):
    result = CliRunner().invoke(app, ["batch", str(EXAMPLE), "-o", str(tmp_path / "o"), "--as-of", "2024-06-01",
                                      "--report"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "预算概要" in result.output and "见报告文件" in result.output
    assert "report.md" in result.output and "report.html" in result.output
    assert len(result.output.splitlines()) < 90, "a summary, not every table"


EACH = 799_999_999_999_920  # 80% of 9,999,999,999,999 yuan, the largest income a list may hold, in fen


@pytest.fixture(scope="module")
def researchers(tmp_path_factory):
    """12,000 researchers each owed EACH: 9.6 × 10^18 fen in all, beyond what a 64-bit sum holds."""
    head = "applicant_id,city,kind,identities,employer_is_university_or_institute,part_time_at_new_rd_institution," \
           "tech_transfer_income\n"
    path = tmp_path_factory.mktemp("largest") / "researchers.csv"
    path.write_text(head + "".join(f"R{i},huaibei,individual,researcher,是,是,9999999999999\n" for i in range(12_000)),
                    encoding="utf-8")
    return path


def test_a_budget_adds_the_largest_amounts_exactly(researchers, tmp_path):
    """A 64-bit sum wrapped around to a negative budget; the budget is exact."""
    budget = Budget()
    run_batch(researchers, tmp_path / "out", as_of=dt.date(2024, 6, 1), budget=budget, lang="zh")
    line = budget.benefits[("huaibei", "researcher_tech_transfer_income_reward")]
    assert line.eligible == 12_000
    assert line.exact_fen == line.up_to_fen == 12_000 * EACH > 2 ** 63
    assert budget.city_total("huaibei") == (12_000 * EACH, 12_000 * EACH)


def test_a_reform_costing_adds_the_largest_amounts_exactly(researchers, tmp_path):
    """compare's totals of the same list (an internal error before: a 64-bit column could not hold them)."""
    import json

    out = tmp_path / "compare"
    done = CliRunner().invoke(app, ["compare", str(researchers), "--set", "huaibei.researcher_tech_transfer_income_reward"
                                    ".amount.percent=40", "-o", str(out), "--as-of", "2024-06-01"])
    assert done.exit_code == 0, done.output
    city = json.loads((out / "summary.json").read_text(encoding="utf-8"))["cities"][0]
    assert (city["up_to_before"], city["up_to_after"]) == (12_000 * EACH, 12_000 * EACH // 2)
    assert city["up_to_change"] == -12_000 * EACH // 2 and city["losers"] == 12_000
