"""`chuangye sql` gives the batch's answers: the DuckDB query, run over the random profiles of the equivalence
test and over generated rulebooks, returns for every applicant and benefit the polars engine's status, amount
kind, amounts, missing facts and exclusion."""

import datetime as dt
import random
from decimal import Decimal

import polars as pl
import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from test_batch_equivalence import MINI  # noqa: E402

from chuangye_rules import load_rulebooks, parse_profile  # noqa: E402
from chuangye_rules.batch import columnar  # noqa: E402
from chuangye_rules.batch.columnar import ROW  # noqa: E402
from chuangye_rules.batch.compile import compile_rulebook, missing_names, result_columns  # noqa: E402
from chuangye_rules.batch.engine import evaluate_chunk, row_totals  # noqa: E402
from chuangye_rules.batch.frames import frame_from_profiles  # noqa: E402
from chuangye_rules.batch.synthetic import generated_facts, interesting_values, random_facts, relative_pairs  # noqa: E402
from chuangye_rules.rules.catalog import catalog  # noqa: E402
from chuangye_rules.sql import SqlError, rulebooks_query, write_sql  # noqa: E402
from chuangye_rules.sql.query import ALL_STATUSES, OPEN  # noqa: E402

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

N = 200  # per date (the generated rulebooks, below, cover every operator and amount kind)


def table_from_frame(con, frame: pl.DataFrame) -> list[str]:
    """The batch's typed frame as the SQL table the README describes: money as DECIMAL yuan, numbers as
    DECIMAL with 6 decimals, sets and the history as text, the row number as `row`."""
    cat = catalog()
    import tempfile

    folder = tempfile.mkdtemp()
    path = f"{folder}/frame.parquet"
    frame.write_parquet(path)  # (DuckDB reads polars' frame from Parquet: no pyarrow needed)
    cols = []
    for name in frame.columns:
        spec = cat.fields.get(name)
        if name == ROW:
            cols.append(f'"{ROW}" AS "row"')
        elif spec is not None and spec.type == "money":
            cols.append(f'CAST(CAST("{name}" AS DECIMAL(20, 0)) * CAST(0.01 AS DECIMAL(3, 2)) AS DECIMAL(20, 2)) AS "{name}"')
        elif spec is not None and spec.type == "number":
            cols.append(f'CAST(CAST("{name}" AS DECIMAL(24, 0)) * CAST(0.000001 AS DECIMAL(7, 6)) AS DECIMAL(24, 6)) '
                        f'AS "{name}"')
        else:
            cols.append(f'"{name}"')
    con.execute("DROP TABLE IF EXISTS applicants")
    con.execute(f"CREATE TABLE applicants AS SELECT {', '.join(cols)} FROM read_parquet('{path}')")
    return ["row" if c == ROW else c for c in frame.columns]


def expected_rows(rulebooks, frame, as_of, parameters=None) -> dict:
    """The polars engine's answer for every row and benefit: (row, city, benefit) → (status, amount kind,
    value, min, max in yuan, missing facts joined by ';', excluded_by)."""
    expected = {}
    for book in rulebooks:
        given = {k: v for k, v in (parameters or {}).items() if k in book.parameters}
        wide = evaluate_chunk(frame, compile_rulebook(book, as_of, given))
        for row in wide.to_dicts():
            for b in book.benefits:
                c = result_columns(b.id)
                names = missing_names(b, row[c["missing"]])
                value = lambda key: None if row[c[key]] is None else Decimal(row[c[key]]) / 100  # noqa: E731
                expected[(row[ROW], book.city.slug, b.id)] = (
                    row[c["status"]], row[c["kind"]], value("value"), value("min"), value("max"),
                    ";".join(names) or None, row[f"{b.id}::excluded_by"])
    return expected


def assert_rows_agree(rows, expected, statuses) -> int:
    got = {(r[0], r[2], r[3]): tuple(r[4:]) for r in rows}
    assert len(got) == len(rows)
    want = {k: v for k, v in expected.items() if v[0] in statuses}
    for key, value in want.items():
        assert got.get(key) == value, f"{key}: sql {got.get(key)} != batch {value}"
    assert set(got) == set(want)
    return len(want)


