"""Rulebooks as one SQL query: the SQL twin of batch/compile.py and batch/engine.py.

One dialect-neutral sqlglot expression tree is built from the rule model — a visitor over the same conditions
and amounts that compile.py turns into polars expressions — and sqlglot writes it in each dialect. Semantics:
unknown facts are NULL, and SQL's three-valued AND / OR / NOT is the evaluator's Kleene logic; money is integer
fen inside the query (BIGINT, products in DECIMAL(38,0)) and DECIMAL(38,2) yuan out; dates are shifted with
the calendar of dates.py (month ends clamp). tests/test_sql.py runs the DuckDB query against the polars engine.

The table (README, "SQL"): one row per applicant, a column per profile field — bool BOOLEAN, int BIGINT, money
DECIMAL(p,2) yuan, number DECIMAL(p,6), date DATE, text and one_of VARCHAR (codes), set_of VARCHAR "|code|code|",
`received` VARCHAR "|city.id|city.id=fen|" (the batch's own form). A rule the query cannot express exactly in a
dialect is refused (SqlError, in Chinese, naming the benefit), never written approximately.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Iterable

from sqlglot import exp

from ..base.messages import Text
from ..batch.columnar import NUMBER_SCALE, SCALE, CompileError
from ..rules.catalog import FieldSpec, catalog
from ..rules.schema import (
    CASH_CATEGORIES,
    Rulebook,
)
from .benefits import BenefitColumns, compile_benefit, exclusion_pairs, received_flag
from .builders import (
    ALL_STATUSES,  # noqa: F401  (imported from here by other modules and the tests)
    BIGINT,
    DIALECTS,
    OPEN,
    ROW,
    TABLE_TYPES,
    TEXT,
    WIDE,
    YUAN,
    SqlError,
    add,
    and_,
    big,
    case,
    cmp,
    coalesce,
    col,
    eq,
    is_null,
    isin,
    mul,
    not_,
    num,
    or_,
    text,
)
from .conditions import hive_add_months  # noqa: F401  (imported from here by other modules and the tests)
from .plan import Context, Plan

# ------------------------------------------------------------------------------------------- the query


def _star(table: str) -> exp.Column:
    return exp.Column(this=exp.Star(), table=exp.to_identifier(table))


def _input_column(name: str, spec: FieldSpec | None, source: dict[str, str] | None) -> exp.Expression:
    """A table column as the query computes with it: money in fen, numbers × 10^6 (compile.SCALE); an absent
    one is NULL (an unknown fact). `source`: the table's column for each field, when the columns are known."""
    if source is not None and name not in source:
        kind = BIGINT if spec is not None and spec.type in SCALE else exp.DataType.build(
            TABLE_TYPES[spec.type] if spec is not None else "VARCHAR")
        return exp.cast(exp.null(), kind)
    c = col(source[name] if source is not None else name)
    if spec is not None and spec.type == "money":
        return exp.cast(mul(c, num(100)), BIGINT)
    if spec is not None and spec.type == "number":
        return exp.cast(mul(c, num(NUMBER_SCALE)), BIGINT)
    if spec is not None and spec.type == "int":
        return exp.cast(c, BIGINT)
    return c


@dataclass
class _Chain:
    """The CTEs of one city, each selecting from the one before."""
    ctes: list[tuple[str, exp.Expression]]
    prefix: str
    previous: str = ""

    def add(self, name: str, select: exp.Expression) -> None:
        self.ctes.append((self.prefix + name, select))
        self.previous = self.prefix + name


