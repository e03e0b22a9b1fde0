"""Three-valued evaluation of rulebook conditions against one profile, with a trace for the reasons.

True / False / None (unknown: a fact the test needs is missing). This module is the reference semantics:
each operator is defined once in OPERATORS, and the columnar batch path must agree with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable

from ..base.dates import shift
from ..base.money import plain, to_decimal
from ..base.privacy import mask_id
from ..rules.catalog import catalog
from ..rules.runtime import node_data
from ..rules.visit import ConditionVisitor, is_compare
from .results import Condition

if TYPE_CHECKING:
    from ..rules.schema import AllOf, AnyOf, Compare, NotOf

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


class _Evaluator(ConditionVisitor[Trace]):
    """Each kind of condition node, tested against one applicant's facts on one date."""

    def __init__(self, facts: dict[str, Any], as_of: dt.date) -> None:
        self.facts, self.as_of = facts, as_of

    def compare(self, node: Compare) -> Trace:
        value = self.facts.get(node.field)
        if value is None:
            return Trace(node, None, None, missing=[node.field])
        result = OPERATORS[node.op](value, node.operand, self.as_of, self.facts)
        missing = [node.other_field] if result is None and node.other_field else []
        return Trace(node, result, value, missing=missing)

    def not_of(self, node: NotOf) -> Trace:
        child = self.visit(node.not_)
        result = None if child.result is None else not child.result
        return Trace(node, result, children=[child], missing=child.missing)

    def all_of(self, node: AllOf) -> Trace:
        return self._group(node, node.all, decisive=False)

    def any_of(self, node: AnyOf) -> Trace:
        return self._group(node, node.any, decisive=True)

    def _group(self, node: Any, members: list, decisive: bool) -> Trace:
        children = [self.visit(c) for c in members]
        results = [c.result for c in children]
        if decisive in results:
            result: Truth = decisive
        elif None in results:
            result = None
        else:
            result = not decisive
        missing = [] if result is not None else _unique(m for c in children if c.result is None for m in c.missing)
        return Trace(node, result, children=children, missing=missing)


def evaluate_condition(node, facts: dict[str, Any], as_of: dt.date) -> Trace:
    return _Evaluator(facts, as_of).visit(node)


def _unique(items) -> list:
    return list(dict.fromkeys(items))


# ------------------------------------------------------------------------- the trace as data, in no language

GROUP_TESTS = {"AllOf": "all", "AnyOf": "any", "NotOf": "not"}


def as_data(value: Any) -> Any:
    """A fact or an operand as JSON data: dates as ISO strings, decimals as plain strings, sets as sorted lists,
    durations as {years, months, days[, field]}."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, float)):
        return plain(value if isinstance(value, Decimal) else Decimal(str(value)))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted((as_data(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [as_data(v) for v in value]
    if isinstance(value, Enum) or not hasattr(value, "__dict__"):
        return str(value)
    return node_data(value)  # a duration, a history entry


def condition_of(node: Any) -> Condition:
    """One node of a rule's conditions as data (its children left out): what the render layer words."""
    if is_compare(node):
        return Condition(test=node.op, field=node.field, operand=as_data(node.operand), result=None, label=node.label)
    return Condition(test=GROUP_TESTS[type(node).__name__], result=None, label=node.label)


def reason_tree(trace: Trace) -> Condition:
    """The trace as a tree of conditions with the applicant's values (personal numbers masked) and results."""
    node = condition_of(trace.node)
    node.result = trace.result
    if node.field is not None:
        spec = catalog().fields.get(node.field)
        node.value = mask_id(trace.value) if spec and spec.personal and trace.value is not None else as_data(trace.value)
    node.children = [reason_tree(child) for child in trace.children]
    return node
