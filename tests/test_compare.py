"""Reform costing (`chuangye compare`, `compare()`, `chuangye diff`): the same rules change nothing; raising one
fixed amount by Δ changes that benefit's exact total by Δ × its eligible rows and nothing else; a widened
condition gains people; a broken reform file is refused where it is broken; the list is read once."""
import datetime as dt
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chuangye_rules import parse_profile
from chuangye_rules.batch.compare import compare, with_settings
from chuangye_rules.batch.frames import frame_from_profiles
from chuangye_rules.batch.synthetic import interesting_values, random_facts
from chuangye_rules.cli import app
from chuangye_rules.rules.catalog import catalog
from chuangye_rules.rules.schema import FixedAmount

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
AS_OF = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def population(books):
    rng = random.Random(7)
    interesting = interesting_values([b.rulebook for b in books], AS_OF)
    profiles = [parse_profile(random_facts(rng, AS_OF, interesting)) for _ in range(600)]
    return frame_from_profiles(profiles, [b.rulebook for b in books])


def test_the_same_rules_change_nothing(books, population):
    result = compare(population, books, books, AS_OF)
    assert result.changes_frame().height == 0
    table = result.benefit_table()
    assert table.height == sum(len(b.rulebook.benefits) for b in books)
    assert table.select(pl.col("eligible_change", "exact_change", "up_to_change").abs().sum()).row(0) == (0, 0, 0)
    assert not result.groups_table().height


FOUNDER = {"kind": "individual", "city": "ordos", "identities": ["disabled"], "first_time_business": True,
           "business_registered_date": "2022-09-01", "operating_normally": True, "employees": 2, "files_tax_normally": True}


def test_raising_one_fixed_amount_changes_only_that_benefit_by_delta_times_its_people(books, population):
    """For each fixed amount the population reaches (the first few), and Δ up, by a fen, and down."""
    population = pl.concat([population, frame_from_profiles([parse_profile(FOUNDER)] * 3)], how="vertical_relaxed")
    same = compare(population, books, books, AS_OF).benefit_table()
    fixed = {(b.slug, x.id): (b, x) for b in books for x in b.rulebook.benefits if isinstance(x.amount, FixedAmount)}
    reached = [(r["city"], r["benefit_id"]) for r in same.filter(pl.col("eligible_before") > 0).iter_rows(named=True)
               if (r["city"], r["benefit_id"]) in fixed]
    assert ("ordos", "one_time_startup_subsidy") in reached and len(reached) >= 2
    reached = [("ordos", "one_time_startup_subsidy")] + [k for k in reached if k[1] != "one_time_startup_subsidy"][:2]
    for city, benefit_id in reached:
        book, old = fixed[(city, benefit_id)]
        for delta in (Decimal("3000"), Decimal("0.01"), Decimal("-100")):
            reform = with_settings([book], [f"{city}.{benefit_id}.amount={old.amount.value + delta}"])
            result = compare(population, [book], reform, AS_OF)
            table = result.benefit_table()
            row = table.filter(pl.col("benefit_id") == benefit_id).row(0, named=True)
            assert row["eligible_before"] == row["eligible_after"] > 0
            assert row["exact_change"] == int(delta * 100) * row["eligible_after"], (benefit_id, delta)
            others = table.filter(pl.col("benefit_id") != benefit_id)
            assert others.select(pl.col("eligible_change", "exact_change", "up_to_change").abs().sum()).row(0) == (0, 0, 0)
            changes = result.changes_frame()
            assert set(changes["change"]) == {"amount_changed"} and set(changes["benefit_id"]) == {benefit_id}
            assert "金额由" in row["reason"]


