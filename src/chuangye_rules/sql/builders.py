"""The sql backend's vocabulary: the SQL types, its error (SqlError, in Chinese and English) and the small
sqlglot builders every other module writes with (NULL-aware comparisons, arithmetic, the set test)."""

from __future__ import annotations

import datetime as dt
from functools import reduce

from sqlglot import exp

from ..base.messages import Text

DIALECTS = ("duckdb", "postgres", "spark", "hive", "mysql")
OPEN = ("eligible", "needs_info")
ALL_STATUSES = ("eligible", "needs_info", "not_eligible", "excluded", "already_received", "expired", "not_yet_in_force")
BIGINT = exp.DataType.build("BIGINT")
# products of columns are computed in 38 digits; written HUGEINT for DuckDB, whose DECIMAL division is DOUBLE
WIDE = exp.DataType.build("DECIMAL(38, 0)")
TEXT = exp.DataType.build("VARCHAR")
DATE = exp.DataType.build("DATE")
YUAN = exp.DataType.build("DECIMAL(38, 2)")
TABLE_TYPES = {"text": "VARCHAR", "one_of": "VARCHAR", "set_of": "VARCHAR", "bool": "BOOLEAN", "int": "BIGINT",
               "money": "DECIMAL(20, 2)", "number": "DECIMAL(24, 6)", "date": "DATE"}
ROW = "_row"


class SqlError(ValueError):
    """A rule the query cannot express exactly in the chosen dialect, or a request it cannot serve: `text` in
    Chinese and English (str() is the Chinese, as the CLI prints by default)."""

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(text.zh)


# ------------------------------------------------------------------------------------------- small builders


def col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def num(n: int) -> exp.Expression:
    return exp.Literal.number(n) if n >= 0 else exp.Neg(this=exp.Literal.number(-n))


def big(n: int | None) -> exp.Expression:
    return exp.cast(exp.null(), BIGINT) if n is None else exp.cast(num(n), BIGINT)


def wide(n: int) -> exp.Expression:
    return exp.cast(num(n), WIDE)


def text(s: str | None) -> exp.Expression:
    return exp.cast(exp.null(), TEXT) if s is None else exp.Literal.string(s)


def date_lit(d: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(d.isoformat()), DATE)


NULL_BOOL = exp.cast(exp.null(), "BOOLEAN")


def case(*branches: tuple[exp.Expression, exp.Expression], default: exp.Expression | None = None) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in branches], default=default)


ATOMS = (exp.Column, exp.Literal, exp.Cast, exp.Case, exp.Func, exp.Paren, exp.Null, exp.Boolean, exp.Subquery)


def p(e: exp.Expression, copy: bool = False) -> exp.Expression:
    """`e` in parentheses when it is an operation (the tree is written with exactly the grouping built)."""
    e = e.copy() if copy else e
    # (sqlglot's AND / OR are also functions: only a node that is no operation at all is left bare)
    operation = isinstance(e, (exp.Binary, exp.Unary, exp.Connector, exp.Predicate, exp.Not, exp.Neg))
    return e if isinstance(e, ATOMS) and not operation else exp.Paren(this=e)


def and_(*items: exp.Expression) -> exp.Expression:
    return reduce(lambda a, b: exp.And(this=p(a), expression=p(b)), items)


def or_(*items: exp.Expression) -> exp.Expression:
    return reduce(lambda a, b: exp.Or(this=p(a), expression=p(b)), items)


def not_(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=p(e))


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=p(e, copy=True), expression=exp.null())


def not_null(e: exp.Expression) -> exp.Expression:
    return not_(is_null(e))


def cmp(kind: type, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return kind(this=p(a, copy=True), expression=p(b, copy=True))


def eq(a, b):
    return cmp(exp.EQ, a, b)


def isin(e: exp.Expression, values: list[exp.Expression]) -> exp.Expression:
    if not values:
        return exp.false()
    return exp.In(this=p(e, copy=True), expressions=values)


def arith(kind: type, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Paren(this=kind(this=p(a, copy=True), expression=p(b, copy=True)))


def add(a, b):
    return arith(exp.Add, a, b)


def sub(a, b):
    return arith(exp.Sub, a, b)


def mul(a, b):
    return arith(exp.Mul, a, b)


def intdiv(a, b):
    return arith(exp.IntDiv, a, b)


def contains(column: exp.Expression, token: str) -> exp.Expression:
    """`token` occurs in the text (a plain search: no LIKE, whose _ would match any character)."""
    return cmp(exp.GT, exp.StrPosition(this=column.copy(), substr=exp.Literal.string(token)), num(0))


