"""The coverage audit: every sentence of each document carrying a figure, a duration or an entitlement is
quoted by a benefit or target, or listed in not_encoded with a reason."""

import copy

import pytest

from chuangye_rules.authoring.coverage import audit, carries, sentences


def test_every_bundled_rulebook_covers_its_whole_document(books):
    gaps = []
    for book in books:
        report = audit(book)
        assert report.carrying, f"{book.slug}: the audit found no sentence to check"
        gaps += [f"{book.slug}: {s.text}" for s in report.uncovered]
    assert not gaps, "\n".join(gaps)


def test_removing_a_not_encoded_entry_is_caught(books):
    book = next(b for b in books if b.rulebook.not_encoded)
    before = len(audit(book).uncovered)
    trimmed = copy.copy(book)
    trimmed.rulebook = book.rulebook.model_copy(update={"not_encoded": [], "benefits": [], "targets": []})
    assert len(audit(trimmed).uncovered) > before


@pytest.mark.parametrize("text, expected", [
    ("给予5000元一次性创业补贴", True),
    ("3年内保留与事业单位人事关系", True),
    ("补助比例不高于30%", True),
    ("到2025年底，形成新格局", False),
    ("引导天使投资助力创业", False),
])
def test_what_counts_as_carrying_a_figure_or_an_entitlement(text, expected):
    assert carries(text) is expected


def test_a_web_page_printed_twice_is_audited_once():
    text = "第一句给予1万元。第二句话很短。\n第一句给予1万元。第二句话很短。"
    assert [s.text for s in sentences(text)] == ["第一句给予1万元", "第二句话很短"]
