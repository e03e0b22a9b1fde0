"""Benchmark `chuangye compare` against `chuangye batch` on the same synthetic list (issue 18: at most 1.5×).

    python bench/compare_bench.py                  # 100,000 applicants
    python bench/compare_bench.py --rows 1000000

The list comes from batch_bench.generate (seeded; all five cities, every kind, 1% broken rows). The reform
raises Ordos's one-time startup subsidy from 5000 to 8000元 (`--set`), so both versions are compiled and
evaluated on every block. Each command runs --repeat times in a subprocess (start-up included), taking turns;
the medians are compared and the ratio printed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from batch_bench import generate  # noqa: E402


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "chuangye_rules", *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        listing = folder / "list.csv"
        generate(options.rows, listing)
        batch, compare = [], []
        for _ in range(options.repeat):
            for out in ("b", "c"):
                shutil.rmtree(folder / out, ignore_errors=True)
            batch.append(timed(["batch", str(listing), "-o", str(folder / "b"), "--as-of", "2024-06-01", "--report"]))
            compare.append(timed(["compare", str(listing), "-o", str(folder / "c"), "--as-of", "2024-06-01",
                                  "--set", "ordos.one_time_startup_subsidy.amount=8000"]))
        b, c = statistics.median(batch), statistics.median(compare)
        print(f"{options.rows:,} rows: batch --report {b:.2f} s, compare {c:.2f} s, ratio {c / b:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
