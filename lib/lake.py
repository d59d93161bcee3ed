"""The same KPIs on tables a distributed engine holds: Spark (local mode here, a cluster in production).

`lib.engine.kpis` declares every KPI once, as a narwhals expression. This module is the Spark side of
the seam: it reads the tables (Parquet files or folders, or tables the Spark catalogue knows),
maps their columns with the app's own mapping rules, and applies the SPEC §2 scope rules and
the row-level columns every engine provides (`kpis.DERIVED` durations, `repeat_contact`, the
scope flags) in Spark. The aggregations then run in Spark through narwhals; only one small row
per group comes back. `store.scoped` is the DuckDB side of the same rules; the equality test
(`tests/test_lake.py`) holds the two together. docs/scaling.md says why and what runs where.

PySpark is optional (`requirements-spark.txt`); without it `session()` raises a translated
InputError, and nothing else in the app imports this module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import narwhals as nw

from lib.engine import kpis
from lib.engine.store import KEYS, REPEAT_WINDOW_DAYS, SURVEY_TICKET_FACTS, Frames, Scope
from lib.errors import InputError
from lib.ingest import mapping
from lib.schema import DIMENSIONS, TABLES

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

TABLE_PREFIX = "table:"  # a source naming a catalogue table instead of a path
SPARK_TYPES = {
    "datetime": "timestamp",
    "int": "bigint",
    "number": "double",
    "bool": "boolean",
    "text": "string",
}


CONNECT_PREFIX = "sc://"  # a Spark Connect endpoint: the JVM stays on the cluster, not in this process
CONNECT_RETRIES = 6  # a Connect call's retries: 50 ms growing 4× to 5 s apart, about 15 s in all
CONNECT_BACKOFF_MS = 5_000


def session(master: str | None = None) -> SparkSession:
    """A Spark session: `master` or AFTERSIGHT_SPARK_MASTER (default `local[2]`), UTC, no web UI.

    A master starting with `sc://` (e.g. `sc://spark.example:15002/;token=…`) is a Spark Connect
    endpoint: the session is a thin gRPC client (needs `pyspark[connect]`).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError("lake.no_spark") from exc
    master = master or os.environ.get("AFTERSIGHT_SPARK_MASTER", "local[2]")
    if master.startswith(CONNECT_PREFIX):
        return _connect(SparkSession, master)
    builder = (
        SparkSession.builder.appName("aftersight")
        .master(master)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("AFTERSIGHT_SPARK_PARTITIONS", "8"))
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _connect(spark_session, url: str) -> SparkSession:
    """A Spark Connect client session on `url`; a missing client library or an endpoint that does not
    answer (no server there, a wrong port or token) is one sentence.

    Spark's client retries for 10 minutes before it gives up; here it gives up after CONNECT_RETRIES
    (about 15 s), so an administrator's wrong address is said while the page is still open.
    """
    try:
        import grpc  # noqa: F401  (pyspark[connect]'s client; the error below names the package)
    except ImportError as exc:
        raise InputError("lake.no_connect") from exc
    from pyspark.sql.connect.client.retries import DefaultPolicy

    spark = spark_session.builder.remote(url).getOrCreate()
    spark.client.set_retry_policies(
        [DefaultPolicy(max_retries=CONNECT_RETRIES, max_backoff=CONNECT_BACKOFF_MS)]
    )
    try:
        spark.conf.set("spark.sql.session.timeZone", "UTC")  # the first call to the server
    except Exception as exc:  # noqa: BLE001  (gRPC's UNAVAILABLE, an authentication error, retries exceeded)
        spark.stop()
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(
            "lake.connect_unreachable", endpoint=shown_endpoint(url), reason=reason[:300]
        ) from exc
    return spark


def shown_endpoint(master: str) -> str:
    """A Spark endpoint as it may be shown: a Connect URL's parameters (`;token=…`) left out."""
    return master.split(";", 1)[0].rstrip("/")


