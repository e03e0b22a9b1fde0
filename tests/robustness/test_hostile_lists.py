"""Batch lists (CSV and XLSX) against broken and hostile files, through `run_batch` and the command: every
row accounted for (read = evaluated + rejected), a reason for each rejected row, no traceback, and outputs
a spreadsheet will never run. tests/test_batch.py already proves the basic broken rows (too many cells, an
unclosed quote, NUL, another encoding) in-process; here they meet the command, in harder variants."""

import datetime as dt
import html
import io
import json
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest

from chuangye_rules import InputError
from chuangye_rules.batch.runner import run_batch

AS_OF = dt.date(2024, 6, 1)
HEADER = "编号,城市,申请人类型,身份,毕业时间,注册登记日期,首次创业,正常经营,正常申报纳税,吸纳就业人数,身份证号"
ROW = "{id},鄂尔多斯,个人,残疾人,,2022-03-01,是,是,是,2,"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write(tmp_path: Path, data, name="list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def errors_of(out: Path) -> dict[int, str]:
    """errors.csv as written by the command or run_batch(lang="zh") (Chinese headers and reasons), or by run_batch
    (lang="en", the library's default: English)."""
    frame = pl.read_csv(out / "errors.csv", infer_schema=False)
    row, reason = ("行号", "原因") if "行号" in frame.columns else ("row", "reason")
    return {int(r): text for r, text in zip(frame[row], frame[reason])}


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text("utf-8"))


def test_a_messy_list_through_the_command(tmp_path, chuangye):
    """Every kind of broken row in one file, run as a user runs it: exit 0, each row accounted for."""
    rows = [
        ROW.format(id="A1"),
        ROW.format(id="A2") + ",extra",                      # too many cells
        "A3,鄂尔多斯,个人",                                     # too few
        ROW.format(id="A4").replace("残疾人", "残疾人\x00"),    # NUL
        '"' + ROW.format(id="A5"),                           # quote opened, never closed
        ROW.format(id="A6").replace("残疾人", '"残疾人"'),      # properly quoted: fine
        ROW.format(id="A7").replace("残疾人", '"残疾人、退役军人"'),  # a quoted list
        "",                                                  # blank line
        ROW.format(id="A8") + "\r",                          # CRLF line
        ROW.format(id="A9")[:25],                            # truncated last line, no newline
    ]
    path = write(tmp_path, HEADER + "\n" + "\n".join(rows))
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert code == 0, err
    assert "Traceback" not in out + err
    summary = summary_of(tmp_path / "out")
    assert summary["balanced"] and summary["read"] == 9 and summary["blank_lines"] == 1
    assert f"读取 9 行 = 评估 {summary['evaluated']} 行 + 拒绝 {summary['rejected']} 行" in out
    reasons = errors_of(tmp_path / "out")
    assert "单元格" in reasons[3] and "单元格" in reasons[4] and "空字符" in reasons[5] and "引号" in reasons[6]
    assert "截断" in reasons[11]
    assert summary["evaluated"] == 4 and summary["rejected"] == 5


def test_a_stray_quote_that_joins_lines_is_explained(tmp_path):
    """A quote opened on one line and closed on a later one makes one record of those lines (CSV's rule, as
    Excel reads it); the message says so instead of only counting cells."""
    rows = ['"' + ROW.format(id="S1"), ROW.format(id="S2"), ROW.format(id="S3").replace("残疾人", 'a"b'), ROW.format(id="S4")]
    summary = run_batch(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"), tmp_path / "out", as_of=AS_OF, lang="zh")
    assert (summary.read, summary.evaluated, summary.rejected) == (2, 1, 1)
    assert "跨越了 3 行" in errors_of(tmp_path / "out")[2]


def test_an_unclosed_quote_early_in_a_large_list_costs_one_pass(tmp_path, monkeypatch):
    """A stray quote on the first data line once made each block rescan itself line by line (quadratic:
    minutes for a 20 MB list). Now the quote parity is carried along: one pass."""
    monkeypatch.setenv("CHUANGYE_CHUNK_MB", "2")
    lines = [HEADER, '"' + ROW.format(id="Q0")] + [ROW.format(id=f"Q{i}") for i in range(1, 90_000)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert path.stat().st_size > 2 * 2 * 1024 * 1024
    started = time.perf_counter()
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF, lang="zh", city="ordos")
    assert time.perf_counter() - started < 30
    assert summary.balanced and summary.read == 90_000 and summary.rejected >= 1
    assert "引号" in errors_of(tmp_path / "out")[2]


def test_cr_only_line_endings_are_lines(tmp_path):
    """Excel for Mac's 'CSV (Macintosh)' ends lines with CR alone: read as lines, not as one huge header."""
    path = write(tmp_path, "\r".join([HEADER, ROW.format(id="M1"), ROW.format(id="M2")]) + "\r")
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF)
    assert (summary.read, summary.evaluated) == (2, 2)


