"""An analysis page's shared behaviour: drill-down by clicking a bar or a table row, and one workbook of its tables."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import altair as alt
import duckdb
import polars as pl
import streamlit as st

from lib import charts, export
from lib.analysis import formatting, overview, tables
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings
from lib.errors import InputError
from lib.i18n import t
from lib.ui import engines, frame, session, widgets

_DRILLS = "_aftersight_drills"  # {page: {dimension: value}}
_GENERATION = "_aftersight_drill_generation"  # {page: int}, bumped to clear chart selections
_ROWS = "_aftersight_drill_rows"  # {widget key: [dimension value per displayed row]}


class Page:
    """Drill-downs and downloads for one analysis page.

    A click on a bar (or a table row) narrows the whole page to that value. The
    chart or table it came from keeps showing every value, with the clicked one
    highlighted (like Power BI's cross-filter), so another value can be picked.
    The choice is kept as a value, not as the clicked position, so it survives
    filter changes that reorder the bars; chips above the page show it and clear it.
    """

    def __init__(
        self,
        name: str,
        lang: str,
        con: duckdb.DuckDBPyConnection,
        base: store.Scope,
        settings: Settings,
        engine: engines.Local | engines.Lake | None = None,
    ) -> None:
        self.name = name
        self.lang = lang
        self.con = con
        self.engine = engine or engines.Local(con)  # where the page's numbers are computed
        self._guards = 0  # how many `guard` blocks the page is inside
        self.base = base  # the sidebar's scope
        self.settings = settings
        self.sheets: dict[str, pl.DataFrame] = {}
        self._top = st.container()

    @property
    def scope(self) -> store.Scope:
        """The sidebar's scope narrowed by this page's drills: what every number on the page uses."""
        return self.scoped()

    def frames(
        self,
        read: Callable[[duckdb.DuckDBPyConnection, store.Scope], store.Frames],
        scope: store.Scope | None = None,
    ) -> store.Frames:
        """The page's rows for `scope` (default: the page scope), read once and kept for a few scopes."""
        scope = scope or self.scope
        return session.memo((self.name, "frames", scope), lambda: self.engine.frames(read, scope), rows=True)

    def memo(self, label: Hashable, compute: Callable[[], Any], scope: store.Scope | None = None) -> Any:
        """An aggregate of the page, computed once per data version, scope, settings and `label`.

        On the lake a failed query is one sentence: raised for the `guard` around it, else shown here and
        the page stops (what is drawn above stays).
        """
        key = (self.name, label, scope or self.scope, self.settings)
        if self.engine.kind == "spark":  # the lake's answers are every user's: kept for the server process
            compute = self._on_lake(functools.partial(self.engine.remember, ("page", *key), compute))
        return session.memo(key, compute)

    def _on_lake(self, compute: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                if self._guards:  # the guard shows the spinner
                    return engines.on_spark(self.engine.setting, compute)
                with st.spinner(t("lake.computing", self.lang), show_time=True):
                    return engines.on_spark(self.engine.setting, compute)
            except InputError as error:
                if self._guards:
                    raise
                widgets.input_error(error, self.lang)
                st.stop()

        return run

    FAILED = object()  # what a guarded result stays when its query failed

    @contextlib.contextmanager
    def guard(self, stop: bool = False) -> Iterator[None]:
        """A part of the page whose query may fail (the lake: cluster down, a column missing): the
        failure is one translated sentence there, and the rest of the page still draws (or, with
        `stop`, the page stops after the sentence: nothing below can draw without it).
        """
        self._guards += 1
        try:
            if self.engine.kind == "spark":  # a cluster's answer can take seconds: say it is coming
                with st.spinner(t("lake.computing", self.lang), show_time=True):
                    yield
            else:
                yield
        except InputError as error:
            widgets.input_error(error, self.lang)
            if stop:
                st.stop()
        finally:
            self._guards -= 1

    # ---- drill state ----------------------------------------------------------

    @property
    def drills(self) -> dict[str, str | None]:
        return st.session_state.setdefault(_DRILLS, {}).setdefault(self.name, {})

    def _generation(self) -> int:
        return st.session_state.setdefault(_GENERATION, {}).get(self.name, 0)

    def scoped(self, except_dimension: str | None = None) -> store.Scope:
        """The page scope, leaving out the drill on `except_dimension` (for the chart that sets it)."""
        base = self.base
        for dimension, value in self.drills.items():
            if dimension != except_dimension:
                base = base.narrowed(dimension, value)
        return base

    def chips(self) -> None:
        """The active drills, each with "clear" and "apply to every page"; nothing when none."""
        if not self.drills:
            return
        with self._top:
            for dimension, value in list(self.drills.items()):
                shown = formatting.literal(value) if value is not None else t("drill.empty_value", self.lang)
                words = t("drill.active", self.lang, field=t(f"field.{dimension}", self.lang), value=shown)
                left, clear, everywhere = st.columns([6, 1, 2], vertical_alignment="center")
                left.info(words, icon=":material/filter_alt:")
                clear.button(
                    t("drill.clear", self.lang),
                    key=f"drill_clear_{self.name}_{dimension}",
                    on_click=self._clear,
                    args=(dimension,),
                    width="stretch",
                )
                if value is not None:
                    everywhere.button(
                        t("drill.everywhere", self.lang),
                        key=f"drill_all_{self.name}_{dimension}",
                        on_click=self._apply_everywhere,
                        args=(dimension, value),
                        width="stretch",
                    )

    def _clear(self, dimension: str) -> None:
        self.drills.pop(dimension, None)
        generations = st.session_state.setdefault(_GENERATION, {})
        generations[self.name] = generations.get(self.name, 0) + 1  # new widget keys: selections cleared

    def _apply_everywhere(self, dimension: str, value: str) -> None:
        # Runs before the next run draws the sidebar, so its widget may still be set.
        st.session_state[f"filter_{dimension}"] = [value]
        st.session_state[f"_keep_filter_{dimension}"] = [value]
        self._clear(dimension)

    def _picked(self, key: str, dimension: str) -> None:
        """on_select callback of a chart or table: remember the clicked value (or its removal)."""
        event = st.session_state.get(key) or {}
        selection = event.get("selection", {}) if isinstance(event, dict) else getattr(event, "selection", {})
        points = selection.get(charts.SELECTION) if charts.SELECTION in selection else None
        if points is not None:
            raw = [p.get(charts.SELECTION_FIELD) for p in points if isinstance(p, dict)]
            values = [None if value == charts.MISSING else value for value in raw]  # the empty group
        else:
            rows = st.session_state.get(_ROWS, {}).get(key, [])
            values = [rows[i] for i in selection.get("rows", []) if 0 <= i < len(rows)]
        if values:
            self.drills[dimension] = values[0]
        else:
            self.drills.pop(dimension, None)

    def widget_key(self, key: str) -> str:
        """The key a chart or table of this page is drawn under (new after a drill is cleared)."""
        return f"{self.name}_{key}_{self._generation()}"

    # ---- widgets ----------------------------------------------------------------

    def cards(self, keys: tuple[str, ...]) -> overview.Summary:
        """KPI cards for the page scope against the comparison period; returns the numbers."""
        summary = self.memo(("summary", keys), lambda: self.engine.summarise(self.scope, self.settings, keys))
        widgets.kpi_cards(summary, self.settings, self.lang, keys=keys)
        return summary

    def needs_file(self, table: str) -> None:
        """The empty state of a page whose file is not loaded, with the way to the Data page."""
        st.info(t("kpi.needs_file", self.lang, table=t(f"table.{table}", self.lang)), icon=":material/info:")
        st.page_link("pages/data.py", label=t("nav.data", self.lang), icon=":material/upload_file:")

    def needs(self, columns: tuple[str, ...]) -> None:
        """The empty state of a chart or table: which columns would enable it."""
        have = frozenset(c for columns in self.engine.columns().values() for c in columns)
        st.info(overview.needs_sentence(columns, self.lang, have), icon=":material/info:")

    def chart(
        self,
        figure: alt.TopLevelMixin,
        data: pl.DataFrame,
        name: str,
        key: str,
        *,
        sheet: str | None = None,
        drill: str | None = None,
    ) -> None:
        """A chart with its downloads; clicking a bar drills into `drill` (a dimension)."""
        widget = self.widget_key(key)
        on_select = (lambda: self._picked(widget, drill)) if drill else None
        widgets.chart(figure, data, name, self.lang, key=widget, on_select=on_select)
        if sheet:
            self.add_sheet(sheet, data)

    def kpi_trends(
        self,
        data: pl.DataFrame | None,
        keys: tuple[str, ...],
        grain: str,
        sheet: str,
        have: frozenset[str] | None = None,
    ) -> None:
        """One small KPI line per key of `data` (period, keys), side by side with the KPI's target.

        Then `data` goes into the workbook as `sheet`. Without `data`, what the KPIs need instead. With
        `have` (the columns present), a KPI without any value shows its name and the columns it needs
        rather than an empty chart.
        """
        if data is None:
            self.needs(tuple(need for key in keys for need in BY_KEY[key].needs))
            return
        for column, key in zip(st.columns(len(keys)), keys, strict=True):
            kpi = BY_KEY[key]
            title = tables.short_header(key, self.lang)
            with column:
                if have is not None and tables.blank(data, key):
                    st.markdown(f"**{title}**")
                    self.needs(overview.missing_columns(kpi, have) or kpi.needs)
                    continue
                figure = charts.kpi_trend(
                    data,
                    x="period",
                    y=key,
                    x_title=t(f"grain.{grain}", self.lang),
                    y_title=title,
                    title=title,
                    target=self.settings.target(kpi),
                    y_format=tables.d3_format(key),
                    time_unit=grain,
                    target_title=t("kpi.target", self.lang),
                )
                self.chart(figure, data.select("period", key), f"{key}_{grain}", f"trend_{key}")
        self.add_sheet(sheet, data)

    def add_sheet(self, name: str, frame: pl.DataFrame) -> None:
        """Put `frame` in the page workbook, as people read it (translated headers, rates in %)."""
        self.sheets[name] = tables.display(frame, self.lang)

    def table(
        self,
        frame: pl.DataFrame,
        name: str,
        key: str,
        *,
        sheet: str,
        drill: str | None = None,
        height: int | None = None,
    ) -> None:
        """A table as people read it (`tables.display`), with its CSV and a sheet in the page workbook.

        With `drill` (a dimension column of `frame`), selecting a row drills into its value.
        """
        widget = self.widget_key(key)
        shown = tables.display(frame, self.lang)
        on_select = None
        if drill and drill in frame.columns:
            st.session_state.setdefault(_ROWS, {})[widget] = frame[drill].to_list()
            on_select = lambda: self._picked(widget, drill)  # noqa: E731
        widgets.table(shown, name, self.lang, key=widget, height=height, on_select=on_select)
        self.sheets[sheet] = shown

    def workbook_button(self) -> None:
        """At the top of the page: every table of the page as one .xlsx (built when clicked)."""
        if not self.sheets:
            return
        sheets = dict(self.sheets)
        with self._top:
            st.download_button(
                t("download.page_xlsx", self.lang),
                icon=":material/table_view:",
                data=lambda: export.xlsx_bytes(sheets),
                file_name=f"{self.name}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                on_click="ignore",
                key=f"{self.name}_xlsx",
            )


def open_page(name: str, title_key: str, drill: bool = True) -> Page:
    """An analysis page's start: frame, title, period line, drill chips; stops when nothing is loaded.

    On the lake (lib.ui.engines) a page that does not compute there yet says so and stops, and a
    lake that cannot be read is one sentence naming the table and the fix.
    """
    frame.ensure()
    lang = session.lang()
    con = session.connection()
    st.title(t(title_key, lang))
    try:
        engine = session.engine()
        if engine.kind == "spark" and name not in engines.LAKE_PAGES:
            st.info(t("lake.page_not_yet", lang), icon=":material/cloud:")
            st.stop()
        has_tickets = bool(engine.tables().get("tickets"))
        base = session.scope()
        comparison = engine.comparison_coverage(base) if has_tickets else None
    except InputError as error:
        widgets.input_error(error, lang)
        st.stop()
    if not has_tickets:
        st.info(t("overview.no_data", lang))
        st.page_link("pages/data.py", label=t("nav.data", lang), icon=":material/upload_file:")
        st.stop()
    hint = " · " + t("drill.hint", lang) if drill else ""
    st.caption(overview.period_sentence(base, comparison, lang) + hint)
    page = Page(name, lang, con, base, session.settings(), engine)
    page.chips()
    return page
