"""Parquet lists for `chuangye batch` (`--format parquet` writes Parquet too): the file is read a block of rows
at a time, each column turned into the text of its cells and handed to the same cell parser as a CSV list
(columns.parse_chunk), so a Parquet list is validated exactly as the CSV one — the same rejections, reasons
and errors rows. Typed columns convert to text losslessly (a DATE as 2023-07-01, a BOOLEAN as true/false, a
DECIMAL with its places, a list of codes joined by |, an empty list as 无); a floating-point column for a money
or number field is refused (money is exact: store it as DECIMAL(p,2) or as text). Row numbers count the
records from 1 (a Parquet file has no header line)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import polars as pl

from ..base.messages import Text
from ..base.problems import InputError, make_problem
from ..rules.catalog import catalog
from .columnar import ROW
from .records import RawChunk

SUFFIXES = (".parquet", ".pq")


def is_parquet(path: Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


def _as_text(name: str, kind: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if isinstance(kind, pl.List):
        inner = column.list.eval(pl.element().cast(pl.String))
        return pl.when(column.list.len() == 0).then(pl.lit("无")).otherwise(inner.list.join("|"))
    if kind == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if kind == pl.Boolean:
        return pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false"))
    return column.cast(pl.String)


def iter_parquet(path: Path, chunk_rows: int) -> tuple[list[str], Iterator[RawChunk]]:
    """(column names, blocks of text cells) — as columns.iter_csv gives for a CSV list."""
    try:
        schema = pl.read_parquet_schema(path)
    except Exception as error:  # not a Parquet file, or a damaged one: a message, no traceback
        raise InputError([make_problem(str(path), None, None, Text(f"无法读取 Parquet 文件：{error}",
                                                                   f"cannot read the Parquet file: {error}"))]) from None
    cat = catalog()
    problems = []
    for name, kind in schema.items():
        target = cat.resolve(name.strip())
        spec = cat.fields.get(target) if target else None
        if spec is not None and spec.type in ("money", "number") and kind in (pl.Float32, pl.Float64):
            problems.append(make_problem(str(path), None, name, Text(
                f"列“{name}”是浮点数（{kind}），金额和数字须精确，不能用浮点数",
                f"column “{name}” holds floating-point numbers ({kind}); amounts and numbers must be exact"),
                Text("把这一列存为 DECIMAL（金额两位小数）或文本", "store it as DECIMAL (two places for yuan) or as text")))
        if isinstance(kind, (pl.Struct, pl.Array, pl.Binary, pl.Object)):
            problems.append(make_problem(str(path), None, name, Text(f"列“{name}”的类型 {kind} 无法读取",
                                                                     f"column “{name}” has a type that cannot be read: {kind}")))
    if problems:
        raise InputError(problems)
    names = list(schema)
    cells = [_as_text(name, kind).alias(f"c{i}") for i, (name, kind) in enumerate(schema.items())]

    def chunks() -> Iterator[RawChunk]:
        lazy = pl.scan_parquet(path)
        total = lazy.select(pl.len()).collect().item()
        for start in range(0, total, chunk_rows):
            part = lazy.slice(start, chunk_rows).collect()
            frame = part.select(pl.int_range(start + 1, start + 1 + part.height, dtype=pl.Int64).alias(ROW), *cells)
            yield RawChunk(frame, [], 0, start + 1 + part.height)

    return names, chunks()
