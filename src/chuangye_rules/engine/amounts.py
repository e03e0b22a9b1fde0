"""Computing a benefit's amount from its rule, the profile's facts and the parameters in force.

A missing fact or parameter never becomes zero: the result is a `formula` that names what is missing
(with the cap as its maximum where the rule has one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from ..base.money import to_fen, yuan
from ..rules.catalog import catalog
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
from .results import AmountOption, AmountPart, AmountResult

HUNDRED = Decimal(100)


def checked_parameters(values: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """Parameter values a user supplies (`--param`, the API, a case file): finite, not negative, not absurd.
    A NaN or an infinity would otherwise reach the arithmetic (and Decimal refuses to compare them)."""
    from ..base.problems import InputError, Problem
    from ..rules.profile import MAX_MONEY

    out, problems = {}, []
    for name, value in (values or {}).items():
        try:
            number = None if isinstance(value, bool) else Decimal(str(value) if isinstance(value, float) else value)
        except (InvalidOperation, TypeError, ValueError):
            number = None
        if number is not None and number.is_finite() and number > MAX_MONEY:
            problems.append(Problem(f"--param {name}", None, None, f"参数 {name} 的值 {value} 过大（上限 {MAX_MONEY:,.0f}）",
                                    f"如 --param {name}=1980"))
        elif number is None or not number.is_finite() or number < 0:
            problems.append(Problem(f"--param {name}", None, None, f"参数 {name} 的值 {value} 无效：应为不小于 0 的数字",
                                    f"如 --param {name}=1980"))
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


def _label(field_name: str) -> str:
    spec = catalog().fields.get(field_name)
    return spec.zh if spec else field_name


def _capped(value: Decimal, cap: Decimal | None) -> Decimal:
    return min(value, cap) if cap is not None else value


def _cap_text(cap: Decimal | None) -> str:
    return f"，最高{yuan(cap)}" if cap is not None else ""


def compute_amount(rule, facts: dict[str, Any], as_of: dt.date, parameters: dict[str, Parameter],
                   overrides: dict[str, Decimal]) -> AmountResult:
    if isinstance(rule, FixedAmount):
        return AmountResult(kind="exact", value=rule.value, description=yuan(rule.value))

    if isinstance(rule, (UpToAmount, RangeAmount)):
        low = rule.min if isinstance(rule, RangeAmount) else None
        text = f"{yuan(low)}-{yuan(rule.max)}" if low is not None else f"最高{yuan(rule.max)}"
        high = rule.max
        if rule.cumulative_cap is not None:
            text += f"（累计最高{yuan(rule.cumulative_cap)}）"
            received = facts.get(rule.received_field)
            if received is not None:
                high = min(high, max(rule.cumulative_cap - received, Decimal(0)))
            if high == 0:
                return AmountResult(kind="exact", value=Decimal(0), description=text + "，已达累计上限")
        if low is not None and high >= low:
            return AmountResult(kind="range", min=low, max=high, description=text)
        return AmountResult(kind="up_to", max=high, description=text)

    if isinstance(rule, PerUnitAmount):
        units = facts.get(rule.unit_field)
        if rule.rate is not None:
            text = f"每{rule.unit_zh}{yuan(rule.rate)}{_cap_text(rule.cap)}"
        else:
            text = f"每{rule.unit_zh}{yuan(rule.rate_min)}-{yuan(rule.rate_max)}{_cap_text(rule.cap)}"
        if units is None:
            return AmountResult(kind="formula", max=rule.cap, description=text, missing=[rule.unit_field],
                                formula=f"{text} × {_label(rule.unit_field)}")
        if rule.rate is not None:
            return AmountResult(kind="exact", value=_capped(rule.rate * units, rule.cap), description=text)
        low, high = _capped(rule.rate_min * units, rule.cap), _capped(rule.rate_max * units, rule.cap)
        if low == high:
            return AmountResult(kind="exact", value=low, description=text)
        return AmountResult(kind="range", min=low, max=high, description=text)

    if isinstance(rule, PercentageAmount):
        base = facts.get(rule.of_field)
        text = f"{'不高于' if rule.up_to else ''}{_label(rule.of_field)}的{rule.percent.normalize():f}%{_cap_text(rule.cap)}"
        if base is None:
            return AmountResult(kind="formula", max=rule.cap, description=text, missing=[rule.of_field], formula=text)
        value = _capped(to_fen(base * rule.percent / HUNDRED), rule.cap)
        if rule.up_to:
            return AmountResult(kind="up_to", max=value, description=text)
        return AmountResult(kind="exact", value=value, description=text)

    if isinstance(rule, TiersAmount):
        steps = "、".join(f"达{yuan(t.at_least)}给予{yuan(t.value)}" for t in rule.tiers)
        text = f"按{_label(rule.field)}分档：{steps}" + ("（逐档累计）" if rule.cumulative else "")
        measure = facts.get(rule.field)
        if measure is None:
            top = sum(t.value for t in rule.tiers) if rule.cumulative else rule.tiers[-1].value
            return AmountResult(kind="formula", max=top, description=text, missing=[rule.field], formula=text)
        reached = [t for t in rule.tiers if measure >= t.at_least]
        value = (sum((t.value for t in reached), Decimal(0)) if rule.cumulative
                 else (reached[-1].value if reached else Decimal(0)))
        return AmountResult(kind="exact", value=value, description=text)

    if isinstance(rule, GradesAmount):
        options = [AmountOption(grade=g.grade, value=g.value) for g in rule.grades]
        text = "按等级：" + "、".join(f"{g.grade}档{yuan(g.value)}" for g in rule.grades)
        grade = facts.get(rule.field)
        match = next((g for g in rule.grades if grade is not None and str(grade) == g.grade), None)
        if match is not None:
            return AmountResult(kind="exact", value=match.value, description=text)
        values = [g.value for g in rule.grades]
        return AmountResult(kind="range", min=min(values), max=max(values), description=text, options=options,
                            missing=[rule.field] if grade is None else [])

    if isinstance(rule, FormulaAmount):
        product, missing = Decimal(1), []
        for factor in rule.factors:
            if factor.parameter is not None:
                value = parameter_value(factor.parameter, parameters[factor.parameter], as_of, overrides)
                name = factor.parameter
            elif factor.field is not None:
                value, name = facts.get(factor.field), factor.field
            else:
                value, name = factor.number, None
            if value is None:
                missing.append(name)
                continue
            product *= _capped(Decimal(value), factor.max)
        text = rule.description + _cap_text(rule.cap)
        if missing:
            labels = {name: f"{parameters[name].description}（{parameters[name].source}）"
                      for name in missing if name in parameters}
            return AmountResult(kind="formula", max=rule.cap, description=text, formula=text, missing=missing,
                                parameter_labels=labels)
        return AmountResult(kind="exact", value=_capped(to_fen(product), rule.cap), description=text)

    if isinstance(rule, NotStatedAmount):
        return AmountResult(kind="not_stated", set_by=rule.set_by, description=f"文件未列明金额，按{rule.set_by}执行")

    if isinstance(rule, InKindAmount):
        return AmountResult(kind="in_kind", description=rule.description)

    if isinstance(rule, PartsAmount):
        parts = [AmountPart(label=p.label, amount=compute_amount(p.amount, facts, as_of, parameters, overrides))
                 for p in rule.parts]
        return _combine(parts)

    raise TypeError(f"unknown amount rule {type(rule).__name__}")


def _bounds(amount: AmountResult) -> tuple[Decimal, Decimal] | None:
    if amount.kind == "exact":
        return amount.value, amount.value
    if amount.kind == "range":
        return amount.min, amount.max
    if amount.kind in ("up_to", "formula") and amount.max is not None:
        return Decimal(0), amount.max
    return None


def _combine(parts: list[AmountPart]) -> AmountResult:
    text = " + ".join(f"{p.label}{p.amount.description}" for p in parts)
    missing = list(dict.fromkeys(m for p in parts for m in p.amount.missing))
    bounds = [_bounds(p.amount) for p in parts]
    if any(b is None for b in bounds):
        return AmountResult(kind="formula", description=text, formula=text, parts=parts, missing=missing)
    low, high = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
    if low == high:
        return AmountResult(kind="exact", value=low, description=text, parts=parts)
    if low == 0:
        return AmountResult(kind="up_to", max=high, description=text, parts=parts, missing=missing)
    return AmountResult(kind="range", min=low, max=high, description=text, parts=parts, missing=missing)
