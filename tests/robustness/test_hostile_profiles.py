"""Profiles against wrong and absurd values: each refused with the field, the line and a Chinese reason — never
guessed at (true as the count 1, a number as a date), never a crash."""

import datetime as dt
import json
import re

import pytest

from chuangye_rules import InputError, evaluate, load_profile, parse_profile

CJK = re.compile(r"[\u4e00-\u9fff]")

YAML_CASES = [
    # (profile text, line of the first problem, words its message must contain)
    ("kind: individual\nemployees: many\n", 2, ["employees", "整数"]),
    ("kind: individual\nemployees: true\n", 2, ["employees", "true/false"]),
    ("kind: individual\nemployees: [1, 2]\n", 2, ["employees"]),
    ("kind: individual\nemployees: {a: 1}\n", 2, ["employees"]),
    ("kind: individual\nemployees: 3.5\n", 2, ["不能有小数"]),
    ("kind: individual\nemployees: -1\n", 2, ["负数"]),
    ("kind: individual\nemployees: 1000000000000000000000000000000\n", 2, ["过大"]),
    ("kind: 5\n", 1, ["kind", "文本"]),
    ("kind: [individual]\n", 1, ["kind"]),
    ("kind: individual\nidentities: 5\n", 2, ["identities", "列表"]),
    ("kind: individual\nidentities: {a: 1}\n", 2, ["identities", "列表"]),
    ("kind: individual\nidentities: [宇航员]\n", 2, ["宇航员", "可选"]),
    ("kind: individual\ntechnology_purchase_amount: 1e30\n", 2, ["过大"]),
    ("kind: individual\ntechnology_purchase_amount: 1.0e+30\n", 2, ["过大"]),
    ("kind: individual\ntechnology_purchase_amount: .nan\n", 2, ["有限数字"]),
    ("kind: individual\ntechnology_purchase_amount: .inf\n", 2, ["有限数字"]),
    ("kind: individual\ntechnology_purchase_amount: -.inf\n", 2, ["有限数字"]),
    ("kind: individual\ntechnology_purchase_amount: -5\n", 2, ["负数"]),
    ("kind: individual\ntechnology_purchase_amount: 0.001\n", 2, ["两位小数"]),
    ("kind: individual\ntechnology_purchase_amount: true\n", 2, ["true/false"]),
    ("kind: individual\ngraduation_date: 2023-02-30\n", 2, ["不存在"]),
    ("kind: individual\ngraduation_date: 2023-13-01\n", 2, ["graduation_date"]),
    ("kind: individual\ngraduation_date: 1899-12-31\n", 2, ["1900"]),
    ("kind: individual\ngraduation_date: 0001-01-01\n", 2, ["1900"]),
    ("kind: individual\ngraduation_date: 2101-01-01\n", 2, ["2100"]),
    ("kind: individual\ngraduation_date: 9999-12-31\n", 2, ["2100"]),
    ("kind: individual\ngraduation_date: 20230701\n", 2, ["2023-07-01"]),
    ("kind: individual\ngraduation_date: 1688169600\n", 2, ["不是数字"]),
    ("kind: individual\ngraduation_date: true\n", 2, ["true/false"]),
    ("kind: individual\ngraduation_date: 2023-07-01 10:30:00\n", 2, ["日期"]),
    ("kind: individual\nemployes: 3\n", 2, ["employes", "employees"]),
    ("kind: individual\n外星人: 是\n", 2, ["外星人", "未知字段"]),
    ("kind: individual\n1: 2\n", 2, ["未知字段"]),
    ("kind: individual\nnull: 2\n", 2, ["未知字段"]),
    ("kind: individual\n吸纳就业人数: 1\nemployees: 2\n", 3, ["重复"]),
    ("- kind: individual\n", 1, ["映射", "list"]),
    ("42\n", 1, ["映射", "int"]),
    ("个人\n", 1, ["映射", "str"]),
    ("~\n", 1, ["映射"]),
    ('applicant_id: "\\ud800"\n', 1, ["Unicode"]),
]


@pytest.mark.parametrize("text, line, words", YAML_CASES)
def test_a_bad_profile_names_the_line_field_and_reason(tmp_path, text, line, words):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_profile(path)
    problem = info.value.problems[0]
    assert problem.line == line, problem.format()
    assert CJK.search(problem.message), problem.format()
    for word in words:
        assert word in problem.format(), problem.format()


