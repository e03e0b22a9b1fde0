"""What `chuangye check` loads: none of the batch, web or SQL machinery (issue #16, start-up). Not a timing test
(bench/startup_bench.py measures the time): the modules a fresh process has imported by the end of a check."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "examples" / "profiles" / "huaibei-returnee-graduate.yaml"
NEVER = ("polars", "fastexcel", "xlsxwriter", "fastapi", "uvicorn", "starlette", "sqlglot", "duckdb", "matplotlib",
         "chuangye_rules.batch", "chuangye_rules.web", "chuangye_rules.sql", "chuangye_rules.authoring")

SCRIPT = """
import json, sys
sys.argv = ["chuangye", *json.loads(sys.argv[1])]
from chuangye_rules.cli import main
try:
    main()
except SystemExit as end:
    code = end.code
never = {never}
loaded = sorted(name for name in sys.modules if any(name == n or name.startswith(n + ".") for n in never))
print("\\nMODULES " + json.dumps({{"code": code, "loaded": loaded}}))
"""


def modules_after(*args: str) -> dict:
    script = SCRIPT.format(never=repr(list(NEVER)))
    done = subprocess.run([sys.executable, "-c", script, json.dumps(list(args))], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    line = [x for x in done.stdout.splitlines() if x.startswith("MODULES ")]
    assert line, done.stderr
    return json.loads(line[-1].removeprefix("MODULES "))


@pytest.mark.parametrize("extra", [[], ["--format", "json"], ["--lang", "en", "--show-all"]])
def test_check_imports_no_batch_web_or_sql(extra):
    found = modules_after("check", str(PROFILE), "--as-of", "2024-06-01", *extra)
    assert found["code"] == 0
    assert found["loaded"] == []
