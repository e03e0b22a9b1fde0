"""Typed columnar frames from already-validated profiles (used by tests and by callers with objects)."""

from __future__ import annotations

from typing import Iterable

import polars as pl

from ..rules.catalog import catalog
from ..rules.history import HISTORY, benefit_keys, cell_codes
from ..rules.profile import ProfileBase
from ..rules.schema import Rulebook
from .columnar import NUMBER_SCALE, ROW, dtype, fen, set_cell, whole


def column_value(spec, value):
    if value is None:
        return None
    if spec.type == "money":
        return fen(value)
    if spec.type == "number":  # × 10^6, exactly (as a list cell is read: at most 6 decimals)
        held = whole(spec, value)
        if held is None:
            raise ValueError(f"{spec.name} = {value}: a batch column holds a decimal number with at most "
                             f"{len(str(NUMBER_SCALE)) - 1} decimals")
        return held
    if spec.type == "set_of":
        return set_cell(spec, value)
    return value


def frame_from_profiles(profiles: list[ProfileBase], rulebooks: Iterable[Rulebook] = ()) -> pl.DataFrame:
    """`rulebooks`: those whose benefits a profile's history may name (as a list's 已享受待遇 cell is read)."""
    cat = catalog()
    keys = benefit_keys(rulebooks)
    data = {ROW: list(range(1, len(profiles) + 1))}
    for name, spec in cat.fields.items():
        if name == HISTORY:
            data[name] = [None if p.get(name) is None else cell_codes(p.get(name), keys) for p in profiles]
            continue
        data[name] = [column_value(spec, p.get(name)) for p in profiles]
    schema = {ROW: pl.Int64, **{name: dtype(spec) for name, spec in cat.fields.items()}}
    frame = pl.DataFrame(data, schema=schema)
    return frame.with_columns(pl.coalesce(pl.col("applicant_id"), pl.format("row-{}", pl.col(ROW))).alias("applicant_id"))

