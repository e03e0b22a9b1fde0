"""The batch's typed frame (batch/compile.py's representation: money in fen, numbers × 10^6, sets as bits or
"|code|" text) as the table `chuangye sql` reads (README, "SQL"): money DECIMAL(20,2) yuan, numbers
DECIMAL(24,6), sets "|code|code|" text, the row number as `row`. Exact: integer → decimal, no float."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from ..batch.columnar import NUMBER_SCALE, ROW, set_bits
from ..rules.catalog import catalog

MONEY = pl.Decimal(20, 2)
NUMBER = pl.Decimal(24, 6)


def _scaled(column: pl.Expr, scale: int, kind: pl.Decimal) -> pl.Expr:
    """An integer count of 1/scale units as a decimal: multiplied by the exact 1/scale (polars' decimal
    division keeps too few places: 1234567 / 100 came out 12346.00)."""
    step = pl.lit(Decimal(1) / scale, dtype=pl.Decimal(len(str(scale)), len(str(scale)) - 1))
    return (column.cast(pl.Decimal(38, 0)) * step).cast(kind)


def _set_text(series: pl.Series, bits: dict[str, int]) -> pl.Series:
    """A column of set bits as "|code|code|" text (codes sorted, as compile.set_cell writes text sets)."""
    distinct = series.drop_nulls().unique()
    texts = []
    for value in distinct.to_list():
        codes = sorted(code for code, bit in bits.items() if value >> bit & 1)
        texts.append("|" + "|".join(codes) + "|" if codes else "|")
    return series.replace_strict(distinct, pl.Series(texts, dtype=pl.String), default=None, return_dtype=pl.String)


def sql_table(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (ROW and catalog columns, as parse_chunk or frame_from_profiles give) as the SQL table."""
    cat = catalog()
    columns = []
    for name in frame.columns:
        spec = cat.fields.get(name)
        if name == ROW:
            columns.append(pl.col(ROW).cast(pl.Int64).alias("row"))
        elif spec is not None and spec.type == "money":
            columns.append(_scaled(pl.col(name), 100, MONEY).alias(name))
        elif spec is not None and spec.type == "number":
            columns.append(_scaled(pl.col(name), NUMBER_SCALE, NUMBER).alias(name))
        elif spec is not None and spec.type == "set_of" and frame.schema[name] != pl.String:
            bits = set_bits(spec)
            columns.append(pl.lit(_set_text(frame[name], bits)).alias(name))
        else:
            columns.append(pl.col(name))
    return frame.select(columns)
