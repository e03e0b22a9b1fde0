"""`chuangye check`'s fast start (fastcheck.py; issue 16, start-up): on every command line it handles, the same output,
messages and exit code as typer's `check`, without importing typer or Pydantic; a profile's facts checked without
Pydantic (rules/values.py `plain_facts`) are the facts the profile model gives, or left to it."""

import datetime as dt
import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from chuangye_rules.batch.synthetic import interesting_values, random_facts
from chuangye_rules.fastcheck import parse
from chuangye_rules.rules.loading import load_rulebooks
from chuangye_rules.rules.profile import parse_profile
from chuangye_rules.rules.values import canonical_keys, plain_facts

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "examples" / "profiles"
ORDOS = str(PROFILES / "ordos-graduate-trainee.yaml")
HUAIBEI = str(PROFILES / "huaibei-returnee-graduate.yaml")


def _typed(facts: dict) -> list:
    return [(name, type(value).__name__, repr(sorted(value) if isinstance(value, frozenset) else value))
            for name, value in facts.items()]


def test_plain_facts_are_the_profile_models_facts():
    books, as_of, rng = load_rulebooks(), dt.date(2024, 6, 1), random.Random("facts")
    interesting = interesting_values([b.rulebook for b in books], as_of)
    checked = 0
    for _ in range(600):
        facts = random_facts(rng, as_of, interesting)
        facts.pop("received", None) if rng.random() < 0.7 else None
        plain = plain_facts(canonical_keys(facts, "<p>")[0])
        if plain is None:
            continue
        assert _typed(plain.known()) == _typed(parse_profile(facts).known()), facts
        checked += 1
    assert checked > 300


@pytest.mark.parametrize("facts", [
    {"employees": "5"}, {"employees": 5.0}, {"rd_investment": 1.5}, {"rd_investment": "4500"},
    {"graduation_date": "2023-7-1 10:00"}, {"employed_since_graduation": "maybe"},
    {"received": ["one_time_startup_subsidy"]},  # a history: its entries are validated by the model
    {"employees": -1}, {"identities": ["no_such_identity"]}, {"graduation_date": dt.date(1800, 1, 1)},
])
def test_values_to_parse_or_with_a_mistake_are_left_to_the_model(facts):
    values, _, problems = canonical_keys(facts, "<p>")
    assert not problems and plain_facts(values) is None


def test_plain_facts_take_what_needs_no_parsing():
    facts = {"kind": "individual", "employees": 12, "rd_investment": 4500, "graduation_date": dt.date(2023, 7, 1),
             "identities": "高校毕业生、退役军人", "business_registered_date": "2024年3月15日"}
    plain = plain_facts(canonical_keys(facts, "<p>")[0])
    assert plain is not None and plain.get("rd_investment") == Decimal(4500)
    assert _typed(plain.known()) == _typed(parse_profile(facts).known())


@pytest.mark.parametrize("argv", [
    ["check", "p.yaml", "--help"], ["check", "--help"], ["check"], ["check", "a.yaml", "b.yaml"],
    ["check", "p.yaml", "--format", "xml"], ["check", "p.yaml", "--lang", "fr"], ["check", "p.yaml", "--city"],
    ["check", "p.yaml", "--city", "--lang"], ["check", "p.yaml", "--show-all=yes"], ["check", "-"],
    ["check", "p.yaml", "--no-such"], ["validate"], ["--lang", "en", "check", "p.yaml"], [],
])
def test_command_lines_it_is_not_sure_of_go_to_typer(argv):
    assert parse(argv) is None


def test_check_options_are_read_as_typer_reads_them():
    args = parse(["check", "--lang=en", "p.yaml", "--param", "a=1", "--param=b=2", "--rulebooks", "x", "--show-all",
                  "--format", "json", "--city", "ordos", "--as-of", "2024-06-01", "--city=luan"])
    assert args == {"profile": "p.yaml", "city": "luan", "as_of": "2024-06-01", "format": "json", "lang": "en",
                    "show_all": True, "rulebooks": ["x"], "param": ["a=1", "b=2"]}


