"""Session bundle: every loaded table, the column mappings and the settings in one zip the user keeps.

A browser refresh starts a new Streamlit session with nothing of the old one (NOTES.md);
the bundle is how a user carries their work over. Reading one is reading an untrusted
upload: the zip's directory, member names and sizes are checked before anything is
unpacked, each table is read with the row and column caps of `lib.ingest.limits.LIMITS`, and
its columns must be the canonical fields with their types. Nothing is changed in the
database unless the whole bundle is good.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from lib.engine import store
from lib.errors import InputError
from lib.ingest import mapping
from lib.ingest.limits import LIMITS, limit
from lib.schema import TABLES

BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
SETTINGS = "mapping.json"  # the same document as the mapping file (`lib.ingest.mapping.dumps`)
TABLE_MEMBERS = {f"{table}.parquet": table for table in store.TABLE_NAMES}
MEMBERS = (MANIFEST, SETTINGS, *TABLE_MEMBERS)
MAX_JSON_BYTES = 4 << 20
MAX_TABLE_BYTES = 1 << 30
# A Parquet part is compressed already: stored in the zip it does not grow at all. One
# that grows more than this (and is over 8 MB) was packed to be a decompression bomb.
MAX_RATIO = 20
_RATIO_MIN_BYTES = 8 << 20
# The zip's central directory, checked before `zipfile` parses it: five members need
# well under 1 KB; a crafted directory of millions of entries would cost gigabytes.
_MAX_DIRECTORY_BYTES = 64 << 10
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
# The column the store derives for tickets (`store.load`): saved and restored as it is.
_DERIVED = {"tickets": ("repeat_contact",)}
_DTYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "datetime": pl.Datetime("us"),
    "int": pl.Int64(),
    "number": pl.Float64(),
    "bool": pl.Boolean(),
}


@dataclass(frozen=True)
class Bundle:
    """A read and checked bundle, ready to restore."""

    tables: dict[str, pl.DataFrame]
    mappings: dict[str, dict[str, str]]
    settings: dict
    created: datetime | None  # when it was saved (None: the manifest did not say)


def file_name(now: datetime) -> str:
    """The download's name, e.g. ``aftersight-session-20250314-0930.zip``."""
    return f"aftersight-session-{now:%Y%m%d-%H%M}.zip"


