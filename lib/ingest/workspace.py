"""The team workspace: the team's tables, mappings, settings and load history in one folder, changed atomically.

Layout of the folder the administrator names (`AFTERSIGHT_WORKSPACE`)::

    workspace.json            the manifest: version, tables -> Parquet file, mappings, settings, history
    tables/<table>-<id>.parquet  immutable: a new version of a table is a new file
    .lock                     serialises writers (fcntl.flock)

A change (an addition, an undo, new team settings) writes its new Parquet files beside the old ones,
fsyncs them, writes the new manifest to a temporary file, fsyncs it and switches with one
`os.replace`. A crash at any moment leaves the old manifest or the new one, each naming only
complete files; files no manifest names are garbage, ignored by readers and removed by the next
writer. Writers hold the lock from reading the manifest to the switch, so a second addition
starts from the first one's result: no row is lost or doubled. Readers take no lock.

Rows are added with the upload's own code (`pipeline.ingest` into a scratch database, i.e.
`store.load`): rows with an id already present replace the earlier ones, identical survey
answers are not added twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from lib.engine import store
from lib.errors import InputError
from lib.ingest import bundle, pipeline
from lib.ingest.dates import DEFAULT_ZONE
from lib.ingest.validation import Validated

ENV = "AFTERSIGHT_WORKSPACE"
MANIFEST = "workspace.json"
LOCK = ".lock"
TABLES_DIR = "tables"
FORMAT = 1
# Test hook: the fault tests name a point of a change where the writer kills itself (SIGKILL).
KILL_ENV = "AFTERSIGHT_WORKSPACE_KILL_AT"
KILL_POINTS = ("locked", "table_written", "manifest_written", "switched")


@dataclass(frozen=True)
class Entry:
    """One addition in the history: when, who, which files and what each did; the tables before and after."""

    number: int
    when: str  # ISO time, UTC
    who: str | None
    files: tuple[dict, ...]  # name, table, added, replaced, skipped, excluded
    before: dict[str, dict]
    after: dict[str, dict]

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "when": self.when,
            "who": self.who,
            "files": list(self.files),
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class State:
    """One version of the workspace, as its manifest says."""

    folder: Path
    version: int = 0
    tables: dict[str, dict] = field(default_factory=dict)  # table -> {"file": "tables/…", "rows": n}
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    history: tuple[Entry, ...] = ()

    def counts(self) -> dict[str, int]:
        return {table: int(info["rows"]) for table, info in self.tables.items()}

    def to_dict(self) -> dict:
        return {
            "aftersight_workspace": FORMAT,
            "version": self.version,
            "tables": self.tables,
            "mappings": self.mappings,
            "settings": self.settings,
            "history": [entry.to_dict() for entry in self.history],
        }


@dataclass(frozen=True)
class Item:
    """One file to add: prepared (read and mapped), and validated unless DuckDB reads it in place."""

    prepared: pipeline.Prepared
    validated: Validated | None = None
    day_order: str | None = None


def configured() -> Path | None:
    """The folder named by `AFTERSIGHT_WORKSPACE` (not checked yet), or None when unset."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser() if value else None


# --- reading ------------------------------------------------------------------------------------


def _bad(folder: Path, detail: str) -> InputError:
    return InputError("workspace.bad", folder=str(folder), detail=detail[:200])


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise InputError("workspace.missing", folder=str(folder))
    if not folder.is_dir():
        raise _bad(folder, "it is a file, not a folder")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise InputError("workspace.denied", folder=str(folder))


def stamp(folder: Path) -> tuple[int, int, int] | None:
    """A cheap mark of the manifest's identity: changes with every switch (None: no manifest)."""
    try:
        info = os.stat(Path(folder) / MANIFEST)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def read(folder: Path, check_files: bool = True) -> State:
    """The workspace's current state, checked: every table file there, complete, with its rows.

    A folder without a manifest yet is an empty workspace (version 0).

    Raises
    ------
    InputError
        `workspace.missing`, `workspace.denied`, or `workspace.bad` naming what is wrong
        (a damaged manifest, a missing or truncated table file, a history that does not
        match the tables).
    """
    folder = Path(folder)
    _check_folder(folder)
    path = folder / MANIFEST
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return State(folder)
    except PermissionError:
        raise InputError("workspace.denied", folder=str(folder)) from None
    except OSError as exc:
        raise _bad(folder, f"{MANIFEST}: {exc.strerror or exc}") from None
    state = _parse(folder, text)
    if check_files:
        for table, info in state.tables.items():
            _check_table(folder, table, info)
    return state


