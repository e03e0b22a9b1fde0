"""Exact money: rounding to the fen and showing yuan the way Chinese documents write them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")
WAN = Decimal(10000)


def to_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """12000.00 → '12000', 0.50 → '0.5': no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text


def yuan(value: Decimal | None, lang: str = "zh") -> str:
    if value is None:
        return "—"
    if lang != "zh":
        text = f"{value:,.2f}".removesuffix(".00")
        return f"¥{text}"
    if value >= WAN and (value / WAN) == (value / WAN).quantize(FEN):
        return f"{plain(value / WAN)}万元"
    return f"{plain(value)}元"


def to_decimal(value: Any) -> Decimal:
    """Rulebook literals come from YAML as int/float: go through str so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
