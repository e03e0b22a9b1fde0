"""The budget report on screen: a short summary — the city totals, the largest benefits and departments —
with the full tables left to report.md and the charts to report.html; in Chinese, or in English (`lang="en"`)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..render.reportwords import head, report_word
from .budget import Budget

SHOWN = 5  # rows of each table on screen


def print_budget(budget: Budget, console: Console, lang: str = "zh") -> None:
    table = Table(title=report_word("screen_title", lang))
    for h in head("screen_summary", lang):
        table.add_column(h, overflow="fold")
    for row in budget.summary_rows(lang):
        table.add_row(*row)
    console.print(table)
    benefits = budget.benefit_rows(lang)
    _top(console, report_word("top_benefits", lang, n=len(benefits)), head("screen_benefits", lang),
         [row[:6] for row in benefits], lang)
    total = report_word("city_total", lang)
    groups = [row for row in budget.department_rows(lang) if row[1] != total]
    _top(console, report_word("top_departments", lang, n=len(groups)), head("screen_departments", lang),
         [[r[0], r[1], r[2], r[4], r[6], r[7]] for r in groups], lang)


def _top(console: Console, title: str, heads: list[str], rows: list[list[str]], lang: str) -> None:
    table = Table(title=title)
    for h in heads:
        table.add_column(h, overflow="fold")
    for row in rows[:SHOWN]:
        table.add_row(*row)
    console.print(table)
    if len(rows) > SHOWN:
        console.print(report_word("more_rows", lang, n=len(rows) - SHOWN), style="dim")
