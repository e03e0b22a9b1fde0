"""Profiles: Chinese names accepted, values checked, bad input reported by file, line and field."""

import datetime as dt
from decimal import Decimal as D

import pytest

from chuangye_rules import InputError, load_profile, parse_profile


def test_chinese_names_and_labels_are_accepted():
    p = parse_profile({"申请人类型": "个人", "身份": "高校毕业生、退役军人", "毕业时间": dt.date(2022, 7, 1),
                       "吸纳就业人数": 3})
    assert p.kind == "individual"
    assert p.identities == frozenset({"college_graduate", "veteran"})
    assert p.employees == 3


def write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, line, words", [
    ("kind: individual\nemployees: many\n", 2, ["employees", "many"]),
    ("kind: individual\ngraduation_date: 2023-02-30\n", 2, ["graduation_date"]),
    ("kind: individual\nidentities: [宇航员]\n", 2, ["宇航员", "可选"]),
    ("kind: individual\nemployes: 3\n", 2, ["employes", "employees"]),
    ("kind: individual\ntechnology_purchase_amount: .nan\n", 2, ["有限数字"]),
    ("kind: individual\ntechnology_purchase_amount: 1e30\n", 2, ["过大"]),
    ("kind: individual\ntechnology_purchase_amount: -5\n", 2, ["负数"]),
    ("kind: individual\ngraduation_date: 1850-01-01\n", 2, ["1900"]),
    ("kind: [unclosed\n", 2, ["YAML"]),
    ("- a\n- b\n", 1, ["映射"]),
])
def test_bad_profiles_name_the_line_and_field(tmp_path, text, line, words):
    with pytest.raises(InputError) as info:
        load_profile(write(tmp_path, text))
    problem = info.value.problems[0]
    assert problem.line == line, problem.format()
    for word in words:
        assert word in problem.format()


def test_personal_id_is_masked_in_errors(tmp_path):
    path = write(tmp_path, "kind: individual\nid_number: 340602199001011234\nemployees: x\n")
    with pytest.raises(InputError) as info:
        load_profile(path)
    assert "340602199001011234" not in str(info.value)


def test_json_profiles(tmp_path):
    p = load_profile(write(tmp_path, '{"kind": "enterprise", "technology_purchase_amount": "3000000"}', "p.json"))
    assert p.technology_purchase_amount == D(3000000)


@pytest.mark.parametrize("word, value", [("是", True), ("否", False), ("yes", True), ("无", False), (True, True)])
def test_yes_and_no_as_people_write_them(word, value):
    assert parse_profile({"首次创业": word}).first_time_business is value


def test_a_word_that_is_neither_yes_nor_no_is_an_error():
    with pytest.raises(InputError, match="首次创业"):
        parse_profile({"首次创业": "也许"})


@pytest.mark.parametrize("text", ["2023-06-30", "2023/6/30", "2023.6.30", "20230630", "2023年6月30日"])
def test_dates_as_people_write_them_the_same_as_in_batch_lists(text):
    assert parse_profile({"毕业时间": text}).graduation_date == dt.date(2023, 6, 30)


def test_an_impossible_date_in_another_spelling_is_still_an_error():
    with pytest.raises(InputError, match="毕业时间"):
        parse_profile({"毕业时间": "2023/2/30"})


@pytest.mark.parametrize("fast", ["", "1"])
def test_a_profile_saved_as_gb18030_reads_as_the_utf8_one(tmp_path, fast):
    """Notepad's "ANSI" on a Chinese Windows is GBK: such a profile was refused ("not UTF-8"), though batch reads
    such lists. It now gives exactly the UTF-8 profile's answer, on check's fast path and its ordinary one."""
    import json
    import os
    import subprocess
    import sys

    text = "申请人类型: 个人\n城市: 淮北\n身份: [高校毕业生, 返乡人员]\n毕业时间: 2023年7月1日\n"
    (tmp_path / "utf8.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "gbk.yaml").write_bytes(text.encode("gb18030"))
    assert load_profile(tmp_path / "gbk.yaml") == load_profile(tmp_path / "utf8.yaml")
    env = {**os.environ, "CHUANGYE_NO_FAST": fast}
    answers = [subprocess.run([sys.executable, "-m", "chuangye_rules", "check", str(tmp_path / name), "--as-of",
                               "2024-06-01", "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
               for name in ("gbk.yaml", "utf8.yaml")]
    assert all(a.returncode == 0 for a in answers), answers[0].stderr
    assert json.loads(answers[0].stdout) == json.loads(answers[1].stdout)
    assert any(b["status"] == "eligible" for c in json.loads(answers[0].stdout)["cities"] for b in c["benefits"])
