"""Faults injected for real into `chuangye batch`: a small disk filled to several levels, a read-only disk, OUTDIR
removed mid-run, a list or the user's own files named like an output, SIGINT/SIGTERM at random moments of a
100,000-row run, a writer thread that dies. Each checks byte for byte that the list and the user's files are
unchanged, that nothing this run wrote is left (no hidden folder, no temporary file), and that the message is
Chinese, exit 2 — never a traceback or 内部错误.

The disks are real tmpfs mounts when the tests run as root (as in CI); otherwise those tests are skipped and
the same fault is injected as an OSError at the same call (the `injected` tests, which always run)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from chuangye_rules.base.problems import InputError
from chuangye_rules.batch import outfolder, runner
from chuangye_rules.batch.budget import Budget
from chuangye_rules.batch.runner import run_batch

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
HEADER = "编号,城市,申请人类型,身份,毕业时间,注册登记日期,首次创业,正常经营,正常申报纳税,吸纳就业人数,身份证号"
ROWS = [
    "O{},鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,",
    "H{},淮北,个体工商户,高校毕业生、返乡人员,2022-06-30,2023-03-15,是,是,是,2,",
    "N{},,企业,无,,2019-05-20,,是,是,35,",
    "B{},鄂尔多斯,个人,残疾人,,2022-02-30,是,是,是,2,",  # rejected: no such date
]
MINE = {"备注.txt": "我自己的文件，不能丢".encode("utf-8"), "名单-备份.csv": EXAMPLE.read_bytes()}


def write_list(path: Path, rows: int) -> Path:
    path.write_text("\n".join([HEADER] + [ROWS[i % len(ROWS)].format(i) for i in range(rows)]) + "\n", "utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry of a folder, hidden ones included, with its bytes (a folder as None)."""
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in sorted(folder.iterdir())}