@dataclass(frozen=True)
class Tables:
    """The mapped tables, canonical column names only (None = not given)."""

    tickets: DataFrame
    surveys: DataFrame | None = None
    customers: DataFrame | None = None
    # per table, canonical field → the lake column it was read from (what the Data page shows)
    mapped: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def read(
    spark: SparkSession,
    sources: Mapping[str, str | None],
    mappings: Mapping[str, dict[str, str]] | None = None,
) -> Tables:
    """Each table from a Parquet path (file, folder, glob, s3a://…) or `table:NAME`, mapped to canonical names.

    Columns are matched by the same synonyms and saved mapping as an upload; a lake table is
    expected to be typed already (timestamps, numbers, booleans), and a column of the wrong type
    is refused by name. Tickets get `repeat_contact` over all their rows, as `store.load` does.
    """
    if not sources.get("tickets"):
        raise InputError("lake.no_tickets")
    read_tables, mapped = {}, {}
    for table in TABLES:
        source = sources.get(table)
        if not source:
            read_tables[table] = None
            continue
        read_tables[table], mapped[table] = _canonical(
            _open(spark, source), table, source, (mappings or {}).get(table)
        )
    read_tables["tickets"] = _with_repeat_contacts(read_tables["tickets"])
    return Tables(**read_tables, mapped=mapped)


def _open(spark: SparkSession, source: str) -> DataFrame:
    """The table at `source`; one a Spark cannot read (a CSV, a missing path) is refused by name."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    try:
        if source.startswith(TABLE_PREFIX):
            return spark.table(source[len(TABLE_PREFIX) :])
        return spark.read.parquet(source)
    except (PySparkException, Py4JJavaError) as exc:
        # A JVM error's own message, not py4j's "An error occurred while calling o34.parquet".
        text = exc.java_exception.getMessage() if isinstance(exc, Py4JJavaError) else str(exc)
        reason = (text or type(exc).__name__).strip().splitlines()[0]
        raise InputError("lake.unreadable", source=source, reason=reason[:300]) from exc


def _canonical(
    frame: DataFrame, table: str, source: str, saved: dict[str, str] | None
) -> tuple[DataFrame, dict[str, str]]:
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    headers = list(frame.columns)
    found = mapping.map_headers(table, headers, saved)
    mapping.require_complete(found)
    kinds = {spec.name: spec.type for spec in TABLES[table]}
    accepts = {
        "datetime": (T.TimestampType, T.TimestampNTZType, T.DateType),
        "int": (T.IntegralType, T.DecimalType),
        "number": (T.NumericType,),
        "bool": (T.BooleanType,),
        "text": (T.AtomicType,),
    }
    dtypes = {f.name: f.dataType for f in frame.schema.fields}
    columns = []
    for name, header in found.columns.items():
        kind = kinds[name]
        if not isinstance(dtypes[header], accepts[kind]):
            raise InputError(
                "lake.bad_type", source=source, column=header, field=name, expected=SPARK_TYPES[kind]
            )
        cast = SPARK_TYPES[kind]
        columns.append(F.col(quote(header)).cast(cast).alias(name))
    return frame.select(columns), dict(found.columns)


def quote(name: str) -> str:
    """A lake column name as a Spark identifier: in backticks, a backtick inside doubled (never SQL text)."""
    return "`" + name.replace("`", "``") + "`"


def _with_repeat_contacts(tickets: DataFrame) -> DataFrame:
    """`repeat_contact` as `store._with_repeat_contacts`: the customer's previous ticket ≤ 30 days before."""
    if "customer_id" not in tickets.columns:
        return tickets
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    before = Window.partitionBy("customer_id").orderBy("created_at", KEYS["tickets"])
    previous = F.lag("created_at").over(before)
    repeat = F.coalesce(
        previous >= F.col("created_at") - F.expr(f"INTERVAL {REPEAT_WINDOW_DAYS} DAYS"), F.lit(False)
    )
    return tickets.withColumn("repeat_contact", F.when(F.col("customer_id").isNull(), None).otherwise(repeat))


