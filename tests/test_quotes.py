"""Every quote in every rulebook is an exact passage (whitespace aside) of its document's official text."""

import re

from chuangye_rules.authoring.casefiles import AMOUNT_KEYS  # noqa: F401  (import check: the package is installed)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _quotes(book):
    rb = book.rulebook
    for b in rb.benefits:
        yield f"benefits.{b.id}", b.quote
    for t in rb.targets:
        yield f"targets.{t.id}", t.quote
    for i, n in enumerate(rb.not_encoded):
        yield f"not_encoded[{i}]", n.quote


def test_quotes_are_exact_passages_of_the_official_text(books):
    missing = []
    for book in books:
        source = squash(book.source_text)
        for where, quote in _quotes(book):
            for passage in [quote] if isinstance(quote, str) else quote:
                if squash(passage) not in source:
                    missing.append(f"{book.slug} {where}: {passage[:40]}")
    assert not missing, "\n".join(missing)


def test_official_texts_are_shipped_with_the_rulebooks(books):
    for book in books:
        assert book.source_text and len(book.source_text) > 1000, book.slug
