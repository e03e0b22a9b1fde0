"""A list's bytes as records of raw text cells: the encoding detected (UTF-8 or GB18030), CSV blocks split
fast and exactly at record ends (quoted line breaks, runaway quotes, over-long lines), XLSX sheets read in
blocks — a bad record becomes an error row, never a crash and never a silently dropped row."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import polars as pl

from ..base import limits
from ..base.messages import Text
from ..base.problems import InputError, make_problem
from .columnar import ROW

RUNAWAY_QUOTE_LINES = 50  # a quoted cell spanning more lines than this is an unclosed quote
BAD_ENCODING = "\x00\x01bad-encoding\x01\x00"
# ----------------------------------------------------------------------------------------- encoding


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # refused by iter_csv with a message saying how to save the list instead
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
    errors: list[tuple[int, str, str, Text]]  # (row, column, value, reason in Chinese and English)
    blank_lines: int = 0
    next_row: int = 0  # the record number after this chunk's last record


TOO_LONG = b"<a line longer than the row limit, skipped>"  # stands for such a line in the block stream


def _cut(data: bytes, chunk: int) -> int:
    """Where to end a block: after the last newline outside a quoted cell. The quote parity is counted once
    and updated line by line going back, so a stray quote costs one pass over the block, not one per line."""
    cut = data.rfind(b"\n")
    if cut < 0:
        return cut
    if b'"' not in data:  # (a search stops at the first quote: far cheaper than a count)
        return cut
    end, odd = cut, data.count(b'"', 0, cut) % 2
    while end >= 0 and odd:
        previous = data.rfind(b"\n", 0, end)
        odd ^= data.count(b'"', previous + 1, end) % 2
        end = previous
    if end < 0 or len(data) - end > 4 * chunk:  # a giant quoted run: let the record logic judge it
        return cut
    return end


def _skip_line(handle, chunk: int, cr_only: bool) -> bytes:
    """Read past the rest of an overlong line without keeping it (into one reused buffer); the bytes after
    its newline."""
    buffer = bytearray(chunk)
    newline = b"\r" if cr_only else b"\n"
    while True:
        size = handle.readinto(buffer)
        if not size:
            return b""
        end = buffer.find(newline, 0, size)
        if end >= 0:
            rest = bytes(buffer[end + 1:size])
            return rest.replace(b"\r", b"\n") if cr_only else rest


def _byte_chunks(handle, first: bytes = b"", chunk: int | None = None, max_row: int | None = None,
                 cr_only: bool = False) -> Iterator[bytes]:
    """Blocks of whole lines that never end inside a quoted cell. A line longer than `max_row` bytes is
    yielded as TOO_LONG and skipped: memory is bounded by the chunk and the row limit, never by the file."""
    lim = limits.current()
    chunk = chunk or lim.chunk_bytes
    max_row = max_row or lim.max_row_bytes
    pending = first
    # read into one reused buffer: reading into fresh memory, then joining and cutting it, touched three new
    # blocks' worth of pages (a page fault each) for every block read
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    while True:
        # what is pending counts toward the block (the header's read left up to a whole block pending)
        size = handle.readinto(view[:max(chunk - len(pending), chunk // 2)])
        if size and not cr_only and b'"' not in pending and buffer.find(b'"', 0, size) < 0:
            end = buffer.rfind(b"\n", 0, size)
            if end >= 0:  # the common case: no quote, so the block ends after the last newline read
                yield pending + view[:end + 1]
                pending = bytes(view[end + 1:size])
                continue
        block = bytes(view[:size])
        if cr_only:
            block = block.replace(b"\r", b"\n")
        data = pending + block
        if not block:
            if data:
                yield TOO_LONG if len(data) > max_row and b"\n" not in data else data
            return
        cut = _cut(data, chunk)
        if cut < 0:
            if len(data) > max_row:
                yield TOO_LONG
                pending = _skip_line(handle, chunk, cr_only)
            else:
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
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
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


def _too_long(max_row: int) -> Text:
    return Text(f"该行过长（超过 {max_row / 1024:g} KB），没有读取"
                f"（确有这样长的行时，设置环境变量 {limits.env_name('max_row_kb')}）",
                f"the line is too long (over {max_row / 1024:g} KB) and was not read (where lines really are this "
                f"long, set the environment variable {limits.env_name('max_row_kb')})")


# what is wrong with a line, as split_records finds it (the polars column holds the key)
_LINE_PROBLEMS = {
    "quote": Text("引号未闭合（该行的引号没有配对）", "an unclosed quote (the line's quotes do not pair up)"),
    "encoding": Text("该行的编码与文件其余部分不同，无法读取",
                     "the line is in another encoding than the rest of the file and cannot be read"),
    "nul": Text("该行含有空字符（NUL），文件可能已损坏", "the line holds a NUL character: the file may be damaged"),
}


def empty_chunk(width: int, errors: list, first_row: int, rows: int) -> RawChunk:
    """A chunk with no readable record, only errors (an overlong line)."""
    frame = pl.DataFrame(schema={ROW: pl.Int64, **{f"c{i}": pl.String for i in range(width)}})
    return RawChunk(frame, errors, 0, first_row + rows)


def split_records(lines: list[str], width: int, first_row: int, max_row: int | None = None) -> RawChunk:
    """Split records into `width` text columns. Wrong cell counts, bad bytes, NULs and lines over the row
    limit become errors."""
    max_row = max_row or limits.current().max_row_bytes
    if lines and lines[-1] == "":
        lines = lines[:-1]  # the block's final newline
    records = _records(lines)
    frame = pl.DataFrame({"_t": pl.Series(records, dtype=pl.String)}).with_row_index(ROW, offset=first_row).with_columns(
        pl.col(ROW).cast(pl.Int64), pl.col("_t").str.strip_suffix("\r"))
    text = pl.col("_t")
    problem = (pl.when(text.is_null()).then(pl.lit("quote"))
               .when(text.str.len_bytes() > max_row).then(pl.lit("long"))
               .when(text == BAD_ENCODING).then(pl.lit("encoding"))
               .when(text.str.contains("\x00", literal=True)).then(pl.lit("nul")))
    frame = frame.with_columns(problem.alias("_p"), (text.str.strip_chars() == "").fill_null(False).alias("_blank"))
    blank = int(frame["_blank"].sum())
    problems = {**_LINE_PROBLEMS, "long": _too_long(max_row)}
    errors = [(r, "", "", problems[p]) for r, p in frame.filter(pl.col("_p").is_not_null()).select(ROW, "_p").iter_rows()]
    frame = frame.filter(pl.col("_p").is_null() & ~pl.col("_blank")).select(ROW, "_t")
    row = first_row + len(records)
    # cells = commas outside quoted sections + 1 (a quoted section may hold commas, "" and newlines)
    quoted = pl.col("_q")
    frame = (frame.with_columns(text.str.contains('"', literal=True).alias("_q"))
             .with_columns((pl.when(quoted).then(text.str.replace_all(r'"(?:[^"]|"")*"', "Q")).otherwise(text)
                            .str.count_matches(",", literal=True) + 1).alias("_n")))
    lines_spanned = (text.str.count_matches("\n", literal=True) + 1).alias("_l")
    wrong = frame.filter(pl.col("_n") != width).select(ROW, "_n", lines_spanned)
    for r, n, spanned in wrong.iter_rows():
        if spanned > 1:  # a quote opened on one line and closed on a later one joined them into one record
            errors.append((r, "", "", Text(
                f"引号没有配对：从这一行起的 {spanned} 行被引号连成了一条记录（跨越了 {spanned} 行），"
                f"有 {n} 个单元格，表头有 {width} 列；请检查这几行的引号",
                f"unpaired quotes: from this line on, {spanned} lines were joined into one record by a quote, with "
                f"{n} cells where the header has {width} columns; check the quotes of these lines")))
        else:
            errors.append((r, "", "", Text(
                f"该行有 {n} 个单元格，表头有 {width} 列" + ("（最后一行可能被截断）" if n < width else ""),
                f"the line has {n} cells where the header has {width} columns"
                + (" (the last line may have been cut off)" if n < width else ""))))
    frame = frame.filter(pl.col("_n") == width)
    names = [f"c{i}" for i in range(width)]
    plain = frame.filter(~pl.col("_q"))
    cells = plain["_t"].str.split(",")
    parts = [pl.DataFrame({ROW: plain[ROW], **{n: cells.list.get(i) for i, n in enumerate(names)}})]
    tricky = frame.filter(pl.col("_q"))
    if tricky.height:  # records with quotes: let the CSV parser apply the quoting rules
        text = "\n".join(tricky["_t"].to_list()).encode("utf-8")
        table = pl.read_csv(io.BytesIO(text), has_header=False, infer_schema=False, new_columns=names)
        parts.append(table.insert_column(0, tricky[ROW]).select(ROW, *names))
    frame = pl.concat(parts).sort(ROW) if len(parts) > 1 else parts[0]
    return RawChunk(frame, errors, blank, row)


def _every_cell_present(table: pl.DataFrame, data: bytes, newlines: int, width: int, max_row: int) -> bool:
    """Whether every line of a block polars parsed (unquoted, one row per line) had exactly `width` cells, and
    none is over the row limit. polars refuses a line with too many cells but pads a short one with nulls, so
    the proof is an account of the block's bytes: each is in a cell, a comma, a newline or a carriage return
    (which polars drops before a newline). With every CR counted as dropped — the count can only be too high,
    which fails the account — the bytes add up only if the commas number exactly width - 1 on every row."""
    size = len(data)
    returns = data.count(b"\r") if b"\r" in data else 0
    lengths = table.select(pl.sum_horizontal(pl.all().str.len_bytes()).alias("n"))["n"]
    if lengths.sum() + table.height * (width - 1) + newlines + returns != size:
        return False
    return size <= max_row or lengths.max() + width - 1 <= max_row


def split_block(block: bytes, encoding: str, width: int, first_row: int, max_row: int | None = None) -> RawChunk:
    """A block of whole lines as text columns. The common case — valid text, no quotes, no blank, short or
    overlong lines — is parsed by polars directly; anything else takes the careful path (split_records)."""
    max_row = max_row or limits.current().max_row_bytes
    names = [f"c{i}" for i in range(width)]
    try:
        data = block if encoding in ("utf-8", "utf8") else block.decode(encoding).encode("utf-8")
        newlines = data.count(b"\n")
        lines = newlines + (0 if data.endswith(b"\n") else 1)
        if width > 1 and b'"' not in data and b"\x00" not in data:
            table = pl.read_csv(io.BytesIO(data), has_header=False, infer_schema=False, new_columns=names,
                                quote_char=None)
            if table.height == lines and _every_cell_present(table, data, newlines, width, max_row):
                table = table.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
                return RawChunk(table, [], 0, first_row + table.height)
    except (UnicodeDecodeError, pl.exceptions.PolarsError):
        pass
    return split_records(_decode_lines(block, encoding), width, first_row, max_row)


def _refuse(path: Path, message: Text, hint: Text | None = None, line: int | None = 1) -> InputError:
    return InputError([make_problem(str(path), line, None, message, hint, code="unreadable")])


def _decoding(path: Path, encoding: str) -> str:
    """The codec's name for an encoding a list may be in; one that cannot be read line by line is refused."""
    try:
        codec = codecs.lookup(encoding.replace("-sig", ""))
    except LookupError:
        raise _refuse(path, Text(f"不认识的编码 {encoding}", f"unknown encoding {encoding}"),
                      Text("常用的有 utf-8、gb18030", "common ones are utf-8 and gb18030")) from None
    if codec.encode('\n,"')[0] != b'\n,"':  # UTF-16/32: lines cannot be found byte by byte
        raise _refuse(path, Text(f"名单是 {codec.name.upper()} 编码，无法按行读取",
                                 f"the list is in {codec.name.upper()}, which cannot be read line by line"),
                      Text("在 Excel 中“另存为”选“CSV UTF-8（逗号分隔）”，或直接用 .xlsx",
                           "in Excel, 'Save As' CSV UTF-8 (comma delimited), or use the .xlsx"))
    return codec.name


