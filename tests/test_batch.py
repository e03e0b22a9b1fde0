"""`chuangye batch`: reading real-world lists (GB18030, Excel, broken rows), accounting for every row,
safe outputs, and results identical to `check` for every row."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from chuangye_rules import InputError, evaluate, parse_profile
from chuangye_rules.batch import runner
from chuangye_rules.batch.columns import mask_text
from chuangye_rules.batch.runner import run_batch

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
AS_OF = dt.date(2024, 6, 1)
HEADER = "编号,城市,申请人类型,身份,毕业时间,注册登记日期,首次创业,正常经营,正常申报纳税,吸纳就业人数,身份证号"


def write(tmp_path, text: str, name="list.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    summary = run_batch(EXAMPLE, out, as_of=AS_OF)
    return summary, out


def test_the_gb18030_example_is_read_and_every_row_accounted_for(example_run):
    summary, out = example_run
    assert summary.encoding == "gb18030"
    assert (summary.read, summary.evaluated, summary.rejected) == (15, 12, 3)
    assert summary.balanced
    assert json.loads((out / "summary.json").read_text("utf-8"))["balanced"] is True
    errors = read(out / "errors.csv")
    assert sorted(errors["row"].cast(int).to_list()) == [7, 11, 16]
    assert set(errors["column"].to_list()) == {"身份", "毕业时间", ""}


def test_results_equal_check_for_every_row(example_run, books):
    """Every applicant × benefit in the results file matches `check` on the same facts."""
    _, out = example_run
    results = read(out / "results.csv")
    source = pl.read_csv(EXAMPLE, encoding="gb18030", infer_schema=False)
    header = {c: c for c in source.columns if c != "备注"}
    rejected = {"HB-0006", "OR-0004", "HB-0007"}
    compared = 0
    for record in source.to_dicts():
        if record["编号"] in rejected or record["编号"].startswith("="):
            continue
        facts = {k: v for k, v in record.items() if k in header and v not in (None, "")}
        facts = {k: (True if v == "是" else False if v == "否" else v) for k, v in facts.items()}
        if "身份" in facts:
            facts["身份"] = [] if facts["身份"] == "无" else facts["身份"].split("、")
        for key in ("毕业时间", "注册登记日期", "离岗创业开始日期"):
            if key in facts:
                facts[key] = dt.date(*map(int, facts[key].replace("/", "-").split("-")))
        profile = parse_profile(facts)
        expected = {(r.id): r for c in evaluate(profile, books, as_of=AS_OF).cities for r in c.benefits
                    if r.status.value in ("eligible", "needs_info")}
        got = results.filter(pl.col("applicant_id") == record["编号"])
        assert set(got["benefit_id"].to_list()) == set(expected), record["编号"]
        for row in got.to_dicts():
            r = expected[row["benefit_id"]]
            assert row["status"] == r.status.value
            assert row["amount_kind"] == r.amount.kind
            for key, value in (("amount_value", r.amount.value), ("amount_min", r.amount.min), ("amount_max", r.amount.max)):
                assert (None if row[key] in (None, "") else Decimal(row[key])) == value, (row, key)
            assert (row["missing_facts"] or "") == ";".join(r.missing_facts)
            compared += 1
    assert compared > 100


def test_outputs_neutralise_formulas_and_mask_ids(example_run):
    _, out = example_run
    applicants = read(out / "applicants.csv")
    assert "'=HYPERLINK(\"http://x\")" in applicants["applicant_id"].to_list()
    text = "".join(p.read_text("utf-8") for p in out.iterdir() if p.is_file())
    for secret in ("340602200001011234", "150602199001011234", "13912345678"):
        assert secret not in text


def test_budget_report(tmp_path):
    from chuangye_rules.batch.budget import Budget

    budget = Budget()
    run_batch(EXAMPLE, tmp_path, as_of=AS_OF, budget=budget)
    md = budget.markdown("报告")
    assert "按待遇" in md and "按牵头单位" in md and "与规划目标对照" in md
    line = budget.benefits[("huaibei", "technology_purchase_subsidy")]
    assert (line.eligible, line.exact_fen) == (1, 30_000_000)  # 10% of 3,000,000元 = 300,000元


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings_are_detected(tmp_path, encoding):
    path = write(tmp_path, HEADER + "\nA1,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,\n", encoding=encoding)
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF)
    assert (summary.read, summary.rejected) == (1, 0)
    assert summary.encoding == encoding


def test_broken_rows_are_rejected_with_row_and_reason(tmp_path):
    text = (HEADER + "\n"
            "A1,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,\n"       # fine
            "A2,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,,extra\n"  # too many cells
            'A3,鄂尔多斯,个人,"残疾人,退役军人",,2022-03-01,是,是,是,2,\n'  # a quoted list: fine
            "A4,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,也许,2,\n"      # not a yes/no
            "A5,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,-3,\n"       # negative count
            "A6,鄂尔多斯,个人,残疾人\x00,,2022-03-01,是,是,是,2,\n"     # NUL
            'A7,鄂尔多斯,个人,"残疾人,,2022-03-01,是,是,是,2,\n'       # unclosed quote
            "A8,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,\n"        # fine again after it
            "A9,鄂尔多斯,个人,残疾人,,2022-03")                        # truncated last line
    for lang, words in (("zh", ["12 个单元格", "是/否", "非负整数", "空字符", "引号", "截断"]),
                        ("en", ["12 cells", "yes/no", "whole number", "NUL", "quote", "cut off"])):
        # errors.csv's reasons in the run's language (--lang): the same rows, every reason in Chinese and English
        summary = run_batch(write(tmp_path, text), tmp_path / lang, as_of=AS_OF, lang=lang)
        errors = read(tmp_path / lang / "errors.csv")
        assert summary.balanced and (summary.read, summary.evaluated) == (9, 3)
        rows, reasons = errors.columns[0], errors.columns[3]  # 行号 / row, 原因 / reason
        reasons = dict(zip(errors[rows].cast(int).to_list(), errors[reasons].to_list()))
        assert [(row, word in reasons[row]) for row, word in zip((3, 5, 6, 7, 8, 10), words)] == [
            (row, True) for row in (3, 5, 6, 7, 8, 10)], (lang, reasons)


MESSY_ROWS = [  # good and bad spellings of every kind of cell, each repeated so columns have few distinct values
    "A{i},淮北,个人, 高校毕业生、退役军人 , 2023年6月30日 ,{day},  是 ,否,是,12,",
    "A{i},淮北市,个体工商户,无,2023/6/30,20220301,1,0,true,0,",
    "A{i},鄂尔多斯,企业,外星人,2023-06-30,2022-03-01,是,是,是,很多,",
    "A{i},火星,个人,残疾人,2023-02-30,2022-03-01,也许,是,是,3,",
    "A{i},,个人,残疾人,1850-01-01,45000,是,是,是,-3,",
    "A{i},青岛,学生,退役军人|残疾人,,,,,,,",
]


def test_columns_typed_by_distinct_values_equal_cell_by_cell(tmp_path, monkeypatch):
    """A column of few distinct values is typed once per value and mapped back: the rows, values and error
    rows must be exactly those of typing every cell."""
    from chuangye_rules.batch import columns
    from chuangye_rules.rules.loading import load_rulebooks

    day = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(300)]  # a new date in every block
    lines = [MESSY_ROWS[i % len(MESSY_ROWS)].format(i=i, day=day[i]) for i in range(300)]
    path = write(tmp_path, HEADER + "\n" + "\n".join(lines) + "\n")
    monkeypatch.setenv("CHUANGYE_CHUNK_MB", "0.004")  # 4 kB blocks: values learnt in one block, reused later
    cities = runner.cell_cities(load_rulebooks(None))

    def parse(limit):
        monkeypatch.setattr(columns, "KNOWN_LIMIT", limit)
        names, chunks = columns.iter_csv(path, "utf-8")
        known = {}
        return [columns.parse_chunk(raw, columns.map_headers(names), cities, known) for raw in chunks]

    by_value, by_cell = parse(1000), parse(0)
    assert len(by_value) == len(by_cell) > 3
    for a, b in zip(by_value, by_cell):
        assert a.frame.equals(b.frame) and a.errors.equals(b.errors) and a.rejected == b.rejected
    a = pl.concat([p.frame for p in by_value])
    errors = pl.concat([p.errors for p in by_value])
    assert a.height == 100 and sum(p.rejected for p in by_value) == 200  # two spellings are good, the rest not
    assert set(errors["column"]) >= {"城市", "身份", "毕业时间", "首次创业", "吸纳就业人数", "申请人类型"}


def test_missing_facts_named_the_same_with_or_without_the_listed_masks(tmp_path, monkeypatch):
    """Missing facts travel as a bit mask and are named when written: from a list of every mask's text, or
    (when that list would be too long) once per distinct mask in the rows. Both must write the same file."""
    from chuangye_rules.batch import engine

    run_batch(EXAMPLE, tmp_path / "listed", as_of=AS_OF)
    monkeypatch.setattr(engine, "LISTED_MASKS", 0)
    run_batch(EXAMPLE, tmp_path / "distinct", as_of=AS_OF)
    listed = (tmp_path / "listed" / "results.csv").read_bytes()
    assert listed == (tmp_path / "distinct" / "results.csv").read_bytes()
    missing = read(tmp_path / "listed" / "results.csv")["missing_facts"].drop_nulls()
    assert missing.str.contains(";").any() and missing.len() > 10


def test_small_blocks_and_batches_give_the_same_rows_as_one_batch(tmp_path, monkeypatch):
    """Rows wait per city and are evaluated in batches (the first ones smaller) while earlier batches are
    written on another thread: however the list is cut, the outputs hold the same rows as one block, one batch."""
    lines = EXAMPLE.read_text("gb18030").splitlines()
    body = [line for _ in range(20) for line in lines[1:]]
    body += [",".join(["X%d" % i] + line.split(",")[1:3] + [""] + line.split(",")[4:]) for i, line in enumerate(lines[1:])]
    path = write(tmp_path, "\n".join([lines[0], *body]) + "\n")  # the last 15 rows name no city: every rulebook

    def rows(name):
        frame = read(tmp_path / name / "results.csv")
        return frame.sort(frame.columns), read(tmp_path / name / "applicants.csv").sort(["row", "city"])

    whole = run_batch(path, tmp_path / "whole", as_of=AS_OF)
    monkeypatch.setenv("CHUANGYE_CHUNK_MB", "0.004")
    cut = run_batch(path, tmp_path / "cut", as_of=AS_OF, chunk_rows=16)
    assert (whole.read, whole.evaluated, whole.result_rows) == (cut.read, cut.evaluated, cut.result_rows)
    assert whole.read == 315 and whole.evaluated > 200
    (a, b), (c, d) = rows("whole"), rows("cut")
    assert a.equals(c) and b.equals(d)
    assert b.filter(pl.col("applicant_id") == "X0")["city"].sort().to_list() == sorted(
        ["huaibei", "luan", "ordos", "qingdao", "weihai"])


def test_cells_quoted_in_advance_are_the_csv_polars_would_write(tmp_path, monkeypatch):
    """CSV results are written without polars checking each cell: the rulebook text is quoted once per benefit
    and ids once per applicant. The files must be byte for byte what polars' own quoting writes."""
    mini = (ROOT / "tests" / "fixtures" / "rulebooks" / "mini.yaml").read_text("utf-8")
    books = tmp_path / "books"
    shutil.copytree(ROOT / "tests" / "fixtures" / "rulebooks", books)
    (books / "mini.yaml").write_text(mini.replace("name: 孵化补贴", 'name: \'孵化补贴, "每户"\'')
                                     .replace("lead: [市人社局]", 'lead: ["市人社局,财政局", "-税务局"]'), "utf-8")
    ids = ["plain", "a,b", 'say "hi"', "two\nlines", "=1+1", "@x", "末尾\r"]
    rows = [f'"{i.replace(chr(34), chr(34) * 2)}",测试市,个人,残疾人,,2022-03-01,是,是,是,2,' for i in ids]
    path = write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n")
    run_batch(path, tmp_path / "ahead", as_of=AS_OF, rulebook_paths=[books])
    monkeypatch.setattr(runner, "PREQUOTE", False)
    run_batch(path, tmp_path / "polars", as_of=AS_OF, rulebook_paths=[books])
    for name in ("results.csv", "applicants.csv"):
        assert (tmp_path / "ahead" / name).read_bytes() == (tmp_path / "polars" / name).read_bytes(), name
    results = read(tmp_path / "ahead" / "results.csv")
    assert '孵化补贴, "每户"' in results["benefit_name"].to_list()
    assert set(results["applicant_id"]) >= {"a,b", 'say "hi"', "two\nlines", "'=1+1", "'@x"}


