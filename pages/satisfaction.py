"""Satisfaction: CSAT, NPS and response rate over time, promoters vs detractors, drivers, what comments say."""

import polars as pl
import streamlit as st

from lib import charts
from lib.analysis import satisfaction, tables
from lib.engine.kpis import BY_KEY
from lib.engine.periods import GRAINS
from lib.i18n import t
from lib.text import comments
from lib.ui import analysis_page, widgets

page = analysis_page.open_page("satisfaction", "satisfaction.title")
TRENDED_THEMES = 5  # the most mentioned themes drawn over time when none is picked


def _theme_name(key: str) -> str:
    return comments.theme_name(key, lang)


lang = page.lang
settings = page.settings
page.cards(("csat", "csat_mean", "nps", "survey_responses", "survey_response_rate"))
frames = page.frames(satisfaction.frames)
if frames.surveys is None:
    page.needs_file("surveys")
    st.stop()

st.subheader(t("satisfaction.over_time", lang))
grain = widgets.grain_picker(lang, "satisfaction_grain")
trend = page.memo(f"trend_{grain}", lambda: satisfaction.trend(frames, settings, GRAINS[grain]))
for column, key in zip(st.columns(3), ("csat", "nps", "survey_response_rate"), strict=True):
    with column:
        label = tables.header(key, lang).replace(" (%)", "")
        figure = charts.kpi_trend(
            trend,
            x="period",
            y=key,
            x_title=t(f"grain.{grain}", lang),
            y_title=label,
            title=label,
            target=settings.target(BY_KEY[key]),
            y_format=tables.d3_format(key),
            time_unit=grain,
            target_title=t("kpi.target", lang),
        )
        page.chart(figure, trend.select("period", key), f"{key}_{grain}", f"trend_{key}")
page.add_sheet(t("satisfaction.over_time", lang), trend)

st.subheader(t("satisfaction.nps_split", lang))
GROUPS = {group: t(f"satisfaction.{group}", lang) for group in satisfaction.NPS_GROUPS}
split = page.memo("nps_split", lambda: satisfaction.nps_split(frames))
if split is None:
    page.needs(satisfaction.NEEDS["nps_split"])
else:
    st.markdown(
        " · ".join(
            f"**{GROUPS[row['group']]}** {row['share']:.0%}（{row['answers']:,}）"
            if lang == "zh"
            else f"**{GROUPS[row['group']]}** {row['share']:.0%} ({row['answers']:,})"
            for row in split.iter_rows(named=True)
        )
    )
    split_trend = page.memo(f"nps_split_{grain}", lambda: satisfaction.nps_split_trend(frames, GRAINS[grain]))
    figure = charts.stacked_bars(
        split_trend,
        x="period",
        series="group",
        value="answers",
        x_title=t(f"grain.{grain}", lang),
        value_title=t("column.share", lang),
        series_title=t("column.group", lang),
        title=t("satisfaction.nps_split_title", lang),
        series_labels=GROUPS,
        time_unit=grain,
        normalize=True,
        share_title=t("column.share", lang),
        series_colors={
            "promoter": charts.COLORS["good"],
            "passive": charts.COLORS["neutral"],
            "detractor": charts.COLORS["bad"],
        },
    )
    page.chart(figure, split_trend, "nps_split", "nps_split", sheet=t("satisfaction.nps_split", lang))

st.subheader(t("satisfaction.drivers", lang))
left, right = st.columns([3, 1])
driver = (
    left.segmented_control(
        t("satisfaction.driver", lang),
        list(satisfaction.DRIVERS),
        format_func=lambda d: (
            t(f"satisfaction.driver_{d}", lang)
            if d in ("resolution_band", "reopened")
            else t(f"field.{d}", lang)
        ),
        default="resolution_band",
        key="satisfaction_driver",
    )
    or "resolution_band"
)
score = right.radio(
    t("satisfaction.score", lang),
    ("csat", "nps"),
    format_func=lambda k: tables.header(k, lang),
    horizontal=True,
    key="satisfaction_score",
)
drill = driver if driver not in ("resolution_band", "reopened") else None
everyone = page.scoped(drill) if drill else page.scope
table = page.memo(
    f"drivers_{driver}",
    lambda: satisfaction.drivers(page.frames(satisfaction.frames, everyone), settings, driver),
    scope=everyone,
)
if table is None:
    page.needs(satisfaction.NEEDS[f"drivers:{driver}"])
else:
    labels = {band: band.replace("h", t("satisfaction.hours_unit", lang)) for band in satisfaction.BAND_ORDER}
    labels |= {
        satisfaction.UNRESOLVED: t("satisfaction.unresolved", lang),
        "reopened": t("satisfaction.reopened", lang),
        "not_reopened": t("satisfaction.not_reopened", lang),
    }
    figure = charts.driver_bars(
        table.head(20),
        category="value",
        value=score,
        count="answers",
        category_title=t(f"satisfaction.driver_{driver}", lang) if not drill else t(f"field.{drill}", lang),
        value_title=tables.header(score, lang),
        count_title=t("column.answers", lang),
        title=t("satisfaction.driver_title", lang, score=tables.header(score, lang)),
        value_format=",.1f",
        small="small",
        select=bool(drill),
        target=settings.target(BY_KEY[score]),
        target_title=t("kpi.target", lang),
        category_labels=labels,
    )
    page.chart(figure, table, f"drivers_{driver}", f"drivers_{driver}", drill=drill)
    st.caption(t("satisfaction.small_note", lang, n=satisfaction.SMALL_GROUP))
    shown = table.rename({"value": drill}) if drill else table.with_columns(pl.col("value").replace(labels))
    page.table(
        shown,
        f"drivers_{driver}",
        f"drivers_table_{driver}",
        sheet=t("satisfaction.drivers", lang),
        drill=drill,
    )

