"""The plan of named intermediate columns (one CTE a dependency level) and the context of one rulebook's
compilation (the dialect, the as-of date, the parameters; `refuse` names the benefit a dialect cannot write)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlglot import exp

from ..base.messages import Text, as_text
from ..rules.schema import (
    Benefit,
    Rulebook,
)
from .builders import SqlError, col

# ------------------------------------------------------------------------------------------- the plan


class Plan:
    """Named intermediate columns in dependency levels, as compile.Plan: each level is one CTE adding its
    columns, so a condition node or amount part is computed once and referenced by name."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.exprs: dict[str, exp.Expression] = {}
        self.level: dict[str, int] = {}
        self.keys: dict[Any, str] = {}

    def add(self, expr: exp.Expression, key: Any = None) -> exp.Column:
        if key is not None and key in self.keys:
            return col(self.keys[key])
        if isinstance(expr, exp.Column) or not any(True for _ in expr.find_all(exp.Column)):
            return expr  # a column or a constant: nothing to compute once
        name = f"{self.prefix}{len(self.exprs)}"
        deps = [c.name for c in expr.find_all(exp.Column) if c.name in self.level]
        self.level[name] = 1 + max((self.level[d] for d in deps), default=0)
        self.exprs[name] = expr
        if key is not None:
            self.keys[key] = name
        return col(name)

    def stages(self) -> list[list[tuple[str, exp.Expression]]]:
        levels: dict[int, list] = {}
        for name, e in self.exprs.items():
            levels.setdefault(self.level[name], []).append((name, e))
        return [levels[k] for k in sorted(levels)]


@dataclass
class Context:
    book: Rulebook
    as_of: dt.date
    overrides: dict[str, Decimal]
    dialect: str
    plan: Plan
    benefit: Benefit | None = None

    def refuse(self, why: "Text | str") -> SqlError:
        b = self.benefit
        why = as_text(why)
        where = f"{self.book.city.slug}.{b.id}（{b.name}）" if b is not None else self.book.city.slug
        where_en = f"{self.book.city.slug}.{b.id}" if b is not None else self.book.city.slug
        return SqlError(Text(f"无法把待遇 {where} 准确写成 {self.dialect} 查询：{why.zh}",
                             f"cannot write benefit {where_en} exactly as a {self.dialect} query: {why.en}"))


