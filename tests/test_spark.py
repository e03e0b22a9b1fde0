"""Spark gives the batch's answers: the spark-dialect query of `chuangye sql`, run by spark.sql() in a local
SparkSession over the random profiles of the equivalence test, returns every status, amount, missing fact and
exclusion of the polars engine; and `chuangye batch --engine spark` writes the polars engine's results.

One SparkSession for the whole file (local[2], no UI, few shuffle partitions). CI runs them (.ci/run installs the
spark extra and Java 17); skipped, with the reason, where pyspark or Java is missing (README, "Spark")."""

import datetime as dt
import json
import random
import shutil
from decimal import Decimal

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install '.[spark]')")
pytest.importorskip("duckdb")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java: no java on PATH (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from test_batch_equivalence import MINI  # noqa: E402
from test_sql import assert_rows_agree, expected_rows  # noqa: E402

from chuangye_rules import load_rulebooks, parse_profile  # noqa: E402
from chuangye_rules.batch.frames import frame_from_profiles  # noqa: E402
from chuangye_rules.batch.synthetic import interesting_values, random_facts  # noqa: E402
from chuangye_rules.spark.table import sql_table  # noqa: E402
from chuangye_rules.sql import rulebooks_query, write_sql  # noqa: E402
from chuangye_rules.sql.query import ALL_STATUSES  # noqa: E402

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

N = 300


@pytest.fixture(scope="session")
def spark():
    from chuangye_rules.spark.session import spark_session

    # ConvertToLocalRelation: the tests' applicants are an in-memory (local) relation, and Spark's optimizer would
    # evaluate the whole rulebook query over it row by row on the driver while planning (4.8 of huaibei's 5.7 s of
    # optimisation, RuleExecutor.dumpTimeSpent); the runs of `chuangye batch --engine spark` read Parquet, where
    # the rule never applies. Left out here, the query is compiled and run as it is on a real table.
    session = spark_session("local[2]", "chuangye-tests", conf={
        "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
        "spark.driver.memory": "1g",
        "spark.sql.optimizer.excludedRules": "org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def books():
    return [b.rulebook for b in load_rulebooks()] + [b.rulebook for b in load_rulebooks([MINI])]


def test_spark_sql_equals_polars_for_random_profiles(spark, books):
    """Every rulebook (the five bundled ones — huaibei's cumulative tiers, ordos's month shifts — and the
    fixture with an exclusion two applicants reach), every status, the query as `chuangye sql CITY --dialect
    spark` writes it, over the batch frame (sets as bits) turned into the SQL table by spark.table.sql_table.
    (One date: ~20 s of Spark, most of it the cold JVM compiling huaibei's query; tests/test_sql.py covers
    more dates, and the cities' union, on DuckDB.)"""
    as_of = dt.date(2024, 6, 1)
    rng = random.Random(f"spark {as_of}")
    interesting = interesting_values(books, as_of)
    profiles = [parse_profile(random_facts(rng, as_of, interesting)) for _ in range(N)]
    frame = frame_from_profiles(profiles, books)
    expected = expected_rows(books, frame, as_of)
    seen = {v[0] for v in expected.values()}  # not a vacuous comparison
    assert {"eligible", "needs_info", "excluded", "already_received", "not_eligible"} <= seen, seen
    table = sql_table(frame)
    spark.createDataFrame(table.to_arrow()).createOrReplaceTempView("applicants")
    rows = []
    for book in books:  # a query per city, as `chuangye sql CITY` writes it (DuckDB runs the union of all)
        query = rulebooks_query([book], as_of, "spark", columns=[c for c in table.columns if c != "city"],
                                statuses=ALL_STATUSES)
        rows += [tuple(r) for r in spark.sql(write_sql(query, "spark")).collect()]
    assert assert_rows_agree(rows, expected, ALL_STATUSES) == N * sum(len(b.benefits) for b in books)
    # the history's amounts reach the cumulative tiers: some huaibei referral reward is reduced by them
    paid = [v for k, v in expected.items() if k[2] == "startup_talent_referral_reward" and v[0] == "already_received"]
    assert paid


def test_batch_engine_spark_equals_the_polars_engine(spark, tmp_path):
    """`chuangye batch --engine spark` on bench/batch_bench.py's synthetic list (every city, 1% broken rows) as
    CSV and as Parquet: the same rows read, evaluated and rejected, the same errors, and results/ (Parquet by
    city) holding the polars engine's results rows (--lang en: status, amount kind and amounts, missing facts).
    One city (--city qingdao: Spark plans one city's query in seconds; every city is in the test above)."""
    import json
    import sys
    from pathlib import Path

    import polars as pl

    from chuangye_rules.batch.runner import run_batch
    from chuangye_rules.spark.runner import run_spark_batch

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from batch_bench import generate

    as_of = dt.date(2024, 6, 1)
    generate(600, tmp_path / "list.csv")
    lines = (tmp_path / "list.csv").read_bytes().splitlines(keepends=True)
    (tmp_path / "list.csv").write_bytes(b"".join(lines + lines[1:4]))  # three applicants listed twice
    pl.read_csv(tmp_path / "list.csv", infer_schema=False).write_parquet(tmp_path / "list.parquet")
    want = run_batch(tmp_path / "list.csv", tmp_path / "polars", as_of=as_of, lang="en", city="qingdao")
    assert want.rejected > 0 and want.result_rows > 600 and want.duplicate_ids == 3
    expected = pl.read_csv(tmp_path / "polars" / "results.csv", infer_schema=False)
    cols = ["row", "applicant_id", "city", "benefit_id", "status", "amount_kind", "amount_value", "amount_min",
            "amount_max", "missing_facts"]
    expected = expected.select(cols).sort(["row", "city", "benefit_id"])
    for name in ("list.csv", "list.parquet"):
        out = tmp_path / f"spark-{name}"
        got = run_spark_batch(tmp_path / name, out, as_of=as_of, spark=spark, city="qingdao")
        assert (got.read, got.evaluated, got.rejected) == (want.read, want.evaluated, want.rejected)
        shift = 1 if name == "list.parquet" else 0  # Parquet counts records from 1, CSV lines (the header is 1)
        assert got.duplicate_ids == want.duplicate_ids
        assert [[r + shift for r in group] for group in got.duplicate_rows] == want.duplicate_rows
        assert got.result_rows == want.result_rows
        assert json.loads((out / "summary.json").read_text("utf-8"))["balanced"] is True
        rows = pl.read_parquet(out / "results" / "**" / "*.parquet", hive_partitioning=True)
        rows = rows.with_columns(pl.col(pl.Decimal).cast(pl.String), pl.col("row").cast(pl.String)).select(cols)
        if name == "list.parquet":  # Parquet counts records from 1, CSV lines (the header is line 1)
            rows = rows.with_columns((pl.col("row").cast(pl.Int64) + 1).cast(pl.String))
        assert rows.sort(["row", "city", "benefit_id"]).equals(expected), name
        errors = pl.read_csv(out / "errors.csv")
        assert errors.height == pl.read_csv(tmp_path / "polars" / "errors.csv").height
    # luan's plan ended in 2020: no row to write, and an empty results/ rather than a failed run
    ended = run_spark_batch(tmp_path / "list.csv", tmp_path / "spark-luan", as_of=as_of, spark=spark, city="luan")
    assert ended.result_rows == 0 and ended.evaluated == want.evaluated
    assert sorted(p.name for p in (tmp_path / "spark-list.csv").iterdir()) == [
        ".chuangye-manifest.json", "benefits.csv", "errors.csv", "results", "summary.json"]
    # results/ holds codes; benefits.csv names each benefit (Chinese and English) for the platform to join on
    words = pl.read_csv(tmp_path / "spark-list.csv" / "benefits.csv", infer_schema=False)
    assert set(expected["benefit_id"]) <= set(words["benefit_id"]) and set(words["city"]) == {"qingdao"}
    named = dict(zip(words["benefit_id"], words["待遇名称"]))
    polars_names = pl.read_csv(tmp_path / "polars" / "results.csv", infer_schema=False)
    assert all(named[b] == n for b, n in zip(polars_names["benefit_id"], polars_names["benefit_name"]))


def test_batch_engine_spark_reads_a_catalog_table_without_a_row_column(spark, books, tmp_path):
    """`--table NAME`: a table of the data platform, typed as `chuangye sql` reads it and with no `row` column,
    gives the polars engine's answers applicant by applicant; Spark numbers its rows where they lie
    (monotonically_increasing_id), each number once, so the query needs no ROW_NUMBER() window (one task). Rows
    with a bad cell — one each: an unknown code, a set with an unknown code, a negative amount, an amount with a
    third decimal, a date out of range, a city with no rulebook, a personal number where a code should be, a
    history naming no benefit of the rulebooks — are
    rejected into errors.csv with the list reader's reasons (the number masked), never evaluated as facts."""
    import polars as pl

    from chuangye_rules.batch.columnar import ROW
    from chuangye_rules.spark.runner import run_spark_batch

    as_of = dt.date(2024, 6, 1)
    rng = random.Random(f"spark table {as_of}")
    interesting = interesting_values(books, as_of)
    profiles = [parse_profile(random_facts(rng, as_of, interesting)) for _ in range(120)]
    frame = frame_from_profiles(profiles, books)
    frame = frame.with_columns(pl.format("A{}", pl.col(ROW)).alias("applicant_id"))
    qingdao = [b for b in books if b.city.slug == "qingdao"]
    expected = {(f"A{key[0]}", key[2]): value for key, value in expected_rows(qingdao, frame, as_of).items()
                if value[0] in ("eligible", "needs_info")}
    assert len({v[0] for v in expected.values()}) == 2
    table = sql_table(frame).drop("row").with_columns(pl.lit("青岛").alias("city"))  # generated city cells are any text
    money = next(n for n, t in table.schema.items() if t == pl.Decimal(20, 2))
    table = table.with_columns(pl.col(money).cast(pl.Decimal(21, 3)))  # a platform's type with three places
    date = next(n for n, t in table.schema.items() if t == pl.Date)
    first = table.head(1).with_columns(pl.lit(None).alias(c) for c in table.columns)
    bad = [("kind", "robot"), ("identities", "|veteran|robot|"), (money, Decimal("-1")),
           (money, Decimal("1.005")), (date, dt.date(1850, 1, 1)), ("city", "合肥"), ("kind", "340602199001011234"),
           ("received", "|qingdao.no_such_benefit|")]
    rows = [first.with_columns(pl.lit(value, dtype=table.schema[name]).alias(name), pl.lit(f"B{i}").alias(
        "applicant_id")) for i, (name, value) in enumerate(bad)]
    # the id of the first applicant of each kind is a personal number: the results echo it masked
    some = sorted({key[0] for key in expected})[:5]  # applicants with results
    ids = dict(zip(some, ["34060219900101123X", "13912345678", "340602900101123", "340602 19900101 1234",
                          "+86 139-8765-4321"]))
    table = table.with_columns(pl.col("applicant_id").replace(ids))
    table = pl.concat([table, table.head(1), *rows])  # the first applicant listed twice: one repeated id
    masked = dict(zip(some, ["340*************3X", "139****5678", "340**********23", "340*************34",
                             "+86 139****4321"]))
    expected = {(masked.get(a, a), b): value for (a, b), value in expected.items()}
    spark.createDataFrame(table.to_arrow()).createOrReplaceTempView("chuangye_test_table")
    got = run_spark_batch(None, tmp_path / "out", as_of=as_of, spark=spark, city="qingdao",
                          table="chuangye_test_table")
    assert (got.read, got.evaluated, got.rejected) == (129, 121, 8)
    results = pl.read_parquet(tmp_path / "out" / "results" / "**" / "*.parquet", hive_partitioning=True)
    assert results.select(["row", "benefit_id"]).is_unique().all()
    have = {(r["applicant_id"], r["benefit_id"]): (
        r["status"], r["amount_kind"], r["amount_value"], r["amount_min"], r["amount_max"], r["missing_facts"],
        r["excluded_by"]) for r in results.to_dicts()}
    assert have == expected
    columns = [c for c in sql_table(frame).columns if c != "city"]  # the runner's, its row column included
    assert "ROW_NUMBER" not in write_sql(rulebooks_query(qingdao, as_of, "spark", columns=columns), "spark").upper()
    errors = pl.read_csv(tmp_path / "out" / "errors.csv", infer_schema=False)
    assert errors.columns == ["row", "column", "value", "reason"] and errors.height == 8
    said = dict(zip(errors["value"], errors["reason"]))
    assert "不是可选值" in said["robot"] and "不是可选值" in said["|veteran|robot|"]
    assert "不小于0" in said["-1.000"] and "最多两位小数" in said["1.005"]
    assert "1900至2100年" in said["1850-01-01"] and "没有该城市的规则库" in said["合肥"]
    assert "待遇须是规则库中的" in said["|qingdao.no_such_benefit|"]
    assert "340*************34" in said and "340602199001011234" not in (tmp_path / "out" / "errors.csv").read_text("utf-8")
    assert not any(key[0].startswith("B") for key in have)
    assert set(masked.values()) <= {key[0] for key in have}, "the personal numbers reached the results masked"
    written = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert not any(number.encode() in written for number in ids.values())
    # a repeated applicant id is counted as for a list (on the ids as given, not their masks)
    assert got.duplicate_ids == 1 and [len(g) for g in got.duplicate_rows] == [2]
    assert json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))["duplicate_ids"] == 1


def test_batch_engine_spark_refuses_a_missing_list_in_chinese(spark, tmp_path):
    from typer.testing import CliRunner

    from chuangye_rules.cli import app

    result = CliRunner().invoke(app, ["batch", str(tmp_path / "none.parquet"), "--engine", "spark"])
    assert result.exit_code == 2 and "找不到输入文件" in result.output
    assert not (tmp_path / "none-结果").exists()


def test_spark_submit_runs_the_entry_point_and_gives_the_polars_results(tmp_path):
    """`spark-submit … chuangye_rules/spark/submit.py LIST -o OUT` (the README's command line, local mode): the
    session is spark-submit's, and results/ holds the polars engine's rows for the same list."""
    import subprocess
    import sys
    from pathlib import Path

    import polars as pl
    import pyspark

    import chuangye_rules.spark.submit as submit
    from chuangye_rules.batch.runner import run_batch

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from batch_bench import generate

    generate(200, tmp_path / "list.csv")
    want = run_batch(tmp_path / "list.csv", tmp_path / "polars", as_of=dt.date(2024, 6, 1), lang="en", city="qingdao")
    spark_submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    done = subprocess.run([str(spark_submit), "--master", "local[1]", "--conf", "spark.ui.enabled=false",
                           submit.__file__, str(tmp_path / "list.csv"), "-o", str(tmp_path / "out"),
                           "--as-of", "2024-06-01", "--city", "qingdao"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"评估 {want.evaluated} 行" in done.stdout
    rows = pl.read_parquet(tmp_path / "out" / "results" / "**" / "*.parquet", hive_partitioning=True)
    assert rows.height == want.result_rows


def test_batch_engine_spark_writes_the_polars_engines_report(spark, tmp_path):
    """--report on Spark: the report's figures aggregated by Spark, the same report.md and report.html as the
    polars engine's for the same list (two cities, so per-city people, shared leads and targets are all compared)."""
    import sys
    from pathlib import Path

    from chuangye_rules.batch.budget import Budget
    from chuangye_rules.batch.runner import run_batch
    from chuangye_rules.spark.runner import run_spark_batch

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from batch_bench import generate

    as_of = dt.date(2024, 6, 1)
    generate(400, tmp_path / "list.csv")
    for city in ("qingdao", "ordos"):
        run_batch(tmp_path / "list.csv", tmp_path / f"polars-{city}", as_of=as_of, city=city, budget=Budget(),
                  lang="zh")  # the report in the language of run_spark_batch's default
        got = run_spark_batch(tmp_path / "list.csv", tmp_path / f"spark-{city}", as_of=as_of, spark=spark, city=city,
                              report=True)
        want = (tmp_path / f"polars-{city}" / "report.md").read_text("utf-8")
        assert "元" in want and got.outputs["report"].endswith("report.md")
        assert (tmp_path / f"spark-{city}" / "report.md").read_text("utf-8") == want, city
        page = (tmp_path / f"polars-{city}" / "report.html").read_text("utf-8")
        assert "<svg" in page and got.outputs["report_html"].endswith("report.html")
        assert (tmp_path / f"spark-{city}" / "report.html").read_text("utf-8") == page, city


def test_batch_engine_spark_writes_to_a_hadoop_file_system_as_to_a_folder(spark, tmp_path, monkeypatch):
    """An OUTDIR given as a URI (hdfs://… or s3a://… on a cluster; file://… here) is written through the JVM's
    Hadoop FileSystem, as the executors of a cluster write: the same outputs as to a local folder, placed only
    when the run succeeded; a run that fails leaves nothing (not even its hidden folder), and a name that is
    already there is refused before any work."""
    import sys
    from pathlib import Path

    import polars as pl

    from chuangye_rules.base.problems import InputError
    from chuangye_rules.spark import runner
    from chuangye_rules.spark.folders import HadoopOutFolder

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from batch_bench import generate

    as_of = dt.date(2024, 6, 1)
    generate(200, tmp_path / "list.csv")
    local = runner.run_spark_batch(tmp_path / "list.csv", tmp_path / "local", as_of=as_of, spark=spark, city="weihai",
                                   report=True)
    made = []
    monkeypatch.setattr(runner, "HadoopOutFolder", lambda *a: made.append(HadoopOutFolder(*a)) or made[-1])
    remote = tmp_path / "remote" / "out"
    got = runner.run_spark_batch(tmp_path / "list.csv", f"file://{remote}", as_of=as_of, spark=spark, city="weihai",
                                 report=True)
    assert made and got.outputs["results"] == f"file://{remote}/results"
    assert (got.read, got.evaluated, got.rejected, got.result_rows) == (
        local.read, local.evaluated, local.rejected, local.result_rows) and got.rejected > 0

    def shown(folder):  # Hadoop's local file system keeps a .crc checksum beside each file
        return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".crc"))
    assert shown(remote) == shown(tmp_path / "local")
    for name in ("errors.csv", "benefits.csv", "report.md", "report.html"):
        assert (remote / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    key = ["row", "benefit_id"]
    assert pl.read_parquet(remote / "results" / "**" / "*.parquet").sort(key).equals(
        pl.read_parquet(tmp_path / "local" / "results" / "**" / "*.parquet").sort(key))

    # a name already there: refused before any work, nothing changed
    before = {p: p.read_bytes() for p in remote.iterdir() if p.is_file()}
    with pytest.raises(InputError):
        runner.run_spark_batch(tmp_path / "list.csv", f"file://{remote}", as_of=as_of, spark=spark, city="weihai")
    assert {p: p.read_bytes() for p in remote.iterdir() if p.is_file()} == before

    # a failure late in the run: no output, no hidden folder, no OUTDIR the run made
    def broken(books):
        raise OSError("the disk went away")
    monkeypatch.setattr(runner, "benefits_table", broken)
    with pytest.raises(OSError):
        runner.run_spark_batch(tmp_path / "list.csv", f"file://{tmp_path}/failed/out", as_of=as_of, spark=spark,
                               city="weihai")
    assert not (tmp_path / "failed").exists()


def _written_number(rng: random.Random) -> str:
    """A personal number written one of the common ways (tests/robustness/test_privacy.py's forms)."""
    def digits(n):
        return "".join(rng.choice("0123456789") for _ in range(n))

    def spaced(text):
        return text[0] + "".join(rng.choice(["", "", "", " ", "-"]) + ch for ch in text[1:])
    kind = rng.choice(["id18", "id15", "mobile", "landline"])
    if kind == "id18":
        return spaced(rng.choice("123456") + digits(16) + rng.choice("0123456789Xx"))
    if kind == "id15":
        return spaced(rng.choice("123456") + digits(14))
    if kind == "mobile":
        prefix = rng.choice(["", "+86", "+86 ", "+86-", "0086", "0086 ", "86", "86 ", "(+86)", "(86) "])
        return prefix + spaced("1" + rng.choice("3456789") + digits(9))
    area, local = "0" + rng.choice("123456789") + digits(rng.randint(1, 2)), rng.choice("2345678") + digits(rng.randint(6, 7))
    form = rng.choice(["{a}-{l}", "{a} {l}", "({a}){l}", "（{a}）{l}", "({a}) {l}", "{a}{l}"])
    return form.format(a=area, l=local if form == "{a}{l}" else spaced(local))


def test_spark_masks_personal_numbers_as_mask_text_does(spark):
    """spark/masking.masked (Java regex and Spark SQL, for a table's ids and bad cells) writes exactly what
    base/privacy.mask_text writes, for numbers written every common way amid other text."""
    from chuangye_rules.base.privacy import mask_text
    from chuangye_rules.spark.masking import masked

    rng = random.Random("spark masking")
    around = "编号身份证电话:： ，,abcXYZ（）()"
    texts = ["".join(rng.choice(around) for _ in range(rng.randint(0, 4))) + _written_number(rng)
             + "".join(rng.choice(around) for _ in range(rng.randint(0, 4))) for _ in range(1000)]
    texts += [None, "", "2024-06-01", "12345.67", "１３９１２３４５６７８", "a 13912345678 b 13912345678 c"]
    frame = spark.createDataFrame([(t,) for t in texts], "v string")
    got = [r[0] for r in frame.select(masked(frame.v)).collect()]
    assert sum("*" in (g or "") for g in got) >= 1000
    assert [(t, g) for t, g in zip(texts, got) if g != mask_text(t)] == []
