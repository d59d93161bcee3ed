"""The per-session DuckDB: locked-down connection, loading validated tables, scoped reads."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

import duckdb
import polars as pl

from lib.schema import DIMENSIONS

TABLE_NAMES = ("tickets", "surveys", "customers")
KEYS = {"tickets": "ticket_id", "customers": "customer_id"}
# SPEC §2: a repeat contact is another ticket of the same customer in the 30 days before.
REPEAT_WINDOW_DAYS = 30


def quote(name: str) -> str:
    """A safe SQL identifier for any column name, Chinese included."""
    return '"' + name.replace('"', '""') + '"'


def connect(
    memory_limit: str = "4GB", threads: int = 2, purpose: str = "session"
) -> duckdb.DuckDBPyConnection:
    """An in-memory database that can read no files and no Python variables by name; settings locked, so SQL
    cannot switch file access back on. Spill folder: `aftersight-<purpose>-…` ("shared": the process's own)."""
    spill = tempfile.mkdtemp(prefix=f"aftersight-{purpose}-")
    con = duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": memory_limit,
            "threads": threads,
            "temp_directory": spill,
        },
    )
    weakref.finalize(con, shutil.rmtree, spill, True)  # the session's spill folder goes with it
    con.execute("SET lock_configuration = true")
    return con


def close(con: duckdb.DuckDBPyConnection, spill: str | None = None) -> None:
    """Close a database of `connect` and remove its spill folder now (`spill`: read before, if known)."""
    spill = spill or spill_dir(con)
    con.close()  # its memory goes now, whoever still holds the connection object
    shutil.rmtree(spill, ignore_errors=True)


def spill_dir(con: duckdb.DuckDBPyConnection) -> str:
    """The session's own temp folder (removed with the connection): where a big upload is spilled."""
    return con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Loaded tables and their row counts."""
    present = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return {
        name: con.execute(f"SELECT count(*) FROM {quote(name)}").fetchall()[0][0]
        for name in TABLE_NAMES
        if name in present
    }


def columns(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    """The columns of a loaded table (empty if not loaded)."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
    ).fetchall()
    return tuple(r[0] for r in rows)


@dataclass(frozen=True)
class LoadResult:
    """What one load did.

    `added`: the file's rows now in the table (for tickets and customers, those that
    replaced an earlier row of the same id included); `replaced`: earlier rows replaced
    so; `skipped`: rows of a table without an id (survey answers) left out because an
    identical row was already loaded; `same_file`: the file's bytes were loaded into
    this table before in this session.
    """

    table: str
    added: int
    replaced: int
    skipped: int = 0
    same_file: bool = False


def load(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    *,
    append: bool = True,
    fingerprint: str | None = None,
) -> LoadResult:
    """Add validated canonical rows to `table` (created on first load).

    Appending a second export of the same kind unions the columns by name. A row
    whose id is already loaded replaces the earlier one (monthly exports overlap;
    the newer export holds the later state) and is counted as replaced. Survey
    answers have no id: an answer identical to one already loaded is not added
    again, and is counted as skipped (`_not_loaded_yet`). `fingerprint` names the
    file's bytes (`lib.ingest.pipeline`), so a file loaded twice can be told apart
    from two exports that overlap.
    """
    if table not in TABLE_NAMES:
        raise ValueError(f"unknown table {table}")
    incoming = frame.drop("_row", strict=False)
    same_file = _seen(con, table, fingerprint) if append else False
    con.register("_incoming", incoming.to_arrow())
    try:
        replaced, skipped = _load_from(con, table, "_incoming", tuple(incoming.columns), append)
    finally:
        con.unregister("_incoming")
    _remember(con, table, fingerprint, append)
    return LoadResult(table, incoming.height - skipped, replaced, skipped, same_file)


