"""Benchmark `chuangye batch` end to end against what polars alone needs to read the list and write an
output of the same size.

    python bench/batch_bench.py                      # 1,000,000 applicants
    python bench/batch_bench.py --rows 200000 --scale 1000000   # and a memory-flatness check at 1M

It generates a seeded synthetic list (all five cities, every applicant kind and identity, realistic values,
1% broken rows; Chinese headers, UTF-8), runs the real CLI in a subprocess (start-up included), and prints:
the batch time and rows/s; the polars baseline (read the list + write a CSV the size of the results); their
ratio (target ≤ 2); the peak memory of the batch process (target < 1 GB at 1M rows); and with --scale, the
peak memory ratio of the larger run to the smaller (target ≤ 1.2: memory bounded by the chunk, not the file).
Each is timed --repeat times (default 3), batch and baseline taking turns, each from the same state (earlier
outputs deleted, the disk flushed), after --warmup untimed turns (default 1: the first run after the list is
written is the slowest of either); the medians are compared, because on a shared machine a run's time moves
by a quarter with the state of the disk. The --scale run is for memory: it is run once, with no warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

SEED = 20240601
CITIES = ["淮北", "鄂尔多斯", "青岛", "威海", "六安"]
KINDS = ["个人", "个人", "个人", "个体工商户", "企业", "学校", "孵化载体", "投资机构"]
IDENTITIES = ["高校毕业生", "返乡人员", "农民工", "退役军人", "登记失业人员", "就业困难人员", "残疾人", "脱贫人口",
              "科研人员", "留学回国人员", "在校生", "灵活就业人员", "新就业形态劳动者", "事业单位专业技术人员", "青年"]
RECOGNITIONS = ["市级创新创业承载基地", "省级智能工厂", "创业良种库项目", "创业安徽大赛获奖", "盟市级以上荣誉称号", "无"]


def _pick(index: pl.Expr, options: list[str], salt: int) -> pl.Expr:
    return pl.lit(pl.Series(options)).get((index.hash(SEED + salt) % len(options)).cast(pl.Int64))


def _yes_no(index: pl.Expr, salt: int, blank_share: int = 4) -> pl.Expr:
    # about one in `blank_share` left empty (unknown), otherwise 是 / 否
    return _pick(index, ["是", "是", "否"] + [None] * max(0, blank_share - 3), salt)


def _date(index: pl.Expr, salt: int, start: dt.date, span_days: int) -> pl.Expr:
    days = (index.hash(SEED + salt) % span_days).cast(pl.Int64)
    return (pl.lit(start) + pl.duration(days=days)).dt.strftime("%Y-%m-%d")


def generate(rows: int, path: Path) -> None:
    i = pl.col("i")
    ids = pl.format("A{}", i)
    n_ident = (i.hash(SEED + 1) % 3).cast(pl.Int64)
    identities = pl.concat_str([_pick(i, IDENTITIES, 2), pl.when(n_ident >= 1).then(_pick(i, IDENTITIES, 3)),
                                pl.when(n_ident >= 2).then(_pick(i, IDENTITIES, 4))], separator="、", ignore_nulls=True)
    frame = pl.select(pl.int_range(rows, dtype=pl.Int64).alias("i")).select(
        ids.alias("编号"),
        _pick(i, CITIES, 5).alias("城市"),
        _pick(i, KINDS, 6).alias("申请人类型"),
        identities.alias("身份"),
        _pick(i, RECOGNITIONS, 7).alias("认定与获奖"),
        _date(i, 8, dt.date(2015, 1, 1), 3650).alias("毕业时间"),
        _date(i, 9, dt.date(2018, 1, 1), 2400).alias("注册登记日期"),
        _yes_no(i, 10).alias("首次创业"),
        _yes_no(i, 11).alias("正常经营"),
        _yes_no(i, 12).alias("正常申报纳税"),
        (i.hash(SEED + 13) % 80).cast(pl.String).alias("吸纳就业人数"),
        (i.hash(SEED + 14) % 12).cast(pl.String).alias("新增吸纳就业6个月以上人数"),
        _yes_no(i, 15).alias("在本市范围内创业"),
        _yes_no(i, 16).alias("创业担保贷款借款人"),
        ((i.hash(SEED + 17) % 900000) / 100).round(2).cast(pl.String).alias("个人承担的利息"),
        _yes_no(i, 18).alias("在本市实施科技成果转化或产业化"),
        (i.hash(SEED + 19) % 20_000_000).cast(pl.String).alias("购买先进技术成果实际支付额"),
        _yes_no(i, 20).alias("在省外务工"),
        _date(i, 21, dt.date(2019, 1, 1), 2000).alias("离岗创业开始日期"),
        _yes_no(i, 22).alias("离校后是否已就业"),
        (i.hash(SEED + 23) % 30_000_000).cast(pl.String).alias("项目研发总投入"),
        (i.hash(SEED + 24) % 10).cast(pl.String).alias("孵化成功出园企业数"),
        _pick(i, [None, "备注", "请核实"], 25).alias("备注"),
    )
    # 1% broken rows: an impossible date, or a count that is not a number
    frame = frame.with_row_index("_n").with_columns(
        pl.when(pl.col("_n").hash(SEED + 99) % 100 == 0).then(pl.lit("2023-02-30")).otherwise(pl.col("毕业时间")).alias("毕业时间"),
        pl.when(pl.col("_n").hash(SEED + 98) % 100 == 0).then(pl.lit("很多")).otherwise(pl.col("吸纳就业人数")).alias("吸纳就业人数"),
    ).drop("_n")
    frame.write_csv(path)


def _high_water_kb(pid: int) -> int | None:
    """VmHWM of the process's own address space. (rusage's maxrss would also count the pages this parent
    shared with the child between fork and exec — the generated list among them.)"""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def settle(*earlier: Path) -> None:
    """Start a timed run from the same state every time: earlier outputs deleted (their pages freed), what
    is written flushed to disk, and a second for the disk to finish (deleting gigabytes keeps it busy)."""
    for path in earlier:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    if hasattr(os, "sync"):
        os.sync()
    time.sleep(1)


# as an installed copy runs: with its modules' compiled bytecode cached (pip compiles it at install; a
# PYTHONDONTWRITEBYTECODE left in the environment would make every run compile the package again, ~0.1 s)
INSTALLED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_batch(path: Path, outdir: Path, as_of: str) -> tuple[float, int, str]:
    """Time the CLI, start-up included, and follow its peak memory while it runs."""
    settle(outdir)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "chuangye_rules", "batch", str(path), "-o", str(outdir),
                                 "--as-of", as_of], stdout=out, stderr=err, env=INSTALLED)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _high_water_kb(proc.pid) or 0)
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode("utf-8"), err.read().decode("utf-8")
    if proc.returncode != 0:
        raise SystemExit(f"batch failed: {stderr}")
    return seconds, peak, stdout


BASELINE = """
import sys, time
import polars as pl
path, results, target = sys.argv[1:4]
output = pl.read_csv(results, infer_schema=False)  # prepared before the timing
print("ready", flush=True)
sys.stdin.readline()  # the parent settles the disk meanwhile
started = time.perf_counter()
pl.read_csv(path, infer_schema=False)
output.write_csv(target)
print(time.perf_counter() - started, flush=True)
"""


def baseline(path: Path, results: Path, target: Path) -> float:
    """polars alone: read the list, and write an output the size of the batch's results — in a fresh process
    like the batch's, so neither inherits the other's memory (the results frame alone takes gigabytes)."""
    proc = subprocess.Popen([sys.executable, "-c", BASELINE, str(path), str(results), str(target)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit("the polars baseline failed to start")
    settle(target)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    seconds = float(proc.stdout.readline())
    proc.wait()
    return seconds


def measure(rows: int, work: Path, as_of: str, repeat: int, warmup: int = 1) -> dict:
    """Generate the list, then time the batch and the baseline `repeat` times, taking turns so both meet the
    same state of the (shared, noisy) disk; the medians are compared. `warmup` untimed turns of each come
    first: the first run after the list is written is the slowest of either, by up to half."""
    path = work / f"list-{rows}.csv"
    t = time.perf_counter()
    generate(rows, path)
    gen = time.perf_counter() - t
    batches, bases, peaks = [], [], []
    out, target = work / f"out-{rows}", work / f"baseline-{rows}.csv"
    for _ in range(warmup):
        run_batch(path, out, as_of)
        baseline(path, out / "results.csv", target)
        target.unlink(missing_ok=True)
    for _ in range(repeat):
        target.unlink(missing_ok=True)
        seconds, peak_kb, stdout = run_batch(path, out, as_of)
        batches.append(seconds)
        peaks.append(peak_kb / 1024)
        bases.append(baseline(path, out / "results.csv", target))
    return {"rows": rows, "generate_s": gen, "batch_runs": batches, "baseline_runs": bases,
            "batch_s": statistics.median(batches), "baseline_s": statistics.median(bases),
            "ratio": statistics.median(batches) / statistics.median(bases), "peak_mb": max(peaks),
            "peak_median_mb": statistics.median(peaks),
            "bytes": path.stat().st_size, "results_bytes": (out / "results.csv").stat().st_size, "stdout": stdout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scale", type=int, default=0, help="also run this many rows and compare peak memory")
    parser.add_argument("--as-of", default="2024-06-01")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (the medians are compared)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each before the timed ones")
    parser.add_argument("--dir", default=None, help="where the list and outputs are written (default: the system's "
                        "temporary folder; /dev/shm measures without the disk)")
    parser.add_argument("--write-list", default=None, metavar="PATH",
                        help="only write the synthetic list of --rows rows to PATH (e.g. for chuangye compare) and stop")
    args = parser.parse_args()
    if args.write_list:
        generate(args.rows, Path(args.write_list))
        print(f"{args.rows:,} rows written to {args.write_list}")
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        first = measure(args.rows, work, args.as_of, args.repeat, args.warmup)
        report(first)
        if args.scale:
            # peak RSS of children is a high-water mark over all children: run the larger one in a fresh process
            proc = subprocess.run([sys.executable, __file__, "--rows", str(args.scale), "--as-of", args.as_of,
                                   "--repeat", "1", "--warmup", "0", *(["--dir", args.dir] if args.dir else [])],
                                  capture_output=True, text=True)
            print(proc.stdout)
            if proc.returncode != 0 or "peak memory" not in proc.stdout:
                raise SystemExit(f"the {args.scale:,}-row run failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
            peak = [line for line in proc.stdout.splitlines() if line.startswith("peak memory")][0]
            second_peak = float(peak.split()[2])
            # against the median of the smaller runs' peaks, not their highest (which would flatter the ratio)
            print(f"memory ratio {args.scale:,} / {args.rows:,} rows: {second_peak / first['peak_median_mb']:.2f} "
                  f"(target ≤ 1.2; {second_peak:.0f} MB / the median {first['peak_median_mb']:.0f} MB)")


def report(m: dict) -> None:
    print(m["stdout"].strip())
    print(f"rows {m['rows']:,}  list {m['bytes'] / 1e6:.0f} MB  results {m['results_bytes'] / 1e6:.0f} MB  "
          f"(generated in {m['generate_s']:.1f} s)")
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    print(f"chuangye batch      {m['batch_s']:.2f} s  ({m['rows'] / m['batch_s']:,.0f} rows/s, start-up included; "
          f"median of {runs(m['batch_runs'])})")
    print(f"polars read+write   {m['baseline_s']:.2f} s  (median of {runs(m['baseline_runs'])})")
    print(f"ratio               {m['ratio']:.2f}  (target ≤ 2)")
    print(f"peak memory {m['peak_mb']:.0f} MB  (target < 1024 MB at 1,000,000 rows; the highest of the runs)")


if __name__ == "__main__":
    main()
