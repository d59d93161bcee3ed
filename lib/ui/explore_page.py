"""The Explore page (自助分析): the question builder (the question lives in the URL), the chart that follows
it and the pivot table; saved views are in `explore_views`, the team's measures in `measures_panel`."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import polars as pl
import streamlit as st

from lib import charts
from lib.analysis import explore, formatting, overview, tables
from lib.engine import store
from lib.engine.kpis import Kpi, Settings, kpi_of
from lib.errors import InputError
from lib.i18n import t
from lib.schema import DIMENSIONS
from lib.ui import analysis_page, widgets

DEFAULT = explore.Question(("tickets", "resolution_sla_rate"), by=("category",))
MAX_KPIS = 6
KEY = {
    "kpis": "explore_kpis",
    "by": "explore_by",
    "grain": "explore_grain",
    "top": "explore_top",
    "sort": "explore_sort",
    "order": "explore_order",
    "min_size": "explore_min",
}
FILTER = "explore_f_"
_STATUS_CSS = {
    "green": "background-color: #E3F4EC",
    "amber": "background-color: #FFF1D6",
    "red": "background-color: #FBE1DC",
}
_D3 = {"ratio": ".1%", "count": ",d", "currency": ",.2f", "score": ".2f"}


# ---- widget state: seeded from the URL on a first visit, kept across pages ---------------------


def _widget_values(question: explore.Question) -> dict[str, object]:
    values = {KEY[name]: getattr(question, name) for name in KEY}
    values[KEY["kpis"]] = list(question.kpis)
    values[KEY["by"]] = list(question.by)
    values[KEY["sort"]] = question.sort or explore.SIZE
    chosen = dict(question.filters)
    return values | {f"{FILTER}{d}": list(chosen.get(d, ())) for d in DIMENSIONS}


def put_question(question: explore.Question) -> None:
    """Show `question` in the widgets (a saved view opened; runs as a callback, before they are drawn)."""
    for key, value in _widget_values(question).items():
        st.session_state[key] = value
        st.session_state[f"_keep_{key}"] = value


def _url_question() -> explore.Question | None:
    params = {k: st.query_params.get_all(k) for k in st.query_params if k.startswith(explore.PREFIX)}
    return explore.from_params(params)


def _seed(known: set[str]) -> None:
    """First visit in this session: the URL's question (a copied link), else the default one."""
    if KEY["kpis"] in st.session_state or f"_keep_{KEY['kpis']}" in st.session_state:
        for key in _widget_values(DEFAULT):
            if key not in st.session_state and f"_keep_{key}" in st.session_state:
                st.session_state[key] = st.session_state[f"_keep_{key}"]
        return
    question = _url_question() or DEFAULT
    question = replace(question, kpis=tuple(k for k in question.kpis if k in known) or DEFAULT.kpis)
    put_question(question)


def _keep(key: str) -> None:
    st.session_state[f"_keep_{key}"] = st.session_state.get(key)


# ---- the question builder ------------------------------------------------------------------------


def _label(kpi: Kpi, lang: str) -> str:
    return kpi.label[0] if lang == "zh" else kpi.label[1]