def scoped(tables: Tables, scope: Scope) -> Frames:
    """The rows in `scope` as narwhals lazy frames over Spark, with what `kpis.evaluate` reads.

    Same rules as `store.scoped(..., by_period=False)`: tickets created in the range that pass
    the filters, with the DERIVED durations; for backlog the tickets open at the range end;
    answers submitted in the range with their ticket's dimensions and `ticket_in_scope`;
    customers active at the range start with `churned_in_scope`.
    """
    from pyspark.sql import functions as F

    t = tables.tickets
    in_range = _in_range(F.col("created_at"), scope)
    dims = dimension_condition(scope, t.columns)
    tickets = t.where(in_range & dims).withColumns(
        {
            name: hours_between(*sources)
            for name, (sources, _) in kpis.DERIVED.items()
            if set(sources) <= set(t.columns)
        }
    )
    end = scope.end_exclusive
    keep = ["created_at", *[c for c in ("resolved_at", *DIMENSIONS) if c in t.columns]]
    if "resolved_at" not in t.columns:
        history = t.where(dims).select(*keep, F.lit(None).cast("boolean").alias("open_at_end"))
    else:
        still_open = F.col("resolved_at").isNull() | (
            F.col("resolved_at") >= F.lit(end) if end else F.lit(False)
        )
        created = F.col("created_at") < F.lit(end) if end else F.lit(True)
        history = t.where(created & still_open & dims).select(*keep, F.lit(True).alias("open_at_end"))
    surveys = _scoped_surveys(tables, scope) if tables.surveys is not None else None
    customers = _scoped_customers(tables.customers, scope) if tables.customers is not None else None
    lazy = [None if f is None else nw.from_native(f) for f in (tickets, surveys, customers, history)]
    return Frames(*lazy, scope=scope, history_by_period=False)


def hours_between(start: str, end: str) -> Column:
    from pyspark.sql import functions as F

    return (F.unix_micros(F.col(end)) - F.unix_micros(F.col(start))) / kpis.HOUR_US


def _in_range(column: Column, scope: Scope) -> Column:
    from pyspark.sql import functions as F

    condition = F.lit(True)
    if scope.start_at:
        condition &= column >= F.lit(scope.start_at)
    if scope.end_exclusive:
        condition &= column < F.lit(scope.end_exclusive)
    return condition


def dimension_condition(scope: Scope, available: list[str], prefix: str = "") -> Column:
    """The sidebar filters as one condition; filtering on a missing column matches nothing."""
    from pyspark.sql import functions as F

    condition = F.lit(True)
    for dim, values in scope.filters:
        if dim not in DIMENSIONS:
            continue
        if dim not in available:
            condition &= F.lit(False)
            continue
        column = F.col(f"{prefix}{dim}")
        present = [v for v in values if v is not None]
        test = column.isin(present) if present else F.lit(False)
        if None in values:
            test |= column.isNull()  # a drill into the "empty" group
        condition &= test
    return condition


def _scoped_surveys(tables: Tables, scope: Scope) -> DataFrame:
    from pyspark.sql import functions as F

    s = tables.surveys.alias("s")
    answered = s.where(_in_range(F.col("s.submitted_at"), scope))
    if "ticket_id" not in s.columns:
        return answered.where(dimension_condition(scope, []))  # a filter cannot reach answers without tickets
    t = tables.tickets
    dims = [d for d in DIMENSIONS if d in t.columns]
    facts = [c for c in SURVEY_TICKET_FACTS if c in t.columns]
    joined = t.select("ticket_id", *dims, *[F.col(c).alias(f"ticket_{c}") for c in facts]).alias("t")
    rows = answered.drop(*[d for d in dims if d in s.columns]).join(joined, on="ticket_id", how="left")
    created = F.col("ticket_created_at")
    in_scope = F.coalesce(created.isNotNull() & _in_range(created, scope), F.lit(False))
    return rows.where(dimension_condition(scope, dims)).withColumn("ticket_in_scope", in_scope)


