"""Efficiency and Satisfaction on the lake: every figure the two pages show, computed by Spark, equals the local one.

The same seeded 100,000 tickets (tests/kpi_data.py, with nulls and edge cases) on the local engine and on
Spark `local[2]` (the conftest fixtures). Counts, histogram edges and bin counts must be equal; the rest
agree to a relative 1e-9, as tests/test_lake_pages.py asks.
"""

from __future__ import annotations

import narwhals as nw
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.engine import periods, store
from lib.engine.kpis import BY_KEY, Settings

pytest.importorskip("pyspark", reason="Spark is optional: pip install -r requirements-spark.txt")
from lake_fixtures import ROW_BOUND, ROWS, SCOPES, SETTINGS, goto, rows_back, start, texts  # noqa: E402

from lib.analysis import efficiency, formatting, satisfaction  # noqa: E402
from lib.ui import engines  # noqa: E402

pytestmark = pytest.mark.slow
EVERY = ("1d", "1w", "1mo")


def same(here: pl.DataFrame | None, there: pl.DataFrame | None, what: str) -> None:
    """Equal frames: integer columns exactly, floats to a relative 1e-9."""
    assert (here is None) == (there is None), what
    if here is not None:
        try:
            assert_frame_equal(here, there, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
        except AssertionError as differ:
            raise AssertionError(f"{what}: {differ}") from None


def both(local, lake_engine, read, scope):
    return local.frames(read, scope), lake_engine.frames(read, scope)


@pytest.mark.parametrize("name", SCOPES)
def test_the_distributions_agree(lake_local, lake_engine, name):
    """Histograms binned in Spark (edges from Spark's min and max, counts per bin) and the box statistics."""
    here, there = both(lake_local, lake_engine, efficiency.frames, SCOPES[name])
    assert efficiency.date_only(here) is efficiency.date_only(there) is False
    # both durations overall and per a few groups; whole days once; the many agents once
    shown = [(w, by, False) for w in efficiency.DURATIONS for by in (None, "priority")]
    for which, by, days in [*shown, ("resolution", None, True), ("first_response", "agent", False)]:
        mine = efficiency.distribution(here, which, by=by, days=days)
        theirs = efficiency.distribution(there, which, by=by, days=days)
        what = f"{which} by {by}, days={days}"
        assert mine.bins["tickets"].sum() > 0, what
        assert mine.log_scale == theirs.log_scale and mine.days == theirs.days, what
        assert mine.bins.equals(theirs.bins), what  # edges and counts exactly
        same(mine.stats, theirs.stats, what)


@pytest.mark.parametrize("name", SCOPES)
def test_the_trends_backlog_heat_map_and_breakdowns_agree(lake_local, lake_engine, name):
    here, there = both(lake_local, lake_engine, efficiency.frames, SCOPES[name])
    for every in EVERY:
        for function in (efficiency.sla_trend, efficiency.rate_trend):
            mine = function(here, SETTINGS, every)
            assert mine.height > 0 and mine["tickets"].sum() > 0
            same(mine, function(there, SETTINGS, every), f"{function.__name__} {every}")
        backlog = efficiency.backlog_trend(here, every)
        assert backlog["backlog"].max() > 0
        assert backlog.equals(efficiency.backlog_trend(there, every)), every
    cells = efficiency.heatmap(here)
    assert cells.height == 7 * 24 and cells["tickets"].sum() > 0
    same(cells, efficiency.heatmap(there), "heatmap")
    rows = 0
    for by in efficiency.dimensions(here):
        mine = efficiency.breakdown(here, SETTINGS, by)
        rows += mine.height
        same(mine, efficiency.breakdown(there, SETTINGS, by), f"breakdown by {by}")
    assert rows > 2 * len(efficiency.dimensions(here))  # (a drilled dimension has one row)


def test_the_backlog_counts_what_the_engine_counts_per_period(lake_local):
    """The page's backlog per period (day counts in the engine) is the KPI engine's backlog per period."""
    from lib.engine.kpis import evaluate_by

    for scope in SCOPES.values():
        frames = lake_local.frames(efficiency.frames, scope)
        for every in EVERY:
            engine = evaluate_by(frames, ("backlog",), every=every)
            expected = engine.select("period", pl.col("backlog").cast(pl.Int64))
            assert efficiency.backlog_trend(frames, every).equals(expected), (scope, every)


@pytest.mark.parametrize("name", SCOPES)
def test_the_satisfaction_figures_agree(lake_local, lake_engine, name):
    here, there = both(lake_local, lake_engine, satisfaction.frames, SCOPES[name])
    for every in EVERY:
        mine = satisfaction.trend(here, SETTINGS, every)
        assert mine["survey_responses"].sum() > 0
        same(mine, satisfaction.trend(there, SETTINGS, every), f"trend {every}")
        split = satisfaction.nps_split_trend(here, every)
        assert split["answers"].sum() > 0
        same(split, satisfaction.nps_split_trend(there, every), f"nps split {every}")
    same(satisfaction.nps_split(here), satisfaction.nps_split(there), "nps split")
    rows = 0
    for driver in satisfaction.DRIVERS:
        mine = satisfaction.drivers(here, SETTINGS, driver)
        assert mine is not None and mine["answers"].sum() > 0, driver
        rows += mine.height
        same(mine, satisfaction.drivers(there, SETTINGS, driver), f"drivers by {driver}")
    assert rows > 2 * len(satisfaction.DRIVERS)  # (a drilled dimension has one row)
    # the seeded answers carry no comment: both engines say so the same way
    assert satisfaction.lowest_comments(here) is None is satisfaction.lowest_comments(there)


def test_the_lowest_comments_are_picked_by_spark(spark, lake_local):
    """Only `limit` answers come back, the same ones as locally (ties broken by the ticket id)."""
    scope = SCOPES["a month"]
    surveys = lake_local.frames(satisfaction.frames, scope).surveys
    words = pl.Series(["", "  ", "太慢了", "ok", None, "还行", "很满意"])
    commented = surveys.with_columns(
        comment=words.gather(pl.int_range(surveys.height, eager=True) % len(words))
    )
    on_spark = spark.createDataFrame(commented.to_arrow())  # times typed as the lake's (lake.SPARK_TYPES)
    on_spark = on_spark.withColumn("submitted_at", on_spark["submitted_at"].cast("timestamp"))
    mine = satisfaction.lowest_comments(store.Frames(None, commented, None, None, scope), limit=25)
    theirs = satisfaction.lowest_comments(
        store.Frames(None, nw.from_native(on_spark), None, None, scope), limit=25
    )
    assert mine.height == 25 == theirs.height
    assert mine["comment"].str.strip_chars().str.len_chars().min() > 0
    assert theirs.schema == mine.schema
    for column in ("submitted_at", "ticket_id", "csat", "nps", "comment", "agent"):
        assert mine[column].to_list() == theirs[column].to_list(), column


# --- the pages in the Spark mode ------------------------------------------------------------------------


def _month(local) -> store.Scope:
    return store.Scope(*periods.last_full_month(*local.date_bounds()))  # the sidebar's default range


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_efficiency_page_on_the_lake_shows_the_local_numbers(lake_app, lake_local, lang):
    at = goto(start(lang), "efficiency", lang)
    assert not at.exception, at.exception
    scope = _month(lake_local)
    expected = lake_local.summarise(scope, Settings())
    shown = {m.label: m.value for m in at.metric}
    for key in ("first_response_hours_p90", "resolution_hours_p90", "backlog", "reopen_rate"):
        kpi = BY_KEY[key]
        assert shown[kpi.label[0 if lang == "zh" else 1]] == formatting.value(
            kpi, expected.current[key], lang
        )
    assert len(at.get("vega_lite_chart")) >= 10  # 2 histograms, 2 boxes, 5 trends, backlog, 2 heat maps
    frames = lake_local.frames(efficiency.frames, scope)
    table = efficiency.breakdown(frames, Settings(), "category")
    assert at.dataframe[0].value.iloc[:, 1].tolist() == table["tickets"].to_list()
    assert "does not compute on the lake" not in texts(at) and "还不能在数据湖" not in texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_satisfaction_page_on_the_lake_shows_the_local_numbers(lake_app, lake_local, lang):
    at = goto(start(lang), "satisfaction", lang)
    assert not at.exception, at.exception
    scope = _month(lake_local)
    expected = lake_local.summarise(scope, Settings())
    shown = {m.label: m.value for m in at.metric}
    for key in ("csat", "nps", "survey_responses", "survey_response_rate"):
        kpi = BY_KEY[key]
        assert shown[kpi.label[0 if lang == "zh" else 1]] == formatting.value(
            kpi, expected.current[key], lang
        )
    split = satisfaction.nps_split(lake_local.frames(satisfaction.frames, scope))
    assert satisfaction.split_sentence(split, lang) in texts(at)
    assert len(at.get("vega_lite_chart")) >= 4  # 3 trends, the NPS split, the drivers
    drivers = satisfaction.drivers(
        lake_local.frames(satisfaction.frames, scope), Settings(), "resolution_band"
    )
    assert at.dataframe[0].value.iloc[:, 1].tolist() == drivers["answers"].to_list()


def test_the_two_pages_read_few_rows_back_from_spark(lake_app, monkeypatch):
    """Every way a Spark frame hands rows to Python is counted while the two pages run (per week too)."""
    from pyspark.sql.classic.dataframe import DataFrame  # what local[2] and a spark:// master return

    counts = rows_back(DataFrame, monkeypatch.setattr)
    at = start("en")
    for page in ("efficiency", "satisfaction"):
        at = goto(at, page, "en")
        assert not at.exception, (page, at.exception)
        at.get("button_group")[0].set_value("week").run()  # the trends per week too
        assert not at.exception, (page, at.exception)
    assert counts, "the pages read nothing from Spark: the count proves nothing"
    assert max(counts) <= ROW_BOUND, max(counts)
    assert sum(counts) < ROWS / 20, sum(counts)


def test_the_two_pages_are_on_the_lake():
    assert {"efficiency", "satisfaction"} <= engines.LAKE_PAGES
    assert engines.LAKE_READERS[efficiency.frames] and engines.LAKE_READERS[satisfaction.frames]
