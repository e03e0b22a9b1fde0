"""Masking personal numbers (身份证号, mobile and landline numbers) in everything the engine writes for people
to read: messages, error files, summaries, reports and the applicant ids it echoes.

People write these numbers many ways — an ID in groups (`340602 19900101 1234`, `340602-1990-0101-1234`),
a lower-case x, the old 15 digits; a mobile with +86/0086 and spaces or dashes; a landline with its area code
(`0561-3051234`, `(0561)3051234`, `0561 305 1234`). A single space or dash may separate any two digits; a
number is never matched inside a longer run of digits, so amounts, dates and row numbers are left alone.
"""

from __future__ import annotations

import re

_SEP = r"[ \-]?"  # one optional separator between two digits


def _digits(n: int) -> str:
    """n digits, each pair optionally separated by one space or dash."""
    return r"\d" + rf"(?:{_SEP}\d)" * (n - 1)


_EDGE_BEFORE = r"(?<![0-9])(?<![0-9][ \-])"
_EDGE_AFTER = r"(?![0-9])(?![ \-][0-9])"

# the forms in the order they are tried at each position (one alternation): also written in Java's regex for
# Spark's executors (spark/masking.py), which mask with the same patterns
FORMS = {
    # an 18-character resident ID (the last may be X or x)
    "id": rf"{_EDGE_BEFORE}(?P<id>{_digits(17)}{_SEP}[\dXx]){_EDGE_AFTER}",
    # a mainland mobile number, with or without +86 / 0086 / 86 and separators
    "mobile": rf"{_EDGE_BEFORE}(?P<cc>(?:\+|00)?86{_SEP}|\(\+?86\){_SEP}?)?(?P<mobile>1{_SEP}[3-9]{_SEP}{_digits(9)}){_EDGE_AFTER}",
    # an old 15-digit ID (after the mobile: 0086 and a mobile are 15 digits too, and no ID starts with 86)
    "old": rf"{_EDGE_BEFORE}(?P<old>{_digits(15)}){_EDGE_AFTER}",
    # a landline with its area code (0 + 2 or 3 digits), the code in brackets or followed by a space or dash,
    # or written straight on (then 10 to 12 digits starting with 0)
    "land": rf"{_EDGE_BEFORE}(?P<land>(?:\(0\d{{2,3}}\)|（0\d{{2,3}}）)\s?{_digits(7)}(?:{_SEP}\d)?"
            rf"|0\d{{2,3}}[ \-]{_digits(7)}(?:{_SEP}\d)?|0\d{{9,11}}){_EDGE_AFTER}",
}
ID_LIKE = re.compile("|".join(FORMS.values()))
# cheap pre-test: without a run of 7 digits (separators allowed), there is nothing to mask
SUSPECT = r"\d(?:[ \-]?\d){6}"  # also the batch's polars pre-test of a column (batch/columns.mask_column)
_DIGITS = re.compile(SUSPECT)
_NOT_DIGIT = re.compile(r"[^\dXx]")


def mask_text(text: str) -> str:
    """Mask anything that looks like a personal ID (18 or 15 digits), a mobile (11 digits) or a landline
    number (with its area code): a few digits at each end stay, so a caseworker can still tell them apart."""
    if not isinstance(text, str) or not _DIGITS.search(text):
        return text
    return ID_LIKE.sub(_masked, text)


def _masked(m: re.Match) -> str:
    if m.group("id"):
        digits = _NOT_DIGIT.sub("", m.group("id"))
        return digits[:3] + "*" * 13 + digits[-2:]
    if m.group("old"):
        digits = _NOT_DIGIT.sub("", m.group("old"))
        return digits[:3] + "*" * 10 + digits[-2:]
    if m.group("mobile"):
        digits = _NOT_DIGIT.sub("", m.group("mobile"))
        return (m.group("cc") or "") + digits[:3] + "****" + digits[-4:]
    digits = _NOT_DIGIT.sub("", m.group("land"))
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def mask_id(value: str) -> str:
    """Mask a personal ID or phone number: keep the first 3 and last 2 characters."""
    text = str(value)
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]
