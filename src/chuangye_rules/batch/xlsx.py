"""An Excel (.xlsx) list read as text columns, the same RawChunks as a CSV's (batch/records.py): its first sheet,
every cell as text, refused before reading when it is no zip or would unpack to more than the limit."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterator

import polars as pl

from ..base import limits
from ..base.messages import Text
from .columnar import ROW
from .records import RawChunk, _refuse


def check_xlsx(path: Path) -> None:
    """An .xlsx is a zip of XML: refuse one that is not, or that would unpack to more than the limit (a
    "zip bomb"), before anything reads it whole."""
    limit = limits.current().max_xlsx_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse(path, Text("不是有效的 Excel（.xlsx）文件", "not a valid Excel (.xlsx) file"),
                      Text("用 Excel 打开后另存为 .xlsx，或另存为 CSV", "open it in Excel and save it as .xlsx or CSV"),
                      line=None) from error
    if size > limit:
        raise _refuse(path, Text(f"Excel 文件解压后过大（{size / 1024 / 1024:,.0f} MB，上限 {limit / 1024 / 1024:g} MB）",
                                 f"the Excel file unpacks to too much ({size / 1024 / 1024:,.0f} MB, at most "
                                 f"{limit / 1024 / 1024:g} MB)"),
                      Text(f"另存为 CSV 再处理；确有需要时设置环境变量 {limits.env_name('max_xlsx_mb')}",
                           f"save it as CSV; to allow it set {limits.env_name('max_xlsx_mb')}"), line=None)


def read_xlsx(path: Path, chunk_rows: int) -> tuple[list[str], Iterator[RawChunk]]:
    """An .xlsx sheet (the first), every cell as text. Excel files are at most ~1M rows, read whole."""
    check_xlsx(path)
    frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0, raise_if_empty=False)
    names = list(frame.columns)
    frame = frame.rename({n: f"c{i}" for i, n in enumerate(names)})
    frame = frame.select(pl.all().cast(pl.String))
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    blank = pl.all_horizontal([pl.col(f"c{i}").is_null() | (pl.col(f"c{i}").str.strip_chars() == "")
                               for i in range(len(names))]) if names else pl.lit(True)

    def chunks() -> Iterator[RawChunk]:
        for start in range(0, max(frame.height, 1), chunk_rows):
            part = frame.slice(start, chunk_rows)
            empty = part.filter(blank).height if names else 0
            yield RawChunk(part.filter(~blank) if names else part, [], empty)

    return names, chunks()


