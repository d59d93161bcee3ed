"""Satisfaction page data on a tiny hand-made store: every expected value is worked out by hand."""

from __future__ import annotations

import inspect
import json
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib import charts
from lib.analysis import satisfaction
from lib.engine import store
from lib.engine.kpis import Settings, evaluate
from lib.schema import DIMENSIONS

SPRING = store.Scope(date(2024, 3, 1), date(2024, 5, 31))
SETTINGS = Settings()


def at(month: int, day: int, hour: int = 8) -> datetime:
    return datetime(2024, month, day, hour)


def after(start: datetime, hours: float) -> datetime:
    return start + timedelta(hours=hours)


# Resolution: T1 2 h (≤4h), T2 24 h (4–24h, edge), T3 72 h (24–72h, edge), T4 120 h (>72h),
# T5 open, T6 −24 h (resolved before created: unknown band). T9 is a February ticket
# (outside the range) answered in March; T7, T8 (April) and T10 (May) get no answer.
TICKET_ROWS = [
    # ticket_id, created_at, resolved_at, reopen_count, channel, agent
    ("T1", at(3, 1), after(at(3, 1), 2), 0, "phone", "a"),
    ("T2", at(3, 2), after(at(3, 2), 24), 1, "chat", "a"),
    ("T3", at(3, 4), after(at(3, 4), 72), 0, "phone", "b"),
    ("T4", at(3, 5), after(at(3, 5), 120), None, None, "b"),
    ("T5", at(3, 6), None, 0, "phone", "b"),
    ("T6", at(3, 8), after(at(3, 8), -24), 2, "chat", "a"),
    ("T7", at(4, 2), after(at(4, 2), 1), 0, "app", "a"),
    ("T8", at(4, 3), None, 0, "app", "a"),
    ("T9", at(2, 20), after(at(2, 20), 24), 0, "chat", "a"),
    ("T10", at(5, 5), None, 0, "app", "b"),
]
TICKETS = pl.DataFrame(
    TICKET_ROWS,
    schema={
        "ticket_id": pl.String,
        "created_at": pl.Datetime("us"),
        "resolved_at": pl.Datetime("us"),
        "reopen_count": pl.Int64,
        "channel": pl.String,
        "agent": pl.String,
    },
    orient="row",
)
# S2's comment is blank; S7 answers no ticket; S10 (June) is outside the range.
SURVEY_ROWS = [
    # submitted_at, ticket_id, csat, nps, comment
    (at(3, 2), "T1", 5.0, 10.0, "great"),
    (at(3, 3), "T1", 4.0, 9.0, "  "),
    (at(3, 4), "T2", 2.0, 3.0, "slow"),
    (at(3, 8), "T3", 3.0, 7.0, None),
    (at(3, 10), "T4", None, 6.0, "no csat"),
    (at(3, 12), "T6", 1.0, None, "worst"),
    (at(3, 15), None, 4.0, 8.0, "who am I"),
    (at(3, 20), "T9", 5.0, 10.0, "fine"),
    (at(4, 4), "T5", 1.0, 0.0, "still broken"),
    (at(6, 1), "T7", 5.0, 10.0, "late"),
]
SURVEYS = pl.DataFrame(
    SURVEY_ROWS,
    schema={
        "submitted_at": pl.Datetime("us"),
        "ticket_id": pl.String,
        "csat": pl.Float64,
        "nps": pl.Float64,
        "comment": pl.String,
    },
    orient="row",
)


@pytest.fixture
def spring(con, loaded):
    """Scoped frames for the default store, or for modified tickets / surveys (None = not loaded)."""

    def read(tickets=TICKETS, surveys=SURVEYS, scope=SPRING) -> store.Frames:
        store.clear(con)  # a fresh store per call: loading again would append
        return satisfaction.frames(loaded(tickets=tickets, surveys=surveys), scope)

    return read


def driver(value, answers, csat, csat_mean, nps, small=True) -> dict:
    return {
        "value": value,
        "answers": answers,
        "csat": csat,
        "csat_mean": csat_mean,
        "nps": nps,
        "small": small,
    }


def expected_drivers(*rows: dict) -> pl.DataFrame:
    schema = {
        "value": pl.String,
        "answers": pl.Int64,
        "csat": pl.Float64,
        "csat_mean": pl.Float64,
        "nps": pl.Float64,
        "small": pl.Boolean,
    }
    return pl.DataFrame(list(rows), schema=schema)