st.subheader(t("satisfaction.lowest", lang))
lowest = page.memo("lowest", lambda: satisfaction.lowest_comments(frames, limit=30))
if lowest is None:
    page.needs(satisfaction.NEEDS["lowest_comments"])
elif lowest.is_empty():
    st.info(t("satisfaction.no_comments", lang))
else:
    page.table(lowest, "lowest_comments", "lowest", sheet=t("satisfaction.lowest", lang), height=300)

# ---- what the comments say ----------------------------------------------------------------
st.subheader(t("satisfaction.sentiment", lang))
with st.spinner(t("satisfaction.reading_comments", lang)):
    said = page.memo("comments", lambda: comments.scored(frames))
if said is None:
    page.needs(("comment",))
elif said.is_empty():
    st.info(t("satisfaction.no_comments", lang))
else:
    total = page.memo("comment_count", lambda: comments.with_text(frames).height)
    if total > said.height:
        st.caption(t("satisfaction.comments_capped", lang, shown=f"{said.height:,}", total=f"{total:,}"))
    SENTIMENT_WORDS = {s: t(f"sentiment.{s}", lang) for s in comments.SENTIMENTS}
    left, right = st.columns(2)
    with left:
        mix = page.memo(("sentiment_trend", grain), lambda: comments.trend(said, GRAINS[grain]))
        figure = charts.stacked_bars(
            mix,
            x="period",
            series="sentiment",
            value="comments",
            x_title=t(f"grain.{grain}", lang),
            value_title=t("column.share", lang),
            series_title="",
            title=t("satisfaction.sentiment_trend", lang),
            series_labels=SENTIMENT_WORDS,
            time_unit=grain,
            normalize=True,
            share_title=t("column.share", lang),
            series_colors={
                "positive": charts.COLORS["good"],
                "neutral": charts.COLORS["neutral"],
                "negative": charts.COLORS["bad"],
            },
        )
        page.chart(
            figure, mix, "sentiment_trend", "sentiment_trend", sheet=t("satisfaction.sentiment_trend", lang)
        )
    with right:
        groups = [g for g in ("channel", "category", "agent") if g in said.columns]
        group = widgets.dimension_picker(
            t("satisfaction.driver", lang), groups, lang, "sentiment_group", groups[0] if groups else None
        )
        table = comments.by_group(said, group) if group else None
        if table is not None:
            figure = charts.driver_bars(
                table.head(15),
                category=group,
                value="negative_share",
                count="comments",
                category_title=t(f"field.{group}", lang),
                value_title=t("column.negative_share", lang),
                count_title=t("column.comments", lang),
                title=t("satisfaction.negative_by", lang, field=t(f"field.{group}", lang)),
                value_format=".0%",
            )
            page.chart(
                figure, table, f"negative_by_{group}", "negative_by", sheet=t("column.negative_share", lang)
            )

    st.markdown(f"**{t('satisfaction.themes', lang)}**")
    topics = page.memo("themes", lambda: comments.theme_table(said))
    names = {key: _theme_name(key) for key in topics["theme"].to_list()}
    picked = st.pills(
        t("satisfaction.pick_theme", lang),
        list(names),
        format_func=names.get,
        key="sentiment_theme",
    )
    page.table(
        topics.with_columns(pl.col("theme").replace(names)),
        "themes",
        "themes",
        sheet=t("satisfaction.themes", lang),
    )
    followed = [picked] if picked else list(names)[:TRENDED_THEMES]
    trend = page.memo(
        ("theme_trend", grain, tuple(followed)), lambda: comments.theme_trend(said, GRAINS[grain], followed)
    )
    if trend is not None and not trend.is_empty():
        figure = charts.multi_line(
            trend,
            x="period",
            series="theme",
            y="comments",
            x_title=t(f"grain.{grain}", lang),
            y_title=t("column.comments", lang),
            series_title="",
            title=t("satisfaction.theme_trend", lang),
            series_labels={key: names[key] for key in followed},
            time_unit=grain,
        )
        page.chart(figure, trend, "theme_trend", "theme_trend", sheet=t("satisfaction.theme_trend", lang))
    query = st.text_input(
        t("satisfaction.search", lang), key="comment_search", placeholder=t("satisfaction.search_hint", lang)
    )
    found = comments.search(said, query, picked)
    listed = comments.most_negative(found, limit=200).with_columns(
        pl.col("sentiment").replace(SENTIMENT_WORDS)
    )
    st.caption(t("satisfaction.comments_found", lang, shown=f"{listed.height:,}", total=f"{found.height:,}"))
    page.table(listed, "comments", "comment_list", sheet=t("satisfaction.comment_list", lang), height=360)

page.workbook_button()
