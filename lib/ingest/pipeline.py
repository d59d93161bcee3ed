"""One path from file bytes to loaded tables, shared by the Data page, the CLI and the sample."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from lib.engine import shared, store
from lib.errors import InputError
from lib.i18n import t
from lib.ingest import inference, inplace
from lib.ingest.dates import DEFAULT_ZONE
from lib.ingest.mapping import MappingResult
from lib.ingest.raw import ReadResult
from lib.ingest.reading import read_table
from lib.ingest.validation import Validated, validate
from lib.schema import TABLES

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
# From this size a CSV or Parquet file given by path is read in place, in chunks.
INPLACE_MIN_BYTES = 32 << 20
SAMPLE_FILES = {"tickets": "tickets.csv", "surveys": "surveys.csv", "customers": "customers.csv"}


@dataclass(frozen=True)
class Prepared:
    """A file read and mapped, waiting for the user's confirmation."""

    name: str
    table: str
    read: ReadResult  # for a file read in place: its first rows
    mapping: MappingResult
    source: inplace.Source | None = None  # set: DuckDB reads the file in place when loading
    # The file's bytes (and sheet), for a table without an id: tells a file loaded twice (`store.load`).
    fingerprint: str | None = None


def prepare(
    data: bytes,
    name: str,
    table: str | None = None,
    saved: dict[str, str] | None = None,
    sheet: str | None = None,
) -> Prepared:
    """Read `data` and map its headers; `saved` is a mapping from a saved file, used where it fits."""
    read = read_table(data, name, sheet=sheet)
    found = inference.infer(read.frame, table, saved)
    fingerprint = _fingerprint(hashlib.sha256(data), read.sheet) if found.table not in store.KEYS else None
    return Prepared(name, found.table, read, found, fingerprint=fingerprint)


def _fingerprint(digest, sheet: str | None) -> str:
    """The name of a file's content: its SHA-256, and the sheet read (two sheets of one workbook differ)."""
    return f"sha256:{digest.hexdigest()}" + (f"#{sheet}" if sheet else "")


def check(prepared: Prepared, day_order: str | None = None, zone: str = DEFAULT_ZONE) -> Validated:
    """Validate a prepared file, its dates read in the team's `zone`; refuse one with no usable row
    (`InputError("validate.no_rows")`)."""
    validated = validate(prepared.read, prepared.mapping, day_order=day_order, zone=zone)
    if validated.rows_used == 0:
        top = (
            validated.summary.sort("rows", descending=True).row(0, named=True)
            if validated.summary.height
            else None
        )
        raise InputError(
            "validate.no_rows",
            name=prepared.name,
            reason=top["reason"] if top else "—",
            field=top["field"] if top else "—",
        )
    return validated


def ingest(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    day_order: str | None = None,
    replace_all: bool = False,
    validated: Validated | None = None,
    zone: str = DEFAULT_ZONE,
) -> tuple[Validated, store.LoadResult]:
    """Validate a prepared file (unless `validated` is given; dates in the team's `zone`) and load its rows.

    A file with no usable row is refused before anything is changed, so the data
    already loaded stays. `replace_all` clears every table first (the first upload
    replaces the sample data).
    """
    if prepared.source is not None:
        done = inplace.load(
            con,
            prepared.source,
            prepared.mapping,
            day_order,
            replace_all,
            zone=zone,
            fingerprint=prepared.fingerprint,
        )
        if prepared.source.temporary:
            Path(prepared.source.location).unlink(missing_ok=True)  # loaded: the spilled upload goes
        return done
    validated = validated or check(prepared, day_order, zone)
    if replace_all:
        store.clear(con)
    loaded = store.load(con, prepared.table, validated.frame, fingerprint=prepared.fingerprint)
    return validated, loaded


def prepare_source(
    source: inplace.Source, table: str | None = None, saved: dict[str, str] | None = None
) -> Prepared:
    """Map the headers of a file DuckDB will read in place (`lib.ingest.inplace.open_source`), as `prepare` does."""
    found = inference.infer(source.head.frame, table, saved)
    fingerprint = None
    if found.table not in store.KEYS and not source.remote:
        with open(source.location, "rb") as handle:
            fingerprint = _fingerprint(hashlib.file_digest(handle, "sha256"), None)
    return Prepared(source.name, found.table, source.head, found, source, fingerprint)


