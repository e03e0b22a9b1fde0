"""Reading applicant lists: headers mapped to profile fields, CSV records split fast and exactly, and text
cells parsed column by column into typed columns — every bad cell becomes an error row, never a crash and
never a silently dropped row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import polars as pl

from ..catalog import FieldSpec, catalog
from .compile import dtype
from .engine import ROW

CHUNK_BYTES = 8 * 1024 * 1024
RUNAWAY_QUOTE_LINES = 50  # a quoted cell spanning more lines than this is an unclosed quote
BAD_ENCODING = "\x00\x01bad-encoding\x01\x00"
TRUE_WORDS = ["true", "True", "TRUE", "1", "是", "Y", "y", "yes", "Yes", "YES", "有", "√", "✓", "对"]
FALSE_WORDS = ["false", "False", "FALSE", "0", "否", "N", "n", "no", "No", "NO", "无", "×", "✗", "不是"]
LIST_SEPARATORS = r"[、，,；;|/]"
NONE_WORDS = ["无", "没有", "none", "None"]
ID_LIKE = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)|(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask anything that looks like a personal ID (18 digits) or a mobile number (11 digits)."""
    def repl(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)[:3] + "*" * 13 + m.group(2)[-2:]
        return m.group(3) + "****" + m.group(4)
    return ID_LIKE.sub(repl, text)


# ----------------------------------------------------------------------------------------- headers


@dataclass
class Header:
    names: list[str]
    fields: dict[int, str]  # column position -> profile field
    ignored: list[str]  # headers that are no profile field
    problems: list[str] = field(default_factory=list)


def map_headers(names: list[str]) -> Header:
    cat = catalog()
    fields, ignored, problems, seen = {}, [], [], {}
    for i, raw in enumerate(names):
        name = raw.strip().lstrip("\ufeff")
        target = cat.resolve(name)
        if target is None:
            ignored.append(name or f"(第{i + 1}列无表头)")
            continue
        if target in seen:
            problems.append(f"列“{name}”与“{seen[target]}”都对应字段 {target}")
            continue
        seen[target] = name
        fields[i] = target
    return Header([n.strip().lstrip("\ufeff") for n in names], fields, ignored, problems)


def column_guide(lang: str = "zh") -> list[tuple[str, str, str, str]]:
    """(field, Chinese header, other accepted headers, how to write values) for `batch --show-columns`."""
    cat = catalog()
    how = {
        "text": "文本", "bool": "是/否（也可 1/0、true/false）", "int": "非负整数", "money": "金额，单位元，最多两位小数",
        "number": "数字", "date": "日期 2023-07-01（也可 2023/7/1、20230701）",
    }
    rows = []
    for name, spec in cat.fields.items():
        if spec.vocabulary:
            values = "、".join(cat.vocabularies[spec.vocabulary].labels.values())
            text = ("可多选，用 、，; | 分隔，“无”表示都不是；可选: " if spec.type == "set_of" else "可选: ") + values
        else:
            text = how[spec.type]
        rows.append((name, spec.zh, "、".join(spec.aliases), text))
    return rows


# ----------------------------------------------------------------------------------------- encoding


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    cut = head.rfind(b"\n")
    sample = head if cut < 0 or len(head) < (1 << 20) else head[:cut]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


# ----------------------------------------------------------------------------------------- records


@dataclass
class RawChunk:
    """Records of one chunk as text columns, with the record numbers (the header is record 1)."""
    frame: pl.DataFrame  # ROW + one String column per input column position ("c0", "c1", ...)
    errors: list[tuple[int, str, str, str]]  # (row, column, value, reason)
    blank_lines: int = 0
    next_row: int = 0  # the record number after this chunk's last record


