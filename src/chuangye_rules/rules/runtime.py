"""Rulebooks as plain objects, for `chuangye check`'s start (bench/README.md): built from the cache without importing
Pydantic, holding exactly what the validated models held.

When loading.py caches a rulebook that passed every check, it also stores the model as a typed tree (`typed`):
each model object as {"@": its class's name, field: value, …} with every field (defaults included) under its Python
name, and the values JSON has no type for tagged — a decimal {"$dec": "5000"}, a date {"$date": "2024-01-01"}, an
enum member {"$enum": ["Category", "award"]}, a mapping {"$map": {…}}. `build` turns that tree back into objects of
the same class names (a comparison and a rulebook with their behaviour from core.py), which is all the engines read:
they dispatch on an amount's kind and a condition's class name (visit.py). tests/test_runtime.py proves the
objects equal to the models, field by field, for every bundled rulebook and for generated ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from .core import Category, CompareBehaviour, Period, RulebookBehaviour


class Node:
    """A plain rule object: its fields as attributes, in the model's order (`_fields`)."""

    _fields: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._fields)})"


# every class of the rulebook format, by its name (tests/test_runtime.py checks this against the models)
NAMES = ("Rulebook", "City", "Document", "Parameter", "ParameterValue", "Target", "NotEncoded", "Benefit",
         "Departments", "Compare", "AllOf", "AnyOf", "NotOf", "Duration", "RelativeDuration",
         "FixedAmount", "UpToAmount", "RangeAmount", "PerUnitAmount", "PercentageAmount", "Tier", "TiersAmount",
         "Grade", "GradesAmount", "Factor", "FormulaAmount", "NotStatedAmount", "InKindAmount", "Part", "PartsAmount")
_BEHAVIOUR = {"Compare": CompareBehaviour, "Rulebook": RulebookBehaviour}
CLASSES: dict[str, type] = {name: type(name, (_BEHAVIOUR[name], Node) if name in _BEHAVIOUR else (Node,), {})
                            for name in NAMES}
ENUMS = {"Category": Category, "Period": Period}


def typed(value: Any) -> Any:
    """A validated model (or any value in it) as the typed tree the cache stores; of a plain object built from a
    tree, that tree again (`round_trips`)."""
    fields = value._fields if isinstance(value, Node) else getattr(type(value), "model_fields", None)
    if fields is not None:
        return {"@": type(value).__name__, **{name: typed(getattr(value, name)) for name in fields}}
    if isinstance(value, Enum):
        return {"$enum": [type(value).__name__, value.value]}
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, dict):
        return {"$map": {str(k): typed(v) for k, v in value.items()}}
    raise TypeError(f"a rulebook holds no {type(value).__name__}")


def runtime_tree(model: Any) -> dict[str, Any] | None:
    """The typed tree of a validated rulebook, if the plain objects built from it hold exactly what the model holds
    (every field, every value's type); else None, and the rulebook is not cached."""
    try:
        tree = typed(model)
        return tree if typed(build(tree)) == tree else None
    except (TypeError, KeyError, ValueError):  # a value a rulebook should not hold (a datetime in an `eq`, …)
        return None


def build(tree: Any) -> Any:
    """The plain objects of a typed tree. A tree that is not one (a damaged cache entry) raises KeyError,
    TypeError or ValueError: a miss."""
    if isinstance(tree, list):
        return [build(v) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "@" in tree:
        node = object.__new__(CLASSES[tree["@"]])
        names = tuple(k for k in tree if k != "@")
        node.__dict__.update({k: build(tree[k]) for k in names})
        node._fields = names
        return node
    (tag, value), = tree.items()
    if tag == "$dec":
        return Decimal(value)
    if tag == "$date":
        return dt.date.fromisoformat(value)
    if tag == "$enum":
        return ENUMS[value[0]](value[1])
    if tag == "$map":
        return {k: build(v) for k, v in value.items()}
    raise KeyError(tag)


def plain_data(node: Node) -> dict[str, Any]:
    """A plain object as JSON data, as Pydantic dumps its model (`mode="json", by_alias=True`): fields under their
    YAML names (a trailing _ dropped: `in_` is `in`), decimals and dates as strings, enums as their values."""
    return {name.removesuffix("_"): _json(getattr(node, name)) for name in node._fields}


def _json(value: Any) -> Any:
    if isinstance(value, Node):
        return plain_data(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def node_data(node: Any) -> Any:
    """A rule node (an amount, a condition, a duration) as the rulebook format writes it, whichever object holds
    it — a Pydantic model of the format or a plain object: its fields by their YAML names (`in`, `not`, `from`),
    decimals and dates as strings, as Pydantic's `model_dump(mode="json", by_alias=True)` gives."""
    if isinstance(node, Node):
        return plain_data(node)
    dump = getattr(node, "model_dump", None)
    if dump is None:
        raise TypeError(f"not a rule node: {type(node).__name__}")
    return dump(mode="json", by_alias=True)