def _parse(folder: Path, text: bytes) -> State:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _bad(folder, f"{MANIFEST} is damaged ({exc})") from None
    if not isinstance(doc, dict) or doc.get("aftersight_workspace") != FORMAT:
        raise _bad(folder, f"{MANIFEST} is not an Aftersight workspace manifest")
    try:
        tables = _tables(doc["tables"])
        history = tuple(
            Entry(
                int(e["number"]),
                str(e["when"]),
                e.get("who"),
                tuple(dict(f) for f in e["files"]),
                _tables(e["before"]),
                _tables(e["after"]),
            )
            for e in doc.get("history", [])
        )
        mappings = {
            str(k): {str(a): str(b) for a, b in v.items()} for k, v in doc.get("mappings", {}).items()
        }
        settings = doc.get("settings") or {}
        if not isinstance(settings, dict):
            raise TypeError("settings is not an object")
        version = int(doc["version"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad(folder, f"{MANIFEST} is damaged ({type(exc).__name__}: {exc})") from None
    if history and history[-1].after != tables:
        raise _bad(folder, "its history does not match its tables (the last addition left other files)")
    return State(folder, version, tables, mappings, settings, history)


def _tables(value: object) -> dict[str, dict]:
    if not isinstance(value, dict):
        raise TypeError("tables is not an object")
    out = {}
    for table, info in value.items():
        if table not in store.TABLE_NAMES:
            raise ValueError(f"unknown table {table!r}")
        name = str(info["file"])
        if Path(name).name != name.removeprefix(f"{TABLES_DIR}/") or not name.startswith(f"{TABLES_DIR}/"):
            raise ValueError(f"table file {name!r} is outside {TABLES_DIR}/")
        out[table] = {"file": name, "rows": int(info["rows"])}
    return out


def _check_table(folder: Path, table: str, info: dict) -> None:
    """The file exists, its footer reads, its row count is the manifest's and its columns are the table's."""
    path = folder / info["file"]
    try:
        meta = pq.read_metadata(path)
        schema = pl.read_parquet_schema(path)
    except FileNotFoundError:
        raise _bad(folder, f"the file {info['file']} of the {table} table is missing") from None
    except PermissionError:
        raise InputError("workspace.denied", folder=str(folder)) from None
    except Exception as exc:  # a truncated or foreign file: pyarrow raises several types
        raise _bad(folder, f"{info['file']} is not a complete Parquet file ({exc})") from None
    if meta.num_rows != info["rows"]:
        raise _bad(folder, f"{info['file']} has {meta.num_rows:,} rows, {MANIFEST} says {info['rows']:,}")
    try:
        bundle.casts(schema, table, str(folder), info["file"])
    except InputError as error:
        raise _bad(folder, str(error.params.get("detail", error.key))) from None


# Frames of table files already read, by path: the files never change, and the workspace is the
# team's shared data (everyone who reaches the app reads it), so sessions may share one copy.
_FRAMES: dict[Path, pl.DataFrame] = {}


def frames(state: State) -> dict[str, pl.DataFrame]:
    """The state's tables as Polars frames (each file read once per process)."""
    out = {}
    for table, info in state.tables.items():
        path = (state.folder / info["file"]).resolve()
        if path not in _FRAMES:
            try:
                frame = pl.read_parquet(path)
            except Exception as exc:
                raise _bad(state.folder, f"{info['file']} cannot be read ({exc})") from None
            if frame.height != info["rows"]:
                raise _bad(
                    state.folder,
                    f"{info['file']} has {frame.height:,} rows, {MANIFEST} says {info['rows']:,}",
                )
            _FRAMES[path] = frame
        out[table] = _FRAMES[path]
    wanted = {(state.folder / info["file"]).resolve() for info in state.tables.values()}
    for path in [p for p in _FRAMES if p not in wanted and p.parent == (state.folder / TABLES_DIR).resolve()]:
        _FRAMES.pop(path, None)  # an older version of this workspace: no session opens it any more
    return out


def load_into(con: duckdb.DuckDBPyConnection, state: State) -> dict[str, int]:
    """Replace the session's tables with the workspace's (one transaction); rows per table."""
    saved = bundle.Bundle(frames(state), state.mappings, state.settings, None)
    return bundle.restore(con, saved)


def open_state(folder: Path, attempts: int = 3) -> State:
    """`read`, after the frames are known to read (what a session opening the workspace needs).

    A reader that read the manifest just before an undo switched it may find a file of the undone
    addition already removed: when the manifest changed meanwhile, it reads again.
    """
    for attempt in range(attempts):
        before = stamp(folder)
        try:
            state = read(folder)
            frames(state)
            return state
        except InputError:
            if attempt == attempts - 1 or stamp(folder) == before:
                raise
    raise AssertionError("unreachable")


# --- writing ------------------------------------------------------------------------------------


def _kill_point(name: str) -> None:
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """The writers' lock: held from reading the manifest to switching it."""
    _check_folder(folder)
    try:
        handle = open(folder / LOCK, "a+b")  # noqa: SIM115 - held for the block
    except PermissionError:
        raise InputError("workspace.read_only", folder=str(folder)) from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _kill_point("locked")
        yield
    except PermissionError:
        raise InputError("workspace.read_only", folder=str(folder)) from None
    except OSError as exc:  # a full disk, a folder gone: nothing was switched, the old state stands
        raise InputError(
            "workspace.write_failed", folder=str(folder), detail=exc.strerror or str(exc)
        ) from None
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


@contextmanager
def _writer(folder: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database an addition runs in: DuckDB reads and writes Parquet itself (in parallel, without a
    copy through Python), confined to the workspace folder; only our fixed SQL runs here, user text
    arrives as bound parameters and registered frames, as in the session's database."""
    spill = tempfile.mkdtemp(prefix="aftersight-workspace-")
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "threads": 2,
            "memory_limit": "4GB",
            "temp_directory": spill,
        },
    )
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("SET allowed_directories = ?", [[str(folder.resolve()) + os.sep, spill + os.sep]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _literal(path: Path) -> str:
    """A path as an SQL string (COPY takes no parameter for its target); our own path, quoted all the same."""
    return "'" + str(path).replace("'", "''") + "'"


def _read_tables(con: duckdb.DuckDBPyConnection, state: State) -> None:
    """The state's tables into the writer's database, as stored (order and `repeat_contact` kept)."""
    for table, info in state.tables.items():
        path = (state.folder / info["file"]).resolve()
        try:
            con.execute(f"CREATE TABLE {store.quote(table)} AS SELECT * FROM read_parquet(?)", [str(path)])
        except duckdb.Error as exc:
            raise _bad(state.folder, f"{info['file']} cannot be read ({str(exc).splitlines()[0]})") from None


def _write_table(con: duckdb.DuckDBPyConnection, folder: Path, table: str) -> dict:
    """A new immutable file for one table, on disk for good before any manifest names it."""
    (folder / TABLES_DIR).mkdir(exist_ok=True)
    name = f"{TABLES_DIR}/{table}-{uuid.uuid4().hex}.parquet"
    path = (folder / name).resolve()
    con.execute(f"COPY {store.quote(table)} TO {_literal(path)} (FORMAT parquet, COMPRESSION zstd)")
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    rows = con.execute(f"SELECT count(*) FROM {store.quote(table)}").fetchall()[0][0]
    _kill_point("table_written")
    return {"file": name, "rows": int(rows)}


def _switch(state: State) -> State:
    """Write `state`'s manifest beside the current one and switch to it with one rename."""
    folder = state.folder
    _fsync_dir(folder / TABLES_DIR) if (folder / TABLES_DIR).is_dir() else None
    temporary = folder / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
    text = json.dumps(state.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    with open(temporary, "xb") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    _kill_point("manifest_written")
    os.replace(temporary, folder / MANIFEST)
    _fsync_dir(folder)
    _kill_point("switched")
    _clean(state)
    return state


def _clean(state: State) -> None:
    """Remove what no manifest names: a crashed writer's files, the files of undone additions.

    Runs under the lock, and every writer writes its files under the lock: a file no manifest names
    is a crashed writer's or an undone addition's. Files the history names stay: undo needs them.
    """
    named = {info["file"] for info in state.tables.values()}
    for entry in state.history:
        named |= {info["file"] for info in (*entry.before.values(), *entry.after.values())}
    for path in [*state.folder.glob(f".{MANIFEST}.*.tmp"), *(state.folder / TABLES_DIR).glob("*")]:
        relative = path.relative_to(state.folder).as_posix()
        try:
            if relative not in named:
                path.unlink()
        except OSError:
            pass  # another process's garbage collection, or no right to remove: harmless


def add(
    folder: Path,
    items: list[Item],
    who: str | None = None,
    mappings: dict[str, dict[str, str]] | None = None,
    zone: str = DEFAULT_ZONE,
    now: datetime | None = None,
) -> tuple[State, Entry, list[tuple[Validated, store.LoadResult]]]:
    """Add files to the team's tables, atomically; one history entry for all of them.

    Each file is loaded exactly as an upload is (`pipeline.ingest`: rows with a known id
    replace the earlier ones) onto the workspace's latest tables, read under the lock.
    `mappings` (the ones used) are kept for the next month's export.

    Raises
    ------
    InputError
        The workspace cannot be read or written (nothing changes), or a file has no usable row.
    """
    folder = Path(folder)
    with _locked(folder):
        state = read(folder)
        with _writer(folder) as con:
            _read_tables(con, state)
            done = []
            for item in items:
                validated, loaded = pipeline.ingest(
                    con, item.prepared, day_order=item.day_order, validated=item.validated, zone=zone
                )
                done.append((item, validated, loaded))
            touched = {loaded.table for _, _, loaded in done}
            tables = dict(state.tables)
            for table in store.TABLE_NAMES:
                if table in touched:
                    tables[table] = _write_table(con, folder, table)
        files = tuple(
            {
                "name": item.prepared.name,
                "table": loaded.table,
                "added": loaded.added,
                "replaced": loaded.replaced,
                "skipped": loaded.skipped,
                "excluded": validated.excluded(),
            }
            for item, validated, loaded in done
        )
        number = (state.history[-1].number + 1) if state.history else 1
        when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        entry = Entry(number, when, who, files, state.tables, tables)
        used = {**state.mappings, **(mappings or {})}
        new = State(folder, state.version + 1, tables, used, state.settings, (*state.history, entry))
        _switch(new)
    return new, entry, [(validated, loaded) for _, validated, loaded in done]


def add_paths(
    folder: Path,
    paths: dict[str, list[Path]],
    who: str | None = None,
    mappings: dict[str, dict[str, str]] | None = None,
    zone: str | None = None,
) -> tuple[State, Entry, list[tuple[pipeline.Prepared, Validated, store.LoadResult]]]:
    """Add files given by table kind (the CLI): read and mapped (with the workspace's saved mappings
    under `mappings`) and validated before the lock is taken; dates in `zone`, else the team's."""
    folder = Path(folder)
    state = read(folder)
    saved = {**state.mappings, **(mappings or {})}
    zone = zone or state.settings.get("timezone", DEFAULT_ZONE)
    items = []
    for table in store.TABLE_NAMES:
        for path in paths.get(table, []):
            prepared = pipeline.prepare_path(Path(path), table, saved.get(table))
            validated = None if prepared.source is not None else pipeline.check(prepared, None, zone)
            items.append(Item(prepared, validated))
    used = {item.prepared.table: dict(item.prepared.mapping.columns) for item in items}
    new, entry, done = add(folder, items, who, {**(mappings or {}), **used}, zone)
    return new, entry, [(item.prepared, v, loaded) for item, (v, loaded) in zip(items, done, strict=True)]


def undo(folder: Path) -> tuple[State, Entry]:
    """Restore the tables as they were before the last addition; that addition leaves the history.

    Raises `InputError("workspace.nothing_to_undo")` when the history is empty.
    """
    folder = Path(folder)
    with _locked(folder):
        state = read(folder, check_files=False)
        if not state.history:
            raise InputError("workspace.nothing_to_undo", folder=str(folder))
        last = state.history[-1]
        for table, info in last.before.items():
            _check_table(folder, table, info)
        new = State(
            folder, state.version + 1, last.before, state.mappings, state.settings, state.history[:-1]
        )
        _switch(new)
    return new, last


def save_settings(folder: Path, settings: dict, mappings: dict[str, dict[str, str]] | None = None) -> State:
    """Keep the team's settings (targets, time zone, events, churn actions, and any key other rooms add).

    The whole dict is stored as given (merged over what is saved, so a key nobody sent stays);
    tables and history do not change.
    """
    folder = Path(folder)
    with _locked(folder):
        state = read(folder, check_files=False)
        new = State(
            folder,
            state.version + 1,
            state.tables,
            {**state.mappings, **(mappings or {})},
            {**state.settings, **settings},
            state.history,
        )
        _switch(new)
    return new


def update_setting(folder: Path, key: str, change: Callable[[object], object]) -> State:
    """Change one team setting from its saved value, under the lock: two sessions adding to it both land.

    `change` gets the value saved now (None when there is none) and returns the new one; it may raise
    to change nothing.
    """
    folder = Path(folder)
    with _locked(folder):
        state = read(folder, check_files=False)
        settings = {**state.settings, key: change(state.settings.get(key))}
        new = State(folder, state.version + 1, state.tables, state.mappings, settings, state.history)
        _switch(new)
    return new


def history_frame(state: State) -> pl.DataFrame:
    """The history, newest first, one row per file added: number, when, who, file, table and counts."""
    rows = [
        {"number": e.number, "when": e.when, "who": e.who or "", **{k: f.get(k) for k in _FILE_KEYS}}
        for e in reversed(state.history)
        for f in e.files
    ]
    schema = {"number": pl.Int64, "when": pl.String, "who": pl.String} | {
        k: (pl.String if k in ("name", "table") else pl.Int64) for k in _FILE_KEYS
    }
    return pl.DataFrame(rows, schema=schema)


_FILE_KEYS = ("name", "table", "added", "replaced", "skipped", "excluded")
