"""File bytes to a raw table: sniff format, encoding and delimiter, read every cell, count empty rows."""

from __future__ import annotations

import io

import polars as pl

from lib.errors import InputError
from lib.ingest.limits import limit, limit_params
from lib.ingest.raw import ReadResult, error_detail, header_names, to_result
from lib.ingest.text_files import read_text
from lib.ingest.workbooks import OLE, ZIP, in_reader_process, is_xlsx_name, read_workbook

_PARQUET = b"PAR1"
# Files people upload by mistake: screenshots, PDFs, archives, programs.
BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"%PDF",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
    b"II*\x00",
    b"MM\x00*",
    b"BZh",
)
# OLE directory entries are UTF-16LE; an encrypted .xlsx keeps its workbook in this stream,
# an old .xls in "Workbook" (Excel 97-2003) or "Book" (Excel 5).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))


def read_table(data: bytes, name: str, sheet: str | None = None) -> ReadResult:
    """Read an uploaded CSV/TSV, Excel (.xlsx, .xls, .xlsb, .ods) or Parquet file into a table.

    Workbooks are parsed in a separate process with a memory and time limit
    (see `lib.ingest.limits.LIMITS`): a hostile file costs that process, never the app.

    Parameters
    ----------
    data : bytes
        The whole file.
    name : str
        The file name as uploaded; used in messages and as a hint only, the
        format is decided from the content.
    sheet : str, optional
        The Excel sheet to read; default the first sheet with data.

    Returns
    -------
    ReadResult

    Raises
    ------
    InputError
        With a `read.*` key when the file cannot be read as a table.
    """
    if not data:
        raise InputError("read.empty", name=name)
    if data.startswith(ZIP):
        return read_workbook(data, name, sheet)
    if data.startswith(_PARQUET):
        return _read_parquet(data, name)
    if data.startswith(OLE):
        if _ENCRYPTED_STREAM in data:
            raise InputError("read.encrypted", name=name)
        if not any(stream in data for stream in _XLS_STREAMS):
            raise InputError("read.encrypted" if is_xlsx_name(name) else "read.xls", name=name)
        return read_workbook(data, name, sheet)
    if data.startswith(BINARY_MAGIC):
        raise InputError("read.binary", name=name)
    return read_text(data, name)


def list_sheets(data: bytes) -> tuple[str, ...]:
    """The sheet names of an Excel workbook, in workbook order.

    Returns an empty tuple when `data` is not a readable workbook; `read_table`
    then says what is wrong with it.
    """
    if not data.startswith((*ZIP, OLE)):
        return ()
    try:
        meta, _ = in_reader_process("sheets", data, "", None)
    except InputError:
        return ()
    return tuple(meta.get("sheets", ()))


# --- Parquet --------------------------------------------------------------------


def _read_parquet(data: bytes, name: str) -> ReadResult:
    try:
        width = len(pl.read_parquet_schema(io.BytesIO(data)))
        if width > limit("columns"):
            raise InputError(
                "read.too_many_columns", name=name, columns=f"{width:,}", **limit_params("columns")
            )
        # One row over the limit is enough to say the file is over it.
        frame = pl.read_parquet(io.BytesIO(data), n_rows=int(limit("rows")) + 1)
    except InputError:
        raise
    except Exception as exc:
        raise InputError("read.bad_parquet", name=name, detail=error_detail(exc)) from None
    if frame.width == 0:
        raise InputError("read.empty", name=name)
    frame.columns = header_names(frame.columns)
    return to_result(frame, name, "parquet")
