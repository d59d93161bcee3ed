"""Cost: structure by component over time, cost per ticket by category / region / product, Pareto, warranty."""

import streamlit as st

from lib import charts
from lib.analysis import cost, tables
from lib.engine.periods import GRAINS
from lib.i18n import t
from lib.schema import DIMENSIONS
from lib.ui import analysis_page, widgets

page = analysis_page.open_page("cost", "cost.title")
lang = page.lang
page.cards(
    (
        "cost_total",
        "cost_per_ticket",
        "labor_cost_per_ticket",
        "parts_cost_per_ticket",
        "travel_cost_per_ticket",
    )
)

frames = page.frames(cost.frames)
if not cost.components(frames):
    page.needs(cost.NEEDS["structure"])
    st.stop()
COMPONENTS = {c: t(f"field.{c}", lang) for c in ("labor_cost", "parts_cost", "travel_cost")}

st.subheader(t("cost.structure", lang))
left, right = st.columns([2, 1])
grain = widgets.grain_picker(lang, "cost_grain", where=left)
share = right.toggle(t("cost.as_share", lang), key="cost_share")
structure = page.memo(f"structure_{grain}", lambda: cost.structure(frames, GRAINS[grain]))
figure = charts.stacked_bars(
    structure,
    x="period",
    series="component",
    value="cost",
    x_title=t(f"grain.{grain}", lang),
    value_title=t("column.cost", lang),
    series_title=t("column.component", lang),
    title=t("cost.structure_title", lang),
    series_labels=COMPONENTS,
    time_unit=grain,
    normalize=share,
    value_format=",.0f",
    share_title=t("column.share", lang),
)
page.chart(figure, structure, "cost_structure", "structure", sheet=t("cost.structure", lang))

st.subheader(t("cost.by_dimension", lang))
present = [d for d in DIMENSIONS if d in frames.tickets.columns]
by = widgets.dimension_picker(
    t("cost.dimension", lang),
    present,
    lang,
    "cost_by",
    default="category" if "category" in present else present[0] if present else None,
)
if by:
    # The chart keeps every value of its own dimension; a drill on it only highlights one.
    everyone = page.scoped(by)
    breakdown = page.memo(
        f"by_{by}", lambda: cost.by_dimension(page.frames(cost.frames, everyone), by), scope=everyone
    )
    figure = charts.ranked_bars(
        breakdown,
        category=by,
        value="cost_per_ticket",
        category_title=t(f"field.{by}", lang),
        value_title=tables.header("cost_per_ticket", lang),
        title=t("cost.per_ticket_by", lang, field=t(f"field.{by}", lang)),
        top=15,
        value_format=",.2f",
        select=True,
    )
    page.chart(figure, breakdown, f"cost_per_ticket_{by}", f"by_{by}", drill=by)
    sheet = t("cost.per_ticket_by", lang, field=t(f"field.{by}", lang))
    page.table(breakdown, f"cost_by_{by}", f"table_{by}", sheet=sheet, drill=by)
elif not present:
    page.needs(("category|region|product",))

st.subheader(t("cost.pareto", lang))
every_category = page.scoped("category")
pareto = page.memo(
    "pareto", lambda: cost.pareto(page.frames(cost.frames, every_category)), scope=every_category
)
if pareto is None:
    page.needs(cost.NEEDS["pareto"])
else:
    st.markdown(cost.pareto_sentence(pareto, lang))
    figure = charts.pareto(
        pareto,
        category="category",
        value="cost_total",
        cumulative="cumulative_share",
        vital="vital",
        category_title=t("field.category", lang),
        value_title=tables.header("cost_total", lang),
        cumulative_title=t("column.cumulative_share", lang),
        title=t("cost.pareto_title", lang),
        value_format=",.0f",
        select=True,
    )
    page.chart(figure, pareto, "cost_pareto", "pareto", drill="category")
    page.table(pareto, "cost_pareto", "pareto_table", sheet=t("cost.pareto", lang), drill="category")

st.subheader(t("cost.warranty", lang))
warranty = page.memo("warranty", lambda: cost.warranty(frames))
if warranty is None:
    page.needs(cost.NEEDS["warranty"])
else:
    labelled = cost.warranty_shown(warranty, lang)
    figure = charts.ranked_bars(
        labelled,
        category="in_warranty",
        value="cost_per_ticket",
        category_title=t("field.in_warranty", lang),
        value_title=tables.header("cost_per_ticket", lang),
        title=t("cost.warranty_title", lang),
        value_format=",.2f",
    )
    page.chart(figure, labelled, "cost_warranty", "warranty")
    page.table(labelled, "cost_warranty", "warranty_table", sheet=t("cost.warranty", lang))
page.workbook_button()