# --- frames --------------------------------------------------------------------------


def test_frames_reads_only_the_ticket_column_the_page_needs_and_applies_filters(spring):
    frames = spring()
    assert frames.tickets.columns == ["created_at"]
    assert frames.tickets.height == 9  # T1–T8, T10
    assert frames.surveys.height == 9  # S1–S9
    phone = spring(scope=store.Scope(SPRING.start, SPRING.end, (("channel", ("phone",)),)))
    # S1 S2 (T1), S4 (T3), S9 (T5); answers with no ticket or no channel are filtered out
    assert sorted(phone.surveys["ticket_id"]) == ["T1", "T1", "T3", "T5"]


# --- trend ---------------------------------------------------------------------------


def test_trend_per_month(spring):
    got = satisfaction.trend(spring(), SETTINGS, "1mo")
    expected = pl.DataFrame(
        {
            "period": [date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)],
            # March csat S1–S8 with a score: 5 4 2 3 1 4 5 → 4 of 7 are ≥ 4; April S9: 1
            "csat": [400 / 7, 0.0, None],
            "csat_mean": [24 / 7, 1.0, None],
            # March nps 10 9 3 7 6 8 10: promoters 3, detractors 2 of 7; April S9: 0 → detractor
            "nps": [100 / 7, -100.0, None],
            "survey_responses": [8, 1, 0],  # May has T10 but no answer: 0, not null
            # March: answered T1 T2 T3 T4 T6 (T9 is February's) ÷ T1–T6 = 5 / 6;
            # April: T5 (a March ticket) answered ÷ T7 T8 = 1 / 2; May: 0 answered ÷ T10
            "survey_response_rate": [5 / 6, 0.5, 0.0],
        },
        schema_overrides={"survey_responses": pl.Int64},
    )
    assert_frame_equal(got, expected)


def test_trend_totals_agree_with_the_cards(spring):
    frames = spring()
    got = satisfaction.trend(frames, SETTINGS, "1w")
    cards = evaluate(frames, ("survey_responses",))
    assert got["survey_responses"].sum() == cards["survey_responses"] == 9


def test_trend_response_rate_stays_null_when_not_available(spring):
    # Without ticket_id answers cannot be matched to tickets: the rate is not available, not 0.
    got = satisfaction.trend(spring(surveys=SURVEYS.drop("ticket_id")), SETTINGS, "1mo")
    assert got["survey_responses"].to_list() == [8, 1, 0]
    assert got["survey_response_rate"].to_list() == [None, None, None]


def test_trend_without_tickets_has_only_answer_periods(spring):
    got = satisfaction.trend(spring(tickets=None), SETTINGS, "1mo")
    assert got["period"].to_list() == [date(2024, 3, 1), date(2024, 4, 1)]
    assert got["survey_response_rate"].to_list() == [None, None]


# --- NPS split -----------------------------------------------------------------------


def test_nps_split_counts_and_shares(spring):
    got = satisfaction.nps_split(spring())
    # nps answers S1–S9: 10 9 3 7 6 8 10 0 → promoters 10 9 10, passives 7 8, detractors 3 6 0
    expected = pl.DataFrame(
        {"group": ["promoter", "passive", "detractor"], "answers": [3, 2, 3], "share": [0.375, 0.25, 0.375]}
    )
    assert_frame_equal(got, expected)


def test_nps_split_agrees_with_the_nps_card(spring):
    frames = spring()
    split = dict(satisfaction.nps_split(frames).select("group", "share").iter_rows())
    nps = evaluate(frames, ("nps",))["nps"]
    assert 100 * (split["promoter"] - split["detractor"]) == pytest.approx(nps)  # 0.0 here


def test_nps_split_keeps_empty_groups_and_scores_between_groups_are_passive():
    surveys = pl.DataFrame({"submitted_at": [at(3, 1), at(3, 2), at(3, 3)], "nps": [9.0, 6.5, None]})
    got = satisfaction.nps_split(store.Frames(None, surveys, None, None, SPRING))
    # 9 promoter; 6.5 is neither ≥ 9 nor ≤ 6 (the nps KPI counts it in neither): passive; null left out
    assert got.to_dicts() == [
        {"group": "promoter", "answers": 1, "share": 0.5},
        {"group": "passive", "answers": 1, "share": 0.5},
        {"group": "detractor", "answers": 0, "share": 0.0},
    ]


