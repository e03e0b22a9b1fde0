"""`chuangye new CITY`: a sixth city starts from a rulebook and a case file that already pass."""

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from chuangye_rules.authoring.casefiles import run_files
from chuangye_rules.authoring.lint import squash
from chuangye_rules.authoring.scaffold import PLACEHOLDER_ID, first_sentence, new_city, scaffold
from chuangye_rules.authoring.validation import validate_paths
from chuangye_rules.base.problems import InputError
from chuangye_rules.cli import app
from chuangye_rules.rules.loading import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "broken_rulebooks" / "sources" / "ordos.txt"
SCHEMA_LINE = "# yaml-language-server: $schema=../docs/schema/rulebook.schema.json"

ANSWERS = {"zh": "淄博", "en": "Zibo", "title": "淄博市“创业齐都”行动方案", "number": "淄政办发〔2023〕9号",
           "issuer": "淄博市人民政府办公室", "issued": "2023-03-01", "in_force_from": "2023-03-01",
           "in_force_to": "2025-12-31", "source": str(SOURCE)}
OPTIONS = ["--zh", "淄博", "--en", "Zibo", "--title", "淄博市“创业齐都”行动方案", "--number", "淄政办发〔2023〕9号",
           "--issuer", "淄博市人民政府办公室", "--issued", "2023-03-01", "--from", "2023-03-01", "--to", "2025-12-31",
           "--source", str(SOURCE)]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A working copy: docs/schema for the editor line, an empty rulebooks/ and tests/cases/."""
    (tmp_path / "docs" / "schema").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "schema" / "rulebook.schema.json", tmp_path / "docs" / "schema")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_new_rulebook_passes_validate_and_its_case_passes_test(repo):
    made = scaffold(new_city("zibo", ANSWERS), repo / "rulebooks", repo / "tests" / "cases")
    assert made.rulebook == repo / "rulebooks" / "zibo.yaml" and made.cases == repo / "tests" / "cases" / "zibo.yaml"
    assert made.problems == []
    report = validate_paths([made.rulebook], cases=made.cases)
    assert report.problems == [], report.text()
    count, failures = run_files([made.cases], [repo / "rulebooks"])
    assert count == 1 and not failures, [f.format() for f in failures]


def test_the_rulebook_carries_the_metadata_the_schema_line_and_a_marked_placeholder(repo):
    made = scaffold(new_city("zibo", ANSWERS), repo / "rulebooks", repo / "tests" / "cases")
    text = made.rulebook.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    book = load_rulebook(made.rulebook).rulebook
    assert (book.city.slug, book.city.zh, book.city.en) == ("zibo", "淄博", "Zibo")
    doc = book.document
    assert (doc.title, doc.number, doc.issuer) == (ANSWERS["title"], ANSWERS["number"], ANSWERS["issuer"])
    assert (str(doc.issued), str(doc.in_force_from), str(doc.in_force_to)) == ("2023-03-01", "2023-03-01", "2025-12-31")
    assert doc.source == "sources/zibo.txt" and not doc.draft
    [placeholder] = book.benefits
    assert placeholder.id == PLACEHOLDER_ID and "TODO" in placeholder.notes
    assert placeholder.amount.kind == "not_stated"
    copied = (repo / "rulebooks" / "sources" / "zibo.txt").read_text(encoding="utf-8")
    assert copied == SOURCE.read_text(encoding="utf-8")
    assert placeholder.quote == first_sentence(copied) and squash(placeholder.quote) in squash(copied)


def test_optional_metadata_left_out_and_awkward_text_quoted(repo):
    answers = {**ANSWERS, "number": None, "issued": "", "in_force_to": None,
               "title": "通知: 关于 #创业 的若干措施", "en": "Zi, bo"}
    made = scaffold(new_city("zibo", answers, draft=True), repo / "rulebooks", repo / "tests" / "cases")
    assert made.problems == []
    doc = yaml.safe_load(made.rulebook.read_text(encoding="utf-8"))["document"]
    assert doc["title"] == "通知: 关于 #创业 的若干措施" and doc["draft"] is True
    assert "number" not in doc and "issued" not in doc and "in_force_to" not in doc
    assert yaml.safe_load(made.rulebook.read_text(encoding="utf-8"))["city"]["en"] == "Zi, bo"


def test_a_gbk_source_is_copied_as_utf8(repo, tmp_path):
    gbk = tmp_path / "原文.txt"
    gbk.write_bytes(SOURCE.read_text(encoding="utf-8").encode("gb18030"))
    made = scaffold(new_city("zibo", {**ANSWERS, "source": str(gbk)}), repo / "rulebooks", repo / "tests" / "cases")
    assert made.converted_from and made.problems == []
    assert made.source.read_text(encoding="utf-8") == SOURCE.read_text(encoding="utf-8")


def test_command_without_prompts(repo):
    result = CliRunner().invoke(app, ["new", "zibo", "--no-input", *OPTIONS])
    assert result.exit_code == 0, result.output
    assert "chuangye validate: 通过" in result.output
    assert (repo / "rulebooks" / "zibo.yaml").is_file() and (repo / "tests" / "cases" / "zibo.yaml").is_file()
    assert CliRunner().invoke(app, ["validate", "rulebooks/zibo.yaml"]).exit_code == 0


def test_command_asks_for_what_is_missing_and_asks_again_after_a_bad_answer(repo):
    answers = ["淄博", "Zibo", "淄博市“创业齐都”行动方案", "", "淄博市人民政府办公室",
               "2023-02-30", "2023-02-28",   # a date that does not exist, then a good one
               "2023-03-01", "", str(SOURCE)]
    result = CliRunner().invoke(app, ["new", "zibo"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "不是有效日期" in result.output
    doc = load_rulebook(repo / "rulebooks" / "zibo.yaml").rulebook.document
    assert str(doc.issued) == "2023-02-28" and doc.number is None and doc.in_force_to is None


def test_command_refuses_to_overwrite_without_force(repo):
    assert CliRunner().invoke(app, ["new", "zibo", "--no-input", *OPTIONS]).exit_code == 0
    again = CliRunner().invoke(app, ["new", "zibo", "--no-input", *OPTIONS])
    assert again.exit_code == 2 and "已存在" in again.output and "--force" in again.output
    assert CliRunner().invoke(app, ["new", "zibo", "--no-input", "--force", *OPTIONS]).exit_code == 0


@pytest.mark.parametrize("args, words", [
    (["new", "Zi-bo", "--no-input", *OPTIONS], ["Zi-bo", "zi_bo"]),
    (["new", "zibo", "--no-input", "--zh", "淄博"], ["--en", "--title", "--from", "--source", "必须填写"]),
    (["new", "zibo", "--no-input", *OPTIONS, "--to", "2020-01-01"], ["--to", "早于"]),
    (["new", "zibo", "--no-input", *OPTIONS, "--source", "nowhere.txt"], ["--source", "nowhere.txt"]),
])
def test_command_rejects_bad_answers_with_exit_2(repo, args, words):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.output
    assert not (repo / "rulebooks" / "zibo.yaml").exists()


def test_first_sentence_is_long_enough_to_quote():
    assert first_sentence("通知\n\n  关于印发创业行动方案的通知。其他。") == "关于印发创业行动方案的通知"
    with pytest.raises(InputError):
        first_sentence("短。\n很短。")