def builder(page: analysis_page.Page, settings: Settings) -> explore.Question | None:
    """The widgets that ask the question; the question (also written into the URL), or None if impossible."""
    lang = page.lang
    groups = explore.kpi_groups(settings)
    group_of = {kpi.key: name for name, kpis in groups.items() for kpi in kpis}
    _seed(set(group_of))
    # A measure deleted since the question was made: drop it rather than fail the widget.
    st.session_state[KEY["kpis"]] = [k for k in st.session_state.get(KEY["kpis"], []) if k in group_of]
    present = [d for d in DIMENSIONS if d in page.engine.columns().get("tickets", ())]
    st.session_state[KEY["by"]] = [d for d in st.session_state.get(KEY["by"], []) if d in present]
    first, second, third = st.columns([3, 2, 1])
    keys = first.multiselect(
        t("explore.kpis", lang),
        list(group_of),
        format_func=lambda k: (
            f"{t(f'explore.group.{group_of[k]}', lang)} · {_label(kpi_of(k, settings), lang)}"
        ),
        max_selections=MAX_KPIS,
        key=KEY["kpis"],
        placeholder=t("explore.pick_kpis", lang),
    )
    by = second.multiselect(
        t("explore.by", lang),
        present,
        format_func=lambda d: t(f"field.{d}", lang),
        max_selections=explore.MAX_DIMENSIONS,
        key=KEY["by"],
        placeholder=t("explore.no_dimension", lang),
    )
    grain = third.selectbox(
        t("explore.grain", lang),
        [None, "day", "week", "month"],
        format_func=lambda g: t("explore.no_grain", lang) if g is None else t(f"grain.{g}", lang),
        placeholder=t("explore.no_grain", lang),  # a None value shows the placeholder, not format_func's
        key=KEY["grain"],
    )
    if keys:
        with st.expander(t("explore.kpi_help", lang)):
            for key in keys:
                kpi = kpi_of(key, settings)
                description = kpi.description[0] if lang == "zh" else kpi.description[1]
                st.markdown(
                    f"**{formatting.literal(_label(kpi, lang))}** — {formatting.literal(description)}"
                )
    with st.expander(t("explore.options", lang)):
        left, middle, right, last = st.columns(4)
        top = left.number_input(t("explore.top", lang), 1, explore.MAX_TOP, step=1, key=KEY["top"])
        min_size = middle.number_input(
            t("explore.min_size", lang),
            0,
            10**9,
            step=5,
            key=KEY["min_size"],
            help=t("explore.min_size_help", lang),
        )
        if st.session_state.get(KEY["sort"]) not in (explore.SIZE, *keys):
            st.session_state[KEY["sort"]] = explore.SIZE
        sort = right.selectbox(
            t("explore.sort", lang),
            [explore.SIZE, *keys],
            format_func=lambda k: (
                t("explore.by_size", lang) if k == explore.SIZE else _label(kpi_of(k, settings), lang)
            ),
            key=KEY["sort"],
        )
        order = last.segmented_control(
            t("explore.order", lang),
            list(explore.ORDERS),
            format_func=lambda o: t(f"explore.order_{o}", lang),
            key=KEY["order"],
        )
        st.caption(t("explore.filters_help", lang))
        values = page.engine.dimension_values()
        filters = []
        for column, dimension in zip(st.columns(3) * 2, present, strict=False):
            key = f"{FILTER}{dimension}"
            st.session_state[key] = [
                v for v in st.session_state.get(key, []) if v in values.get(dimension, [])
            ]
            chosen = column.multiselect(
                t(f"field.{dimension}", lang),
                values.get(dimension, []),
                key=key,
                placeholder=t("sidebar.all", lang),
            )
            _keep(key)
            if chosen:
                filters.append((dimension, tuple(chosen)))
    for key in KEY.values():
        _keep(key)
    question = explore.Question(
        kpis=tuple(keys),
        by=tuple(by),
        grain=grain,
        filters=tuple(filters),
        top=int(top),
        sort=None if sort == explore.SIZE else sort,
        order=order or "desc",
        min_size=int(min_size),
    )
    try:
        explore.check(question, settings)
    except InputError as error:
        widgets.input_error(error, lang)
        return None
    _write_url(question)
    return question


def _write_url(question: explore.Question) -> None:
    wanted = explore.to_params(question)
    for key in [k for k in st.query_params if k.startswith(explore.PREFIX) and k not in wanted]:
        del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get_all(key) != (value if isinstance(value, list) else [value]):
            st.query_params[key] = value


# ---- the answer: chart, pivot table, downloads -----------------------------------------------------


def _format(kpi: Kpi) -> str:
    return _D3.get(kpi.unit, ",.1f")


def _header(kpi: Kpi, lang: str) -> str:
    return _label(kpi, lang) + (" (%)" if kpi.unit == "ratio" else "")


def _labels(lang: str) -> dict:
    return {explore.OTHER: t("explore.other", lang), None: charts.MISSING}


def _shown(table: pl.DataFrame, dims: list[str], lang: str) -> pl.DataFrame:
    """Dimension values as text, OTHER and the empty value named (for charts that draw text only)."""
    labels = _labels(lang)
    return table.with_columns(
        pl.col(d)
        .cast(pl.String)
        .replace_strict(labels, default=pl.col(d).cast(pl.String))
        .fill_null(charts.MISSING)
        for d in dims
    )


