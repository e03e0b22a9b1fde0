"""The postgres query on a real PostgreSQL: a throwaway cluster (initdb in a temporary folder, a loopback port)
started for this file and removed after it; skipped where PostgreSQL's binaries or pg8000 are absent."""

import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import tempfile
from decimal import Decimal

import pytest

pg8000 = pytest.importorskip("pg8000")
pytest.importorskip("sqlglot")

from test_batch_equivalence import MINI  # noqa: E402
from test_sql import assert_rows_agree, expected_rows  # noqa: E402

from chuangye_rules import load_rulebooks, parse_profile  # noqa: E402
from chuangye_rules.batch import columnar  # noqa: E402
from chuangye_rules.batch.columnar import ROW  # noqa: E402
from chuangye_rules.batch.frames import frame_from_profiles  # noqa: E402
from chuangye_rules.batch.synthetic import interesting_values, random_facts  # noqa: E402
from chuangye_rules.rules.catalog import catalog  # noqa: E402
from chuangye_rules.sql import rulebooks_query, write_sql  # noqa: E402
from chuangye_rules.sql.query import ALL_STATUSES, OPEN, TABLE_TYPES  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("PostgreSQL (initdb, pg_ctl) is not installed")
    # initdb refuses to run as root: the cluster then belongs to `nobody`, in a folder it may write
    as_user = []
    folder = tempfile.mkdtemp(prefix="chuangye-pg-")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if not shutil.which("runuser"):
            shutil.rmtree(folder)
            pytest.skip("running as root without runuser: initdb cannot run")
        as_user = ["runuser", "-u", "nobody", "--"]
        shutil.chown(folder, "nobody")
    data, port = os.path.join(folder, "data"), _free_port()
    try:
        subprocess.run([*as_user, "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                        "--no-sync"], check=True, capture_output=True, timeout=120)
        subprocess.run([*as_user, "pg_ctl", "-D", data, "-w", "-l", os.path.join(folder, "log"), "-o",
                        f"-h 127.0.0.1 -p {port} -k {folder} -F", "start"], check=True, capture_output=True,
                       timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL: {error}")
    try:
        yield {"host": "127.0.0.1", "port": port, "user": "postgres", "database": "postgres"}
    finally:
        subprocess.run([*as_user, "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def load_table(con, frame) -> list[str]:
    """The frame as the README's table: money DECIMAL yuan, numbers DECIMAL(…,6), sets and history as text."""
    cat = catalog()
    columns, types = [], []
    for name in frame.columns:
        spec = cat.fields.get(name)
        columns.append("row" if name == ROW else name)
        types.append("BIGINT" if name == ROW else TABLE_TYPES[spec.type])
    cur = con.cursor()
    cur.execute("DROP TABLE IF EXISTS applicants")
    cur.execute("CREATE TABLE applicants (" + ", ".join(f'"{c}" {t}' for c, t in zip(columns, types)) + ")")

    def cell(name, value):
        spec = cat.fields.get(name)
        if value is None or spec is None:
            return value
        if spec.type == "money":
            return Decimal(value) / 100
        if spec.type == "number":
            return Decimal(value) / 10 ** 6
        return value

    rows = [[cell(n, v) for n, v in zip(frame.columns, row)] for row in frame.iter_rows()]
    marks = ", ".join(["%s"] * len(columns))
    cur.executemany(f"INSERT INTO applicants VALUES ({marks})", rows)
    con.commit()
    return columns


def test_postgres_query_equals_batch(postgres, monkeypatch):
    monkeypatch.setattr(columnar, "SET_BITS", 0)  # sets held as "|code|code|" text, as the table holds them
    as_of = dt.date(2024, 6, 1)
    books = [b.rulebook for b in load_rulebooks()] + [b.rulebook for b in load_rulebooks([MINI])]
    rng = random.Random(7)
    interesting = interesting_values(books, as_of)
    profiles = [parse_profile(random_facts(rng, as_of, interesting)) for _ in range(150)]
    frame = frame_from_profiles(profiles, books)
    con = pg8000.dbapi.connect(**postgres)
    try:
        columns = [c for c in load_table(con, frame) if c != "city"]
        expected = expected_rows(books, frame, as_of)
        compared = 0
        for statuses in (ALL_STATUSES, OPEN):
            cur = con.cursor()
            cur.execute(write_sql(rulebooks_query(books, as_of, "postgres", columns=columns, statuses=statuses),
                                  "postgres"))
            compared += assert_rows_agree([tuple(r) for r in cur.fetchall()], expected, statuses)
        assert compared > 150 * 100
    finally:
        con.close()
