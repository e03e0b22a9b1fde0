"""How long `chuangye check` takes on one profile, start-up included: the median of whole-process runs.

    python bench/startup_bench.py [--runs 15] [PROFILE]

Each run is a fresh `python -m chuangye_rules check PROFILE --as-of 2024-06-01` (imports, the field catalog,
the five rulebooks, one evaluation, the table), as a caseworker meets it. The target (issue #16) is 0.25 s."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", nargs="?", default=str(ROOT / "examples" / "profiles" / "huaibei-returnee-graduate.yaml"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # as an installed copy runs: with its bytecode cached (this machine's environment sets PYTHONDONTWRITEBYTECODE,
    # which would make every run compile the package again)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-m", "chuangye_rules", "check", args.profile, "--as-of", "2024-06-01"]
    subprocess.run(command, capture_output=True, check=True, env=env)  # warm the page cache and the bytecode
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - started)
    print(f"chuangye check, {args.runs} runs: median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f})")


if __name__ == "__main__":
    main()
