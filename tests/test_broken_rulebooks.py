"""One broken rulebook per kind of mistake (tests/broken_rulebooks/): `chuangye validate` must point at the
right line with a message that says what is wrong and how to fix it, in Chinese and in English.

The expectations are data: tests/broken_rulebooks/expected.yaml.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from chuangye_rules.authoring.validation import validate_paths
from chuangye_rules.cli import app

FOLDER = Path(__file__).parent / "broken_rulebooks"
EXPECTED = yaml.safe_load((FOLDER / "expected.yaml").read_text(encoding="utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _no_case_files(tmp_path, monkeypatch):
    """validate looks for tests/cases in the working directory; elsewhere there are no "no test case" warnings."""
    monkeypatch.chdir(tmp_path)


def test_every_file_in_the_folder_is_listed_and_every_listed_file_exists():
    files = {p.name for p in FOLDER.glob("*.yaml")} - {"expected.yaml"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_first_message_points_at_the_mistake_and_says_how_to_fix_it(name):
    want = EXPECTED[name]
    report = validate_paths([FOLDER / name])
    assert len(report.problems) == want.get("problems", 1), report.text()
    if not report.problems:
        return
    first = report.problems[0]
    assert first.line == want["line"], first.format()
    assert first.severity == want.get("severity", "error"), first.format()
    chinese, english = first.format(), first.format("en")
    for word in want["words"]:
        assert word in chinese, chinese
    for word in want["en"]:
        assert word in english, english
    assert CJK.search(first.message), "messages are Chinese by default"
    assert first.hint and first.hint_en, "every message says how to fix it"
    assert first.code, "every message has a code for CI"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_command_prints_file_line_column_and_sets_the_exit_code(name):
    want = EXPECTED[name]
    result = CliRunner().invoke(app, ["validate", str(FOLDER / name)])
    exit_code = want.get("exit", 1)
    assert result.exit_code == exit_code, result.output
    if exit_code == 0 and want.get("problems", 1) == 0:
        assert "OK" in result.output
    else:
        assert re.search(rf"{re.escape(name)}:{want['line']}:\d+: ", result.output), result.output
    assert "Traceback" not in result.output


def test_warnings_fail_only_with_strict():
    result = CliRunner().invoke(app, ["validate", "--strict", str(FOLDER / "short_quote.yaml")])
    assert result.exit_code == 1


def test_json_for_ci_carries_line_code_and_both_languages():
    result = CliRunner().invoke(app, ["validate", "--format", "json", str(FOLDER / "unknown_field.yaml")])
    data = json.loads(result.output)
    assert data["errors"] == 1
    problem = data["problems"][0]
    assert (problem["line"], problem["code"]) == (30, "unknown_field")
    assert "first_time_business" in problem["hint"] and "did you mean" in problem["hint_en"]


def test_all_mistakes_are_reported_at_once(tmp_path):
    """A schema error in one benefit does not hide a wrong field or a wrong quote in the others."""
    text = (FOLDER / "baseline.yaml").read_text(encoding="utf-8")
    mistakes = [
        ("    category: cash_subsidy\n    applicant_kinds: [individual]\n",
         "    catgory: cash_subsidy\n    applicant_kinds: [individual]\n", "unknown_key"),
        ("field: first_time_business", "field: first_time_busines", "unknown_field"),
        ("给予每户5000元的创业孵化补贴", "给予每户6000元的创业孵化补贴", "quote_not_found"),
        ("  in_force_to: 2025-12-31", "  in_force_to: 2021-12-31", "dates_inverted"),
    ]
    for old, new, _ in mistakes:
        assert old in text
        text = text.replace(old, new, 1)
    shutil.copytree(FOLDER / "sources", tmp_path / "sources")
    (tmp_path / "book.yaml").write_text(text, encoding="utf-8")
    report = validate_paths([tmp_path / "book.yaml"])
    assert sorted(p.code for p in report.problems) == sorted(code for _, _, code in mistakes), report.text()
    lines = [p.line for p in report.problems]
    assert lines == sorted(lines), "problems are listed from the top of the file down"


def test_english_report():
    report = validate_paths([FOLDER / "unknown_amount_kind.yaml"])
    text = report.text("en")
    assert "error(s)" in text and "did you mean fixed" in text
    assert not CJK.search(text.split("error ", 1)[1].split("(", 1)[0]), text  # the message itself is English
