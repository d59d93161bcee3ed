"""Big files read where they lie: DuckDB streams a CSV or Parquet file in chunks through the uploads' validation.

Uploads are read whole into Polars (`lib.ingest.reading`), which costs about ten times the
file in memory. A file from the administrator's data folder (`lib.ingest.datafolder`) is
instead read by DuckDB in place, `CHUNK_ROWS` rows at a time; each chunk goes
through the very same cleaning and `lib.ingest.validation.validate` as an upload, and its
usable rows are appended to a staging table of the session database. What depends
on the whole file is settled over all chunks: duplicate ids (the last row wins),
answers repeated exactly (flagged), the day order of dates like 03/04/2024 and the
0–10 score scale (when the first chunks suggested otherwise, the file is read a
second time with the whole file's decision). The result equals an upload of the
same file, and the rows exist once: in DuckDB.

Limits: text must be UTF-8 (GBK files go through the upload path); DuckDB skips
blank lines, so they are neither counted as empty rows nor numbered; a quoted value
spanning lines above the header shifts the header line.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from lib.engine import store
from lib.errors import InputError
from lib.ingest.dates import DEFAULT_ZONE, day_order_from_votes, day_order_votes, has_year_last
from lib.ingest.limits import limit, limit_params
from lib.ingest.mapping import MappingResult, require_complete
from lib.ingest.raw import ReadResult, clean_strings, error_detail, filled_rows, header_names, to_result
from lib.ingest.reading import BINARY_MAGIC
from lib.ingest.text_files import read_head
from lib.ingest.validation import (
    ID_FIELD,
    ROW,
    ScaleStats,
    Validated,
    _issue,
    _summary,
    scale_stats,
    validate,
)
from lib.schema import TABLES

# Rows per chunk: about 60 MB of strings for a 17-column ticket export. Smaller chunks
# cost more Python overhead per row; larger ones more memory.
CHUNK_ROWS = int(os.environ.get("AFTERSIGHT_CHUNK_ROWS", "") or 200_000)
_HEAD_BYTES = 1 << 20
_HEAD_ROWS = 5_000
_PARQUET = b"PAR1"
# Workbooks (zip, OLE) and the binaries of `lib.ingest.reading`: read as uploads are.
_NOT_TEXT = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0", *BINARY_MAGIC)
_STAGED = "_staged_{table}"


@dataclass(frozen=True)
class Source:
    """A file DuckDB can read in place, and its first rows (`head`) for the mapping step."""

    location: str  # a local path, or an s3:// or https:// URL
    name: str
    format: str  # "csv" or "parquet"
    head: ReadResult
    names: tuple[str | None, ...]  # per column position; None: dropped (no header, no data)
    width: int
    skip: int = 0
    quote: str | None = None
    size: int | None = None
    remote: bool = False
    temporary: bool = False  # an upload spilled to the session's temp folder: delete once loaded


def readable_in_place(path: str | Path) -> bool:
    """Whether DuckDB can read this local file in place: Parquet, or text (not a workbook or binary)."""
    with open(path, "rb") as handle:
        return readable_start(handle.read(8))


def readable_start(start: bytes) -> bool:
    """Whether a file starting with these bytes is Parquet or text (see `readable_in_place`)."""
    return start.startswith(_PARQUET) or not start.startswith(_NOT_TEXT)


def open_source(location: str | Path, name: str | None = None, remote: bool = False) -> Source:
    """Look at a local file (or, `remote`, a Parquet URL) and read its first rows.

    Raises
    ------
    InputError
        `read.*` as for an upload; `read.encoding` for text that is not UTF-8.
    """
    location = str(location)
    name = name or Path(location).name
    if remote:
        return _parquet_source(location, name, None, remote=True)
    size = os.path.getsize(location)
    with open(location, "rb") as handle:
        head = handle.read(_HEAD_BYTES + 1)
    if head.startswith(_PARQUET):
        return _parquet_source(location, name, size)
    complete = len(head) <= _HEAD_BYTES
    if not complete:
        end = head.rfind(b"\n")
        if end < 0:
            raise InputError("read.bad_csv", name=name, detail="no line break in the first 1 MB")
        head = head[: end + 1]
    layout = read_head(head, name, complete)
    return Source(
        location, name, "csv", layout.read, layout.names, layout.width, layout.skip, layout.quote, size
    )


def _parquet_source(location: str, name: str, size: int | None, remote: bool = False) -> Source:
    with _reader(location, remote) as con:
        try:
            described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [location]).fetchall()
            if len(described) > limit("columns"):
                raise InputError(
                    "read.too_many_columns",
                    name=name,
                    columns=f"{len(described):,}",
                    **limit_params("columns"),
                )
            head = pl.from_arrow(
                con.sql(
                    "SELECT * FROM read_parquet(?) LIMIT ?", params=[location, _HEAD_ROWS]
                ).to_arrow_table()
            )
        except InputError:
            raise
        except duckdb.Error as exc:
            raise InputError("read.bad_parquet", name=name, detail=error_detail(exc)) from None
    if not described:
        raise InputError("read.empty", name=name)
    names = tuple(header_names([row[0] for row in described]))
    head.columns = list(names)
    read = to_result(head, name, "parquet", row_limit=False)
    return Source(location, name, "parquet", read, names, len(names), size=size, remote=remote)


@contextlib.contextmanager
def _reader(location: str, remote: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection of our own that may read this one file and nothing else.

    Only our fixed SQL runs here, with the location as a parameter; still, a local
    read is confined to the file (`allowed_paths`) and settings are locked.
    """
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": 2,
            "memory_limit": "1GB",
        },
    )
    try:
        con.execute("SET enable_progress_bar = false")  # it would draw on the server's terminal
        if remote:
            try:
                con.execute("LOAD httpfs")  # installed by the administrator; never downloaded here
            except duckdb.Error:
                raise InputError("folder.remote_unavailable", name=location) from None
        else:
            con.execute("SET allowed_paths = ?", [[location]])
            con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()


