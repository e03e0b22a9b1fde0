"""What a caseworker reads on the command line is Chinese and usable: typer's own option errors, `fields`,
the failing condition under `--show-all`, ids that can be copied at any terminal width (issue #15)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "examples" / "profiles" / "huaibei-returnee-graduate.yaml"


def run(*args, columns=120):
    return subprocess.run([sys.executable, "-m", "chuangye_rules", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": str(columns)}, timeout=120)


@pytest.mark.parametrize("args, words", [
    (["check", PROFILE, "--format", "xml"], ["--format 的取值 xml无效", "table、json"]),
    (["check", PROFILE, "--lang", "fr"], ["--lang 的取值 fr无效", "zh、en"]),
    (["check", "--show-al"], ["没有选项 --show-al", "是否想写 --show-all"]),
    (["check", "--nope"], ["没有选项 --nope", "--help"]),
    (["check"], ["缺少参数 PROFILE"]),
    (["batch", "a.csv", "b.csv"], ["多余的参数 b.csv"]),
    (["serve", "--port", "70000"], ["--port 的取值", "范围"]),
    (["serve", "--port", "abc"], ["--port 的取值", "整数"]),
])
def test_option_errors_are_chinese_one_line_exit_2(args, words):
    done = run(*args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    assert not re.search(r"Error|Invalid|Usage|Missing|Got unexpected|No such", done.stderr), done.stderr


def test_fields_in_chinese_shows_chinese_types_and_how_to_write():
    done = run("fields", columns=200)
    assert done.returncode == 0, done.stderr
    for code in ("one_of", "set_of", " bool ", " int ", " date ", " money ", "applicant id", "phone number"):
        assert code not in done.stdout, code
    for word in ("单选", "多选", "是/否", "日期", "金额（元）"):
        assert word in done.stdout
    english = run("fields", "--lang", "en", columns=200).stdout
    assert "one of" in english and "yes/no" in english


def test_show_all_says_why_a_benefit_is_not_eligible():
    done = run("check", PROFILE, "--as-of", "2024-06-01", "--show-all", columns=200)
    assert done.returncode == 0, done.stderr
    evaluation = json.loads(run("check", PROFILE, "--as-of", "2024-06-01", "--format", "json").stdout)
    refused = [b for c in evaluation["cities"] for b in c["benefits"] if b["status"] == "not_eligible"]
    assert refused
    marks = done.stdout.count("✗")
    assert marks >= len(refused), "each 不符合 shows at least one failing condition"
    assert "✗ 申请人类型" in done.stdout


@pytest.mark.parametrize("columns", [60, 80, 100, 200])
def test_benefit_ids_are_never_broken_at_any_width(columns):
    done = run("check", PROFILE, "--as-of", "2024-06-01", "--show-all", columns=columns)
    assert done.returncode == 0, done.stderr
    evaluation = json.loads(run("check", PROFILE, "--as-of", "2024-06-01", "--format", "json").stdout)
    words = set(re.findall(r"[a-z][a-z0-9_]+", done.stdout))
    for city in evaluation["cities"]:
        for benefit in city["benefits"]:
            assert benefit["id"] in words, f"{benefit['id']} broken at {columns} columns"


def test_the_count_of_benefits_without_a_figure_says_what_it_counts():
    done = run("check", PROFILE, "--as-of", "2024-06-01", columns=200)
    evaluation = json.loads(run("check", PROFILE, "--as-of", "2024-06-01", "--format", "json").stdout)
    for city in evaluation["cities"]:
        n = city["totals"]["unquantified"]
        if n:
            assert f"另有{n}项符合条件的现金待遇金额未定" in done.stdout
