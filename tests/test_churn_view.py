"""The Churn page's words and tables: reasons, actions, the filtered list, churn by attribute."""

from datetime import date, datetime

import polars as pl
import pytest

from lib.engine import store
from lib.i18n import CATALOGUE
from lib.predict import churn, churn_features, churn_view


@pytest.mark.parametrize(
    ("key", "value", "category", "lang", "expected"),
    [
        ("complaints_90d", 3.0, None, "zh", "近 90 天投诉 3 次"),
        ("complaints_90d", 1.0, None, "en", "complaints in the last 90 days: 1"),
        ("days_since_last_ticket", 12.6, None, "en", "a ticket very recently (days ago: 13)"),
        ("csat_change", -3.0, None, "zh", "满意度变化 -3 分"),
        ("last_resolution_hours", 216.4, None, "en", "the last repair took 216 hours (reported 12 days ago)"),
        ("last_ticket_complaint", 1.0, None, "en", "the last ticket was a complaint (12 days ago)"),
        ("last_ticket_complaint", 1.0, None, "zh", "上一张工单是投诉（12 天前）"),
        ("last_ticket_reopens", 2.0, None, "en", "reopens of the last ticket: 2 (reported 12 days ago)"),
        ("last_ticket_csat", 2.0, None, "zh", "上一张工单满意度只有 2 分（12 天前报修）"),
        ("tickets_per_year", 3.44, None, "en", "tickets a year on average: 3.4"),
        ("negative_comment_share", 0.5, None, "en", "50% of comments negative"),
        ("region", None, "华东", "zh", "所在区域“华东”流失较多"),
        (None, None, None, "en", ""),
    ],
)
def test_reasons_in_plain_words(key, value, category, lang, expected):
    assert churn_view.reason_words(key, value, category, lang, days=12.2) == expected


@pytest.mark.parametrize(
    ("days", "lang", "expected"),
    [
        (None, "en", "the last ticket was a complaint (—)"),
        (0.3, "en", "the last ticket was a complaint (today)"),
        (1.2, "en", "the last ticket was a complaint (1 day ago)"),
        (1.2, "zh", "上一张工单是投诉（1 天前）"),
        (0.0, "zh", "上一张工单是投诉（今天）"),
    ],
)
def test_how_long_ago_the_last_ticket_was(days, lang, expected):
    assert churn_view.reason_words("last_ticket_complaint", 1.0, None, lang, days) == expected


def test_every_reason_has_words_and_a_label_in_both_languages():
    for key in churn_features.REASON_KEYS:
        assert f"churn.reason_{key}" in CATALOGUE and f"churn.feature_{key}" in CATALOGUE
    for spec in churn_features.FEATURES:  # any feature can be the best single one the page names
        assert f"churn.feature_{spec.key}" in CATALOGUE
    assert churn_view.action_rows({}, "en")["key"].to_list() == list(churn_features.REASON_KEYS)


def test_the_teams_own_action_wins_over_the_default():
    assert (
        churn_view.action("complaints_90d", "en") == "Supervisor call-back within 24 h with a goodwill offer"
    )
    assert churn_view.action("tenure_days", "zh") == "安排回访，了解近况"  # no specific action: the default
    assert churn_view.action("complaints_90d", "en", {"complaints_90d": "Send flowers"}) == "Send flowers"


def test_edited_actions_keep_only_what_differs_from_the_default():
    rows = churn_view.action_rows({}, "en").with_columns(
        pl.when(pl.col("key") == "reopens")
        .then(pl.lit("  Senior engineer, same day  "))
        .otherwise(pl.col("action"))
        .alias("action")
    )
    assert churn_view.actions_from_rows(rows, "en") == {"reopens": "Senior engineer, same day"}


def test_filtered_list_keeps_all_for_an_empty_choice():
    listing = pl.DataFrame(
        {"customer_id": ["a", "b", "c"], "risk_band": ["高", "中", "高"], "region": ["华东", "华北", None]}
    )
    assert churn_view.filtered(listing, {"risk_band": ["高"], "region": []})["customer_id"].to_list() == [
        "a",
        "c",
    ]
    assert churn_view.filtered(listing, {"risk_band": ["高"], "region": ["华东"]})[
        "customer_id"
    ].to_list() == ["a"]


def test_calibration_as_two_lines():
    table = pl.DataFrame(
        {"bin": [0, 1], "mean_predicted": [0.01, 0.2], "observed": [0.0, 0.25], "count": [10, 10]}
    )
    long = churn_view.calibration_long(table, "en")
    assert long.rows() == [
        ("1", "Predicted", 0.01),
        ("2", "Predicted", 0.2),
        ("1", "Observed", 0.0),
        ("2", "Observed", 0.25),
    ]


