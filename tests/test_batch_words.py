"""What a caseworker opens: `chuangye batch` writes Chinese column names and words by default, `--lang en` the
field names and codes (for programs), and an xlsx output opens ready to read (frozen header, widths, money as
numbers in yuan, no defusing apostrophe)."""
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chuangye_rules.cli import app
from chuangye_rules.render.i18n import OUTPUT_COLUMNS_ZH

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lists" / "applicants-gb18030.csv"


def run(*args) -> None:
    result = CliRunner().invoke(app, ["batch", str(EXAMPLE), "--as-of", "2024-06-01", *map(str, args)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    run("-o", folder / "zh")
    run("-o", folder / "en", "--lang", "en")
    return {lang: {name: pl.read_csv(folder / lang / f"{name}.csv", infer_schema=False)
                   for name in ("results", "applicants", "errors")} for lang in ("zh", "en")}


def test_chinese_headers_by_default_codes_with_lang_en(both):
    for name, frame in both["en"].items():
        assert both["zh"][name].columns == [OUTPUT_COLUMNS_ZH[c] for c in frame.columns], name
        assert both["zh"][name].height == frame.height
    assert both["zh"]["results"].columns[:7] == ["行号", "编号", "城市", "待遇标识", "待遇名称", "类别", "状态"]


def test_chinese_words_for_every_code(both):
    zh, en = both["zh"]["results"], both["en"]["results"]
    assert set(en["status"]) <= {"eligible", "needs_info"} and set(zh["状态"]) <= {"符合条件", "需补充信息"}
    assert set(zh["城市"]) <= {"淮北", "六安", "鄂尔多斯", "青岛", "威海"}
    for column in ("类别", "金额类型", "发放方式", "状态", "城市"):
        assert not any(re.fullmatch(r"[a-z_]+", v or "") for v in zh[column]), column
    # the benefit id stays the code in both: it is what `chuangye explain` takes
    assert zh["待遇标识"].to_list() == en["benefit_id"].to_list()
    # the missing facts by their Chinese names, in the same order as the codes
    pairs = [(a, b) for a, b in zip(zh["缺少的信息"], en["missing_facts"]) if b]
    assert pairs and all(a.count("；") == b.count(";") for a, b in pairs)
    assert not any(re.search(r"[a-z]_[a-z]", a) for a, _ in pairs), "fields and parameters by their names"
    # the amounts are the same figures
    assert zh["金额（元）"].to_list() == en["amount_value"].to_list()
    assert both["zh"]["applicants"]["确定金额合计（元）"].to_list() == both["en"]["applicants"]["exact_total"].to_list()


def test_the_library_default_is_the_codes(tmp_path):
    import datetime as dt

    from chuangye_rules.batch.runner import run_batch

    run_batch(EXAMPLE, tmp_path / "out", as_of=dt.date(2024, 6, 1))
    assert (tmp_path / "out" / "results.csv").read_text("utf-8-sig").startswith("row,applicant_id,city,")


def test_an_xlsx_opens_ready_to_read(tmp_path):
    from decimal import Decimal

    from chuangye_rules.batch.runner import write_xlsx

    frame = pl.DataFrame({"编号": ["=1+1", "@SUM(A1)", "普通"], "金额（元）": [Decimal("5000.00"), None, Decimal("12.34")]},
                         schema_overrides={"金额（元）": pl.Decimal(38, 2)})
    write_xlsx(frame, tmp_path / "t.xlsx")
    with zipfile.ZipFile(tmp_path / "t.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet, "the header row stays in view"
    assert re.search(r'<col min="1" max="1" width="\d+', sheet) and 'customWidth="1"' in sheet
    assert "&quot; 元&quot;" in styles, "money in a yuan number format"
    assert re.search(r'<c r="B2" s="\d+"><v>5000</v></c>', sheet), "money as a number, not as text"
    assert "<f>" not in sheet, "no cell is a formula"
    assert "=1+1" in strings and "'=1+1" not in strings, "a string cell needs no apostrophe"


def test_batch_xlsx_outputs_in_chinese(tmp_path):
    run("-o", tmp_path / "x", "--format", "xlsx")
    frame = pl.read_excel(tmp_path / "x" / "results.xlsx")
    assert frame.columns[:3] == ["行号", "编号", "城市"] and set(frame["状态"]) <= {"符合条件", "需补充信息"}
    assert frame.schema["金额（元）"].is_numeric()
