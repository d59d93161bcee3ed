"""Excel workbooks (.xlsx, .xls, .xlsb, .ods) to a raw table, read in a separate process under limits."""

from __future__ import annotations

import html
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import zipfile
from datetime import time
from pathlib import Path

import polars as pl

from lib.errors import InputError
from lib.ingest.limits import limit, limit_params
from lib.ingest.raw import (
    HEADER_SCAN,
    ReadResult,
    clean_strings,
    error_detail,
    header_position,
    looks_like_data,
    name_columns,
    to_result,
)

# Empty columns are normal in users' sheets; fastexcel logs a warning on stderr for each.
logging.getLogger("fastexcel.types.dtype").setLevel(logging.ERROR)

ZIP = (b"PK\x03\x04", b"PK\x05\x06")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_MANGLED = re.compile(r"(.*)_(\d+)")
# A part this small is harmless whatever its ratio (a sheet of repeated values packs 50:1).
_RATIO_MIN_BYTES = 8 << 20
# A sheet whose used range has more cells than this many per compressed byte of its XML
# is mostly empty space: a stray cell far away, or a crafted "tiny file, huge sheet".
# The reader would allocate every cell of the range (a 5 KB file, cell CV200000: 1 GB, 4 s).
_SPARSE_CELLS_PER_BYTE = 1_000
_SPARSE_MIN_CELLS = 1_000_000
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')
_VALUED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"(?:\s[^>]*)?(?<!/)>')
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')
_MERGE_SCAN_BYTES = 16 << 20


def is_xlsx_name(name: str) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm"))


# --- Excel: in a separate, limited process ---------------------------------------