def assert_sql_agrees(rulebooks, profiles, as_of, parameters=None, results_rows=True) -> int:
    """Every benefit of every rulebook for every profile, the DuckDB query against the polars engine (every
    status, so exclusions are compared too; and the results.csv rows, eligible and needs_info)."""
    frame = frame_from_profiles(profiles, rulebooks)
    con = duckdb.connect()
    columns = table_from_frame(con, frame)
    expected, compared = expected_rows(rulebooks, frame, as_of, parameters), 0
    if results_rows:  # not a vacuous comparison: the profiles reach the statuses the history and exclusions give
        seen = {v[0] for v in expected.values()}
        assert {"eligible", "needs_info", "excluded", "already_received"} <= seen, seen
    # every status (so exclusions are compared), and then — for the last two rulebooks, to keep the test
    # short — the command's own query, the results.csv rows; every row against every rulebook, as the polars
    # frame above (the table's city column left out)
    runs = [(rulebooks, ALL_STATUSES)] + ([(rulebooks[-2:], OPEN)] if results_rows else [])
    for books, statuses in runs:
        query = rulebooks_query(books, as_of, "duckdb", columns=[c for c in columns if c != "city"],
                                overrides=parameters, statuses=statuses)
        rows = con.execute(write_sql(query, "duckdb", pretty=False)).fetchall()
        slugs = {b.city.slug for b in books}
        compared += assert_rows_agree(rows, {k: v for k, v in expected.items() if k[1] in slugs}, statuses)
    ids = dict(zip(frame[ROW].to_list(), frame["applicant_id"].to_list()))
    assert all(r[1] == ids[r[0]] for r in rows)
    if results_rows:  # and the applicants summary (applicants.csv) against engine.totals
        rulebooks = rulebooks[-2:]
        query = rulebooks_query(rulebooks, as_of, "duckdb", columns=[c for c in columns if c != "city"],
                                overrides=parameters, summary=True)
        got = {(r[0], r[2]): tuple(r[1:2] + r[3:]) for r in con.execute(write_sql(query, "duckdb", pretty=False)).fetchall()}
        want = {}
        for book in rulebooks:
            given = {k: v for k, v in (parameters or {}).items() if k in book.parameters}
            compiled = compile_rulebook(book, as_of, given)
            for t in row_totals(evaluate_chunk(frame, compiled), compiled).to_dicts():
                want[(t[ROW], book.city.slug)] = (t["applicant_id"], t["eligible"], t["needs_info"],
                                                  Decimal(t["exact_fen"]) / 100, Decimal(t["up_to_fen"]) / 100,
                                                  t["unquantified"])
        assert got == want
        compared += len(want)
    return compared


@pytest.fixture(autouse=True)
def sets_as_text(monkeypatch):
    """The table holds sets as "|code|code|" text (the batch's form for a vocabulary beyond 64 codes)."""
    monkeypatch.setattr(columnar, "SET_BITS", 0)


@pytest.mark.parametrize("as_of", [dt.date(2024, 6, 1), dt.date(2025, 2, 28)])
def test_sql_equals_batch_for_random_profiles(as_of):
    books = [b.rulebook for b in load_rulebooks()] + [b.rulebook for b in load_rulebooks([MINI])]
    rng = random.Random(as_of.toordinal())
    interesting = interesting_values(books, as_of)
    profiles = [parse_profile(random_facts(rng, as_of, interesting)) for _ in range(N)]
    # (the results.csv rows — eligible and needs_info, the command's default — on one date)
    assert assert_sql_agrees(books, profiles, as_of, results_rows=as_of.year == 2024) > N * 50


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from test_generated_rulebooks import generated_books

    return {as_of: [b.rulebook for b in books] for as_of, books in generated_books(tmp_path_factory, 4).items()}


def test_sql_equals_batch_on_generated_rulebooks(generated):
    from test_generated_rulebooks import PARAMETERS

    for as_of, books in generated.items():
        rng = random.Random(f"profiles {as_of}")
        interesting = interesting_values(books, as_of)
        pairs = [p for book in books for p in relative_pairs(book)]
        profiles = [parse_profile(generated_facts(rng, as_of, interesting, pairs)) for _ in range(120)]
        assert assert_sql_agrees(books, profiles, as_of, PARAMETERS.get(as_of), results_rows=False) > 120 * 4 * 10


def test_every_dialect_is_written_or_refused_in_chinese():
    books = [b.rulebook for b in load_rulebooks(city="huaibei")]
    for dialect in ("duckdb", "postgres", "spark", "hive", "mysql"):
        try:
            text = write_sql(rulebooks_query(books, dt.date(2024, 6, 1), dialect), dialect)
        except SqlError as error:
            assert "无法把待遇" in str(error) and dialect in str(error)
        else:
            assert "DOUBLE" not in text.upper() and "FLOAT" not in text.upper()


