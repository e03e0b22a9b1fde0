"""A rule node (an amount, a condition, a duration) as JSON data, whichever kind of object holds it: a Pydantic model
of the rulebook format, or the plain runtime object `chuangye check` builds from the cache (rules/runtime.py)."""

from __future__ import annotations

from typing import Any


def node_data(node: Any) -> Any:
    """The node as the rulebook format writes it: its fields by their YAML names (`in`, `not`, `from`), decimals and
    dates as strings — what Pydantic's `model_dump(mode="json", by_alias=True)` gives."""
    dump = getattr(node, "model_dump", None)
    if dump is not None:
        return dump(mode="json", by_alias=True)
    from .runtime import Node, plain_data

    if isinstance(node, Node):
        return plain_data(node)
    raise TypeError(f"not a rule node: {type(node).__name__}")
