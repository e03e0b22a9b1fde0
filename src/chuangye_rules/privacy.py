"""Masking personal numbers (身份证号, mobile numbers) in everything the engine writes for people to read:
messages, error files, summaries, reports and the applicant ids it echoes."""

from __future__ import annotations

import re

# an 18-character resident ID (the last may be X), an old 15-digit ID, or a mainland mobile number written
# with or without +86 and with or without separators: never next to further digits
ID_LIKE = re.compile(
    r"(?<![0-9])(?P<id_head>\d{6})\d{8}(?P<id_tail>\d{3}[\dXx])(?![0-9])"
    r"|(?<![0-9])(?P<old_head>\d{6})\d{7}(?P<old_tail>\d{2})(?![0-9])"
    r"|(?<![0-9])(?P<cc>(?:\+|00)?86[\s-]?)?(?P<m_head>1\d{2})[\s-]?\d{4}[\s-]?(?P<m_tail>\d{4})(?![0-9])"
)
# cheap pre-test: no run of 7 digits (allowing separators in phone numbers), nothing to mask
_DIGITS = re.compile(r"\d{3}[\s-]?\d{4}")


def mask_text(text: str) -> str:
    """Mask anything that looks like a personal ID (18 or 15 digits) or a mobile number (11 digits)."""
    if not isinstance(text, str) or not _DIGITS.search(text):
        return text

    def repl(m: re.Match) -> str:
        if m.group("id_head"):
            return m.group("id_head")[:3] + "*" * 13 + m.group("id_tail")[-2:]
        if m.group("old_head"):
            return m.group("old_head")[:3] + "*" * 10 + m.group("old_tail")
        return (m.group("cc") or "") + m.group("m_head") + "****" + m.group("m_tail")

    return ID_LIKE.sub(repl, text)
