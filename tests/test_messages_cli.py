"""A broken profile, or an output folder that already has files, told in Chinese by default and in English with
`--lang en` (issue 16), through the command line as a user runs it: one line per problem, exit 2, no traceback,
a personal ID never printed whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
ID_NUMBER = "110105194912310021"


def run(*args):
    return subprocess.run([sys.executable, "-m", "chuangye_rules", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=120)


# (file name, content, a fragment of the Chinese message, of the English one)
BROKEN_PROFILES = [
    ("unknown.yaml", "kind: individual\nagee: 30\n", "未知字段 'agee'（可用字段见 chuangye fields）",
     "unknown field 'agee' (chuangye fields lists the fields)"),
    ("near.yaml", "kind: individual\nkind_x: 3\n", "是否想写 kind（申请人类型）？", "did you mean kind (applicant kind)?"),
    ("twice.yaml", "kind: individual\n申请人类型: enterprise\n", "字段 '申请人类型' 与 'kind' 重复",
     "field '申请人类型' repeats 'kind'"),
    ("bool-count.yaml", "kind: individual\nnew_hires: true\n", "应为数字，不是 true/false", "should be a number, not true/false"),
    ("decimal-count.yaml", "kind: individual\nnew_hires: 1.5\n", "应为整数（不能有小数）", "should be a whole number (no decimals)"),
    ("negative.yaml", "kind: individual\nnew_hires: -1\n", "人数/数量不能为负数", "a count cannot be negative"),
    ("text-count.yaml", "kind: individual\nnew_hires: 三个\n", "字段 new_hires（新增就业人数） 的值 '三个' 无效：应为整数",
     "field new_hires (number of new hires): the value '三个' is not valid: should be a whole number"),
    ("no-such-day.yaml", "kind: individual\ngraduation_date: 2023-02-30\n", "这一天不存在",
     "there is no such day (check the month and the day: February has no 30th)"),
    ("not-a-date.yaml", "kind: individual\n毕业时间: 明天\n", "应为日期，如 2023-07-01",
     "field 毕业时间 (graduation date): the value '明天' is not valid: should be a date such as 2023-07-01"),
    ("number-date.yaml", "kind: individual\ngraduation_date: 20230630\n", "应为日期，写作 2023-06-30（YYYY-MM-DD）",
     "should be a date, written 2023-06-30 (YYYY-MM-DD)"),
    ("old-date.yaml", "kind: individual\ngraduation_date: 1800-01-01\n", "日期应在 1900-01-01 至 2100-12-31 之间",
     "the date should be between 1900-01-01 and 2100-12-31"),
    ("vocabulary.yaml", "kind: martian\n", "'martian' 不是可选值；可选: individual（个人）",
     "'martian' is not one of the choices; choose from: individual, individual_business"),
    ("yes-no.yaml", "kind: individual\nseed_or_early_stage: 也许\n", "应为是/否（或 true/false）",
     "should be yes/no (or true/false)"),
    ("set.yaml", "kind: individual\nidentities: 3\n", "应为列表", "should be a list"),
    ("money.yaml", "kind: enterprise\ntechnology_purchase_amount: 10.005\n", "金额最多保留两位小数（到分）",
     "an amount has at most two decimal places (fen)"),
    ("received.yaml", "kind: individual\nreceived: [{benefit: x, amount: abc}]\n", "已享受待遇的金额 'abc' 不是数字（元）",
     "the amount of a benefit received, 'abc', is not a number (yuan)"),
    ("received-key.yaml", "kind: individual\nreceived: [{benefit: x, when: 2023-01-01}]\n", "不认识 when",
     "an entry of the benefits received takes benefit, date and amount only, not when"),
    ("list.yaml", "- kind\n- individual\n", "申请人信息应为“字段: 值”的映射，而不是 list",
     "a profile should be a mapping of 'field: value' lines, not a list"),
    ("person.yaml", f"kind: individual\nid_number: [{ID_NUMBER}]\n", "字段 id_number（身份证号） 的值",
     "field id_number (personal ID number): the value"),
    ("syntax.json", '{"kind": "individual",}', "JSON 语法错误", "JSON syntax error: Expecting property name"),
    ("null.json", "null", "而不是 NoneType", "a profile should be a mapping of 'field: value' lines, but it is empty"),
    ("array.json", '["kind"]', "而不是 list", "not a list"),
]


QUOTED = ("毕业时间", "申请人类型", "明天", "三个", "也许", "2023年7月1日")


@pytest.fixture(scope="module")
def profiles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profiles")
    for name, content, _, _ in BROKEN_PROFILES:
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def _told(done) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stderr.strip(), done.stderr
    assert ID_NUMBER not in done.stderr + done.stdout, "a personal ID is never printed whole"
    return done.stderr


@pytest.mark.parametrize("name, content, chinese, english", BROKEN_PROFILES, ids=[row[0] for row in BROKEN_PROFILES])
def test_a_broken_profile_is_told_in_both_languages(profiles, name, content, chinese, english):
    path = profiles / name
    zh = _told(run("check", path))
    assert f"{path}:" in zh and chinese in zh, zh
    en = _told(run("check", path, "--lang", "en"))
    assert f"{path}:" in en and english in en, en
    for quoted in QUOTED:  # what the user wrote, quoted back; a spelling the field accepts
        en = en.replace(quoted, "")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), f"Chinese words in the English message: {en}"


@pytest.fixture
def ran_once(tmp_path):
    """An output folder an earlier run wrote."""
    out = tmp_path / "out"
    done = run("batch", LIST, "-o", out, "--as-of", "2024-06-01")
    assert done.returncode == 0, done.stderr
    return out


# (what is in the output folder, the options, a fragment of the Chinese message, of the English one)
FOLDERS = [
    ("an earlier run's results", [], "输出目录中已有上次运行写出的同名文件，未做任何改动",
     "the output folder already has a file of this name from an earlier run; nothing was changed (add --overwrite"),
    ("a file of the same name, not ours", ["--overwrite"], "输出目录中已有同名文件（不是本程序上次写出的",
     "the output folder already has a file of this name (not written by an earlier run, or changed since)"),
]


@pytest.mark.parametrize("what, options, chinese, english", FOLDERS, ids=[row[0] for row in FOLDERS])
def test_an_output_folder_with_files_is_told_in_both_languages(ran_once, what, options, chinese, english):
    if "not ours" in what:
        (ran_once / "summary.json").write_text("{}", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in ran_once.iterdir()}
    for lang, words in (("zh", chinese), ("en", english)):
        told = _told(run("batch", LIST, "-o", ran_once, "--as-of", "2024-06-01", "--lang", lang, *options))
        assert words in told, told
    assert {p.name: p.read_bytes() for p in ran_once.iterdir()} == before, "nothing in the folder changed"


def test_the_list_itself_as_an_output_is_told_in_both_languages(tmp_path):
    listed = tmp_path / "results.csv"
    shutil.copy(LIST, listed)
    zh = _told(run("batch", listed, "-o", tmp_path, "--as-of", "2024-06-01"))
    assert "输出文件会覆盖名单文件本身，已停止，名单未被改动（用 -o 指定另一个输出目录）" in zh, zh
    en = _told(run("batch", listed, "-o", tmp_path, "--as-of", "2024-06-01", "--lang", "en"))
    assert "an output file would overwrite the list itself: stopped, the list is unchanged (name another output folder with -o)" \
        in en, en
    assert listed.read_bytes() == LIST.read_bytes()
