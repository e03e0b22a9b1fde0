"""A benefit as SQL columns: its status, amount and missing facts, the history (已享受待遇: paid once, the
amounts already paid in cumulative tiers) and the exclusions' pairs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from sqlglot import exp

from ..base.messages import Text
from ..rules.facts import fact_order, paid_once, pays_tiers_once
from ..rules.history import HISTORY
from ..rules.schema import (
    Benefit,
    Rulebook,
)
from .amounts import SqlAmount, compile_amount, eq_kind
from .builders import (
    BIGINT,
    NULL_BOOL,
    OPEN,
    and_,
    big,
    case,
    cmp,
    coalesce,
    col,
    contains,
    eq,
    is_null,
    isin,
    not_,
    not_null,
    num,
    or_,
    sub,
    text,
)
from .conditions import compile_condition
from .plan import Context

# ------------------------------------------------------------------------------------------- benefits


@dataclass
class BenefitColumns:
    benefit: Benefit
    status: exp.Expression
    kind: exp.Expression
    value: exp.Expression
    min: exp.Expression
    max: exp.Expression
    missing: exp.Expression  # text: field ids joined by ';' in fact_order, NULL for none


def received_flag(book: Rulebook, benefit_id: str) -> exp.Expression:
    """compile.received: whether the history names this benefit (false where the history is empty)."""
    h = col(HISTORY)
    key = f"|{book.city.slug}.{benefit_id}"
    return coalesce(or_(contains(h, key + "|"), contains(h, key + "=")), exp.false())


def _paid(ctx: Context, benefit_id: str) -> tuple[exp.Expression, exp.Expression]:
    """(fen the history says were paid for this benefit, whether some entry for it gives no amount): the
    history's entries split at | and the amounts of this benefit's entries summed."""
    if ctx.dialect not in ("duckdb", "postgres", "spark"):
        raise ctx.refuse(Text("一次性累计档位奖励需要把“已享受待遇”中该待遇各项已发放金额相加，"
                              "这一写法目前只支持 duckdb、postgres 和 spark",
                              "a one-off reward in cumulative tiers adds up the amounts already paid for it (in "
                              "received); only duckdb, postgres and spark are written that way so far"))
    prefix = f"{ctx.book.city.slug}.{benefit_id}="
    unstated = coalesce(contains(col(HISTORY), f"|{ctx.book.city.slug}.{benefit_id}|"), exp.false())
    if ctx.dialect == "spark":
        return spark_paid(prefix), unstated
    token = exp.column("tok", table="t")
    amounts = exp.select(coalesce(exp.Sum(this=exp.cast(
        exp.Substring(this=token, start=num(len(prefix) + 1)), BIGINT)), big(0))).from_(
        exp.Unnest(expressions=[exp.Split(this=col(HISTORY), expression=exp.Literal.string("|"))],
                   alias=exp.TableAlias(this=exp.to_identifier("t"), columns=[exp.to_identifier("tok")]))
    ).where(exp.StartsWith(this=token.copy(), expression=exp.Literal.string(prefix)))
    paid = coalesce(exp.Subquery(this=amounts), big(0))
    return paid, unstated


def spark_paid(prefix: str) -> exp.Expression:
    """_paid's sum in Spark SQL, which has no correlated UNNEST: the history split at | (SPLIT takes a regular
    expression, hence [|]), the entries starting with `prefix` kept by FILTER and their amounts added up by
    AGGREGATE (higher-order functions, Spark 2.4+), 0 where the history is NULL or names no amount."""
    token, acc = exp.to_identifier("tok"), exp.to_identifier("acc")
    entries = exp.Anonymous(this="FILTER", expressions=[
        exp.Anonymous(this="SPLIT", expressions=[col(HISTORY), exp.Literal.string("[|]")]),
        exp.Lambda(this=exp.StartsWith(this=exp.column(token), expression=exp.Literal.string(prefix)),
                   expressions=[token.copy()])])
    amount = exp.cast(exp.Substring(this=exp.column(token), start=num(len(prefix) + 1)), BIGINT)
    total = exp.Anonymous(this="AGGREGATE", expressions=[
        entries, big(0), exp.Lambda(this=exp.Add(this=exp.column(acc), expression=amount), expressions=[acc.copy(), token.copy()])])
    return coalesce(total, big(0))


def _history(ctx: Context, benefit: Benefit, status, money: SqlAmount, missing: dict) -> tuple[exp.Expression, SqlAmount]:
    plan = ctx.plan
    got = plan.add(received_flag(ctx.book, benefit.id))
    if not pays_tiers_once(benefit):
        return plan.add(case((got, text("already_received")), default=status)), money
    paid, unstated = (plan.add(e) for e in _paid(ctx, benefit.id))
    eligible = and_(got, eq(status, text("eligible")))
    exact = eq_kind(money.kind, "exact")
    due = sub(money.value, paid)
    new_status = plan.add(case(
        (and_(got, eq(status, text("not_eligible"))), text("already_received")),
        (and_(eligible, unstated), text("needs_info")),
        (and_(eligible, exact, cmp(exp.LTE, due, num(0))), text("already_received")),
        default=status))
    missing[HISTORY] = and_(eligible, unstated)
    reduced = and_(not_(unstated), eq(new_status, text("eligible")), got)
    value = plan.add(case((and_(reduced, exact), due), default=money.value))
    top = sub(money.max, paid)
    high = plan.add(case((and_(reduced, not_(exact), not_null(money.max)),
                          case((cmp(exp.LT, top, num(0)), big(0)), default=top)), default=money.max))
    return new_status, SqlAmount(money.kind, value, money.min, high, money.missing)


def compile_benefit(ctx: Context, benefit: Benefit) -> BenefitColumns:
    plan, book, as_of = ctx.plan, ctx.book, ctx.as_of
    ctx.benefit = benefit
    kind = col("kind")
    kind_ok = plan.add(case((is_null(kind), NULL_BOOL), default=isin(kind, [text(k) for k in benefit.applicant_kinds])),
                       key=("kind", tuple(benefit.applicant_kinds)))
    missing: dict[str, exp.Expression] = {"kind": is_null(kind)}
    verdict = kind_ok
    if benefit.conditions is not None:
        truth = compile_condition(benefit.conditions, ctx)
        verdict = plan.add(and_(kind_ok, truth.result))
        for name, e in truth.missing.items():
            missing[name] = or_(missing[name], e) if name in missing else e
    money = compile_amount(benefit.amount, ctx)
    start = benefit.valid_from or book.document.in_force_from
    end = benefit.valid_to or book.document.in_force_to
    in_force = as_of >= start and (end is None or as_of <= end)
    if as_of < start:
        status = plan.add(text("not_yet_in_force"))
    elif end is not None and as_of > end:
        status = plan.add(text("expired"))
    else:
        zero = and_(eq_kind(money.kind, "exact"), eq(money.value, num(0)))
        status = plan.add(case((is_null(verdict), text("needs_info")), (not_(verdict), text("not_eligible")),
                               (zero, text("not_eligible")), default=text("eligible")))
    if paid_once(benefit) and in_force:
        status, money = _history(ctx, benefit, status, money, missing)
    needs = eq(status, text("needs_info"))
    open_ = isin(status, [text(s) for s in OPEN])
    pieces = []
    for name in fact_order(benefit):
        shown = or_(and_(needs, missing.get(name, exp.false())), and_(open_, money.missing.get(name, exp.false())))
        pieces.append(case((shown, text(";" + name)), default=text("")))
    if pieces:
        joined = reduce(lambda a, b: exp.DPipe(this=a, expression=b, safe=True), pieces)
        shown_text = exp.func("NULLIF", exp.Substring(this=joined, start=num(2)), text(""))
    else:
        shown_text = text(None)
    ctx.benefit = None
    return BenefitColumns(benefit, status, money.kind, money.value, money.min, money.max, shown_text)


def exclusion_pairs(book: Rulebook) -> list[tuple[str, str]]:
    """compile.CompiledRulebook.exclusion_pairs: in the order evaluation.apply_exclusions applies them."""
    order = {b.id: i for i, b in enumerate(book.benefits)}
    pairs = {tuple(sorted((b.id, o), key=order.get)) for b in book.benefits for o in b.exclusive_with}
    return sorted(pairs, key=lambda p: (order[p[0]], order[p[1]]))