def _run(argv: list[str], env: dict, fast: bool) -> tuple[int, str, str]:
    env = {**env, **({} if fast else {"CHUANGYE_NO_FAST": "1"})}
    done = subprocess.run([sys.executable, "-m", "chuangye_rules", *argv], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120, cwd=ROOT)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fast")
    (folder / "text.yaml").write_text("kind: individual\nemployees: '5'\nidentities: [veteran]\n", encoding="utf-8")
    (folder / "bad.yaml").write_text("kind: individual\nemployees: 三\n", encoding="utf-8")
    (folder / "facts.json").write_text(json.dumps({"kind": "enterprise", "employees": 60}), encoding="utf-8")
    environment = {**os.environ, "CHUANGYE_CACHE_DIR": str(folder / "cache"), "COLUMNS": "120"}
    environment.pop("CHUANGYE_NO_CACHE", None)
    _run(["check", HUAIBEI], environment, fast=False)  # the rulebooks cached, as after any first command
    return folder, environment


LINES = [
    [HUAIBEI, "--as-of", "2024-06-01"],
    [HUAIBEI, "--as-of=2024-06-01", "--lang", "en", "--show-all"],
    [ORDOS, "--as-of", "2024-08-01", "--format", "json"],
    [ORDOS, "--as-of", "2024-08-01", "--param", "nm_min_wage_class1_monthly=1980", "--lang=en"],
    [ORDOS, "--param", "no_such_parameter=1"],  # an input error raised by the evaluation: exit 2
    [ORDOS, "--city", "淮北", "--as-of", "2024-06-01", "--format", "json", "--lang", "en"],
    [ORDOS, "--city", "atlantis"],
    [ORDOS, "--rulebooks", "rulebooks/ordos.yaml", "--as-of", "2024-08-01"],
    [ORDOS, "--rulebooks", "no/such/folder"],
    ["{tmp}/text.yaml", "--city", "luan", "--as-of", "2019-06-01"],  # a number as text: the model parses it
    ["{tmp}/bad.yaml", "--lang", "en"],  # a mistake: the model words it
    ["{tmp}/facts.json", "--city", "qingdao", "--as-of", "2024-06-01", "--show-all"],
    ["{tmp}/missing.yaml"],
    [HUAIBEI, "--as-of", "2024-02-30"],  # typer's own message (fastcheck leaves it)
]


@pytest.mark.parametrize("line", LINES, ids=[" ".join(Path(a).name for a in line) for line in LINES])
def test_the_fast_start_says_what_typers_check_says(env, line):
    folder, environment = env
    argv = ["check", *[a.replace("{tmp}", str(folder)) for a in line]]
    fast = _run(argv, environment, fast=True)
    assert fast == _run(argv, environment, fast=False)
    assert fast[0] in (0, 2) and (fast[1] or fast[2])


def test_the_fast_start_imports_neither_typer_nor_pydantic(env):
    folder, environment = env
    script = ("import sys\nfrom chuangye_rules.fastcheck import run\n"
              f"code = run(['check', {HUAIBEI!r}, '--as-of', '2024-06-01', '--format', 'json'])\n"
              "loaded = [m for m in ('typer', 'pydantic', 'pydantic_core', 'polars') if m in sys.modules]\n"
              "print('LOADED', code, loaded)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                          env=environment, timeout=120, cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "LOADED 0 []", done.stderr



def test_a_reader_that_stops_reading_is_not_an_internal_error(env):
    folder, environment = env
    process = subprocess.Popen([sys.executable, "-m", "chuangye_rules", "check", HUAIBEI, "--format", "json",
                                "--show-all"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, cwd=ROOT)
    process.stdout.read(100)
    process.stdout.close()  # as `| head -c 100` does
    assert process.wait(timeout=120) == 1
    assert process.stderr.read() == b""