def test_a_row_in_another_encoding_is_rejected_not_fatal(tmp_path):
    good = (HEADER + "\nA1,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,\n").encode("utf-8")
    bad = "A2,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,\n".encode("gb18030")
    path = tmp_path / "mixed.csv"
    path.write_bytes(good + bad + "A3,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,\n".encode("utf-8"))
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF, encoding="utf-8", lang="zh")
    assert (summary.read, summary.evaluated, summary.rejected) == (3, 2, 1)
    assert "编码" in read(tmp_path / "out" / "errors.csv")["原因"][0]


def test_header_only_and_empty_files(tmp_path):
    summary = run_batch(write(tmp_path, HEADER + "\n"), tmp_path / "out", as_of=AS_OF)
    assert summary.read == 0 and (tmp_path / "out" / "results.csv").exists()
    with pytest.raises(InputError, match="为空"):
        run_batch(write(tmp_path, "", "empty.csv"), tmp_path / "out2", as_of=AS_OF)


def test_an_interrupted_run_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "evaluate_lazy", boom)
    with pytest.raises(KeyboardInterrupt):
        run_batch(EXAMPLE, tmp_path, as_of=AS_OF)
    assert sorted(os.listdir(tmp_path)) == []


def test_xlsx_in_and_out(tmp_path):
    pl.DataFrame({"编号": ["X1", "X2"], "城市": ["淮北", "鄂尔多斯"], "申请人类型": ["企业", "个人"],
                  "在本市实施科技成果转化或产业化": ["是", None], "购买先进技术成果实际支付额": ["3000000", None],
                  }).write_excel(tmp_path / "list.xlsx")
    summary = run_batch(tmp_path / "list.xlsx", tmp_path / "out", as_of=AS_OF, fmt="xlsx")
    assert (summary.read, summary.rejected) == (2, 0)
    results = pl.read_excel(tmp_path / "out" / "results.xlsx", infer_schema_length=0)
    row = results.filter(pl.col("benefit_id") == "technology_purchase_subsidy").to_dicts()[0]
    assert (row["status"], row["amount_value"]) == ("eligible", "300000")