def _header(path: Path, handle, encoding: str, decoding: str, chunk: int, max_row: int) -> tuple[list[str], bytes, bool]:
    """(the header's column names, the bytes read after it, whether lines end with CR alone)."""
    first = handle.read(chunk)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    # lines ended by CR alone (Excel for Mac's "CSV (Macintosh)"): read as if they were LF
    cr_only = b"\n" not in first and b"\r" in first
    if cr_only:
        first = first.replace(b"\r", b"\n")
    end = first.find(b"\n")
    while end < 0 and len(first) <= max_row:
        more = handle.read(chunk)
        if not more:
            break
        first += more.replace(b"\r", b"\n") if cr_only else more
        end = first.find(b"\n")
    if (end if end >= 0 else len(first)) > max_row:
        raise _refuse(path, Text(f"表头过长（超过 {max_row / 1024:g} KB），或文件中没有换行",
                                 f"the header is too long (over {max_row / 1024:g} KB), or the file has no line breaks"),
                      Text(f"检查是否选错了文件；确有这样长的表头时，设置环境变量 {limits.env_name('max_row_kb')}",
                           f"check that this is the list; to allow it set {limits.env_name('max_row_kb')}"))
    head_bytes, rest = (first, b"") if end < 0 else (first[:end], first[end + 1:])
    try:
        header_line = head_bytes.decode(decoding, errors="strict").rstrip("\r")
    except UnicodeDecodeError as error:
        raise _refuse(path, Text(f"表头无法按 {encoding} 解码（第 {error.start + 1} 个字节）",
                                 f"the header cannot be decoded as {encoding} (byte {error.start + 1})"),
                      Text("用 --encoding 指定编码，如 gb18030 或 utf-8", "give the encoding with --encoding, "
                                                                     "e.g. gb18030 or utf-8")) from None
    try:
        names = next(csv.reader([header_line])) if header_line.strip() else []
    except csv.Error as error:
        raise _refuse(path, Text(f"表头无法解析：{error}", f"the header cannot be read: {error}"),
                      Text("表头应为一行以逗号分隔的列名", "the header is one line of column names separated by commas")) from None
    return names, rest, cr_only