@pytest.mark.parametrize("data, words", [
    (b"", ["为空"]),
    (b"\xef\xbb\xbf", ["为空"]),
    (b"\n\n\n", ["为空"]),
    ("编号,城市\n".encode("utf-16"), ["UTF-16", "CSV UTF-8"]),
    ("foo,bar\n1,2\n".encode(), ["没有可识别的字段"]),
    ("编号,编号\nA,B\n".encode(), ["都对应字段"]),
    ('编号,"城市\x00\nA1,淮北\n'.encode(), []),
    ("编号,城\r市\nA1,淮北\n".encode(), []),
    ((",".join(f"列{i}" for i in range(1500)) + "\n").encode(), ["1500 列", "CHUANGYE_MAX_COLUMNS"]),
    (("编号," + "x" * (2 * 1024 * 1024)).encode(), ["表头过长"]),
])
def test_a_list_that_cannot_be_used_exits_2_with_a_reason(tmp_path, chuangye, data, words):
    path = write(tmp_path, data)
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert code in (0, 2), (code, err)
    assert "Traceback" not in out + err and "内部错误" not in err
    if words:
        assert code == 2
        for word in words:
            assert word in err, err


def test_header_only_and_no_data_rows(tmp_path, chuangye):
    for name, text in (("header.csv", HEADER), ("header-nl.csv", HEADER + "\r\n"), ("blank.csv", HEADER + "\n\n\n")):
        path = write(tmp_path, text, name)
        code, out, err = chuangye("batch", path, "-o", tmp_path / f"{name}-out", "--as-of", "2024-06-01")
        assert code == 0, err
        assert "读取 0 行 = 评估 0 行 + 拒绝 0 行" in out
        assert pl.read_csv(tmp_path / f"{name}-out" / "results.csv").height == 0


def test_an_output_folder_that_is_a_file(tmp_path, chuangye):
    path = write(tmp_path, HEADER + "\n" + ROW.format(id="A1") + "\n")
    code, out, err = chuangye("batch", path, "-o", path, "--as-of", "2024-06-01")
    assert code == 2 and "输出目录" in err and "内部错误" not in err


def test_mixed_encodings_in_one_file(tmp_path, chuangye):
    """UTF-8 with a GB18030 line and a Latin-1 line: those two rows are rejected, the rest read."""
    data = (HEADER + "\n" + ROW.format(id="U1") + "\n").encode("utf-8") + (ROW.format(id="G1") + "\n").encode("gb18030") \
        + b"L1,Ordos,\xe9,\xe9,,2022-03-01,1,1,1,2,caf\xe9\n" + (ROW.format(id="U2") + "\n").encode()
    path = write(tmp_path, data)
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01", "--encoding", "utf-8")
    assert code == 0, err
    summary = summary_of(tmp_path / "out")
    assert (summary["read"], summary["evaluated"], summary["rejected"]) == (4, 2, 2)
    assert all("编码" in reason for reason in errors_of(tmp_path / "out").values())