def batch(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chuangye_rules", "batch", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def refused_cleanly(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


# ----------------------------------------------------------------------------------------- real disks


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def tmpfs(where: Path, size_kb: int):
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the injected variant runs instead")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk: Path, leave: int) -> None:
    """Write a filler file until `leave` bytes are free on the disk (to the page)."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler.bin", "wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))


needs_root = pytest.mark.skipif(not _can_mount(), reason="needs root for a tmpfs mount; the injected variant runs")


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """A list of 3,000 rows and the sizes of what a run with --report writes for it."""
    folder = tmp_path_factory.mktemp("medium")
    path = write_list(folder / "list.csv", 3000)
    done = batch(path, "-o", folder / "ref", "--as-of", "2024-06-01", "--report")
    assert done.returncode == 0, done.stderr
    sizes = {p.name: p.stat().st_size for p in (folder / "ref").iterdir()}
    return path, sizes


def _pages(n: int) -> int:
    return -(-n // 4096) * 4096


@needs_root
@pytest.mark.parametrize("level", ["before_the_first_write", "in_the_middle_of_results", "during_the_report"])
def test_a_full_disk_at_any_point_leaves_the_folder_as_it_was(tmp_path, medium, level):
    path, sizes = medium
    data = sum(_pages(sizes[n]) for n in ("results.csv", "applicants.csv", "errors.csv"))
    leave = {"before_the_first_write": 0, "in_the_middle_of_results": sizes["results.csv"] // 2,
             "during_the_report": data + 4096}[level]
    assert leave + 4096 < data + sizes["report.md"], "the report must not fit, or the fault is not where named"
    with tmpfs(tmp_path / "disk", 8 * 1024 + (data + _pages(sizes["report.md"])) // 1024) as disk:
        out = disk / "out"
        out.mkdir()
        for name, content in MINE.items():
            (out / name).write_bytes(content)
        fill(disk, leave)
        before, listed = snapshot(out), path.read_bytes()
        done = batch(path, "-o", out, "--as-of", "2024-06-01", "--report")
        refused_cleanly(done, "磁盘空间不足", "未写出任何结果文件")
        assert snapshot(out) == before
        assert path.read_bytes() == listed


@needs_root
def test_a_full_disk_where_outdir_does_not_exist_yet_leaves_no_folder(tmp_path, medium):
    path, _ = medium
    with tmpfs(tmp_path / "disk", 256) as disk:
        fill(disk, 4096)
        done = batch(path, "-o", disk / "新目录" / "结果", "--as-of", "2024-06-01", "--report")
        refused_cleanly(done, "磁盘空间不足")
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin"]


@needs_root
@pytest.mark.parametrize("outdir", ["out", "out/新目录"])
def test_a_read_only_disk_is_a_message(tmp_path, medium, outdir):
    path, _ = medium
    with tmpfs(tmp_path / "disk", 1024) as disk:
        (disk / "out").mkdir()
        for name, content in MINE.items():
            (disk / "out" / name).write_bytes(content)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        before = snapshot(disk / "out")
        done = batch(path, "-o", disk / outdir, "--as-of", "2024-06-01", "--report")
        refused_cleanly(done, "只读")
        assert snapshot(disk / "out") == before


# ----------------------------------------------------------------------------------------- injected faults


@pytest.fixture
def small(tmp_path):
    path = write_list(tmp_path / "list.csv", 60)
    out = tmp_path / "out"
    out.mkdir()
    for name, content in MINE.items():
        (out / name).write_bytes(content)
    return path, out


def _raise(error: BaseException):
    def fail(*args, **kwargs):
        raise error
    return fail


NOSPACE = OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["results", "finishing", "report", "summary", "placing", "manifest"])
def test_injected_full_disk_at_each_step_leaves_the_folder_as_it_was(small, monkeypatch, where):
    """The same faults as the tmpfs tests, injected at the call that fails, for machines without mounts."""
    path, out = small
    target = {"results": (runner.Output, "write"), "finishing": (runner.Output, "finish"),
              "report": (Budget, "markdown"), "summary": (runner, "_write_summary"),
              "placing": (outfolder.OutFolder, "_place"), "manifest": (outfolder.OutFolder, "_write_manifest")}[where]
    monkeypatch.setattr(*target, _raise(NOSPACE))
    before = snapshot(out)
    with pytest.raises(InputError, match="磁盘空间不足"):
        run_batch(path, out, as_of=dt.date(2024, 6, 1), budget=Budget())
    assert snapshot(out) == before


def test_injected_read_only_disk_and_a_clean_up_that_fails_too(small, monkeypatch):
    """EROFS when the run's folder is made, and again when anything is removed: the message is still the cause."""
    path, out = small
    monkeypatch.setattr(outfolder.OutFolder, "open", _raise(OSError(errno.EROFS, "Read-only file system")))
    monkeypatch.setattr(os, "rmdir", _raise(OSError(errno.EROFS, "Read-only file system")))
    with pytest.raises(InputError, match="只读"):
        run_batch(path, out, as_of=dt.date(2024, 6, 1))


def test_a_writer_thread_that_dies_of_an_io_error_is_a_message(small, monkeypatch):
    path, out = small
    monkeypatch.setattr(runner.Writer, "_write", staticmethod(_raise(OSError(errno.EIO, "Input/output error"))))
    before = snapshot(out)
    with pytest.raises(InputError, match="磁盘读写出错"):
        run_batch(path, out, as_of=dt.date(2024, 6, 1))
    assert snapshot(out) == before


def test_a_writer_thread_that_dies_of_a_bug_still_leaves_nothing(small, monkeypatch):
    """A bug is exit 3 (内部错误), but even then nothing this run wrote is left."""
    path, out = small
    monkeypatch.setattr(runner.Writer, "_write", staticmethod(_raise(RuntimeError("a bug"))))
    before = snapshot(out)
    with pytest.raises(RuntimeError):
        run_batch(path, out, as_of=dt.date(2024, 6, 1))
    assert snapshot(out) == before


# ----------------------------------------------------------------------------------------- names


@pytest.fixture(scope="module")
def xlsx_list(tmp_path_factory) -> Path:
    """A list as Excel: the applicants.xlsx a batch run writes."""
    folder = tmp_path_factory.mktemp("xlsx")
    made = batch(EXAMPLE, "-o", folder / "x", "--as-of", "2024-06-01", "--format", "xlsx")
    assert made.returncode == 0, made.stderr
    return folder / "x" / "applicants.xlsx"


@pytest.mark.parametrize("name, fmt", [("results.csv", "csv"), ("applicants.csv", "csv"), ("errors.csv", "csv"),
                                       ("results.xlsx", "xlsx"), ("applicants.xlsx", "xlsx")])
def test_a_list_named_like_an_output_is_never_written_over(tmp_path, name, fmt, xlsx_list):
    """`chuangye batch applicants.csv -o .` — what a clerk types — refuses, with the list untouched."""
    folder = tmp_path / "桌面"
    folder.mkdir()
    if fmt == "xlsx":
        shutil.copy(xlsx_list, folder / name)
    else:
        shutil.copy(EXAMPLE, folder / name)
    (folder / "备注.txt").write_bytes(MINE["备注.txt"])
    before = snapshot(folder)
    for extra in ([], ["--overwrite"]):
        done = subprocess.run([sys.executable, "-m", "chuangye_rules", "batch", name, "-o", ".", "--format", fmt,
                               "--as-of", "2024-06-01", *extra], capture_output=True, text=True, cwd=folder,
                              timeout=120)
        refused_cleanly(done, "名单文件本身")
        assert snapshot(folder) == before


OUTPUT_NAMES = ["results.csv", "applicants.csv", "errors.csv", "summary.json", "report.md", "results.xlsx",
                "results.jsonl", "applicants.jsonl", "applicants.xlsx", ".chuangye-manifest.json"]
WRITTEN = ["results.csv", "applicants.csv", "errors.csv", "summary.json"]  # by a csv run without --report
NOT_WRITTEN = [name for name in OUTPUT_NAMES if name not in WRITTEN and name != ".chuangye-manifest.json"]


# each name a run writes, alone (one would hide another's refusal); the names it does not write, all at once
@pytest.mark.parametrize("names", [[name] for name in WRITTEN] + [[".chuangye-manifest.json"], NOT_WRITTEN],
                         ids=WRITTEN + [".chuangye-manifest.json", "not-written"])
def test_a_users_file_named_like_an_output_is_never_touched(tmp_path, names):
    out = tmp_path / "out"
    out.mkdir()
    for name in names:
        (out / name).write_bytes("用户自己的文件".encode("utf-8"))
    before = snapshot(out)
    for extra in ([], ["--overwrite"]):
        done = batch(EXAMPLE, "-o", out, "--as-of", "2024-06-01", *extra)
        if names[0] in WRITTEN:
            refused_cleanly(done, "已有同名文件")
            assert snapshot(out) == before
        elif names[0] == ".chuangye-manifest.json":
            refused_cleanly(done, "同名文件")
            assert snapshot(out) == before
        else:
            assert done.returncode == 0, done.stderr
            for name in names:
                assert (out / name).read_bytes() == before[name], f"{name}: a file this run does not write is left alone"
            for made in WRITTEN:
                (out / made).unlink()
            (out / ".chuangye-manifest.json").unlink()
            assert snapshot(out) == before


def test_overwrite_replaces_an_earlier_runs_outputs_but_not_one_the_user_changed(tmp_path):
    out = tmp_path / "out"
    first = batch(EXAMPLE, "-o", out, "--as-of", "2024-06-01")
    assert first.returncode == 0, first.stderr
    again = batch(EXAMPLE, "-o", out, "--as-of", "2024-06-01")
    refused_cleanly(again, "上次运行写出", "--overwrite")
    replaced = batch(EXAMPLE, "-o", out, "--as-of", "2023-06-01", "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert '"as_of": "2023-06-01"' in (out / "summary.json").read_text("utf-8")
    with open(out / "results.csv", "ab") as handle:  # the caseworker adds a note to the results
        handle.write("备注\n".encode("utf-8"))
    before = snapshot(out)
    refused = batch(EXAMPLE, "-o", out, "--as-of", "2024-06-01", "--overwrite")
    refused_cleanly(refused, "改动过")
    assert snapshot(out) == before


def test_a_run_without_report_leaves_an_earlier_report_and_says_so(tmp_path):
    out = tmp_path / "out"
    assert batch(EXAMPLE, "-o", out, "--as-of", "2024-06-01", "--report").returncode == 0
    report = (out / "report.md").read_bytes()
    done = batch(EXAMPLE, "-o", out, "--as-of", "2024-06-01", "--overwrite")
    assert done.returncode == 0, done.stderr
    assert (out / "report.md").read_bytes() == report
    assert "report.md 是更早一次运行写出的" in done.stderr


# ----------------------------------------------------------------------------------------- mid-run


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """100,000 rows, a reference run of them, and how long a run takes."""
    folder = tmp_path_factory.mktemp("large")
    path = write_list(folder / "list.csv", 100_000)
    started = time.monotonic()
    done = batch(path, "-o", folder / "ref", "--as-of", "2024-06-01", "--report")
    assert done.returncode == 0, done.stderr
    return path, folder / "ref", time.monotonic() - started


def _outputs(folder: Path) -> dict:
    import json

    found = {n: (folder / n).read_bytes() for n in ("results.csv", "applicants.csv", "errors.csv", "report.md")}
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    for key in ("seconds", "outputs"):
        summary.pop(key)
    return {**found, "summary": summary}


@pytest.mark.parametrize("seed", range(4))
def test_a_signal_at_a_random_moment_leaves_either_nothing_new_or_the_whole_result(tmp_path, large, seed):
    path, reference, seconds = large
    rng = random.Random(seed)
    sig = (signal.SIGINT, signal.SIGTERM)[seed % 2]
    out = tmp_path / "out"
    out.mkdir()
    for name, content in MINE.items():
        (out / name).write_bytes(content)
    before, listed = snapshot(out), path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "chuangye_rules", "batch", str(path), "-o", str(out),
                             "--as-of", "2024-06-01", "--report"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(rng.uniform(0.1, seconds * 1.05))
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr and "内部错误" not in stderr, stderr
    assert path.read_bytes() == listed
    if snapshot(out) == before:  # stopped before its outputs were placed: nothing new, and it says so
        # (a signal during Python's own start-up, before any handler is set, ends it by the signal itself)
        assert proc.returncode in (130, 143, -signal.SIGINT, -signal.SIGTERM), (proc.returncode, stderr)
        assert proc.returncode < 0 or "已中断" in stderr, stderr
    else:  # the signal came as or after the outputs were placed: the run is whole, and nothing says otherwise
        assert proc.returncode in (0, 130, 143), (proc.returncode, stderr)
        assert "未写出任何结果文件" not in stderr, stderr
        assert _outputs(out) == _outputs(reference)
        assert {k: v for k, v in snapshot(out).items() if k in MINE} == before
        assert not list(out.glob(".chuangye-运行中-*"))


def test_outdir_removed_mid_run_is_a_message(tmp_path, large):
    path, _, _ = large
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "chuangye_rules", "batch", str(path), "-o", str(out),
                             "--as-of", "2024-06-01", "--report"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "CHUANGYE_CHUNK_MB": "0.25"})
    deadline = time.monotonic() + 60
    while not list(out.glob(".chuangye-运行中-*/results.csv")):
        assert proc.poll() is None and time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    while out.exists():  # the caseworker deletes the folder while the run writes into it
        shutil.rmtree(out, ignore_errors=True)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stderr
    assert "删除或移动" in stderr and "Traceback" not in stderr and "内部错误" not in stderr, stderr
    assert not out.exists(), "the run does not make the folder again"


