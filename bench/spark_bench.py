"""`chuangye batch --engine spark` against the polars engine on the same Parquet list (issue 17, "Scale, measured").

    python bench/spark_bench.py                    # 10,000,000 applicants
    python bench/spark_bench.py --rows 1000000 --master 'local[2]'

The list is batch_bench.py's seeded synthetic one (all five cities, every applicant kind, 1% broken rows),
generated once as CSV and written as Parquet. Each engine then runs as the real CLI in its own process — start-up,
reading and validating the list, evaluating, writing — and the bench prints, for each: seconds, rows per second,
rows per second per core, and the peak memory of the whole process tree (the sum of the resident memory of the
process and its children, sampled every 0.1 s: for Spark, the JVM is a child of the Python driver). It checks
that both read, rejected and wrote the same numbers of rows. Needs `pip install '.[spark]'` and Java 17.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_bench import INSTALLED, generate, settle  # noqa: E402


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants now."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
        todo.extend(_children(current))
    return total


def run(command: list[str]) -> tuple[float, int]:
    """(seconds, peak resident memory of the process tree in kB) of one CLI run."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=INSTALLED)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {err.read().decode('utf-8', 'replace')[-2000:]}")
    return seconds, peak


def _cores(master: str) -> int:
    inside = master[master.find("[") + 1:master.find("]")] if "[" in master else "1"
    return (os.cpu_count() or 1) if inside == "*" else int(inside)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--as-of", default="2024-06-01")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--dir", default=None, help="where the list and outputs go (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="chuangye-spark-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    listed = work / f"list-{args.rows}.parquet"
    if not listed.exists():
        csv = work / f"list-{args.rows}.csv"
        generate(args.rows, csv)
        pl.scan_csv(csv, infer_schema=False).sink_parquet(listed)
        csv.unlink()
    cli = [sys.executable, "-m", "chuangye_rules", "batch", str(listed), "--as-of", args.as_of]
    engines = {"polars": cli + ["--format", "parquet"], "spark": cli + ["--engine", "spark", "--master", args.master]}
    cores = {"polars": os.cpu_count() or 1, "spark": _cores(args.master)}
    figures = {}
    for name, command in engines.items():
        out = work / f"out-{name}"
        settle(out)
        seconds, peak = run(command + ["-o", str(out)])
        summary = json.loads((out / "summary.json").read_text("utf-8"))
        figures[name] = (seconds, peak, summary)
        print(f"{name:7} {seconds:8.1f} s  {args.rows / seconds:10,.0f} rows/s  "
              f"{args.rows / seconds / cores[name]:10,.0f} rows/s per core ({cores[name]} cores)  "
              f"peak {peak / 1024:7,.0f} MB  read {summary['read']:,} evaluated {summary['evaluated']:,} "
              f"rejected {summary['rejected']:,} result rows {summary.get('result_rows', '?')}")
    counts = {name: (s["read"], s["evaluated"], s["rejected"], s.get("result_rows")) for name, (_, _, s) in figures.items()}
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the engines disagree: {counts}")
    print(f"same rows read, evaluated, rejected and written by both; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
