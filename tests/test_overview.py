"""What the Overview shows: cards, 'not available' wording, alerts, trend and top categories."""

from dataclasses import replace
from datetime import date, datetime

import polars as pl
import pytest

from lib.analysis import formatting, overview
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings
from lib.i18n import t


@pytest.fixture
def con():
    con = store.connect()
    tickets = pl.DataFrame(
        {
            "ticket_id": ["A", "B", "C", "D"],
            "created_at": [
                datetime(2024, 3, 1, 8),
                datetime(2024, 3, 2, 8),
                datetime(2024, 3, 9, 8),
                datetime(2024, 2, 1, 10),  # the data starts on February's first day: February is covered
            ],
            "resolved_at": [datetime(2024, 3, 1, 9), None, datetime(2024, 3, 20), datetime(2024, 2, 2)],
            "category": ["漏水", "漏水", "安装", "漏水"],
        }
    )
    store.load(con, "tickets", tickets)
    return con


def test_summary_compares_with_the_previous_month(con):
    summary = overview.summarise(con, store.Scope(date(2024, 3, 1), date(2024, 3, 31)), Settings())
    assert summary.current["tickets"] == 3 and summary.previous["tickets"] == 1
    assert summary.current["resolution_rate"] == pytest.approx(2 / 3)
    # February (1 ticket, resolved the next day) is covered: its numbers are compared, as before
    assert summary.comparison.state == "covered"
    assert summary.previous["resolution_rate"] == 1.0 and summary.previous["backlog"] == 0
    assert overview.comparison_note(summary.comparison, "en") is None
    assert overview.period_sentence(
        store.Scope(date(2024, 3, 1), date(2024, 3, 31)), summary.comparison, "en"
    ) == ("Period 2024-03-01 to 2024-03-31, compared with 2024-02-01 to 2024-02-29")


# ---- a comparison period the data does not (fully) cover: no change, a note instead ------------


def _tickets(created: list[datetime], resolved: list[datetime | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"ticket_id": [f"T{i}" for i in range(len(created))], "created_at": created, "resolved_at": resolved},
        schema_overrides={"resolved_at": pl.Datetime("us")},
    )


def test_a_year_against_an_empty_year_before_shows_no_change():
    """The user's case: "Tickets 121,145 ↑ +121,145" and a red backlog change against an empty year."""
    con = store.connect()
    # 2025 only: five tickets, two still open at the end of the year.
    created = [datetime(2025, 1, 5, 9), datetime(2025, 3, 10), datetime(2025, 6, 1), datetime(2025, 9, 9)]
    created.append(datetime(2025, 12, 30, 17))
    resolved = [datetime(2025, 1, 6), None, datetime(2025, 6, 2), datetime(2025, 9, 10), None]
    store.load(con, "tickets", _tickets(created, resolved))
    year = store.Scope(date(2025, 1, 1), date(2025, 12, 31))
    summary = overview.summarise(con, year, Settings())
    assert summary.current["tickets"] == 5 and summary.current["backlog"] == 2
    # 2024 holds no ticket: 0 tickets and 0 backlog there are no numbers to compare with
    assert summary.comparison.period.start == date(2024, 1, 1) and summary.comparison.period.end == date(
        2024, 12, 31
    )
    assert (summary.comparison.state, summary.comparison.data_from) == ("none", date(2025, 1, 5))
    assert set(summary.previous.values()) == {None}
    assert overview.comparison_note(summary.comparison, "zh") == "上期无数据"
    assert overview.comparison_note(summary.comparison, "en") == "no data for the previous period"
    assert overview.period_sentence(year, summary.comparison, "en") == (
        "Period 2025-01-01 to 2025-12-31; no data for 2024-01-01 to 2024-12-31, so no comparison"
    )
    # the KPI table leaves the previous column empty rather than showing 0
    table = overview.kpi_table(summary, Settings(), "en").filter(pl.col("Key") == "tickets")
    assert table["Previous period"].to_list() == ["—"]


QUARTER_DATA = (
    # The data starts on 16 November 2024: half of the fourth quarter (Oct–Dec) is missing.
    [datetime(2024, 11, 16, 9), datetime(2024, 12, 20), datetime(2025, 1, 10), datetime(2025, 2, 14)]
    + [datetime(2025, 3, 31, 23)],
    [datetime(2024, 11, 17), datetime(2024, 12, 21), datetime(2025, 1, 11), None, datetime(2025, 4, 1)],
)