def _scoped_customers(customers: DataFrame, scope: Scope) -> DataFrame:
    from pyspark.sql import functions as F

    cols = customers.columns
    condition = F.lit(True)
    if scope.start_at and "churned_at" in cols:
        condition &= F.col("churned_at").isNull() | (F.col("churned_at") >= F.lit(scope.start_at))
    if scope.end_exclusive and "signup_at" in cols:
        condition &= F.col("signup_at").isNull() | (F.col("signup_at") < F.lit(scope.end_exclusive))
    region = Scope(filters=tuple((d, v) for d, v in scope.filters if d == "region"))
    churned = F.coalesce(F.col("churned"), F.lit(False)) if "churned" in cols else F.lit(None).cast("boolean")
    if "churned_at" in cols and scope.end_exclusive:
        churned = churned & (
            F.col("churned_at").isNull() | (F.col("churned_at") < F.lit(scope.end_exclusive))
        )
    return customers.where(condition & dimension_condition(region, cols)).withColumn(
        "churned_in_scope", churned
    )


def evaluate(
    tables: Tables, scope: Scope, settings: kpis.Settings, keys: tuple[str, ...] | None = None
) -> dict[str, float | None]:
    """Every KPI in `keys` (default: all) for `scope`, computed by Spark: what `overview.kpis` gives locally."""
    return kpis.evaluate(scoped(tables, scope), keys, settings=settings)


def evaluate_by(
    tables: Tables, scope: Scope, settings: kpis.Settings, by: str, keys: tuple[str, ...] | None = None
):
    """One row per value of the dimension `by`, computed by Spark (`kpis.evaluate_by` locally)."""
    return kpis.evaluate_by(scoped(tables, scope), keys, by=by, settings=settings)


# --- the app on the lake: the administrator's setting and the pages' small queries -------------------

ENGINE_SETTING = "AFTERSIGHT_ENGINE"  # "spark": the pages compute on the lake
SOURCE_SETTINGS = {table: f"AFTERSIGHT_LAKE_{table.upper()}" for table in TABLES}
MAPPING_SETTING = "AFTERSIGHT_LAKE_MAPPING"  # a mapping file saved on the Data page (JSON)
MASTER_SETTING = "AFTERSIGHT_SPARK_MASTER"
DIMENSION_VALUES = 500  # the sidebar's values per dimension, most frequent first (as store.dimension_values)


@dataclass(frozen=True)
class Config:
    """Where the lake's tables are and which Spark computes on them (read from the environment or secrets)."""

    sources: tuple[tuple[str, str], ...]  # (table, Parquet path/glob/URL or table:db.name), tickets first
    mapping_file: str | None
    master: str

    @property
    def tables(self) -> dict[str, str]:
        return dict(self.sources)

    @property
    def endpoint(self) -> str:
        """The Spark endpoint as it may be shown: a Connect URL's parameters (a token) left out."""
        return shown_endpoint(self.master)


def shown_source(source: str) -> str:
    """A source as the Data page may show it: a URL's user and password (`s3a://key:secret@…`) left out."""
    return re.sub(r"(://)[^/@]*@", r"\1", source)


def config(values: Mapping[str, object]) -> Config | None:
    """The lake setting from `values` (the environment, then secrets.toml), or None when the app computes locally.

    `AFTERSIGHT_ENGINE=spark` switches it on; then `AFTERSIGHT_LAKE_TICKETS` is required and
    `InputError("lake.no_tickets_setting")` says so.
    """
    if str(values.get(ENGINE_SETTING) or "local").strip().lower() != "spark":
        return None
    sources = tuple(
        (table, str(values[name]).strip())
        for table, name in SOURCE_SETTINGS.items()
        if str(values.get(name) or "").strip()
    )
    if not any(table == "tickets" for table, _ in sources):
        raise InputError("lake.no_tickets_setting", setting=SOURCE_SETTINGS["tickets"])
    mapping_file = str(values.get(MAPPING_SETTING) or "").strip() or None
    master = str(values.get(MASTER_SETTING) or "").strip() or "local[2]"
    return Config(sources, mapping_file, master)


