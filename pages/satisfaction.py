"""Satisfaction: CSAT, NPS and response rate over time, promoters vs detractors, drivers, what comments say."""

import streamlit as st

from lib.analysis import satisfaction, tables
from lib.engine.periods import GRAINS
from lib.i18n import t
from lib.text import comments
from lib.ui import analysis_page, widgets

page = analysis_page.open_page("satisfaction", "satisfaction.title")
TRENDED_THEMES = 5  # the most mentioned themes drawn over time when none is picked
LOWEST = 30  # the lowest-scored comments listed

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
page.kpi_trends(trend, ("csat", "nps", "survey_response_rate"), grain, t("satisfaction.over_time", lang))

st.subheader(t("satisfaction.nps_split", lang))
split = page.memo("nps_split", lambda: satisfaction.nps_split(frames))
if split is None:
    page.needs(satisfaction.NEEDS["nps_split"])
else:
    st.markdown(satisfaction.split_sentence(split, lang))
    split_trend = page.memo(f"nps_split_{grain}", lambda: satisfaction.nps_split_trend(frames, GRAINS[grain]))
    figure = satisfaction.nps_split_figure(split_trend, grain, lang)
    page.chart(figure, split_trend, "nps_split", "nps_split", sheet=t("satisfaction.nps_split", lang))

st.subheader(t("satisfaction.drivers", lang))
left, right = st.columns([3, 1])
driver = (
    left.segmented_control(
        t("satisfaction.driver", lang),
        list(satisfaction.DRIVERS),
        format_func=lambda d: satisfaction.driver_name(d, lang),
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
drill = satisfaction.drill(driver)
everyone = page.scoped(drill) if drill else page.scope
table = page.memo(
    f"drivers_{driver}",
    lambda: satisfaction.drivers(page.frames(satisfaction.frames, everyone), settings, driver),
    scope=everyone,
)
if table is None:
    page.needs(satisfaction.NEEDS[f"drivers:{driver}"])
else:
    figure = satisfaction.drivers_figure(table, driver, score, settings, lang)
    page.chart(figure, table, f"drivers_{driver}", f"drivers_{driver}", drill=drill)
    st.caption(t("satisfaction.small_note", lang, n=satisfaction.SMALL_GROUP))
    page.table(
        satisfaction.drivers_shown(table, driver, lang),
        f"drivers_{driver}",
        f"drivers_table_{driver}",
        sheet=t("satisfaction.drivers", lang),
        drill=drill,
    )

st.subheader(t("satisfaction.lowest", lang))
lowest = page.memo("lowest", lambda: satisfaction.lowest_comments(frames, limit=LOWEST))
if lowest is None:
    page.needs(satisfaction.NEEDS["lowest_comments"])
elif lowest.is_empty():
    st.info(t("satisfaction.no_comments", lang))
else:
    page.table(lowest, "lowest_comments", "lowest", sheet=t("satisfaction.lowest", lang), height=300)

# ---- what the comments say ----------------------------------------------------------------
st.subheader(t("satisfaction.sentiment", lang))
if page.engine.kind == "spark":  # reading every comment into the app is what the lake mode avoids
    if lowest is None:
        page.needs(("comment",))
    else:
        st.info(t("satisfaction.lake_comments", lang, limit=LOWEST), icon=":material/cloud:")
    page.workbook_button()
    st.stop()
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
    left, right = st.columns(2)
    with left:
        mix = page.memo(("sentiment_trend", grain), lambda: comments.trend(said, GRAINS[grain]))
        figure = comments.sentiment_trend_figure(mix, grain, lang)
        page.chart(
            figure, mix, "sentiment_trend", "sentiment_trend", sheet=t("satisfaction.sentiment_trend", lang)
        )
    with right:
        groups = comments.groups(said)
        group = widgets.dimension_picker(
            t("satisfaction.driver", lang), groups, lang, "sentiment_group", groups[0] if groups else None
        )
        table = comments.by_group(said, group) if group else None
        if table is not None:
            figure = comments.negative_by_figure(table, group, lang)
            page.chart(
                figure, table, f"negative_by_{group}", "negative_by", sheet=t("column.negative_share", lang)
            )

    st.markdown(f"**{t('satisfaction.themes', lang)}**")
    topics = page.memo("themes", lambda: comments.theme_table(said))
    names = comments.theme_names(topics, lang)
    picked = st.pills(
        t("satisfaction.pick_theme", lang),
        list(names),
        format_func=names.get,
        key="sentiment_theme",
    )
    page.table(comments.named_themes(topics, names), "themes", "themes", sheet=t("satisfaction.themes", lang))
    followed = comments.followed(names, picked, TRENDED_THEMES)
    trend = page.memo(
        ("theme_trend", grain, tuple(followed)), lambda: comments.theme_trend(said, GRAINS[grain], followed)
    )
    if trend is not None and not trend.is_empty():
        figure = comments.theme_trend_figure(trend, grain, names, followed, lang)
        page.chart(figure, trend, "theme_trend", "theme_trend", sheet=t("satisfaction.theme_trend", lang))
    query = st.text_input(
        t("satisfaction.search", lang), key="comment_search", placeholder=t("satisfaction.search_hint", lang)
    )
    found = comments.search(said, query, picked)
    listed = comments.negative_list(found, lang, limit=200)
    st.caption(t("satisfaction.comments_found", lang, shown=f"{listed.height:,}", total=f"{found.height:,}"))
    page.table(listed, "comments", "comment_list", sheet=t("satisfaction.comment_list", lang), height=360)

page.workbook_button()
