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
    (["compare", ROOT / "examples" / "lists" / "applicants-gb18030.csv", "--reform-as-of", "1800-01-01"],
     ["--reform-as-of: 1800-01-01 超出可评估的范围"]),
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


# ------------------------------------------------------------------ smaller frictions, each seen once


def run_in(folder, *args):
    return subprocess.run([sys.executable, "-m", "chuangye_rules", *map(str, args)], capture_output=True, text=True,
                          cwd=folder, env={**os.environ, "COLUMNS": "160"}, timeout=120)


def test_the_authoring_loop_reads_the_rulebooks_being_edited(tmp_path):
    source = tmp_path / "原文.txt"
    source.write_text((ROOT / "rulebooks" / "sources" / "luan.txt").read_text("utf-8"), "utf-8")
    made = run_in(tmp_path, "new", "zibo", "--zh", "淄博", "--en", "Zibo", "--title", "测试文件", "--issuer", "淄博市",
                  "--from", "2023-01-01", "--to", "2025-12-31", "--source", source, "--no-input")
    assert made.returncode == 0, made.stderr
    tested = run_in(tmp_path, "test")
    assert tested.returncode == 0 and "通过 1 个用例，失败 0 个" in tested.stdout, tested.stdout + tested.stderr
    assert "rulebooks" in tested.stderr and "当前目录" in tested.stderr, "says which folder was read"
    validated = run_in(tmp_path, "validate")
    assert validated.returncode == 0 and "zibo.yaml" in validated.stdout and "huaibei" not in validated.stdout
    covered = run_in(tmp_path, "coverage", "zibo")
    assert "--city" not in covered.stderr and "zibo" in covered.stdout, covered.stderr


def test_rulebooks_says_which_plans_have_ended():
    done = run("rulebooks", columns=200)
    assert "已于 2020-12-31 失效" in done.stdout and "正式" not in done.stdout


def test_an_empty_rulebook_folder_is_said_so(tmp_path):
    done = run("check", PROFILE, "--rulebooks", tmp_path, "--city", "huaibei")
    assert done.returncode == 2 and "可选: \n" not in done.stderr and "没有任何规则库" in done.stderr, done.stderr
    listed = run("rulebooks", "--rulebooks", tmp_path)
    assert listed.returncode == 2 and "没有找到规则库" in listed.stderr


def test_json_money_is_always_written_the_same_way():
    evaluation = json.loads(run("check", PROFILE, "--as-of", "2024-06-01", "--format", "json").stdout)
    figures = [c["totals"][k] for c in evaluation["cities"] for k in ("exact", "up_to")]
    figures += [b["amount"][k] for c in evaluation["cities"] for b in c["benefits"] for k in ("value", "min", "max")
                if b["amount"][k] is not None]
    assert figures and all(re.fullmatch(r"\d+(\.\d*[1-9])?", f) for f in figures), figures


def test_load_profile_takes_a_dict_as_the_readme_shows():
    from chuangye_rules import load_profile

    assert set(load_profile({"kind": "individual", "身份": "退役军人"}).known()["identities"]) == {"veteran"}


@pytest.mark.parametrize("args, words", [
    (["--param", "nm_min_wage_class1_monthly=1e30"], ["过大"]),
    (["--param", "nm_min_wag=1980"], ["没有名为 nm_min_wag 的参数", "nm_min_wage_class1_monthly"]),
    (["--as-of", "0001-01-01"], ["超出可评估的范围"]),
])
def test_bad_options_get_the_right_reason(args, words):
    done = run("check", ROOT / "examples" / "profiles" / "ordos-graduate-trainee.yaml", *args)
    assert done.returncode == 2, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    assert "内部错误" not in done.stderr


