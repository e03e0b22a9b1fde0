"""The rulebook cache (rulecache.py): a hit gives exactly the rulebook a full load gives; any change to the
rulebook or its official text, a damaged entry, or CHUANGYE_NO_CACHE is a miss, never a wrong rulebook."""

import shutil
from pathlib import Path

import pytest

from chuangye_rules.base.problems import InputError
from chuangye_rules.rules import loading, rulecache

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUANGYE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CHUANGYE_NO_CACHE", raising=False)
    books = tmp_path / "books"
    (books / "sources").mkdir(parents=True)
    shutil.copy(ROOT / "rulebooks" / "ordos.yaml", books / "ordos.yaml")
    shutil.copy(ROOT / "rulebooks" / "sources" / "ordos.txt", books / "sources" / "ordos.txt")
    return books


def inspected(monkeypatch):
    calls = []
    real = loading.inspect_rulebook
    monkeypatch.setattr(loading, "inspect_rulebook", lambda path: (calls.append(path), real(path))[1])
    return calls


def test_a_hit_is_the_same_rulebook_as_a_full_load(folder, monkeypatch):
    first = loading.load_rulebook(folder / "ordos.yaml")
    calls = inspected(monkeypatch)
    second = loading.load_rulebook(folder / "ordos.yaml")
    assert calls == [], "the second load came from the cache"
    assert second.rulebook == first.rulebook and second.source_text == first.source_text


def test_a_changed_rulebook_or_official_text_misses(folder, monkeypatch):
    loading.load_rulebook(folder / "ordos.yaml")
    calls = inspected(monkeypatch)
    text = folder / "sources" / "ordos.txt"
    text.write_text(text.read_text("utf-8").replace("给予5000元一次性创业补贴", "给予6000元一次性创业补贴"), "utf-8")
    again = loading.load_rulebook(folder / "ordos.yaml")
    assert len(calls) == 1 and "给予6000元一次性创业补贴" in again.source_text
    book = folder / "ordos.yaml"
    book.write_text(book.read_text("utf-8").replace("value: 5000}", "value: 5000元}", 1), "utf-8")
    with pytest.raises(InputError, match="5000元"):  # a full load, with its problem
        loading.load_rulebook(book)
    assert len(calls) == 2


def test_a_damaged_entry_or_no_cache_is_a_miss(folder, monkeypatch, tmp_path):
    loading.load_rulebook(folder / "ordos.yaml")
    for entry in (tmp_path / "cache").iterdir():
        entry.write_text('{"schema": "chuangye.rulebook-cache/1", "rulebook": {"city": 1}, "source_sha256": "x"}')
    calls = inspected(monkeypatch)
    assert loading.load_rulebook(folder / "ordos.yaml").slug == "ordos" and len(calls) == 1
    monkeypatch.setenv("CHUANGYE_NO_CACHE", "1")
    loading.load_rulebook(folder / "ordos.yaml")
    assert len(calls) == 2


def test_an_unwritable_cache_is_not_used(folder, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CHUANGYE_CACHE_DIR", str(blocker / "cache"))
    assert loading.load_rulebook(folder / "ordos.yaml").slug == "ordos"
    assert rulecache.get((folder / "ordos.yaml").read_bytes(), lambda r: None) is None