def _select(source: Source) -> str:
    """The SQL reading every row of `source` (parameter: its location), columns by position."""
    if source.format == "parquet":
        return "SELECT * FROM read_parquet(?)"
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(source.width)) + "}"
    quote = (source.quote or "").replace("'", "''")
    delimiter = source.head.delimiter.replace("'", "''")
    return (
        f"SELECT * FROM read_csv(?, header = false, skip = {int(source.skip)}, auto_detect = false, "
        f"all_varchar = true, delim = '{delimiter}', quote = '{quote}', escape = '{quote}', "
        f"null_padding = true, columns = {columns})"
    )


def chunks(source: Source, rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
    """The file's rows after the header, `rows` at a time, named and cleaned as an upload's are.

    Empty rows are kept (they are counted by the caller).
    """
    keep = [i for i, n in enumerate(source.names) if n is not None]
    names = [source.names[i] for i in keep]
    with _reader(source.location, source.remote) as con:
        try:
            batches = con.sql(_select(source), params=[source.location]).to_arrow_reader(rows)
            for frame in _gathered(batches, rows):
                frame = frame.select(frame.columns[i] for i in keep)
                frame.columns = names
                frame = clean_strings(frame)
                yield frame
                del frame  # not alive while the next chunk is read: one chunk in memory at a time
        except (duckdb.Error, OSError, ValueError) as exc:  # DuckDB's errors come through Arrow's reader too
            key = "read.bad_parquet" if source.format == "parquet" else "read.bad_csv"
            raise InputError(key, name=source.name, detail=error_detail(exc)) from None


def _gathered(batches, rows: int) -> Iterator[pl.DataFrame]:
    """Record batches joined into frames of about `rows` rows.

    DuckDB hands out what one thread read (about 54,000 CSV rows, or a Parquet row
    group); the per-chunk work of validation is cheaper on fewer, larger frames.
    """
    import pyarrow as pa

    pending, count = [], 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            table = pa.Table.from_batches(pending)
            pending, count = [], 0
            yield pl.from_arrow(table)
            del table
    if pending:
        yield pl.from_arrow(pa.Table.from_batches(pending))


@dataclass
class _Pass:
    """What one read of the file found, besides the staged rows."""

    issues: list[pl.DataFrame] = field(default_factory=list)
    filled: int = 0
    empty: int = 0
    trailing: int = 0
    votes: tuple[int, int] = (0, 0)
    year_last: bool = False
    scales: dict[str, ScaleStats] = field(default_factory=dict)
    date_only: bool | None = None  # None until a chunk has a usable row


def _numbered(source: Source, rows: int) -> Iterator[tuple[pl.DataFrame, pl.Series, pl.Series, int]]:
    """Each chunk's non-empty rows, their spreadsheet row numbers, their index in the chunk, and its row count."""
    first_row = source.head.header_row + 1
    offset = 0
    for chunk in chunks(source, rows):
        filled = filled_rows(chunk)
        numbers = (filled.cast(pl.Int64) + offset + first_row).alias("row")
        height = chunk.height
        rows_with_values = chunk if filled.len() == height else chunk.gather(filled)
        del chunk
        yield rows_with_values, numbers, filled, height
        del rows_with_values, numbers, filled
        offset += height


def _stage_pass(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    mapping: MappingResult,
    order: str,
    wrong_scale: frozenset[str],
    staged: str,
    rows: int,
    zone: str,
) -> _Pass:
    """Read the whole file once: validate each chunk (dates read in `zone`), append its usable rows to `staged`."""
    found = _Pass()
    date_headers = [h for f, h in mapping.columns.items() if f in _date_fields(mapping.table)]
    pending = 0  # empty rows since the last row with a value: trailing if nothing follows
    con.execute(f"DROP TABLE IF EXISTS {store.quote(staged)}")
    created = False
    for frame, numbers, filled, height in _numbered(source, rows):
        if frame.height == 0:
            pending += height
            continue
        last = int(filled[-1])
        found.empty += pending + last + 1 - frame.height
        pending = height - 1 - last
        found.filled += frame.height
        if source.temporary and found.filled > limit("rows"):
            # An upload keeps the upload row limit; the administrator's folder files do not.
            over = f"> {limit('rows'):,.0f}"
            raise InputError("read.too_many_rows", name=source.name, rows=over, **limit_params("rows"))
        dates = [frame[h] for h in date_headers]
        if has_year_last(dates):  # most files have none: then there is nothing to count
            found.year_last = True
            votes = day_order_votes(dates)
            found.votes = (found.votes[0] + votes[0], found.votes[1] + votes[1])
        for name, stats in scale_stats(frame, mapping).items():
            found.scales[name] = found.scales[name] + stats if name in found.scales else stats
        read = ReadResult(
            frame, source.format, None, None, None, (), 0, 0, source.head.header_row, 0, numbers
        )
        checked = validate(
            read, mapping, day_order=order, wrong_scale=wrong_scale, decided=True, zone=zone, whole_file=False
        )
        if checked.rows_used:  # a chunk without a usable row says nothing about the times of day
            found.date_only = checked.date_only and found.date_only is not False
        if checked.issues.height or not found.issues:  # the first keeps the columns of an empty report
            found.issues.append(checked.issues)
        con.register("_chunk", checked.frame.to_arrow())
        try:
            if created:
                con.execute(f"INSERT INTO {store.quote(staged)} BY NAME SELECT * FROM _chunk")
            else:
                con.execute(f"CREATE TABLE {store.quote(staged)} AS SELECT * FROM _chunk")
                created = True
        finally:
            con.unregister("_chunk")
        del frame, read, checked, dates, numbers, filled  # before the next chunk is read
    found.trailing = pending
    if not created:
        raise InputError("read.header_only", name=source.name)
    return found


def _date_fields(table: str) -> set[str]:
    return {f.name for f in TABLES[table] if f.type == "datetime"}


def stage(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    mapping: MappingResult,
    day_order: str | None = None,
    rows: int = CHUNK_ROWS,
    zone: str = DEFAULT_ZONE,
) -> tuple[Validated, str]:
    """Validate every row of `source` into a staging table of `con`; the report and the table's name.

    The report is what `lib.ingest.validation.validate` gives for the same file uploaded
    (its `frame` is empty: the rows are in the staging table, with `_row`). A file
    with no usable row raises `InputError("validate.no_rows")` and stages nothing. Each chunk's
    dates are parsed in Polars by `validate`, in the team's `zone` (DuckDB reads CSV cells as text,
    and a Parquet timestamp with a zone arrives as an instant).
    """
    require_complete(mapping)
    table = mapping.table
    staged = _STAGED.format(table=table)
    head_dates = [source.head.frame[h] for f, h in mapping.columns.items() if f in _date_fields(table)]
    order = day_order or day_order_from_votes(*day_order_votes(head_dates)) or "dmy"
    head_scales = scale_stats(source.head.frame, mapping)
    wrong_scale = frozenset(n for n, s in head_scales.items() if s.ten_point())
    try:
        found = _stage_pass(con, source, mapping, order, wrong_scale, staged, rows, zone)
        detected = day_order_from_votes(*found.votes)
        final_order = day_order or detected or "dmy"
        final_scale = frozenset(n for n, s in found.scales.items() if s.ten_point())
        if (found.year_last and final_order != order) or final_scale != wrong_scale:
            # The first rows suggested another reading than the whole file: read it again.
            order, wrong_scale = final_order, final_scale
            found = _stage_pass(con, source, mapping, order, wrong_scale, staged, rows, zone)
        issues = found.issues
        id_field = ID_FIELD.get(table)
        if id_field in mapping.columns:
            issues.append(_duplicates(con, source, mapping, staged, id_field, rows))
        elif id_field is None:
            issues.append(_repeats(con, source, staged, rows))
        issues_frame = pl.concat(issues, how="diagonal_relaxed") if issues else pl.DataFrame()
        issues_frame = issues_frame.sort("row") if issues_frame.height else issues_frame
        counts = ReadResult(
            pl.DataFrame(),
            source.format,
            None,
            None,
            None,
            (),
            found.empty,
            found.trailing,
            source.head.header_row,
            source.head.title_rows,
        )
        used = con.execute(f"SELECT count(*) FROM {store.quote(staged)}").fetchall()[0][0]
        validated = Validated(
            table=table,
            frame=pl.DataFrame(),
            issues=issues_frame,
            summary=_summary(issues_frame, counts),
            rows_read=found.filled + found.empty + found.trailing + source.head.title_rows,
            rows_used=used,
            day_order=order if detected or day_order or found.year_last else None,
            day_order_detected=detected is not None,
            date_only=bool(found.date_only),
        )
        if used == 0:
            summary = validated.summary
            top = summary.sort("rows", descending=True).row(0, named=True) if summary.height else None
            raise InputError(
                "validate.no_rows",
                name=source.name,
                reason=top["reason"] if top else "—",
                field=top["field"] if top else "—",
            )
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {store.quote(staged)}")
        raise
    return validated, staged


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    mapping: MappingResult,
    staged: str,
    id_field: str,
    rows: int,
) -> pl.DataFrame:
    """Rows whose id comes again in a later row of the file: dropped from `staged`, as issue rows.

    The same rule as `lib.ingest.validation._earlier_copies` for an upload, over the whole
    file where its rows are (a chunk does not look: one hash of the ids here instead of one
    per chunk and this one). Only when there are such rows is the file read again, for their
    raw cells in the problem-rows CSV.
    """
    key = store.quote(id_field)
    earlier = pl.from_arrow(
        con.sql(
            f"""SELECT _row FROM {store.quote(staged)}
            WHERE {key} IN (SELECT {key} FROM {store.quote(staged)} GROUP BY 1 HAVING count(*) > 1)
            QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _row DESC) > 1"""
        ).to_arrow_table()
    )
    if earlier.height == 0:
        return pl.DataFrame()
    con.register("_earlier", earlier.to_arrow())
    try:
        con.execute(f"DELETE FROM {store.quote(staged)} WHERE _row IN (SELECT _row FROM _earlier)")
    finally:
        con.unregister("_earlier")
    header = mapping.columns[id_field]
    return _issues_from_file(source, earlier["_row"], rows, "duplicate_id", id_field, "excluded", header)