def display(answer: explore.Answer, settings: Settings, lang: str) -> pl.DataFrame:
    """The answer as people read it: dimension values named, rates in %, headers translated."""
    table = _shown(answer.table, list(answer.question.by), lang)
    exprs = []
    for column in table.columns:
        if column in answer.question.kpis:
            kpi = kpi_of(column, settings)
            expr = pl.col(column) * 100 if kpi.unit == "ratio" else pl.col(column)
            expr = expr.round(0 if kpi.unit == "count" else 2 if kpi.unit in ("currency", "score") else 1)
            exprs.append(expr.alias(_header(kpi, lang)))
        elif column == explore.SIZE:
            if answer.size_of in answer.question.kpis:
                continue  # the KPI column already shows it
            exprs.append(pl.col(column).alias(t(f"explore.size_{answer.size_of}", lang)))
        else:
            exprs.append(pl.col(column).alias(tables.header(column, lang)))
    return table.select(exprs)


def _chart(
    page: analysis_page.Page, answer: explore.Answer, key: str, kind: str, settings: Settings
) -> tuple[alt.TopLevelMixin, pl.DataFrame, str | None]:
    """The chart of one KPI for the question: (figure, its data, the dimension a click drills into)."""
    lang, question, table = page.lang, answer.question, answer.table
    kpi = kpi_of(key, settings)
    title, number = _label(kpi, lang), _format(kpi)
    target = settings.target(kpi)
    by = list(question.by)
    group_title = " · ".join(t(f"field.{d}", lang) for d in by)
    if len(by) == 2:
        table = _shown(table, by, lang).with_columns(pl.concat_str(by, separator=" · ").alias("_group"))
    if kind == "lines":
        grain = question.grain or "day"
        x_title = t(f"grain.{grain}", lang)
        if not by:
            figure = charts.kpi_trend(
                table,
                x="period",
                y=key,
                x_title=x_title,
                y_title=title,
                title=title,
                target=target,
                y_format=number,
                time_unit=grain,
                target_title=t("kpi.target", lang),
            )
            return figure, table.select("period", key, explore.SIZE), None
        series = "_group" if len(by) == 2 else by[0]
        figure = charts.multi_line(
            table,
            x="period",
            series=series,
            y=key,
            x_title=x_title,
            y_title=title,
            series_title=group_title,
            title=title,
            series_labels=_labels(lang) if len(by) == 1 else None,
            time_unit=grain,
            y_format=number,
        )
        return figure, table.select(*by, "period", key, explore.SIZE), None
    if kind == "heatmap":
        data = _shown(table, by, lang)
        if question.grain:  # periods across, the groups (both dimensions together) down
            data = data.with_columns(pl.col("period").cast(pl.String))
            x, y = "period", "_group" if len(by) == 2 else by[0]
        else:
            x, y = by[1], by[0]
        figure = charts.heatmap(
            data,
            x=x,
            y=y,
            value=key,
            x_title=t(f"grain.{question.grain}", lang) if question.grain else t(f"field.{x}", lang),
            y_title=group_title if y == "_group" else t(f"field.{y}", lang),
            value_title=title,
            title=title,
            value_format=number,
            missing_title=t("explore.no_rows", lang),
            count=explore.SIZE,
            count_title=t(f"explore.size_{answer.size_of}", lang),
            select=not question.grain,  # a cell drills into both of its values
        )
        return figure, table.select(*by, *(["period"] if question.grain else []), key, explore.SIZE), None
    category = "_group" if len(by) == 2 else by[0]
    figure = charts.driver_bars(
        table,
        category=category,
        value=key,
        count=explore.SIZE,
        category_title=group_title,
        value_title=title,
        count_title=t(f"explore.size_{answer.size_of}", lang),
        title=title,
        value_format=number,
        small=explore.SMALL,
        select=len(by) == 1,
        target=target,
        target_title=t("kpi.target", lang) if target is not None else None,
        category_labels=_labels(lang) if len(by) == 1 else None,
    )
    return figure, table.select(*by, key, explore.SIZE, explore.SMALL), by[0] if len(by) == 1 else None


def _scope_keeping(page: analysis_page.Page, dimensions: tuple[str, ...]) -> store.Scope:
    """The page scope without the drills on `dimensions` (the chart of those keeps all its groups)."""
    scope = page.base
    for dimension, value in page.drills.items():
        if dimension not in dimensions:
            scope = scope.narrowed(dimension, value)
    return scope


