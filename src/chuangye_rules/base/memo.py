"""Memoising a pure function of rule-model objects on the objects' identity.

The rule models are not hashable (Pydantic models that are not frozen), and what is derived from them — the order a
benefit's missing facts are named in, the ways a history may name a rulebook's benefits — was recomputed for every
applicant and benefit: a sixth of the reference evaluator's time. Loaded rulebooks are never changed in place (a
reform is a copy), so a value derived from the same objects is the same value. The cache keeps the arguments alive,
so an id is never reused while its entry stands, and is emptied when it grows past a bound (an authoring loop that
reloads its rulebooks for every edit)."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_BOUND = 4096


def by_identity(function: Callable[..., T]) -> Callable[..., T]:
    cache: dict[tuple[int, ...], tuple[tuple[Any, ...], T]] = {}

    @functools.wraps(function)
    def remembered(*args: Any) -> T:
        key = tuple(id(a) for a in args)
        hit = cache.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], args)):
            return hit[1]
        value = function(*args)
        if len(cache) >= _BOUND:
            cache.clear()
        cache[key] = (args, value)
        return value

    return remembered
