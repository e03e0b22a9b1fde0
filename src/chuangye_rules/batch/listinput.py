"""Opening a list for a run: its encoding, its header mapped to fields (or a located problem), and its blocks of
raw lines read ahead on a thread of their own (Ahead) while the block before is evaluated."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterator

from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem
from ..rules.loading import LoadedRulebook, city_names
from .headers import map_headers
from .parquet import is_parquet, iter_parquet
from .records import detect_encoding, iter_csv
from .xlsx import read_xlsx


def cell_cities(books: list[LoadedRulebook]) -> dict[str, str]:
    """What a list's 城市 cell may say → the city's slug."""
    return {name: b.slug for b in books for name in city_names(b)}


# an OLE compound file: an Excel 97-2003 workbook (.xls), or an .xlsx saved with a password (Excel encrypts it so)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def refuse_ole(input_path: Path) -> None:
    try:
        with open(input_path, "rb") as handle:
            if handle.read(len(OLE_MAGIC)) != OLE_MAGIC:
                return
    except OSError:
        return  # the reader below says what is wrong with the file
    if input_path.suffix.lower() in (".xlsx", ".xlsm"):
        why = Text("Excel 文件设置了打开密码（已加密），无法读取", "the Excel file has a password to open it (it is encrypted)")
        how = Text("在 Excel 中去掉打开密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后保存，或另存为 CSV",
                   "remove the password in Excel (File → Info → Protect Workbook → Encrypt with Password, clear it), "
                   "or save it as CSV")
    else:
        why = Text("这是旧版 Excel（.xls，97-2003 格式）文件，不能直接读取", "this is an old Excel (.xls, 97-2003) workbook")
        how = Text("在 Excel 或 WPS 中另存为 .xlsx 或 CSV", "save it as .xlsx or CSV in Excel or WPS")
    raise InputError([make_problem(str(input_path), None, None, why, how)])


def open_list(input_path: Path, encoding: str | None, chunk_rows: int):
    """(the encoding used, the header mapped to fields, the blocks of raw lines) — or a located problem."""
    refuse_ole(input_path)
    if is_parquet(input_path):
        used = "parquet"
        names, chunks = iter_parquet(input_path, chunk_rows)
    elif input_path.suffix.lower() in (".xlsx", ".xlsm"):
        used = "xlsx"
        try:
            names, chunks = read_xlsx(input_path, chunk_rows)
        except InputError:
            raise
        except Exception:  # a corrupt or non-Excel file: said in the user's words, no traceback
            raise InputError([make_problem(str(input_path), None, None, Text(
                "无法读取 Excel 文件（文件已损坏，或不是 Excel 保存的 .xlsx）",
                "cannot read the Excel file (it is damaged, or not an .xlsx saved by Excel)"),
                Text("用 Excel 打开后另存为 .xlsx，或另存为 CSV", "open it in Excel and save it as .xlsx or CSV"))]) from None
    else:
        used = encoding or detect_encoding(input_path)
        names, chunks = iter_csv(input_path, used)
    if not names:
        raise InputError([make_problem(str(input_path), 1, None, Text("文件为空或没有表头", "the file is empty or has no header"))])
    header = map_headers(names)
    if header.problems:
        raise InputError([Problem(str(input_path), 1, None, p) for p in header.problems])
    if not header.fields:
        raise InputError([make_problem(str(input_path), 1, None, Text(
            "表头中没有可识别的字段", "the header names no field the rulebooks know"),
            Text("用 chuangye batch --show-columns 查看可用的列名", "chuangye batch --show-columns lists the column names"))])
    return used, header, chunks


class Ahead:
    """Runs an iterator on its own thread, at most `depth` items ahead of its consumer: the next block is read
    and typed while this one is evaluated. Its error is raised to the consumer; close() stops it early."""

    def __init__(self, items: Iterator, depth: int = 1) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), name="chuangye-reader", daemon=True)
        self._thread.start()

    def _put(self, item: tuple) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, items: Iterator) -> None:
        try:
            for item in items:
                if not self._put(("item", item)):
                    return
            self._put(("end", None))
        except BaseException as error:  # handed to the consumer, which decides what it means
            self._put(("error", error))
        finally:
            close = getattr(items, "close", None)
            if close:
                close()  # a generator's own clean-up (the list's file handle) runs on this thread

    def __iter__(self) -> Iterator:
        while True:
            kind, value = self._queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()