def _city_query(book: Rulebook, index: int, as_of: dt.date, overrides: dict[str, Decimal], dialect: str,
                statuses: tuple[str, ...], ctes: list[tuple[str, exp.Expression]],
                summary: bool = False) -> list[exp.Select]:
    """The CTEs evaluating one rulebook (appended to `ctes`) and its long rows, one SELECT per benefit."""
    chain = _Chain(ctes, f"c{index}_")
    ctx = Context(book, as_of, overrides, dialect, Plan(chain.prefix + "p"))
    try:
        benefits = [compile_benefit(ctx, b) for b in book.benefits]
    except CompileError as error:
        raise ctx.refuse(str(error)) from None
    ctx.benefit = None
    cities = {book.city.slug, book.city.zh, book.city.zh + "市", book.city.en, book.city.en.lower()}
    chain.add("in", exp.select(_star("chuangye_input")).from_("chuangye_input").where(
        or_(is_null(col("city")), isin(col("city"), [text(c) for c in sorted(cities)]))))
    for k, stage in enumerate(ctx.plan.stages()):
        chain.add(f"l{k}", exp.select(_star(chain.previous), *(exp.alias_(e, n, quoted=True) for n, e in stage))
                  .from_(chain.previous, copy=False))
    _exclusions(book, benefits, chain)
    if summary:
        return [_summary(book, benefits, chain.previous, _yuan)]
    chain.add("long", _long_rows(book, benefits, chain.previous))
    return [exp.select("*").from_(chain.previous).where(isin(col("status"), [text(s) for s in statuses]), copy=False)]


def _exclusions(book: Rulebook, benefits: list[BenefitColumns], chain: _Chain) -> None:
    """The wide result — per benefit i: s{i} status, k kind, v value, lo min, hi max, m missing, x excluded_by —
    then one step per exclusion, in the batch's order."""
    pairs = exclusion_pairs(book)
    named = list(dict.fromkeys(i for pair in pairs for i in pair))
    ids = {b.benefit.id: i for i, b in enumerate(benefits)}
    cols: dict[str, exp.Expression] = {ROW: col(ROW), "applicant_id": col("applicant_id")}
    for i, b in enumerate(benefits):
        cols.update({f"s{i}": b.status, f"k{i}": b.kind, f"v{i}": b.value, f"lo{i}": b.min, f"hi{i}": b.max,
                     f"m{i}": b.missing, f"x{i}": text(None)})
    # which benefits of a pair the history names, as engine._query: only one given once excludes its partner
    # (facts.excluding_history)
    once = {b.id for b in book.benefits if b.period.value == "once"}
    for bid in named:
        cols[f"r{ids[bid]}"] = received_flag(book, bid) if bid in once else exp.false()

    def step(changes: dict[str, exp.Expression]) -> None:
        select = [exp.alias_(changes.get(n, col(n)), n, quoted=True) for n in cols]
        chain.add(f"x{len(chain.ctes)}", exp.select(*select).from_(chain.previous, copy=False))

    chain.add("wide", exp.select(*(exp.alias_(e, n, quoted=True) for n, e in cols.items()))
              .from_(chain.previous, copy=False))
    for first, second in pairs:
        a, b = ids[first], ids[second]
        for got, mine, other, i in ((f"r{b}", f"r{a}", second, a), (f"r{a}", f"r{b}", first, b)):
            hit = and_(col(got), not_(col(mine)), isin(col(f"s{i}"), [text(s) for s in OPEN]))
            step({f"s{i}": case((hit, text("excluded")), default=col(f"s{i}")),
                  f"x{i}": case((hit, text(other)), default=col(f"x{i}")),
                  f"m{i}": case((hit, text(None)), default=col(f"m{i}"))})
        both = and_(eq(col(f"s{a}"), text("eligible")), eq(col(f"s{b}"), text("eligible")))
        keep_first = cmp(exp.GTE, _value_of(a), _value_of(b))
        step({f"s{a}": case((and_(both, not_(keep_first)), text("excluded")), default=col(f"s{a}")),
              f"s{b}": case((and_(both, keep_first), text("excluded")), default=col(f"s{b}")),
              f"x{a}": case((and_(both, not_(keep_first)), text(second)), default=col(f"x{a}")),
              f"x{b}": case((and_(both, keep_first), text(first)), default=col(f"x{b}"))})


def _value_of(i: int) -> exp.Expression:
    """evaluation.value_of: an amount's exact value, else its maximum, else -1."""
    return coalesce(case((eq(col(f"k{i}"), text("exact")), col(f"v{i}")), default=col(f"hi{i}")), big(-1))


def _yuan(e: exp.Expression) -> exp.Expression:
    return exp.cast(mul(exp.cast(e, "DECIMAL(20, 0)"), exp.cast(exp.Literal.number("0.01"), "DECIMAL(3, 2)")), YUAN)


