"""Analysis tables as shown and downloaded: headers translated, rates in percent, numbers rounded."""

import polars as pl
from polars.testing import assert_frame_equal

from lib.analysis.tables import display, header


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
