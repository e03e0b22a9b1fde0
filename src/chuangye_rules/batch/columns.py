"""Reading applicant lists: headers mapped to profile fields, CSV records split fast and exactly, and text
cells parsed column by column into typed columns — every bad cell becomes an error row, never a crash and
never a silently dropped row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import polars as pl

from ..base import limits
from ..base.messages import Text
from ..base.privacy import SUSPECT, mask_text
from ..base.problems import InputError, make_problem
from ..render.i18n import field_writing
from ..rules.catalog import DATE_FORMATS, YES_NO, FieldSpec, catalog
from ..rules.history import HISTORY, cell_codes, parse_received
from ..rules.profile import LIST_SEPARATORS, MAX_DATE, MIN_DATE
from .columnar import COMPARED, NUMBER_SCALE, ROW, dtype, set_cell

RUNAWAY_QUOTE_LINES = 50  # a quoted cell spanning more lines than this is an unclosed quote
BAD_ENCODING = "\x00\x01bad-encoding\x01\x00"
NONE_WORDS = ["无", "没有", "none", "None"]


def mask_column(series: pl.Series) -> pl.Series:
    """mask_text over a text column, in Python only for the few cells with a run of digits in them."""
    suspect = series.str.contains(SUSPECT).fill_null(False)
    if not suspect.any():
        return series
    where = suspect.arg_true()
    masked = pl.Series([mask_text(v) for v in series.gather(where).to_list()], dtype=pl.String)
    return series.scatter(where, masked)


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
        if target is None:  # reported in summaries and on screen: a header that is an ID number is masked
            ignored.append(mask_text(name) or f"(第{i + 1}列无表头)")
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
    rows = []
    for name, spec in cat.fields.items():
        if spec.vocabulary:
            values = "、".join(cat.vocabularies[spec.vocabulary].labels.values())
            text = ("可多选，用 、，; | 或换行分隔，“无”表示都不是；可选: " if spec.type == "set_of" else "可选: ") + values
        else:
            text = field_writing(name, spec.type, "zh")
        rows.append((name, spec.zh, "、".join(spec.aliases), text))
    return rows


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
    errors: list[tuple[int, str, str, str]]  # (row, column, value, reason)
    blank_lines: int = 0
    next_row: int = 0  # the record number after this chunk's last record


TOO_LONG = b"<a line longer than the row limit, skipped>"  # stands for such a line in the block stream


def _cut(data: bytes, chunk: int) -> int:
    """Where to end a block: after the last newline outside a quoted cell. The quote parity is counted once
    and updated line by line going back, so a stray quote costs one pass over the block, not one per line."""
    cut = data.rfind(b"\n")
    if cut < 0:
        return cut
    if b'"' not in data:  # (a search stops at the first quote, and runs ten times faster than a count)
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


def _too_long(max_row: int) -> str:
    return (f"该行过长（超过 {max_row / 1024:g} KB），没有读取"
            f"（确有这样长的行时，设置环境变量 {limits.env_name('max_row_kb')}）")


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
    problem = (pl.when(text.is_null()).then(pl.lit("引号未闭合（该行的引号没有配对）"))
               .when(text.str.len_bytes() > max_row).then(pl.lit(_too_long(max_row)))
               .when(text == BAD_ENCODING).then(pl.lit("该行的编码与文件其余部分不同，无法读取"))
               .when(text.str.contains("\x00", literal=True)).then(pl.lit("该行含有空字符（NUL），文件可能已损坏")))
    frame = frame.with_columns(problem.alias("_p"), (text.str.strip_chars() == "").fill_null(False).alias("_blank"))
    blank = int(frame["_blank"].sum())
    errors = [(r, "", "", p) for r, p in frame.filter(pl.col("_p").is_not_null()).select(ROW, "_p").iter_rows()]
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
            errors.append((r, "", "", f"引号没有配对：从这一行起的 {spanned} 行被引号连成了一条记录（跨越了 {spanned} 行），"
                                      f"有 {n} 个单元格，表头有 {width} 列；请检查这几行的引号"))
        else:
            errors.append((r, "", "", f"该行有 {n} 个单元格，表头有 {width} 列" + ("（最后一行可能被截断）" if n < width else "")))
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


def iter_csv(path: Path, encoding: str) -> tuple[list[str], Iterator[RawChunk]]:
    """The header and a lazy stream of record chunks; memory stays bounded by the chunk size and the row limit."""
    lim = limits.current()
    chunk, max_row = lim.chunk_bytes, lim.max_row_bytes
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
    decoding = codec.name
    handle = open(path, "rb")
    try:
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


# ----------------------------------------------------------------------------------------- typed columns


def _money(text: pl.Expr) -> pl.Expr:
    # the pattern admits at most two decimals, so the cast (which would cut a third) is exact
    ok = text.str.contains(r"^\d{1,13}(\.\d{1,2})?$")
    return pl.when(ok).then((text.cast(pl.Decimal(15, 2), strict=False) * 100).cast(pl.Int64))


FIRST_DATE, LAST_DATE = MIN_DATE, MAX_DATE


def _date(text: pl.Expr) -> pl.Expr:
    # a handful of exact formats tried in turn is far cheaper than normalising every cell with regexes
    serial = text.str.contains(r"^\d{5}$")  # an Excel date serial number (1900 system)
    from_serial = pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=text.cast(pl.Int64, strict=False))
    return pl.coalesce([text.str.to_date(f, strict=False) for f in DATE_FORMATS] + [pl.when(serial).then(from_serial)])


def _vocabulary_map(spec: FieldSpec) -> dict[str, str]:
    vocab = catalog().vocabularies[spec.vocabulary]
    return dict(vocab.lookup)


def prepare(spec: FieldSpec, text: pl.Expr) -> pl.Expr:
    """Normalise a stripped, non-empty text cell before conversion (computed once, then reused)."""
    if spec.type == "money":
        return text.str.replace_all(r"[,，\s]", "").str.replace(r"^[¥￥]", "").str.replace(r"元$", "")
    if spec.type == "date":
        return (text.str.replace("年", "-", literal=True).str.replace("月", "-", literal=True)
                .str.replace("日", "", literal=True))
    return text


def convert(spec: FieldSpec, text: pl.Expr) -> tuple[pl.Expr, str]:
    """(typed value, reason when invalid) from a prepared text column. A non-empty cell whose value comes
    out null is invalid; an empty cell is an unknown fact."""
    t = spec.type
    if t == "text":
        return text, ""
    if t == "bool":
        mapping = YES_NO
        return text.replace_strict(mapping, default=None, return_dtype=pl.Boolean), "应为 是/否（或 1/0、true/false）"
    if t == "int":
        return pl.when(text.str.contains(r"^\d{1,9}$")).then(text.cast(pl.Int64, strict=False)), "应为非负整数（人数、数量）"
    if t == "money":
        return _money(text), "应为金额：以元为单位的数字，最多两位小数"
    if t == "number":
        # held exactly as an integer × 10^6 (compile.NUMBER_SCALE): the pattern admits at most 6 decimals, so the
        # decimal cast cuts nothing, and 12 whole digits × 10^6 fit in 64 bits
        ok = text.str.contains(r"^-?\d{1,12}(\.\d{1,6})?%?$")
        number = text.str.replace("%", "", literal=True).cast(pl.Decimal(18, 6), strict=False) * NUMBER_SCALE
        return pl.when(ok).then(number.cast(pl.Int64)), "应为数字"
    if t == "date":
        return _date(text), f"应为日期，如 2023-07-01（也可 2023/7/1、20230701），且在{FIRST_DATE.year}至{LAST_DATE.year}年之间"
    mapping = _vocabulary_map(spec)
    allowed = "、".join(catalog().vocabularies[spec.vocabulary].labels.values())
    if t == "one_of":
        return text.replace_strict(mapping, default=None, return_dtype=pl.String), f"不是可选值（可选：{allowed}）"
    raise ValueError("set_of columns are converted by their distinct values: see set_values")


def set_codes(text: str, lookup: dict[str, str]) -> list[str] | None:
    """"高校毕业生、退役军人" → ["college_graduate", "veteran"]; "无" → []; None if any item is unknown."""
    if text in NONE_WORDS:
        return []
    items = [item.strip() for item in LIST_SEPARATORS.split(text) if item.strip()]
    codes = [lookup.get(item) for item in items]
    if not codes or None in codes:
        return None
    return codes


def set_values(spec: FieldSpec, column: pl.Series) -> tuple[pl.Expr, str]:
    """A list column has few distinct values (combinations of identities): parse each distinct value once,
    into the column's representation of a set (compile.set_cell)."""
    lookup = _vocabulary_map(spec)
    mapping = {}
    for text in column.drop_nulls().unique().to_list():
        codes = set_codes(text, lookup)
        mapping[text] = None if codes is None else set_cell(spec, codes)
    allowed = "、".join(catalog().vocabularies[spec.vocabulary].labels.values())
    value = pl.col(column.name).replace_strict(mapping, default=None, return_dtype=dtype(spec))
    return value, f"含有不认识的取值（可选：{allowed}；都不是请写“无”）"


