"""One way to walk the rule tree: a visitor class per job (evaluate, compile to polars, write SQL, word, check, …)
with one method per kind of node. `visit` dispatches on an amount's kind and a condition's class name; a visitor
that forgets a kind cannot be instantiated (abstract methods), so a new amount or condition kind is added to every backend or to none."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .schema import (
        AllOf,
        AnyOf,
        Compare,
        FixedAmount,
        FormulaAmount,
        GradesAmount,
        InKindAmount,
        NotOf,
        NotStatedAmount,
        PartsAmount,
        PercentageAmount,
        PerUnitAmount,
        RangeAmount,
        TiersAmount,
        UpToAmount,
    )

T = TypeVar("T")

# an amount rule's method is its `kind`; a condition's, by its class's name: the Pydantic models of the format and the
# plain runtime objects built from the cache (runtime.py) share those names
AMOUNT_METHODS = {kind: kind for kind in (
    "fixed", "up_to", "range", "per_unit", "percentage", "tiers", "grades", "formula", "not_stated", "in_kind", "parts")}
CONDITION_METHODS = {"Compare": "compare", "AllOf": "all_of", "AnyOf": "any_of", "NotOf": "not_of"}


def is_compare(node: Any) -> bool:
    """A comparison, not a group (all, any, not)."""
    return type(node).__name__ == "Compare"


class AmountVisitor(ABC, Generic[T]):
    """Subclass and implement one method per amount kind; call `visit(rule, …)`."""

    def visit(self, rule: Any, *args: Any, **kwargs: Any) -> T:
        try:
            name = AMOUNT_METHODS[rule.kind]
        except (KeyError, AttributeError):
            raise TypeError(f"unknown amount rule {type(rule).__name__}") from None
        return getattr(self, name)(rule, *args, **kwargs)

    @abstractmethod
    def fixed(self, rule: FixedAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def up_to(self, rule: UpToAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def range(self, rule: RangeAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def per_unit(self, rule: PerUnitAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def percentage(self, rule: PercentageAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def tiers(self, rule: TiersAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def grades(self, rule: GradesAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def formula(self, rule: FormulaAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def not_stated(self, rule: NotStatedAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def in_kind(self, rule: InKindAmount, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def parts(self, rule: PartsAmount, *args: Any, **kwargs: Any) -> T: ...


class ConditionVisitor(ABC, Generic[T]):
    """Subclass and implement one method per condition kind; call `visit(node, …)`."""

    def visit(self, node: Any, *args: Any, **kwargs: Any) -> T:
        try:
            name = CONDITION_METHODS[type(node).__name__]
        except KeyError:
            raise TypeError(f"unknown condition {type(node).__name__}") from None
        return getattr(self, name)(node, *args, **kwargs)

    @abstractmethod
    def compare(self, node: Compare, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def all_of(self, node: AllOf, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def any_of(self, node: AnyOf, *args: Any, **kwargs: Any) -> T: ...

    @abstractmethod
    def not_of(self, node: NotOf, *args: Any, **kwargs: Any) -> T: ...
