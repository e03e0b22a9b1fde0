"""How long `chuangye check` takes on one profile, start-up included: the median of whole-process runs.

    python bench/startup_bench.py [--runs 21] [--against OTHER/src] [--floor] [PROFILE]

Each run is a fresh `python -m chuangye_rules check PROFILE --as-of 2024-06-01` (imports, the field catalog,
the five rulebooks, one evaluation, the table), as a caseworker meets it. The target (issue #16) is 0.25 s.

Two figures per run: the wall time, and the CPU time the process used (user + system, from wait4). On a
machine shared with other work the wall time mostly measures the queue for a core; the CPU time much less so.
`--against DIR` also runs another copy of the package (a `src` folder, e.g. `git archive` of main unpacked in
/tmp), alternating run by run with this one, so both meet the same load: compare those two columns, not
figures taken at different times.

`--floor` also runs a minimal app on the typer + Pydantic stack (typer, pydantic, rich, PyYAML) that reads the
profile and prints a table but holds no rules: what any command on that stack pays before its own work. `check`
itself no longer stands on it (fastcheck.py), and starts faster than that floor.

To see where the time goes: `python -X importtime -m chuangye_rules check PROFILE 2> imports.txt`."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the stack `check` stands on, with nothing of ours: a typer app of two commands, one pydantic model validated,
# the profile parsed by PyYAML, a rich table printed
FLOOR = """
from typing import Optional
import typer, yaml
from pydantic import BaseModel
app = typer.Typer()
class Profile(BaseModel):
    facts: dict = {}
@app.command()
def check(path: str, as_of: Optional[str] = typer.Option(None, "--as-of")):
    from rich.console import Console
    from rich.table import Table
    profile = Profile(facts=yaml.safe_load(open(path, encoding="utf-8")) or {})
    table = Table()
    table.add_column("fact")
    for name in profile.facts:
        table.add_row(str(name))
    Console().print(table)
@app.command()
def other():
    pass
app()
"""


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {error.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def _line(name: str, runs: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return (f"{name}: {len(runs)} runs, wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}, "
            f"max {max(walls):.3f}); CPU median {statistics.median(cpus):.3f} s (min {min(cpus):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", default=str(ROOT / "examples" / "profiles" / "huaibei-returnee-graduate.yaml"))
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--against", type=Path, help="another copy's src/ folder, run alternately with this one")
    parser.add_argument("--floor", action="store_true",
                        help="also run a minimal app on the same stack: what any check would cost before its rules")
    args = parser.parse_args()
    # as an installed copy runs: with its bytecode cached (this machine's environment sets PYTHONDONTWRITEBYTECODE,
    # which would make every run compile the package again)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    command = [sys.executable, "-m", "chuangye_rules", "check", args.profile, "--as-of", "2024-06-01"]
    copies = {"this copy": {**env, "PYTHONPATH": str(ROOT / "src")}}
    if args.against:
        copies[f"against {args.against}"] = {**env, "PYTHONPATH": str(args.against.resolve())}
    commands = {name: command for name in copies}
    if args.floor:
        floor = Path(tempfile.mkdtemp()) / "floor.py"
        floor.write_text(FLOOR, encoding="utf-8")
        copies["the stack's floor (typer, pydantic, rich, PyYAML; no rules)"] = env
        commands["the stack's floor (typer, pydantic, rich, PyYAML; no rules)"] = [
            sys.executable, str(floor), "check", args.profile, "--as-of", "2024-06-01"]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in copies}
    for name, copy_env in copies.items():
        _run(commands[name], copy_env)  # warm the page cache, the bytecode and the rulebook cache
    for _ in range(args.runs):
        for name, copy_env in copies.items():
            times[name].append(_run(commands[name], copy_env))
    for name, runs in times.items():
        print(_line(name, runs))


if __name__ == "__main__":
    main()
