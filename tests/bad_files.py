"""The corpus of broken, hostile and awkward files (issue 9), each built in code, with its expected outcome.

Every case is one or more files (table, file name, bytes) and what uploading the
last one must give: an `InputError` key, or the rows used and the rows counted
per (reason, field, action). `tests/test_bad_files.py` sends each case through
the Data page's path (`lib.ingest.pipeline`) and through `python -m lib kpis`.
`python tests/bad_files.py DIR` writes the files out to look at them.
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import xlsxwriter

# --- file builders ----------------------------------------------------------------


def text(lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join([*lines, ""]).encode(encoding)


def tickets_csv(n: int = 3, prefix: str = "T", **options) -> bytes:
    rows = [f"{prefix}{i},2024-03-{i:02d} 08:00,2024-03-{i:02d} 12:00,张伟,电话" for i in range(1, n + 1)]
    return text(["工单号,创建时间,解决时间,工程师,渠道", *rows], **options)


def xlsx(rows: list[list[object]], sheet: str = "工单", prepare: Callable | None = None) -> bytes:
    """A workbook of one sheet; `prepare(book, sheet)` may merge cells or add formulas first."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    worksheet = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                worksheet.write_datetime(r, c, value, stamp)
            elif value is not None:
                worksheet.write(r, c, value)
    if prepare:
        prepare(book, worksheet)
    book.close()
    return buffer.getvalue()


TICKET_ROWS = [
    ["工单号", "创建时间", "解决时间", "工程师", "渠道"],
    ["X1", datetime(2024, 3, 1, 8), datetime(2024, 3, 1, 12), "张伟", "电话"],
    ["X2", datetime(2024, 3, 2, 8), datetime(2024, 3, 2, 12), "李娜", "微信"],
]


def rezip(data: bytes, replace: dict[str, Callable[[bytes], bytes]]) -> bytes:
    """The same zip with some parts rewritten."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info.filename, replace[info.filename](body) if info.filename in replace else body)
    return out.getvalue()


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def cfb(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file (what .xls and encrypted Office files are) holding `streams`.

    Each stream is padded to 4096 bytes so none lives in the mini stream.
    """
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat, body, entries = [fat_sector, end], b"", []
    for name, data in streams.items():
        data = data.ljust(max(4096, len(data)), b"\x00")
        data += bytes(-len(data) % 512)
        first, count = 2 + len(body) // 512, len(data) // 512
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        entries.append((name, first, len(data)))
        body += data
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, left: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", left, free, child)
            + bytes(36)
            + struct.pack("<IQ", start, size)
        )

    # Root's child is the first stream; each stream's left sibling is the next one.
    directory = entry("Root Entry", 5, free, 1, end, 0)
    for i, (name, start, size) in enumerate(entries):
        directory += entry(name, 2, i + 2 if i + 1 < len(entries) else free, free, start, size)
    directory = directory.ljust(512, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    return header + struct.pack("<128I", *fat) + directory + body


def xls(sheet: str, rows: list[list[object]]) -> bytes:
    """An Excel 97-2003 (.xls, BIFF8) workbook: LABEL and NUMBER cells, no styles."""

    def record(kind: int, body: bytes = b"") -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    def bof(kind: int) -> bytes:
        return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                cells += record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
            elif value is not None:
                label = str(value)
                cells += record(
                    0x0204, struct.pack("<HHHHB", r, c, 0, len(label), 1) + label.encode("utf-16-le")
                )
    dimensions = record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(map(len, rows)), 0))
    worksheet = bof(0x0010) + dimensions + cells + record(0x000A)
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")

    def globals_(position: int) -> bytes:
        codepage = record(0x0042, struct.pack("<H", 1200))
        return (
            bof(0x0005)
            + codepage
            + record(0x0085, struct.pack("<IBB", position, 0, 0) + name)
            + record(0x000A)
        )

    return cfb({"Workbook": globals_(len(globals_(0))) + worksheet})


