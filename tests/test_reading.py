"""Reading uploads: formats, encodings, delimiters, headers, empty rows, and files that are not tables."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from lib.errors import InputError
from lib.ingest.dates import detect_day_order, parse_datetimes
from lib.ingest.reading import list_sheets, read_table

TICKETS = "工单号,状态\nT1,已完成\n"
UTF8 = TICKETS.encode()
UTF8_BOM = b"\xef\xbb\xbf" + UTF8
GBK = TICKETS.encode("gbk")
# 𠮷 and 䶮 are not in GBK; only GB18030 (four-byte sequences) has them.
GB18030_ONLY = "工单号,客户\nT1,𠮷野家\nT2,䶮\n".encode("gb18030")
# Excel's "Unicode text": UTF-16 LE with BOM, tab-separated, CRLF.
UTF16_LE_BOM = b"\xff\xfe" + "工单号\t状态\r\nT1\t已完成\r\n".encode("utf-16-le")
SEMICOLON = b'id;amount\n1;"1,5"\n'
TAB = b"id\tname\n1\tAcme, Inc.\n"
PIPE = b"id|name\n1|Acme\n"
QUOTED_NEWLINE = b'id,comment\n1,"line one\nline two"\n2,ok\n'
QUOTED_DELIMITERS = b'name,note\n"a;b;c","x;y"\n"d;e",z\n'
CRLF = b"id,name\r\n1,Acme\r\n"
PADDED_CELLS = b'id,name\n 1 ,"  Acme  "\n2,""\n3,\t\n'
RAGGED = b"a,b\n1,2,\n3,4,5\n"
LEADING_BLANK_LINES = b"\n\nid,name\n1,Acme\n"
# Non-UTF-8 only after the 64 KiB sample the decoder looks at first.
LATE_GBK = ("id,name\n" + "1,x\n" * 20_000 + "2,工单\n").encode("gbk")
LATIN1 = "name,city\nJosé,Zürich\nRenée,Besançon\n".encode("cp1252")
HEADERS = b" id ,ID,,id,name\xe3\x80\x80,\n1,2,3,4,5,\n"
TRAILING_EMPTY = b"a,b,c\n1,2,3\n" + b",,\n" * 1000
MIDDLE_EMPTY = b"a,b\n1,2\n,\n \t, \n3,4\n,\n\n"

STRAY_QUOTE = b'id,product\n1,24" monitor\n2,27" monitor\n'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
OLE_ENCRYPTED = OLE + "EncryptedPackage".encode("utf-16-le")
HTML_AS_XLS = b"<html><body><table><tr><td>id</td></tr></table></body></html>"
UNTERMINATED_QUOTE = b'id,name\n1,"Acme\n'
NOT_A_ZIP = b"PK\x03\x04 truncated"
NOT_A_PARQUET = b"PAR1 truncated"


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "columns", "rows", "encoding", "delimiter"),
    [
        (UTF8, "t.csv", ["工单号", "状态"], [("T1", "已完成")], "utf-8", ","),
        (UTF8_BOM, "t.csv", ["工单号", "状态"], [("T1", "已完成")], "utf-8-sig", ","),
        (GBK, "t.csv", ["工单号", "状态"], [("T1", "已完成")], "gb18030", ","),
        (GB18030_ONLY, "t.csv", ["工单号", "客户"], [("T1", "𠮷野家"), ("T2", "䶮")], "gb18030", ","),
        (UTF16_LE_BOM, "t.txt", ["工单号", "状态"], [("T1", "已完成")], "utf-16", "\t"),
        (UTF8, "really_a_csv.xlsx", ["工单号", "状态"], [("T1", "已完成")], "utf-8", ","),
        (SEMICOLON, "t.csv", ["id", "amount"], [("1", "1,5")], "utf-8", ";"),
        (TAB, "t.tsv", ["id", "name"], [("1", "Acme, Inc.")], "utf-8", "\t"),
        (PIPE, "t.txt", ["id", "name"], [("1", "Acme")], "utf-8", "|"),
        (
            QUOTED_NEWLINE,
            "t.csv",
            ["id", "comment"],
            [("1", "line one\nline two"), ("2", "ok")],
            "utf-8",
            ",",
        ),
        (QUOTED_DELIMITERS, "t.csv", ["name", "note"], [("a;b;c", "x;y"), ("d;e", "z")], "utf-8", ","),
        (CRLF, "t.csv", ["id", "name"], [("1", "Acme")], "utf-8", ","),
        (PADDED_CELLS, "t.csv", ["id", "name"], [("1", "Acme"), ("2", None), ("3", None)], "utf-8", ","),
        (RAGGED, "t.csv", ["a", "b", "column_3"], [("1", "2", None), ("3", "4", "5")], "utf-8", ","),
        (LEADING_BLANK_LINES, "t.csv", ["id", "name"], [("1", "Acme")], "utf-8", ","),
        (STRAY_QUOTE, "t.csv", ["id", "product"], [("1", '24" monitor'), ("2", '27" monitor')], "utf-8", ","),
        (LATIN1, "t.csv", ["name", "city"], [("José", "Zürich"), ("Renée", "Besançon")], None, ","),
        # Empty header named by position, repeats numbered case-insensitively, the
        # full-width space trimmed, the last column (no header, no data) dropped.
        (
            HEADERS,
            "t.csv",
            ["id", "ID_2", "column_3", "id_3", "name"],
            [("1", "2", "3", "4", "5")],
            "utf-8",
            ",",
        ),
    ],
)
def test_reads_text(data, name, columns, rows, encoding, delimiter):
    result = read_table(data, name)
    assert result.format == "csv"
    assert result.frame.columns == columns
    assert result.frame.rows() == rows
    assert all(dtype == pl.String for dtype in result.frame.dtypes)
    if encoding is not None:  # LATIN1: whichever single-byte code page decodes it right
        assert result.encoding == encoding
    assert result.delimiter == delimiter
    assert (result.sheet, result.sheets) == (None, ())


def test_non_utf8_after_the_sample_falls_back_to_gb18030():
    result = read_table(LATE_GBK, "late.csv")
    assert result.encoding == "gb18030"
    assert result.frame.height == 20_001
    assert result.frame.row(-1) == ("2", "工单")


@pytest.mark.parametrize(
    ("data", "height", "empty_rows", "trailing_empty_rows"),
    [
        (TRAILING_EMPTY, 1, 0, 1000),
        # ",", " \t, " in the middle; ",", and a blank line at the end.
        (MIDDLE_EMPTY, 2, 2, 2),
    ],
)
def test_counts_empty_rows(data, height, empty_rows, trailing_empty_rows):
    result = read_table(data, "t.csv")
    assert result.frame.height == height
    assert (result.empty_rows, result.trailing_empty_rows) == (empty_rows, trailing_empty_rows)


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (b"", "t.csv", "read.empty"),
        (b"  \r\n\t\n", "t.csv", "read.empty"),
        (b",,\n,,\n", "t.csv", "read.empty"),
        (b"id,name\n", "t.csv", "read.header_only"),
        (b"id,name", "t.csv", "read.header_only"),
        (b"id,name\n,\n,\n", "t.csv", "read.header_only"),
        (PNG, "photo.csv", "read.binary"),
        (PDF, "report.xlsx", "read.binary"),
        (b"id,name\x00\x01\x02\x03\xff\xfe\x00\x00", "t.csv", "read.binary"),
        (OLE, "old.xls", "read.xls"),
        (OLE, "locked.xlsx", "read.encrypted"),
        (OLE_ENCRYPTED, "locked.xls", "read.encrypted"),
        (HTML_AS_XLS, "export.xls", "read.unsupported"),
        (_zip(["mimetype", "content.xml"]), "t.ods", "read.unsupported"),
        (_zip(["word/document.xml"]), "t.docx", "read.unsupported"),
        (_zip(["data.csv"]), "t.xlsx", "read.bad_excel"),
        (NOT_A_ZIP, "t.xlsx", "read.bad_excel"),
        (NOT_A_PARQUET, "t.parquet", "read.bad_parquet"),
        (UNTERMINATED_QUOTE, "t.csv", "read.bad_csv"),
    ],
)
def test_rejects_with_a_reason(data, name, key):
    with pytest.raises(InputError) as caught:
        read_table(data, name)
    assert caught.value.key == key
    assert caught.value.params["name"] == name
    assert len(str(caught.value.params.get("detail", ""))) <= 120


# --- Excel ----------------------------------------------------------------------


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx with one sheet per entry; datetimes and dates get date formats."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, stamp)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


TICKET_SHEET = [
    ["工单号", "创建时间", "截止日期", "数量", "费用", " 备注 ", "工单号"],
    ["T1", datetime(2024, 3, 1, 8, 30), date(2024, 3, 5), 2, 12.5, "  加急 ", "A"],
    [],
    ["T2", datetime(2024, 3, 2, 9, 0), None, 1, 7, None, "B"],
]
WORKBOOK = _workbook({"空表": [], "工单": TICKET_SHEET, "备注": [["说明"], ["测试数据"]]})


def test_xlsx_reads_first_sheet_with_data_and_keeps_types():
    result = read_table(WORKBOOK, "工单.xlsx")
    expected = pl.DataFrame(
        {
            "工单号": ["T1", "T2"],
            "创建时间": [datetime(2024, 3, 1, 8, 30), datetime(2024, 3, 2, 9, 0)],
            "截止日期": [date(2024, 3, 5), None],
            "数量": [2, 1],
            "费用": [12.5, 7.0],
            "备注": ["加急", None],
            "工单号_2": ["A", "B"],
        },
        schema_overrides={"创建时间": pl.Datetime("ms")},
    )
    assert_frame_equal(result.frame, expected)
    assert (result.format, result.encoding, result.delimiter) == ("xlsx", None, None)
    assert (result.sheet, result.sheets) == ("工单", ("空表", "工单", "备注"))
    assert (result.empty_rows, result.trailing_empty_rows) == (1, 0)


def test_xlsx_sheet_can_be_picked():
    result = read_table(WORKBOOK, "工单.xlsx", sheet="备注")
    assert result.sheet == "备注"
    assert result.frame.rows() == [("测试数据",)]


@pytest.mark.parametrize(
    ("data", "sheet", "key"),
    [
        (WORKBOOK, "没有这个表", "read.sheet_missing"),
        (WORKBOOK, "空表", "read.sheet_empty"),
        (_workbook({"a": [], "b": []}), None, "read.no_sheet_data"),
        (_workbook({"a": [], "b": [["id", "name"]]}), None, "read.header_only"),
    ],
)
def test_xlsx_without_data(data, sheet, key):
    with pytest.raises(InputError) as caught:
        read_table(data, "t.xlsx", sheet=sheet)
    assert caught.value.key == key


def test_xlsx_mixed_column_keeps_every_value():
    # Sampling only the first rows for types would turn the late text cell into null.
    rows = [["编号", "数量"]] + [[i, i] for i in range(1, 151)] + [["A-151", "  "]]
    result = read_table(_workbook({"s": rows}), "t.xlsx")
    assert result.frame.schema == pl.Schema({"编号": pl.String, "数量": pl.Int64})
    assert result.frame["编号"].to_list()[-2:] == ["150", "A-151"]
    assert result.frame["数量"].to_list()[-2:] == [150, None]


def test_xlsx_prefers_a_visible_sheet():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    lookup = book.add_worksheet("lookup")
    lookup.write_row(0, 0, ["code", "label"])
    lookup.write_row(1, 0, ["P1", "紧急"])
    tickets = book.add_worksheet("工单")
    tickets.write_row(0, 0, ["工单号"])
    tickets.write_row(1, 0, ["T1"])
    tickets.activate()
    lookup.hide()
    book.close()
    assert read_table(buffer.getvalue(), "t.xlsx").sheet == "工单"


def test_list_sheets():
    assert list_sheets(WORKBOOK) == ("空表", "工单", "备注")
    assert list_sheets(UTF8) == ()
    assert list_sheets(NOT_A_ZIP) == ()


# --- Parquet --------------------------------------------------------------------


def test_parquet_keeps_types_and_drops_empty_rows():
    source = pl.DataFrame(
        {
            "ticket_id": [" T1 ", None, "T2", None],
            "created_at": [datetime(2024, 3, 1, 8, 30), None, datetime(2024, 3, 2), None],
            "cost": [12.5, None, None, None],
        }
    )
    buffer = io.BytesIO()
    source.write_parquet(buffer)
    result = read_table(buffer.getvalue(), "tickets.parquet")
    expected = pl.DataFrame(
        {
            "ticket_id": ["T1", "T2"],
            "created_at": [datetime(2024, 3, 1, 8, 30), datetime(2024, 3, 2)],
            "cost": [12.5, None],
        }
    )
    assert_frame_equal(result.frame, expected)
    assert (result.format, result.empty_rows, result.trailing_empty_rows) == ("parquet", 1, 1)


# --- real exports ---------------------------------------------------------------

REAL = Path("/work/shared/data/real")


def _real(name: str) -> bytes:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real test data not available: {path} is missing")
    return path.read_bytes()


def test_real_olist_orders():
    result = read_table(_real("olist_orders.csv"), "olist_orders.csv")
    assert result.frame.height == 9_999
    assert (result.empty_rows, result.trailing_empty_rows) == (0, 89_442)
    stamps = [
        "order_purchase_timestamp",
        "order_approved_at",
        "order_delivered_carrier_date",
        "order_delivered_customer_date",
        "order_estimated_delivery_date",
    ]
    assert detect_day_order([result.frame[c] for c in stamps]) == "mdy"
    purchased = parse_datetimes(result.frame["order_purchase_timestamp"], "mdy")
    assert purchased[0] == datetime(2017, 10, 2, 10, 56)
    assert purchased.null_count() == 0


def test_real_servicenow_incident_events():
    result = read_table(_real("servicenow_incident_events.csv"), "servicenow_incident_events.csv")
    assert result.frame.height == 5_998
    assert result.frame.width == 36
    stamps = ["opened_at", "sys_created_at", "sys_updated_at", "resolved_at", "closed_at"]
    assert detect_day_order([result.frame[c] for c in stamps]) == "dmy"
    opened = parse_datetimes(result.frame["opened_at"], "dmy")
    assert result.frame["opened_at"][0] == "29-02-2016 01:16"
    assert opened[0] == datetime(2016, 2, 29, 1, 16)
    assert opened.null_count() == 0


# --- title blocks, mixed encodings, other workbook formats, limits ------------------

TITLE_BLOCK = "售后服务工单明细表,,\n导出时间：2024-03-05,,\n,,\n工单号,创建时间,渠道\nT1,2024-03-01 08:00,电话\n,,\nT2,2024-03-02 08:00,微信\n"


def test_title_block_above_the_header_is_skipped_and_counted():
    result = read_table(TITLE_BLOCK.encode(), "明细.csv")
    assert result.frame.columns == ["工单号", "创建时间", "渠道"]
    assert (result.header_row, result.title_rows, result.empty_rows) == (4, 2, 1)
    assert result.row_numbers.to_list() == [5, 7]  # as Excel numbers the rows


@pytest.mark.parametrize(
    ("data", "columns"),
    [
        # A header naming few of its columns is still the header: the next row is data.
        (
            b"id,name,,,\n1,2024-03-01,3,4,5\n2,2024-03-02,3,4,5\n",
            ["id", "name", "column_3", "column_4", "column_5"],
        ),
        (b"note\nid,name\n1,Acme\n2,Beta\n", ["id", "name"]),
        # A title line with a stray comma does not make a semicolon file comma-separated.
        (
            "明细表\n导出时间：3月5日, 张三\nid;name;city\n1;Acme;x\n2;Beta;y\n".encode(),
            ["id", "name", "city"],
        ),
    ],
)
def test_header_row_is_the_first_full_row_of_labels(data, columns):
    assert read_table(data, "t.csv").frame.columns == columns


def test_title_rows_in_a_workbook_are_skipped():
    from bad_files import merged_report

    result = read_table(merged_report(), "汇总.xlsx")
    assert result.frame.columns == ["工单号", "创建时间", "解决时间", "人工成本", "区域"]
    assert (result.header_row, result.title_rows) == (2, 1)
    assert result.frame["区域"].to_list()[:3] == ["华东", "华北", "华北"]  # merged cells filled down


def test_utf8_and_gbk_lines_in_one_file_are_decoded_line_by_line():
    data = "工单号,渠道\nU1,电话\n".encode() + "G1,上门服务\nG2,官网\n".encode("gbk")
    result = read_table(data, "mixed.csv")
    assert result.encoding == "utf-8+gb18030"
    assert result.frame["渠道"].to_list() == ["电话", "上门服务", "官网"]


@pytest.mark.parametrize(("name", "fmt"), [("old.xls", "xls"), ("binary.xlsb", "xlsb"), ("calc.ods", "ods")])
def test_other_workbook_formats_are_read(name, fmt):
    import bad_files

    builder = {"xls": bad_files.xls, "xlsb": bad_files.xlsb, "ods": bad_files.ods}[fmt]
    result = read_table(builder("工单", bad_files.EXCEL_ROWS), name)
    assert (result.format, result.sheet) == (fmt, "工单")
    assert result.frame.columns == ["工单号", "创建时间", "费用"]
    assert result.frame["工单号"].to_list() == ["X1", "X2"]
    assert list_sheets(builder("工单", bad_files.EXCEL_ROWS)) == ("工单",)


def test_limit_comes_from_its_environment_variable(monkeypatch):
    from lib.ingest.limits import limit

    assert limit("rows") == 5_000_000
    monkeypatch.setenv("AFTERSIGHT_MAX_ROWS", "10")
    assert limit("rows") == 10
    for unusable in ("lots", "0", "-5"):
        monkeypatch.setenv("AFTERSIGHT_MAX_ROWS", unusable)
        assert limit("rows") == 5_000_000


def test_too_many_columns_names_the_limit_and_its_variable(monkeypatch):
    monkeypatch.setenv("AFTERSIGHT_MAX_COLUMNS", "3")
    with pytest.raises(InputError) as caught:
        read_table(b"a,b,c,d\n1,2,3,4\n", "wide.csv")
    assert caught.value.key == "read.too_many_columns"
    assert caught.value.params == {
        "name": "wide.csv",
        "columns": "4",
        "limit": "3",
        "env": "AFTERSIGHT_MAX_COLUMNS",
    }
    # Delimiters inside quotes are not columns.
    assert read_table(b'a,"b,c,d,e"\n1,2\n', "quoted.csv").frame.width == 2


@pytest.mark.parametrize(
    ("variable", "key"),
    [("AFTERSIGHT_MAX_ROWS", "read.too_many_rows"), ("AFTERSIGHT_MAX_COLUMNS", "read.too_many_columns")],
)
def test_parquet_limits(monkeypatch, variable, key):
    buffer = io.BytesIO()
    pl.DataFrame({"a": [1, 2], "b": [3, 4]}).write_parquet(buffer)
    monkeypatch.setenv(variable, "1")
    with pytest.raises(InputError) as caught:
        read_table(buffer.getvalue(), "t.parquet")
    assert caught.value.key == key


# A cell lib.export guarded against spreadsheet formulas reads back as it was; other
# apostrophes are the user's own text.
GUARDED = {
    "'=SUM(A1)": "=SUM(A1)",
    "'+86 热线": "+86 热线",
    "'-": "-",
    "'-3": "-3",
    "'@客服": "@客服",
    "''=x": "'=x",
    "'abc": "'abc",
    "'": "'",
    "it's": "it's",
    "'5": "'5",
}


def test_export_guard_is_removed_from_csv_cells_and_headers():
    text = "'=id,note\n" + "".join(f'T{i},"{cell}"\n' for i, cell in enumerate(GUARDED))
    frame = read_table(text.encode(), "export.csv").frame
    assert frame.columns == ["=id", "note"]
    assert frame["note"].to_list() == list(GUARDED.values())


def test_export_guard_is_removed_from_excel_text_cells():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["id", "note", "score"])
    for row, cell in enumerate(GUARDED, start=1):
        sheet.write_row(row, 0, [f"T{row}", cell, row])
    book.close()
    frame = read_table(buffer.getvalue(), "export.xlsx").frame
    assert frame["note"].to_list() == list(GUARDED.values())
    assert frame["score"].to_list() == list(range(1, len(GUARDED) + 1))


def test_clean_strings_trims_each_cell_and_nulls_the_empty_ones():
    """Regression for the one-trim rewrite of `raw.clean_strings`: ASCII and Unicode spaces (tab,
    U+3000, NBSP) trimmed; empty and whitespace-only cells null; the export guard undone; numbers untouched."""
    from lib.ingest.raw import clean_strings

    frame = pl.DataFrame(
        {
            "name": ["  a ", "\tb\u3000", "   ", "", None, "'=SUM(A1)", "\u00a0c d\u00a0"],
            "note": ["x", "'+86 热线", "\u3000", " y", "z ", "''@x", "'plain"],
            "count": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    expected = pl.DataFrame(
        {
            "name": ["a", "b", None, None, None, "=SUM(A1)", "c d"],
            "note": ["x", "+86 热线", None, "y", "z", "'@x", "'plain"],
            "count": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    assert_frame_equal(clean_strings(frame), expected)
