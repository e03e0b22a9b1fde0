"""The coverage audit: every sentence of a document that carries a figure or an entitlement must be either
quoted by the rulebook (a benefit or a target) or listed in its `not_encoded` section with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..rules.loading import LoadedRulebook

_NUM = r"[\d.０-９一二两三四五六七八九十百千万亿]+"
AMOUNT = re.compile(_NUM + r"\s*(万元|亿元|元|%|％|个百分点)")
# a duration (3年内, 12个月, 两年内) but not a calendar year such as 2025年
DURATION = re.compile(r"(?<![\d０-９])([\d０-９]{1,2}|[一二两三四五六七八九十]{1,3})\s*(个月|年(?!底|末|度|\d))")
ENTITLEMENT = re.compile(r"给予|补贴|补助|奖励|奖补|贴息|免费|(?<!投)资助|享受|保留|授予|减免|优惠|可申请|取消反担保")
SENTENCE_END = re.compile(r"[。；;！？!?\n]")
MIN_OVERLAP = 6


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Sentence:
    text: str
    start: int
    end: int


@dataclass
class CoverageReport:
    city: str
    city_zh: str
    carrying: list[Sentence] = field(default_factory=list)
    uncovered: list[Sentence] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return len(self.carrying) - len(self.uncovered)

    @property
    def share(self) -> float:
        return 1.0 if not self.carrying else self.covered / len(self.carrying)


def carries(sentence: str) -> bool:
    return bool(AMOUNT.search(sentence) or DURATION.search(sentence) or ENTITLEMENT.search(sentence))


def sentences(text: str) -> list[Sentence]:
    """Sentences (split at 。；！？ and line breaks) with their spans in the whitespace-free text, which is
    what quotes are matched against. A sentence repeated word for word (a web page that prints its text
    twice) is kept once."""
    source = squash(text)
    out, seen, cursor = [], set(), 0
    for piece in SENTENCE_END.split(text):
        body = squash(piece)
        if not body:
            continue
        start = source.find(body, cursor)
        cursor = start + len(body)
        if len(body) >= 4 and body not in seen:
            seen.add(body)
            out.append(Sentence(body, start, cursor))
    return out


def quote_spans(source: str, quotes: list[str]) -> list[tuple[int, int]]:
    spans = []
    for quote in quotes:
        q = squash(quote)
        if not q:
            continue
        start = source.find(q)
        while start != -1:
            spans.append((start, start + len(q)))
            start = source.find(q, start + 1)
    return spans


def all_quotes(book: LoadedRulebook) -> list[str]:
    rb = book.rulebook
    items = [b.quote for b in rb.benefits] + [t.quote for t in rb.targets] + [n.quote for n in rb.not_encoded]
    return [q for item in items for q in ([item] if isinstance(item, str) else item)]


def audit(book: LoadedRulebook) -> CoverageReport:
    report = CoverageReport(book.slug, book.rulebook.city.zh)
    text = book.source_text or ""
    spans = quote_spans(squash(text), all_quotes(book))
    for sentence in sentences(text):
        if not carries(sentence.text):
            continue
        report.carrying.append(sentence)
        needed = min(len(sentence.text), MIN_OVERLAP)
        if not any(min(e, sentence.end) - max(s, sentence.start) >= needed for s, e in spans):
            report.uncovered.append(sentence)
    return report