def load_staged(
    con: duckdb.DuckDBPyConnection, table: str, staged: str, fingerprint: str | None = None
) -> LoadResult:
    """Like `load`, from rows already in the session database (table `staged`, dropped afterwards).

    A big file read in chunks lands in `staged` first, so its rows never exist as
    one Python/Polars frame. A `_row` column (file row numbers) is left out.
    """
    if table not in TABLE_NAMES or staged in TABLE_NAMES:
        raise ValueError(f"unknown table {table}")
    cols = tuple(c for c in columns(con, staged) if c != "_row")
    rows = con.execute(f"SELECT count(*) FROM {quote(staged)}").fetchall()[0][0]
    same_file = _seen(con, table, fingerprint)
    if table not in tables(con) and "_row" in columns(con, staged):
        _adopt(con, table, staged, cols)
        _remember(con, table, fingerprint, True)
        return LoadResult(table, rows, 0, 0, same_file)
    source = f"(SELECT {', '.join(quote(c) for c in cols)} FROM {quote(staged)})"
    try:
        replaced, skipped = _load_from(con, table, source, cols, True)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {quote(staged)}")
    _remember(con, table, fingerprint, True)
    return LoadResult(table, rows - skipped, replaced, skipped, same_file)


# The fingerprints of the files loaded in this session, per table (`clear` forgets them with the table).
_FILES = "_loaded_files"


def _seen(con: duckdb.DuckDBPyConnection, table: str, fingerprint: str | None) -> bool:
    if fingerprint is None or _FILES not in _all_tables(con):
        return False
    sql = f"SELECT count(*) FROM {_FILES} WHERE table_name = ? AND fingerprint = ?"
    return con.execute(sql, [table, fingerprint]).fetchall()[0][0] > 0


def _remember(con: duckdb.DuckDBPyConnection, table: str, fingerprint: str | None, append: bool) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {_FILES} (table_name VARCHAR, fingerprint VARCHAR)")
    if not append:  # the table was replaced: the files loaded into it before are gone
        con.execute(f"DELETE FROM {_FILES} WHERE table_name = ?", [table])
    if fingerprint is not None:
        con.execute(f"INSERT INTO {_FILES} VALUES (?, ?)", [table, fingerprint])


def _all_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _adopt(con: duckdb.DuckDBPyConnection, table: str, staged: str, cols: tuple[str, ...]) -> None:
    """The staged rows become `table` without a copy: a first load of a big file.

    The repeat-contact flag is computed with the same window as `_with_repeat_contacts`
    and written into an added column; rows keep the file's order (exports are
    usually in time order already) instead of being copied into creation order.
    """
    if table == "tickets" and "customer_id" in cols:
        # Every row false first (a constant column), then only the rows whose flag is true or
        # empty (about a fifth) are updated: fewer rows joined and less update state kept.
        con.execute(f"ALTER TABLE {quote(staged)} ADD COLUMN repeat_contact BOOLEAN DEFAULT false")
        con.execute(f"ALTER TABLE {quote(staged)} ALTER COLUMN repeat_contact DROP DEFAULT")
        con.execute(
            f"""UPDATE {quote(staged)} SET repeat_contact = flags.flag
            FROM (SELECT * FROM (SELECT _row, {_REPEAT} AS flag FROM {quote(staged)})
                  WHERE flag IS DISTINCT FROM false) AS flags
            WHERE {quote(staged)}._row = flags._row"""
        )
    con.execute(f"ALTER TABLE {quote(staged)} DROP COLUMN _row")
    con.execute(f"ALTER TABLE {quote(staged)} RENAME TO {quote(table)}")


def _load_from(
    con, table: str, incoming: str, incoming_cols: tuple[str, ...], append: bool
) -> tuple[int, int]:
    """Create or extend `table` from the relation `incoming` (a name or a subquery); rows replaced, skipped."""
    existing = tables(con)
    replaced = skipped = 0
    offered = None  # the rows of a file for a table without an id, whose identical rows are left out
    source = f"SELECT * FROM {incoming}"
    if table in existing and append:
        key = KEYS.get(table)
        if key is None:
            offered = con.execute(f"SELECT count(*) FROM {incoming}").fetchall()[0][0]
            incoming = f"({_not_loaded_yet(con, table, incoming, incoming_cols)})"
        elif key in incoming_cols and key in columns(con, table):
            newer = f"{quote(key)} IN (SELECT {quote(key)} FROM {incoming})"
            replaced = con.execute(f"SELECT count(*) FROM {quote(table)} WHERE {newer}").fetchall()[0][0]
            con.execute(f"DELETE FROM {quote(table)} WHERE {newer}")
        source = f"SELECT * FROM {quote(table)} UNION ALL BY NAME SELECT * FROM {incoming}"
    if table == "tickets":
        before = columns(con, "tickets") if "tickets" in existing and append else ()
        source = _with_repeat_contacts(
            source,
            has_customer="customer_id" in incoming_cols or "customer_id" in before,
            replace_flag="repeat_contact" in before,
        )
    # One statement, one copy of the table.
    con.execute(f"CREATE OR REPLACE TABLE {quote(table)} AS {source}")
    if offered is not None:  # nothing is removed from a table without an id: what did not grow was skipped
        now = con.execute(f"SELECT count(*) FROM {quote(table)}").fetchall()[0][0]
        skipped = offered - (now - existing[table])
    return replaced, skipped