def test_the_command_writes_each_dialect_and_refuses_in_chinese(tmp_path):
    from typer.testing import CliRunner

    from chuangye_rules.cli import app

    out = tmp_path / "q.sql"
    result = CliRunner().invoke(app, ["sql", "luan", "--dialect", "spark", "--as-of", "2024-06-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "ADD_MONTHS" in out.read_text("utf-8") or "WITH" in out.read_text("utf-8")
    result = CliRunner().invoke(app, ["sql", "huaibei", "--dialect", "mysql", "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert "无法把待遇 huaibei.startup_talent_referral_reward" in result.output and "mysql" in result.output


def test_the_readme_example_runs(tmp_path):
    """The README's copy-paste example, as written: `chuangye sql`, then the query in DuckDB."""
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## SQL:", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)[1]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-ec", block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "(1, 'HB-0001', 'huaibei', 'returnee_startup_subsidy', 'needs_info', 'up_to', None, None, " \
           "Decimal('10000.00'), 'business_in_city', None)" in done.stdout


def test_the_hive_month_shift_is_the_calendar_of_dates_py():
    """Hive's ADD_MONTHS moves a month's last day to the target month's last day; the hive query corrects it
    back to dates.add_months. The written correction, run in DuckDB with a macro that does what Hive's
    ADD_MONTHS does, against dates.shift for every day of four years and shifts of ±1, 11, 12, 24 months."""
    from chuangye_rules.base.dates import shift
    from chuangye_rules.sql.query import hive_add_months

    con = duckdb.connect()
    con.execute("""CREATE MACRO add_months(d, n) AS CASE WHEN d = last_day(d) THEN last_day(d + to_months(n))
                   ELSE d + to_months(n) END""")  # Hive's ADD_MONTHS (duckdb's + to_months clamps as dates.py)
    assert con.execute("SELECT CAST(add_months(DATE '2024-02-29', 1) AS DATE)").fetchone()[0] == dt.date(2024, 3, 31)
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(4 * 366)]
    for months in (1, -1, 11, 12, -12, 24):
        written = hive_add_months(sqlglot_column("d"), months).sql("duckdb")
        assert "ADD_MONTHS" in hive_add_months(sqlglot_column("d"), months).sql("hive")
        got = [r[0] for r in con.execute(f"SELECT {written} FROM unnest(?::DATE[]) AS t(d)", [days]).fetchall()]
        assert got == [shift(d, months=months) for d in days], months


def sqlglot_column(name):
    from sqlglot import exp

    return exp.column(name)


def test_hive_writes_month_shifts_and_refuses_cumulative_tiers():
    as_of = dt.date(2024, 6, 1)
    ordos = [b.rulebook for b in load_rulebooks(city="ordos")]
    text = write_sql(rulebooks_query(ordos, as_of, "hive"), "hive")
    assert "ADD_MONTHS" in text and "GREATEST" in text
    huaibei = [b.rulebook for b in load_rulebooks(city="huaibei")]
    for dialect in ("hive", "mysql"):
        with pytest.raises(SqlError, match=f"huaibei.startup_talent_referral_reward.*{dialect}.*duckdb、postgres 和 spark"):
            rulebooks_query(huaibei, as_of, dialect)
    assert "AGGREGATE(FILTER(SPLIT(" in write_sql(rulebooks_query(huaibei, as_of, "spark"), "spark", pretty=False)


_FOLDED = [  # (what the builders fold, the same expression unfolded in DuckDB's SQL)
    (lambda b: b.and_(b.exp.false(), b.NULL_BOOL), "FALSE AND CAST(NULL AS BOOLEAN)"),
    (lambda b: b.and_(b.exp.true(), b.NULL_BOOL), "TRUE AND CAST(NULL AS BOOLEAN)"),
    (lambda b: b.and_(b.exp.true(), b.exp.true()), "TRUE AND TRUE"),
    (lambda b: b.or_(b.exp.true(), b.NULL_BOOL), "TRUE OR CAST(NULL AS BOOLEAN)"),
    (lambda b: b.or_(b.exp.false(), b.NULL_BOOL), "FALSE OR CAST(NULL AS BOOLEAN)"),
    (lambda b: b.or_(b.exp.false(), b.exp.false()), "FALSE OR FALSE"),
    (lambda b: b.not_(b.exp.true()), "NOT TRUE"),
    (lambda b: b.not_(b.NULL_BOOL), "NOT CAST(NULL AS BOOLEAN)"),
    (lambda b: b.is_null(b.big(None)), "CAST(NULL AS BIGINT) IS NULL"),
    (lambda b: b.is_null(b.big(5)), "CAST(5 AS BIGINT) IS NULL"),
    (lambda b: b.is_null(b.text("a")), "'a' IS NULL"),
    (lambda b: b.eq(b.text("exact"), b.text("exact")), "'exact' = 'exact'"),
    (lambda b: b.eq(b.text("exact"), b.text("range")), "'exact' = 'range'"),
    (lambda b: b.eq(b.big(1), b.big(None)), "CAST(1 AS BIGINT) = CAST(NULL AS BIGINT)"),
    (lambda b: b.cmp(b.exp.GTE, b.big(3), b.big(2)), "CAST(3 AS BIGINT) >= CAST(2 AS BIGINT)"),
    (lambda b: b.cmp(b.exp.LT, b.big(-3), b.big(-4)), "CAST(-3 AS BIGINT) < CAST(-4 AS BIGINT)"),
    (lambda b: b.isin(b.text("x"), [b.text("y"), b.text("x")]), "'x' IN ('y', 'x')"),
    (lambda b: b.isin(b.text("x"), [b.text("y")]), "'x' IN ('y')"),
    (lambda b: b.isin(b.text(None), [b.text("x")]), "CAST(NULL AS TEXT) IN ('x')"),
    (lambda b: b.case((b.exp.false(), b.big(1)), (b.exp.true(), b.big(2)), default=b.big(3)),
     "CASE WHEN FALSE THEN CAST(1 AS BIGINT) WHEN TRUE THEN CAST(2 AS BIGINT) ELSE CAST(3 AS BIGINT) END"),
    (lambda b: b.case((b.NULL_BOOL, b.big(1)), default=b.big(3)),
     "CASE WHEN CAST(NULL AS BOOLEAN) THEN CAST(1 AS BIGINT) ELSE CAST(3 AS BIGINT) END"),
    (lambda b: b.case((b.exp.false(), b.big(1))), "CASE WHEN FALSE THEN CAST(1 AS BIGINT) END"),
    (lambda b: b.add(b.big(2), b.big(-5)), "CAST(2 AS BIGINT) + CAST(-5 AS BIGINT)"),
    (lambda b: b.mul(b.big(3), b.big(7)), "CAST(3 AS BIGINT) * CAST(7 AS BIGINT)"),
    (lambda b: b.coalesce(b.big(None), b.big(4), b.big(5)), "COALESCE(CAST(NULL AS BIGINT), 4, 5)"),
    (lambda b: b.coalesce(b.big(None), b.big(None)), "COALESCE(CAST(NULL AS BIGINT), CAST(NULL AS BIGINT))"),
]


@pytest.mark.parametrize("build, unfolded", _FOLDED, ids=[u for _, u in _FOLDED])
def test_the_builders_fold_constants_as_sql_evaluates_them(build, unfolded):
    """Constant folding keeps SQL's three-valued logic: DuckDB gives the folded expression the unfolded one's
    value (and type), and the folded one is a constant or smaller."""
    from chuangye_rules.sql import builders

    folded = build(builders)
    sql = folded.sql(dialect="duckdb")
    assert len(sql) <= len(unfolded)
    con = duckdb.connect()
    got = con.execute(f"SELECT {sql} AS v, typeof({sql}) AS t").fetchall()
    want = con.execute(f"SELECT {unfolded} AS v, typeof({unfolded}) AS t").fetchall()
    assert got == want, (sql, unfolded)


def test_the_builders_leave_overflow_and_columns_to_the_database():
    from chuangye_rules.sql import builders as b

    assert "*" in b.mul(b.big(2 ** 62), b.big(4)).sql()  # would overflow BIGINT: the database raises it
    assert "AND" in b.and_(b.exp.true(), b.col("x"), b.col("y")).sql()
    assert b.and_(b.exp.true(), b.col("x")).sql() == '"x"'
    assert b.eq(b.text("A"), b.text("a")).sql() == "'A' = 'a'"  # MySQL's collation could call them equal
