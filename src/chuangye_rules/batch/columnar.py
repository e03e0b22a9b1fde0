"""How the batch holds each field type in a column, shared by the reader (columns.py) and the compiler
(compile.py): integers for numbers (money in fen, decimals scaled), bits for sets, the row key."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from ..rules.catalog import FieldSpec, catalog
from ..rules.values import FIELD_UNITS

ROW = "_row"  # the input row number, carried through for the errors and results files


class CompileError(ValueError):
    """A rule the columnar path cannot express exactly. Validation (loading.check_rulebook) refuses every rule
    that would raise it, so a rulebook `chuangye validate` accepts always compiles (tests/test_generated_rulebooks.py)."""


# Numbers are integers in the columns, exact: a whole number as is, money in fen, a decimal number (catalog type
# `number`) × 10^6 — a list cell has at most 6 decimals (columns.convert), so every such value is held exactly.
SCALE = FIELD_UNITS
NUMBER_SCALE = SCALE["number"]
INT64_MAX = 2 ** 63 - 1


def fen(value: Any) -> int:
    amount = Fraction(Decimal(str(value))) * 100
    if amount.denominator != 1:
        raise CompileError(f"amount {value} is not a whole number of fen")
    return int(amount)


def dtype(spec: FieldSpec) -> pl.DataType:
    if spec.type == "set_of":
        return pl.String if set_bits(spec) is None else pl.UInt64
    return {
        "text": pl.String, "bool": pl.Boolean, "int": pl.Int64, "money": pl.Int64, "number": pl.Int64,
        "date": pl.Date, "one_of": pl.String,
    }[spec.type]


SET_BITS = 64


def set_bits(spec: FieldSpec) -> dict[str, int] | None:
    """A multiple-choice field's codes as bits of a UInt64 (a set is then an integer, and "contains" one
    AND); None for a vocabulary of more than 64 codes, whose sets are written "|code|code|" instead."""
    codes = list(catalog().vocabularies[spec.vocabulary].labels)
    return {code: i for i, code in enumerate(codes)} if len(codes) <= SET_BITS else None


def set_cell(spec: FieldSpec, codes) -> int | str:
    """A set of codes as the column holds it (set_bits)."""
    bits = set_bits(spec)
    if bits is None:
        return "|" + "|".join(sorted(codes)) + "|" if codes else "|"
    return sum(1 << bits[code] for code in set(codes))


def scaled(spec: FieldSpec, value: Any) -> Fraction:
    """A number in the units of a numeric column (SCALE), exactly: 0.005 yuan is 1/2 fen."""
    return Fraction(Decimal(str(value))) * SCALE[spec.type]


def whole(spec: FieldSpec, value: Any) -> int | None:
    """A numeric value as its column holds it; None when no cell can hold it (a fraction of the unit, or beyond
    64 bits)."""
    q = scaled(spec, value)
    return q.numerator if q.denominator == 1 and abs(q.numerator) <= INT64_MAX else None


def literal(spec: FieldSpec, value: Any) -> Any:
    """A non-numeric rulebook literal in the column's representation (numbers: see numeric_test, whole)."""
    if spec.type in SCALE:
        return whole(spec, value)
    return value


COMPARED = 4  # up to this many values, a cell is matched by comparing it with each, not by hashing it
