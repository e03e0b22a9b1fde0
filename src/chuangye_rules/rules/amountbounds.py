"""How large an amount can come to, for any list row the tool accepts (each field at the largest value a cell
may hold, a parameter at the largest value `--param` may give it). Validation refuses an amount that no engine
computes exactly: the batch, SQL and Spark hold a benefit's sum in 64-bit fen and compute a product of columns
in 128-bit integers (DECIMAL(38,0) in SQL), which would otherwise wrap or fail on a large row."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..base.memo import by_identity
from .catalog import catalog
from .values import FIELD_UNITS, MAX_COUNT, MAX_MONEY, MONEY_DIGITS, NUMBER_DIGITS, PARAMETER_DECIMALS
from .visit import AmountVisitor

MAX_AMOUNT = Decimal("1e15")  # yuan, one benefit for one applicant: 10^17 fen, so 92 of them still sum in 64 bits
INT64_MAX_FEN = 2 ** 63 - 1
WIDE_MAX = 10 ** 38 - 1  # the narrower of Int128 (polars) and DECIMAL(38,0) (SQL, Spark)
_PARAMETER = Fraction(MAX_MONEY)  # a parameter's largest value: --param refuses more (engine.checked_parameters)
_PARAMETER_NUMERATOR = int(MAX_MONEY) * 10 ** PARAMETER_DECIMALS  # … written with up to 6 decimals
_PARAMETER_DENOMINATOR = 10 ** PARAMETER_DECIMALS


def _type(name: str) -> str:
    spec = catalog().fields.get(name)  # an unknown field is its own problem (checkamounts); bound it as money
    return spec.type if spec is not None else "money"


def field_largest(name: str) -> Fraction:
    """The largest absolute value a numeric field may hold in a list (a count, a sum in yuan, a number): the
    engines with integer limits read lists; `check` computes in exact decimals whatever a profile holds."""
    kind = _type(name)
    return Fraction(MAX_COUNT if kind == "int" else 10 ** (NUMBER_DIGITS if kind == "number" else MONEY_DIGITS))


@dataclass(frozen=True)
class Bound:
    largest: Fraction  # yuan: the largest absolute amount, after the cap
    wide: int = 0  # the largest absolute intermediate of the columnar engines' exact arithmetic (0: none)


@by_identity  # asked per benefit (checkamounts.bound_problems), then for the rulebook's total
def amount_bound(amount) -> Bound:
    """The bound of any amount rule (a model or a runtime object: both carry `kind`)."""
    return _Bounds().visit(amount)


class _Bounds(AmountVisitor[Bound]):
    def fixed(self, rule) -> Bound:
        return Bound(Fraction(rule.value))

    def up_to(self, rule) -> Bound:
        return Bound(Fraction(rule.max))

    range = up_to

    def tiers(self, rule) -> Bound:
        values = [Fraction(t.value) for t in rule.tiers]
        return Bound(sum(values) if rule.cumulative else max(values))

    def grades(self, rule) -> Bound:
        return Bound(max(Fraction(g.value) for g in rule.grades))

    def per_unit(self, rule) -> Bound:
        rate = rule.rate if rule.rate is not None else rule.rate_max
        return Bound(_capped(Fraction(rate) * MAX_COUNT, rule.cap))

    def percentage(self, rule) -> Bound:
        return _percentage(rule)

    def formula(self, rule) -> Bound:
        return _formula(rule)

    def parts(self, rule) -> Bound:
        bounds = [self.visit(p.amount) for p in rule.parts]
        return Bound(sum(b.largest for b in bounds), max(b.wide for b in bounds))

    def not_stated(self, rule) -> Bound:  # (and in kind): no sum
        return Bound(Fraction(0))

    in_kind = not_stated


def _capped(value: Fraction, cap, negative: bool = False) -> Fraction:
    """The largest absolute amount under a cap, which limits only the top: an amount that may be negative (a
    decimal-number field, a negative number) is bounded below by nothing but its factors."""
    return min(value, Fraction(cap)) if cap is not None and not negative else value


def _wide(numerator_bound: int, denominator: int) -> int:
    """What rounding numerator / denominator half up reaches (2n + d, and 2d)."""
    return 2 * numerator_bound + 2 * denominator


def _percentage(amount) -> Bound:
    field = amount.of_field
    units = FIELD_UNITS.get(_type(field), 1)
    share = Fraction(amount.percent) / 100
    column_share = share * 100 / units  # fen per unit of the column
    largest = _capped(field_largest(field) * share, amount.cap, _type(field) == "number")
    return Bound(largest, _wide(int(field_largest(field)) * units * column_share.numerator, column_share.denominator))


def _formula(amount) -> Bound:
    value, numerator, denominator, columns = Fraction(1), 100, 1, 1  # the constant starts at 100: yuan to fen
    negative = False
    for factor in amount.factors:
        negative = negative or factor.field is not None and _type(factor.field) == "number"
        if factor.number is not None:
            number = Fraction(factor.number)
            negative = negative or number < 0
            value *= abs(number)
            numerator, denominator = numerator * abs(number.numerator), denominator * number.denominator
        elif factor.parameter is not None:
            value *= _PARAMETER
            numerator, denominator = numerator * _PARAMETER_NUMERATOR, denominator * _PARAMETER_DENOMINATOR
        else:
            largest, column, units = _field_factor(factor)
            value *= largest
            columns *= column
            denominator *= units
    return Bound(_capped(value, amount.cap, negative), _wide(columns * numerator, denominator))


def _field_factor(factor) -> tuple[Fraction, int, int]:
    """A formula's field factor: its largest absolute value, and its column's (in the units the engines count it
    in: a fractional `max` is reached by counting in finer units) with those units."""
    kind = _type(factor.field)
    top, units = field_largest(factor.field), FIELD_UNITS.get(kind, 1)
    column = int(top) * units
    if factor.max is None:
        return top, column, units
    limit = Fraction(factor.max) * units
    units *= limit.denominator
    column = int(top) * units
    if kind == "number":  # a number may be negative: `max` caps only the top
        return top, column, units
    return min(top, abs(Fraction(factor.max))), min(column, abs(limit.numerator)), units