def _byte_chunks(handle, first: bytes = b"") -> Iterator[bytes]:
    """Blocks of whole lines that never end inside a quoted cell."""
    pending = first
    while True:
        block = handle.read(CHUNK_BYTES)
        data = pending + block
        if not block:
            if data:
                yield data
            return
        cut = data.rfind(b"\n")
        while cut >= 0 and data.count(b'"', 0, cut) % 2:
            cut = data.rfind(b"\n", 0, cut)
        if cut < 0 or len(data) - cut > 4 * CHUNK_BYTES:  # a giant quoted run: let the record logic judge it
            cut = data.rfind(b"\n")
        if cut < 0:
            pending = data
            continue
        yield data[: cut + 1]
        pending = data[cut + 1:]


def _decode_lines(block: bytes, encoding: str) -> list[str]:
    try:
        return block.decode(encoding).split("\n")
    except UnicodeDecodeError:
        lines = []
        for raw in block.split(b"\n"):
            try:
                lines.append(raw.decode(encoding))
            except UnicodeDecodeError:
                lines.append(BAD_ENCODING)
        return lines


def _records(lines: list[str]) -> list[str | None]:
    """Group lines into records (a quoted cell may span lines); None marks an unclosed quote's line."""
    if not any('"' in line for line in lines):
        return lines
    records: list[str | None] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.count('"') % 2 == 0:
            records.append(line)
            i += 1
            continue
        j, parity, parts = i, 0, []
        while j < len(lines) and j - i <= RUNAWAY_QUOTE_LINES:
            parts.append(lines[j])
            parity = (parity + lines[j].count('"')) % 2
            j += 1
            if parity == 0:
                break
        if parity == 0:
            records.append("\n".join(parts))
            i = j
        else:
            records.append(None)  # unclosed quote: reject this line, read on from the next
            i += 1
    return records


def split_records(lines: list[str], width: int, first_row: int) -> RawChunk:
    """Split records into `width` text columns. Wrong cell counts, bad bytes and NULs become errors."""
    if lines and lines[-1] == "":
        lines = lines[:-1]  # the block's final newline
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    records = _records(lines)
    numbers, texts, errors, blank = [], [], [], 0
    row = first_row
    for record in records:
        if record is not None and record.strip() == "":
            blank += 1
            row += 1
            continue
        if record is None:
            errors.append((row, "", "", "引号未闭合（该行的引号没有配对）"))
        elif record == BAD_ENCODING:
            errors.append((row, "", "", "该行的编码与文件其余部分不同，无法读取"))
        elif "\x00" in record:
            errors.append((row, "", "", "该行含有空字符（NUL），文件可能已损坏"))
        else:
            numbers.append(row)
            texts.append(record)
        row += 1
    quoted = [i for i, t in enumerate(texts) if '"' in t]
    series = pl.Series("r", texts, dtype=pl.String)
    cells = series.str.split(",")
    if quoted:  # the few records with quotes go through the csv module, which knows the quoting rules
        parsed = list(csv.reader(io.StringIO("\n".join(texts[i].replace("\n", "\r") for i in quoted))))
        fix = pl.Series("cells", [[c.replace("\r", "\n") for c in p] for p in parsed], dtype=pl.List(pl.String))
        index = pl.Series("i", range(len(texts)), dtype=pl.Int64)
        plain = pl.DataFrame({"i": index, "cells": cells}).filter(~pl.col("i").is_in(quoted))
        cells = pl.concat([plain, pl.DataFrame({"i": pl.Series(quoted, dtype=pl.Int64), "cells": fix})]).sort("i")["cells"]
    counts = cells.list.len()
    good = counts == width
    frame = pl.DataFrame({ROW: pl.Series(numbers, dtype=pl.Int64), "_cells": cells, "_n": counts})
    for r, n in frame.filter(~good).select(ROW, "_n").iter_rows():
        errors.append((r, "", "", f"该行有 {n} 个单元格，表头有 {width} 列" + ("（最后一行可能被截断）" if n < width else "")))
    frame = frame.filter(good)
    columns = {f"c{i}": frame["_cells"].list.get(i) for i in range(width)}
    return RawChunk(pl.DataFrame({ROW: frame[ROW], **columns}), errors, blank, row)