def test_a_multi_line_cell_from_excel_alt_enter_is_a_list(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text('编号,城市,申请人类型,身份\nA1,鄂尔多斯,个人,"残疾人\n退役军人"\nA2,鄂尔多斯,个人,"残疾人\r\n退役军人"\n',
                    encoding="utf-8")
    done = run("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert done.returncode == 0, done.stderr
    assert "评估 2 行 + 拒绝 0 行" in done.stdout


def test_a_question_with_no_one_to_answer_it_is_a_message_not_a_bug(tmp_path):
    """`chuangye new zibo` asks for the Chinese name; with its input closed (a script, a pipe) it says what to do."""
    result = subprocess.run([sys.executable, "-m", "chuangye_rules", "new", "zibo"], cwd=tmp_path, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "没有得到回答" in result.stderr and "--no-input" in result.stderr and "内部错误" not in result.stderr
    assert not (tmp_path / "rulebooks").exists()


def test_at_80_columns_the_city_name_stays_with_the_documents_title():
    """A long Chinese title folds inside itself, not after the city: "青岛 ·" alone on the first line was wasted."""
    done = run("check", ROOT / "examples" / "profiles" / "qingdao-gig-worker.yaml", "--as-of", "2024-06-01", columns=80)
    assert done.returncode == 0, done.stderr
    heading = next(line for line in done.stdout.splitlines() if "青岛" in line)
    assert "青岛·青岛市人力资源和社会保障局" in heading, done.stdout


@pytest.mark.parametrize("args, words", [
    (["validate", "{empty}"], "没有找到规则库"),
    (["test", "{empty}"], "没有找到测试用例"),
    (["validate", "{pipe}"], "不是普通文件"),
    (["test", "{pipe}"], "不是普通文件"),
    (["check", PROFILE, "--rulebooks", "{pipe}"], "不是普通文件"),
])
def test_no_rulebook_or_case_found_is_a_wrong_path_not_a_pass(tmp_path, args, words):
    """`validate` and `test` on a folder with nothing to check said "0 个文件" / "0 passed" and exit 0 (a CI job
    would pass on nothing); a named pipe among the files made them wait for ever. Each is a message now, exit 2."""
    empty = tmp_path / "empty"
    empty.mkdir()
    os.mkfifo(empty / "pipe.yaml")
    args = [str(a).format(empty=empty, pipe=empty / "pipe.yaml") for a in args]
    done = run(*args)
    assert done.returncode == 2 and words in done.stdout + done.stderr, done.stdout + done.stderr


@pytest.mark.parametrize("command", [["rulebooks"], ["benefits"], ["departments"], ["coverage"], ["batch", "{list}"],
                                     ["compare", "{list}"]])
def test_a_rulebooks_folder_with_no_rulebook_is_said_by_every_command(tmp_path, command):
    """benefits, departments and coverage printed nothing (exit 0); batch rejected every row as of no city."""
    from typer.testing import CliRunner

    from chuangye_rules.cli import app

    empty = tmp_path / "empty"
    empty.mkdir()
    listed = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
    args = [a.format(list=listed) for a in command]
    option = ["--base"] if command[0] == "compare" else ["--rulebooks"]
    result = CliRunner().invoke(app, [*args, *option, str(empty), *(["-o", str(tmp_path / "out")] if len(args) > 1 else [])])
    assert result.exit_code == 2 and "没有找到规则库" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_a_benefit_in_kind_says_what_is_given_once():
    """A service or a title was shown as "金额：评选为青岛市创业明星", and explain repeated it in brackets."""
    qingdao = ROOT / "examples" / "profiles" / "qingdao-gig-worker.yaml"
    done = run("check", qingdao, "--as-of", "2024-06-01", columns=80)
    assert done.returncode == 0 and "内容：" in done.stdout and "金额：评选" not in done.stdout, done.stdout
    evaluation = json.loads(run("check", qingdao, "--as-of", "2024-06-01", "--format", "json").stdout)
    given = next(b for c in evaluation["cities"] for b in c["benefits"] if b["amount"]["kind"] == "in_kind")
    explained = run("explain", qingdao, given["id"], "--as-of", "2024-06-01", columns=200).stdout
    line = next(x for x in explained.splitlines() if "内容：" in x)
    assert line.count(given["amount"]["description"][:12]) == 1, line
