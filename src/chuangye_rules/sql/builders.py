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


# ------------------------------------------------------------------------------------------- constants folded
# The lowering knows much at compile time (a benefit's status before its validity window opens, an amount's kind):
# the builders fold what is constant, so the query does not carry `'exact' = 'exact'` into every amount
# (bench/README.md, "Spark's five-city comparison in CI"). Only literals are folded, with SQL's three-valued
# logic: FALSE AND x is FALSE and TRUE OR x is TRUE even where x is NULL; a NULL operand is left to the database.

_NULL = object()  # a NULL literal (typed or not)


def _constant(e: exp.Expression):
    """The value of a literal — str, int, bool or _NULL — else None (not a constant)."""
    if isinstance(e, exp.Paren):
        return _constant(e.this)
    if isinstance(e, exp.Null):
        return _NULL
    if isinstance(e, exp.Boolean):
        return bool(e.this)
    if isinstance(e, exp.Literal):
        if e.is_string:
            return e.this
        return int(e.this) if e.this.isdigit() else None
    if isinstance(e, exp.Neg) and isinstance(e.this, exp.Literal) and e.this.this.isdigit():
        return -int(e.this.this)
    if isinstance(e, exp.Cast) and isinstance(e.this, (exp.Null, exp.Literal, exp.Neg)):
        value = _constant(e.this)
        # a cast keeps a number or NULL (what the builders cast: big(), text(None)); other casts are not folded
        return value if value is _NULL or (isinstance(value, int) and not isinstance(value, bool)) else None
    return None


def _same_text(a: str, b: str) -> bool | None:
    """SQL string equality for two literals, or None where a dialect's collation could disagree with Python
    (MySQL compares case- and trailing-space-insensitively; the rules' codes never differ only so)."""
    if a != b and a.lower().rstrip() == b.lower().rstrip():
        return None
    return a == b


def _truth(e: exp.Expression) -> bool | None:
    value = _constant(e)
    return value if isinstance(value, bool) else None


def _bool(value: bool) -> exp.Expression:
    return exp.true() if value else exp.false()


def case(*branches: tuple[exp.Expression, exp.Expression], default: exp.Expression | None = None) -> exp.Expression:
    """CASE WHEN … : a branch whose condition is constant FALSE (or NULL) is never taken and goes; one that is
    constant TRUE ends the CASE (its value is the ELSE); a CASE left with no branch is its ELSE."""
    kept = []
    for cond, value in branches:
        truth = _truth(cond)
        if truth is False or _constant(cond) is _NULL:
            continue
        if truth is True:
            default = value
            break
        kept.append((cond, value))
    if not kept and default is not None:
        return default
    if not kept:  # no branch can be taken: NULL, typed as the first branch's value is
        kept = [(exp.false(), branches[0][1])] if branches else []
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in kept], default=default)


ATOMS = (exp.Column, exp.Literal, exp.Cast, exp.Case, exp.Func, exp.Paren, exp.Null, exp.Boolean, exp.Subquery)


def p(e: exp.Expression, copy: bool = False) -> exp.Expression:
    """`e` in parentheses when it is an operation (the tree is written with exactly the grouping built)."""
    e = e.copy() if copy else e
    # (sqlglot's AND / OR are also functions: only a node that is no operation at all is left bare)
    operation = isinstance(e, (exp.Binary, exp.Unary, exp.Connector, exp.Predicate, exp.Not, exp.Neg))
    return e if isinstance(e, ATOMS) and not operation else exp.Paren(this=e)


def _connect(kind: type, absorbing: bool, items: tuple[exp.Expression, ...]) -> exp.Expression:
    """AND (absorbing FALSE) or OR (absorbing TRUE) of `items`, constants folded."""
    kept = []
    for item in items:
        truth = _truth(item)
        if truth is absorbing:
            return _bool(absorbing)
        if truth is None:
            kept.append(item)
    if not kept:
        return _bool(not absorbing)
    return reduce(lambda a, b: kind(this=p(a), expression=p(b)), kept)


def and_(*items: exp.Expression) -> exp.Expression:
    return _connect(exp.And, False, items)


def or_(*items: exp.Expression) -> exp.Expression:
    return _connect(exp.Or, True, items)


def not_(e: exp.Expression) -> exp.Expression:
    truth = _truth(e)
    return _bool(not truth) if truth is not None else exp.Not(this=p(e))


def is_null(e: exp.Expression) -> exp.Expression:
    value = _constant(e)
    if value is not None:
        return _bool(value is _NULL)
    return exp.Is(this=p(e, copy=True), expression=exp.null())


def not_null(e: exp.Expression) -> exp.Expression:
    return not_(is_null(e))


_ORDER = {exp.EQ: lambda x, y: x == y, exp.NEQ: lambda x, y: x != y, exp.GT: lambda x, y: x > y,
          exp.GTE: lambda x, y: x >= y, exp.LT: lambda x, y: x < y, exp.LTE: lambda x, y: x <= y}


def cmp(kind: type, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    x, y = _constant(a), _constant(b)
    if kind in _ORDER and x is not None and y is not None and _NULL not in (x, y) and type(x) is type(y):
        if isinstance(x, int) and not isinstance(x, bool):
            return _bool(_ORDER[kind](x, y))
        if isinstance(x, str) and kind in (exp.EQ, exp.NEQ) and _same_text(x, y) is not None:
            return _bool(_ORDER[kind](x, y))
    return kind(this=p(a, copy=True), expression=p(b, copy=True))


def eq(a, b):
    return cmp(exp.EQ, a, b)


def isin(e: exp.Expression, values: list[exp.Expression]) -> exp.Expression:
    if not values:
        return exp.false()
    x, ys = _constant(e), [_constant(v) for v in values]
    if isinstance(x, str) and all(isinstance(y, str) for y in ys):
        same = [_same_text(x, y) for y in ys]
        if None not in same:
            return _bool(any(same))
    return exp.In(this=p(e, copy=True), expressions=values)


_BIGINT_RANGE = range(-(2 ** 63), 2 ** 63)
_ARITH = {exp.Add: lambda x, y: x + y, exp.Sub: lambda x, y: x - y, exp.Mul: lambda x, y: x * y}


def _is_bigint(e: exp.Expression) -> bool:
    return isinstance(e, exp.Cast) and e.to == BIGINT


def arith(kind: type, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    # two BIGINT constants (big()) are added or multiplied here when the result is a BIGINT too (no overflow
    # left for the database to raise); division is never folded (dialects round it differently)
    x, y = _constant(a), _constant(b)
    if kind in _ARITH and _is_bigint(a) and _is_bigint(b) and isinstance(x, int) and isinstance(y, int):
        value = _ARITH[kind](x, y)
        if value in _BIGINT_RANGE:
            return big(value)
    return exp.Paren(this=kind(this=p(a, copy=True), expression=p(b, copy=True)))


def coalesce(*items: exp.Expression) -> exp.Expression:
    """COALESCE(…): NULL constants go, a non-NULL constant ends it; one item left is itself."""
    kept = []
    for item in items:
        value = _constant(item)
        if value is _NULL:
            continue
        kept.append(item)
        if value is not None:
            break
    if not kept:
        return items[-1]
    return kept[0] if len(kept) == 1 else exp.func("COALESCE", *kept)


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