_ROOT = Path(__file__).resolve().parents[2]
# Names this module: a move of `_reader_process` that misses it breaks Excel uploads only at run time.
_CHILD = f"import sys; sys.path.insert(0, {str(_ROOT)!r}); from lib.ingest.workbooks import _reader_process; _reader_process()"
_ROW_COLUMN = "\x00row_number"  # carries ReadResult.row_numbers through the Arrow stream
_OUT_OF_MEMORY = 3
_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _excel_slots() -> threading.BoundedSemaphore:
    """At most `excel_workers` reader processes at once, each within its memory limit."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(1, int(limit("excel_workers"))))
        return _slots


def read_workbook(data: bytes, name: str, sheet: str | None) -> ReadResult:
    meta, frame = in_reader_process("read", data, name, sheet)
    assert frame is not None
    rows = None
    if _ROW_COLUMN in frame.columns:
        rows, frame = frame[_ROW_COLUMN].alias("row"), frame.drop(_ROW_COLUMN)
    return ReadResult(
        frame,
        meta["format"],
        None,
        None,
        meta["sheet"],
        tuple(meta["sheets"]),
        meta["empty_rows"],
        meta["trailing_empty_rows"],
        meta["header_row"],
        meta["title_rows"],
        rows,
    )


def in_reader_process(
    mode: str, data: bytes, name: str, sheet: str | None
) -> tuple[dict[str, object], pl.DataFrame | None]:
    """Run `_reader_process` on `data` under the memory and time limits; its answer, or its error raised here.

    A subprocess rather than a thread: only a process can be given an address-space
    limit (RLIMIT_AS) and be killed on timeout without harming the app. Costs about
    0.4 s per workbook (starting Python and importing Polars).
    """
    request = json.dumps({"mode": mode, "name": name, "sheet": sheet})
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}  # each Polars thread reserves address space
    with _excel_slots():
        try:
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, request],
                input=data,
                capture_output=True,
                timeout=limit("excel_seconds"),
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise InputError("read.excel_timeout", name=name, **limit_params("excel_seconds")) from None
    if done.returncode != 0:
        errors = done.stderr.decode("utf-8", "replace")
        # Rust aborts on a failed allocation; the kernel kills with SIGKILL; Python raises MemoryError.
        if (
            done.returncode in (_OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGKILL)
            or "memory allocation" in errors
        ):
            raise InputError("read.excel_memory", name=name, **limit_params("excel_memory_mb"))
        lines = errors.strip().splitlines()
        detail = lines[-1] if lines else f"the reader stopped with code {done.returncode}"
        raise InputError("read.bad_excel", name=name, detail=error_detail(ValueError(detail)))
    header, _, payload = done.stdout.partition(b"\n")
    meta = json.loads(header)
    if "error" in meta:
        raise InputError(meta["error"], **meta["params"])
    return meta, pl.read_ipc(io.BytesIO(payload)) if payload else None


def _reader_process() -> None:
    """The reader process: request in argv, file on stdin; one JSON line, then the table as Arrow IPC, on stdout."""
    import resource

    memory = int(limit("excel_memory_mb") * 2**20)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory = min(memory, hard)  # a container may already cap it lower
    resource.setrlimit(resource.RLIMIT_AS, (memory, hard if hard != resource.RLIM_INFINITY else memory))
    request = json.loads(sys.argv[1])
    frame = None
    try:
        data = sys.stdin.buffer.read()
        if request["mode"] == "sheets":
            if data.startswith(ZIP):
                _archive_format(_open_archive(data, ""), "")  # a zip bomb is refused here too
            meta: dict[str, object] = {"sheets": list(_open_workbook(data, "").sheet_names)}
        else:
            result = _read_workbook_here(data, request["name"], request["sheet"])
            meta = {
                "format": result.format,
                "sheet": result.sheet,
                "sheets": list(result.sheets),
                "empty_rows": result.empty_rows,
                "trailing_empty_rows": result.trailing_empty_rows,
                "header_row": result.header_row,
                "title_rows": result.title_rows,
            }
            frame = result.frame
            if result.row_numbers is not None:
                frame = frame.with_columns(result.row_numbers.alias(_ROW_COLUMN))
        out = io.BytesIO()
        out.write(json.dumps(meta, ensure_ascii=False).encode() + b"\n")
        if frame is not None:
            frame.write_ipc(out)
    except InputError as error:
        params = {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in error.params.items()}
        out = io.BytesIO(
            json.dumps({"error": error.key, "params": params}, ensure_ascii=False).encode() + b"\n"
        )
    except MemoryError:
        os._exit(_OUT_OF_MEMORY)
    sys.stdout.buffer.write(out.getvalue())
    sys.stdout.flush()


def _open_workbook(data: bytes, name: str):
    import fastexcel

    try:
        return fastexcel.read_excel(data)
    except Exception as exc:
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise InputError("read.encrypted", name=name) from None
        if data.startswith(OLE):
            raise InputError("read.encrypted" if is_xlsx_name(name) else "read.xls", name=name) from None
        raise InputError("read.bad_excel", name=name, detail=error_detail(exc)) from None


def _read_workbook_here(data: bytes, name: str, sheet: str | None) -> ReadResult:
    """Read a workbook in this process: call only inside the limited reader process."""
    archive, parts, fmt = None, {}, "xls"
    if data.startswith(ZIP):
        archive = _open_archive(data, name)
        fmt = _archive_format(archive, name)
        if fmt == "xlsx":
            parts = _sheet_parts(archive)
    # polars.read_excel(engine="calamine") wraps fastexcel; calling it directly opens the
    # workbook once for all sheets and can treat whitespace-only cells as empty.
    reader = _open_workbook(data, name)
    sheets = tuple(reader.sheet_names)
    if sheet is not None and sheet not in sheets:
        raise InputError("read.sheet_missing", name=name, sheet=sheet)
    header_only, hidden = False, None
    for candidate in (sheet,) if sheet is not None else sheets:
        part = parts.get(candidate)
        top = _check_extent(archive, part, candidate, name) if archive and part else 1
        try:
            loaded = reader.load_sheet(candidate, schema_sample_rows=None, whitespace_as_null=True)
            frame = loaded.to_polars()
        except MemoryError:
            raise
        except Exception as exc:
            raise InputError("read.bad_excel", name=name, detail=error_detail(exc)) from None
        if frame.width == 0:
            continue
        if archive and part:
            frame = _fill_merged(frame, archive, part)
        result = _sheet_result(frame, name, fmt, candidate, sheets, top)
        if result is None:
            header_only = True
        elif loaded.visible == "visible":
            return result
        elif hidden is None:
            hidden = result  # a hidden lookup sheet: only if no visible sheet has data
    if hidden is not None:
        return hidden
    if header_only:
        raise InputError("read.header_only", name=name)
    if sheet is not None:
        raise InputError("read.sheet_empty", name=name, sheet=sheet)
    raise InputError("read.no_sheet_data", name=name)


def _sheet_result(
    frame: pl.DataFrame, name: str, fmt: str, sheet: str, sheets: tuple[str, ...], top: int
) -> ReadResult | None:
    """One loaded sheet as a ReadResult: title block skipped, headers named, types refined."""
    # fastexcel names a column without header "__UNNAMED__<index>"; asking it for column
    # info instead costs a tenth of the load.
    written = [None if c == f"__UNNAMED__{i}" else c for i, c in enumerate(frame.columns)]
    frame = clean_strings(frame)
    # fastexcel took the first row as the header; a title block above the real one
    # shows as a header with one or two names over rows that are wider.
    counts = [sum(1 for c in written if c is not None and c.strip())]
    counts += (
        frame.head(HEADER_SCAN - 1).select(pl.sum_horizontal(pl.all().is_not_null())).to_series().to_list()
    )
    at, title_rows = header_position(counts)
    if at and looks_like_data(frame.row(at - 1)):
        at, title_rows = 0, 0
    if at == 0:
        frame = name_columns(frame, _unmangle(written))
    else:
        header = [None if cell is None else str(cell) for cell in frame.row(at - 1)]
        frame = name_columns(frame.slice(at), header)
    return to_result(
        _refine_excel_types(frame),
        name,
        fmt,
        sheet=sheet,
        sheets=sheets,
        clean=False,
        lenient=True,
        header_row=top + at,
        title_rows=title_rows,
    )


def _open_archive(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError("read.bad_excel", name=name, detail=error_detail(exc)) from None


def _archive_format(archive: zipfile.ZipFile, name: str) -> str:
    """xlsx, xlsb or ods, after checking that no part unzips to more than the limits allow."""
    infos = archive.infolist()
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limit("excel_unpacked_mb") * 2**20:
        raise InputError(
            "read.excel_unpacked",
            name=name,
            size_mb=f"{unpacked / 2**20:,.0f}",
            **limit_params("excel_unpacked_mb"),
        )
    ratio = limit("excel_ratio")
    for info in infos:
        if info.file_size > _RATIO_MIN_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            grown = info.file_size / max(info.compress_size, 1)
            raise InputError(
                "read.excel_ratio",
                name=name,
                part=info.filename,
                ratio=f"{grown:,.0f}",
                **limit_params("excel_ratio"),
            )
    entries = {info.filename.lower() for info in infos}
    if "xl/workbook.xml" in entries:
        return "xlsx"
    if "xl/workbook.bin" in entries:
        return "xlsb"
    if (
        "mimetype" in entries
        and archive.read(archive.getinfo(_original(archive, "mimetype"))).strip() == _ODS_MIMETYPE
    ):
        return "ods"
    if "mimetype" in entries or any(e.startswith(("word/", "ppt/")) for e in entries):
        raise InputError("read.unsupported", name=name)  # .odt, .docx, .pptx
    raise InputError("read.bad_excel", name=name, detail="a zip archive without a workbook")


def _original(archive: zipfile.ZipFile, lower: str) -> str:
    return next(n for n in archive.namelist() if n.lower() == lower)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part in an .xlsx (from xl/workbook.xml and its relationships)."""
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for tag in re.findall(rb"<Relationship\b[^>]*>", rels):
        ident, target = re.search(rb'\bId="([^"]*)"', tag), re.search(rb'\bTarget="([^"]*)"', tag)
        if ident and target:
            path = html.unescape(target[1].decode())
            targets[ident[1]] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    names = set(archive.namelist())
    parts = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        sheet, ident = re.search(rb'\bname="([^"]*)"', tag), re.search(rb'\br:id="([^"]*)"', tag)
        if sheet and ident and targets.get(ident[1]) in names:
            parts[html.unescape(sheet[1].decode())] = targets[ident[1]]
    return parts


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_extent(archive: zipfile.ZipFile, part: str, sheet: str, name: str) -> int:
    """Refuse a sheet whose used range is far larger than its data; return the range's first row.

    The reader allocates every cell between A1 and the last one, so one value at
    CV200000 in a 5 KB file costs 20 million cells. The `<dimension>` element says
    the range cheaply; it counts formatted empty cells too, so only a suspicious
    one is checked against the cells that really hold values.
    """
    info = archive.getinfo(part)
    with archive.open(info) as stream:
        found = _DIMENSION.search(stream.read(1 << 16))
    if not found:
        return 1
    first_col, first_row = _column_number(found[1]), int(found[2])
    last_col, last_row = (_column_number(found[3]), int(found[4])) if found[3] else (first_col, first_row)
    threshold = max(_SPARSE_MIN_CELLS, _SPARSE_CELLS_PER_BYTE * info.compress_size)
    if (last_row - first_row + 1) * (last_col - first_col + 1) > threshold:
        rows = cols = 0
        tail = b""
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                for letters, row in _VALUED_CELL.findall(block):
                    rows, cols = max(rows, int(row)), max(cols, _column_number(letters))
                tail = block[-64:]
        cells = rows * cols
        if cells > threshold:
            raise InputError(
                "read.excel_sparse",
                name=name,
                sheet=sheet,
                corner=f"{_column_letters(cols)}{rows}",
                cells=f"{cells:,}",
            )
    return first_row