def _long_rows(book: Rulebook, benefits: list[BenefitColumns], wide: str) -> exp.Select:
    """The long rows: the wide rows crossed with the benefits' numbers (one pass over the evaluation, where a
    UNION ALL of one SELECT per benefit would make engines that inline CTEs evaluate it once per benefit)."""
    which = exp.column("b", table="benefits")

    def pick(column: str) -> exp.Expression:
        return case(*((eq(which, num(i)), col(f"{column}{i}")) for i in range(len(benefits))))

    def pick_text(values: list[str]) -> exp.Expression:
        return case(*((eq(which, num(i)), text(v)) for i, v in enumerate(values)))

    numbers = exp.Values(expressions=[exp.Tuple(expressions=[num(i)]) for i in range(len(benefits))],
                         alias=exp.TableAlias(this=exp.to_identifier("benefits"), columns=[exp.to_identifier("b")]))
    return exp.select(
        exp.alias_(col(ROW), "row", quoted=True), exp.alias_(col("applicant_id"), "applicant_id", quoted=True),
        exp.alias_(text(book.city.slug), "city", quoted=True),
        exp.alias_(pick_text([b.benefit.id for b in benefits]), "benefit_id", quoted=True),
        exp.alias_(pick("s"), "status", quoted=True), exp.alias_(pick("k"), "amount_kind", quoted=True),
        exp.alias_(_yuan(pick("v")), "amount_value", quoted=True), exp.alias_(_yuan(pick("lo")), "amount_min", quoted=True),
        exp.alias_(_yuan(pick("hi")), "amount_max", quoted=True),
        exp.alias_(pick("m"), "missing_facts", quoted=True), exp.alias_(pick("x"), "excluded_by", quoted=True),
    ).from_(wide, copy=False).join(numbers, join_type="CROSS", copy=False)


def _summary(book: Rulebook, benefits: list[BenefitColumns], wide: str, yuan) -> exp.Select:
    """engine._totals_exprs: per applicant, counts by status and the exact / up-to totals of cash benefits."""
    cash = {b.id for b in book.benefits if b.category in CASH_CATEGORIES}
    eligible, needs, exact, up_to, open_ = [], [], [], [], []
    for i, b in enumerate(benefits):
        ok = eq(col(f"s{i}"), text("eligible"))
        eligible.append(case((ok, num(1)), default=num(0)))
        needs.append(case((eq(col(f"s{i}"), text("needs_info")), num(1)), default=num(0)))
        if b.benefit.id not in cash:
            continue
        kind = col(f"k{i}")
        upper = case((eq(kind, text("exact")), col(f"v{i}")), default=col(f"hi{i}"))
        exact.append(case((and_(ok, eq(kind, text("exact"))), col(f"v{i}")), default=big(0)))
        up_to.append(coalesce(case((ok, upper), default=big(0)), big(0)))
        open_.append(case((and_(ok, or_(isin(kind, [text("not_stated"), text("formula")]), is_null(upper))), num(1)),
                          default=num(0)))

    def total(items, kind):
        return exp.cast(reduce(add, items) if items else num(0), kind)

    return exp.select(
        exp.alias_(col(ROW), "row", quoted=True), exp.alias_(col("applicant_id"), "applicant_id", quoted=True),
        exp.alias_(text(book.city.slug), "city", quoted=True),
        exp.alias_(total(eligible, "INT"), "eligible", quoted=True),
        exp.alias_(total(needs, "INT"), "needs_info", quoted=True),
        exp.alias_(yuan(total(exact, BIGINT)), "exact_total", quoted=True),
        exp.alias_(yuan(total(up_to, BIGINT)), "up_to_total", quoted=True),
        exp.alias_(total(open_, "INT"), "unquantified", quoted=True),
    ).from_(wide)


def table_columns(columns: Iterable[str]) -> dict[str, str]:
    """The table's column for each profile field: the English name, or a Chinese header or other name the batch
    accepts (`chuangye batch --show-columns`); columns that name no field are not read."""
    cat, source = catalog(), {}
    for column in columns:
        field = cat.resolve(column) if column != "row" else None
        if field is None:
            continue
        if field in source:
            raise SqlError(Text(f"列“{column}”与“{source[field]}”都对应字段 {field}：请在 --columns 中只保留一个",
                                f"the columns “{column}” and “{source[field]}” both mean the field {field}: "
                                "keep one of them in --columns"))
        source[field] = column
    return source