def test_city_option_and_unknown_city(tmp_path):
    path = write(tmp_path, HEADER + "\nA1,火星,个人,残疾人,,2022-03-01,是,是,是,2,\nA2,,个人,残疾人,,2022-03-01,是,是,是,2,\n")
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF)
    assert (summary.evaluated, summary.rejected) == (1, 1)
    cities = set(read(tmp_path / "out" / "applicants.csv")["city"].to_list())
    assert cities == {"huaibei", "luan", "ordos", "qingdao", "weihai"}  # no city: every rulebook, as check does
    run_batch(path, tmp_path / "out2", as_of=AS_OF, city="ordos")
    assert set(read(tmp_path / "out2" / "applicants.csv")["city"].to_list()) == {"ordos"}


def test_mask_text():
    assert mask_text("身份证 340602199001011234 电话 13912345678") == "身份证 340*************34 电话 139****5678"


def test_cli_batch_prints_the_balance_and_never_an_id(tmp_path):
    out = subprocess.run([sys.executable, "-m", "chuangye_rules", "batch", str(EXAMPLE), "-o", str(tmp_path),
                          "--as-of", "2024-06-01", "--report"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "读取 15 行 = 评估 12 行 + 拒绝 3 行" in out.stdout
    assert (tmp_path / "report.md").exists()
    assert "340602200001011234" not in out.stdout + out.stderr


def test_cli_batch_refuses_a_hadoop_outdir_on_the_polars_engine(tmp_path):
    """hdfs://… is for --engine spark: the polars engine must not make a local folder called "hdfs:"."""
    out = subprocess.run([sys.executable, "-m", "chuangye_rules", "batch", str(EXAMPLE), "-o", "hdfs://nn/out"],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 2 and "只有 --engine spark 能写到那里" in out.stderr, out.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_show_columns():
    out = subprocess.run([sys.executable, "-m", "chuangye_rules", "batch", "--show-columns"], capture_output=True,
                         text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0 and "身份" in out.stdout and "毕业时间" in out.stdout


def test_fen_to_yuan_is_exact():
    import random

    from chuangye_rules.batch.runner import yuan_text

    rng = random.Random(0)
    fen = [rng.randint(0, 10**15) for _ in range(20000)] + [0, 1, 99, 100, 101, 10**15]
    out = pl.DataFrame({"f": pl.Series(fen, dtype=pl.Int64)}).select(yuan_text(pl.col("f")).alias("y"))["y"].to_list()
    assert all(Decimal(f) / 100 == y for f, y in zip(fen, out))


@pytest.mark.parametrize("cells, fen", [
    (["1200.5", "300", ""], [120050, 30000, None]),  # plain numbers: read as they are
    (["1,200.50", "800元", "￥3000", " 42 ", ""], [120050, 80000, 300000, 4200, None]),  # one odd cell: all cleaned
])
def test_money_cells_plain_or_written_as_people_write_them(tmp_path, books, cells, fen):
    """A money column is read as plain numbers first, and cleaned (separators, ¥, 元, spaces) only if some cell
    did not read so: either way each cell gets its exact fen, and a bad one rejects only its row."""
    from chuangye_rules.batch.columns import iter_csv, map_headers, parse_chunk

    rows = [f"A{i},淮北,个人,{'' if c == '' else chr(34) + c + chr(34)}" for i, c in enumerate(cells)]
    path = write(tmp_path, "编号,城市,申请人类型,个人承担的利息\n" + "\n".join(rows + ["B,淮北,个人,12.345"]) + "\n")
    names, chunks = iter_csv(path, "utf-8")
    parsed = [parse_chunk(raw, map_headers(names), runner.cell_cities(list(books))) for raw in chunks]
    good = pl.concat([p.frame for p in parsed])
    assert good["personal_interest_share"].to_list() == fen
    errors = pl.concat([p.errors for p in parsed])
    assert errors["value"].to_list() == ["12.345"] and errors["column"].to_list() == ["个人承担的利息"]


def test_a_formula_of_a_decimal_number_runs_in_batch_as_in_check(tmp_path):
    """What validate accepts, batch runs: a formula whose factor is a decimal-number field (and a percentage of
    one, a comparison with it) was a CompileError (exit 3). A number cell is held exactly (× 10^6): 12.5% and
    33.333333 give check's amounts to the fen."""
    folder = tmp_path / "rulebooks"
    shutil.copytree(ROOT / "tests" / "broken_rulebooks" / "sources", folder / "sources")
    text = (ROOT / "tests" / "broken_rulebooks" / "baseline.yaml").read_text(encoding="utf-8")
    text = text.replace("amount: {kind: fixed, value: 5000}", "amount: {kind: formula, description: 每个百分点333.33元, "
                        "factors: [{field: graduate_retention_rate, max: 60.5}, {number: 333.33}]}")
    text = text.replace("- {field: employees, gte: 1, label: 带动其他劳动者就业}",
                        "- {field: employees, gte: 1, label: 带动其他劳动者就业}\n"
                        "        - {field: graduate_retention_rate, gt: 0.0000005}")
    (folder / "ordos.yaml").write_text(text, encoding="utf-8")
    rates = ["12.5%", "33.333333", "61", "0.000001", "0", "-1.5"]
    rows = [f"A{i},鄂尔多斯,个人,残疾人,2022-03-01,是,2,{rate}" for i, rate in enumerate(rates)]
    path = write(tmp_path, "编号,城市,申请人类型,身份,注册登记日期,首次创业,吸纳就业人数,毕业生留本市就业率\n" + "\n".join(rows) + "\n")
    validate = subprocess.run([sys.executable, "-m", "chuangye_rules", "validate", str(folder / "ordos.yaml")],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    out = subprocess.run([sys.executable, "-m", "chuangye_rules", "batch", str(path), "-o", str(tmp_path / "out"),
                          "--as-of", "2024-06-01", "--lang", "en", "--rulebooks", str(folder)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    results = read(tmp_path / "out" / "results.csv").filter(pl.col("benefit_id") == "one_time_startup_subsidy")
    assert len(results) >= 3  # 12.5%, 33.333333 and 61 (capped at 60.5) are paid
    got = dict(zip(results["applicant_id"].to_list(), zip(results["status"].to_list(), results["amount_value"].to_list())))
    from chuangye_rules import load_rulebooks

    books = load_rulebooks([folder])
    for i, rate in enumerate(rates):
        profile = {"kind": "individual", "identities": ["disabled"], "business_registered_date": "2022-03-01",
                   "first_time_business": True, "employees": 2, "graduate_retention_rate": rate.rstrip("%")}
        r = evaluate(profile, books, as_of=AS_OF).cities[0].benefits[0]
        if r.status.value == "eligible":
            assert got[f"A{i}"][0] == "eligible" and Decimal(got[f"A{i}"][1]) == r.amount.value, (rate, got[f"A{i}"])
        else:
            assert f"A{i}" not in got, (rate, r.status)


@pytest.mark.parametrize("missing", ["pyspark", "sqlglot"])
def test_engine_spark_without_the_spark_extra_says_how_to_install_it(tmp_path, monkeypatch, capsys, missing):
    """A newcomer's `chuangye batch --engine spark` before `pip install '.[spark]'`: one line naming the install
    command, exit 2 — not an internal error about a missing module."""
    from chuangye_rules.cli.main import main

    monkeypatch.setitem(sys.modules, missing, None)  # import raises ImportError, as when it is not installed
    monkeypatch.setattr(sys, "argv", ["chuangye", "batch", str(EXAMPLE), "--engine", "spark", "-o", str(tmp_path / "o")])
    with pytest.raises(SystemExit) as end:
        main()
    err = capsys.readouterr().err
    assert end.value.code == 2 and "pip install '.[spark]'" in err and "内部错误" not in err, err
    assert not (tmp_path / "o").exists()