def prepare_upload(
    data: bytes,
    name: str,
    table: str | None = None,
    saved: dict[str, str] | None = None,
    sheet: str | None = None,
    spill_dir: str | Path | None = None,
) -> Prepared:
    """`prepare` for an upload; a big CSV or Parquet upload is written to `spill_dir` and read in place.

    Reading a big upload whole costs about ten times its size in memory; in place,
    validated in chunks, about two to four times. Its report then comes after loading.
    """
    if spill_dir is None or len(data) < INPLACE_MIN_BYTES or not inplace.readable_start(data[:8]):
        return prepare(data, name, table, saved, sheet)
    path = Path(spill_dir) / f"upload-{uuid.uuid4().hex}.dat"
    path.write_bytes(data)
    try:
        source = inplace.open_source(path, name=name)
    except InputError:
        path.unlink(missing_ok=True)
        return prepare(data, name, table, saved, sheet)  # GBK and other cases only the upload reader handles
    return prepare_source(replace(source, temporary=True), table, saved)


def prepare_path(path: Path, table: str | None = None, saved: dict[str, str] | None = None) -> Prepared:
    """Prepare a file on disk: read in place when it is big Parquet or UTF-8 text, else as an upload."""
    path = Path(path)
    if path.stat().st_size >= INPLACE_MIN_BYTES and inplace.readable_in_place(path):
        try:
            return prepare_source(inplace.open_source(path), table, saved)
        except InputError as error:
            if error.key != "read.encoding":
                raise
            # Not UTF-8 (GBK from Excel): only the upload path decodes that.
    return prepare(path.read_bytes(), path.name, table, saved)


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: dict[str, list[Path]],
    mappings: dict[str, dict[str, str]] | None = None,
    strict_lang: str | None = None,
    zone: str = DEFAULT_ZONE,
) -> list[tuple[Prepared, Validated, store.LoadResult]]:
    """Load files given by table kind (the CLI and the sample data use this), dates in the team's `zone`.

    With `strict_lang`, low-confidence guesses are refused (`inference.strict`), messages in that language.
    """
    done = []
    for table in TABLES:
        for path in paths.get(table, []):
            prepared = prepare_path(Path(path), table, (mappings or {}).get(table))
            if strict_lang:
                prepared = replace(prepared, mapping=inference.strict(prepared.mapping, strict_lang))
            validated, loaded = ingest(con, prepared, zone=zone)
            done.append((prepared, validated, loaded))
    return done


# The sample read and validated once per process (keyed by the files' bytes), copied into each session.
_SAMPLE = shared.Shared("sample", size=1)


def load_sample(con: duckdb.DuckDBPyConnection) -> list[tuple[Prepared, Validated, store.LoadResult]]:
    """Replace the session's tables with the bundled sample data (local times, no offsets: no zone needed).

    The files are read and validated once per server process, into a database of their own;
    each session then gets a copy of those tables (from Arrow, about 0.1 s instead of 2 s) and
    the same validation reports. The copy is the session's own: its uploads change only it.
    """
    key = (
        "sample",
        *(hashlib.sha256((SAMPLE_DIR / name).read_bytes()).hexdigest() for name in SAMPLE_FILES.values()),
    )
    reports, tables = _SAMPLE.get(key, _read_sample)
    store.restore(con, tables)
    return list(reports)  # the list is the caller's; its (frozen) reports are shared


def _read_sample() -> tuple[list[tuple[Prepared, Validated, store.LoadResult]], dict]:
    scratch = store.connect(memory_limit="1GB", threads=2, purpose="shared")
    try:
        reports = load_paths(scratch, {table: [SAMPLE_DIR / name] for table, name in SAMPLE_FILES.items()})
        return reports, store.snapshot(scratch)
    finally:
        store.close(scratch)


def skipped_sentence(loaded: store.LoadResult, lang: str) -> str | None:
    """The answers not added again because identical ones were already loaded, in words (None: there were none)."""
    if not loaded.skipped:
        return None
    key = "load.skipped_same_file" if loaded.same_file else "load.skipped_rows"
    return t(key, lang, rows=f"{loaded.skipped:,}")


def reloaded_sentence(name: str, loaded: store.LoadResult, lang: str, escape=str) -> str | None:
    """A file loaded before whose answers were added again all the same: read another way (another mapping).

    Tables with an id need no such warning: their rows replaced the earlier ones.
    """
    if loaded.table in store.KEYS or not (loaded.same_file and loaded.added):
        return None
    return t("load.same_file_added", lang, name=escape(name), rows=f"{loaded.added:,}")
