"""Where the pages' numbers are computed: the session's DuckDB (local) or the team's Spark on the lake.

The administrator chooses (lib.lake.config: `AFTERSIGHT_ENGINE=spark` and the `AFTERSIGHT_LAKE_*`
settings, from the environment or `.streamlit/secrets.toml`). Both engines answer the same small
questions a page asks — the tables and their sizes, the date bounds, the sidebar's values, the KPI
summary with its comparison, the volume per period, the top categories — and only a row per group
comes back. The lake's answers are the same for every user (the administrator's tables), so they are
kept per server process, per scope: the same filters do not query Spark again.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from lib import lake, lake_pages
from lib.analysis import alerts, cost, efficiency, explore, overview, satisfaction, team
from lib.engine import periods, shared, store
from lib.engine.kpis import Settings
from lib.errors import InputError
from lib.predict import forecast

# The pages that compute on the lake; the others say they do not yet (a sentence, not a traceback).
LAKE_PAGES = frozenset(
    {"overview", "report", "team", "cost", "forecast", "efficiency", "satisfaction", "explore"}
)
# A page's local row reader → the lake's: lazy Spark frames its analysis functions aggregate in Spark.
LAKE_READERS = {team.frames: lake_pages.team_frames, cost.frames: lake.scoped}
LAKE_READERS |= {
    efficiency.frames: lake_pages.efficiency_frames,
    satisfaction.frames: lake_pages.satisfaction_frames,
}
CACHE_SIZE = 256  # lake answers kept per server process (each is a row per group)
# The lake changes under the app (new files land): answers, and the tables' file listing, are asked again
# after this long.
FRESH_S = 600
PARALLEL_QUERIES = 4  # a page's questions in flight at once on the cluster


class Local:
    """The session's DuckDB: the existing functions, unchanged."""

    kind = "local"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._both: overview.Periods | None = None

    def prefetch(self, *questions: tuple[str, tuple]) -> None:
        """Nothing to do ahead: the session's DuckDB answers in a blink, one question at a time."""

    def frames(self, read: Callable, scope: store.Scope) -> store.Frames:
        """A page's rows for `scope`, read by the page's own reader (e.g. `team.frames`)."""
        return read(self.con, scope)

    def kpis(self, scope: store.Scope, settings: Settings, keys: tuple[str, ...]) -> dict[str, float | None]:
        return overview.kpis(self.con, scope, settings, keys)

    def daily_counts(self, scope: store.Scope, by: str | None) -> pl.DataFrame:
        return forecast.daily_counts(self.con, scope, by=by)

    def tables(self) -> dict[str, int]:
        return store.tables(self.con)

    def columns(self) -> dict[str, frozenset[str]]:
        return {table: frozenset(store.columns(self.con, table)) for table in store.tables(self.con)}

    def date_bounds(self) -> tuple[date, date] | None:
        return store.date_bounds(self.con)

    def dimension_values(self) -> dict[str, list[str]]:
        return store.dimension_values(self.con)

    def comparison_coverage(self, scope: store.Scope) -> periods.Coverage | None:
        return periods.comparison_coverage(self.con, scope)

    def _periods(self, scope: store.Scope, settings: Settings) -> overview.Periods:
        """Both periods' rows, read once for the cards and the alert explanations alike."""
        if self._both is None or self._both.scope != scope or self._both.settings != settings:
            self._both = overview.Periods(self.con, scope, settings)
        return self._both

    def summarise(
        self, scope: store.Scope, settings: Settings, keys: tuple[str, ...] | None = None
    ) -> overview.Summary:
        if keys is None:
            return self._periods(scope, settings).summary()
        return overview.summarise(self.con, scope, settings, keys)

    def explain_alerts(self, scope: store.Scope, settings: Settings, keys: tuple[str, ...]) -> list:
        both = self._periods(scope, settings)
        return alerts.explain_frames(both.current, both.previous, settings, keys)

    def explain_alerts_soon(self, scope: store.Scope, settings: Settings, keys: tuple[str, ...]) -> list:
        """Locally the explanations take a fraction of a second: always ready."""
        return self.explain_alerts(scope, settings, keys)

    def volume(self, scope: store.Scope, every: str) -> pl.DataFrame:
        return overview.volume(self.con, scope, every)

    def explore(self, scope: store.Scope, question: explore.Question, settings: Settings) -> explore.Answer:
        return explore.ask(self.con, scope, question, settings)

    def top_categories(self, scope: store.Scope) -> pl.DataFrame | None:
        return overview.top_categories(self.con, scope)


