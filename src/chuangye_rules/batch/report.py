"""The budget report on screen: a short summary — the city totals, the largest benefits and departments —
with the full tables left to report.md and the charts to report.html."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .budget import Budget

SHOWN = 5  # rows of each table on screen


def print_budget(budget: Budget, console: Console) -> None:
    table = Table(title="预算概要")
    for head in ("城市", "符合至少一项的人数", "涉及待遇项数", "确定金额合计", "最高可得合计"):
        table.add_column(head, overflow="fold")
    for row in budget.summary_rows():
        table.add_row(*row)
    console.print(table)
    benefits = budget.benefit_rows()
    _top(console, f"金额最大的待遇（共 {len(benefits)} 项）", ["城市", "待遇", "符合", "需补充", "确定金额", "最高可得"],
         [row[:6] for row in benefits])
    groups = [row for row in budget.department_rows() if row[1] != "全市合计"]
    _top(console, f"按牵头单位（每项待遇只计一次，共 {len(groups)} 行）",
         ["城市", "牵头单位", "方式", "符合人数", "确定金额", "最高可得"],
         [[r[0], r[1], r[2], r[4], r[6], r[7]] for r in groups])


def _top(console: Console, title: str, head: list[str], rows: list[list[str]]) -> None:
    table = Table(title=title)
    for h in head:
        table.add_column(h, overflow="fold")
    for row in rows[:SHOWN]:
        table.add_row(*row)
    console.print(table)
    if len(rows) > SHOWN:
        console.print(f"另有 {len(rows) - SHOWN} 行，见报告文件", style="dim")