def test_a_quarter_against_a_half_covered_quarter_shows_no_change():
    """The user's case: a quarter showed "+88.2 %" against a previous quarter half in the data."""
    con = store.connect()
    store.load(con, "tickets", _tickets(*QUARTER_DATA))
    quarter = store.Scope(date(2025, 1, 1), date(2025, 3, 31))
    summary = overview.summarise(con, quarter, Settings())
    assert summary.current["tickets"] == 3  # 10 Jan, 14 Feb, 31 Mar 23:00 (the 2 Q4 tickets would be "+50 %")
    assert (summary.comparison.state, summary.comparison.data_from) == ("partial", date(2024, 11, 16))
    assert set(summary.previous.values()) == {None}
    assert overview.comparison_note(summary.comparison, "zh") == "上期数据不完整（自 2024-11-16 起）"
    assert overview.comparison_note(summary.comparison, "en") == (
        "previous period only partly covered (data from 2024-11-16)"
    )
    assert overview.period_sentence(quarter, summary.comparison, "zh") == (
        "统计期 2025-01-01 至 2025-03-31；对比期 2024-10-01 至 2024-12-31 数据不完整（自 2024-11-16 起），不作对比"
    )
    # the same quarter against the same quarter of 2024: no data at all then
    last_year = overview.summarise(con, replace(quarter, compare="year"), Settings())
    assert last_year.comparison.state == "none"
    assert overview.comparison_note(last_year.comparison, "zh") == "去年同期无数据"
    assert overview.comparison_note(last_year.comparison, "en") == "no data for the same period last year"
    # a month the data covers, from its first day: compared as before (January: 1 ticket, December: 1)
    january = overview.summarise(con, store.Scope(date(2025, 1, 1), date(2025, 1, 31)), Settings())
    assert january.comparison.covered and january.previous["tickets"] == 1


def test_unavailable_kpis_say_which_column_or_file_they_need(con):
    summary = overview.summarise(con, store.Scope(date(2024, 3, 1), date(2024, 3, 31)), Settings())
    cost = BY_KEY["cost_total"]
    assert overview.missing_columns(cost, summary.columns["tickets"]) == (
        "labor_cost|parts_cost|travel_cost",
    )
    assert overview.unavailable(cost, summary, "en") == (
        "Not available: needs column Labour cost or Parts cost or Travel cost"
    )
    assert overview.unavailable(cost, summary, "zh") == "不可用：需要列 人工成本 或 备件成本 或 差旅成本"
    # no surveys file at all: say which file, not a column
    assert (
        overview.unavailable(BY_KEY["survey_response_rate"], summary, "en")
        == "Not available: needs a Surveys file"
    )
    assert overview.unavailable(BY_KEY["churn_rate"], summary, "zh") == "不可用：需要上传客户文件"


def test_alerts_list_red_kpis_with_a_sentence(con):
    summary = overview.summarise(con, store.Scope(date(2024, 3, 1), date(2024, 3, 31)), Settings())
    alerts = dict((k.key, v) for k, v in overview.alerts(summary, Settings()))
    # resolution rate 66.7 % against 95 %: more than 10 % short, so red
    assert alerts["resolution_rate"] == pytest.approx(2 / 3)
    sentence = overview.alert_sentence(BY_KEY["resolution_rate"], 2 / 3, Settings(), "en")
    assert sentence == "Resolution rate is 66.7%, below the target of 95.0%."


def test_volume_and_top_categories(con):
    scope = store.Scope(date(2024, 3, 1), date(2024, 3, 31))
    weekly = overview.volume(con, scope, "1w")
    assert weekly["tickets"].sum() == 3
    top = overview.top_categories(con, scope)
    assert top.to_dicts() == [{"category": "漏水", "tickets": 2}, {"category": "安装", "tickets": 1}]


@pytest.mark.parametrize(
    ("key", "value", "lang", "expected"),
    [
        ("resolution_rate", 0.8512, "en", "85.1%"),
        ("tickets", 12345.0, "zh", "12,345"),
        ("first_response_hours_mean", 3.94, "zh", "3.9 小时"),
        ("first_response_hours_mean", 3.94, "en", "3.9 h"),
        ("cost_total", 270194.05, "en", "¥270,194"),
        ("cost_per_ticket", 236.39, "en", "¥236.39"),
        ("csat", 73.54, "en", "73.5"),
        ("csat", None, "en", "—"),
    ],
)
def test_value_formatting(key, value, lang, expected):
    assert formatting.value(BY_KEY[key], value, lang) == expected