# ----------------------------------------------------------------------------------------- compare

REFORM = ("--set", "huaibei.returnee_startup_subsidy.amount=8000")


def compare(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chuangye_rules", "compare", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


@needs_root
def test_compare_on_a_full_disk_is_a_message_and_leaves_the_folder_as_it_was(tmp_path, medium):
    """`compare` said 内部错误 … OSError: [Errno 28] (exit 3) on a full disk; now as `batch` says it (exit 2)."""
    path, _ = medium
    with tmpfs(tmp_path / "disk", 256) as disk:
        out = disk / "out"
        out.mkdir()
        for name, content in MINE.items():
            (out / name).write_bytes(content)
        fill(disk, 0)
        before, listed = snapshot(out), path.read_bytes()
        done = compare(path, *REFORM, "-o", out, "--as-of", "2024-06-01")
        refused_cleanly(done, "磁盘空间不足", "未写出任何结果文件")
        assert snapshot(out) == before and path.read_bytes() == listed


@pytest.mark.parametrize("where", ["report", "placing"])
def test_compare_injected_full_disk_leaves_the_folder_as_it_was(small, monkeypatch, where):
    from chuangye_rules import load_rulebooks
    from chuangye_rules.batch import comparerun
    from chuangye_rules.batch.reforms import with_settings

    path, out = small
    target = {"report": (comparerun, "_write_outputs"), "placing": (outfolder.OutFolder, "_place")}[where]
    monkeypatch.setattr(*target, _raise(NOSPACE))
    before = snapshot(out)
    base = load_rulebooks()
    with pytest.raises(InputError, match="磁盘空间不足"):
        comparerun.run_compare(path, out, base, with_settings(base, [REFORM[1]]), as_of=dt.date(2024, 6, 1))
    assert snapshot(out) == before


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_compare_stopped_mid_run_leaves_the_folder_as_it_was(tmp_path, large, sig):
    """The signal is sent once the run's hidden folder exists (the list is being compared): the run stops, says
    so, exits 130 (Ctrl-C) or 143 (SIGTERM: it ended Python at once and left the hidden folder behind)."""
    path, _, _ = large
    out = tmp_path / "out"
    out.mkdir()
    for name, content in MINE.items():
        (out / name).write_bytes(content)
    before, listed = snapshot(out), path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "chuangye_rules", "compare", str(path), *REFORM, "-o", str(out),
                             "--as-of", "2024-06-01"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob(".chuangye-运行中-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the comparison ended before it could be stopped"
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr and "内部错误" not in stderr, stderr
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), (proc.returncode, stderr)
    assert "已中断" in stderr, stderr
    assert snapshot(out) == before and path.read_bytes() == listed


@pytest.mark.parametrize("command", [["batch"], ["compare", *REFORM]])
def test_an_outdir_that_is_a_file_is_said_so(tmp_path, command):
    """It said "…/.chuangye-运行中-29545-87c9693f: 路径中有一段是文件而不是目录" (the hidden folder's name)."""
    from typer.testing import CliRunner

    from chuangye_rules.cli import app

    listed = write_list(tmp_path / "list.csv", 20)
    mine = tmp_path / "备注.txt"
    mine.write_bytes(MINE["备注.txt"])
    result = CliRunner().invoke(app, [command[0], str(listed), *command[1:], "-o", str(mine)])
    assert result.exit_code == 2 and "输出目录是一个文件" in result.output and "运行中" not in result.output, result.output
    assert mine.read_bytes() == MINE["备注.txt"] and sorted(p.name for p in tmp_path.iterdir()) == ["list.csv", "备注.txt"]