def iter_csv(path: Path, encoding: str) -> tuple[list[str], Iterator[RawChunk]]:
    """The header and a lazy stream of record chunks; memory stays bounded by the chunk size."""
    handle = open(path, "rb")
    first = handle.read(CHUNK_BYTES)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    end = first.find(b"\n")
    while end < 0 and len(first) < 64 * CHUNK_BYTES:
        more = handle.read(CHUNK_BYTES)
        if not more:
            break
        first += more
        end = first.find(b"\n")
    head_bytes, rest = (first, b"") if end < 0 else (first[:end], first[end + 1:])
    header_line = head_bytes.decode(encoding.replace("-sig", ""), errors="strict").rstrip("\r")
    names = next(csv.reader([header_line])) if header_line.strip() else []

    def chunks() -> Iterator[RawChunk]:
        row = 2
        try:
            for block in _byte_chunks(handle, rest):
                lines = _decode_lines(block, encoding.replace("-sig", ""))
                chunk = split_records(lines, len(names), row)
                row = chunk.next_row
                yield chunk
        finally:
            handle.close()

    return names, chunks()


def read_xlsx(path: Path, chunk_rows: int) -> tuple[list[str], Iterator[RawChunk]]:
    """An .xlsx sheet (the first), every cell as text. Excel files are at most ~1M rows, read whole."""
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


# ----------------------------------------------------------------------------------------- typed columns


def _money(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    clean = text.str.replace_all(r"[,，\s]", "").str.replace(r"^[¥￥]", "").str.replace(r"元$", "")
    ok = clean.str.contains(r"^\d{1,13}(\.\d{1,2})?$")
    whole = clean.str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    cents = clean.str.extract(r"\.(\d{1,2})$", 1).str.pad_end(2, "0").cast(pl.Int64, strict=False).fill_null(0)
    return pl.when(ok).then(whole * 100 + cents), ok


def _date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    clean = text.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "").str.replace_all(r"[年月./]", "-").str.replace(r"日$", "")
    compact = clean.str.contains(r"^\d{8}$")
    clean = pl.when(compact).then(clean.str.slice(0, 4) + "-" + clean.str.slice(4, 2) + "-" + clean.str.slice(6, 2)).otherwise(clean)
    parts = clean.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    padded = (parts.struct.field("1") + "-" + parts.struct.field("2").str.pad_start(2, "0") + "-"
              + parts.struct.field("3").str.pad_start(2, "0"))
    parsed = padded.str.to_date("%Y-%m-%d", strict=False)
    serial = text.str.contains(r"^\d{5}$")  # an Excel date serial number (1900 system)
    from_serial = pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=text.cast(pl.Int64, strict=False))
    value = pl.when(serial).then(from_serial).otherwise(parsed)
    ok = value.is_not_null() & (value >= pl.lit(dt.date(1900, 1, 1))) & (value <= pl.lit(dt.date(2100, 12, 31)))
    return pl.when(ok).then(value), ok


def _vocabulary_map(spec: FieldSpec) -> dict[str, str]:
    vocab = catalog().vocabularies[spec.vocabulary]
    return dict(vocab.lookup)


