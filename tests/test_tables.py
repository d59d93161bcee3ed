"""Analysis tables as shown and downloaded: headers translated, rates in percent, numbers rounded."""

import polars as pl
from polars.testing import assert_frame_equal

from lib.analysis.tables import blank, display, header, short_header


def test_display_translates_headers_and_shows_rates_in_percent():
    frame = pl.DataFrame(
        {
            "agent": ["张伟", None],
            "tickets": [12, 3],
            "fcr_rate": [0.8333333, None],
            "resolution_hours_p90": [30.04, 2.0],
            "cost_per_ticket": [123.456, -5.0],
            "working_days": [22, 22],
        }
    )
    shown = display(frame, "zh")
    expected = pl.DataFrame(
        {
            "工程师/客服": ["张伟", None],
            "工单量": [12, 3],
            "一次解决率 (%)": [83.3, None],
            "解决P90（小时）": [30.0, 2.0],
            "单均成本": [123.46, -5.0],
            "工作日数": [22, 22],
        }
    )
    assert_frame_equal(shown, expected)


def test_unknown_columns_keep_their_name_and_english_works():
    assert header("fcr_rate", "en") == "First-contact resolution rate (%)"
    assert header("something_else", "en") == "something_else"
    assert display(pl.DataFrame({"x": [1.234]}), "en")["x"].to_list() == [1.23]


def test_shares_are_shown_in_percent():
    shown = display(pl.DataFrame({"category": ["漏水"], "share": [0.1834], "cumulative_share": [1.0]}), "en")
    assert shown.columns == ["Category", "Share (%)", "Cumulative share (%)"]
    assert shown.row(0) == ("漏水", 18.3, 100.0)


def test_short_header_drops_the_percent_of_a_rate_only():
    assert short_header("response_sla_rate", "en") == "Response SLA rate"  # the table says "… (%)"
    assert short_header("share", "zh") == "占比"  # a share that is not a KPI
    assert short_header("csat", "en") == "CSAT"  # points, never "(%)"
    assert short_header("something_else", "en") == "something_else"


def test_blank_when_the_column_is_missing_or_all_null():
    frame = pl.DataFrame(
        {"some": [None, 2.0], "none": [None, None]}, schema={"some": pl.Float64, "none": pl.Float64}
    )
    assert not blank(frame, "some")
    assert blank(frame, "none")
    assert blank(frame, "missing")
    assert blank(frame.head(0), "some")  # no rows: nothing to draw either
