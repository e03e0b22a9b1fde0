"""The problems a user's input can have, and the error that carries them: a file (or an option, a list's row)
with line and column where known, a message and how to fix it, in Chinese and English. Every layer reports
bad input this way; the CLI prints `file:line:column: message` and exits 2, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from .messages import Text, as_text
from .privacy import mask_text


@dataclass
class Problem:
    file: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None
    severity: str = "error"
    message_en: str | None = None  # the English message (`--lang en`); the Chinese one when None
    hint_en: str | None = None
    code: str | None = None  # a stable name for the kind of problem, for CI and tests
    field: str | None = None  # the profile field (or request key) the problem is about, where there is one
    file_en: str | None = None  # where, in English (`--lang en`), when the place is named in words, not a path

    def format(self, lang: str = "zh") -> str:
        where = self.file_en if lang == "en" and self.file_en else self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        message, hint = self.message, self.hint
        if lang == "en":
            message, hint = self.message_en or message, self.hint_en or hint
        text = f"{where}: {message}"
        if hint:
            text += f"（{hint}）" if lang != "en" and _is_zh(hint) else f" ({hint})"
        return mask_text(text)  # a personal ID or phone number quoted from the input is never printed whole


def make_problem(file: "Text | str", line: int | None, column: int | None, message: "Text | str",
                 hint: "Text | str | None" = None, severity: str = "error", code: str | None = None) -> Problem:
    """A Problem from bilingual (or plain) message and hint; `file` a Text where the place is named in words."""
    message = as_text(message)
    hint = as_text(hint) if hint is not None else None
    where = as_text(file)
    return Problem(where.zh, line, column, message.zh, hint.zh if hint else None, severity,
                   message.en, hint.en if hint else None, code, file_en=where.en if where.en != where.zh else None)


def _is_zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class InputError(Exception):
    """One or more problems in a file the user gave us; printed without a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))