def xlsb(sheet: str, rows: list[list[object]]) -> bytes:
    """An Excel binary workbook (.xlsb): BIFF12 records in a zip, inline strings, no styles."""

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            n, low = n >> 7, n & 0x7F
            out.append(low | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def record(kind: int, body: bytes = b"") -> bytes:
        return varint(kind) + varint(len(body)) + body

    def wide(value: str) -> bytes:
        return struct.pack("<I", len(value)) + value.encode("utf-16-le")

    width = max(map(len, rows))
    data = (
        record(0x0081) + record(0x0094, struct.pack("<IIII", 0, len(rows) - 1, 0, width - 1)) + record(0x0091)
    )
    for r, row in enumerate(rows):
        data += record(0x0000, struct.pack("<I", r) + bytes(13))
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                data += record(0x0005, struct.pack("<IId", c, 0, float(value)))
            elif value is not None:
                data += record(0x0006, struct.pack("<II", c, 0) + wide(str(value)))
    data += record(0x0092) + record(0x0082)
    bundle = record(0x009C, struct.pack("<II", 0, 1) + wide("rId1") + wide(sheet))
    book = (
        record(0x0083) + record(0x008F) + bundle + record(0x0090) + record(0x009D, bytes(26)) + record(0x0084)
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.bin"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.bin", book)
        archive.writestr("xl/_rels/workbook.bin.rels", rels)
        archive.writestr("xl/worksheets/sheet1.bin", data)
    return out.getvalue()


def ods(sheet: str, rows: list[list[object]]) -> bytes:
    """An OpenDocument spreadsheet (LibreOffice, WPS) of one sheet."""

    def cell(value: object) -> str:
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="{sheet}">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


EXCEL_ROWS = [["工单号", "创建时间", "费用"], ["X1", "2024-03-01 08:00", 12.5], ["X2", "2024-03-02 09:00", 3]]


@cache
def zip_bomb() -> bytes:
    """An .xlsx whose sheet is 64 MB of XML packed into about 64 KB (ratio ~1000)."""
    base = xlsx(TICKET_ROWS)
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for _ in range(64):
                part.write(b" " * (1 << 20))
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def far_cell(row: int, column: int, keep_dimension: bool = True) -> bytes:
    """A 5 KB .xlsx with one stray value at (row, column): a sheet of billions of cells."""
    data = xlsx(TICKET_ROWS, prepare=lambda book, sheet: sheet.write(row, column, "x"))
    if keep_dimension:
        return data
    return rezip(data, {"xl/worksheets/sheet1.xml": lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml)})


def title_block_csv() -> bytes:
    """A GBK export from a Chinese system: title, export time, a blank line, then the header (row 4)."""
    lines = ["售后服务工单明细表,,,,", "导出时间：2024-03-05 10:00,,,,导出人：张三", ",,,,"]
    return text([*lines, *tickets_csv(3).decode().splitlines()], encoding="gbk", newline="\r\n")


def merged_report() -> bytes:
    """A hand-made report: merged title, a region merged over two rows, a 合计 row and a signature line."""

    def prepare(book, sheet):
        centre = book.add_format({"align": "center"})
        sheet.merge_range(0, 0, 0, 4, "2024年3月售后工单汇总", centre)
        sheet.merge_range(3, 4, 4, 4, "华北", centre)
        sheet.merge_range(5, 0, 5, 2, "合计", centre)
        sheet.write_formula(5, 3, "=SUM(D3:D5)", None, 60)

    rows = [
        [],
        ["工单号", "创建时间", "解决时间", "人工成本", "区域"],
        ["M1", "2024-03-01 08:00", "2024-03-01 12:00", 10, "华东"],
        ["M2", "2024-03-02 08:00", "2024-03-02 12:00", 20],
        ["M3", "2024-03-03 08:00", "2024-03-03 12:00", 30],
        [],
        ["制表人：张三"],
    ]
    return xlsx(rows, sheet="汇总", prepare=prepare)


