"""The command line: what a user runs, its exit codes and its messages (no tracebacks)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "profiles"


def run(*args, cwd=None):
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "chuangye_rules", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def test_bundled_rulebooks_are_found_from_any_directory(tmp_path):
    out = run("rulebooks", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for city in ("huaibei", "ordos"):
        assert city in out.stdout


def test_check_prints_chinese_results_with_amounts():
    out = run("check", EXAMPLES / "huaibei-enterprise-tech-purchase.yaml", "--as-of", "2024-06-01")
    assert out.returncode == 0, out.stderr
    assert "符合条件" in out.stdout and "30万元" in out.stdout


def test_check_json_is_the_documented_schema():
    out = run("check", EXAMPLES / "huaibei-enterprise-tech-purchase.yaml", "--as-of", "2024-06-01", "--format", "json")
    data = json.loads(out.stdout)
    assert data["schema"] == "chuangye.evaluation/2"
    benefit = next(b for c in data["cities"] for b in c["benefits"] if b["status"] == "eligible"
                   and b["amount"]["kind"] == "exact")
    assert isinstance(benefit["amount"]["value"], str)  # Decimal, exact, never a float
    assert benefit["lead_departments"]


def test_check_in_english():
    out = run("check", EXAMPLES / "huaibei-enterprise-tech-purchase.yaml", "--as-of", "2024-06-01", "--lang", "en")
    assert out.returncode == 0 and "eligible" in out.stdout


def test_after_the_document_expired_results_say_so():
    out = run("check", EXAMPLES / "huaibei-enterprise-tech-purchase.yaml", "--as-of", "2026-11-25", "--show-all")
    assert out.returncode == 0 and "已过期" in out.stdout


@pytest.mark.parametrize("content, words", [
    ("kind: individual\nemployees: many\n", ["p.yaml:2", "employees"]),
    ("kind: [\n", ["p.yaml", "YAML"]),
])
def test_a_broken_profile_gives_a_clear_error_and_exit_2(tmp_path, content, words):
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    out = run("check", path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    for word in words:
        assert word in out.stderr


def test_missing_profile_file(tmp_path):
    out = run("check", tmp_path / "nope.yaml")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_bad_date_option():
    out = run("check", EXAMPLES / "huaibei-enterprise-tech-purchase.yaml", "--as-of", "2024-02-30")
    assert out.returncode == 2 and "--as-of" in out.stderr


def test_explain_shows_reasons_departments_and_quote():
    out = run("explain", EXAMPLES / "huaibei-enterprise-tech-purchase.yaml", "technology_purchase_subsidy",
              "--as-of", "2024-06-01")
    assert out.returncode == 0, out.stderr
    assert "市科技局" in out.stdout and "原文" in out.stdout


def test_validate_points_at_the_line(tmp_path):
    good = (ROOT / "rulebooks" / "ordos.yaml").read_text(encoding="utf-8")
    broken = good.replace("field: identities", "field: identites", 1)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "ordos.txt").write_text((ROOT / "rulebooks" / "sources" / "ordos.txt").read_text("utf-8"),
                                                     encoding="utf-8")
    (tmp_path / "ordos.yaml").write_text(broken, encoding="utf-8")
    out = run("validate", tmp_path / "ordos.yaml")
    assert out.returncode == 1
    line = broken[: broken.index("field: identites")].count("\n") + 1
    assert f"ordos.yaml:{line}:" in out.stdout and "identities" in out.stdout


def test_own_rulebook_folder(tmp_path):
    out = run("check", EXAMPLES / "huaibei-enterprise-tech-purchase.yaml", "--rulebooks", tmp_path / "missing")
    assert out.returncode == 2 and "Traceback" not in out.stderr


@pytest.mark.parametrize("argv, patched, lang_words", [
    # a Ctrl-C in a command without its own handling (typer catches it and returns 130 silently): cli.main says so
    (["check", "examples/profiles/huaibei-returnee-graduate.yaml"], "chuangye_rules.cli.evaluate._evaluate_file",
     ["已中断"]),
    (["check", "examples/profiles/huaibei-returnee-graduate.yaml", "--lang", "en"],
     "chuangye_rules.cli.evaluate._evaluate_file", ["interrupted"]),
    # a command that handles it says it once, with what it means for the files
    (["batch", "examples/lists/applicants-gb18030.csv", "-o", "{tmp}/out"], "chuangye_rules.batch.runner.run_batch",
     ["已中断：未写出任何结果文件"]),
])
def test_a_ctrl_c_anywhere_exits_130_and_says_so_once(tmp_path, monkeypatch, capsys, argv, patched, lang_words):
    from unittest import mock

    from chuangye_rules.cli.main import main

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "argv", ["chuangye", *[a.format(tmp=tmp_path) for a in argv]])
    with mock.patch(patched, side_effect=KeyboardInterrupt), pytest.raises(SystemExit) as end:
        main()
    err = capsys.readouterr().err
    assert end.value.code == 130 and all(w in err for w in lang_words), err
    assert err.count("已中断") + err.count("interrupted") == 1, err


def test_no_command_ends_with_typer_exit_130():
    """cli.main reads a 130 returned by typer as a Ctrl-C typer caught unsaid, and says it: a command that has said
    it itself must end by cli.app._interrupted (SystemExit), or the user reads it twice."""
    import re

    cli = Path(__file__).resolve().parents[1] / "src" / "chuangye_rules" / "cli"
    found = [p.name for p in cli.glob("*.py") if re.search(r"raise typer\.Exit\((13[0-9]|143)", p.read_text("utf-8"))]
    assert found == []
