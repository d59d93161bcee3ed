"""Streamlit widgets every page shares: charts and tables with their downloads, KPI cards, errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

import altair as alt
import polars as pl
import streamlit as st

from lib import charts, export
from lib.analysis import formatting, overview
from lib.engine.kpis import Kpi, Settings, change, status
from lib.engine.periods import GRAINS
from lib.errors import InputError
from lib.i18n import CATALOGUE, t

Item = TypeVar("Item")

STATUS_MARK = {"green": ":green[●]", "amber": ":orange[●]", "red": ":red[●]"}
DELTA_COLOR = {"higher": "normal", "lower": "inverse", None: "off"}


# (format, how to build the file, MIME type) for every chart download.
CHART_DOWNLOADS = (
    ("png", lambda figure, data: charts.to_png(figure), "image/png"),
    ("svg", lambda figure, data: charts.to_svg(figure), "image/svg+xml"),
    ("csv", lambda figure, data: export.csv_bytes(data), "text/csv"),
)


def chart(
    figure: alt.TopLevelMixin,
    data: pl.DataFrame,
    name: str,
    lang: str,
    key: str,
    on_select: Callable[[], None] | None = None,
) -> None:
    """Show a chart with PNG, SVG and CSV downloads, each built only when clicked.

    With `on_select`, a click on a mark (the chart's `charts.SELECTION` param) reruns
    the page after calling it; the selection is in `st.session_state[key]`.
    """
    shown = _unvalidated(figure)
    if on_select:
        st.altair_chart(shown, width="stretch", key=key, on_select=on_select, selection_mode=charts.SELECTION)
    else:
        st.altair_chart(shown, width="stretch")
    for column, (kind, build, mime) in zip(st.columns(len(CHART_DOWNLOADS)), CHART_DOWNLOADS, strict=True):
        column.download_button(
            t(f"download.{kind}", lang),
            icon=":material/download:",
            data=lambda build=build: build(figure, data),
            file_name=f"{name}.{kind}",
            mime=mime,
            on_click="ignore",
            key=f"{key}_{kind}",
            width="stretch",
        )


def _unvalidated(figure: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A copy of `figure` whose spec Streamlit builds without Altair's JSON-schema check.

    The check took a third of the Overview's re-render at 1M tickets (0.1–0.3 s for two charts, whatever
    the data size); the builders' specs are checked against the schema in tests/test_charts_*.py instead.
    `to_dict` is set on the copy's own `__dict__`: Altair's `__setattr__` would make it a spec property.
    """
    shown = figure.copy(deep=False)
    object.__setattr__(shown, "to_dict", partial(shown.to_dict, validate=False))
    return shown


def table(
    frame: pl.DataFrame,
    name: str,
    lang: str,
    key: str,
    height: int | None = None,
    on_select: Callable[[], None] | None = None,
) -> None:
    """Show a table with a CSV download (UTF-8 with BOM, formulas neutralised).

    With `on_select`, one row can be selected; the selection is in `st.session_state[key]`.
    """
    # Dates as dates: the grid would otherwise show "2026-11-01 00:00:00".
    dates = {
        c: st.column_config.DateColumn(format="YYYY-MM-DD") for c, d in frame.schema.items() if d == pl.Date
    }
    if on_select:
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=height or "auto",
            column_config=dates,
            key=key,
            on_select=on_select,
            selection_mode="single-row",
            placeholder=charts.MISSING,
        )
    else:
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=height or "auto",
            column_config=dates,
            placeholder=charts.MISSING,
        )
    st.download_button(
        t("download.table_csv", lang),
        icon=":material/download:",
        data=lambda: export.csv_bytes(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
    )


def kpi_card(
    kpi: Kpi,
    current: float | None,
    previous: float | None,
    settings: Settings,
    lang: str,
    unavailable: str,
    not_compared: str | None = None,
) -> None:
    """A metric with its change, target status and, when not available, what it needs.

    `not_compared` (the comparison period lacks data, `overview.comparison_note`) is said under the
    value where the change would be: a caption, as the metric's delta chip cuts a long note short.
    """
    label = kpi.label[0] if lang == "zh" else kpi.label[1]
    help_text = kpi.description[0] if lang == "zh" else kpi.description[1]
    absolute, relative = change(current, previous)
    shown_delta = formatting.delta(kpi, absolute, relative, lang)
    # A change that rounds to zero on screen ("+0.0 pp") is shown without colour.
    moved = shown_delta is not None and any(ch in "123456789" for ch in shown_delta)
    with st.container(border=True):
        st.metric(
            label,
            formatting.value(kpi, current, lang),
            delta=shown_delta,
            delta_color=DELTA_COLOR[kpi.better] if moved else "off",
            help=help_text,
        )
        if current is None:
            st.caption(unavailable)
            return
        if not_compared:
            st.caption(not_compared)
        state = status(kpi, current, settings)
        target = settings.target(kpi)
        if state:
            st.caption(
                f"{STATUS_MARK[state]} {t('status.' + state, lang)} · "
                f"{t('kpi.target', lang)} {formatting.value(kpi, target, lang)}"
            )
        else:
            st.caption(t("kpi.no_target", lang))


def grain_picker(lang: str, key: str, default: str = "week", grains=tuple(GRAINS), where=st) -> str:
    """Day / week / month buttons; a click on the picked one keeps `default` rather than nothing."""
    picked = where.segmented_control(
        t("overview.grain", lang),
        list(grains),
        format_func=lambda g: t(f"grain.{g}", lang),
        default=default,
        key=key,
    )
    return picked or default


def dimension_picker(
    label: str, options: list[str], lang: str, key: str, default: str | None, where=st
) -> str | None:
    """Buttons for the dimensions a table has, named as the user reads them; None when none is picked."""
    return where.segmented_control(
        label, options, format_func=lambda d: t(f"field.{d}", lang), default=default, key=key
    )


def kpi_cards(
    summary: overview.Summary,
    settings: Settings,
    lang: str,
    keys: tuple[str, ...] | None = None,
    per_row: int = 4,
) -> None:
    """Rows of KPI cards with the change against the comparison period and the target status."""
    not_compared = overview.comparison_note(summary.comparison, lang)
    for row in overview.card_rows(summary, lang, per_row=per_row, keys=keys):
        for column, (kpi, current, previous, why_not) in zip(st.columns(per_row), row, strict=False):
            with column:
                kpi_card(kpi, current, previous, settings, lang, why_not, not_compared)


def grid(items: Sequence[Item], per_row: int) -> Iterator[tuple[int, Any, Item]]:
    """`items` laid out `per_row` to a row of equal columns, a row drawn when it is reached.

    Yields (index of the row's first item, the column, the item); draw the item `with column:`.
    """
    for index in range(0, len(items), per_row):
        for column, item in zip(st.columns(per_row), items[index : index + per_row], strict=False):
            yield index, column, item


def edited_table(
    frame: pl.DataFrame, key: str, apply: str, save: Callable[[Any], None], **options: Any
) -> None:
    """An editable table (`st.data_editor`, `options` passed on) and an `apply` button under it.

    A click hands the edited table to `save`, forgets the editor's own edits (so it shows what was
    saved) and reruns the page. The button's key is `key` + "_apply".
    """
    edited = st.data_editor(frame, hide_index=True, width="stretch", key=key, **options)
    if st.button(apply, key=f"{key}_apply"):
        save(edited)
        st.session_state.pop(key, None)
        st.rerun()


def with_field_labels(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The frame with canonical column names shown as the user reads them (for display only)."""
    return frame.rename({c: t(f"field.{c}", lang) for c in frame.columns if f"field.{c}" in CATALOGUE})


def input_error(error: InputError, lang: str) -> None:
    st.error(error.message(lang, escape=formatting.literal), icon="⚠️")


# Streamlit's uploader writes "Upload" and "… per file • CSV, …" in English with no
# parameter to change them (streamlit issue 13500). In Chinese the instructions are
# hidden (the page shows a translated caption) and the button is relabelled. Static
# CSS only: no user text goes into this HTML.
_UPLOADER_ZH_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "选择文件"; }
</style>"""


def uploader_language(lang: str) -> None:
    """Make the file uploaders on this page speak `lang` (see `_UPLOADER_ZH_CSS`)."""
    if lang == "zh":
        st.html(_UPLOADER_ZH_CSS)


POLL_S = 3.0  # how often a page looks whether a result computed in the background has arrived


def rerun_when(ready: Callable[[], bool], every: float = POLL_S) -> None:
    """Look every `every` seconds whether `ready()`, then run the whole page again to draw what arrived
    (e.g. the lake's alert explanations). A failure counts as arrived: the page's own run says it."""

    @st.fragment(run_every=every)
    def look() -> None:
        try:
            arrived = ready()
        except InputError:
            arrived = True
        if arrived:
            st.rerun()

    look()
