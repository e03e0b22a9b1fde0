"""The spark-submit entry point's own argument handling, which needs neither Spark nor Java: bad options are
located problems and exit 2 (Chinese by default, English with --lang en), never a traceback; the Spark run
itself is in tests/test_spark.py."""

import pytest

from chuangye_rules.spark.submit import main

BAD = [
    (["list.csv", "-o", "out", "--as-of", "2024-13-01"], "不是有效日期", "is not a valid date"),
    (["list.csv", "-o", "out", "--param", "minimum_wage=abc"], "应写作 NAME=数值", "should be NAME=number"),
    (["list.csv"], "需要输出目录 -o", "an output folder -o is needed"),
]


@pytest.mark.parametrize("argv, zh, en", BAD)
def test_a_bad_option_is_a_message_and_exit_2(argv, zh, en, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    said = capsys.readouterr().err
    assert zh in said and "Traceback" not in said
    assert main(argv + ["--lang", "en"]) == 2
    assert en in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written