def _not_loaded_yet(con, table: str, incoming: str, incoming_cols: tuple[str, ...]) -> str:
    """A query of the rows of `incoming` that are not already in `table` (which has no id column).

    A row is already loaded when a stored row holds the same value in every column,
    empty matching empty (`IS NOT DISTINCT FROM`); a column only one side has must
    be empty on the row of the other. Rows are matched one to one: an answer given
    twice in one export (`repeated_row` in validation) and once in an earlier one
    is added once. Runs where the rows are, as one anti-join in DuckDB.
    """
    stored = columns(con, table)
    both = [c for c in incoming_cols if c in stored]
    same = [f"s.{quote(c)} IS NOT DISTINCT FROM i.{quote(c)}" for c in both]
    same += [f"s.{quote(c)} IS NULL" for c in stored if c not in incoming_cols]
    same += [f"i.{quote(c)} IS NULL" for c in incoming_cols if c not in stored]
    mine = ", ".join(quote(c) for c in incoming_cols)
    theirs = ", ".join(quote(c) for c in stored)
    return f"""SELECT {", ".join(f"i.{quote(c)}" for c in incoming_cols)}
        FROM (SELECT {mine}, row_number() OVER (PARTITION BY {mine}) AS _copy FROM {incoming}) i
        WHERE NOT EXISTS (
            SELECT 1 FROM (SELECT {theirs}, row_number() OVER (PARTITION BY {theirs}) AS _copy
                FROM {quote(table)}) s
            WHERE {" AND ".join([*same, "s._copy = i._copy"])})"""


def _with_repeat_contacts(source: str, has_customer: bool, replace_flag: bool) -> str:
    """`source` with `repeat_contact` (the customer's previous ticket was ≤ 30 days before), in time order.

    Computed over all loaded tickets, so a ticket at the start of the selected
    range still sees the customer's ticket from the month before. Stored in
    creation order, so a date range skips whole row groups.
    """
    if not has_customer:
        return f"SELECT * FROM ({source}) ORDER BY created_at"
    star = "* EXCLUDE (repeat_contact)" if replace_flag else "*"
    return f"SELECT {star}, {_REPEAT} AS repeat_contact FROM ({source}) ORDER BY created_at"


_REPEAT = f"""CASE WHEN customer_id IS NULL THEN NULL ELSE coalesce(
    lag(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, ticket_id)
        >= created_at - INTERVAL {REPEAT_WINDOW_DAYS} DAY, false) END"""


def clear(con: duckdb.DuckDBPyConnection, table: str | None = None) -> None:
    """Drop one loaded table, or all of them (and the fingerprints of the files loaded into them)."""
    for name in [table] if table else TABLE_NAMES:
        con.execute(f"DROP TABLE IF EXISTS {quote(name)}")
        if _FILES in _all_tables(con):
            con.execute(f"DELETE FROM {_FILES} WHERE table_name = ?", [name])


