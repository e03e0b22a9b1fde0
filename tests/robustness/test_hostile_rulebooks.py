"""Rulebooks (and the YAML reader every input shares) against hostile files: each is refused quickly, with a
located message in Chinese, a non-zero exit and no traceback — never expanded, executed or crashed on."""

import re
import shutil
import time
import tracemalloc
from pathlib import Path

import pytest

from chuangye_rules.authoring.validation import validate_paths
from chuangye_rules.base.problems import InputError
from chuangye_rules.rules.loading import inspect_rulebook, load_rulebook
from chuangye_rules.rules.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "broken_rulebooks"
BASELINE = (BROKEN / "baseline.yaml").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")
MARKER = "chuangye-pwned"


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic: each anchor is a list of `width` aliases to the previous one (9**9 values expanded)."""
    text = 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels + 1):
        text += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]\n"
    return text


def bomb_in_conditions() -> str:
    """A bomb where the schema would walk it: nested any: lists inside a benefit's conditions."""
    anchors = "x0: &c0 {field: employees, gte: 1}\n" + "".join(
        f"x{i}: &c{i} {{any: [{', '.join([f'*c{i - 1}'] * 9)}]}}\n" for i in range(1, 10))
    return anchors + BASELINE.replace("    conditions:\n      all:\n", "    conditions:\n      all:\n        - *c9\n", 1)


def nested_conditions(depth: int) -> str:
    inner = "{field: employees, gte: 1}"
    for i in range(depth):
        inner = f"{{{'all' if i % 2 else 'any'}: [{inner}]}}"
    return BASELINE.replace("    conditions:\n      all:\n", f"    conditions:\n      all:\n        - {inner}\n", 1)


CASES = {
    # name: (file content (str or bytes), problem code, words the first message must contain)
    "invalid_yaml": ("city: {slug: x\nbenefits: [\n", "yaml_syntax", ["YAML 语法错误"]),
    "billion_laughs": (billion_laughs(), "too_large", ["别名", "billion laughs"]),
    "bomb_in_conditions": (bomb_in_conditions(), "too_large", ["别名"]),
    "recursive_alias": ("a: &a [1, *a]\n", "too_large", ["循环引用"]),
    "nested_10000_flow": (nested_conditions(10_000), "too_large", ["嵌套过深"]),
    "nested_10000_brackets": ("[" * 10_000 + "]" * 10_000, "too_large", ["嵌套过深"]),
    "nested_300_block": ("".join("  " * i + "- \n" for i in range(300)) + "  " * 300 + "x\n", "too_large", ["嵌套过深"]),
    "python_object_apply": (f"city: !!python/object/apply:os.system ['touch {MARKER}']\n", "yaml_tag", ["YAML 标签"]),
    "python_object": ("city: !!python/object:os.system {}\n", "yaml_tag", ["YAML 标签"]),
    "python_object_new": (f"city: !!python/object/new:subprocess.Popen [['touch', '{MARKER}']]\n", "yaml_tag",
                          ["YAML 标签"]),
    "python_name": ("city: !!python/name:os.system\n", "yaml_tag", ["YAML 标签"]),
    "python_module": ("city: !!python/module:os\n", "yaml_tag", ["YAML 标签"]),
    "custom_tag": ("city: !include /etc/passwd\n", "yaml_tag", ["YAML 标签"]),
    "gbk_bytes": ("city: {slug: huaibei, zh: 淮北}\n".encode("gbk"), "not_utf8", ["UTF-8", "GBK"]),
    "latin1_bytes": (b"city: caf\xe9\n", "not_utf8", ["UTF-8"]),
    "pickle_bytes": (b"\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94.",
                     "not_utf8", ["UTF-8"]),
    "empty": ("", "empty_file", ["为空"]),
    "only_comments": ("# 这里什么也没有\n\n", "empty_file", ["为空"]),
    "only_bom": ("\ufeff", "empty_file", ["为空"]),
    "nul_character": ("city: a\x00b\n", "yaml_syntax", ["控制字符", "U+0000"]),
    "lone_surrogate": ('city: "\\ud800"\n', "yaml_syntax", ["Unicode"]),
    "number_of_5000_digits": ("city: " + "9" * 5000 + "\n", "invalid_value", ["数字过长"]),
    "list_as_key": ("? [a, b]\n: 1\n", "yaml_syntax", ["键不能是列表"]),
    "bad_merge": ("city: {<<: 5}\n", "yaml_syntax", ["合并键"]),
    "two_documents": ("a: 1\n---\nb: 2\n", "yaml_syntax", ["多个文档"]),
}


