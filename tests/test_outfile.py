"""`sql -o FILE`, `schema -o FILE` (and `new`'s three files, all or none) keep batch's promise for one file: a
file already there is never written over (unless it holds these very bytes, or --overwrite is given), a folder is
not a file, missing folders are made, and the file appears whole or not at all — a full disk is a message (exit 2),
and nothing is left behind. Before, each of these was 内部错误 (exit 3) and a full disk left an empty file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chuangye_rules.cli import app

COMMANDS = {"sql": ["sql", "qingdao", "--as-of", "2024-06-01"], "schema": ["schema", "profile"]}
OTHER = {"sql": ["sql", "qingdao", "--as-of", "2024-01-01"], "schema": ["schema", "rulebook"]}  # another output


class Done:
    def __init__(self, result):
        self.returncode, self.stdout, self.stderr = result.exit_code, result.stdout, result.stderr


def run(*args) -> Done:
    """In process (a subprocess per call cost seconds); the full disk below runs the real command."""
    return Done(CliRunner().invoke(app, [str(a) for a in args]))


def listing(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.fixture(params=sorted(COMMANDS))
def command(request):
    return request.param


def test_a_new_file_in_new_folders_then_the_same_again(tmp_path, command):
    target = tmp_path / "a" / "b" / "out.txt"
    first = run(*COMMANDS[command], "-o", target)
    assert first.returncode == 0, first.stderr
    written = target.read_bytes()
    again = run(*COMMANDS[command], "-o", target)  # the same bytes: nothing to refuse
    assert again.returncode == 0, again.stderr
    assert target.read_bytes() == written and listing(tmp_path) == {"a": None, "a/b": None, "a/b/out.txt": written}


def test_a_file_already_there_is_kept_unless_overwrite(tmp_path, command):
    target = tmp_path / "out.txt"
    target.write_bytes("我自己的文件".encode("utf-8"))
    refused = run(*OTHER[command], "-o", target)
    assert refused.returncode == 2 and "已有同名文件" in refused.stderr and "--overwrite" in refused.stderr, refused.stderr
    assert listing(tmp_path) == {"out.txt": "我自己的文件".encode("utf-8")}
    replaced = run(*OTHER[command], "-o", target, "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert target.read_bytes().rstrip(b"\n") == run(*OTHER[command]).stdout.encode("utf-8").rstrip(b"\n")
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("where, words", [("folder", "是一个目录"), ("under_a_file", "路径中有一段是文件")])
def test_a_path_that_cannot_be_a_file_is_a_message(tmp_path, command, where, words):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    target = {"folder": tmp_path, "under_a_file": tmp_path / "file.txt" / "out.txt"}[where]
    done = run(*COMMANDS[command], "-o", target)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert "内部错误" not in done.stderr and ".tmp" not in done.stderr
    assert listing(tmp_path) == {"file.txt": b"x"}


@pytest.fixture
def full_disk(tmp_path):
    """A tmpfs with no space left (root only, as in CI)."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        pytest.skip("needs root for a tmpfs mount")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler.bin").write_bytes(b"\0" * free)
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_full_disk_leaves_nothing_behind(full_disk, command):
    before = listing(full_disk)
    done = subprocess.run([sys.executable, "-m", "chuangye_rules", *COMMANDS[command], "-o", str(full_disk / "sub" / "out.txt")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "磁盘空间不足" in done.stderr and "out.txt" in done.stderr, done.stderr
    assert listing(full_disk) == before


def test_several_files_are_placed_all_or_none(tmp_path):
    """`chuangye new` writes three files: when one cannot be written, none of them is left (nor a folder made)."""
    from chuangye_rules.base.outfile import place_files
    from chuangye_rules.base.problems import InputError

    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="路径中有一段是文件"):
        place_files([(tmp_path / "new" / "a.yaml", b"a"), (tmp_path / "file.txt" / "b.yaml", b"b")])
    assert listing(tmp_path) == {"file.txt": b"x"}


def test_new_on_a_full_disk_leaves_nothing_behind(tmp_path, full_disk):
    source = tmp_path / "zibo.txt"
    source.write_text("淄博市创业行动方案\n对首次创业的给予5000元一次性创业补贴。\n", encoding="utf-8")
    before = listing(full_disk)
    done = subprocess.run([sys.executable, "-m", "chuangye_rules", "new", "zibo", "--zh", "淄博", "--en", "Zibo",
                           "--title", "淄博创业", "--issuer", "淄博市人民政府", "--issued", "2023-01-01", "--from",
                           "2023-01-01", "--to", "2025-12-31", "--source", str(source), "--no-input"],
                          capture_output=True, text=True, timeout=120, cwd=full_disk)
    assert done.returncode == 2 and "磁盘空间不足" in done.stderr and "内部错误" not in done.stderr, done.stderr
    assert listing(full_disk) == before