@dataclass
class Parsed:
    frame: pl.DataFrame  # valid rows: ROW + typed profile columns
    errors: pl.DataFrame  # row, column, value, reason
    rejected: int
    ids: pl.DataFrame | None = None  # ROW + applicant_id, for the valid rows whose id the list gives (not row-N)


ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}
SHOWN_VALUE = 200  # characters of a bad cell quoted in errors.csv


def _shown_values(values: pl.Series) -> pl.Series:
    """A bad cell as errors.csv quotes it: personal numbers masked, then cut to a readable length."""
    values = mask_column(values)
    long = values.str.len_chars() > SHOWN_VALUE
    return pl.select(pl.when(long).then(values.str.slice(0, SHOWN_VALUE) + "…").otherwise(values)).to_series()


def clean(spec: FieldSpec, cell: pl.Expr) -> pl.Expr:
    """A raw cell stripped, empty as null, then prepared for conversion."""
    text = cell.str.strip_chars()
    return prepare(spec, pl.when(text == "").then(None).otherwise(text))


def history_values(column: pl.Series, benefits: dict[str, list[str]]) -> tuple[pl.Expr, str]:
    """The history column (已享受待遇) as history.cell_codes writes it, each distinct cell parsed once."""
    mapping = {}
    for text in column.drop_nulls().unique().to_list():
        try:
            mapping[text] = cell_codes(parse_received(text), benefits)
        except ValueError:
            mapping[text] = None
    value = pl.col(column.name).replace_strict(mapping, default=None, return_dtype=pl.String)
    return value, ("应为已享受的待遇标识或名称，用、分隔，已发放金额写在=之后，如 "
                   "one_time_startup_subsidy、startup_talent_referral_reward=20000（都没有请留空或写“无”）")