def write(folder: Path, name: str, content) -> Path:
    path = folder / f"{name}.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(BROKEN / "sources", tmp_path / "sources")
    return tmp_path


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_rulebook_is_refused_quickly_with_a_located_message(folder, name, monkeypatch):
    monkeypatch.chdir(folder)
    content, code, words = CASES[name]
    path = write(folder, name, content)
    started = time.perf_counter()
    book, problems = inspect_rulebook(path)
    assert time.perf_counter() - started < 2, "refused at once, never expanded or parsed to the end"
    assert book is None and problems, name
    first = problems[0]
    assert first.code == code, first.format()
    for word in words:
        assert word in first.format(), first.format()
    assert CJK.search(first.message), "Chinese first"
    if name not in ("empty", "only_comments", "only_bom"):
        assert first.line is not None, f"a message points at the line: {first.format()}"
    with pytest.raises(InputError):
        load_rulebook(path)
    assert not (folder / MARKER).exists()


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_file_as_a_profile_is_refused_too(folder, name):
    """Profiles go through the same YAML reader: the same protection, the same messages."""
    content, code, _ = CASES[name]
    path = write(folder, name, content)
    with pytest.raises(InputError) as info:
        load_profile(path)
    assert info.value.problems and CJK.search(info.value.problems[0].message)


@pytest.mark.parametrize("name", ["billion_laughs", "nested_10000_flow", "python_object_apply", "gbk_bytes", "empty",
                                  "nul_character", "invalid_yaml", "bomb_in_conditions"])
def test_validate_and_check_exit_non_zero_without_a_traceback(folder, name, chuangye):
    content, _, _ = CASES[name]
    path = write(folder, name, content)
    code, out, err = chuangye("validate", path)
    assert code in (1, 2), (code, out, err)
    assert "Traceback" not in out + err and "内部错误" not in out + err
    assert f"{name}.yaml:" in out
    code, out, err = chuangye("check", path, "--as-of", "2024-06-01")
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err and "内部错误" not in out + err
    assert not (folder / MARKER).exists()