class Lake:
    """The administrator's lake tables on Spark; every answer kept per scope for the server process."""

    kind = "spark"

    def __init__(self, setting: lake.Config, tables: lake.Tables) -> None:
        self.setting = setting
        self.lake_tables = tables

    def _ask(self, name: str, compute: Callable[[], Any], *key: Hashable) -> Any:
        return _remember((self.setting, name, *key), lambda: on_spark(self.setting, compute))

    def remember(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """A page's own aggregate of lake rows (`analysis_page.Page.memo`), computed once for every session
        of this server for FRESH_S seconds: the lake's tables are the same for every user."""
        return _remember((self.setting, *key), compute)

    def prefetch(self, *questions: tuple[str, tuple]) -> None:
        """Ask Spark the page's questions at once, each on its own thread (the answers are kept for the
        page's calls, which then wait for nothing); a failure is left for that call to say.

        `questions` are (method name, arguments), e.g. ("volume", (scope, "1d")).
        """
        with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
            for future in [pool.submit(getattr(self, name), *args) for name, args in questions]:
                with contextlib.suppress(InputError):
                    future.result()

    def tables(self) -> dict[str, int]:
        return self._ask("sizes", lambda: lake.table_sizes(self.lake_tables))

    def columns(self) -> dict[str, frozenset[str]]:
        return lake.columns(self.lake_tables)  # the schema, known without a query

    def date_bounds(self) -> tuple[date, date] | None:
        return self._ask("bounds", lambda: lake.date_bounds(self.lake_tables))

    def dimension_values(self) -> dict[str, list[str]]:
        values = self._ask("dimensions", lambda: lake.dimension_values(self.lake_tables))
        return {dim: list(v) for dim, v in values.items()}

    def comparison_coverage(self, scope: store.Scope) -> periods.Coverage | None:
        before = scope.previous()
        return None if before is None else periods.coverage(before, self.date_bounds())

    def summarise(
        self, scope: store.Scope, settings: Settings, keys: tuple[str, ...] | None = None
    ) -> overview.Summary:
        bounds = self.date_bounds()
        return self._ask(
            "summary",
            lambda: lake.summarise(self.lake_tables, scope, settings, bounds, keys),
            scope,
            settings,
            keys,
        )

    def explain_alerts(self, scope: store.Scope, settings: Settings, keys: tuple[str, ...]) -> list:
        """Why the red KPIs moved, from grouped queries on the lake (`lib.analysis.alerts_lazy`)."""
        summary = self.summarise(scope, settings)
        return self._ask(
            "why",
            lambda: lake_pages.explain_alerts(self.lake_tables, scope, summary, settings, keys),
            scope,
            settings,
            keys,
        )

    def explain_alerts_soon(
        self, scope: store.Scope, settings: Settings, keys: tuple[str, ...]
    ) -> list | None:
        """The explanations when Spark has them, else None: they are then asked on a background thread
        (once, whoever asks) and the page looks again later. They take minutes on a small cluster, and the
        rest of the Overview should not wait for them. A failure is raised to every caller for FRESH_S."""
        key = (self.setting, "why", scope, settings, keys)
        hit, value = _ANSWERS.peek(key)
        if hit:
            return value
        with _LATER_LOCK:
            started, running = _LATER.get(key, (0.0, None))
            if running is not None and running.done():
                if running.exception() is None:
                    del _LATER[key]
                    return running.result()
                if time.monotonic() - started < FRESH_S:
                    running.result()  # the failure, as one sentence, until it is worth asking again
            if running is None or running.done():
                _LATER[key] = (
                    time.monotonic(),
                    _BACKGROUND.submit(self.explain_alerts, scope, settings, keys),
                )
        return None

    def frames(self, read: Callable, scope: store.Scope) -> store.Frames:
        """The lake's version of a page's rows (`LAKE_READERS`): lazy plans, nothing read yet."""
        return LAKE_READERS[read](self.lake_tables, scope)

    def kpis(self, scope: store.Scope, settings: Settings, keys: tuple[str, ...]) -> dict[str, float | None]:
        return self._ask(
            "kpis", lambda: lake.evaluate(self.lake_tables, scope, settings, keys), scope, settings, keys
        )

    def daily_counts(self, scope: store.Scope, by: str | None) -> pl.DataFrame:
        """Tickets per day (per segment) counted in Spark; the forecast runs locally on them."""
        return self._ask("daily", lambda: lake_pages.daily_counts(self.lake_tables, scope, by), scope, by)

    def volume(self, scope: store.Scope, every: str) -> pl.DataFrame:
        return self._ask("volume", lambda: lake_pages.volume(self.lake_tables, scope, every), scope, every)

    def top_categories(self, scope: store.Scope) -> pl.DataFrame | None:
        return self._ask("top", lambda: lake_pages.top_categories(self.lake_tables, scope), scope)

    def explore(self, scope: store.Scope, question: explore.Question, settings: Settings) -> explore.Answer:
        """The Explore page's question, folded and evaluated in Spark (`lake_pages.explore`)."""
        return self._ask(
            "explore",
            lambda: lake_pages.explore(self.lake_tables, scope, question, settings),
            scope,
            question,
            settings,
        )


# --- one answer per question, per server process ---------------------------------------------------

_ANSWERS = shared.Shared("lake", size=CACHE_SIZE, ttl=FRESH_S)
# Answers too slow to wait for (the alert explanations): computed here, one at a time, per server process.
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aftersight-lake")
_LATER: dict[tuple, tuple[float, Future]] = {}  # key → (asked at, its computation)
_LATER_LOCK = threading.Lock()


def _remember(key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` once per key for FRESH_S seconds (a failure is not kept: the next run asks again)."""
    return _ANSWERS.get(key, compute)


def forget() -> None:
    """Drop every kept lake answer (the tests; an administrator's "refresh")."""
    _ANSWERS.clear()
    with _LATER_LOCK:
        _LATER.clear()


def on_spark(setting: lake.Config, compute: Callable[[], Any]) -> Any:
    """Run a lake query; a failure (cluster down, permission denied, a column missing) is one sentence."""
    try:
        return compute()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001  (Py4J, Spark Connect and analysis errors alike)
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError("lake.query_failed", source=setting.tables["tickets"], reason=reason[:300]) from exc


# --- the administrator's setting ------------------------------------------------------------------


def _settings() -> dict[str, object]:
    """The lake settings: the environment wins over `.streamlit/secrets.toml` (top-level keys)."""
    names = (lake.ENGINE_SETTING, lake.MAPPING_SETTING, lake.MASTER_SETTING, *lake.SOURCE_SETTINGS.values())
    values: dict[str, object] = {}
    try:
        secrets = dict(st.secrets) if st.secrets.load_if_toml_exists() else {}
    except Exception:  # noqa: BLE001  (a malformed secrets file: the environment alone decides)
        secrets = {}
    for name in names:
        value = os.environ.get(name, secrets.get(name))
        if value is not None:
            values[name] = value
    return values


def requested() -> bool:
    """Whether the administrator chose the lake (even with a setting still incomplete)."""
    return str(_settings().get(lake.ENGINE_SETTING) or "").strip().lower() == "spark"


def configured() -> lake.Config | None:
    """The lake setting, or None when the pages compute locally (raises InputError when it is incomplete)."""
    return lake.config(_settings())


@st.cache_resource(show_spinner=False, ttl=FRESH_S)
def _opened(setting: lake.Config) -> tuple[lake.Tables, dict, dict]:
    """One Spark session per server process, started on the first page that needs it; the tables mapped."""
    spark = lake.session(setting.master)
    return lake.open_tables(spark, setting)


def lake_engine(setting: lake.Config) -> Lake:
    """The lake engine for `setting` (the Spark session and mapped tables are made once)."""
    tables, _, _ = on_spark(setting, lambda: _opened(setting))
    return Lake(setting, tables)


def lake_mappings(setting: lake.Config) -> tuple[dict, dict]:
    """The mapping file's column mappings and settings, as the lake tables were read with them."""
    _, mappings, saved = on_spark(setting, lambda: _opened(setting))
    return mappings, saved
