"""Messages made bilingual reach the user in the language asked for: the command line's `--lang en` and the
HTTP API's `message_en` (issue 16). In-process (typer's CliRunner, FastAPI's TestClient), one row per message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chuangye_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "examples" / "profiles" / "huaibei-returnee-graduate.yaml"
LIST = ROOT / "examples" / "lists" / "applicants-gb18030.csv"

# (arguments, a fragment of the Chinese message, of the English one)
COMMANDS = [
    (["batch", "no-such-list.csv"], "找不到输入文件", "the input file does not exist"),
    (["batch", str(LIST), "--format", "pdf"], "不支持的格式 pdf", "unknown format pdf"),
    (["check", str(PROFILE), "--param", "no_such=1"], "没有名为 no_such 的参数", "there is no parameter called no_such"),
    (["check", str(PROFILE), "--city", "atlantis"], "没有城市 'atlantis' 的规则库", "no rulebook for the city 'atlantis'"),
    (["sql", "huaibei", "--dialect", "mysql", "--as-of", "2024-06-01"], "准确写成 mysql 查询",
     "cannot write benefit huaibei.startup_talent_referral_reward exactly as a mysql query"),
    (["compare", str(LIST), "--set", "huaibei.no_such.amount=1"], "没有待遇 huaibei.no_such",
     "there is no benefit huaibei.no_such"),
    (["check", str(PROFILE), "--bad"], "没有选项 --bad", "no option --bad"),
    (["sql", "--dialect", "oracle"], "的取值 oracle无效（可选：duckdb", "the value oracle of --dialect is not valid"),
]


def _run(args: list[str]):
    """As `chuangye` runs: main() (which words typer's own command-line errors), with the arguments in sys.argv;
    (exit code, what it printed on stdout and stderr)."""
    import contextlib
    import io
    import sys
    from types import SimpleNamespace
    from unittest import mock

    from chuangye_rules.cli import main

    out = io.StringIO()
    with mock.patch.object(sys, "argv", ["chuangye", *args]), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(out), pytest.raises(SystemExit) as ended:
        main()
    return SimpleNamespace(exit_code=ended.value.code, output=out.getvalue())


@pytest.mark.parametrize("args, chinese, english", COMMANDS, ids=[" ".join(a[:1] + a[2:]) for a, _, _ in COMMANDS])
def test_a_command_says_it_in_chinese_and_with_lang_en_in_english(args, chinese, english, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    zh, en = _run(args), _run(args + ["--lang", "en"])
    assert zh.exit_code == en.exit_code == 2, zh.output + en.output
    assert chinese in zh.output and english not in zh.output
    assert english in en.output and chinese not in en.output


API = [
    ("get", "/rulebooks/huaibei/benefits/no_such_benefit", None, 404, "has no benefit 'no_such_benefit'"),
    ("get", "/rulebooks/atlantis", None, 404, "no rulebook for the city 'atlantis'"),
    ("post", "/evaluate", {"profile": {"kind": "individual"}, "city": "atlantis"}, 422, "no rulebook for the city"),
    ("post", "/evaluate", {"profile": {"kind": "individual"}, "city": "huaibei", "parameters": {"no_such": 1}}, 422,
     "there is no parameter 'no_such'"),
]


@pytest.mark.parametrize("method, path, body, status, english", API, ids=[row[1] + str(row[2]) for row in API])
def test_the_api_gives_each_problem_in_english_too(method, path, body, status, english):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from chuangye_rules.web.server import create_app

    client = TestClient(create_app())
    response = getattr(client, method)(path, **({"json": body} if body is not None else {}))
    assert response.status_code == status, response.text
    problems = response.json()["problems"]
    assert any(english in (p.get("message_en") or "") for p in problems), problems
    assert all(p["message"] != p.get("message_en") for p in problems)


def test_a_failing_case_file_is_told_in_both_languages(tmp_path):
    cases = tmp_path / "cases.yaml"
    cases.write_text("rulebook: huaibei\ncases:\n  - name: 一个用例\n    as_of: 2024-06-01\n    profile: {kind: individual}\n"
                     "    expect: {no_such_benefit: eligible}\n", encoding="utf-8")
    zh = CliRunner().invoke(app, ["test", str(cases)])
    en = CliRunner().invoke(app, ["test", str(cases), "--lang", "en"])
    assert zh.exit_code == en.exit_code == 1
    assert "规则库中没有这项待遇" in zh.output and "the rulebook has no such benefit" in en.output


def test_the_batch_summary_is_told_in_the_language_asked_for(tmp_path):
    zh = CliRunner().invoke(app, ["batch", str(LIST), "-o", str(tmp_path / "zh"), "--as-of", "2024-06-01"])
    en = CliRunner().invoke(app, ["batch", str(LIST), "-o", str(tmp_path / "en"), "--as-of", "2024-06-01", "--lang", "en"])
    assert zh.exit_code == en.exit_code == 0, zh.output + en.output
    assert "读取 15 行 = 评估 12 行 + 拒绝 3 行" in zh.output
    assert "read 15 rows = 12 evaluated + 3 rejected" in en.output and "读取" not in en.output


def test_an_amounts_english_texts_are_shown_with_lang_en_and_the_chinese_without():
    """set_by_en (who sets a figure the document does not state), a part's label_en and a parameter's
    description_en are what --lang en shows; Chinese keeps the document's words; with no English text the
    document's own words are shown (there is nothing else to say what it means)."""
    import datetime as dt
    from decimal import Decimal

    from pydantic import TypeAdapter

    from chuangye_rules.engine.amounts import compute_amount
    from chuangye_rules.render.words import amount_description, amount_text, parameter_labels
    from chuangye_rules.rules.amountmodels import Amount
    from chuangye_rules.rules.schema import Parameter

    rule = TypeAdapter(Amount).validate_python
    day = dt.date(2024, 6, 1)
    stated = compute_amount(rule({"kind": "not_stated", "set_by": "省有关规定", "set_by_en": "the province's rules"}),
                            {}, day, {}, {})
    assert amount_text(stated, "en") == "not stated (set by the province's rules)"
    assert amount_text(stated, "zh") == "未列明（按省有关规定）"
    assert "set by the province's rules" in amount_description(stated, "en")
    bare = compute_amount(rule({"kind": "not_stated", "set_by": "省有关规定"}), {}, day, {}, {})
    assert amount_text(bare, "en") == "not stated (set by 省有关规定)"
    parts = compute_amount(rule({"kind": "parts", "parts": [
        {"label": "生活补贴", "label_en": "living allowance", "amount": {"kind": "fixed", "value": 1000}},
        {"label": "启动资金", "amount": {"kind": "fixed", "value": 2000}}]}), {}, day, {}, {})
    assert amount_description(parts, "en").startswith("living allowance: ") and "启动资金: " in amount_description(parts, "en")
    assert amount_description(parts, "zh").startswith("生活补贴")
    wage = Parameter(description="月最低工资标准", description_en="the monthly minimum wage", source="某文件")
    formula = compute_amount(rule({"kind": "formula", "description": "月最低工资标准 × 6",
                                   "factors": [{"parameter": "wage"}, {"number": Decimal(6)}]}), {}, day, {"wage": wage}, {})
    assert parameter_labels(formula, "en")["wage"].startswith("the monthly minimum wage")
    assert parameter_labels(formula, "zh")["wage"].startswith("月最低工资标准")
    assert "the monthly minimum wage" in amount_text(formula, "en")


def test_every_amount_of_the_bundled_rulebooks_reads_in_english(books):
    """With --lang en an amount's words — what an in-kind benefit grants, who sets a figure the document does not
    state, the parts' names, a missing parameter — are the rulebooks' English, not the document's Chinese. A
    document number (鄂财社发〔2022〕79号) is a name and stays as it is written."""
    import datetime as dt
    import re

    from chuangye_rules.engine.amounts import compute_amount
    from chuangye_rules.render.words import amount_description, amount_formula, amount_text, parameter_labels

    chinese = re.compile(r"[\u4e00-\u9fff]")
    document_number = re.compile(r"[\u4e00-\u9fff]*〔\d{4}〕\d+号")
    seen = set()
    for book in books:
        for benefit in book.rulebook.benefits:
            amount = compute_amount(benefit.amount, {}, dt.date(2024, 6, 1), book.rulebook.parameters, {})
            texts = [amount_description(amount, "en"), amount_text(amount, "en"), amount_formula(amount, "en") or ""]
            texts += [label.split(" (")[0] for label in parameter_labels(amount, "en").values()]  # (its source: a title)
            for text in texts:
                assert not chinese.search(document_number.sub("", text)), f"{book.slug}.{benefit.id}: {text!r}"
            seen.add(amount.kind)
    assert {"in_kind", "not_stated", "formula"} <= seen


def test_the_benefit_list_names_the_lead_departments_in_the_language_asked_for():
    english = CliRunner().invoke(app, ["benefits", "--city", "huaibei", "--lang", "en"], env={"COLUMNS": "400"})
    chinese = CliRunner().invoke(app, ["benefits", "--city", "huaibei"], env={"COLUMNS": "400"})
    row = next(line for line in english.output.splitlines() if "jiebang_guashuai_project_subsidy" in line)
    assert "Municipal Science and Technology Bureau" in row and "市科技局" not in row
    assert "市科技局" in next(line for line in chinese.output.splitlines() if "jiebang_guashuai_project_subsidy" in line)