def test_nps_split_trend_long_with_every_group_per_period(spring):
    got = satisfaction.nps_split_trend(spring(), "1mo")
    expected = pl.DataFrame(
        {
            "period": [date(2024, 3, 1)] * 3 + [date(2024, 4, 1)] * 3,  # May has no answer: no rows
            "group": ["promoter", "passive", "detractor"] * 2,
            "answers": [3, 2, 2, 0, 0, 1],  # March 10 9 10 | 7 8 | 3 6; April 0
            "share": [3 / 7, 2 / 7, 2 / 7, 0.0, 0.0, 1.0],
        }
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    "function", [satisfaction.nps_split, lambda f: satisfaction.nps_split_trend(f, "1w")]
)
def test_nps_split_without_nps_answers_is_none(spring, function):
    assert function(spring(surveys=None)) is None  # no surveys file
    assert function(spring(surveys=SURVEYS.drop("nps"))) is None  # no nps column
    assert function(spring(surveys=SURVEYS.with_columns(pl.lit(None, pl.Float64).alias("nps")))) is None
    assert function(spring(scope=store.Scope(date(2024, 7, 1), date(2024, 7, 31)))) is None  # no answers


# --- drivers -------------------------------------------------------------------------


def test_drivers_by_resolution_band(spring):
    got = satisfaction.drivers(spring(), SETTINGS, "resolution_band")
    expected = expected_drivers(
        driver("≤4h", 2, 100.0, 4.5, 100.0),  # S1 S2 (T1, 2 h): 5/10, 4/9
        driver("4–24h", 2, 50.0, 3.5, 0.0),  # S3 (T2, 24 h edge): 2/3, S8 (T9 of February, 24 h): 5/10
        driver("24–72h", 1, 0.0, 3.0, 0.0),  # S4 (T3, 72 h edge): 3/7, a passive
        driver(">72h", 1, None, None, -100.0),  # S5 (T4, 120 h): no csat, nps 6
        driver("unresolved", 1, 0.0, 1.0, -100.0),  # S9 (T5 open): 1/0
        driver(None, 2, 50.0, 2.5, 0.0),  # S6 (T6 resolved before created): 1/–, S7 (no ticket): 4/8
    )
    assert_frame_equal(got, expected)


def test_drivers_by_reopened(spring):
    got = satisfaction.drivers(spring(), SETTINGS, "reopened")
    expected = expected_drivers(
        # S1 S2 S4 S8 S9: csat 5 4 3 5 1 → 3 of 5 ≥ 4, mean 18/5; nps 10 9 7 10 0 → (3 − 1) / 5
        driver("not_reopened", 5, 60.0, 3.6, 40.0),
        driver("reopened", 2, 0.0, 1.5, -100.0),  # S3 (T2) 2/3, S6 (T6) 1/–
        driver(None, 2, 100.0, 4.0, -50.0),  # S5 (T4 empty count) –/6, S7 (no ticket) 4/8
    )
    assert_frame_equal(got, expected)