def _fill_merged(frame: pl.DataFrame, archive: zipfile.ZipFile, part: str) -> pl.DataFrame:
    """Give every cell of a vertically merged range the value Excel shows in it.

    Reports merge a region or category over the rows it covers; the reader gives
    the value to the first row only, which would leave the others without one.
    """
    if archive.getinfo(part).file_size > _MERGE_SCAN_BYTES:
        return frame  # merged cells are a feature of hand-made reports, which are small
    xml = archive.read(part)
    merges = [
        (_column_number(a), int(r1), int(r2)) for a, r1, _, r2 in _MERGE.findall(xml) if int(r2) > int(r1)
    ]
    if not merges:
        return frame
    cells = _VALUED_CELL.findall(xml)
    if not cells:
        return frame
    # The frame starts at the first cell holding a value; its first row is the header.
    top = min(int(row) for _, row in cells)
    left = min(_column_number(letters) for letters, _ in cells)
    filled: dict[int, list[object]] = {}
    for column, first, last in merges:
        j, start = column - left, first - top - 1
        if not 0 <= j < frame.width or start < 0 or start >= frame.height:
            continue  # a merge in the header row is layout, not data
        values = filled.setdefault(j, frame.to_series(j).to_list())
        for i in range(start + 1, min(last - top - 1, frame.height - 1) + 1):
            if values[i] is None:
                values[i] = values[start]
    return frame.with_columns(
        pl.Series(frame.columns[j], values, dtype=frame.dtypes[j]) for j, values in filled.items()
    )