def cell_values(event: object, by: tuple[str, ...], lang: str) -> dict[str, str | None] | None:
    """The drill a click on a heat-map cell asks for: {first dimension: row value, second: column value}.

    The cells carry the values as shown ("—" for an empty one, "Other" for the folded group): they are
    turned back into values; a cell of the folded group is no drill (None), nor is a click on nothing.
    """
    selection = event.get("selection", {}) if isinstance(event, dict) else getattr(event, "selection", {})
    points = selection.get(charts.SELECTION) or []
    if not points or not isinstance(points[0], dict):
        return None
    raw = {str(label): value for value, label in _labels(lang).items()}
    picked = {by[0]: points[0].get("y"), by[1]: points[0].get("x")}
    values = {d: raw.get(v, v) if isinstance(v, str) else v for d, v in picked.items()}
    return None if explore.OTHER in values.values() else values


def _picked_cell(page: analysis_page.Page, widget: str, by: tuple[str, ...], lang: str) -> None:
    values = cell_values(st.session_state.get(widget) or {}, by, lang)
    if values is None:
        for dimension in by:
            page.drills.pop(dimension, None)
    else:
        page.drills.update(values)


def show(page: analysis_page.Page, question: explore.Question, settings: Settings) -> None:
    """Ask the question for the page scope and draw its chart(s) and table."""
    lang = page.lang
    for dimension in question.by:
        if page.drills.get(dimension) == explore.OTHER:
            page.drills.pop(dimension)  # "other" is many values: it is not a drill
            st.info(t("explore.other_no_drill", lang))
    # A chart of groups keeps every group when one is drilled into (it is highlighted); over time the
    # drill narrows the lines.
    scope = _scope_keeping(page, question.by) if not question.grain else page.scope
    try:
        answer = page.memo(
            ("answer", question), lambda: page.engine.explore(scope, question, settings), scope
        )
    except InputError as error:
        widgets.input_error(error, lang)
        return
    if answer.table.is_empty():
        st.info(t("page.no_rows", lang))
        return
    have = page.engine.columns().get("tickets", frozenset())
    for key in answer.unavailable:
        kpi = kpi_of(key, settings)
        st.caption(
            f"{formatting.literal(_label(kpi, lang))}: {overview.needs_sentence(kpi.needs, lang, have)}"
        )
    for dimension, count in answer.folded.items():
        st.caption(
            t("explore.folded", lang, count=count, field=t(f"field.{dimension}", lang), top=question.top)
        )
    small = int(answer.table[explore.SMALL].sum())
    if small:
        st.caption(t("explore.small_groups", lang, count=small, size=question.min_size))
    shown = [k for k in question.kpis if k not in answer.unavailable]
    kinds = explore.chart_kinds(question)
    if kinds == ("table",):
        for column, key in zip(st.columns(len(shown) or 1), shown, strict=False):
            kpi = kpi_of(key, settings)
            column.metric(_label(kpi, lang), formatting.value(kpi, answer.table[key][0], lang))
    else:
        kind = (
            st.segmented_control(
                t("explore.chart", lang),
                list(kinds),
                format_func=lambda k: t(f"explore.chart_{k}", lang),
                default=kinds[0],
                key="explore_chart",
            )
            or kinds[0]
        )
        kind = kind if kind in kinds else kinds[0]
        if kind == "multiples":
            for key in shown:
                _multiples(page, answer, key, settings)
            _table(page, answer, settings)
            return
        per_row = 1 if kind == "lines" and question.by else 2
        for index in range(0, len(shown), per_row):
            for column, key in zip(st.columns(per_row), shown[index : index + per_row], strict=False):
                with column:
                    figure, data, drill = _chart(page, answer, key, kind, settings)
                    if kind == "heatmap" and not question.grain:
                        widget = page.widget_key(f"chart_{key}_{kind}")
                        on_pick = lambda w=widget: _picked_cell(page, w, question.by, lang)  # noqa: E731
                        widgets.chart(figure, data, f"explore_{key}", lang, key=widget, on_select=on_pick)
                    else:
                        page.chart(figure, data, f"explore_{key}", f"chart_{key}_{kind}", drill=drill)
    _table(page, answer, settings)


MULTIPLES = 6  # panels of small multiples: the first dimension's largest values
MULTIPLES_PER_ROW = 3