def test_a_monstrous_row_is_rejected_not_buffered(tmp_path, monkeypatch):
    """A 5 MB line (no newline for 5 MB) between good rows: rejected with the limit named; the rows around it
    are read. A lower CHUANGYE_MAX_ROW_KB applies to ordinary long lines as well."""
    monster = "M1,鄂尔多斯,个人," + "残疾人、" * (5 * 1024 * 1024 // 12)
    path = write(tmp_path, "\n".join([HEADER, ROW.format(id="A1"), monster, ROW.format(id="A2")]) + "\n")
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF, lang="zh")
    assert (summary.read, summary.evaluated, summary.rejected) == (3, 2, 1)
    assert "过长" in errors_of(tmp_path / "out")[3] and "1024 KB" in errors_of(tmp_path / "out")[3]
    monkeypatch.setenv("CHUANGYE_MAX_ROW_KB", "0.5")
    long_row = ROW.format(id="L" * 1000)
    path = write(tmp_path, "\n".join([HEADER, ROW.format(id="A1"), long_row]) + "\n", "two.csv")
    summary = run_batch(path, tmp_path / "out2", as_of=AS_OF, lang="zh")
    assert (summary.evaluated, summary.rejected) == (1, 1)
    assert "过长" in errors_of(tmp_path / "out2")[3]


def test_a_file_without_any_line_break_is_refused_at_the_header(tmp_path, chuangye):
    path = write(tmp_path, HEADER + "," + "x" * (3 * 1024 * 1024))
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert code == 2 and "表头过长" in err


# ------------------------------------------------------------------------------------ duplicate ids


def test_duplicate_applicant_ids_are_evaluated_and_reported(tmp_path, chuangye):
    """Decided behaviour: a repeated id is not an error. Every row is evaluated (rows tell them apart), and the
    repetition is reported: summary.json counts the rows that repeat an earlier id and lists the rows sharing
    one; the command says so on stderr."""
    rows = [ROW.format(id=i) for i in ("D1", "D2", "D1", "D3", "D1", "D2")] + ["D4,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,也许,2,"]
    path = write(tmp_path, "\n".join([HEADER, *rows, ROW.format(id="D4")]) + "\n")
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert code == 0, err
    summary = summary_of(tmp_path / "out")
    assert summary["evaluated"] == 7 and summary["rejected"] == 1
    assert summary["duplicate_ids"] == 3  # rows 4 and 6 repeat D1, row 7 repeats D2; the rejected D4 is not counted
    assert summary["duplicate_rows"] == [[2, 4, 6], [3, 7]]
    assert "3 行的编号与前面的行重复" in err and "第 2 行、第 4 行、第 6 行" in err
    applicants = pl.read_csv(tmp_path / "out" / "applicants.csv", infer_schema=False).filter(pl.col("编号") == "D1")
    assert sorted(set(applicants["行号"].cast(int).to_list())) == [2, 4, 6]


def test_duplicate_ids_found_across_blocks_with_their_rows(tmp_path, monkeypatch):
    """Ids are remembered block after block (as hashes, and which rows have them): repeats far apart, with
    rejected, blank and id-less rows in between, are found and named by their own row numbers."""
    lines = [ROW.format(id=f"U{i}") for i in range(400)]
    lines[10] = ROW.format(id="TWIN")
    lines[350] = ROW.format(id="TWIN")
    lines[200] = "D9,鄂尔多斯,个人,残疾人,,2022-03-01,是,是,也许,2,"  # rejected
    lines[201] = ""  # blank
    lines[202] = ROW.format(id="")  # no id: named row-N, never a duplicate
    lines[380] = ROW.format(id="U5")
    path = write(tmp_path, "\n".join([HEADER, *lines]) + "\n")
    monkeypatch.setenv("CHUANGYE_CHUNK_MB", "0.004")  # 4 kB blocks: about 60 rows each
    summary = run_batch(path, tmp_path / "out", as_of=dt.date(2024, 6, 1))
    assert summary.duplicate_ids == 2
    assert summary.duplicate_rows == [[7, 382], [12, 352]]


def test_no_duplicates_no_warning(tmp_path, chuangye):
    path = write(tmp_path, "\n".join([HEADER, ROW.format(id="A"), ROW.format(id="B"), ROW.format(id="")]) + "\n")
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert code == 0 and "重复" not in err
    assert summary_of(tmp_path / "out")["duplicate_ids"] == 0