def formula_xlsx() -> bytes:
    def prepare(book, sheet):
        sheet.write_formula(1, 3, '=HYPERLINK("http://example.invalid/x","点我")', None, "点我")
        sheet.write_formula(2, 3, '=WEBSERVICE("http://example.invalid/leak")', None, "李娜")

    rows = [
        ["工单号", "创建时间", "解决时间", "工程师"],
        ["F1", "2024-03-01 08:00", "2024-03-01 12:00"],
        ["F2", "2024-03-02 08:00", None],
    ]
    return xlsx(rows, prepare=prepare)


@cache
def one_long_line() -> bytes:
    """10 MB on one line: an export whose line breaks were lost (500,000 fields)."""
    record = "T1,2024-03-01 08:00,张伟,电话,"
    return (record * (10_000_000 // len(record.encode()))).encode()


@cache
def long_comment() -> bytes:
    comment = "等了三天才有人上门，" * 350_000  # 10.5 MB of UTF-8 in one cell
    return text(["提交时间,满意度,评价内容", f"2024-03-01 10:00,2,{comment}", "2024-03-02 10:00,5,很满意"])


def wide_file() -> bytes:
    header = ["工单号", "创建时间"] + [f"字段{i}" for i in range(3, 10_001)]
    row = ["T1", "2024-03-01 08:00"] + [""] * 9_998
    return text([",".join(header), ",".join(row)])


def mixed_encodings() -> bytes:
    """Two exports pasted together: lines in UTF-8 and lines in GBK."""
    utf8 = "工单号,创建时间,渠道\nU1,2024-03-01 08:00,电话\nU2,2024-03-02 08:00,微信\n".encode()
    return utf8 + "G1,2024-03-03 08:00,上门服务\nG2,2024-03-04 08:00,官网\n".encode("gbk")


def utf16_unicode_text() -> bytes:
    lines = ["工单号\t创建时间\t渠道", "W1\t2024-03-01 08:00\t电话", "W2\t2024-03-02 08:00\t微信"]
    return b"\xff\xfe" + "\r\n".join([*lines, ""]).encode("utf-16-le")


def customers_csv() -> bytes:
    return text(
        [
            "客户编号,区域,注册日期,是否流失",
            "C1,华东,2023/1/5,否",
            "C2,华北,2023/2/8,是",
            "C3,华南,2023/3/9,否",
        ]
    )


def surveys_csv(rows: list[str], header: str = "提交时间,工单号,满意度,推荐意愿") -> bytes:
    return text([header, *rows])


GOOD = tickets_csv(2, prefix="G")


# --- the corpus -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One corpus entry: files uploaded in order; the expectations are about the last one."""

    id: str
    outcome: str  # one line for the issue note
    files: tuple[tuple[str, str, Callable[[], bytes]], ...]
    error: str | None = None  # InputError key, or None when the file loads
    params: dict[str, str] = field(default_factory=dict)  # some of the error's parameters
    used: int | None = None
    reasons: dict[tuple[str, str, str], int] = field(default_factory=dict)
    tables: dict[str, int] | None = None  # rows loaded per table after every file
    replaced: int = 0
    kpis: dict[str, object] = field(default_factory=dict)  # numbers `python -m lib kpis` must print
    env: dict[str, str] = field(default_factory=dict)  # lowered limits for this case
    column: tuple[str, list[object]] | None = None  # a canonical column of the rows used


def one(
    table: str, name: str, build: Callable[[], bytes]
) -> tuple[tuple[str, str, Callable[[], bytes]], ...]:
    return ((table, name, build),)


def const(data: bytes) -> Callable[[], bytes]:
    return lambda: data


CASES: tuple[Case, ...] = (
    Case("empty", "0-byte file → read.empty", one("tickets", "empty.csv", const(b"")), error="read.empty"),
    Case(
        "header_only",
        "header row, no data → read.header_only",
        one("tickets", "header.csv", const("工单号,创建时间\r\n".encode())),
        error="read.header_only",
    ),
    Case(
        "whitespace_only",
        "only spaces, tabs and line breaks → read.empty",
        one("tickets", "blank.csv", const(b"  \r\n\t\n   \n")),
        error="read.empty",
    ),
    Case(
        "png_as_csv",
        "a PNG image renamed .csv → read.binary",
        one("tickets", "photo.csv", png),
        error="read.binary",
    ),
    Case(
        "pdf_as_xlsx",
        "a PDF renamed .xlsx → read.binary",
        one("tickets", "report.xlsx", pdf),
        error="read.binary",
    ),
    Case(
        "zip_bomb_xlsx",
        "decompression bomb: 64 MB sheet XML packed into ~64 KB → read.excel_ratio (limit 200×), before parsing",
        one("tickets", "bomb.xlsx", zip_bomb),
        error="read.excel_ratio",
        params={"part": "xl/worksheets/sheet1.xml", "limit": "200", "env": "AFTERSIGHT_MAX_EXCEL_RATIO"},
    ),
    Case(
        "tiny_file_huge_sheet",
        "5 KB .xlsx with one value in cell XFD1048576 (17 billion cells) → read.excel_sparse, before parsing",
        one("tickets", "stray.xlsx", lambda: far_cell(1_048_575, 16_383)),
        error="read.excel_sparse",
        params={"sheet": "工单", "corner": "XFD1048576"},
    ),
    Case(
        "huge_sheet_no_dimension",
        "the same without its <dimension> element: the reader process hits its memory limit → read.excel_memory",
        one("tickets", "stray2.xlsx", lambda: far_cell(1_048_575, 16_383, keep_dimension=False)),
        error="read.excel_memory",
        params={"limit": "2,048", "env": "AFTERSIGHT_EXCEL_MEMORY_MB"},
    ),
    Case(
        "excel_timeout",
        "a workbook read with AFTERSIGHT_EXCEL_SECONDS=0.05 → read.excel_timeout (the reader process is killed)",
        one("tickets", "slow.xlsx", lambda: xlsx(TICKET_ROWS)),
        error="read.excel_timeout",
        env={"AFTERSIGHT_EXCEL_SECONDS": "0.05"},
    ),
    Case(
        "excel_unpacked_limit",
        "a workbook over AFTERSIGHT_MAX_EXCEL_UNPACKED_MB (set to 0.01) → read.excel_unpacked",
        one("tickets", "big.xlsx", lambda: xlsx(TICKET_ROWS)),
        error="read.excel_unpacked",
        env={"AFTERSIGHT_MAX_EXCEL_UNPACKED_MB": "0.01"},
    ),
    Case(
        "password_xlsx",
        "password-protected .xlsx (OLE file with EncryptionInfo + EncryptedPackage) → read.encrypted",
        one(
            "tickets",
            "locked.xlsx",
            lambda: cfb(
                {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": bytes(600)}
            ),
        ),
        error="read.encrypted",
    ),
    Case(
        "xls_old_format",
        "Excel 97-2003 .xls (BIFF8) → read and loaded (2 rows)",
        one("tickets", "old.xls", lambda: xls("工单", EXCEL_ROWS)),
        used=2,
        tables={"tickets": 2},
    ),
    Case(
        "xls_unreadable",
        "an .xls holding no workbook (another OLE document) → read.xls: save as .xlsx or CSV",
        one("tickets", "other.xls", lambda: cfb({"WordDocument": bytes(100)})),
        error="read.xls",
    ),
    Case(
        "xlsb",
        "Excel binary workbook .xlsb → read and loaded (2 rows)",
        one("tickets", "binary.xlsb", lambda: xlsb("工单", EXCEL_ROWS)),
        used=2,
        tables={"tickets": 2},
    ),
    Case(
        "ods",
        "OpenDocument .ods (LibreOffice/WPS) → read and loaded (2 rows)",
        one("tickets", "calc.ods", lambda: ods("工单", EXCEL_ROWS)),
        used=2,
        tables={"tickets": 2},
    ),
    Case(
        "html_as_xls",
        "an HTML table saved as .xls by a ticket system → read.unsupported: save as CSV/.xlsx",
        one("tickets", "export.xls", const(b"<html><body><table><tr><td>id</td></tr></table></body></html>")),
        error="read.unsupported",
    ),
    Case(
        "ten_mb_single_line",
        "10 MB on one line (line breaks lost, 500,000 fields) → read.too_many_columns before parsing",
        one("tickets", "oneline.csv", one_long_line),
        error="read.too_many_columns",
        params={"limit": "1,000", "env": "AFTERSIGHT_MAX_COLUMNS"},
    ),
    Case(
        "ten_mb_cell",
        "a 10 MB comment in one cell → row kept, comment cut to 32,767 characters, flagged text_truncated",
        one("surveys", "comments.csv", long_comment),
        used=2,
        reasons={("text_truncated", "comment", "flagged"): 1},
        tables={"surveys": 2},
        kpis={"survey_responses": 2},
    ),
    Case(
        "ten_thousand_columns",
        "10,000 columns → read.too_many_columns (limit 1,000)",
        one("tickets", "wide.csv", wide_file),
        error="read.too_many_columns",
    ),
    Case(
        "too_many_rows",
        "150 rows with AFTERSIGHT_MAX_ROWS=100 → read.too_many_rows",
        one(
            "tickets",
            "long.csv",
            lambda: text(["工单号,创建时间"] + [f"L{i},2024-03-01 08:00" for i in range(150)]),
        ),
        error="read.too_many_rows",
        params={"rows": "150", "limit": "100", "env": "AFTERSIGHT_MAX_ROWS"},
        env={"AFTERSIGHT_MAX_ROWS": "100"},
    ),
    Case(
        "duplicate_headers",
        "two columns named 工单号 and two named 创建时间 → the second of each renamed _2, the first mapped; 2 rows",
        one(
            "tickets",
            "dup_headers.csv",
            const(
                text(
                    [
                        "工单号,创建时间,工单号,创建时间",
                        "D1,2024-03-01 08:00,X,昨天",
                        "D2,2024-03-02 08:00,Y,今天",
                    ]
                )
            ),
        ),
        used=2,
        tables={"tickets": 2},
        column=("ticket_id", ["D1", "D2"]),
    ),
    Case(
        "title_block_csv",
        "GBK CSV with a title, an export line and a blank line above the header (row 4) → header found, 2 title rows counted",
        one("tickets", "明细.csv", title_block_csv),
        used=3,
        reasons={("title_rows", "", "excluded"): 2},
        tables={"tickets": 3},
    ),
    Case(
        "merged_report_xlsx",
        "merged title, region merged over 2 rows, 合计 row, signature line → region filled down, "
        "1 title row, 1 total_row and 1 empty_required (the signature) counted; 3 rows",
        one("tickets", "汇总.xlsx", merged_report),
        used=3,
        reasons={
            ("title_rows", "", "excluded"): 1,
            ("total_row", "", "excluded"): 1,
            ("empty_required", "created_at", "excluded"): 1,
        },
        tables={"tickets": 3},
        column=("region", ["华东", "华北", "华北"]),
        kpis={"labor_cost_total": 60.0},
    ),
    Case(
        "totals_rows_csv",
        "a Total and a 小计 line in a CSV export → 2 total_row excluded, sums not counted as tickets",
        one(
            "tickets",
            "totals.csv",
            const(
                text(
                    [
                        "工单号,创建时间,人工成本",
                        "S1,2024-03-01 08:00,10",
                        "小计,,10",
                        "S2,2024-03-02 08:00,5",
                        "Total,,15",
                    ]
                )
            ),
        ),
        used=2,
        reasons={("total_row", "", "excluded"): 2},
        tables={"tickets": 2},
        kpis={"cost_total": 15.0},
    ),
    Case(
        "mixed_gbk_utf8",
        "UTF-8 lines and GBK lines in one file → decoded line by line, no garbled text; 4 rows",
        one("tickets", "mixed.csv", mixed_encodings),
        used=4,
        tables={"tickets": 4},
        column=("channel", ["电话", "微信", "上门服务", "官网"]),
    ),
    Case(
        "utf16_unicode_text",
        "Excel “Unicode text”: UTF-16 LE with BOM, tab-separated, CRLF → 2 rows",
        one("tickets", "unicode.txt", utf16_unicode_text),
        used=2,
        tables={"tickets": 2},
        column=("channel", ["电话", "微信"]),
    ),
    Case(
        "semicolon_separated",
        "semicolon-separated (Excel in a European locale) → 3 rows",
        one("tickets", "semi.csv", lambda: tickets_csv(3).replace(b",", b";")),
        used=3,
        tables={"tickets": 3},
    ),
    Case(
        "tab_separated",
        "tab-separated .tsv → 3 rows",
        one("tickets", "tabs.tsv", lambda: tickets_csv(3).replace(b",", b"\t")),
        used=3,
        tables={"tickets": 3},
    ),
    Case(
        "quoted_newlines",
        "a quoted comment with line breaks and commas inside → 2 answers, comment intact",
        one(
            "surveys",
            "quoted.csv",
            const(
                text(
                    [
                        "提交时间,满意度,评价内容",
                        '2024-03-01 10:00,4,"师傅很准时,\n但是配件要等"',
                        "2024-03-02 10:00,5,好",
                    ]
                )
            ),
        ),
        used=2,
        tables={"surveys": 2},
        column=("comment", ["师傅很准时,\n但是配件要等", "好"]),
    ),
    Case(
        "three_date_forms",
        "2024-03-01 08:30, 2024/3/2 9:15 and 2024年3月3日 10时05分 in one column → all 3 parsed",
        one(
            "tickets",
            "dates.csv",
            const(
                text(
                    ["工单号,创建时间", "A1,2024-03-01 08:30", "A2,2024/3/2 9:15", "A3,2024年3月3日 10时05分"]
                )
            ),
        ),
        used=3,
        tables={"tickets": 3},
        column=(
            "created_at",
            [datetime(2024, 3, 1, 8, 30), datetime(2024, 3, 2, 9, 15), datetime(2024, 3, 3, 10, 5)],
        ),
    ),
    Case(
        "excel_serial_dates",
        "Excel serial day numbers (45352.5) as text in a CSV and as numbers in an .xlsx → parsed as dates",
        (
            ("tickets", "serial.csv", const(text(["工单号,创建时间", "E1,45352.5", "E2,45353.25"]))),
            (
                "tickets",
                "serial.xlsx",
                lambda: xlsx([["工单号", "创建时间"], ["E3", 45354.75], ["E4", 45355]]),
            ),
        ),
        used=2,
        tables={"tickets": 4},
        column=("created_at", [datetime(2024, 3, 3, 18), datetime(2024, 3, 4)]),
    ),
    Case(
        "unix_time",
        "Unix seconds as text in a CSV and milliseconds as numbers in an .xlsx, under a date header → read as "
        "UTC and shown in Asia/Shanghai",
        (
            # 1709253000 s is 2024-03-01 00:30 UTC: 08:30 in Shanghai; each next value one day later.
            ("tickets", "unix.csv", const(text(["工单号,创建时间", "U1,1709253000", "U2,1709339400"]))),
            (
                "tickets",
                "unix.xlsx",
                lambda: xlsx([["工单号", "创建时间"], ["U3", 1709425800000], ["U4", 1709512200000]]),
            ),
        ),
        used=2,
        tables={"tickets": 4},
        column=("created_at", [datetime(2024, 3, 3, 8, 30), datetime(2024, 3, 4, 8, 30)]),
    ),
    Case(
        "times_without_dates",
        "created_at holding only 08:30-style times in 2 of 4 rows → 2 rows excluded as time_without_date",
        one(
            "tickets",
            "times.csv",
            const(
                text(
                    [
                        "工单号,创建时间",
                        "H1,2024-03-01 08:30",
                        "H2,08:30",
                        "H3,下午 2:05",
                        "H4,2024-03-02 09:00",
                    ]
                )
            ),
        ),
        used=2,
        reasons={("time_without_date", "created_at", "excluded"): 2},
        tables={"tickets": 2},
    ),
    Case(
        "timezone_suffixes",
        "2024-03-01T08:30:00+08:00, …Z, … UTC → converted to the team's zone (Asia/Shanghai, UTC+8), 3 rows",
        one(
            "tickets",
            "tz.csv",
            const(
                text(
                    [
                        "工单号,创建时间",
                        "Z1,2024-03-01T08:30:00+08:00",
                        "Z2,2024-03-01T00:30:00Z",
                        "Z3,2024-03-02 09:00:00 UTC",
                    ]
                )
            ),
        ),
        used=3,
        tables={"tickets": 3},
        column=(
            "created_at",
            [datetime(2024, 3, 1, 8, 30), datetime(2024, 3, 1, 8, 30), datetime(2024, 3, 2, 17)],
        ),
    ),
    Case(
        "negative_and_absurd_durations",
        "resolved before created (kept, left out of durations), resolved 1970-01-01 08:00 and 2099-12-31 "
        "(cleared as implausible_date) → 4 rows, 1 resolved with a valid duration",
        one(
            "tickets",
            "durations.csv",
            const(
                text(
                    [
                        "工单号,创建时间,解决时间",
                        "N1,2024-03-01 08:00,2024-03-01 12:00",
                        "N2,2024-03-02 08:00,2024-03-01 08:00",
                        "N3,2024-03-03 08:00,1970-01-01 08:00",
                        "N4,2024-03-04 08:00,2099-12-31 23:59",
                    ]
                )
            ),
        ),
        used=4,
        reasons={
            ("implausible_date", "resolved_at", "flagged"): 2,
            ("resolved_before_created", "resolved_at", "flagged"): 1,
        },
        tables={"tickets": 4},
        kpis={"resolved": 2, "resolution_hours_mean": 4.0},
    ),
    Case(
        "numbers_with_symbols",
        "costs written 1,234.50 / ¥1,200 / 300元 / ￥45 / 15% → parsed, nothing flagged",
        one(
            "tickets",
            "costs.csv",
            const(
                text(
                    [
                        "工单号,创建时间,人工成本,备件成本",
                        'C1,2024-03-01 08:00,"1,234.50",300元',
                        'C2,2024-03-02 08:00,"¥1,200",￥45',
                        "C3,2024-03-03 08:00,15%,0",
                    ]
                )
            ),
        ),
        used=3,
        tables={"tickets": 3},
        kpis={"cost_total": 2794.5},
    ),
    Case(
        "booleans_mixed",
        "是/否/Y/N/1/0/TRUE in 是否投诉 → parsed, nothing flagged; 4 complaints of 7",
        one(
            "tickets",
            "flags.csv",
            const(
                text(
                    ["工单号,创建时间,是否投诉"]
                    + [
                        f"B{i},2024-03-0{i} 08:00,{v}"
                        for i, v in enumerate(["是", "否", "Y", "N", "1", "0", "TRUE"], 1)
                    ]
                )
            ),
        ),
        used=7,
        tables={"tickets": 7},
        kpis={"complaints": 4},
    ),
    Case(
        "scores_0_to_10",
        "满意度 answered on 0–10 where 1–5 is expected → all 20 scores cleared as wrong_scale, CSAT not available",
        one(
            "surveys",
            "csat10.csv",
            const(surveys_csv([f"2024-03-{i:02d} 10:00,T{i},{(i * 7) % 11}," for i in range(1, 21)])),
        ),
        used=20,
        reasons={("wrong_scale", "csat", "flagged"): 20},
        tables={"surveys": 20},
        kpis={"csat": None, "survey_responses": 20},
    ),
    Case(
        "nps_as_text",
        "NPS written 9分 / 10分 / 6 分 / 7分 → parsed; NPS = 25",
        one(
            "surveys",
            "nps.csv",
            const(
                surveys_csv(
                    [
                        "2024-03-01 10:00,T1,5,9分",
                        "2024-03-02 10:00,T2,4,10分",
                        "2024-03-03 10:00,T3,2,6 分",
                        "2024-03-04 10:00,T4,4,7分",
                    ]
                )
            ),
        ),
        used=4,
        tables={"surveys": 4},
        kpis={"nps": 25.0},
    ),
    Case(
        "duplicate_ids_across_files",
        "T3 in both of two uploads → the later row replaces the earlier (replaced = 1); 4 distinct tickets",
        (
            ("tickets", "march_a.csv", lambda: tickets_csv(3)),
            (
                "tickets",
                "march_b.csv",
                lambda: text(["工单号,创建时间", "T3,2024-03-09 08:00", "T4,2024-03-10 08:00"]),
            ),
        ),
        used=2,
        tables={"tickets": 4},
        replaced=1,
        kpis={"tickets": 4},
    ),
    Case(
        "same_file_twice",
        "the same file uploaded twice → every row replaced by itself (replaced = 3); still 3 tickets",
        (("tickets", "same.csv", lambda: tickets_csv(3)), ("tickets", "same.csv", lambda: tickets_csv(3))),
        used=3,
        tables={"tickets": 3},
        replaced=3,
        kpis={"tickets": 3},
    ),
    Case(
        "only_future_dates",
        "every created_at in 2099 → validate.no_rows naming implausible_date; earlier data kept",
        one(
            "tickets",
            "future.csv",
            const(text(["工单号,创建时间", "F1,2099-03-01 08:00", "F2,2099-03-02 08:00"])),
        ),
        error="validate.no_rows",
        params={"reason": "implausible_date", "field": "created_at"},
    ),
    Case(
        "customers_without_tickets",
        "a customers file alone → loads as customers (3 rows, 1 churned); the CLI needs --tickets beside it",
        one("customers", "customers.csv", customers_csv),
        used=3,
        tables={"customers": 3},
        kpis={"churn_rate": 1 / 3},
    ),
    Case(
        "customers_as_tickets",
        "a customers file given where tickets are expected → mapping.missing naming the ticket id",
        one("tickets", "customers.csv", customers_csv),
        error="mapping.missing",
        params={"field": "ticket_id"},
    ),
    Case(
        "formula_cells_csv",
        "=HYPERLINK(…) and =cmd|… typed in CSV cells → kept as literal text, never evaluated",
        one(
            "tickets",
            "formula.csv",
            const(
                text(
                    [
                        "工单号,创建时间,工程师",
                        'Q1,2024-03-01 08:00,"=HYPERLINK(""http://example.invalid"",""点我"")"',
                        "Q2,2024-03-02 08:00,=cmd|' /C calc'!A0",
                    ]
                )
            ),
        ),
        used=2,
        tables={"tickets": 2},
        column=("agent", ['=HYPERLINK("http://example.invalid","点我")', "=cmd|' /C calc'!A0"]),
    ),
    Case(
        "formula_cells_xlsx",
        "=HYPERLINK(…) and =WEBSERVICE(…) formulas in an .xlsx → the value Excel saved is read, nothing evaluated or fetched",
        one("tickets", "formula.xlsx", formula_xlsx),
        used=2,
        tables={"tickets": 2},
        column=("agent", ["点我", "李娜"]),
    ),
)


def main(folder: str) -> None:
    """Write every case's files to `folder` (one sub-folder per case)."""
    for case in CASES:
        target = Path(folder) / case.id
        target.mkdir(parents=True, exist_ok=True)
        for _, name, build in case.files:
            (target / name).write_bytes(build())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bad_files")