def test_unknown_fields_are_all_reported_not_ignored(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("kind: individual\nfoo: 1\nemployees: 2\nbar: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_profile(path)
    assert [(p.line, "foo" in p.message or "bar" in p.message) for p in info.value.problems] == [(2, True), (4, True)]


JSON_CASES = [
    ('{"kind": "individual", "technology_purchase_amount": NaN}', ["有限数字"]),
    ('{"kind": "individual", "technology_purchase_amount": Infinity}', ["有限数字"]),
    ('{"kind": "individual", "technology_purchase_amount": -Infinity}', ["有限数字"]),
    ('{"kind": "individual", "employees": ' + "9" * 5000 + "}", ["数字过长"]),
    ('{"kind": "individual", "employees": 1e400}', ["employees"]),
    ("[" * 100_000 + "]" * 100_000, ["嵌套过深"]),
    ('["kind", "individual"]', ["映射", "list"]),
    ("3.14", ["映射", "float"]),
    ('"individual"', ["映射", "str"]),
    ("null", ["映射"]),
    ('{"kind": "individual", "applicant_id": "\\ud800"}', ["Unicode"]),
    ('{"kind": "individual", "graduation_date": "2023-02-30"}', ["不存在"]),
    ('{"kind": "individual", "employees": 3', ["JSON 语法错误"]),
]


@pytest.mark.parametrize("text, words", JSON_CASES)
def test_bad_json_profiles(tmp_path, text, words):
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_profile(path)
    text = info.value.problems[0].format()
    assert CJK.search(text)
    for word in words:
        assert word in text, text


@pytest.mark.parametrize("value", [[1, 2], 42, "个人", None, 3.5, b"kind: individual"])
def test_the_library_refuses_a_profile_that_is_not_a_mapping(books, value):
    with pytest.raises(InputError, match="映射"):
        parse_profile(value)
    with pytest.raises(InputError, match="映射"):
        evaluate(value, books, as_of=dt.date(2024, 6, 1))


@pytest.mark.parametrize("index", [0, 1, 6, 14, 20, 27, 30, 35, 39])
def test_check_exits_2_without_a_traceback(tmp_path, chuangye, index):
    text = YAML_CASES[index][0]
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = chuangye("check", path, "--as-of", "2024-06-01")
    assert code == 2, (code, out, err)
    assert "p.yaml" in err and "Traceback" not in err and "内部错误" not in err


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_odd_but_valid_values_are_evaluated_and_printed(tmp_path, chuangye, fmt):
    """Valid yet unusual values — a NUL, emoji, 10,000 characters, the largest amounts and counts, the first
    and last dates — are evaluated and printed like any other."""
    profile = {
        "applicant_id": "A\x00😀" + "x" * 10_000, "kind": "enterprise", "city": "淮北",
        "technology_purchase_amount": "9999999999999.99", "employees": 999_999_999, "new_hires": 999_999_999,
        "business_registered_date": "1900-01-01", "graduation_date": "2100-12-31", "identities": "无",
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    code, out, err = chuangye("check", path, "--as-of", "2024-06-01", "--format", fmt, "--show-all")
    assert code == 0, err
    if fmt == "json":
        data = json.loads(out)
        assert data["cities"][0]["city"] == "huaibei"
    for lang in ("zh", "en"):
        code, out, err = chuangye("explain", path, "technology_purchase_subsidy", "--as-of", "2024-06-01", "--lang", lang)
        assert code == 0, err


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999999", "-5", "sNaN"])
def test_a_parameter_must_be_a_finite_number(tmp_path, chuangye, value):
    """`--param` reaches the arithmetic: NaN or an infinity once crashed it (exit 3), in check and in batch."""
    path = tmp_path / "p.yaml"
    path.write_text("kind: individual\ncity: 鄂尔多斯\ntraineeship_months: 3\n", encoding="utf-8")
    code, out, err = chuangye("check", path, "--as-of", "2024-06-01", "--param", f"nm_min_wage_class1_monthly={value}")
    assert code == 2 and "nm_min_wage_class1_monthly" in err and "内部错误" not in err, err
    listing = tmp_path / "list.csv"
    listing.write_text("编号,城市,申请人类型\nA,鄂尔多斯,个人\n", encoding="utf-8")
    code, out, err = chuangye("batch", listing, "-o", tmp_path / "out", "--param", f"nm_min_wage_class1_monthly={value}")
    assert code == 2 and "nm_min_wage_class1_monthly" in err and "内部错误" not in err, err