def _typed(name: str, spec: FieldSpec, text: pl.Series, cities: dict[str, str],
           benefits: dict[str, list[str]] | None = None) -> tuple[pl.Expr, str]:
    """(typed value from the cleaned column `text`, the reason a non-empty cell that types to null is bad)."""
    t = pl.col(text.name)
    if name == HISTORY:
        value, reason = history_values(text, benefits or {})
    elif name == "city":
        value = t.replace_strict(cities, default=None, return_dtype=pl.String)
        reason = "没有该城市的规则库（可选：" + "、".join(sorted(set(cities.values()))) + "）"
    elif spec.type == "set_of":
        value, reason = set_values(spec, text)
    else:
        value, reason = convert(spec, t)
    value = value.cast(dtype(spec))
    if spec.type == "date":
        value = pl.when(value.is_between(pl.lit(FIRST_DATE), pl.lit(LAST_DATE))).then(value)
    return value, reason


# types whose columns hold few distinct values however long the list (dates, yes/no, choices, small counts)
FEW_VALUES = ("date", "bool", "one_of", "set_of", "int")
KNOWN_LIMIT = 50_000  # distinct cells a column's KnownValues may hold; past it the column is typed cell by cell


class KnownValues:
    """The distinct raw cells of one column seen so far, each cleaned and typed once: raw → (value, bad). Kept
    from block to block, so a list's few thousand dates or identity combinations are converted once per run,
    and each block costs one lookup per cell."""

    def __init__(self, name: str, spec: FieldSpec, cities: dict[str, str],
                 benefits: dict[str, list[str]] | None = None) -> None:
        self.name, self.spec, self.cities, self.benefits = name, spec, cities, benefits
        self.raw = pl.Series("raw", [], dtype=pl.String)
        self.value = pl.Series("v", [], dtype=dtype(spec))
        self.bad = pl.Series("bad", [], dtype=pl.Boolean)
        self.reason = ""
        self.full = False  # too many distinct cells: type this column cell by cell from now on
        self._cells = pl.Enum([])
        self._bad_rows = pl.Series([], dtype=pl.UInt32).implode()

    def index(self, cell: pl.Expr) -> pl.Expr:
        """Each cell's row in the table; null for an empty cell or one not yet seen. (A cast to an Enum of the
        cells seen is the same lookup as replace_strict, a third cheaper; for a yes/no column's two or three
        cells, comparing with each is cheaper still than hashing.)"""
        if 0 < self.raw.len() <= COMPARED:
            found = pl.lit(None, dtype=pl.UInt32)
            for row, text in reversed(list(enumerate(self.raw.to_list()))):
                found = pl.when(cell == text).then(pl.lit(row, dtype=pl.UInt32)).otherwise(found)
            return found
        return cell.cast(self._cells, strict=False).to_physical()

    def bad_cells(self, index: pl.Series) -> pl.Expr | None:
        """Which cells are bad (from their rows in the table); None when no cell seen so far is."""
        return pl.lit(index).is_in(self._bad_rows).fill_null(False) if self._bad_rows.len() else None

    def learn(self, column: pl.Series, index: pl.Series) -> bool:
        """Type the cells of `column` not yet known; False if that would pass KNOWN_LIMIT."""
        new = column.filter(index.is_null()).drop_nulls().unique()
        if self.raw.len() + new.len() > KNOWN_LIMIT:
            self.full = True
            return False
        table = pl.DataFrame({"raw": new}).with_columns(clean(self.spec, pl.col("raw")).alias("t"))
        value, self.reason = _typed(self.name, self.spec, table["t"], self.cities, self.benefits)
        table = table.with_columns(value.alias("v")).with_columns((pl.col("t").is_not_null() & pl.col("v").is_null()).alias("bad"))
        self.raw = pl.concat([self.raw, table["raw"]], rechunk=True)
        self.value = pl.concat([self.value, table["v"].cast(dtype(self.spec))], rechunk=True)
        self.bad = pl.concat([self.bad, table["bad"]], rechunk=True)
        self._cells = pl.Enum(self.raw)
        self._bad_rows = self.bad.arg_true().cast(pl.UInt32).implode()
        return True


