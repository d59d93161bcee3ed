"""One path from file bytes to loaded tables, shared by the Data page, the CLI and the sample."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from lib import store
from lib.errors import InputError
from lib.mapping import MappingResult, apply_overrides, auto_map
from lib.reading import ReadResult, read_table
from lib.schema import TABLES
from lib.validation import Validated, validate

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_FILES = {"tickets": "tickets.csv", "surveys": "surveys.csv", "customers": "customers.csv"}


@dataclass(frozen=True)
class Prepared:
    """A file read and mapped, waiting for the user's confirmation."""

    name: str
    table: str
    read: ReadResult
    mapping: MappingResult


def guess_table(headers: list[str]) -> str:
    """The table kind whose required fields the headers cover best (tickets on a tie)."""

    def fit(table: str) -> tuple[int, int]:
        result = auto_map(table, headers)
        return (-len(result.missing_required), len(result.columns))

    return max(("tickets", "surveys", "customers"), key=fit)


def prepare(
    data: bytes,
    name: str,
    table: str | None = None,
    saved: dict[str, str] | None = None,
    sheet: str | None = None,
) -> Prepared:
    """Read `data` and map its headers; `saved` is a mapping from a saved file, used where it fits."""
    read = read_table(data, name, sheet=sheet)
    headers = list(read.frame.columns)
    table = table or guess_table(headers)
    mapping = auto_map(table, headers)
    if saved:
        merged = {**mapping.columns, **{k: v for k, v in saved.items() if v in headers}}
        mapping = apply_overrides(table, headers, merged)
    return Prepared(name, table, read, mapping)


def check(prepared: Prepared, day_order: str | None = None) -> Validated:
    """Validate a prepared file; refuse one with no usable row (`InputError("validate.no_rows")`)."""
    validated = validate(prepared.read, prepared.mapping, day_order=day_order)
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
) -> tuple[Validated, store.LoadResult]:
    """Validate a prepared file (unless `validated` is given) and load its usable rows.

    A file with no usable row is refused before anything is changed, so the data
    already loaded stays. `replace_all` clears every table first (the first upload
    replaces the sample data).
    """
    validated = validated or check(prepared, day_order)
    if replace_all:
        store.clear(con)
    loaded = store.load(con, prepared.table, validated.frame)
    return validated, loaded


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: dict[str, list[Path]],
    mappings: dict[str, dict[str, str]] | None = None,
) -> list[tuple[Prepared, Validated, store.LoadResult]]:
    """Load files given by table kind (the CLI and the sample data use this)."""
    done = []
    for table in TABLES:
        for path in paths.get(table, []):
            prepared = prepare(Path(path).read_bytes(), Path(path).name, table, (mappings or {}).get(table))
            validated, loaded = ingest(con, prepared)
            done.append((prepared, validated, loaded))
    return done


def load_sample(con: duckdb.DuckDBPyConnection) -> list[tuple[Prepared, Validated, store.LoadResult]]:
    """Replace the session's tables with the bundled sample data."""
    store.clear(con)
    return load_paths(con, {table: [SAMPLE_DIR / name] for table, name in SAMPLE_FILES.items()})