def test_a_widened_condition_gains_people_with_the_reason_in_words(books, tmp_path):
    source = ROOT / "rulebooks" / "ordos.yaml"
    folder = tmp_path / "reform"
    folder.mkdir()
    text = source.read_text("utf-8").replace("no_later_than: {field: graduation_date, years: 2}",
                                             "no_later_than: {field: graduation_date, years: 5}")
    (folder / "ordos.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "rulebooks" / "sources", folder / "sources")
    graduate = {"kind": "individual", "city": "ordos", "identities": ["college_graduate"], "graduation_date": "2019-07-01",
                "employed_since_graduation": False, "first_time_business": True, "business_registered_date": "2023-01-10",
                "operating_normally": True, "employees": 1, "files_tax_normally": True}
    frame = frame_from_profiles([parse_profile(graduate)])
    from chuangye_rules import load_rulebooks

    reform = load_rulebooks([folder])
    base = [b for b in books if b.slug == "ordos"]
    result = compare(frame, base, reform, AS_OF)
    changes = result.changes_frame()
    assert changes.filter(pl.col("benefit_id") == "one_time_startup_subsidy")["change"].to_list() == ["gained"]
    assert "2年" in result.reasons[("ordos", "one_time_startup_subsidy")] and "5年" in result.reasons[
        ("ordos", "one_time_startup_subsidy")]
    assert result.groups_table().filter(pl.col("group") == "高校毕业生")["winners"].to_list() == [1]


def test_the_command_reads_the_list_once_and_writes_its_outputs(tmp_path, monkeypatch):
    from chuangye_rules.batch import runner

    opened = []
    real = runner._open_list
    monkeypatch.setattr(runner, "_open_list", lambda *a, **k: opened.append(a) or real(*a, **k))
    result = CliRunner().invoke(app, ["compare", str(EXAMPLE), "-o", str(tmp_path / "out"), "--as-of", "2024-06-01",
                                      "--set", "ordos.one_time_startup_subsidy.amount=8000"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert len(opened) == 1, "both versions are evaluated on one read of the list"
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"changes.csv", "errors.csv", "report.md", "summary.json", "report.html"} <= names
    changes = pl.read_csv(tmp_path / "out" / "changes.csv", infer_schema=False)
    assert changes.columns[:3] == ["行号", "编号", "城市"] and set(changes["变化"]) == {"金额改变"}
    assert changes["改革后金额（元）"].to_list() == ["8000.00"] * changes.height
    report = (tmp_path / "out" / "report.md").read_text("utf-8")
    assert "金额由5000元改为8000元" in report and "## 按牵头单位" in report and "得益与受损" in report
    assert "+3000元" in result.output


def test_a_broken_reform_file_is_refused_where_it_is_broken(tmp_path):
    bad = tmp_path / "ordos.yaml"
    text = (ROOT / "rulebooks" / "ordos.yaml").read_text("utf-8").replace("amount: {kind: fixed, value: 5000}",
                                                                          "amount: {kind: fixed, value: 五千}", 1)
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["compare", str(EXAMPLE), "--reform", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "五千" in t)
    assert f"ordos.yaml:{line}:" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_bad_setting_is_a_message(books):
    from chuangye_rules.base.problems import InputError

    for setting, words in (("ordos.no_such.amount=1", "没有待遇"), ("ordos.one_time_startup_subsidy=1", "写作"),
                           ("ordos.one_time_startup_subsidy.amount=abc", "不是数字"),
                           # checked as a rulebook file is: these were a raw Pydantic message, and 内部错误 (exit 3)
                           ("ordos.one_time_startup_subsidy.amount=-5", "不能小于 0"),
                           ("ordos.one_time_startup_subsidy.amount=1e20", "过大"),
                           ("ordos.one_time_startup_subsidy.amount=8000.001", "不是整分")):
        with pytest.raises(InputError) as error:
            with_settings(books, [setting])
        assert words in str(error.value.problems[0]) and "validation error" not in str(error.value.problems[0])


@pytest.mark.parametrize("option", ["--param", "--set-param"])
def test_a_parameter_no_rulebook_has_is_a_typo_not_ignored(tmp_path, option):
    """As `check` and `sql` refuse it (batch and compare ran on, the value silently unused)."""
    given = [option, "nm_min_wage_class1_montly=2000"]
    commands = [["compare", str(EXAMPLE), *given, "-o", str(tmp_path / "out")]]
    if option == "--param":
        commands.append(["batch", str(EXAMPLE), *given, "-o", str(tmp_path / "b")])
    for command in commands:
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2 and "没有名为 nm_min_wage_class1_montly 的参数" in result.output, result.output
    assert not any(tmp_path.iterdir())


def test_diff_says_what_changed_in_words(tmp_path):
    new = tmp_path / "ordos.yaml"
    new.write_text((ROOT / "rulebooks" / "ordos.yaml").read_text("utf-8")
                   .replace("amount: {kind: fixed, value: 5000}", "amount: {kind: fixed, value: 8000}", 1), encoding="utf-8")
    shutil.copytree(ROOT / "rulebooks" / "sources", tmp_path / "sources")
    result = CliRunner().invoke(app, ["diff", str(ROOT / "rulebooks" / "ordos.yaml"), str(new)])
    assert result.exit_code == 1
    assert "一次性创业补贴（one_time_startup_subsidy）：金额由5000元改为8000元" in result.output
    same = CliRunner().invoke(app, ["diff", str(ROOT / "rulebooks" / "ordos.yaml"), str(ROOT / "rulebooks" / "ordos.yaml")])
    assert same.exit_code == 0 and "相同" in same.output


def test_diff_reads_a_git_revision(tmp_path):
    import subprocess

    folder = tmp_path / "repo"
    shutil.copytree(ROOT / "rulebooks" / "sources", folder / "rulebooks" / "sources")
    book = folder / "rulebooks" / "ordos.yaml"
    shutil.copyfile(ROOT / "rulebooks" / "ordos.yaml", book)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "first"]):
        subprocess.run(git + args, cwd=folder, check=True, capture_output=True)
    book.write_text(book.read_text("utf-8").replace("applicant_kinds: [individual]\n    conditions:\n      all:\n"
                                                    "        - {field: identities, contains: poverty_alleviated",
                                                    "applicant_kinds: [individual, individual_business]\n    conditions:\n"
                                                    "      all:\n        - {field: identities, contains: poverty_alleviated", 1),
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "chuangye_rules", "diff", "HEAD:rulebooks/ordos.yaml",
                           "rulebooks/ordos.yaml"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "一次性交通补贴" in done.stdout and "申请人类型由个人改为个人、个体工商户" in done.stdout
    missing = subprocess.run([sys.executable, "-m", "chuangye_rules", "diff", "nosuch:rulebooks/ordos.yaml",
                              "rulebooks/ordos.yaml"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "git 中没有这个版本" in missing.stderr


def test_rows_of_cities_not_compared_are_counted_not_rejected(tmp_path):
    import json

    ordos = ROOT / "rulebooks" / "ordos.yaml"
    result = CliRunner().invoke(app, ["compare", str(EXAMPLE), "--base", str(ordos), "--reform", str(ordos),
                                      "-o", str(tmp_path / "out"), "--as-of", "2024-06-01"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    assert summary["balanced"] and summary["other_cities"] > 0 and summary["rejected"] == 3
    assert f"其他城市 {summary['other_cities']} 行（未比较）" in result.output
    errors = pl.read_csv(tmp_path / "out" / "errors.csv", infer_schema=False)
    assert errors.height == 3 and "没有该城市" not in " ".join(errors["原因"])


def test_who_gains_and_loses_is_listed_in_the_same_order_every_run(books, population):
    """The applicant kinds in the vocabulary's order (a kind not given last), not in the order polars' threads
    happened to finish: a report run twice on the same list is the same file."""
    reform = with_settings(books, ["ordos.one_time_startup_subsidy.amount=8000", "huaibei.returnee_startup_subsidy.amount=1"])
    tables = [compare(population, books, reform, AS_OF).groups_table() for _ in range(4)]
    kinds = [row for row in tables[0].iter_rows() if row[0] == "申请人类型"]
    assert len(kinds) >= 2
    assert all(table.equals(tables[0]) for table in tables)
    labels = list(catalog().vocabularies["applicant_kind"].labels.values())
    places = [labels.index(row[1]) for row in kinds if row[1] in labels]
    assert places == sorted(places)