def iter_csv(path: Path, encoding: str) -> tuple[list[str], Iterator[RawChunk]]:
    """The header and a lazy stream of record chunks; memory stays bounded by the chunk size and the row limit."""
    lim = limits.current()
    chunk, max_row = lim.chunk_bytes, lim.max_row_bytes
    decoding = _decoding(path, encoding)
    handle = open(path, "rb")
    try:
        names, rest, cr_only = _header(path, handle, encoding, decoding, chunk, max_row)
    except BaseException:
        handle.close()
        raise
    if len(names) > lim.max_columns:
        handle.close()
        raise _refuse(path, Text(f"表头有 {len(names)} 列，超过上限 {lim.max_columns} 列",
                                 f"the header has {len(names)} columns, more than {lim.max_columns}"),
                      Text(f"检查是否选错了文件；确有这么多列时，设置环境变量 {limits.env_name('max_columns')}",
                           f"check that this is the list; to allow it set {limits.env_name('max_columns')}"))

    def chunks() -> Iterator[RawChunk]:
        row = 2
        try:
            for block in _byte_chunks(handle, rest, chunk, max_row, cr_only):
                if block is TOO_LONG:
                    piece = empty_chunk(len(names), [(row, "", "", _too_long(max_row))], row, 1)
                else:
                    piece = split_block(block, decoding, len(names), row, max_row)
                row = piece.next_row
                yield piece
        finally:
            handle.close()

    return names, chunks()