# ------------------------------------------------------------------------------------ formula injection


PAYLOADS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", "=1+1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_formula_cells_never_reach_a_spreadsheet_as_formulas(tmp_path, fmt):
    """Payloads in the applicant id (echoed in results and applicants), in a bad cell (quoted in errors.csv)
    and as a column name: no output cell starts with = + - @ (or a tab / CR before them)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.split(",") + ["=1+2"])
    for p in PAYLOADS:
        writer.writerow([p, "鄂尔多斯", "个人", "残疾人", "", "2022-03-01", "是", "是", "是", "2", "", "x"])
    for i, p in enumerate(PAYLOADS):
        writer.writerow([f"B{i}", "鄂尔多斯", "个人", p, "", "2022-03-01", "是", "是", "是", "2", "", "x"])
    path = write(tmp_path, buffer.getvalue())
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF, fmt=fmt)
    assert summary.evaluated == len(PAYLOADS) and summary.rejected == len(PAYLOADS)
    ext = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl"}[fmt]
    frames = [pl.read_csv(tmp_path / "out" / "errors.csv", infer_schema=False)]
    for name in ("results", "applicants"):
        file = tmp_path / "out" / f"{name}.{ext}"
        if fmt == "csv":
            frames.append(pl.read_csv(file, infer_schema=False))
        elif fmt == "jsonl":
            frames.append(pl.read_ndjson(file).cast(pl.String))
        else:  # an xlsx holds the payloads as they are, in string cells: text, never a formula, no apostrophe
            with zipfile.ZipFile(file) as archive:
                sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
                strings = archive.read("xl/sharedStrings.xml").decode()
            assert sheets and not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets), "no formula cells"
            if name == "results":
                kept = set(pl.read_excel(file, infer_schema_length=0)["applicant_id"].to_list())
                assert {p.strip() for p in PAYLOADS} <= kept and not any(v.startswith("'") for v in kept)
                assert all(html.escape(p.strip(), quote=False) in strings for p in PAYLOADS)
    cells = [v for frame in frames for column in frame.columns for v in frame[column].cast(pl.String).to_list() if v]
    assert cells
    assert not [v for v in cells if v.startswith(FORMULA_START)]
    shown = {v[1:] for v in cells if v.startswith("'")}
    assert {p.strip() for p in PAYLOADS} <= shown, "the payloads are kept, as text (cells are read trimmed)"


# ------------------------------------------------------------------------------------ xlsx


def xlsx(tmp_path: Path, rows: list[list], name="list.xlsx") -> Path:
    import xlsxwriter

    path = tmp_path / name
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def test_xlsx_hostile_sheets(tmp_path, chuangye):
    head = ["编号", "城市", "申请人类型", "身份", "注册登记日期", "吸纳就业人数"]
    rows = [head, ["X1", "鄂尔多斯", "个人", "残疾人", "2022-03-01", 2], ["X1", "鄂尔多斯", "个人", "残疾人\x00", "2022-02-30", -3],
            [340602199001011234, "鄂尔多斯", "个人", "残疾人", 44621, 1e30], ["=1+1", "鄂尔多斯", "个人", "无", None, "2"]]
    path = xlsx(tmp_path, rows)
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert code == 0, err
    summary = summary_of(tmp_path / "out")
    assert summary["balanced"] and summary["read"] == 4 and summary["rejected"] == 2
    code, out, err = chuangye("batch", xlsx(tmp_path, [head], "header.xlsx"), "-o", tmp_path / "h", "--as-of", "2024-06-01")
    assert code == 0 and "读取 0 行" in out
    code, out, err = chuangye("batch", xlsx(tmp_path, [], "empty.xlsx"), "-o", tmp_path / "e", "--as-of", "2024-06-01")
    assert code == 2 and "为空" in err


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # an OLE compound file's header


@pytest.mark.parametrize("name, data, words", [
    ("list.xlsx", b"", ["不是有效的 Excel"]),
    ("list.xlsx", b"PK\x03\x04 not really a zip", ["不是有效的 Excel"]),
    ("list.xlsx", b"\x80\x04\x95pickle", ["不是有效的 Excel"]),
    # Excel saves a workbook with an opening password as an OLE file; an .xls is one too: each was
    # "not a valid Excel file" / "the header cannot be decoded as gb18030" before
    ("list.xlsx", OLE, ["已加密", "去掉打开密码"]),
    ("名单.xls", OLE, ["旧版 Excel", "另存为 .xlsx 或 CSV"]),
])
def test_a_file_that_is_not_a_workbook(tmp_path, chuangye, name, data, words):
    code, out, err = chuangye("batch", write(tmp_path, data, name), "-o", tmp_path / "out")
    assert code == 2 and "Traceback" not in err
    for word in words:
        assert word in err


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(8):
                member.write(block)
    assert path.stat().st_size < 100 * 1024
    monkeypatch.setenv("CHUANGYE_MAX_XLSX_MB", "4")
    with pytest.raises(InputError, match="解压后过大"):
        run_batch(path, tmp_path / "out", as_of=AS_OF)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_polars_reads_back_what_the_batch_wrote(tmp_path):
    """The outputs stay machine-readable whatever the input held: CSV round-trips with the same columns."""
    rows = [ROW.format(id=f'"a,b""{i}"') for i in range(3)] + [ROW.format(id="多行\n编号").replace("多行\n编号", '"多行\n编号"')]
    path = write(tmp_path, "\n".join([HEADER, *rows]) + "\n")
    summary = run_batch(path, tmp_path / "out", as_of=AS_OF)
    applicants = pl.read_csv(tmp_path / "out" / "applicants.csv", infer_schema=False)
    assert applicants.height == summary.evaluated and summary.evaluated == 4
    assert {"a,b\"0", "多行\n编号"} <= set(applicants["applicant_id"].to_list())
    assert io.BytesIO((tmp_path / "out" / "results.csv").read_bytes()).read(3) == b"\xef\xbb\xbf"


def test_a_full_disk_is_a_message_and_leaves_nothing(tmp_path, chuangye, monkeypatch):
    import errno

    from chuangye_rules.batch import runner

    def full(self, frame):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.tmp))

    monkeypatch.setattr(runner.Output, "write", full)
    path = write(tmp_path, HEADER + "\n" + ROW.format(id="A1") + "\n")
    code, out, err = chuangye("batch", path, "-o", tmp_path / "out", "--as-of", "2024-06-01")
    assert code == 2 and "读写文件失败" in err and "磁盘空间不足" in err and "内部错误" not in err, err
    assert not (tmp_path / "out").exists(), "the folder this run created is removed again, with all it wrote"


def test_a_list_as_a_bureau_exports_it(tmp_path):
    """Seen on a newcomer's list: a 是否首次创业 header was left unused (是否… is how a spreadsheet asks a yes/no
    question), and errors.csv quoted a bad date as it had been normalised (2020-6-), not as the list has it
    (2020年6月), so the caseworker could not find the cell."""
    text = ("序号,姓名,所在城市,申请人类型,人员身份,毕业时间,营业执照登记日期,带动就业人数,是否首次创业\n"
            "1,李四,鄂尔多斯,个人,残疾人,2020年6月,2022-03-01,2,是\n"
            "2,王五,鄂尔多斯,个人,残疾人,,2022-03-01,2,否\n")
    out = tmp_path / "out"
    summary = run_batch(write(tmp_path, text.encode("gb18030")), out, as_of=AS_OF, lang="zh")
    assert "是否首次创业" not in summary.ignored_columns
    errors = pl.read_csv(out / "errors.csv", infer_schema=False)
    assert errors["内容"].to_list() == ["2020年6月"] and errors["列"].to_list() == ["毕业时间"]
    results = pl.read_csv(out / "results.csv", infer_schema=False)
    subsidy = results.filter(pl.col("待遇标识") == "one_time_startup_subsidy")
    assert subsidy.is_empty(), subsidy  # 否 was read: not a first business (unread, it "needs" 首次创业)