def parse_chunk(raw: RawChunk, header: Header, cities: dict[str, str],
                known: dict[str, KnownValues] | None = None, benefits: dict[str, list[str]] | None = None) -> Parsed:
    """Text columns → typed columns. A column of few distinct values (dates, yes/no, choices) is typed once
    per distinct value through `known` (pass the same dict for every block of a list); the others cell by
    cell. A row with any bad cell is rejected, with one error row per bad cell."""
    cat = catalog()
    fields = [(position, name, cat.fields[name]) for position, name in header.fields.items()]
    frame = raw.frame
    known = {} if known is None else known
    for position, name, spec in fields:
        if (spec.type in FEW_VALUES or name in ("city", HISTORY)) and name not in known:
            known[name] = KnownValues(name, spec, cities, benefits)
    looked_up = [(position, name, spec) for position, name, spec in fields if name in known and not known[name].full]
    index = frame.select(known[name].index(pl.col(f"c{position}")).alias(name) for position, name, _ in looked_up)
    values, bad, reasons, cellwise = [], {}, {}, []
    for position, name, spec in fields:
        if name not in index.columns:
            cellwise.append((position, name, spec))
            continue
        table, column, where = known[name], frame[f"c{position}"], index[name]
        if where.null_count() > column.null_count():  # cells not seen before
            if not table.learn(column, where):
                cellwise.append((position, name, spec))
                continue
            where = frame.select(table.index(pl.col(f"c{position}"))).to_series()
        reasons[name] = table.reason
        values.append(pl.lit(table.value).gather(pl.lit(where)).alias(name))
        if (flagged := table.bad_cells(where)) is not None:
            bad[name] = flagged

    def cleaned(position: int, spec: FieldSpec, plain: bool) -> pl.Expr:
        cell = pl.col(f"c{position}")
        return pl.when(cell == "").then(None).otherwise(cell) if plain else clean(spec, cell)

    # money is read as plain numbers first (nothing to strip or remove: most lists), and a column again with
    # separators, ¥ and 元 removed only if some cell did not read so
    staged = frame.with_columns(cleaned(position, spec, spec.type == "money").alias(f"t:{name}")
                                for position, name, spec in cellwise)
    typed = {name: _typed(name, spec, staged[f"t:{name}"], cities, benefits) for _, name, spec in cellwise}
    staged = staged.with_columns(value.alias(name) for name, (value, _) in typed.items())
    again = [(position, name, spec) for position, name, spec in cellwise if spec.type == "money"
             and (staged[f"t:{name}"].is_not_null() & staged[name].is_null()).any()]
    if again:
        staged = staged.with_columns(cleaned(position, spec, False).alias(f"t:{name}") for position, name, spec in again)
        typed.update({name: _typed(name, spec, staged[f"t:{name}"], cities, benefits) for _, name, spec in again})
        staged = staged.with_columns(typed[name][0].alias(name) for _, name, _ in again)
    for name, (_, reasons[name]) in typed.items():
        bad[name] = pl.col(f"t:{name}").is_not_null() & pl.col(name).is_null()
    staged = staged.with_columns(values)
    flags = {name: f"bad:{name}" for name in bad}
    staged = staged.with_columns([b.alias(flags[n]) for n, b in bad.items()])
    any_bad = pl.any_horizontal([pl.col(f) for f in flags.values()]) if flags else pl.lit(False)
    staged = staged.with_columns(any_bad.alias("_bad"))
    rejected = staged.filter(pl.col("_bad"))
    cells = []
    for position, name, spec in fields if rejected.height else []:
        if name not in flags:  # no cell of this column is bad
            continue
        shown = pl.lit("（已隐去）") if spec.personal else clean(spec, pl.col(f"c{position}"))
        cells.append(rejected.filter(pl.col(flags[name])).select(
            pl.col(ROW).alias("row"), pl.lit(header.names[position]).alias("column"), shown.cast(pl.String).alias("value"),
            pl.lit(reasons[name]).alias("reason")))
    structural = pl.DataFrame(raw.errors, schema=ERROR_SCHEMA, orient="row")
    errors = pl.concat([structural, *cells], how="vertical_relaxed").sort("row", maintain_order=True)
    errors = errors.with_columns(_shown_values(errors["value"]).alias("value"))
    good = staged.filter(~pl.col("_bad")).select(ROW, *[name for _, name, _ in fields])
    ids = good.select(ROW, "applicant_id").drop_nulls() if "applicant_id" in good.columns else None
    good = good.with_columns(pl.coalesce(pl.col("applicant_id") if "applicant_id" in good.columns else pl.lit(None),
                                         pl.format("row-{}", pl.col(ROW))).cast(pl.String).alias("applicant_id"))
    return Parsed(good, errors, rejected.height + len(raw.errors), ids)
