"""Computing a benefit's amount from its rule, the profile's facts and the parameters in force.

A missing fact or parameter never becomes zero: the result is a `formula` that names what is missing
(with the cap as its maximum where the rule has one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any, Mapping

from ..base.money import to_fen
from ..rules.visit import AmountVisitor
from .results import AmountOption, AmountPart, AmountResult, ParameterNote

if TYPE_CHECKING:
    from ..rules.schema import (
        FixedAmount,
        FormulaAmount,
        GradesAmount,
        InKindAmount,
        NotStatedAmount,
        Parameter,
        PartsAmount,
        PercentageAmount,
        PerUnitAmount,
        RangeAmount,
        TiersAmount,
        UpToAmount,
    )

HUNDRED = Decimal(100)
# products and percentages are exact before they are rounded to the fen, as the columnar engines' integers are:
# Decimal's default 28 digits would round a product of many digits first (0.0049999…9 × 1 to 0.005, then 0.01)
EXACT = Context(prec=120)


def checked_parameters(values: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """Parameter values a user supplies (`--param`, the API, a case file): finite, not negative, not absurd
    (rules.values.parameter_value_problem)."""
    from ..base.messages import Text
    from ..base.problems import InputError, make_problem
    from ..rules.values import parameter_value_problem

    out, problems = {}, []
    for name, value in (values or {}).items():
        number, wrong = parameter_value_problem(value)
        if wrong is not None:
            problems.append(make_problem(f"--param {name}", None, None, Text(
                f"参数 {name} 的{wrong.zh}", f"parameter {name}: {wrong.en}"),
                Text(f"如 --param {name}=1980", f"e.g. --param {name}=1980")))
        else:
            out[name] = number
    if problems:
        raise InputError(problems)
    return out


def parameter_value(name: str, parameter: Parameter, as_of: dt.date, overrides: dict[str, Decimal]) -> Decimal | None:
    if name in overrides:
        return overrides[name]
    in_force = [v for v in parameter.values if v.from_ <= as_of]
    return max(in_force, key=lambda v: v.from_).value if in_force else None


def _capped(value: Decimal, cap: Decimal | None) -> Decimal:
    return min(value, cap) if cap is not None else value


class _Calculator(AmountVisitor[AmountResult]):
    """Each kind of amount rule, computed for one applicant's facts on one date. Every result carries its rule
    (`rule`), which is what the render layer words; nothing here is worded."""

    def __init__(self, facts: dict[str, Any], as_of: dt.date, parameters: dict[str, Parameter],
                 overrides: dict[str, Decimal]) -> None:
        self.facts, self.as_of, self.parameters, self.overrides = facts, as_of, parameters, overrides

    def fixed(self, rule: FixedAmount) -> AmountResult:
        return AmountResult(kind="exact", value=rule.value, rule=rule)

    def up_to(self, rule: UpToAmount) -> AmountResult:
        return self._limited(rule, None)

    def range(self, rule: RangeAmount) -> AmountResult:
        return self._limited(rule, rule.min)

    def _limited(self, rule: UpToAmount | RangeAmount, low: Decimal | None) -> AmountResult:
        high = rule.max
        if rule.cumulative_cap is not None:
            received = self.facts.get(rule.received_field)
            if received is not None:
                high = min(high, max(rule.cumulative_cap - received, Decimal(0)))
            if high == 0:
                return AmountResult(kind="exact", value=Decimal(0), cap_reached=True, rule=rule)
        if low is not None and high >= low:
            return AmountResult(kind="range", min=low, max=high, rule=rule)
        return AmountResult(kind="up_to", max=high, rule=rule)

    def per_unit(self, rule: PerUnitAmount) -> AmountResult:
        units = self.facts.get(rule.unit_field)
        if units is None:
            return AmountResult(kind="formula", max=rule.cap, missing=[rule.unit_field], rule=rule)
        if rule.rate is not None:
            return AmountResult(kind="exact", value=_capped(rule.rate * units, rule.cap), rule=rule)
        low, high = _capped(rule.rate_min * units, rule.cap), _capped(rule.rate_max * units, rule.cap)
        if low == high:
            return AmountResult(kind="exact", value=low, rule=rule)
        return AmountResult(kind="range", min=low, max=high, rule=rule)

    def percentage(self, rule: PercentageAmount) -> AmountResult:
        base = self.facts.get(rule.of_field)
        if base is None:
            return AmountResult(kind="formula", max=rule.cap, missing=[rule.of_field], rule=rule)
        with localcontext(EXACT):
            value = _capped(to_fen(base * rule.percent / HUNDRED), rule.cap)
        return AmountResult(kind="up_to", max=value, rule=rule) if rule.up_to else \
            AmountResult(kind="exact", value=value, rule=rule)

    def tiers(self, rule: TiersAmount) -> AmountResult:
        measure = self.facts.get(rule.field)
        if measure is None:
            top = sum(t.value for t in rule.tiers) if rule.cumulative else rule.tiers[-1].value
            return AmountResult(kind="formula", max=top, missing=[rule.field], rule=rule)
        reached = [t for t in rule.tiers if measure >= t.at_least]
        value = (sum((t.value for t in reached), Decimal(0)) if rule.cumulative
                 else (reached[-1].value if reached else Decimal(0)))
        return AmountResult(kind="exact", value=value, rule=rule)

    def grades(self, rule: GradesAmount) -> AmountResult:
        grade = self.facts.get(rule.field)
        match = next((g for g in rule.grades if grade is not None and str(grade) == g.grade), None)
        if match is not None:
            return AmountResult(kind="exact", value=match.value, rule=rule)
        values = [g.value for g in rule.grades]
        return AmountResult(kind="range", min=min(values), max=max(values), rule=rule,
                            options=[AmountOption(grade=g.grade, value=g.value) for g in rule.grades],
                            missing=[rule.field] if grade is None else [])

    def formula(self, rule: FormulaAmount) -> AmountResult:
        with localcontext(EXACT):
            return self._formula(rule)

    def _formula(self, rule: FormulaAmount) -> AmountResult:
        product, missing = Decimal(1), []
        for factor in rule.factors:
            if factor.parameter is not None:
                value = parameter_value(factor.parameter, self.parameters[factor.parameter], self.as_of, self.overrides)
                name = factor.parameter
            elif factor.field is not None:
                value, name = self.facts.get(factor.field), factor.field
            else:
                value, name = factor.number, None
            if value is None:
                missing.append(name)
                continue
            product *= _capped(Decimal(value), factor.max)
        if missing:
            notes = {name: ParameterNote(description=p.description, description_en=p.description_en, source=p.source,
                                         unit=p.unit)
                     for name in missing if (p := self.parameters.get(name)) is not None}
            return AmountResult(kind="formula", max=rule.cap, missing=missing, parameter_notes=notes, rule=rule)
        return AmountResult(kind="exact", value=_capped(to_fen(product), rule.cap), rule=rule)

    def not_stated(self, rule: NotStatedAmount) -> AmountResult:
        return AmountResult(kind="not_stated", set_by=rule.set_by, rule=rule)

    def in_kind(self, rule: InKindAmount) -> AmountResult:
        return AmountResult(kind="in_kind", rule=rule)

    def parts(self, rule: PartsAmount) -> AmountResult:
        return _combine([AmountPart(label=p.label, amount=self.visit(p.amount)) for p in rule.parts], rule)


def compute_amount(rule, facts: dict[str, Any], as_of: dt.date, parameters: dict[str, Parameter],
                   overrides: dict[str, Decimal]) -> AmountResult:
    return _Calculator(facts, as_of, parameters, overrides).visit(rule)


def _bounds(amount: AmountResult) -> tuple[Decimal, Decimal] | None:
    if amount.kind == "exact":
        return amount.value, amount.value
    if amount.kind == "range":
        return amount.min, amount.max
    if amount.kind in ("up_to", "formula") and amount.max is not None:
        return Decimal(0), amount.max
    return None


def _combine(parts: list[AmountPart], rule: PartsAmount) -> AmountResult:
    missing = list(dict.fromkeys(m for p in parts for m in p.amount.missing))
    notes = {name: note for p in parts for name, note in p.amount.parameter_notes.items()}
    bounds = [_bounds(p.amount) for p in parts]
    shared = {"parts": parts, "rule": rule, "parameter_notes": notes}
    if any(b is None for b in bounds):
        return AmountResult(kind="formula", missing=missing, **shared)
    low, high = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
    if low == high:
        return AmountResult(kind="exact", value=low, **shared)
    if low == 0:
        return AmountResult(kind="up_to", max=high, missing=missing, **shared)
    return AmountResult(kind="range", min=low, max=high, missing=missing, **shared)
