"""Spark gives the batch's answers: the spark-dialect query of `chuangye sql`, run by spark.sql() in a local
SparkSession over the random profiles of the equivalence test, returns every status, amount, missing fact and
exclusion of the polars engine; and `chuangye batch --engine spark` writes the polars engine's results.

One SparkSession for the whole file (local[2], no UI, few shuffle partitions). Skipped, with the reason, where
pyspark or Java is missing; CI installs both (.ci/run, the dev extra)."""

import datetime as dt
import random
import shutil

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

N = 300


@pytest.fixture(scope="session")
def spark():
    from chuangye_rules.spark.session import spark_session

    session = spark_session("local[2]", "chuangye-tests", conf={
        "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
        "spark.driver.memory": "1g"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def books():
    return [b.rulebook for b in load_rulebooks()] + [b.rulebook for b in load_rulebooks([MINI])]


def test_spark_sql_equals_polars_for_random_profiles(spark, books):
    """Every rulebook (the five bundled ones — huaibei's cumulative tiers, ordos's month shifts — and the
    fixture with an exclusion two applicants reach), every status, the query as `chuangye sql --dialect spark`
    writes it, over the batch frame (sets as bits) turned into the SQL table by spark.table.sql_table. (One
    date: Spark takes ~40 s to plan the five cities' queries; tests/test_sql.py covers more dates on DuckDB.)"""
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
    query = rulebooks_query(books, as_of, "spark", columns=[c for c in table.columns if c != "city"],
                            statuses=ALL_STATUSES)
    rows = [tuple(r) for r in spark.sql(write_sql(query, "spark")).collect()]
    assert assert_rows_agree(rows, expected, ALL_STATUSES) == N * sum(len(b.benefits) for b in books)
    # the history's amounts reach the cumulative tiers: some huaibei referral reward is reduced by them
    paid = [v for k, v in expected.items() if k[2] == "startup_talent_referral_reward" and v[0] == "already_received"]
    assert paid
