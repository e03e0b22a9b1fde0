"""Interrupting a batch: SIGINT (Ctrl-C) and SIGTERM (`kill`, a service manager) sent to a real `chuangye batch`
in the middle of a run change nothing in OUTDIR — no new output, no temporary file, an earlier run's outputs
and the user's own files byte for byte as they were — and running it again gives exactly the same outputs as a
run that was never interrupted. (tests/robustness/test_faults.py sends them at random moments.)"""

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from chuangye_rules.batch import outfolder
from chuangye_rules.batch.runner import run_batch

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

HEADER = "编号,城市,申请人类型,身份,毕业时间,注册登记日期,首次创业,正常经营,正常申报纳税,吸纳就业人数,身份证号"
ROWS = [
    "O{},鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,",
    "H{},淮北,个体工商户,高校毕业生、返乡人员,2022-06-30,2023-03-15,是,是,是,2,",
    "N{},,企业,无,,2019-05-20,,是,是,35,",
    "B{},鄂尔多斯,个人,残疾人,,2022-02-30,是,是,是,2,",  # rejected: no such date
]
ENV = {"CHUANGYE_CHUNK_MB": "0.1"}  # many small chunks: the run is long enough to be caught in the middle
FINAL = ("results.csv", "applicants.csv", "errors.csv", "summary.json", "report.md")


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("interrupt")
    path = folder / "list.csv"
    lines = [HEADER] + [ROWS[i % len(ROWS)].format(i) for i in range(30_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reference = folder / "reference"
    with mock.patch.dict(os.environ, ENV):
        run_batch(path, reference, as_of=dt.date(2024, 6, 1), lang="zh")  # as the command writes
    return path, reference


def outputs(folder: Path) -> dict[str, object]:
    """The outputs as a run leaves them; summary.json without its timing and paths."""
    found = {}
    for name in ("results.csv", "applicants.csv", "errors.csv"):
        found[name] = (folder / name).read_bytes()
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    for key in ("seconds", "outputs"):
        summary.pop(key)
    found["summary.json"] = summary
    return found


def start(listing_path: Path, outdir: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "chuangye_rules", "batch", str(listing_path), "-o", str(outdir),
                             "--as-of", "2024-06-01", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **ENV})


def staged(outdir: Path, name: str = "results.csv") -> list[Path]:
    """The run's file `name` in its hidden folder, while the run is under way."""
    return list(outdir.glob(f".chuangye-运行中-*/{name}"))


def wait_until_running(proc: subprocess.Popen, outdir: Path, timeout: float = 60) -> None:
    """Until the first chunk's results are being written: the run is under way, its outputs not complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the batch ended before it could be interrupted: {proc.stderr.read()}")
        parts = staged(outdir)
        try:
            if parts and parts[0].stat().st_size > 10_000:
                return
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    proc.kill()
    pytest.fail("the batch never started writing")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_run_leaves_the_earlier_run_as_it_was_and_a_rerun_gives_the_same_result(tmp_path, listing, sig,
                                                                                              code):
    path, reference = listing
    outdir = tmp_path / "out"
    shutil.copytree(reference, outdir)  # an earlier, complete run in the same folder, and a file of the user's
    (outdir / "备注.txt").write_text("我自己的文件", encoding="utf-8")
    before = snapshot(outdir)
    proc = start(path, outdir, "--overwrite")
    wait_until_running(proc, outdir)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert "已中断" in stderr and "Traceback" not in stderr and "内部错误" not in stderr
    assert snapshot(outdir) == before, "an interrupted run changes nothing: no new file, no temporary one, the " \
                                       "earlier run's outputs and the user's file byte for byte as they were"
    rerun = subprocess.run([sys.executable, "-m", "chuangye_rules", "batch", str(path), "-o", str(outdir),
                            "--as-of", "2024-06-01", "--overwrite"], capture_output=True, text=True,
                           env={**os.environ, **ENV}, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert outputs(outdir) == outputs(reference)
    assert (outdir / "备注.txt").read_text("utf-8") == "我自己的文件"


def test_a_failure_while_placing_the_outputs_puts_the_earlier_run_back(tmp_path, listing, monkeypatch):
    """A failure between placing two outputs: the one already placed is removed, the earlier run's files
    it replaced are put back, byte for byte."""
    path, _ = listing
    small = tmp_path / "small.csv"
    small.write_text("\n".join(path.read_text("utf-8").splitlines()[:50]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.setenv("CHUANGYE_CHUNK_MB", "16")
    run_batch(small, out, as_of=dt.date(2024, 6, 1))
    before = snapshot(out)
    calls = []
    real_place = outfolder.OutFolder._place

    def place(self, name, aside):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_place(self, name, aside)

    monkeypatch.setattr(outfolder.OutFolder, "_place", place)
    with pytest.raises(KeyboardInterrupt):
        run_batch(small, out, as_of=dt.date(2023, 6, 1), overwrite=True)
    assert calls[0] == "results.csv"
    assert snapshot(out) == before


def test_a_finished_run_leaves_only_its_outputs(tmp_path, listing):
    _, reference = listing
    assert sorted(p.name for p in reference.iterdir()) == sorted([*FINAL[:4], ".chuangye-manifest.json"])


@pytest.mark.parametrize("when", ["compile_rulebook", "_open_list"])
def test_a_signal_polars_turns_into_another_error_before_the_run_starts_is_an_interruption(tmp_path, listing,
                                                                                          monkeypatch, when):
    """A Ctrl-C that lands inside a polars call while the rulebooks are compiled or the header is read comes out of
    polars as another error ("… is not a Polars data type", the interrupt only printed as ignored): the run is
    then interrupted (KeyboardInterrupt: the CLI says 已中断, exit 130), not an internal error, and writes nothing."""
    import signal

    from chuangye_rules.batch import runner

    path, _ = listing
    real = getattr(runner, when)

    def swallowed(*args, **kwargs):
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            raise TypeError("'<unprintable str object>' is not a Polars data type") from None
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, when, swallowed)
    out = tmp_path / "out"
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as a command starts (another test may differ)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(path, out, as_of=dt.date(2024, 6, 1))
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handlers are given back
    finally:
        signal.signal(signal.SIGINT, before)
    assert not out.exists()


def test_a_signal_just_after_the_outputs_are_placed_leaves_them_whole_and_says_so(tmp_path, listing, monkeypatch):
    """Ctrl-C after the outputs were placed, before run_batch returned: the run is complete (its outputs whole,
    no hidden folder left), and it says so — never "no result file was written"."""
    path, _ = listing
    small = tmp_path / "small.csv"
    small.write_text("\n".join(path.read_text("utf-8").splitlines()[:50]) + "\n", encoding="utf-8")
    real_commit = outfolder.OutFolder.commit

    def commit_then_signal(self, names):
        real_commit(self, names)
        raise KeyboardInterrupt

    monkeypatch.setattr(outfolder.OutFolder, "commit", commit_then_signal)
    summary = run_batch(small, tmp_path / "out", as_of=dt.date(2024, 6, 1))
    assert summary.interrupted_when_done and summary.balanced
    assert {"results.csv", "applicants.csv", "errors.csv", "summary.json"} <= {p.name for p in (tmp_path / "out").iterdir()}
    assert not list((tmp_path / "out").glob(".chuangye-运行中-*"))


def test_a_signal_python_cannot_raise_where_it_lands_is_noted_quietly_and_ends_the_run(tmp_path, listing,
                                                                                    monkeypatch):
    """A Ctrl-C or SIGTERM that lands while polars calls back into Python may be one Python cannot raise there
    (CI once printed "Exception ignored in: 'DataTypeClass'" and a traceback): nothing of it reaches the user, and
    the run still ends as interrupted, writing nothing. A `__del__` is such a place."""
    import signal

    from chuangye_rules.batch import runner

    path, _ = listing
    real = runner.compile_rulebook

    class LandsInDel:
        def __del__(self):
            signal.raise_signal(signal.SIGINT)

    def with_a_swallowed_signal(*args, **kwargs):
        LandsInDel()  # dropped at once: the interrupt lands in __del__, where it cannot propagate
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "compile_rulebook", with_a_swallowed_signal)
    out = tmp_path / "out"
    reported = []  # what Python would print as "Exception ignored in …"
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(path, out, as_of=dt.date(2024, 6, 1))
    finally:
        signal.signal(signal.SIGINT, before)
    assert reported == [] and sys.unraisablehook == reported.append  # the user's hook given back
    assert not out.exists()
