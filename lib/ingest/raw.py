"""The raw table a reader returns (`ReadResult`), and what every reader does to it: clean, name, count, cap."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from lib.errors import InputError
from lib.ingest.limits import limit, limit_params

# A title block above the header is looked for in this many rows.
HEADER_SCAN = 30
_DATA_CELL = re.compile(r"[\d\s.,:/年月日时分秒+-]+$")
# A cell lib.export protected from spreadsheet formulas: "'" then "'"s and = + - @ tab CR.
_EXPORT_GUARD = r"^'('*[=+\-@\t\r])"


@dataclass(frozen=True)
class ReadResult:
    """A file read as a table, with how it was read.

    `frame` has one column per header, cells trimmed and empty cells null; CSV
    columns are all String, Excel and Parquet keep their native types.
    `header_row` is the spreadsheet row of the header (1 unless a title block
    or blank lines came first), `title_rows` the non-empty rows above it, and
    `row_numbers` the spreadsheet row of each frame row when empty rows were
    dropped in between (None: they follow the header one by one).
    """

    frame: pl.DataFrame
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheets: tuple[str, ...]
    empty_rows: int
    trailing_empty_rows: int
    header_row: int = 1
    title_rows: int = 0
    row_numbers: pl.Series | None = None


def filled_rows(frame: pl.DataFrame) -> pl.Series:
    """Indexes of the rows with at least one value."""
    return frame.select(~pl.all_horizontal(pl.all().is_null())).to_series().arg_true()


def header_position(counts: list[int]) -> tuple[int, int]:
    """First row whose filled-cell count is over half the median of the non-empty rows, and the titles above it."""
    full = sorted(c for c in counts if c)
    if not full:
        return 0, 0
    typical = full[(len(full) - 1) // 2]
    for index, count in enumerate(counts):
        if count * 2 > typical:
            return index, sum(1 for c in counts[:index] if c)
    return 0, 0


def looks_like_data(cells: Sequence[object]) -> bool:
    """Whether most filled cells of a row are numbers or dates: a record, not a header.

    Keeps a header that names only a few of its columns from being taken for a title.
    """
    filled = [c for c in cells if c is not None]
    data = sum(1 for c in filled if not isinstance(c, str) or _DATA_CELL.match(c))
    return data * 2 >= len(filled) > 0


def to_result(
    frame: pl.DataFrame,
    name: str,
    fmt: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    sheets: tuple[str, ...] = (),
    clean: bool = True,
    lenient: bool = False,
    header_row: int = 1,
    title_rows: int = 0,
    row_limit: bool = True,
) -> ReadResult | None:
    """Trim cells, drop and count empty rows, apply the row and column limits.

    No rows left raises `read.header_only` (or gives None when `lenient`).
    `row_limit` False: the frame is only the head of a file read in place.
    """
    if clean:
        frame = clean_strings(frame)
    if frame.width > limit("columns"):
        raise InputError(
            "read.too_many_columns", name=name, columns=f"{frame.width:,}", **limit_params("columns")
        )
    filled = filled_rows(frame)
    if filled.len() == 0:
        if lenient:
            return None
        raise InputError("read.header_only", name=name)
    if row_limit and filled.len() > limit("rows"):
        raise InputError("read.too_many_rows", name=name, rows=f"{filled.len():,}", **limit_params("rows"))
    last = filled[-1]
    trailing = frame.height - 1 - last
    empty = last + 1 - filled.len()
    frame = frame.slice(0, last + 1)
    row_numbers = None
    if empty:
        frame = frame.gather(filled)
        row_numbers = (filled.cast(pl.Int64) + header_row + 1).alias("row")
    return ReadResult(
        frame, fmt, encoding, delimiter, sheet, sheets, empty, trailing, header_row, title_rows, row_numbers
    )


def clean_strings(frame: pl.DataFrame) -> pl.DataFrame:
    """Trim every text cell; empty or whitespace-only cells become null; undo our exports' "'" guard.

    `lib.export` writes a text cell a spreadsheet would run as a formula with a leading
    "'" (`'=SUM(A1)`, `'+86 热线`); such a cell reads back as the value it was, so an
    export uploaded again gives the same categories and KPIs.
    """
    texts = pl.col(pl.String)
    # Two steps, not one `when(trimmed.len_bytes() > 0).then(trimmed)`: Polars does not share the
    # trim between the condition and the value across a multi-column expression, so that trims
    # every cell twice (1M rows, 17 columns: 0.75 s CPU against 0.32 s). An empty cell after the
    # trim is a byte-length check; when/then is cheaper than replace("", None) on wide frames.
    frame = frame.with_columns(texts.str.strip_chars()).with_columns(
        pl.when(texts.str.len_bytes() > 0).then(texts)
    )
    # Only columns holding such a cell are rewritten: the regex over every cell costs
    # 1.3 s at 1M rows, the check 0.05 s.
    texts = frame.select(pl.col(pl.String).str.starts_with("'").any())
    guarded = [
        name for name, found in zip(texts.columns, texts.row(0) if texts.width else (), strict=True) if found
    ]
    return frame.with_columns(pl.col(guarded).str.replace(_EXPORT_GUARD, "$1")) if guarded else frame


def name_columns(frame: pl.DataFrame, header: Sequence[object]) -> pl.DataFrame:
    """Name columns after the header cells; drop columns with neither a header nor data.

    A trailing delimiter on every line, or a formatted but empty Excel column, makes
    such a column; one with data but no header is kept as `column_<n>`.
    """
    frame.columns = header_names(header)
    unnamed = [c for c, cell in zip(frame.columns, header, strict=True) if not str(cell or "").strip()]
    return frame.drop([c for c in unnamed if frame[c].null_count() == frame.height])


def header_names(cells: Sequence[object]) -> list[str]:
    """Trimmed, unique header names; an empty header is named by its position (`column_3`).

    Repeats get `_2`, `_3`. Names are compared case-insensitively because DuckDB
    identifiers are, even quoted ("ID" and "id" cannot both be columns).
    """
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        # A line break typed inside a header cell (Alt+Enter) is layout, not part of the name.
        text = " ".join(("" if cell is None else str(cell)).replace("\ufeff", "").split())
        base = text or f"column_{position}"
        candidate, n = base, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate.casefold())
        names.append(candidate)
    return names


def error_detail(exc: BaseException) -> str:
    """The first line of a library error, at most 120 characters."""
    lines = str(exc).strip().splitlines()
    text = lines[0].strip() if lines else type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"