def _repeats(con: duckdb.DuckDBPyConnection, source: Source, staged: str, rows: int) -> pl.DataFrame:
    """Rows equal in every column to an earlier row of the file (in any chunk): kept, as issue rows.

    The same rule as `lib.ingest.validation._repeated_rows` for an upload, over the
    whole file where its rows are.
    """
    cols = ", ".join(store.quote(c) for c in store.columns(con, staged) if c != ROW)
    later = pl.from_arrow(
        con.sql(
            f"""SELECT _row FROM {store.quote(staged)}
            QUALIFY row_number() OVER (PARTITION BY {cols} ORDER BY _row) > 1"""
        ).to_arrow_table()
    )
    if later.height == 0:
        return pl.DataFrame()
    return _issues_from_file(source, later["_row"], rows, "repeated_row", "", "flagged", None)


def _issues_from_file(
    source: Source, wanted: pl.Series, rows: int, reason: str, field: str, action: str, header: str | None
) -> pl.DataFrame:
    """Issue rows for the file rows numbered `wanted`: their raw cells are read again for the problem-rows CSV."""
    found = []
    for frame, numbers, _, _ in _numbered(source, rows):
        raw = frame.with_columns(numbers.alias(ROW))
        mask = numbers.is_in(wanted.implode())
        if mask.any():
            found.append(_issue(raw, mask, reason, field, action, header))
    return pl.concat(found, how="diagonal_relaxed") if found else pl.DataFrame()


def load(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    mapping: MappingResult,
    day_order: str | None = None,
    replace_all: bool = False,
    rows: int = CHUNK_ROWS,
    zone: str = DEFAULT_ZONE,
    fingerprint: str | None = None,
) -> tuple[Validated, store.LoadResult]:
    """Validate `source` and load its usable rows into `mapping.table` (see `stage`, `store.load_staged`);
    dates read in `zone`."""
    validated, staged = stage(con, source, mapping, day_order, rows, zone)
    if replace_all:
        store.clear(con)
    return validated, store.load_staged(con, mapping.table, staged, fingerprint)
