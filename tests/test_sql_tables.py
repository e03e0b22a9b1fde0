"""`chuangye sql --budget`: the budget report's figures computed in the database equal the batch's own budget
(batch/budget.py) over the same applicants — per benefit and per city; and a table whose columns carry the
list's Chinese headers gives the same rows."""

import datetime as dt
import random
from decimal import Decimal

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from test_batch_equivalence import MINI  # noqa: E402
from test_sql import table_from_frame  # noqa: E402

from chuangye_rules import load_rulebooks, parse_profile  # noqa: E402
from chuangye_rules.batch import columnar  # noqa: E402
from chuangye_rules.batch.budget import Budget  # noqa: E402
from chuangye_rules.batch.compile import compile_rulebook  # noqa: E402
from chuangye_rules.batch.engine import evaluate_chunk  # noqa: E402
from chuangye_rules.batch.frames import frame_from_profiles  # noqa: E402
from chuangye_rules.batch.synthetic import interesting_values, random_facts  # noqa: E402
from chuangye_rules.rules.catalog import catalog  # noqa: E402
from chuangye_rules.sql import SqlError, rulebooks_query, write_sql  # noqa: E402
from chuangye_rules.sql.budget import budget_query  # noqa: E402

AS_OF = dt.date(2023, 6, 1)


def fen(value) -> int | None:
    return None if value is None else int(Decimal(value) * 100)


@pytest.fixture(autouse=True)
def sets_as_text(monkeypatch):
    monkeypatch.setattr(columnar, "SET_BITS", 0)  # sets held as "|code|code|" text, as the table holds them


def test_the_budget_query_gives_the_batch_budget():
    books = [b.rulebook for b in load_rulebooks()] + [b.rulebook for b in load_rulebooks([MINI])]
    rng = random.Random(7)
    interesting = interesting_values(books, AS_OF)
    profiles = [parse_profile(random_facts(rng, AS_OF, interesting)) for _ in range(300)]
    frame = frame_from_profiles(profiles, books)
    budget = Budget()
    for book in books:
        budget.add(compiled := compile_rulebook(book, AS_OF, {}), evaluate_chunk(frame, compiled))
    con = duckdb.connect()
    columns = table_from_frame(con, frame)
    query = budget_query(books, AS_OF, "duckdb", columns=[c for c in columns if c != "city"])
    rows = con.execute(write_sql(query, "duckdb", pretty=False)).fetchall()
    got_lines = {(r[0], r[1]): (r[2], r[3], fen(r[4]), fen(r[5])) for r in rows if r[1] is not None}
    want_lines = {(s, i): (x.eligible, x.needs_info, x.exact_fen if x.cash else None, x.up_to_fen if x.cash else None)
                  for (s, i), x in budget.benefits.items() if x.reached}
    assert sum(v[0] for v in want_lines.values()) > 50 and any(v[2] for v in want_lines.values())  # not vacuous
    assert got_lines == want_lines
    got_cities = {r[0]: (r[2], fen(r[4]), fen(r[5])) for r in rows if r[1] is None}
    want_cities = {s: (budget.people[s], *budget.city_total(s)) for s in budget.city_names}
    assert got_cities == want_cities


def test_a_table_with_chinese_headers_gives_the_same_rows():
    """--columns may name the table's columns as a list's headers do (申请人类型, 毕业时间, …)."""
    books = [b.rulebook for b in load_rulebooks()]
    rng = random.Random(11)
    interesting = interesting_values(books, AS_OF)
    frame = frame_from_profiles([parse_profile(random_facts(rng, AS_OF, interesting)) for _ in range(120)], books)
    con = duckdb.connect()
    columns = [c for c in table_from_frame(con, frame) if c != "city"]
    cat = catalog()
    chinese = {c: (cat.fields[c].zh if c in cat.fields else c) for c in columns}
    assert sum(1 for c in columns if chinese[c] != c) > 10
    con.execute("CREATE TABLE 申请人 AS SELECT " + ", ".join(f'"{c}" AS "{chinese[c]}"' for c in columns) + " FROM applicants")
    english = rulebooks_query(books, AS_OF, "duckdb", columns=columns)
    zh = rulebooks_query(books, AS_OF, "duckdb", table="申请人", columns=list(chinese.values()))
    want = sorted(con.execute(write_sql(english, "duckdb", pretty=False)).fetchall(), key=repr)
    assert len(want) > 100
    assert sorted(con.execute(write_sql(zh, "duckdb", pretty=False)).fetchall(), key=repr) == want


def test_two_columns_for_one_field_are_refused():
    with pytest.raises(SqlError, match="都对应字段 kind"):
        rulebooks_query([b.rulebook for b in load_rulebooks()], AS_OF, "duckdb", columns=["kind", "申请人类型"])


def test_the_command_writes_the_budget_query_and_refuses_two_shapes_at_once():
    import subprocess
    import sys

    run = [sys.executable, "-m", "chuangye_rules", "sql", "ordos", "--as-of", "2023-06-01"]
    done = subprocess.run(run + ["--budget", "--dialect", "postgres"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"exact_total"' in done.stdout and "GROUP BY" in done.stdout
    both = subprocess.run(run + ["--budget", "--summary"], capture_output=True, text=True)
    assert both.returncode == 2 and "只能选一个" in both.stderr and "Traceback" not in both.stderr
