"""`chuangye serve` as a user starts it: a port in use is one Chinese line and exit 2, before any banner;
`--port 0` picks a free port, prints it, and serves the page there."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("uvicorn")


def serve(*args):
    return subprocess.Popen([sys.executable, "-m", "chuangye_rules", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_a_port_in_use_is_one_chinese_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = serve("--port", str(port))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, (out, err)
    assert out == "", "no 'running' banner for a server that never ran"
    assert err.count("\n") == 1 and f"端口 {port} 已被其他程序占用" in err and "--port 0" in err, err
    assert not re.search(r"[A-Za-z]{6,}", err.replace("serve", "")), f"English in the message: {err}"


def test_a_folder_without_rulebooks_is_refused_at_the_start(tmp_path):
    """It started a server that said "no rulebook" to every applicant."""
    proc = serve("--rulebooks", str(tmp_path), "--port", "0")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and out == "" and "没有找到规则库" in err, (out, err)


def test_port_0_picks_a_free_port_and_prints_it():
    proc = serve("--port", "0")
    try:
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/ ", line)
        assert found, line
        port = int(found.group(1))
        assert port != 0
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200 and "政策计算器" in page.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