def _multiples(page: analysis_page.Page, answer: explore.Answer, key: str, settings: Settings) -> None:
    """Small multiples for two dimensions: one bar chart of `key` by the second dimension per value of the
    first (its largest values first, OTHER last), each bar with its count and small groups faded."""
    lang, (first, second) = page.lang, answer.question.by
    kpi = kpi_of(key, settings)
    target = settings.target(kpi)
    st.markdown(f"**{formatting.literal(_label(kpi, lang))}**")
    order = (
        answer.table.group_by(first)
        .agg(pl.col(explore.SIZE).sum())
        .with_columns((pl.col(first) == explore.OTHER).fill_null(False).alias("_other"))
        .sort(["_other", explore.SIZE], descending=[False, True])[first]
        .to_list()
    )
    if len(order) > MULTIPLES:
        st.caption(
            t(
                "explore.multiples_cut",
                lang,
                shown=MULTIPLES,
                count=len(order),
                field=t(f"field.{first}", lang),
            )
        )
    labels = _labels(lang)
    for _, column, value in widgets.grid(order[:MULTIPLES], MULTIPLES_PER_ROW):
        index = order.index(value)  # the panel's own key (grid gives the row's first index)
        panel = answer.table.filter(pl.col(first).is_null() if value is None else pl.col(first) == value)
        title = str(labels.get(value, value))
        with column:
            figure = charts.driver_bars(
                panel,
                category=second,
                value=key,
                count=explore.SIZE,
                category_title=t(f"field.{second}", lang),
                value_title=_label(kpi, lang),
                count_title=t(f"explore.size_{answer.size_of}", lang),
                title=title,
                value_format=_format(kpi),
                small=explore.SMALL,
                target=target,
                target_title=t("kpi.target", lang) if target is not None else None,
                category_labels=labels,
            )
            data = panel.select(first, second, key, explore.SIZE, explore.SMALL)
            page.chart(figure, data, f"explore_{key}_{index}", f"multiples_{key}_{index}")


def _table(page: analysis_page.Page, answer: explore.Answer, settings: Settings) -> None:
    """The long table (every group, every KPI, its size; small groups greyed), and for two dimensions the
    first KPI as a pivot table; both in the page workbook."""
    lang, question = page.lang, answer.question
    shown = display(answer, settings, lang)
    st.subheader(t("explore.table", lang))
    small = answer.table[explore.SMALL].to_list()
    styled = shown.to_pandas().style.apply(
        lambda row: ["color: #9A9A9A" if small[row.name] else "" for _ in row], axis=1
    )
    # A styled table shows floats with six decimals unless told: each KPI with its own (as `display` rounds).
    decimals = {}
    for key in question.kpis:
        kpi = kpi_of(key, settings)
        decimals[_header(kpi, lang)] = (
            0 if kpi.unit == "count" else 2 if kpi.unit in ("currency", "score") else 1
        )
    styled = styled.format(
        {column: f"{{:,.{places}f}}" for column, places in decimals.items() if column in shown.columns},
        na_rep=charts.MISSING,
    )
    # A KPI with a target: each cell coloured by its status (green met, amber close, red missed).
    marks = {}
    for key in question.kpis:
        kpi = kpi_of(key, settings)
        if settings.target(kpi) is not None and kpi.better is not None:
            marks[_header(kpi, lang)] = explore.statuses(answer, key, settings)
    if marks:
        styled = styled.apply(
            lambda column: [_STATUS_CSS.get(m, "") for m in marks.get(column.name, [None] * len(column))],
            axis=0,
        )
        st.caption(t("explore.status_legend", lang))
    st.dataframe(styled, hide_index=True, width="stretch", placeholder=charts.MISSING)
    st.download_button(
        t("download.table_csv", lang),
        icon=":material/download:",
        data=lambda: _csv(shown),
        file_name="explore.csv",
        mime="text/csv",
        on_click="ignore",
        key="explore_table_csv",
    )
    page.sheets[t("explore.table", lang)] = shown
    if len(question.by) == 2 and not question.grain:
        key = question.kpis[0]
        kpi = kpi_of(key, settings)
        first, second = question.by
        pivot = (
            _shown(answer.table, list(question.by), lang)
            .with_columns((pl.col(key) * (100 if kpi.unit == "ratio" else 1)).round(1))
            .pivot(on=second, index=first, values=key, sort_columns=True)
            .rename({first: t(f"field.{first}", lang)})
        )
        st.subheader(t("explore.pivot", lang, kpi=_header(kpi, lang)))
        widgets.table(pivot, "explore_pivot", lang, key="explore_pivot")
        page.sheets[t("explore.pivot_sheet", lang)] = pivot


def _csv(frame: pl.DataFrame) -> bytes:
    from lib import export

    return export.csv_bytes(frame)
