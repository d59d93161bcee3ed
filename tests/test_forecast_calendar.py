"""The holiday calendar `auto` picks: unusual days by hand, the calendar whose holidays explain them, or none."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from lib.predict import forecast_calendar as fcal
from lib.predict import forecast_view

MONDAY = date(2023, 1, 2)


def series(days: int, dips: dict[date, float] | None = None, start: date = MONDAY) -> pl.DataFrame:
    """100 tickets on weekdays, 40 at weekends, Poisson noise (seeded); `dips` set single days."""
    ds = [start + timedelta(days=i) for i in range(days)]
    level = np.array([40.0 if d.weekday() >= 5 else 100.0 for d in ds])
    y = np.random.default_rng(7).poisson(level).astype(float)
    for day, value in (dips or {}).items():
        y[(day - start).days] = value
    return pl.DataFrame({"ds": ds, "y": y})


def test_unusual_days_by_hand():
    # Ten weeks of exactly 10 a day except one Wednesday at 30: its neighbours (the Wednesdays 1–3 weeks
    # around) say 10, the residuals' MAD is 0, so the spread is the count floor √10 = 3.16 and 20 > 3 × 3.16.
    y = [10.0] * 70
    y[30] = 30.0
    frame = pl.DataFrame({"ds": [MONDAY + timedelta(days=i) for i in range(70)], "y": y})
    odd = fcal.unusual_days(frame)
    assert odd["ds"].to_list() == [MONDAY + timedelta(days=30)] and odd["expected"].to_list() == [10.0]
    y[30] = 19.0  # 9 above: within 3 × 3.16
    assert fcal.unusual_days(frame.with_columns(pl.Series("y", y))).is_empty()


def test_a_us_office_gets_the_us_calendar_and_the_sentence_says_why():
    # 2023 on US federal holidays that fall on weekdays: the office is closed (5 tickets).
    closed = [
        date(2023, 1, 2),  # New Year's Day (observed)
        date(2023, 1, 16),
        date(2023, 2, 20),
        date(2023, 5, 29),
        date(2023, 6, 19),
        date(2023, 7, 4),
        date(2023, 9, 4),
        date(2023, 10, 9),
        date(2023, 11, 10),
        date(2023, 11, 23),
        date(2023, 12, 25),
    ]
    frame = series(365, dict.fromkeys(closed, 5.0))
    choice = fcal.choose(frame, "zh")
    assert choice.country == "US" and choice.reason == "explains"
    assert choice.explained >= 10  # the closures (the first Monday has no week before it to compare with)
    calendar = forecast_view.choose_calendar(frame, 28, "auto", None, "en")
    words = forecast_view.calendar_sentence(calendar, "en")
    assert words.startswith(
        f"Holidays: United States — {choice.explained} of its {choice.holidays} holiday days"
    )
    assert "chosen automatically" in words
    assert forecast_view.calendar_sentence(calendar, "zh").startswith("节假日：美国")
    assert calendar.table["holiday"].str.contains("thanksgiving").any()


def test_china_wins_on_spring_festival_and_makeup_saturdays():
    start = date(2023, 1, 2)
    frame = series(365, start=start)
    y = frame["y"].to_numpy().copy()
    for offset, day in enumerate(frame["ds"]):
        if date(2023, 1, 21) <= day <= date(2023, 1, 27) or date(2023, 10, 1) <= day <= date(2023, 10, 6):
            y[offset] = 3.0  # Spring Festival and National Day breaks
        if day in (date(2023, 1, 28), date(2023, 1, 29), date(2023, 10, 7), date(2023, 10, 8)):
            y[offset] = 100.0  # make-up working days (调休): a weekday's load on a weekend
    choice = fcal.choose(frame.with_columns(pl.Series("y", y)), "en")
    assert choice.country == "CN"


def test_no_calendar_when_nothing_unusual_and_the_setting_wins():
    frame = series(200)
    choice = fcal.choose(frame, "en")
    assert choice.country is None and choice.reason == "none_fits"
    words = forecast_view.calendar_sentence(
        forecast_view.choose_calendar(frame, 28, "auto", None, "en"), "en"
    )
    assert words.startswith("Holidays: none — no calendar tried (CN, ")
    set_us = forecast_view.choose_calendar(frame, 28, "US", None, "en")
    assert (
        set_us.country == "US"
        and forecast_view.calendar_sentence(set_us, "en") == "Holidays: United States, as set."
    )
    nothing = forecast_view.choose_calendar(frame, 28, "none", None, "zh")
    assert (
        nothing.table.is_empty()
        and forecast_view.calendar_sentence(nothing, "zh") == "节假日：不使用（按设置）。"
    )


def test_events_apply_without_a_calendar():
    events = pl.DataFrame({"name": ["sale"], "start": [date(2023, 6, 1)], "end": [date(2023, 6, 2)]})
    chosen = forecast_view.choose_calendar(series(200), 28, "none", events, "en")
    assert chosen.table.select("holiday", "ds").rows() == [
        ("sale", date(2023, 6, 1)),
        ("sale", date(2023, 6, 2)),
    ]


def test_candidates_put_china_and_the_hints_first_and_settings_are_checked():
    assert fcal.candidates("en", ("GB",))[:3] == ["CN", "GB", "HK"]
    assert fcal.candidates("zh")[0] == "CN" and len(fcal.candidates("zh")) == len(set(fcal.candidates("zh")))
    assert fcal.is_known("auto") and fcal.is_known("none") and fcal.is_known("US") and not fcal.is_known("XX")