@dataclass(frozen=True)
class Scope:
    """The selected date range (inclusive calendar dates; None = open) and dimension filters."""

    start: date | None = None
    end: date | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)
    compare: Literal["previous", "year"] = "previous"  # what previous() compares with

    @property
    def end_exclusive(self) -> datetime | None:
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time()) if self.end else None

    @property
    def start_at(self) -> datetime | None:
        return datetime.combine(self.start, datetime.min.time()) if self.start else None

    def previous(self) -> Scope | None:
        """The period to compare with, with the same filters.

        "previous": the period just before. Whole calendar months compare with the
        same number of months before (October with September); any other range with
        the same number of days. "year": the same dates one year earlier (29 February
        becomes the 28th).
        """
        if not (self.start and self.end):
            return None
        if self.compare == "year":
            return replace(self, start=_year_before(self.start), end=_year_before(self.end))
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - months
            start = date(index // 12, index % 12 + 1, 1)
            return replace(self, start=start, end=self.start - timedelta(days=1))
        days = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=days), end=self.start - timedelta(days=1))

    def narrowed(self, dimension: str, value: str | None) -> Scope:
        """This scope with one more filter: `dimension` equal to `value` (a drill-down)."""
        kept = tuple((d, v) for d, v in self.filters if d != dimension)
        existing = dict(self.filters).get(dimension)
        if existing is not None and value not in existing:
            values: tuple = ()  # drilling outside the sidebar's own filter matches nothing
        else:
            values = (value,)
        return replace(self, filters=(*kept, (dimension, values)))


