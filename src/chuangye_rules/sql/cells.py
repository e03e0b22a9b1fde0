"""What a table's cells must be before the query reads them (`batch --engine spark --table`): the checks the list
reader makes cell by cell, as SQL. A list file's cells are text, read and checked by the polars reader; a table's
are typed, and the query takes them as they are — a negative or three-decimal amount would be cut to fen, a code
outside its vocabulary would match no rule, and the applicant would silently qualify for nothing. Each check is
TRUE exactly when a non-empty cell is bad (an empty cell is an unknown fact, never an error), with the reason
errors.csv gives, in the list reader's words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from sqlglot import exp

from ..base.messages import Text
from ..batch.columnar import NUMBER_SCALE
from ..rules.catalog import catalog
from ..rules.history import HISTORY
from ..rules.values import MAX_COUNT, MAX_DATE, MAX_MONEY, MIN_DATE
from .builders import and_, col, date_lit, isin, not_, not_null, or_, text
from .query import table_columns

MAX_NUMBER = Decimal(10) ** 12  # 12 whole digits, as the list reader's pattern for a number


@dataclass(frozen=True)
class CellCheck:
    field: str
    column: str  # the table's column (an English field name or a Chinese header)
    bad: exp.Expression  # TRUE for a non-empty cell that is not what the field takes; never NULL
    reason: Text  # in the list reader's words, Chinese and English


def _decimal(value: Decimal) -> exp.Expression:
    return exp.Literal.number(format(value, "f"))  # 10000000000000, not 1E+13 (a DOUBLE in Spark SQL)


def _not_whole(e: exp.Expression) -> exp.Expression:
    return exp.NEQ(this=e, expression=exp.Floor(this=e.copy()))


def _outside(c: exp.Expression, low: exp.Expression, high: exp.Expression) -> exp.Expression:
    return or_(exp.LT(this=c.copy(), expression=low), exp.GT(this=c.copy(), expression=high))


def _history_pattern(keys: Iterable[str]) -> str:
    """The table's history cell, "|city.id|city.id=fen|" ("|" for none): each entry a benefit of the rulebooks
    (`keys`: "city.id"), or any benefit of a city that has no rulebook here (another city's history, as the list
    reader takes it, not a typo). Java's regex (the check runs in Spark); [.] and [|], not backslashes."""
    keys = sorted(set(keys))
    cities = sorted({key.split(".")[0] for key in keys})
    known = "|".join(key.replace(".", "[.]") for key in keys)
    other = "(?!(" + "|".join(cities) + ")[.])[A-Za-z_][A-Za-z0-9_]*[.][A-Za-z0-9_]+" if cities else "[^|]+"
    return f"^[|](((({known})|{other})(=[0-9]+)?)[|])*$" if keys else f"^[|](({other})(=[0-9]+)?[|])*$"


def cell_checks(columns: Iterable[str], cities: Iterable[str], benefits: Iterable[str] = ()) -> list[CellCheck]:
    """A check for each column of the table that names a field and can hold a bad value. `cities`: what a city
    cell may say (the slugs and names of the rulebooks, as the list reader accepts them); `benefits`: the
    "city.id" of every benefit of the rulebooks, which a history cell may name."""
    cat = catalog()
    checks = []
    for field, column in table_columns(columns).items():
        spec, c = cat.fields[field], col(column)
        if field == HISTORY:
            checks.append(CellCheck(field, column, and_(not_null(c), not_(exp.RegexpLike(
                this=c.copy(), expression=text(_history_pattern(benefits))))),
                Text("已享受待遇应写作 |城市.待遇标识| 或 |城市.待遇标识=金额（分）|，待遇须是规则库中的（见 chuangye benefits）",
                     "the benefits received should be written |city.id| or |city.id=amount in fen|, each a benefit "
                     "of the rulebooks (see chuangye benefits)")))
            continue
        if field != "city" and spec.type in ("text", "bool"):
            continue  # text is any text; a BOOLEAN column holds nothing else
        if spec.type == "money":
            bad = or_(_outside(c, exp.Literal.number(0), _decimal(MAX_MONEY)),
                      _not_whole(exp.Mul(this=c.copy(), expression=exp.Literal.number(100))))
            reason = Text("应为金额：以元为单位的数字，不小于0，最多两位小数（DECIMAL，不是 DOUBLE）",
                          "should be an amount: yuan, not negative, at most two decimal places (DECIMAL, not DOUBLE)")
        elif spec.type == "int":
            bad = or_(_outside(c, exp.Literal.number(0), exp.Literal.number(MAX_COUNT)), _not_whole(c))
            reason = Text("应为非负整数（人数、数量）", "should be a whole number, not negative (a count)")
        elif spec.type == "number":
            bad = or_(_outside(c, _decimal(-MAX_NUMBER), _decimal(MAX_NUMBER)),
                      _not_whole(exp.Mul(this=c.copy(), expression=exp.Literal.number(NUMBER_SCALE))))
            reason = Text("应为数字（整数部分最多12位，最多6位小数）",
                          "should be a number (at most 12 whole digits and 6 decimal places)")
        elif spec.type == "date":
            bad = _outside(c, date_lit(MIN_DATE), date_lit(MAX_DATE))
            reason = Text(f"日期应在{MIN_DATE.year}至{MAX_DATE.year}年之间",
                          f"the date should be between {MIN_DATE.year} and {MAX_DATE.year}")
        elif field == "city":
            bad = not_(isin(c, [text(name) for name in sorted(set(cities))]))
            reason = Text("没有该城市的规则库（可选：" + "、".join(sorted(set(cities))) + "）",
                          "no rulebook for this city (one of: " + ", ".join(sorted(set(cities))) + ")")
        else:
            vocabulary = cat.vocabularies[spec.vocabulary]
            codes = sorted(vocabulary.labels)
            if spec.type == "one_of":
                bad = not_(isin(c, [text(code) for code in codes]))
            else:  # "|code|code|" ("|" for none); [|], not \|: no backslash to survive each dialect's string escapes
                pattern = "^[|]((" + "|".join(codes) + ")[|])*$"
                bad = not_(exp.RegexpLike(this=c, expression=text(pattern)))
            reason = Text("不是可选值的代码（可选：" + "、".join(codes) + "）",
                          "not the code of a choice (one of: " + ", ".join(codes) + ")")
        checks.append(CellCheck(field, column, and_(not_null(col(column)), bad), reason))
    return checks