def test_delta_formatting():
    assert formatting.delta(BY_KEY["resolution_rate"], -0.055, None, "zh") == "-5.5 个百分点"
    assert formatting.delta(BY_KEY["resolution_rate"], -0.055, None, "en") == "-5.5 pp"
    assert formatting.delta(BY_KEY["tickets"], -62, -0.051, "en") == "-5.1%"
    assert formatting.delta(BY_KEY["nps"], 4.7, 0.2, "en") == "+4.7"
    assert formatting.delta(BY_KEY["tickets"], None, None, "en") is None
    assert formatting.delta(BY_KEY["tickets"], 11, None, "en") == "+11"  # previous period empty


def test_projected_read_gives_the_same_kpis_as_reading_everything():
    """The Overview reads only the KPI columns and the open tickets; numbers must not move."""
    from pathlib import Path

    from lib.engine.kpis import columns_for, evaluate
    from lib.ingest import pipeline

    con = store.connect()
    pipeline.load_sample(con)
    assert Path(pipeline.SAMPLE_DIR / "tickets.csv").exists()
    for scope in (store.Scope(date(2026, 10, 1), date(2026, 10, 31)), store.Scope()):
        full = evaluate(store.scoped(con, scope), settings=Settings())
        lean = evaluate(
            store.scoped(con, scope, ticket_columns=columns_for(), by_period=False), settings=Settings()
        )
        assert lean == pytest.approx(full, nan_ok=True)
        assert overview.kpis(con, scope, Settings()) == lean


def test_backlog_per_period_refuses_frames_read_for_the_end_only(con):
    from lib.engine.kpis import evaluate_by

    frames = store.scoped(con, store.Scope(date(2024, 3, 1), date(2024, 3, 31)), by_period=False)
    with pytest.raises(ValueError, match="by_period"):
        evaluate_by(frames, ("backlog",), every="1w")


def _explanation(key, current, previous, contributions=()):
    from lib.analysis.alerts import Explanation
    from lib.engine.kpis import change

    absolute, relative = change(current, previous)
    return Explanation(key, current, previous, absolute, relative, tuple(contributions))


def test_explanation_names_the_groups_behind_a_worse_kpi():
    from lib.analysis.alerts import Contribution

    parts = [
        Contribution((("category", "漏水"), ("region", "华东")), 0.71, 60.0, 120, 80),
        Contribution((("channel", "电话"),), 0.4, 66.0, 300, 280),
    ]
    words = overview.explanation_sentence(
        _explanation("resolution_hours_p90", 72.0, 52.0, parts), Settings(), "zh"
    )
    assert words == (
        "较对比期上升 38.5%，其中 71% 来自 问题类型 漏水 · 区域 华东；渠道 电话 单独也能解释 40%（两组可能重叠）。"
    )


def test_explanation_of_a_share_above_the_whole_change_uses_the_counterfactual():
    from lib.analysis.alerts import Contribution

    parts = [Contribution((("priority", "P3"),), 2.28, 0.709, 500, 480)]
    words = overview.explanation_sentence(
        _explanation("response_sla_rate", 0.674, 0.689, parts), Settings(), "en"
    )
    assert words == (
        "Compared with the comparison period it is down 1.5 pp; Priority P3 alone is more than the whole change "
        "(other groups improved): had it stayed as before, this period would be 70.9%."
    )


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (0.069, 0.073, "Better than the comparison period (down 0.4 pp), still off target."),
        (0.0690, 0.06905, "About the same as in the comparison period: not a new problem."),
        (0.069, None, "No comparison period to explain the change."),
        (
            0.069,
            0.05,
            "Compared with the comparison period it is up 1.9 pp; the change is spread out, no single group explains it.",
        ),
    ],
)
def test_explanation_when_there_is_nothing_to_blame(current, previous, expected):
    assert (
        overview.explanation_sentence(_explanation("reopen_rate", current, previous), Settings(), "en")
        == expected
    )


def test_needs_sentence_names_only_what_is_missing_and_each_column_once():
    """It once read "needs Reopen count, Resolved at, First-contact resolved or Reopen count, Resolved at,
    Customer ID" while Resolved at was loaded."""
    from lib.analysis.overview import needs_sentence

    needs = (
        "reopen_count",
        "resolved_at",
        "first_contact_resolved|reopen_count",
        "resolved_at",
        "customer_id",
    )
    have = frozenset({"ticket_id", "created_at", "resolved_at"})
    assert needs_sentence(needs, "en", have) == "Not available: needs column Reopen count, Customer ID"
    assert needs_sentence(needs, "zh", have).count("返修次数") == 1
    assert needs_sentence(("resolved_at",), "en", have) == t("kpi.no_rows", "en")
    assert needs_sentence(("channel|category",), "en") == "Not available: needs column Channel or Category"