def dumps(
    con: duckdb.DuckDBPyConnection,
    mappings: dict[str, dict[str, str]],
    settings: dict,
    now: datetime | None = None,
) -> bytes:
    """The bundle of this session: each loaded table as Parquet, mappings and settings, a manifest.

    Parameters
    ----------
    con : the session's database (read through its own cursor: Streamlit builds
        downloads on another thread).
    mappings : column mappings per table, as the mapping file saves them.
    settings : `lib.ui.session.saved_settings()`: targets, company events, churn actions.
    now : the time written into the manifest (default: now).
    """
    now = now or datetime.now()
    cursor = con.cursor()
    stamp = now.timetuple()[:6]
    manifest: dict = {
        "aftersight_bundle": BUNDLE_VERSION,
        "created": now.isoformat(timespec="seconds"),
        "tables": {},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for table in store.tables(cursor):
            frame = pl.from_arrow(cursor.sql(f"SELECT * FROM {store.quote(table)}").to_arrow_table())
            part = io.BytesIO()
            frame.write_parquet(part, compression="zstd")
            # Stored, not deflated: Parquet is compressed already, and a reader can then
            # refuse any part that grows (MAX_RATIO).
            archive.writestr(zipfile.ZipInfo(f"{table}.parquet", stamp), part.getvalue(), zipfile.ZIP_STORED)
            manifest["tables"][table] = {"rows": frame.height, "columns": frame.columns}
        document = mapping.dumps(mappings, settings)
        archive.writestr(zipfile.ZipInfo(SETTINGS, stamp), document, zipfile.ZIP_DEFLATED)
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        archive.writestr(zipfile.ZipInfo(MANIFEST, stamp), text, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def loads(data: bytes, name: str) -> Bundle:
    """Read and check a bundle; nothing is loaded yet.

    Raises
    ------
    InputError
        `read.bundle_bad` (not a bundle, or damaged), `read.bundle_version` (saved by a
        newer Aftersight), `read.bundle_too_large`, or the reader's `read.too_many_rows` /
        `read.too_many_columns` when a table is over those limits.
    """
    archive = _open(data, name)
    infos = {info.filename: info for info in archive.infolist()}
    for member in (MANIFEST, SETTINGS):
        if member not in infos:
            raise _bad(name, f"{member} is missing")
    manifest = _json(archive, infos[MANIFEST], name)
    version = manifest.get("aftersight_bundle") if isinstance(manifest, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(name, f"{MANIFEST} is not an Aftersight manifest")
    if version > BUNDLE_VERSION:
        raise InputError("read.bundle_version", name=name, version=version, supported=BUNDLE_VERSION)
    listed = manifest.get("tables")
    if not isinstance(listed, dict) or not set(listed) <= set(store.TABLE_NAMES):
        raise _bad(name, f"{MANIFEST} lists unknown tables")
    document = _member(archive, infos[SETTINGS], name, MAX_JSON_BYTES)
    try:
        mappings, settings = mapping.loads(document)
    except InputError as error:
        raise _bad(name, f"{SETTINGS}: {error.params.get('detail', '')}") from None
    tables = {}
    for member, table in TABLE_MEMBERS.items():
        if (member in infos) != (table in listed):
            raise _bad(name, f"{member} and {MANIFEST} do not agree")
        if member in infos:
            frame = _table(archive, infos[member], table, name)
            rows = listed[table].get("rows") if isinstance(listed[table], dict) else None
            if rows != frame.height:
                raise _bad(name, f"{member} has {frame.height:,} rows, {MANIFEST} says {rows}")
            tables[table] = frame
    return Bundle(tables, mappings, settings, _created(manifest.get("created")))


def restore(con: duckdb.DuckDBPyConnection, bundle: Bundle) -> dict[str, int]:
    """Replace every loaded table with the bundle's, in one transaction; returns rows per table.

    Rows keep their saved order and tickets their saved `repeat_contact`, so every KPI
    comes out exactly as before (sums of the same numbers in another order can differ
    in the last digit). A bundle whose tickets lack the derived column gets it from
    `store.load`, as an upload would.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        store.clear(con)
        for table in store.TABLE_NAMES:
            frame = bundle.tables.get(table)
            if frame is None:
                continue
            if (
                any(c not in frame.columns for c in _DERIVED.get(table, ()))
                and "customer_id" in frame.columns
            ):
                store.load(con, table, frame, append=False)
            else:
                _create(con, table, frame)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return store.tables(con)


def _create(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    # A real table, not a view of the frame: cursors (other threads) see only tables (NOTES.md).
    con.register("_bundle_table", frame.to_arrow())
    try:
        con.execute(f"CREATE TABLE {store.quote(table)} AS SELECT * FROM _bundle_table")
    finally:
        con.unregister("_bundle_table")


# --- reading, bounded ---------------------------------------------------------------------


def _bad(name: str, detail: str) -> InputError:
    return InputError("read.bundle_bad", name=name, detail=detail[:160])


def _open(data: bytes, name: str) -> zipfile.ZipFile:
    """The zip, after checking its directory is small enough to parse."""
    if not data.startswith(b"PK\x03\x04"):
        raise _bad(name, "not a zip file")
    tail = data[-(0xFFFF + 22) :]
    end = tail.rfind(_END_OF_DIRECTORY)
    if end < 0 or len(tail) - end < 22:
        raise _bad(name, "no zip directory")
    if end >= 20 and tail[end - 20 : end - 16] == _ZIP64_LOCATOR:
        raise _bad(name, "zip64 archives are not bundles")
    entries = int.from_bytes(tail[end + 10 : end + 12], "little")
    directory = int.from_bytes(tail[end + 12 : end + 16], "little")
    if entries > len(MEMBERS) or directory > _MAX_DIRECTORY_BYTES:
        raise _bad(name, f"{entries:,} files in the zip, a bundle has at most {len(MEMBERS)}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _bad(name, str(exc)) from None
    names = [info.filename for info in infos]
    if len(infos) > len(MEMBERS) or len(set(names)) != len(names):
        raise _bad(name, "unexpected files in the zip")
    for info in infos:
        if info.filename not in MEMBERS:
            raise _bad(name, f"unexpected file {info.filename!r}")
        if info.flag_bits & 0x1:
            raise _bad(name, f"{info.filename} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _bad(name, f"{info.filename} uses an unsupported compression")
    return archive


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, cap: int) -> bytes:
    """A member's bytes; never more than `cap` are unpacked, whatever the directory claims."""
    grows = info.file_size > max(info.compress_size, 1) * MAX_RATIO and info.file_size > _RATIO_MIN_BYTES
    if info.file_size > cap or grows:
        raise InputError(
            "read.bundle_too_large",
            name=name,
            part=info.filename,
            size_mb=f"{info.file_size / 2**20:,.0f}",
            limit_mb=f"{cap / 2**20:,.0f}",
        )
    try:
        with archive.open(info) as member:
            blob = member.read(cap + 1)
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, EOFError) as exc:
        raise _bad(name, f"{info.filename}: {exc}") from None
    if len(blob) > cap:
        raise InputError(
            "read.bundle_too_large",
            name=name,
            part=info.filename,
            size_mb=f"> {cap / 2**20:,.0f}",
            limit_mb=f"{cap / 2**20:,.0f}",
        )
    return blob


def _json(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> object:
    try:
        return json.loads(_member(archive, info, name, MAX_JSON_BYTES))
    except (ValueError, RecursionError) as exc:
        raise _bad(name, f"{info.filename}: {exc}") from None


def _table(archive: zipfile.ZipFile, info: zipfile.ZipInfo, table: str, name: str) -> pl.DataFrame:
    """One table, its columns and types checked against the schema before its rows are read."""
    blob = _member(archive, info, name, MAX_TABLE_BYTES)
    where = f"{name} › {info.filename}"
    try:
        schema = pl.read_parquet_schema(io.BytesIO(blob))
    except Exception as exc:
        raise _bad(name, f"{info.filename}: {exc}") from None
    if len(schema) > limit("columns"):
        raise InputError(
            "read.too_many_columns", name=where, columns=f"{len(schema):,}", **_limit_params("columns")
        )
    casts = _casts(schema, table, name, info.filename)
    try:
        frame = pl.read_parquet(io.BytesIO(blob), n_rows=int(limit("rows")) + 1)
    except Exception as exc:
        raise _bad(name, f"{info.filename}: {exc}") from None
    if frame.height > limit("rows"):
        raise InputError("read.too_many_rows", name=where, rows=f"{frame.height:,}", **_limit_params("rows"))
    cap = int(limit("cell_chars"))
    return frame.cast(casts).with_columns(pl.col(pl.String).str.slice(0, cap))


def casts(schema: dict, table: str, name: str, member: str) -> dict[str, pl.DataType]:
    """`_casts` for a table kept elsewhere (the team workspace's Parquet files): the same column checks."""
    return _casts(schema, table, name, member)


def _casts(schema: dict, table: str, name: str, member: str) -> dict[str, pl.DataType]:
    """The casts that bring a table to the store's types; refuse unknown columns and other types."""
    fields = {f.name: f for f in TABLES[table]}
    expected = {n: _DTYPES[f.type] for n, f in fields.items()} | dict.fromkeys(
        _DERIVED.get(table, ()), pl.Boolean()
    )
    missing = [f.name for f in TABLES[table] if f.required and f.name not in schema]
    if missing:
        raise _bad(name, f"{member}: the required column {missing[0]!r} is missing")
    casts = {}
    for column, dtype in schema.items():
        want = expected.get(column)
        if want is None:
            raise _bad(name, f"{member}: {column[:40]!r} is not a {table} field")
        if dtype == want:
            continue
        same_kind = dtype.base_type() == want.base_type() and getattr(dtype, "time_zone", None) is None
        if dtype != pl.Null and not same_kind:
            raise _bad(name, f"{member}: {column!r} is {dtype}, expected {want}")
        casts[column] = want
    return casts


def _limit_params(name: str) -> dict[str, str]:
    value = limit(name)
    return {"limit": f"{value:,.0f}", "env": LIMITS[name].env}


def _created(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        return None
