"""The app on the lake: the pages' numbers from Spark equal the local engine's, and what comes back is small.

The same seeded 100,000 tickets (tests/kpi_data.py, with nulls and edge cases) are loaded into a
session DuckDB (the local engine) and written as Parquet for Spark `local[2]` (the lake engine,
`lib.ui.engines.Lake`). Every number the supported pages show must agree as strictly as
tests/test_lake.py asks: counts exactly, the rest to a relative 1e-9.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from lib.engine import periods, shared, store
from lib.engine.kpis import BY_KEY, Settings
from lib.errors import InputError

pytest.importorskip("pyspark", reason="Spark is optional: pip install -r requirements-spark.txt")
from lake_fixtures import (  # noqa: E402
    APP,
    ROW_BOUND,
    ROWS,
    SCOPES,
    SETTINGS,
    TIMEOUT,
    agree,
    goto,
    rows_back,
    start,
    texts,
)

from lib import lake  # noqa: E402
from lib.analysis import cost, formatting, team  # noqa: E402
from lib.ui import engines  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data(lake_data):
    return lake_data


@pytest.fixture(scope="module")
def local(lake_local):
    return lake_local


@pytest.fixture(scope="module")
def on_lake(lake_engine):
    return lake_engine


@pytest.mark.parametrize("name", SCOPES)
def test_the_overview_numbers_agree(local, on_lake, name):
    scope = SCOPES[name]
    here, there = local.summarise(scope, SETTINGS), on_lake.summarise(scope, SETTINGS)
    assert here.comparison == there.comparison
    assert set(here.current) == set(BY_KEY) == set(there.current)
    assert here.current["tickets"] > 0
    for values_here, values_there in ((here.current, there.current), (here.previous, there.previous)):
        differ = {
            k: (values_here[k], values_there[k])
            for k in BY_KEY
            if not agree(values_here[k], values_there[k], k)
        }
        assert not differ, differ
    assert here.columns == there.columns
    for every in ("1d", "1w", "1mo"):
        assert local.volume(scope, every).equals(on_lake.volume(scope, every)), every
    assert local.top_categories(scope).equals(on_lake.top_categories(scope))


@pytest.mark.parametrize("name", SCOPES)
def test_the_team_table_agrees(local, on_lake, name):
    """One row per agent, computed in Spark from lazy frames: the same table as locally."""
    scope = SCOPES[name]
    here = team.table(local.frames(team.frames, scope), SETTINGS)
    there = team.table(on_lake.frames(team.frames, scope), SETTINGS)
    assert here.height > 10 and here["csat"].null_count() < here.height
    assert_frame_equal(here, there, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    assert here["tickets"].equals(there["tickets"]) and here["resolved"].equals(there["resolved"])
    for every in ("1d", "1w", "1mo"):
        workload = team.workload(local.frames(team.frames, scope), every)
        assert workload.height > 0
        assert workload.equals(team.workload(on_lake.frames(team.frames, scope), every)), every


@pytest.mark.parametrize("name", SCOPES)
def test_the_cost_page_agrees(local, on_lake, name):
    """Cost per week and month, per dimension, the Pareto: `evaluate_by` on Spark frames (weeks from Monday)."""
    scope = SCOPES[name]
    here, there = local.frames(cost.frames, scope), on_lake.frames(cost.frames, scope)
    found = [(cost.structure(here, every), cost.structure(there, every)) for every in ("1d", "1w", "1mo")] + [
        (cost.by_dimension(here, by), cost.by_dimension(there, by))
        for by in ("category", "region", "product")
    ]
    found.append((cost.pareto(here), cost.pareto(there)))
    for mine, theirs in found:
        assert mine.height > 0
        assert_frame_equal(mine, theirs, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("by", [None, "region", "category"])
def test_the_forecast_series_agree(local, on_lake, by):
    """Daily counts (per segment, top 5 + OTHER) counted in Spark: the series Prophet gets is the same."""
    everything = store.Scope(filters=(("channel", ("电话", "微信", None)),))
    for scope in (everything, SCOPES["a quarter with filters"]):
        here = local.daily_counts(scope, by)
        assert here.height > 80
        assert here.equals(on_lake.daily_counts(scope, by))
    assert local.kpis(everything, SETTINGS, ("handle_minutes_mean",))["handle_minutes_mean"] == pytest.approx(
        on_lake.kpis(everything, SETTINGS, ("handle_minutes_mean",))["handle_minutes_mean"], rel=1e-9
    )


def test_the_comparison_periods_are_computed(local):
    """The quarter and the month have a covered period before; last year is not in the data."""
    assert local.summarise(SCOPES["a quarter with filters"], SETTINGS).previous["tickets"] > 0
    assert local.summarise(SCOPES["against last year"], SETTINGS).comparison.state == "none"


def test_the_sidebar_and_the_data_page_agree(local, on_lake):
    assert local.date_bounds() == on_lake.date_bounds()
    assert local.dimension_values() == on_lake.dimension_values()
    assert local.tables() == on_lake.tables()
    assert on_lake.lake_tables.mapped["tickets"]["ticket_id"] == "工单`号"


def test_the_same_scope_is_not_queried_twice(on_lake, monkeypatch):
    scope = store.Scope(date(2024, 4, 1), date(2024, 4, 30))
    first = on_lake.summarise(scope, SETTINGS)
    monkeypatch.setattr(lake, "evaluate", lambda *a, **k: pytest.fail("queried Spark again"))
    assert on_lake.summarise(scope, SETTINGS) is first
    with pytest.raises(pytest.fail.Exception):
        on_lake.summarise(store.Scope(date(2024, 4, 1), date(2024, 4, 29)), SETTINGS)


def test_a_kept_answer_is_asked_again_once_the_lake_may_have_changed(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(
        shared, "time", SimpleNamespace(monotonic=lambda: clock[0])
    )  # the kept answers' clock
    engines.forget()
    calls: list[int] = []

    def ask() -> int:
        return engines._remember(("question",), lambda: calls.append(1) or len(calls))

    assert ask() == 1 and ask() == 1
    clock[0] += engines.FRESH_S - 1
    assert ask() == 1
    clock[0] += 1
    assert ask() == 2
    engines.forget()


# --- security: values bound, names quoted ------------------------------------------------------------


def test_filter_values_and_names_reach_spark_as_values_not_sql(local, on_lake):
    hostile = ("华东' OR '1'='1", "`region` IS NOT NULL --", "x') OR (1=1")
    scope = store.Scope(date(2024, 3, 1), date(2024, 3, 31), filters=(("region", hostile),))
    assert (
        on_lake.summarise(scope, SETTINGS).current["tickets"]
        == 0
        == local.summarise(scope, SETTINGS).current["tickets"]
    )
    # A filter on a name that is no dimension (a crafted URL) is ignored by both engines, not run.
    crafted = store.Scope(date(2024, 3, 1), date(2024, 3, 31), filters=(("1=1) OR (region", ("x",)),))
    plain = store.Scope(date(2024, 3, 1), date(2024, 3, 31))
    assert on_lake.summarise(crafted, SETTINGS).current == on_lake.summarise(plain, SETTINGS).current
    assert local.summarise(crafted, SETTINGS).current == local.summarise(plain, SETTINGS).current


def test_a_lake_column_name_is_a_quoted_identifier():
    assert lake.quote("工单`号") == "`工单``号`"
    assert lake.quote("a b") == "`a b`"


# --- the setting --------------------------------------------------------------------------------------


def test_the_setting_is_off_unless_spark_is_chosen():
    assert lake.config({}) is None
    assert lake.config({lake.ENGINE_SETTING: "local", lake.SOURCE_SETTINGS["tickets"]: "/x"}) is None


def test_spark_without_a_tickets_table_is_one_sentence():
    with pytest.raises(InputError) as caught:
        lake.config({lake.ENGINE_SETTING: "spark"})
    assert "AFTERSIGHT_LAKE_TICKETS" in caught.value.message("zh")


def test_a_connect_token_is_not_shown():
    setting = lake.config(
        {
            lake.ENGINE_SETTING: "Spark",
            lake.SOURCE_SETTINGS["tickets"]: "table:service.tickets",
            lake.MASTER_SETTING: "sc://spark.example:15002/;token=secret",
        }
    )
    assert setting.endpoint == "sc://spark.example:15002" and setting.tables == {
        "tickets": "table:service.tickets"
    }


def test_a_source_is_shown_without_its_credentials():
    assert lake.shown_source("s3a://KEY:SECRET@bucket/tickets/") == "s3a://bucket/tickets/"
    assert lake.shown_source("table:service.tickets") == "table:service.tickets"


def test_the_setting_is_read_from_secrets_toml_too(monkeypatch):
    """No environment variable: the app's secrets switch it to the lake (here one that lacks its tickets)."""
    for name in (lake.ENGINE_SETTING, *lake.SOURCE_SETTINGS.values()):
        monkeypatch.delenv(name, raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.secrets[lake.ENGINE_SETTING] = "spark"
    at.run()
    assert not at.exception, at.exception
    assert any("AFTERSIGHT_LAKE_TICKETS" in e.value.replace("\\", "") for e in at.error)


# --- failures -----------------------------------------------------------------------------------------


def test_a_failed_query_names_the_table_and_the_fix(spark, data, tmp_path):
    path = tmp_path / "tickets.parquet"
    data["tickets"].head(1000).write_parquet(path)
    setting = lake.config({lake.ENGINE_SETTING: "spark", lake.SOURCE_SETTINGS["tickets"]: str(path)})
    gone = engines.Lake(setting, lake.open_tables(spark, setting)[0])
    path.unlink()  # the table vanished (or the account lost its permission) after the app opened it
    with pytest.raises(InputError) as caught:
        gone.summarise(store.Scope(date(2024, 1, 1), date(2024, 1, 31)), SETTINGS)
    assert caught.value.key == "lake.query_failed"
    assert str(path) in caught.value.message("en") and "cluster" in caught.value.message("en")


# --- the pages in the Spark mode ------------------------------------------------------------------------


def test_the_overview_on_the_lake_shows_the_local_numbers(lake_app, local):
    at = start("en")
    assert not at.exception, at.exception
    first, last = periods.last_full_month(*local.date_bounds())  # the sidebar's default range
    assert at.query_params["start"] == first.isoformat()
    expected = local.summarise(store.Scope(first, last), Settings())
    shown = {m.label: m.value for m in at.metric}
    for key in ("tickets", "resolution_rate", "csat"):
        kpi = BY_KEY[key]
        assert shown[kpi.label[1]] == formatting.value(kpi, expected.current[key], "en")
    assert len(at.get("vega_lite_chart")) == 2
    # a filter (here from a shared link) narrows the lake's numbers as it narrows the local ones
    at = start("en", region="华南")
    assert not at.exception, at.exception
    assert at.multiselect(key="filter_region").value == ["华南"]
    narrowed = local.summarise(store.Scope(first, last, (("region", ("华南",)),)), Settings())
    tickets = BY_KEY["tickets"]
    shown = {m.label: m.value for m in at.metric}
    assert shown[tickets.label[1]] == formatting.value(tickets, narrowed.current["tickets"], "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_on_the_lake_renders_or_says_it_cannot_yet(lake_app, lang):
    at = start(lang)
    pages = ["efficiency", "satisfaction", "team", "cost", "explore", "forecast", "churn", "report", "data"]
    for page in pages:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        if page in engines.LAKE_PAGES or page == "data":
            continue
        assert any("AFTERSIGHT_ENGINE" in i.value for i in at.info), page


def test_the_team_page_on_the_lake_shows_the_local_table(lake_app, local):
    at = goto(start("en"), "team", "en")
    assert not at.exception, at.exception
    scope = store.Scope(*periods.last_full_month(*local.date_bounds()))
    expected = team.table(local.frames(team.frames, scope), Settings())
    shown = at.dataframe[0].value
    assert len(shown) == expected.height
    assert shown.iloc[:, 1].tolist() == expected["tickets"].to_list()  # busiest first, as locally
    assert len(at.get("vega_lite_chart")) == 2  # the ranking and the workload


def test_the_forecast_page_on_the_lake_forecasts_the_lake_counts(lake_app):
    at = goto(start("en"), "forecast", "en")
    assert not at.exception, at.exception
    assert not any("does not compute on the lake" in i.value for i in at.info)
    assert at.get("vega_lite_chart"), "no forecast chart"


def test_the_data_page_says_where_the_data_lives(lake_app, lake_files):
    at = goto(start("en"), "data", "en")
    assert not at.exception, at.exception
    words = texts(at)
    assert f"{ROWS:,} rows" in words and lake_files["tickets"] in words and lake_files["mapping"] in words
    assert not at.get("file_uploader"), "no upload on the lake"
    mapped = at.dataframe[0].value
    assert "工单`号" in mapped["Lake column"].to_list()


def test_the_report_gives_the_kpi_table_on_the_lake(lake_app, local):
    at = goto(start("en"), "report", "en")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    expected = local.summarise(store.Scope(*periods.last_full_month(*local.date_bounds())), Settings())
    row = table[table["Key"] == "tickets"].iloc[0]
    assert row["This period"] == formatting.value(BY_KEY["tickets"], expected.current["tickets"], "en")


def test_no_page_reads_more_than_a_few_rows_back_from_spark(lake_app, monkeypatch):
    """Every way a Spark frame hands rows to Python is counted while the lake pages run."""
    from pyspark.sql.classic.dataframe import DataFrame  # what local[2] and a spark:// master return

    counts = rows_back(DataFrame, monkeypatch.setattr)
    at = start("en")
    at.get("button_group")[0].set_value("week").run()  # the trend per week too
    assert not at.exception, at.exception
    for page in ("report", "data", "team", "cost", "forecast", "overview"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
    assert counts, "the pages read nothing from Spark: the count proves nothing"
    assert max(counts) <= ROW_BOUND, max(counts)
    assert sum(counts) < ROWS / 20, sum(counts)


@pytest.mark.parametrize(
    ("tickets", "words"),
    [(None, "AFTERSIGHT_LAKE_TICKETS"), ("/nowhere/tickets/", "/nowhere/tickets/")],
)
def test_a_lake_setting_that_cannot_work_is_one_sentence_on_every_page(spark, monkeypatch, tickets, words):
    monkeypatch.setenv(lake.ENGINE_SETTING, "spark")
    for table in ("tickets", "surveys", "customers"):
        monkeypatch.delenv(lake.SOURCE_SETTINGS[table], raising=False)
    if tickets:
        monkeypatch.setenv(lake.SOURCE_SETTINGS["tickets"], tickets)
    engines.forget()
    engines._opened.clear()
    at = start("en")
    for page in ("overview", "report", "data"):
        if page != "overview":
            at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        assert any(words in e.value.replace("\\", "") for e in at.error), (page, [e.value for e in at.error])
        assert not at.get("file_uploader"), "no upload on the lake, even a broken one"


def test_a_table_gone_after_the_app_opened_it_is_one_sentence_on_a_page(spark, data, tmp_path, monkeypatch):
    path = tmp_path / "tickets.parquet"
    data["tickets"].head(3000).write_parquet(path)
    monkeypatch.setenv(lake.ENGINE_SETTING, "spark")
    monkeypatch.setenv(lake.SOURCE_SETTINGS["tickets"], str(path))
    for table in ("surveys", "customers"):
        monkeypatch.delenv(lake.SOURCE_SETTINGS[table], raising=False)
    monkeypatch.delenv(lake.MAPPING_SETTING, raising=False)
    engines.forget()
    engines._opened.clear()
    at = start("en")
    assert not at.exception and at.metric, at.exception
    path.unlink()  # the cluster lost the table (or the app's account its permission)
    engines.forget()
    for page in ("team", "cost", "forecast", "overview"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        assert any(str(path) in e.value.replace("\\", "") for e in at.error), (
            page,
            [e.value for e in at.error],
        )
    engines.forget()
    engines._opened.clear()


def test_a_lake_table_that_cannot_open_still_shows_where_the_data_lives(spark, data, tmp_path, monkeypatch):
    """A creation time stored as text: the sentence says which column, and the Data page still names the
    endpoint and every configured source, so the administrator sees what to fix (no sizes, no mapping)."""
    path = tmp_path / "tickets.parquet"
    data["tickets"].head(500).with_columns(pl.col("created_at").dt.strftime("%Y/%m/%d %H:%M")).write_parquet(
        path
    )
    monkeypatch.setenv(lake.ENGINE_SETTING, "spark")
    monkeypatch.setenv(lake.SOURCE_SETTINGS["tickets"], str(path))
    for name in ("surveys", "customers", "mapping"):
        monkeypatch.delenv(lake.SOURCE_SETTINGS.get(name, lake.MAPPING_SETTING), raising=False)
    engines.forget()
    engines._opened.clear()
    try:
        at = goto(start("en"), "data", "en")
        assert not at.exception, at.exception
        errors = [e.value.replace("\\", "") for e in at.error]
        assert len(errors) == 1 and "created_at" in errors[0], errors
        words = texts(at)
        assert "Spark: `local[2]`" in words, words
        assert f"**Tickets** · — rows · `{path}`" in words, words
        assert not at.dataframe, "no mapping table without the table's columns"
    finally:
        engines.forget()
        engines._opened.clear()


def test_a_second_session_asks_spark_nothing_for_a_page_already_seen(lake_app, monkeypatch):
    """The lake's tables are every user's: a page's figures are kept for the server process, so the next
    session (another user, a reload) draws the same page without a query."""
    from pyspark.sql.classic.dataframe import DataFrame

    def team_page() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)  # opened on Team itself, not the Overview first
        at.query_params["lang"] = "en"
        return at.switch_page("pages/team.py").run()

    first = team_page()
    assert not first.exception, first.exception
    counts = rows_back(DataFrame, monkeypatch.setattr)
    second = team_page()
    assert not second.exception, second.exception
    assert counts == [], counts
    assert second.dataframe[0].value.equals(first.dataframe[0].value)
    assert len(second.get("vega_lite_chart")) == len(first.get("vega_lite_chart")) >= 2