def rulebooks_query(books: Iterable[Rulebook], as_of: dt.date, dialect: str = "duckdb", table: str = "applicants",
                    columns: Iterable[str] | None = None, overrides: dict[str, Decimal] | None = None,
                    statuses: tuple[str, ...] = OPEN, summary: bool = False) -> exp.Expression:
    """The dialect-neutral query: `table`'s applicants → the long results of every rulebook (`statuses`: the
    rows kept, by default those of results.csv). `columns`: the table's columns when known — a catalog field
    not among them is an unknown fact, and a column `row` is the row key (else one is numbered). `dialect`
    only decides what is refused (SqlError); write_sql writes the tree. `summary`: instead, the applicants
    summary (applicants.csv): one row per applicant and city, counts by status and the cash totals in yuan."""
    if dialect not in DIALECTS:
        raise SqlError(Text(f"不支持的 SQL 方言 {dialect!r}（可选：{'、'.join(DIALECTS)}）",
                            f"unknown SQL dialect {dialect!r} (one of: {', '.join(DIALECTS)})"))
    cat = catalog()
    source = None if columns is None else table_columns(columns)
    present = None if columns is None else set(source) | ({"row"} & set(columns))
    row = exp.cast(col("row"), BIGINT) if present is not None and "row" in present else exp.Window(
        this=exp.RowNumber(), over="OVER")
    # the row key is numbered once (in its own CTE), so every city's rows and the applicant id agree on it
    numbered = exp.select(_star("t"), exp.alias_(row, ROW, quoted=True)).from_(exp.alias_(exp.to_table(table), "t"))
    inputs = [col(ROW)]
    applicant = (exp.cast(col(source["applicant_id"] if source else "applicant_id"), TEXT)
                 if present is None or "applicant_id" in present else text(None))
    inputs.append(exp.alias_(coalesce(applicant, exp.DPipe(
        this=text("row-"), expression=exp.cast(col(ROW), TEXT), safe=True)), "applicant_id", quoted=True))
    ctes: list[tuple[str, exp.Expression]] = []
    selects: list[exp.Select] = []
    for index, book in enumerate(books):
        selects += _city_query(book, index, as_of, overrides or {}, dialect, statuses, ctes, summary)
    used = {c.name for _, cte in ctes for c in cte.find_all(exp.Column)} | {"city"}
    for name, spec in cat.fields.items():
        if name in used and name != "applicant_id":
            inputs.append(exp.alias_(_input_column(name, spec, source), name, quoted=True))
    ctes.insert(0, ("chuangye_input", exp.select(*inputs).from_("chuangye_rows")))
    ctes.insert(0, ("chuangye_rows", numbered))
    if not selects:
        raise SqlError(Text("没有可写成查询的待遇（规则库为空）", "no benefit to write as a query (the rulebooks are empty)"))
    query = reduce(lambda a, b: exp.Union(this=a, expression=b, distinct=False), selects)
    query = exp.select("*").from_(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("results"))))
    for name, cte in ctes:
        query = query.with_(name, as_=cte, copy=False)
    return query


def _for_dialect(node: exp.Expression, dialect: str) -> exp.Expression:
    """What sqlglot leaves to the caller: DuckDB computes wide integers as HUGEINT (its DECIMAL division is
    floating point); PostgreSQL splits text with string_to_array."""
    if dialect == "duckdb" and isinstance(node, exp.DataType) and node == WIDE:
        return exp.DataType.build("HUGEINT")
    if dialect == "postgres" and isinstance(node, exp.Split):
        return exp.func("STRING_TO_ARRAY", node.this, node.expression)
    return node


def write_sql(query: exp.Expression, dialect: str, pretty: bool = True) -> str:
    tree = query.copy().transform(lambda n: _for_dialect(n, dialect), copy=False)
    return tree.sql(dialect=dialect, pretty=pretty)
