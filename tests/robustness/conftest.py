"""Robustness suite (issue 6): hostile and broken input, property tests, interruption, security and privacy.

Hypothesis runs derandomized (the same examples on every run, no example database), with modest example
counts, so CI is reproducible and the whole folder stays well under two minutes on a 2-core machine.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("chuangye", derandomize=True, database=None, deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "chuangye"))

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(tmp_path):
    """Run `chuangye ...` as a user does (a subprocess, through main()); returns the CompletedProcess."""

    def run(*args, env=None, timeout=120, cwd=None):
        return subprocess.run([sys.executable, "-m", "chuangye_rules", *map(str, args)], capture_output=True,
                              text=True, timeout=timeout, cwd=cwd or tmp_path,
                              env={**os.environ, "COLUMNS": "160", **(env or {})})

    return run


@pytest.fixture
def chuangye(capsys, monkeypatch):
    """Run the `chuangye` command in this process through main() — its exit code (3 would be an internal
    error, i.e. a bug), stdout and stderr — much faster than a subprocess for many small inputs."""
    from chuangye_rules.cli import main

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["chuangye", *map(str, args)])
        monkeypatch.setenv("COLUMNS", "160")
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run
