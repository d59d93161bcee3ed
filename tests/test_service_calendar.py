"""The holiday table: the official 2024 schedule, make-up days, estimated years, other countries, events."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.engine import service_calendar
from lib.engine.service_calendar import SCHEMA, coverage, holidays, lunar_new_year

YEAR_2024 = holidays(date(2024, 1, 1), date(2024, 12, 31))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def dates_of(table: pl.DataFrame, key: str) -> list[date]:
    return table.filter(pl.col("holiday") == key)["ds"].to_list()


def test_schema_order_and_windows():
    assert YEAR_2024.schema == pl.Schema(SCHEMA)
    assert YEAR_2024.equals(YEAR_2024.sort("ds", "holiday"))
    assert YEAR_2024.select(pl.struct("holiday", "ds").is_duplicated().any()).item() is False
    assert YEAR_2024["lower_window"].max() <= 0 <= YEAR_2024["upper_window"].min()


def test_spring_festival_2024_days_off_and_season():
    # Official 2024 notice: Spring Festival off Sat 10 Feb – Sat 17 Feb (8 days).
    assert dates_of(YEAR_2024, "spring_festival") == days(date(2024, 2, 10), date(2024, 2, 17))
    # Lunar New Year 2024 is Sat 10 Feb: one season row, a week before and two weeks after.
    season = YEAR_2024.filter(pl.col("holiday") == "spring_festival_season")
    expected = pl.DataFrame(
        {
            "holiday": ["spring_festival_season"],
            "ds": [date(2024, 2, 10)],
            "lower_window": [-7],
            "upper_window": [14],
            "source": ["chinese_calendar"],
        },
        schema=SCHEMA,
    )
    assert_frame_equal(season, expected)


def test_makeup_working_days_2024():
    # The eight weekend days worked in 2024 (调休): Sun 4 Feb, Sat 18 Feb (Spring Festival), Sun 7 Apr
    # (Qingming), Sun 28 Apr, Sat 11 May (Labour Day), Sat 14 Sep (Mid-Autumn), Sun 29 Sep, Sat 12 Oct
    # (National Day).
    expected = [
        date(2024, 2, 4), date(2024, 2, 18), date(2024, 4, 7), date(2024, 4, 28),
        date(2024, 5, 11), date(2024, 9, 14), date(2024, 9, 29), date(2024, 10, 12),
    ]  # fmt: skip
    assert dates_of(YEAR_2024, "makeup_workday") == expected
    assert all(day.weekday() >= 5 for day in expected)
    assert set(YEAR_2024.filter(pl.col("holiday") == "makeup_workday")["source"]) == {"chinese_calendar"}


def test_national_day_2024():
    assert dates_of(YEAR_2024, "national_day") == days(date(2024, 10, 1), date(2024, 10, 7))
    assert dates_of(YEAR_2024, "new_years_day") == [date(2024, 1, 1)]


def test_2027_comes_from_holidays_without_makeup_days():
    table = holidays(date(2026, 12, 1), date(2027, 12, 31))
    assert coverage(date(2026, 12, 1), date(2027, 12, 31)) == {2026: "chinese_calendar", 2027: "holidays"}
    year_2027 = table.filter(pl.col("ds").dt.year() == 2027)
    assert set(year_2027["source"]) == {"holidays"}
    assert date(2027, 1, 1) in dates_of(year_2027, "new_years_day")
    # holidays 0.109: eve (Fri 5 Feb) to the 3rd (8 Feb), plus its own weekend substitutes 9–10 Feb.
    assert dates_of(year_2027, "spring_festival") == days(date(2027, 2, 5), date(2027, 2, 10))
    assert dates_of(year_2027, "spring_festival_season") == [date(2027, 2, 6)]
    assert dates_of(year_2027, "national_day")[:3] == days(date(2027, 10, 1), date(2027, 10, 3))
    assert dates_of(year_2027, "makeup_workday") == []  # not published yet: nobody knows them


def test_fallback_for_a_year_no_package_knows():
    # chinese_calendar starts in 2004 and holidays' CN in 1950: 1949 is estimated here. Lunar New Year
    # 1949 was Sat 29 Jan, so the guessed break runs from the eve (28 Jan) to 4 Feb.
    assert coverage(date(1949, 1, 1), date(1950, 12, 31)) == {1949: "fallback", 1950: "holidays"}
    table = holidays(date(1949, 1, 1), date(1949, 12, 31))
    assert set(table["source"]) == {"fallback"}
    assert dates_of(table, "spring_festival") == days(date(1949, 1, 28), date(1949, 2, 4))
    assert dates_of(table, "national_day") == days(date(1949, 10, 1), date(1949, 10, 7))
    assert dates_of(table, "labour_day") == days(date(1949, 5, 1), date(1949, 5, 5))
    assert dates_of(table, "tomb_sweeping_day") == [date(1949, 4, 5)]


@pytest.mark.parametrize(
    ("year", "new_year"),
    [
        (2000, date(2000, 2, 5)),
        (2020, date(2020, 1, 25)),
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
        (2028, date(2028, 1, 26)),
        (2035, date(2035, 2, 8)),
    ],
)
def test_lunar_new_year_known_dates(year, new_year):
    assert lunar_new_year(year) == new_year


def test_lunar_new_year_is_a_spring_festival_day_off_every_official_year():
    # Two independent sources agree: holidays' lunar table and chinese_calendar's published breaks.
    off = {day for day, name in chinese_calendar.holidays.items() if name == "Spring Festival"}
    for year in range(2004, 2027):
        assert lunar_new_year(year) in off, year


def test_season_row_kept_while_its_window_reaches_the_range():
    # Lunar New Year 10 Feb 2024, window to 24 Feb.
    assert dates_of(holidays(date(2024, 2, 24), date(2024, 3, 31)), "spring_festival_season") == [
        date(2024, 2, 10)
    ]
    assert dates_of(holidays(date(2024, 2, 25), date(2024, 3, 31)), "spring_festival_season") == []
    assert dates_of(holidays(date(2024, 1, 1), date(2024, 2, 3)), "spring_festival_season") == [
        date(2024, 2, 10)
    ]


def test_us_independence_day_and_observed_day():
    table = holidays(date(2021, 1, 1), date(2024, 12, 31), country="us")
    # 4 July 2021 was a Sunday: the federal holiday was observed on Monday 5 July, under the same key.
    assert {date(2021, 7, 4), date(2021, 7, 5), date(2024, 7, 4)} <= set(dates_of(table, "independence_day"))
    assert "new_years_day" in set(table["holiday"])
    assert set(table["source"]) == {"holidays"}
    assert "makeup_workday" not in set(table["holiday"])
    assert coverage(date(2100, 1, 1), date(2101, 1, 1), "US") == {2100: "holidays", 2101: "none"}


def test_countries_are_all_known_to_holidays():
    listed = service_calendar.countries()
    assert {"CN", "US", "GB", "DE", "JP", "SG", "HK"} <= set(listed)
    for code in listed:
        assert not holidays(date(2024, 1, 1), date(2024, 12, 31), country=code).is_empty(), code


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown country"):
        holidays(date(2024, 1, 1), date(2024, 12, 31), country="XX")
    with pytest.raises(ValueError, match="after end"):
        coverage(date(2024, 2, 1), date(2024, 1, 1))


EVENTS = pl.DataFrame(
    {
        "name": ["618", " 双11 ", None, "holidays", "national_day"],
        "start": [date(2024, 6, 1), date(2024, 11, 11), None, date(2024, 3, 1), date(2024, 10, 1)],
        "end": [date(2024, 6, 18), None, None, date(2024, 3, 2), date(2024, 10, 1)],
    }
)


def test_events_one_row_per_day():
    table = holidays(date(2024, 1, 1), date(2024, 12, 31), events=EVENTS)
    events = table.filter(pl.col("source") == "event")
    assert dates_of(events, "618") == days(date(2024, 6, 1), date(2024, 6, 18))  # 18 days
    assert dates_of(events, "双11") == [date(2024, 11, 11)]  # no end: one day; name trimmed
    assert dates_of(events, "holidays (event)") == days(date(2024, 3, 1), date(2024, 3, 2))  # Prophet's name
    assert events.height == 18 + 1 + 2  # the empty row is skipped
    assert set(events["lower_window"]) == set(events["upper_window"]) == {0}
    # An event named like a holiday on one of its days: one row, the official one.
    assert table.filter((pl.col("holiday") == "national_day") & (pl.col("ds") == date(2024, 10, 1)))[
        "source"
    ].to_list() == ["chinese_calendar"]


def test_events_outside_the_range_are_dropped_and_bad_events_refused():
    table = holidays(date(2024, 6, 10), date(2024, 6, 12), events=EVENTS)
    assert dates_of(table, "618") == days(date(2024, 6, 10), date(2024, 6, 12))
    with pytest.raises(ValueError, match="ends before it starts"):
        service_calendar.event_rows(
            pl.DataFrame({"name": ["recall"], "start": [date(2024, 5, 2)], "end": [date(2024, 5, 1)]})
        )
    with pytest.raises(ValueError, match="missing: end"):
        service_calendar.event_rows(pl.DataFrame({"name": ["recall"], "start": [date(2024, 5, 2)]}))


@pytest.mark.slow
# Prophet 1.5 calls drop and reset_index with inplace=True, which pandas 3.1 deprecates: not ours to change.
@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning:prophet")
def test_prophet_learns_that_a_makeup_saturday_is_a_working_day():
    # Weekdays 100 tickets, weekends 20, official days off 10, make-up working days 100 (they are
    # weekdays at work). Fitted on 2023 with only weekly seasonality and our table, Prophet should put
    # Sun 4 Feb 2024 (make-up) near 100, not near an ordinary Sunday's 20.
    logging.getLogger("cmdstanpy").disabled = True
    from prophet import Prophet

    logging.getLogger("prophet").setLevel(logging.ERROR)
    table = holidays(date(2023, 1, 1), date(2024, 2, 29), events=EVENTS)
    makeup = set(dates_of(table, "makeup_workday"))

    def tickets(day: date) -> float:
        if day in makeup:
            return 100.0
        if day in chinese_calendar.holidays:
            return 10.0
        return 20.0 if day.weekday() >= 5 else 100.0

    history = pl.DataFrame({"ds": days(date(2023, 1, 1), date(2023, 12, 31))}).with_columns(
        y=pl.col("ds").map_elements(tickets, return_dtype=pl.Float64)
    )
    model = Prophet(yearly_seasonality=False, daily_seasonality=False, holidays=table.to_pandas())
    model.fit(history.to_pandas())
    future = pl.DataFrame({"ds": [date(2024, 2, 4), date(2024, 2, 25)]}).to_pandas()  # make-up, ordinary Sun
    makeup_sunday, plain_sunday = model.predict(future)["yhat"].tolist()
    assert makeup_sunday > 80
    assert plain_sunday < 40


def test_events_round_trip_through_the_mapping_file_and_bad_entries_are_skipped():
    from lib.engine.service_calendar import events_from_saved, events_to_saved

    saved = [
        {"name": "双11", "start": "2025-11-11", "end": "2025-11-13"},
        {"name": "召回", "start": "2026-03-02"},  # one day
        {"name": "bad date", "start": "2026-13-01"},
        {"name": "backwards", "start": "2026-05-02", "end": "2026-05-01"},
        "not an entry",
        {"start": "2026-01-01"},  # no name
    ]
    events = events_from_saved(saved)
    assert events.rows() == [
        ("双11", date(2025, 11, 11), date(2025, 11, 13)),
        ("召回", date(2026, 3, 2), date(2026, 3, 2)),
    ]
    assert events_to_saved(events) == [
        {"name": "双11", "start": "2025-11-11", "end": "2025-11-13"},
        {"name": "召回", "start": "2026-03-02", "end": "2026-03-02"},
    ]
    assert events_from_saved(None).is_empty()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 3, 4), date(2024, 3, 15), 10),  # two ordinary weeks
        (date(2024, 3, 9), date(2024, 3, 10), 0),  # a weekend
        # October 2025: 23 weekdays, National Day and Mid-Autumn 1–8 Oct take 6 of them (1–3, 6–8),
        # Saturday 11 Oct is a make-up working day (Sunday 28 Sep is outside the range): 23 − 6 + 1
        (date(2025, 10, 1), date(2025, 10, 31), 18),
        (date(2024, 3, 10), date(2024, 3, 9), 0),  # end before start
    ],
)
def test_working_days_on_the_chinese_calendar(start, end, expected):
    assert service_calendar.working_days(start, end) == expected


def test_working_days_of_another_country_have_no_make_up_days():
    # US: 4 July 2025 is a Friday off; the week has 4 working days
    assert service_calendar.working_days(date(2025, 6, 30), date(2025, 7, 6), "US") == 4
