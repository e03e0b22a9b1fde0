"""Resource limits: safe defaults in one place (chuangye_rules/limits.py), each overridable by an environment
variable, each enforced with a message that names the variable to raise it."""

from pathlib import Path

import pytest

from chuangye_rules import InputError
from chuangye_rules.base import limits
from chuangye_rules.batch.runner import run_batch
from chuangye_rules.rules.profile import load_profile

HEADER = "编号,城市,申请人类型"


def test_the_defaults():
    assert limits.current() == limits.Limits()
    d = limits.DEFAULTS
    assert (d.max_file_mb, d.max_depth, d.max_nodes, d.max_row_kb, d.max_columns, d.max_xlsx_mb, d.chunk_mb,
            d.chunk_rows) == (5, 200, 500_000, 1024, 1000, 1024, 16, 100_000)
    assert d.max_file_bytes == 5 * 1024 * 1024 and d.max_row_bytes == 1024 * 1024


def test_each_limit_has_its_environment_variable(monkeypatch):
    for name, value in (("max_file_mb", "0.5"), ("max_depth", "7"), ("max_nodes", "99"), ("max_row_kb", "2"),
                        ("max_columns", "3"), ("max_xlsx_mb", "1.5"), ("chunk_mb", "0.25"), ("chunk_rows", "10")):
        monkeypatch.setenv(limits.env_name(name), value)
    assert limits.current() == limits.Limits(0.5, 7, 99, 2, 3, 1.5, 0.25, 10)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "1e999"])
def test_a_bad_value_is_an_input_error_naming_the_variable(monkeypatch, tmp_path, chuangye, value):
    monkeypatch.setenv("CHUANGYE_MAX_DEPTH", value)
    with pytest.raises(InputError, match="CHUANGYE_MAX_DEPTH"):
        limits.current()
    path = tmp_path / "p.yaml"
    path.write_text("kind: individual\n", encoding="utf-8")
    code, out, err = chuangye("check", path)
    assert code == 2 and "CHUANGYE_MAX_DEPTH" in err and "Traceback" not in err


def test_the_file_size_limit(monkeypatch, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("kind: individual\nname: " + "x" * 3000 + "\n", encoding="utf-8")
    load_profile(path)
    monkeypatch.setenv("CHUANGYE_MAX_FILE_MB", "0.001")
    with pytest.raises(InputError, match="CHUANGYE_MAX_FILE_MB") as info:
        load_profile(path)
    assert "文件过大" in str(info.value)


def test_the_depth_and_size_limits(monkeypatch, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("kind: individual\nidentities: [[[[[a]]]]]\n", encoding="utf-8")
    monkeypatch.setenv("CHUANGYE_MAX_DEPTH", "4")
    with pytest.raises(InputError, match="嵌套过深") as info:
        load_profile(path)
    assert info.value.problems[0].line == 2
    monkeypatch.delenv("CHUANGYE_MAX_DEPTH")
    path.write_text("kind: individual\nidentities: [" + ", ".join(["高校毕业生"] * 50) + "]\n", encoding="utf-8")
    load_profile(path)
    monkeypatch.setenv("CHUANGYE_MAX_NODES", "20")
    with pytest.raises(InputError, match="内容过多"):
        load_profile(path)


def test_a_higher_depth_limit_still_never_crashes(monkeypatch, tmp_path):
    """Raising the depth limit past what Python's recursion allows gives a message, not a RecursionError."""
    monkeypatch.setenv("CHUANGYE_MAX_DEPTH", "100000")
    path = tmp_path / "p.yaml"
    path.write_text("a: " + "[" * 990 + "]" * 990 + "\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_profile(path)


def test_the_row_and_column_limits(monkeypatch, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(f"{HEADER}\nA1,淮北,个人\n{'B' * 3000},淮北,个人\nA3,淮北,个人\n", encoding="utf-8")
    summary = run_batch(path, tmp_path / "out", city="huaibei")
    assert summary.rejected == 0
    monkeypatch.setenv("CHUANGYE_MAX_ROW_KB", "1")
    summary = run_batch(path, tmp_path / "out", city="huaibei", overwrite=True)
    assert (summary.read, summary.evaluated, summary.rejected) == (3, 2, 1)
    assert "CHUANGYE_MAX_ROW_KB" in (tmp_path / "out" / "errors.csv").read_text("utf-8-sig")
    monkeypatch.setenv("CHUANGYE_MAX_COLUMNS", "2")
    with pytest.raises(InputError, match="CHUANGYE_MAX_COLUMNS"):
        run_batch(path, tmp_path / "out", city="huaibei", overwrite=True)


def test_the_readme_documents_every_limit():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in ("max_file_mb", "max_depth", "max_nodes", "max_row_kb", "max_columns", "max_xlsx_mb", "chunk_mb",
                 "chunk_rows"):
        assert limits.env_name(name) in readme, name
        assert limits.env_name(name) in limits.__doc__, name
