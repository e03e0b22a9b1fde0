"""What facts a rule reads, in the canonical order missing facts are named, and which benefits the history
limits: pure functions of the rule model that every engine (the evaluator, polars, SQL) and the authors' checks
share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base.memo import by_identity
from .core import CASH_CATEGORIES
from .history import HISTORY
from .visit import AmountVisitor, ConditionVisitor

if TYPE_CHECKING:
    from .schema import (
        AllOf,
        AnyOf,
        Benefit,
        Compare,
        FormulaAmount,
        GradesAmount,
        NotOf,
        PartsAmount,
        PercentageAmount,
        PerUnitAmount,
        RangeAmount,
        Rulebook,
        TiersAmount,
        UpToAmount,
    )


class _ConditionFields(ConditionVisitor[list[str]]):
    def compare(self, node: Compare) -> list[str]:
        return [node.field] + ([node.other_field] if node.other_field else [])

    def all_of(self, node: AllOf) -> list[str]:
        return _unique(f for child in node.all for f in self.visit(child))

    def any_of(self, node: AnyOf) -> list[str]:
        return _unique(f for child in node.any for f in self.visit(child))

    def not_of(self, node: NotOf) -> list[str]:
        return self.visit(node.not_)


class _AmountInputs(AmountVisitor[list[str]]):
    def per_unit(self, rule: PerUnitAmount) -> list[str]:
        return [rule.unit_field]

    def percentage(self, rule: PercentageAmount) -> list[str]:
        return [rule.of_field]

    def tiers(self, rule: TiersAmount | GradesAmount) -> list[str]:
        return [rule.field]

    grades = tiers

    def up_to(self, rule: UpToAmount | RangeAmount) -> list[str]:
        return [rule.received_field] if rule.received_field else []

    range = up_to

    def formula(self, rule: FormulaAmount) -> list[str]:
        return [f.parameter or f.field for f in rule.factors if f.number is None]

    def parts(self, rule: PartsAmount) -> list[str]:
        return _unique(name for p in rule.parts for name in self.visit(p.amount))

    def fixed(self, rule) -> list[str]:
        return []

    not_stated = in_kind = fixed


_CONDITION_FIELDS = _ConditionFields()
_AMOUNT_INPUTS = _AmountInputs()


def condition_fields(node) -> list[str]:
    """The fields a condition reads, in depth-first order: the canonical order of "missing facts"."""
    return _CONDITION_FIELDS.visit(node)


def amount_inputs(rule) -> list[str]:
    """The facts and parameters an amount rule reads, in order."""
    return _AMOUNT_INPUTS.visit(rule)


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def fact_order(benefit: Benefit) -> list[str]:
    """The canonical order in which a benefit's missing facts are named (the batch path uses it too)."""
    return list(_fact_order(benefit))


@by_identity
def _fact_order(benefit: Benefit) -> tuple[str, ...]:
    names = ["kind"]
    if benefit.conditions is not None:
        names += condition_fields(benefit.conditions)
    names += amount_inputs(benefit.amount)
    if pays_tiers_once(benefit):
        names.append(HISTORY)  # the amounts already paid decide what is still due
    return tuple(dict.fromkeys(names))


def paid_once(benefit: Benefit) -> bool:
    """Money given once (一次性 subsidies and awards): what the history limits. Not a benefit paid per unit (each
    business or person is paid once: the unit count is of those not yet paid), nor loans, services, honours or
    rights, whose repetition the documents do not limit."""
    return (benefit.period.value == "once" and benefit.category in CASH_CATEGORIES
            and benefit.amount.kind != "per_unit")


def excluding_history(book: Rulebook, received) -> set[str]:
    """The received benefits that exclude their partners (不得重复享受): those given once. A benefit given every
    year or month received in an earlier period does not decide this period's choice between the two."""
    once = {b.id for b in book.benefits if b.period.value == "once"}
    return {benefit_id for benefit_id in received if benefit_id in once}


def pays_tiers_once(benefit: Benefit) -> bool:
    """A one-off reward in cumulative tiers (首次突破…分别给予): each tier is paid once, whenever it is reached."""
    return paid_once(benefit) and benefit.amount.kind == "tiers" and benefit.amount.cumulative
