"""Three-valued evaluation of rulebook conditions against one profile, with a trace for the reasons.

True / False / None (unknown: a fact the test needs is missing). This module is the reference semantics:
each operator is defined once in OPERATORS, and the columnar batch path must agree with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from ..base.dates import shift
from ..rules.profile import to_decimal
from ..rules.schema import AllOf, Compare, NotOf

Truth = bool | None


@dataclass
class Trace:
    """The outcome of one condition node, with the applicant's value and the facts it still needs."""

    node: Any
    result: Truth
    value: Any = None
    children: list["Trace"] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _numeric(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return to_decimal(value)
    return value


def _compare(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any, dt.date, dict], Truth]:
    return lambda value, operand, as_of, facts: fn(_numeric(value), _numeric(operand))


def _within_last(value: dt.date, d, as_of: dt.date, facts) -> Truth:
    return shift(as_of, d.years, d.months, d.days, sign=-1) <= value <= as_of


def _at_least_ago(value: dt.date, d, as_of: dt.date, facts) -> Truth:
    return value <= shift(as_of, d.years, d.months, d.days, sign=-1)


def _within_after(value: dt.date, d, as_of: dt.date, facts) -> Truth:
    start = facts.get(d.field)
    if start is None:
        return None
    return start <= value <= shift(start, d.years, d.months, d.days)


def _no_later_than(value: dt.date, d, as_of: dt.date, facts) -> Truth:
    start = facts.get(d.field)
    if start is None:
        return None
    return value <= shift(start, d.years, d.months, d.days)


def _same_year_as(value: dt.date, other: str, as_of: dt.date, facts) -> Truth:
    start = facts.get(other)
    return None if start is None else value.year == start.year


OPERATORS: dict[str, Callable[[Any, Any, dt.date, dict], Truth]] = {
    "eq": _compare(lambda a, b: a == b),
    "ne": _compare(lambda a, b: a != b),
    "gt": _compare(lambda a, b: a > b),
    "gte": _compare(lambda a, b: a >= b),
    "lt": _compare(lambda a, b: a < b),
    "lte": _compare(lambda a, b: a <= b),
    "in": lambda v, xs, as_of, f: _numeric(v) in [_numeric(x) for x in xs],
    "not_in": lambda v, xs, as_of, f: _numeric(v) not in [_numeric(x) for x in xs],
    "contains": lambda v, x, as_of, f: x in v,
    "contains_any": lambda v, xs, as_of, f: any(x in v for x in xs),
    "contains_all": lambda v, xs, as_of, f: all(x in v for x in xs),
    "within_last": _within_last,
    "at_least_ago": _at_least_ago,
    "same_year_as_evaluation": lambda v, _, as_of, f: v.year == as_of.year,
    "within_after": _within_after,
    "no_later_than": _no_later_than,
    "same_year_as": _same_year_as,
}


def evaluate_condition(node, facts: dict[str, Any], as_of: dt.date) -> Trace:
    if isinstance(node, Compare):
        value = facts.get(node.field)
        if value is None:
            return Trace(node, None, None, missing=[node.field])
        result = OPERATORS[node.op](value, node.operand, as_of, facts)
        missing = [node.other_field] if result is None and node.other_field else []
        return Trace(node, result, value, missing=missing)
    if isinstance(node, NotOf):
        child = evaluate_condition(node.not_, facts, as_of)
        result = None if child.result is None else not child.result
        return Trace(node, result, children=[child], missing=child.missing)
    children = [evaluate_condition(c, facts, as_of) for c in (node.all if isinstance(node, AllOf) else node.any)]
    results = [c.result for c in children]
    decisive = False if isinstance(node, AllOf) else True
    if decisive in results:
        result: Truth = decisive
    elif None in results:
        result = None
    else:
        result = not decisive
    missing = [] if result is not None else _unique(m for c in children if c.result is None for m in c.missing)
    return Trace(node, result, children=children, missing=missing)


def _unique(items) -> list:
    return list(dict.fromkeys(items))

