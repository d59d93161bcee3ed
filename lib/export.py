"""Safe downloads: CSV and Excel bytes with spreadsheet formula injection neutralised."""

from __future__ import annotations

import io
import re

import polars as pl
import xlsxwriter

# A cell starting with one of these can be run as a formula (or DDE command) by Excel,
# LibreOffice and Google Sheets; prefixing "'" makes it plain text (OWASP "CSV Injection").
# Text that already starts with "'" before one of them gets one more, so that the reader
# (lib.ingest.raw.clean_strings, which drops one "'" from such cells) gives back exactly what was exported.
_FORMULA_START = r"^'*[=+\-@\t\r]"
_UTF8_BOM = b"\xef\xbb\xbf"

# Excel: at most 31 characters, none of []:*?/\ , no apostrophe at either end,
# unique ignoring case, and not "History" (reserved for change tracking).
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

# xlsxwriter options: write every str as a string (never a formula, URL or number) and
# write timezone-aware datetimes as their wall-clock time (Excel has no timezones).
_WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
# Polars' default float format shows negatives in red with 3 decimals; a KPI export
# (e.g. NPS -20) should not look like an alarm.
_XLSX_DTYPE_FORMATS = {frozenset({pl.Float32, pl.Float64}): "#,##0.00"}


def _neutralise_text(text: str) -> str:
    return "'" + text if re.match(_FORMULA_START, text) else text


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to text cells and header names that a spreadsheet would run as formulas.

    Only text (String, Categorical, Enum) columns change; numbers, dates and booleans
    keep their type, so ``-3`` stays a number while the text ``"-3"`` becomes ``"'-3"``.

    Parameters
    ----------
    frame : pl.DataFrame
        Any frame; categorical columns come back as String.

    Returns
    -------
    pl.DataFrame
        Same shape, renamed headers where needed.
    """
    text_columns = [
        name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical, pl.Enum)
    ]
    cells = frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text_columns
    )
    return cells.rename({name: _neutralise_text(name) for name in frame.columns})


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV for Excel: UTF-8 with BOM, comma separated, header row, formulas neutralised.

    Datetimes are written ``YYYY-MM-DD HH:MM:SS``, dates ``YYYY-MM-DD``, nulls as empty
    fields.

    Parameters
    ----------
    frame : pl.DataFrame
        The table to download.

    Returns
    -------
    bytes
        The file content, starting with the UTF-8 byte order mark.
    """
    buffer = io.BytesIO()
    neutralise(frame).write_csv(
        buffer,
        include_bom=True,
        separator=",",
        datetime_format="%Y-%m-%d %H:%M:%S",
        date_format="%Y-%m-%d",
        null_value="",
    )
    content = buffer.getvalue()
    # Guard against a Polars release changing what include_bom does.
    return content if content.startswith(_UTF8_BOM) else _UTF8_BOM + content


def sheet_names(names: list[str]) -> list[str]:
    """Valid, unique Excel sheet names for ``names``, in the same order.

    Forbidden characters become ``_``, names are cut to 31 characters, the reserved
    ``History`` becomes ``History_``, and repeats
    (ignoring case, as Excel does) get `` (2)``, `` (3)``… within the limit.
    """
    taken: set[str] = set()
    result = []
    for name in names:
        base = _SHEET_NAME_BAD.sub("_", str(name)).strip().strip("'").strip() or "Sheet"
        base = base[:_SHEET_NAME_MAX]
        if base.casefold() == "history":
            base += "_"
        candidate, number = base, 1
        while candidate.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            candidate = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def xlsx_bytes(sheets: dict[str, pl.DataFrame]) -> bytes:
    """Excel workbook with one sheet per entry, formulas neutralised as in `csv_bytes`.

    Text is written as text (xlsxwriter never turns it into a formula, link or number);
    dates and numbers keep their Excel types and get readable formats.

    Parameters
    ----------
    sheets : dict[str, pl.DataFrame]
        Sheet title → table. Titles are made valid with `sheet_names`.

    Returns
    -------
    bytes
        The .xlsx file content.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
    for name, frame in zip(sheet_names(list(sheets)), sheets.values(), strict=True):
        neutralise(frame).write_excel(
            workbook,
            name,
            dtype_formats=_XLSX_DTYPE_FORMATS,
            autofit=True,
            freeze_panes=(1, 0),
        )
    if not sheets:
        # An .xlsx needs at least one sheet to open in Excel.
        workbook.add_worksheet(sheet_names(["Sheet"])[0])
    workbook.close()
    return buffer.getvalue()