def typed_expr(spec: FieldSpec, text: pl.Expr) -> tuple[pl.Expr, pl.Expr, str]:
    """(typed value, cell is valid, reason when not) for one text column; an empty cell is unknown."""
    t = spec.type
    if t == "text":
        return text, pl.lit(True), ""
    if t == "bool":
        mapping = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}
        value = text.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
        return value, value.is_not_null(), "应为 是/否（或 1/0、true/false）"
    if t == "int":
        ok = text.str.contains(r"^\d{1,9}$")
        return pl.when(ok).then(text.cast(pl.Int64, strict=False)), ok, "应为非负整数（人数、数量）"
    if t == "money":
        value, ok = _money(text)
        return value, ok, "应为金额：以元为单位的数字，最多两位小数"
    if t == "number":
        ok = text.str.contains(r"^-?\d{1,12}(\.\d{1,6})?%?$")
        return pl.when(ok).then(text.str.replace("%", "").cast(pl.Float64, strict=False)), ok, "应为数字"
    if t == "date":
        value, ok = _date(text)
        return value, ok, "应为日期，如 2023-07-01（也可 2023/7/1、20230701），且在1900至2100年之间"
    mapping = _vocabulary_map(spec)
    allowed = "、".join(catalog().vocabularies[spec.vocabulary].labels.values())
    if t == "one_of":
        value = text.replace_strict(mapping, default=None, return_dtype=pl.String)
        return value, value.is_not_null(), f"不是可选值（可选：{allowed}）"
    # set_of: split on any list separator, map each item, and keep a canonical "|a|b|" form
    items = text.str.replace_all(LIST_SEPARATORS, "|").str.split("|").list.eval(
        pl.element().str.strip_chars().filter(pl.element().str.strip_chars() != ""))
    none = text.is_in(NONE_WORDS)
    codes = items.list.eval(pl.element().replace_strict(mapping, default=None, return_dtype=pl.String))
    ok = none | (codes.list.eval(pl.element().is_null()).list.any().not_() & (codes.list.len() > 0))
    canonical = pl.lit("|") + codes.list.unique().list.sort().list.join("|") + pl.lit("|")
    value = pl.when(none).then(pl.lit("|")).otherwise(canonical)
    return pl.when(ok).then(value), ok, f"含有不认识的取值（可选：{allowed}；都不是请写“无”）"


@dataclass
class Parsed:
    frame: pl.DataFrame  # valid rows: ROW + typed profile columns
    errors: pl.DataFrame  # row, column, value, reason
    rejected: int


ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}


def parse_chunk(raw: RawChunk, header: Header, cities: dict[str, str]) -> Parsed:
    """Text columns → typed columns. A row with any bad cell is rejected with one error row per bad cell."""
    cat = catalog()
    frame = raw.frame
    typed, checks = [pl.col(ROW)], []
    for position, name in header.fields.items():
        spec = cat.fields[name]
        text = pl.col(f"c{position}").str.strip_chars()
        text = pl.when(text == "").then(None).otherwise(text)
        if name == "city":
            value = text.replace_strict(cities, default=None, return_dtype=pl.String)
            ok, reason = value.is_not_null(), "没有该城市的规则库（可选：" + "、".join(sorted(set(cities.values()))) + "）"
        else:
            value, ok, reason = typed_expr(spec, text)
        typed.append(value.cast(dtype(spec)).alias(name))
        shown = text if not spec.personal else pl.lit("（已隐去）")
        checks.append((header.names[position], text.is_null() | ok, shown, reason))
    table = frame.select(typed + [pl.when(~c[1]).then(pl.struct(
        pl.col(ROW).alias("row"), pl.lit(c[0]).alias("column"), c[2].alias("value"), pl.lit(c[3]).alias("reason")))
        .alias(f"_e{i}") for i, c in enumerate(checks)])
    error_cols = [f"_e{i}" for i in range(len(checks))]
    bad_cells = (pl.concat([table.select(pl.col(c).alias("e")).drop_nulls().unnest("e") for c in error_cols])
                 if error_cols else pl.DataFrame(schema=ERROR_SCHEMA))
    bad_rows = table.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in error_cols])) if error_cols else table.clear()
    good = table.filter(~pl.col(ROW).is_in(bad_rows[ROW].implode())).drop(error_cols)
    structural = pl.DataFrame(raw.errors, schema=ERROR_SCHEMA, orient="row")
    errors = pl.concat([structural, bad_cells.cast(ERROR_SCHEMA)]).sort("row", maintain_order=True)
    errors = errors.with_columns(pl.col("value").map_elements(mask_text, return_dtype=pl.String))
    good = good.with_columns(pl.coalesce(pl.col("applicant_id") if "applicant_id" in good.columns else pl.lit(None),
                                         pl.format("row-{}", pl.col(ROW))).cast(pl.String).alias("applicant_id"))
    return Parsed(good, errors, bad_rows.height + len(raw.errors))