def _year_before(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


@dataclass(frozen=True)
class Frames:
    """Everything the KPI engine needs for one scope, as Polars frames (None = not loaded)."""

    tickets: pl.DataFrame | None
    surveys: pl.DataFrame | None
    customers: pl.DataFrame | None
    # Tickets open at some moment of the range (any creation date), with the filters
    # applied: created_at, resolved_at, the dimensions and `open_at_end` — what backlog needs.
    history: pl.DataFrame | None
    scope: Scope
    # False when `history` holds only the tickets open at the range end: enough for
    # backlog overall and per dimension, not per period.
    history_by_period: bool = True


def _dimension_sql(scope: Scope, available: tuple[str, ...], prefix: str = "") -> tuple[list[str], list]:
    clauses, params = [], []
    for dim, values in scope.filters:
        if dim not in DIMENSIONS:
            continue
        if dim not in available:
            clauses.append("false")  # filtering on a column this table lacks matches nothing
            continue
        column = f"{prefix}{quote(dim)}"
        present = [v for v in values if v is not None]
        tests = ([f"{column} IN ({', '.join('?' * len(present))})"] if present else []) + (
            [f"{column} IS NULL"] if None in values else []  # a drill into the "empty" group
        )
        clauses.append(f"({' OR '.join(tests)})" if tests else "false")
        params.extend(present)
    return clauses, params


def _in_range(column: str, scope: Scope) -> tuple[list[str], list]:
    """SQL conditions (and their parameters) for `column` inside the scope's dates."""
    bounds = [(f"{column} >= ?", scope.start_at), (f"{column} < ?", scope.end_exclusive)]
    return [sql for sql, value in bounds if value], [value for _, value in bounds if value]


def _where(clauses: list[str]) -> str:
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def scoped(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    ticket_columns: Collection[str] | None = None,
    by_period: bool = True,
    read: Collection[str] = ("tickets", "surveys", "customers"),
) -> Frames:
    """Read the rows in `scope` from each loaded table (SPEC §2 scope rules).

    Parameters
    ----------
    ticket_columns : only these ticket columns (those present), e.g.
        `lib.engine.kpis.columns_for(keys)`; None reads them all.
    by_period : False reads for backlog only the tickets open at the range end,
        which is all the KPIs overall or per dimension need.
    read : the tables to read (others come back as None, as if not loaded);
        a page that shows no survey KPI saves the join of answers to tickets.
    """
    loaded = tables(con)
    tickets = surveys = customers = history = None
    if "tickets" in loaded and "tickets" in read:
        cols = columns(con, "tickets")
        dims, dim_params = _dimension_sql(scope, cols)
        date_clauses, date_params = _in_range("created_at", scope)
        wanted = [c for c in cols if ticket_columns is None or c in ticket_columns]
        select = ", ".join(quote(c) for c in wanted) or "*"
        sql = f"SELECT {select} FROM tickets{_where(date_clauses + dims)}"
        tickets = _read(con, sql, date_params + dim_params)
        # Backlog needs the two dates; a dimension only when it was asked for.
        history_cols = tuple(
            c
            for c in cols
            if ticket_columns is None or c in ticket_columns or c in ("created_at", "resolved_at")
        )
        history = _history(con, scope, history_cols, dims, dim_params, by_period)
    if "surveys" in loaded and "surveys" in read:
        surveys = _scoped_surveys(con, scope, "tickets" in loaded)
    if "customers" in loaded and "customers" in read:
        customers = _scoped_customers(con, scope)
    return Frames(tickets, surveys, customers, history, scope, by_period)


def _history(
    con, scope: Scope, cols: tuple[str, ...], dims: list[str], dim_params: list, by_period: bool
) -> pl.DataFrame:
    """Tickets open at some moment of the range, for backlog at its end and at each period end.

    Tickets closed before the range start are left out: for any moment inside the
    range they count once as created and once as closed, so they change no backlog.
    Without `by_period`, only the tickets still open at the range end are read.
    """
    end = scope.end_exclusive
    keep = ["created_at", "resolved_at", *[d for d in DIMENSIONS if d in cols]]
    select = ", ".join(quote(c) for c in keep if c in cols)
    if "resolved_at" not in cols:
        open_sql, params = "NULL::BOOLEAN", []
    elif end:
        open_sql, params = "(resolved_at IS NULL OR resolved_at >= ?)", [end]
    else:
        open_sql, params = "(resolved_at IS NULL)", []
    clauses = ["created_at < ?"] if end else []
    params += [end] if end else []
    if not by_period and "resolved_at" in cols:
        clauses.append(open_sql)
        params += [end] if end else []
    elif scope.start_at and "resolved_at" in cols:
        clauses.append("(resolved_at IS NULL OR greatest(created_at, resolved_at) >= ?)")
        params.append(scope.start_at)
    clauses += dims
    params += dim_params
    return _read(con, f"SELECT {select}, {open_sql} AS open_at_end FROM tickets{_where(clauses)}", params)


def _read(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    # A cursor per call: Streamlit may run this on another thread (NOTES.md).
    return pl.from_arrow(con.cursor().sql(sql, params=params).to_arrow_table())


# Ticket columns joined to each survey answer as ticket_<name>.
SURVEY_TICKET_FACTS = ("created_at", "resolved_at", "reopen_count", "first_contact_resolved")


def _scoped_surveys(con: duckdb.DuckDBPyConnection, scope: Scope, with_tickets: bool) -> pl.DataFrame:
    """Answers submitted in range; ticket dimensions joined in so filters and breakdowns apply."""
    survey_cols = columns(con, "surveys")
    joinable = with_tickets and "ticket_id" in survey_cols
    ticket_cols = columns(con, "tickets") if joinable else ()
    dims = tuple(d for d in DIMENSIONS if d in ticket_cols)
    # What the answered ticket went through, for satisfaction drivers.
    facts = tuple((c, f"ticket_{c}") for c in SURVEY_TICKET_FACTS if c in ticket_cols)
    select = "s.*" + "".join(f", t.{quote(d)}" for d in dims)
    select += "".join(f", t.{quote(c)} AS {quote(alias)}" for c, alias in facts)
    select_params: list = []
    if joinable:
        # For survey_response_rate: was the answered ticket created in the range?
        checks, select_params = _in_range("t.created_at", scope)
        checks = ["t.created_at IS NOT NULL", *checks]
        select += f", coalesce({' AND '.join(checks)}, false) AS ticket_in_scope"
    source = (
        "surveys s LEFT JOIN (SELECT ticket_id, created_at"
        + "".join(f", {quote(d)}" for d in dims)
        + "".join(f", {quote(c)}" for c, _ in facts if c != "created_at")
        + " FROM tickets) t USING (ticket_id)"
        if joinable
        else "surveys s"
    )
    clauses, params = _in_range("s.submitted_at", scope)
    dim_clauses, dim_params = _dimension_sql(scope, dims, prefix="t.")
    sql = f"SELECT {select} FROM {source}{_where(clauses + dim_clauses)}"
    return _read(con, sql, select_params + params + dim_params)


def _scoped_customers(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Customers active at the range start, with `churned_in_scope` for those lost in the range.

    Without a range (the CLI's default) every customer is in scope and churned
    means `churned` true, as SPEC §2 states.
    """
    cols = columns(con, "customers")
    has_date = "churned_at" in cols
    clauses, params = [], []
    if scope.start_at and has_date:
        clauses.append("(churned_at IS NULL OR churned_at >= ?)")
        params.append(scope.start_at)
    if scope.end_exclusive and "signup_at" in cols:
        clauses.append("(signup_at IS NULL OR signup_at < ?)")
        params.append(scope.end_exclusive)
    region = [(d, v) for d, v in scope.filters if d == "region"]
    dim_clauses, dim_params = _dimension_sql(Scope(filters=tuple(region)), cols)
    churned = "coalesce(churned, false)" if "churned" in cols else "NULL::BOOLEAN"
    if has_date and scope.end_exclusive:
        churned = f"({churned} AND (churned_at IS NULL OR churned_at < ?))"
        params = [scope.end_exclusive, *params]
    sql = f"SELECT *, {churned} AS churned_in_scope FROM customers{_where(clauses + dim_clauses)}"
    return _read(con, sql, params + dim_params)


def preview(con: duckdb.DuckDBPyConnection, table: str, rows: int = 50) -> pl.DataFrame:
    """The first rows of a loaded table."""
    if table not in TABLE_NAMES:
        raise ValueError(f"unknown table {table}")
    order = {"tickets": "created_at", "surveys": "submitted_at", "customers": "customer_id"}[table]
    return _read(con, f"SELECT * FROM {quote(table)} ORDER BY {quote(order)} LIMIT ?", [rows])


# Per connection (so per session, and gone with it): the tables' identity and the sidebar's values.
_DIMENSION_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _tickets_identity(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """Changes whenever the tickets table is replaced (every load creates it anew) or resized."""
    rows = (
        con.cursor()
        .execute("SELECT table_oid, estimated_size FROM duckdb_tables() WHERE table_name = 'tickets'")
        .fetchall()
    )
    return tuple(rows[0]) if rows else None


def dimension_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """For each filterable dimension present in tickets, its values by frequency.

    Every rerun of every page asks (the sidebar's filters): six group-bys over all
    tickets, 0.2 s at 1M rows. Kept per connection until the tickets table changes.
    """
    identity = _tickets_identity(con)
    cached = _DIMENSION_CACHE.get(con)
    if identity is not None and cached is not None and cached[0] == identity:
        return {dim: list(values) for dim, values in cached[1].items()}
    values = _dimension_values(con)
    if identity is not None:
        _DIMENSION_CACHE[con] = (identity, values)
    return {dim: list(v) for dim, v in values.items()}


def _dimension_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    if "tickets" not in tables(con):
        return {}
    present = columns(con, "tickets")
    out = {}
    for dim in DIMENSIONS:
        if dim in present:
            rows = (
                con.cursor()
                .execute(
                    f"SELECT {quote(dim)} FROM tickets WHERE {quote(dim)} IS NOT NULL "
                    f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 500"
                )
                .fetchall()
            )
            out[dim] = [r[0] for r in rows]
    return out


def date_bounds(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """First and last ticket creation date."""
    if "tickets" not in tables(con):
        return None
    low, high = con.cursor().execute("SELECT min(created_at), max(created_at) FROM tickets").fetchall()[0]
    return (low.date(), high.date()) if low and high else None


def snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """The loaded tables (and the loaded files' fingerprints) as Arrow, for `restore` in another session."""
    present = _all_tables(con)
    return {
        name: con.cursor().sql(f"SELECT * FROM {quote(name)}").to_arrow_table()
        for name in (*TABLE_NAMES, _FILES)
        if name in present
    }


def restore(con: duckdb.DuckDBPyConnection, tables_: dict) -> None:
    """Replace this session's tables with copies of a `snapshot` (its rows, types and order; no validation)."""
    clear(con)
    for name, arrow in tables_.items():
        con.register("_snapshot", arrow)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT * FROM _snapshot")
        finally:
            con.unregister("_snapshot")