def open_tables(spark: SparkSession, setting: Config) -> tuple[Tables, dict[str, dict[str, str]], dict]:
    """The configured tables mapped to canonical names, with the mapping file's mappings and settings."""
    mappings, saved = {}, {}
    if setting.mapping_file:
        try:
            with open(setting.mapping_file, "rb") as handle:
                mappings, saved = mapping.loads(handle.read())
        except OSError as exc:
            raise InputError(
                "lake.no_mapping_file", path=setting.mapping_file, reason=str(exc)[:200]
            ) from exc
    return read(spark, setting.tables, mappings), mappings, saved


def table_sizes(tables: Tables) -> dict[str, int]:
    """Rows per table (Parquet answers from its footers; nothing comes back but the counts)."""
    return {name: frame.count() for name in TABLES if (frame := getattr(tables, name)) is not None}


def columns(tables: Tables) -> dict[str, frozenset[str]]:
    """The canonical columns each table has (what `overview.Summary.columns` holds)."""
    return {name: frozenset(frame.columns) for name in TABLES if (frame := getattr(tables, name)) is not None}


def date_bounds(tables: Tables) -> tuple[date, date] | None:
    """First and last ticket creation date (`store.date_bounds`), one row back."""
    from pyspark.sql import functions as F

    low, high = tables.tickets.agg(F.min("created_at"), F.max("created_at")).first()
    return (low.date(), high.date()) if low and high else None


def dimension_values(tables: Tables) -> dict[str, list[str]]:
    """For each dimension the tickets have, its values by frequency (`store.dimension_values`)."""
    from pyspark.sql import functions as F

    out = {}
    for dim in DIMENSIONS:
        if dim not in tables.tickets.columns:
            continue
        rows = (
            tables.tickets.where(F.col(dim).isNotNull())
            .groupBy(dim)
            .agg(F.count(F.lit(1)).alias("n"))
            .orderBy(F.col("n").desc(), F.col(dim))
            .limit(DIMENSION_VALUES)
            .collect()
        )
        out[dim] = [row[0] for row in rows]
    return out


def summarise(
    tables: Tables,
    scope: Scope,
    settings: kpis.Settings,
    bounds: tuple[date, date] | None,
    keys: tuple[str, ...] | None = None,
):
    """`overview.summarise` on the lake: the KPIs now and in the comparison period (when the data covers it)."""
    from lib.analysis import overview
    from lib.engine import periods

    keys = keys or kpis.every_key(settings)
    before = scope.previous()
    comparison = None if before is None else periods.coverage(before, bounds)
    covered = comparison is not None and comparison.covered
    with ThreadPoolExecutor(max_workers=2) as pool:  # both periods as concurrent Spark jobs
        now = pool.submit(evaluate, tables, scope, settings, keys)
        then = pool.submit(evaluate, tables, comparison.period, settings, keys) if covered else None
        current = now.result()
        previous = then.result() if then else dict.fromkeys(current)
    return overview.Summary(current, previous, columns(tables), comparison)


SPARK_GRAINS = {"1d": "day", "1w": "week", "1mo": "month"}  # Polars durations → Spark's date_trunc units


def evaluate_per_period(
    tables: Tables, scope: Scope, settings: kpis.Settings, every: str, keys: tuple[str, ...]
):
    """KPIs per period (`kpis.evaluate_by(..., every=...)` locally), tickets and survey answers only.

    Spark truncates the dates (weeks start on Monday, as in Polars); the declarations run per period.
    """
    from pyspark.sql import functions as F

    unit = SPARK_GRAINS[every]
    frames = scoped(tables, scope)

    def with_period(frame, column: str):
        if frame is None:
            return None
        native = frame.to_native()
        return nw.from_native(native.withColumn("period", F.date_trunc(unit, F.col(column)).cast("date")))

    per_period = Frames(
        with_period(frames.tickets, "created_at"),
        with_period(frames.surveys, "submitted_at"),
        None,
        None,
        scope=scope,
        history_by_period=False,
    )
    return kpis.evaluate_by(per_period, keys, by="period", settings=settings)