def test_churn_by_age_band_and_gender_by_hand(con):
    customers = pl.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5"],
            "age": [25, 35, 38, None, 70],
            "gender": ["女", "男", "女", "男", None],
            "churned": [True, False, True, False, True],
            "churned_at": [datetime(2026, 1, 5), None, datetime(2026, 2, 1), None, datetime(2026, 3, 1)],
        }
    )
    store.load(con, "customers", customers)
    ages = churn_view.by_attribute(con, "age_band")
    # <30: c1 churned 1/1; 30-39: c2, c3 → 1/2; 60+: c5 1/1; no age: c4 0/1 (last)
    assert ages.rows() == [("30-39", 2, 1, 0.5), ("60+", 1, 1, 1.0), ("<30", 1, 1, 1.0), (None, 1, 0, 0.0)]
    genders = churn_view.by_attribute(con, "gender")
    assert genders.rows() == [("女", 2, 2, 1.0), ("男", 2, 0, 0.0), (None, 1, 1, 1.0)]
    assert churn_view.by_attribute(con, "segment") is None  # no such column


def test_a_customers_timeline_in_time_order(con):
    store.load(
        con,
        "tickets",
        pl.DataFrame(
            {
                "ticket_id": ["T1", "T2"],
                "customer_id": ["c1", "c2"],
                "created_at": [datetime(2026, 1, 2, 9), datetime(2026, 1, 3, 9)],
            }
        ),
    )
    store.load(
        con,
        "surveys",
        pl.DataFrame(
            {
                "submitted_at": [datetime(2026, 1, 1, 8)],
                "ticket_id": ["T1"],
                "customer_id": ["c1"],
                "csat": [2.0],
            }
        ),
    )
    got = churn_view.timeline(con, "c1")
    assert got.select("event", "ref", "csat").rows() == [("Survey", "T1", 2.0), ("Ticket", "T1", None)]
    assert churn_view.timeline(con, "c1", "zh")["event"].to_list() == ["回访", "报修"]
    assert date(2026, 1, 1) == got["at"][0].date()


def test_the_at_risk_list_tells_how_long_ago_the_last_ticket_was():
    scored = pl.DataFrame({
        "customer_id": ["a", "b"], "churn_risk": [0.4, 0.1], "risk_band": ["high", "low"],
        "reason_1": ["last_ticket_complaint", "complaints_total"], "reason_1_value": [1.0, 2.0],
        "reason_2": [None, None], "reason_2_value": [None, None], "reason_3": [None, None], "reason_3_value": [None, None],
        "days_since_last_ticket": [12.4, 365.0],  # 365: no ticket (the cap)
    })  # fmt: skip
    listing = churn_view.at_risk(churn.ChurnResult(True, (), 90, "logistic", scored=scored), "en")
    assert listing["reason_1"].to_list() == [
        "the last ticket was a complaint (12 days ago)",
        "complaints so far: 2",
    ]
    assert listing["last_ticket_days"].to_list() == [12, None]
    assert listing["action"][0] == "Supervisor call-back with a goodwill offer"


def test_importance_shown_names_the_top_features():
    importance = pl.DataFrame(
        {"feature": ["tickets_90d", "complaints_90d", "tickets_total"], "importance": [0.5, 0.3, None]}
    )
    shown = churn_view.importance_shown(importance, "en", top=2)
    assert shown.rows() == [("Tickets, last 90 days", 0.5), ("Complaints, last 90 days", 0.3)]
    assert churn_view.importance_shown(importance, "zh")["feature"].to_list() == [
        "近 90 天报修次数",
        "近 90 天投诉",
        "累计报修次数",
    ]


def test_filter_values_and_customer_choices():
    listing = pl.DataFrame(
        {"customer_id": ["c3", "c1", "c2"], "region": ["华东", None, "华北"], "segment": ["B", "A", "B"]}
    )
    assert churn_view.filter_values(listing, "region") == ["华东", "华北"]  # sorted, empty left out
    assert churn_view.filter_values(listing, "segment") == ["A", "B"]
    assert churn_view.filter_values(listing, "gender") == []  # no such column
    assert churn_view.customer_choices(listing, 2) == ["c3", "c1"]  # the list's own order


def test_attribute_chart_data_draws_the_empty_group_as_missing():
    table = pl.DataFrame({"gender": ["女", None], "customers": [10, 4], "churn_rate": [0.1, None]})
    drawn = churn_view.attribute_chart_data(table, "gender", "—")
    assert drawn.rows() == [("女", 10, 0.1), ("—", 4, None)]  # only the attribute is filled
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        churn_view.attribute_chart_data(table, "region", "—")