def test_drivers_by_dimension_most_answers_first_and_small_groups_flagged(spring, monkeypatch):
    monkeypatch.setattr(satisfaction, "SMALL_GROUP", 3)
    got = satisfaction.drivers(spring(), SETTINGS, "channel")
    expected = expected_drivers(
        # S1 S2 S4 S9: csat 5 4 3 1 → 2 of 4, mean 13/4; nps 10 9 7 0 → (2 − 1) / 4
        driver("phone", 4, 50.0, 3.25, 25.0, small=False),
        driver("chat", 3, 100 / 3, 8 / 3, 0.0, small=False),  # S3 2/3, S6 1/–, S8 5/10
        driver(None, 2, 100.0, 4.0, -50.0, small=True),  # S5 (T4 has no channel), S7 (no ticket)
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize("by", ["resolution_band", "reopened", "channel", "agent"])
def test_driver_answers_add_up_to_the_responses_card(spring, by):
    frames = spring()
    got = satisfaction.drivers(frames, SETTINGS, by)
    assert got["answers"].sum() == evaluate(frames, ("survey_responses",))["survey_responses"] == 9


def test_bands_with_no_answer_are_kept_in_order_with_null_scores(spring):
    april = store.Scope(date(2024, 4, 1), date(2024, 4, 30))
    got = satisfaction.drivers(spring(scope=april), SETTINGS, "resolution_band")
    expected = expected_drivers(
        *(driver(band, 0, None, None, None) for band in satisfaction.BAND_ORDER[:-1]),
        driver("unresolved", 1, 0.0, 1.0, -100.0),  # S9 only; no unknown answers, so no None row
    )
    assert_frame_equal(got, expected)


def test_drivers_on_no_answers(spring):
    july = spring(scope=store.Scope(date(2024, 7, 1), date(2024, 7, 31)))
    assert satisfaction.drivers(july, SETTINGS, "reopened")["answers"].to_list() == [0, 0]
    assert satisfaction.drivers(july, SETTINGS, "agent").is_empty()


def test_drivers_with_one_score_only_leave_the_other_null(spring):
    got = satisfaction.drivers(spring(surveys=SURVEYS.drop("nps")), SETTINGS, "reopened")
    assert got["csat"].to_list() == [60.0, 0.0, 100.0]
    assert got["nps"].to_list() == [None, None, None]


@pytest.mark.parametrize(
    ("by", "tickets", "surveys"),
    [
        ("resolution_band", TICKETS.drop("resolved_at"), SURVEYS),
        ("reopened", TICKETS.drop("reopen_count"), SURVEYS),
        ("channel", TICKETS.drop("channel"), SURVEYS),
        ("region", TICKETS, SURVEYS),  # a dimension the tickets file lacks
        ("resolution_band", None, SURVEYS),  # no tickets file to join
        ("reopened", TICKETS, SURVEYS.drop("ticket_id")),  # nothing to join on
        ("agent", TICKETS, SURVEYS.drop("csat", "nps")),  # no score at all
        ("agent", TICKETS, None),  # no surveys file
    ],
)
def test_drivers_without_their_columns_are_none(spring, by, tickets, surveys):
    assert satisfaction.drivers(spring(tickets=tickets, surveys=surveys), SETTINGS, by) is None


def test_unknown_driver_is_an_error(spring):
    with pytest.raises(ValueError, match="unknown driver"):
        satisfaction.drivers(spring(), SETTINGS, "weather")


# --- comments ------------------------------------------------------------------------


def test_lowest_comments_order_and_columns(spring):
    got = satisfaction.lowest_comments(spring())
    # csat 1 first (S9 nps 0 before S6 without nps), 2, 4, then S8 and S1 tie at 5/10: newer S8
    # first; S5 has no csat so comes last. S2 (blank) and S4, S10 (no comment / outside) are out.
    assert got["comment"].to_list() == [
        "still broken",
        "worst",
        "slow",
        "who am I",
        "fine",
        "great",
        "no csat",
    ]
    assert got.columns == ["submitted_at", "ticket_id", "csat", "nps", "comment", "agent", "channel"]
    assert got.row(0, named=True) == {
        "submitted_at": at(4, 4),
        "ticket_id": "T5",
        "csat": 1.0,
        "nps": 0.0,
        "comment": "still broken",
        "agent": "b",
        "channel": "phone",
    }


def test_lowest_comments_limit_and_missing_columns(spring):
    frames = spring()
    assert satisfaction.lowest_comments(frames, limit=2)["comment"].to_list() == ["still broken", "worst"]
    # the cut falls inside the S8/S1 tie (both 5/10): the newer S8 is kept
    assert satisfaction.lowest_comments(frames, limit=5)["comment"].to_list()[-1] == "fine"
    assert satisfaction.lowest_comments(spring(), limit=0).is_empty()
    assert satisfaction.lowest_comments(spring(surveys=SURVEYS.drop("comment"))) is None
    assert satisfaction.lowest_comments(spring(surveys=None)) is None
    # without tickets there are no dimensions; without csat the order starts at nps
    got = satisfaction.lowest_comments(spring(tickets=None, surveys=SURVEYS.drop("csat")), limit=3)
    assert got.columns == ["submitted_at", "ticket_id", "nps", "comment"]
    assert got["comment"].to_list() == ["still broken", "slow", "no csat"]  # nps 0, 3, 6


# --- no surveys, NEEDS ---------------------------------------------------------------


def test_everything_is_none_without_a_surveys_file(spring):
    frames = spring(surveys=None)
    assert satisfaction.trend(frames, SETTINGS, "1mo") is None
    assert satisfaction.nps_split(frames) is None
    assert satisfaction.nps_split_trend(frames, "1mo") is None
    assert satisfaction.drivers(frames, SETTINGS, "channel") is None
    assert satisfaction.lowest_comments(frames) is None


def test_needs_names_every_function_that_returns_a_frame_or_none_and_every_driver():
    # The page's words and charts (below the data) never return None, so they need no entry.
    public = {
        name
        for name, obj in inspect.getmembers(satisfaction, inspect.isfunction)
        if not name.startswith("_")
        and obj.__module__ == satisfaction.__name__
        and str(inspect.signature(obj).return_annotation).endswith("DataFrame | None")
    }
    assert {"trend", "nps_split", "nps_split_trend", "drivers", "lowest_comments"} <= public
    keys = set(satisfaction.NEEDS)
    assert public - {"drivers"} <= keys
    assert {f"drivers:{by}" for by in satisfaction.DRIVERS} <= keys
    assert {f"drivers:{d}" for d in DIMENSIONS} <= keys


# --- sample data, checked against DuckDB SQL -----------------------------------------


def test_sample_drivers_and_split_agree_with_sql(sample):
    scope = store.Scope(date(2024, 11, 1), date(2024, 11, 30))
    frames = satisfaction.frames(sample, scope)
    got = satisfaction.drivers(frames, SETTINGS, "resolution_band")
    band_sql = """
        WITH answered AS (
            SELECT s.csat, s.nps, t.created_at, t.resolved_at,
                   date_diff('second', t.created_at, t.resolved_at) / 3600.0 AS hours
            FROM surveys s LEFT JOIN tickets t USING (ticket_id)
            WHERE s.submitted_at >= DATE '2024-11-01' AND s.submitted_at < DATE '2024-12-01')
        SELECT CASE WHEN created_at IS NULL THEN NULL WHEN resolved_at IS NULL THEN 'unresolved'
                    WHEN hours < 0 THEN NULL WHEN hours <= 4 THEN '≤4h' WHEN hours <= 24 THEN '4–24h'
                    WHEN hours <= 72 THEN '24–72h' ELSE '>72h' END AS value,
               count(*) AS answers,
               100.0 * count(*) FILTER (WHERE csat >= 4) / nullif(count(csat), 0) AS csat,
               avg(csat) AS csat_mean,
               100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6))
                   / nullif(count(nps), 0) AS nps
        FROM answered GROUP BY 1
    """
    expected = pl.from_arrow(sample.sql(band_sql).to_arrow_table())
    joined = got.join(expected, on="value", how="inner", nulls_equal=True, suffix="_sql")
    assert joined.height == expected.height > 3
    for column in ("answers", "csat", "csat_mean", "nps"):
        assert joined[column].to_list() == pytest.approx(joined[f"{column}_sql"].to_list())
    split_sql = """
        SELECT count(*) FILTER (WHERE nps >= 9), count(*) FILTER (WHERE nps > 6 AND nps < 9),
               count(*) FILTER (WHERE nps <= 6)
        FROM surveys WHERE submitted_at >= DATE '2024-11-01' AND submitted_at < DATE '2024-12-01'
    """
    assert tuple(satisfaction.nps_split(frames)["answers"]) == sample.sql(split_sql).fetchall()[0]


# --- the page's words, labels and charts --------------------------------------------------


def test_split_sentence_names_each_group_with_its_share_and_answers():
    # 1,234 + 0 + 766 = 2,000 answers: 61.7 % → 62 %, 0 %, 38.3 % → 38 %.
    split = pl.DataFrame(
        {
            "group": ["promoter", "passive", "detractor"],
            "answers": [1234, 0, 766],
            "share": [0.617, 0.0, 0.383],
        }
    )
    assert satisfaction.split_sentence(split, "en") == (
        "**Promoters 9–10** 62% (1,234) · **Passives 7–8** 0% (0) · **Detractors 0–6** 38% (766)"
    )
    assert satisfaction.split_sentence(split, "zh") == (
        "**推荐者 9–10** 62%（1,234） · **中立者 7–8** 0%（0） · **贬损者 0–6** 38%（766）"
    )
    assert satisfaction.split_sentence(split.head(0), "en") == ""


def test_drill_and_name_of_each_kind_of_driver():
    assert satisfaction.drill("resolution_band") is None
    assert satisfaction.drill("reopened") is None
    assert satisfaction.drill("channel") == "channel"
    assert satisfaction.driver_name("resolution_band", "en") == "Resolution time"
    assert satisfaction.driver_name("reopened", "zh") == "是否返修"
    assert satisfaction.driver_name("channel", "en") == "Channel"


def test_value_labels_put_the_hour_unit_in_the_bands():
    en = satisfaction.value_labels("en")
    assert [en[band] for band in satisfaction.BAND_ORDER] == [
        "≤4 h",
        "4–24 h",
        "24–72 h",
        ">72 h",
        "Unresolved",
    ]
    assert en["reopened"] == "Reopened" and en["not_reopened"] == "Not reopened"
    assert satisfaction.value_labels("zh")["24–72h"] == "24–72小时"


def test_drivers_shown_words_a_facts_groups_and_names_a_dimensions_column():
    facts = pl.DataFrame({"value": ["≤4h", "unresolved", None], "answers": [3, 2, 1]})
    shown = satisfaction.drivers_shown(facts, "resolution_band", "en")
    assert_frame_equal(
        shown, pl.DataFrame({"value": ["≤4 h", "Unresolved", None], "answers": [3, 2, 1]})
    )  # the unknown group stays null
    reopened = satisfaction.drivers_shown(
        pl.DataFrame({"value": ["not_reopened", "reopened"], "answers": [4, 1]}), "reopened", "zh"
    )
    assert reopened["value"].to_list() == ["无返修", "有返修"]
    dimension = pl.DataFrame({"value": ["phone", None], "answers": [5, 1]})
    assert_frame_equal(
        satisfaction.drivers_shown(dimension, "channel", "en"),
        pl.DataFrame({"channel": ["phone", None], "answers": [5, 1]}),
    )
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        satisfaction.drivers_shown(pl.DataFrame({"answers": [1]}), "channel", "en")


def test_nps_split_figure_colours_the_groups_and_titles_in_the_language():
    split_trend = pl.DataFrame(
        {
            "period": [date(2024, 3, 4)] * 3,
            "group": ["promoter", "passive", "detractor"],
            "answers": [2, 1, None],
            "share": [2 / 3, 1 / 3, None],
        }
    )
    spec = satisfaction.nps_split_figure(split_trend, "week", "en").to_dict()
    assert spec["title"] == "NPS mix per period"
    color = spec["encoding"]["color"]
    assert color["scale"]["domain"] == ["Promoters 9–10", "Passives 7–8", "Detractors 0–6"]
    assert color["scale"]["range"] == [charts.COLORS["good"], charts.COLORS["neutral"], charts.COLORS["bad"]]
    assert spec["encoding"]["x"]["title"] == "Week" and spec["encoding"]["y"]["stack"] == "normalize"
    (rows,) = spec["datasets"].values()
    assert [row["value"] for row in rows] == [2, 1, 0]  # a missing count is drawn as 0


def test_drivers_figure_draws_the_first_20_groups_against_the_target():
    table = pl.DataFrame(
        {
            "value": [f"v{i:02d}" for i in range(21)] + [None],
            "answers": [100 - i for i in range(22)],
            "csat": [80.0] * 21 + [None],
            "nps": [10.0] * 22,
            "small": [False] * 22,
        }
    )
    spec = satisfaction.drivers_figure(table, "channel", "csat", SETTINGS, "en").to_dict()
    assert spec["title"] == "CSAT by group (n = answers)"
    text = json.dumps(spec, ensure_ascii=False)
    assert '"v19"' in text and '"v20"' not in text  # 20 rows: v00 … v19
    assert "85.0" in text  # the CSAT target of the default settings
    assert '"params"' in text  # a dimension's bars can be clicked (a selection parameter)
    facts = satisfaction.drivers_figure(table, "resolution_band", "nps", SETTINGS, "zh").to_dict()
    assert facts["title"] == "净推荐值 NPS：各组对比（n = 回答数）"
    assert "params" not in json.dumps(facts)
