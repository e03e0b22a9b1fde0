"""Printing the budget report as rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .budget import Budget


def print_budget(budget: Budget, console: Console) -> None:
    for title, head, rows in (
        ("按待遇汇总", ["城市", "待遇", "符合", "需补充", "确定金额", "最高可得", "牵头单位"], budget.benefit_rows()),
        ("按牵头单位汇总", ["城市", "牵头单位", "符合人数", "需补充人数", "确定金额", "最高可得"], budget.department_rows()),
        ("与规划目标对照", ["城市", "规划目标", "目标值", "期间", "名单中符合人数"], budget.target_rows()),
    ):
        table = Table(title=title)
        for h in head:
            table.add_column(h, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