def _unmangle(names: list[str | None]) -> list[str | None]:
    """Undo fastexcel's renaming of repeated headers ("id", "id_1", "id_1_1", "id_2")."""
    seen: set[str] = set()
    written = []
    for produced in names:
        original = produced
        match = _MANGLED.fullmatch(produced or "")
        if match and match[1] in seen and all(f"{match[1]}_{i}" in seen for i in range(1, int(match[2]))):
            original = match[1]
        seen.add(produced or "")
        written.append(original)
    return written


def _refine_excel_types(frame: pl.DataFrame) -> pl.DataFrame:
    """Whole-number float columns to Int64, midnight-only datetimes to Date, as polars.read_excel does."""
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    stamps = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    if not floats and not stamps:
        return frame.cast({pl.Null: pl.String})
    checks = [
        ((pl.col(c) == pl.col(c).floor()) & pl.col(c).is_not_nan() & (pl.col(c).abs() < 2**53)).all().alias(c)
        for c in floats
    ] + [(pl.col(c).dt.time() == time(0)).all().alias(c) for c in stamps]
    passed = frame.select(checks).row(0, named=True)
    casts = {c: pl.Int64 for c in floats if passed[c]} | {c: pl.Date for c in stamps if passed[c]}
    return frame.cast(casts).cast({pl.Null: pl.String})