def test_a_50_mb_rulebook_is_refused_by_the_size_limit_without_being_read(folder, chuangye):
    path = folder / "huge.yaml"
    line = "# " + "规则" * 40 + "\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(line * (50 * 1024 * 1024 // len(line.encode("utf-8")) + 1))
    assert path.stat().st_size >= 50 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        book, problems = inspect_rulebook(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert book is None and problems[0].code == "too_large"
    assert "文件过大" in problems[0].format() and "50.0 MB" in problems[0].format() and "上限 5 MB" in problems[0].format()
    assert peak < 12 * 1024 * 1024, f"read at most the limit, not the file ({peak} bytes held)"
    code, out, err = chuangye("validate", path)
    assert code == 2 and "文件过大" in out and "Traceback" not in out + err


def test_an_endless_device_is_not_read_forever(chuangye):
    """/dev/zero as a profile or rulebook: read up to the limit, then refused."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    code, out, err = chuangye("check", "/dev/zero")
    assert code == 2 and "文件过大" in err and "Traceback" not in err


def test_deep_but_allowed_conditions_load_evaluate_and_compile(folder, monkeypatch):
    """Nesting within the limit (60 levels of all/any, ~125 YAML levels) is a rulebook like any other: it
    loads, evaluates and compiles to columns without hitting any recursion limit."""
    import datetime as dt

    from chuangye_rules import evaluate, parse_profile
    from chuangye_rules.batch.compile import compile_rulebook

    monkeypatch.chdir(folder)
    path = write(folder, "deep", nested_conditions(60))
    book = load_rulebook(path)
    result = evaluate(parse_profile({"kind": "individual", "employees": 3}), [book], as_of=dt.date(2024, 6, 1))
    assert result.cities[0].benefits
    compile_rulebook(book.rulebook, dt.date(2024, 6, 1))


def test_aliases_that_stay_small_are_still_allowed(folder, monkeypatch):
    """Anchors and aliases are legitimate YAML: only their expanded size is limited."""
    monkeypatch.chdir(folder)
    text = BASELINE.replace("      lead: [市财政局, 市人力资源和社会保障局]", "      lead: &both [市财政局, 市人力资源和社会保障局]", 1)
    text = text.replace("      lead: [市人力资源和社会保障局]", "      lead: *both", 1)
    assert "*both" in text
    load_rulebook(write(folder, "aliases", text))


def test_the_whole_folder_is_reported_file_by_file(folder, monkeypatch):
    """One hostile file does not stop `validate` from reporting the others."""
    monkeypatch.chdir(folder)
    for name in ("billion_laughs", "gbk_bytes", "python_object_apply"):
        write(folder, name, CASES[name][0])
    (folder / "baseline.yaml").write_text(BASELINE, encoding="utf-8")
    report = validate_paths([folder])
    assert len(report.files) == 4
    assert {Path(p.file).stem for p in report.problems if p.severity == "error"} == {
        "billion_laughs", "gbk_bytes", "python_object_apply"}


def test_an_operator_without_a_value_is_a_located_problem(folder, monkeypatch):
    """`eq:` with nothing after it once passed the schema and crashed the checks (exit 3)."""
    monkeypatch.chdir(folder)
    text = BASELINE.replace("- {field: first_time_business, eq: true,", "- {field: first_time_business, eq: null,", 1)
    report = validate_paths([write(folder, "no_value", text)])
    first = report.problems[0]
    assert "运算符 eq 后面没有写值" in first.format() and first.line is not None


CASE_FILES = {
    "cases_not_a_list": ("rulebook: ordos\ncases: 5\n", "cases 应为用例的列表"),
    "expect_not_a_mapping": ("rulebook: ordos\ncases:\n  - {name: a, as_of: 2024-06-01, profile: {kind: individual}, "
                             "expect: [x]}\n", "expect 应为"),
    "expectation_a_number": ("rulebook: ordos\ncases:\n  - {name: a, as_of: 2024-06-01, profile: {kind: individual}, "
                             "expect: {x: 5}}\n", "期望应为状态"),
    "parameter_not_a_number": ("rulebook: ordos\ncases:\n  - {name: a, as_of: 2024-06-01, profile: {kind: individual}, "
                               "expect: {x: eligible}, parameters: {p: abc}}\n", "parameters 的值"),
    "parameter_nan": ("rulebook: ordos\ncases:\n  - {name: a, as_of: 2024-06-01, profile: {kind: individual}, "
                      "expect: {x: eligible}, parameters: {p: .nan}}\n", "parameters 的值"),
    "profile_a_list": ("rulebook: ordos\ncases:\n  - {name: a, as_of: 2024-06-01, profile: [1], expect: {x: eligible}}\n",
                       "profile 应为"),
    "missing_not_a_list": ("rulebook: ordos\ncases:\n  - {name: a, as_of: 2024-06-01, profile: {kind: individual}, "
                           "expect: {one_time_startup_subsidy: {status: eligible, missing: 5}}}\n", "missing 应为"),
}


@pytest.mark.parametrize("name", sorted(CASE_FILES))
def test_a_broken_case_file_is_reported_not_crashed_on(tmp_path, chuangye, name):
    """`chuangye test` reads YAML case files too: a wrong shape is a located message and exit 2."""
    text, words = CASE_FILES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = chuangye("test", path)
    assert code == 2, (code, out, err)
    assert words in err and (f"{name}.yaml:3" in err or f"{name}.yaml:2" in err), err
    assert "内部错误" not in err
