"""The rest of the app on the lake: the alert explanations, Explore, Churn and the full report from Spark
equal the local engine's on the seeded 100,000 tickets (tests/lake_fixtures.py), and what comes back is small.
"""

from __future__ import annotations

import math
import time

import pytest

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
from streamlit.testing.v1 import AppTest  # noqa: E402

from lib.analysis import formatting  # noqa: E402
from lib.analysis.explore import Question  # noqa: E402
from lib.errors import InputError  # noqa: E402

pytestmark = pytest.mark.slow
EXPLAINED_WITHIN_S = 1800  # the background explanations on a loaded 2-core local[2] (minutes)

# A KPI of each kind: a count, a rate of sums, a mean, a quantile (no group sums), a distinct-free
# survey KPI, one divided by another table's count, backlog (open tickets) and the customers' churn.
EXPLAINED = (
    "tickets",
    "resolution_rate",
    "resolution_hours_mean",
    "resolution_hours_p90",
    "nps",
    "survey_response_rate",
    "backlog",
    "churn_rate",
)


def _same_explanation(here, there) -> None:
    assert here.key == there.key
    for a, b in ((here.current, there.current), (here.previous, there.previous), (here.change, there.change)):
        assert agree(a, b, here.key) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))
    assert [c.segment for c in here.contributions] == [c.segment for c in there.contributions]
    for a, b in zip(here.contributions, there.contributions, strict=True):
        assert (a.rows_now, a.rows_before) == (b.rows_now, b.rows_before)
        assert math.isclose(a.share, b.share, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("name", SCOPES)
def test_the_alert_explanations_agree(lake_local, lake_engine, name):
    scope = SCOPES[name]
    here = lake_local.explain_alerts(scope, SETTINGS, EXPLAINED)
    there = lake_engine.explain_alerts(scope, SETTINGS, EXPLAINED)
    assert [e.key for e in there] == list(EXPLAINED)
    for a, b in zip(here, there, strict=True):
        _same_explanation(a, b)
    # The comparison is not empty: some KPI moved and was explained by named segments.
    assert any(e.contributions for e in here) or name == "against last year"


# Every view Explore offers: a KPI per dimension, two dimensions with folding into "other", a grain,
# a grain by a dimension, survey KPIs alone (counted by answers), a mixed question, the whole scope.
QUESTIONS = {
    "by one dimension": Question(
        ("tickets", "resolution_sla_rate", "resolution_hours_p90"), by=("category",)
    ),
    "two dimensions, folded": Question(("resolution_rate", "cost_per_ticket"), by=("region", "agent"), top=3),
    "per week": Question(("tickets", "first_response_hours_mean"), grain="week"),
    "per month by channel": Question(("complaint_rate",), by=("channel",), grain="month", min_size=50),
    "surveys only": Question(("nps", "csat"), by=("product",), top=4, sort="nps", order="asc"),
    "mixed tables": Question(("tickets", "csat_mean", "backlog"), by=("priority",)),
    "whole scope": Question(
        ("tickets", "churn_rate", "survey_response_rate"), filters=(("region", ("华东",)),)
    ),
}


def _same_answer(here, there) -> None:
    assert (here.size_of, here.unavailable, here.folded) == (there.size_of, there.unavailable, there.folded)
    assert here.table.columns == there.table.columns
    assert here.table.height == there.table.height
    for column in here.table.columns:
        for a, b in zip(here.table[column].to_list(), there.table[column].to_list(), strict=True):
            if isinstance(a, float) or isinstance(b, float):
                assert (a is None and b is None) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), column
            else:
                assert a == b, column


@pytest.mark.parametrize("name", QUESTIONS)
@pytest.mark.parametrize("scope", ["a quarter with filters", "a drill-down"])
def test_the_explore_views_agree(lake_local, lake_engine, name, scope):
    here = lake_local.explore(SCOPES[scope], QUESTIONS[name], SETTINGS)
    there = lake_engine.explore(SCOPES[scope], QUESTIONS[name], SETTINGS)
    assert here.table.height > 0
    _same_answer(here, there)
    assert there.table.height <= ROW_BOUND


def test_backlog_per_period_on_the_lake_is_one_sentence(lake_engine):
    with pytest.raises(InputError) as caught:
        lake_engine.explore(SCOPES["a month"], Question(("backlog",), grain="day"), SETTINGS)
    assert caught.value.key == "lake.backlog_per_period"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_explore_page_on_the_lake_shows_the_local_table(lake_app, lake_local, lang):
    from lib.engine import periods, store
    from lib.ui import explore_page

    # Opened on Explore itself (AppTest would first run the Overview, whose explanations take minutes here).
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at = at.switch_page("pages/explore.py").run()
    assert not at.exception, at.exception
    assert not any("AFTERSIGHT_ENGINE" in i.value for i in at.info)
    scope = store.Scope(*periods.last_full_month(*lake_local.date_bounds()))
    expected = explore_page.display(
        lake_local.explore(scope, explore_page.DEFAULT, session_settings()), session_settings(), lang
    )
    shown = at.dataframe[0].value
    tickets = expected.columns[
        1
    ]  # the ticket counts (the category is the shown table's index), largest first
    assert shown[tickets].tolist() == expected[tickets].to_list()
    assert len(shown) == expected.height > 1


def test_the_overview_on_the_lake_explains_its_alerts(lake_app, lake_local):
    from lib.analysis import overview
    from lib.engine import periods, store

    at = start("en")
    assert not at.exception, at.exception
    scope = store.Scope(*periods.last_full_month(*lake_local.date_bounds()))
    summary = lake_local.summarise(scope, session_settings())
    red = tuple(kpi.key for kpi, _ in overview.alerts(summary, session_settings()))
    why = lake_local.explain_alerts(scope, session_settings(), red)
    assert any(e.contributions for e in why), "the default month explains nothing: the test proves nothing"
    # The page does not wait for Spark's explanations: it says they are coming, then draws them on a later run
    # (in the browser a fragment looks every few seconds; here the test runs the page again).
    assert "Spark is working out why each alert moved" in texts(at)
    assert len(at.metric) >= 20 and len(at.get("vega_lite_chart")) == 2  # the rest of the page is there
    deadline = time.monotonic() + EXPLAINED_WITHIN_S
    coming = ("working out why", "Spark 正在分析")  # the "explanations are coming" line, in either language
    while any(words in texts(at) for words in coming) and time.monotonic() < deadline:
        time.sleep(2)
        at = goto(at, "overview", "en")  # a rerun, in English (AppTest redraws the sidebar: tests' goto)
        assert not at.exception, at.exception
    words = texts(at)
    assert not any(line in words for line in coming), "the explanations did not arrive"
    for explanation in why:
        sentence = overview.explanation_sentence(
            explanation, session_settings(), "en", escape=formatting.literal
        )
        assert sentence in words


def test_explore_and_the_explained_overview_read_few_rows_back(lake_app, monkeypatch):
    from pyspark.sql.classic.dataframe import DataFrame  # what local[2] and a spark:// master return

    counts = rows_back(DataFrame, monkeypatch.setattr)
    at = start("en")
    assert not at.exception, at.exception
    at = goto(at, "explore", "en")
    assert not at.exception, at.exception
    assert counts, "nothing read from Spark: the count proves nothing"
    assert max(counts) <= ROW_BOUND, max(counts)
    assert sum(counts) < ROWS / 20, sum(counts)


def session_settings():
    from lib.engine.kpis import Settings

    return Settings()
