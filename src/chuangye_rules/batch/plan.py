"""The named columns a compiled rulebook computes per chunk (Plan), and the column types every compiled
expression shares: the first thing the compiler (compileamounts.py, compile.py) builds on."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl

from ..engine.results import AmountKind, Status
from .columnar import INT64_MAX

NULL_BOOL = pl.lit(None, dtype=pl.Boolean)
# a benefit's status and amount kind per applicant: one byte a row instead of a 16-byte string, and
# compared as integers; they read and write as their text
STATUS = pl.Enum([s.value for s in Status])
KIND = pl.Enum(list(AmountKind.__args__))
NULL_INT = pl.lit(None, dtype=pl.Int64)


WIDE = pl.Int128  # products of columns (formula, per unit, percentage) are computed in 128 bits


def int_lit(value: int | None) -> pl.Expr:
    return NULL_INT if value is None else pl.lit(value, dtype=pl.Int64)


class Plan:
    """Named intermediate columns, in dependency levels: every condition node and amount part is computed
    once per chunk (and an identical test shared by several benefits only once), never re-derived
    inside the expressions that use it."""

    def __init__(self) -> None:
        self.exprs: dict[str, pl.Expr] = {}
        self.level: dict[str, int] = {}
        self.keys: dict[Any, str] = {}

    def add(self, expr: pl.Expr, key: Any = None) -> pl.Expr:
        if key is not None and key in self.keys:
            return pl.col(self.keys[key])
        name = f"__{len(self.exprs)}"
        deps = [n for n in expr.meta.root_names() if n in self.level]
        self.level[name] = 1 + max((self.level[d] for d in deps), default=0)
        self.exprs[name] = expr.alias(name)
        if key is not None:
            self.keys[key] = name
        return pl.col(name)

    def stages(self) -> list[list[pl.Expr]]:
        levels: dict[int, list[pl.Expr]] = {}
        for name, expr in self.exprs.items():
            levels.setdefault(self.level[name], []).append(expr)
        return [levels[k] for k in sorted(levels)]


# ------------------------------------------------------------------------------------------- conditions


def _clamped(n: int) -> pl.Expr:
    # a bound beyond what any cell holds compares the same as the nearest 64-bit integer
    return pl.lit(max(-INT64_MAX, min(INT64_MAX, n)), dtype=pl.Int64)


def numeric_test(column: pl.Expr, op: str, q: Fraction) -> pl.Expr:
    """An integer column compared exactly with a rational bound q (in the column's units): x ≥ 2.5 is x ≥ 3 for
    whole x, x = 2.5 is never true."""
    floor = q.numerator // q.denominator
    ceil = -((-q.numerator) // q.denominator)
    exact = q.denominator == 1
    if op == "eq":
        return column == _clamped(floor) if exact else pl.lit(False)
    if op == "ne":
        return column != _clamped(floor) if exact else pl.lit(True)
    return {"gt": lambda: column > _clamped(floor), "gte": lambda: column >= _clamped(ceil),
            "lt": lambda: column < _clamped(ceil), "lte": lambda: column <= _clamped(floor)}[op]()
