"""Date parsing: the written forms users have, day order decided from the data, Excel serials, Unix time,
offsets read into the team's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from lib.errors import InputError
from lib.ingest.dates import check_zone, detect_day_order, parse_datetimes, utc_offset

MARCH_1 = datetime(2024, 3, 1)
MARCH_1_0830 = datetime(2024, 3, 1, 8, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 08:30", MARCH_1_0830),
        ("2024-03-01 08:30:15", datetime(2024, 3, 1, 8, 30, 15)),
        ("2024-03-01 08:30:15.25", datetime(2024, 3, 1, 8, 30, 15, 250_000)),
        ("2024-03-01 08:30:15,25", datetime(2024, 3, 1, 8, 30, 15, 250_000)),
        ("2024-03-01T08:30:00", MARCH_1_0830),
        # An offset is read and the time shown in the team's zone (Asia/Shanghai by default, UTC+8).
        ("2024-03-01T00:30:00Z", MARCH_1_0830),
        ("2024-03-01T08:30:00+08:00", MARCH_1_0830),
        ("2024-02-29 19:30:00-0500", MARCH_1_0830),
        ("2024/3/1 8:30", MARCH_1_0830),
        ("2024/03/01", MARCH_1),
        ("2024.3.1", MARCH_1),
        ("2024-03-01", MARCH_1),
        ("  2024-03-01  ", MARCH_1),
        ("2024-03-01   08:30", MARCH_1_0830),
        ("2024年3月1日", MARCH_1),
        ("2024年3月1日 08:30", MARCH_1_0830),
        ("2024年3月1日8时30分", MARCH_1_0830),
        ("2024年3月1日 8时30分15秒", datetime(2024, 3, 1, 8, 30, 15)),
        ("2024年3月1日 8点", datetime(2024, 3, 1, 8)),
        ("2024/3/1 下午 2:30:00", datetime(2024, 3, 1, 14, 30)),
        ("2024/3/1 上午 12:05", datetime(2024, 3, 1, 0, 5)),
        ("2024-03-01 12:30 PM", datetime(2024, 3, 1, 12, 30)),
        ("20240301", MARCH_1),
        ("29-02-2016 01:16", datetime(2016, 2, 29, 1, 16)),
        ("10/2/2017 10:56", datetime(2017, 2, 10, 10, 56)),
        ("1/3/2024", MARCH_1),
        ("01.03.2024", MARCH_1),
        # Excel serials as text: 45352 is 2024-03-01, .5 is noon.
        ("45352", MARCH_1),
        ("45352.5", datetime(2024, 3, 1, 12)),
        ("12345", None),
        ("2025-13-45", None),
        ("2023-02-29", None),
        ("2024-03-01 24:00", None),
        ("08:30", None),
        ("n/a", None),
        ("?", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parses_written_forms_day_first(text, expected):
    parsed = parse_datetimes(pl.Series("created", [text], dtype=pl.String), "dmy")
    assert parsed.dtype == pl.Datetime("us")
    assert parsed.name == "created"
    assert parsed.to_list() == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/2/2017 10:56", datetime(2017, 10, 2, 10, 56)),
        ("1/3/2024", datetime(2024, 1, 3)),
        ("3/1/2024 2:30 PM", datetime(2024, 3, 1, 14, 30)),
        ("29-02-2016 01:16", None),  # no 29th month
        ("2024/3/1 8:30", MARCH_1_0830),  # year first: day order does not apply
    ],
)
def test_month_first(text, expected):
    assert parse_datetimes(pl.Series([text]), "mdy").to_list() == [expected]


def test_mixed_forms_in_one_column():
    values = pl.Series(["2024-03-01 08:30", "2024年3月1日 08:30", "2024/3/1 8:30", "45352.354166667", None])
    assert parse_datetimes(values).to_list() == [MARCH_1_0830] * 4 + [None]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Serial days with a float error of Excel's kind still land on the minute.
        (pl.Series([45352.0, 45352.354166667, 45352.5]), [MARCH_1, MARCH_1_0830, datetime(2024, 3, 1, 12)]),
        (pl.Series([45352, 19999, 80001, None]), [MARCH_1, None, None, None]),
        (pl.Series([float("nan"), 1e300]), [None, None]),
        (pl.Series([date(2024, 3, 1), None]), [MARCH_1, None]),
        (pl.Series([MARCH_1_0830], dtype=pl.Datetime("ms")), [MARCH_1_0830]),
        (pl.Series([MARCH_1_0830]).dt.replace_time_zone("Asia/Shanghai"), [MARCH_1_0830]),
        (pl.Series([None, None]), [None, None]),
        (pl.Series([True]), [None]),
    ],
)
def test_typed_columns(values, expected):
    parsed = parse_datetimes(values)
    assert parsed.dtype == pl.Datetime("us")
    assert parsed.to_list() == expected


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ([["29/02/2016 01:16", "1/2/2016"]], "dmy"),
        ([["29-02-2016"]], "dmy"),
        ([["10/18/2017 0:00", "10/2/2017 10:56"]], "mdy"),
        # Evidence is pooled across the file's date columns.
        ([["1/2/2017", "3/4/2017"], ["1/20/2017"]], "mdy"),
        ([["13/1/2017", "14/1/2017"], ["1/13/2017"]], "dmy"),
        ([["13/1/2017"], ["1/13/2017"]], None),
        ([["1/2/2017", "3/4/2017"]], None),
        ([["2024/3/1", "2024-12-31"]], None),  # year first carries no evidence
        ([["31/31/2017"]], None),
        ([[None, ""]], None),
        ([], None),
    ],
)
def test_detect_day_order(columns, expected):
    assert detect_day_order([pl.Series(values, dtype=pl.String) for values in columns]) == expected


def test_detect_day_order_ignores_non_text_columns():
    assert detect_day_order([pl.Series([45352.5]), pl.Series(["13/1/2017"])]) == "dmy"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01-Mar-2024", datetime(2024, 3, 1)),
        ("1 March 2024", datetime(2024, 3, 1)),
        ("Mar 1, 2024", datetime(2024, 3, 1)),
        ("Sept 3, 2024 14:20", datetime(2024, 9, 3, 14, 20)),
        ("15/Jul/24 1:45 PM", datetime(2024, 7, 15, 13, 45)),  # Jira's export
        ("12-Dec-23", datetime(2023, 12, 12)),
    ],
)
def test_month_names_decide_the_order_whatever_the_files_day_order(text, expected):
    for order in ("dmy", "mdy"):
        assert parse_datetimes(pl.Series([text]), order).to_list() == [expected]


def test_two_digit_years_follow_the_files_day_order():
    values = pl.Series(["3/1/24 8:30", "25/12/23", "not 3/1"])
    assert parse_datetimes(values, "mdy").to_list() == [datetime(2024, 3, 1, 8, 30), None, None]
    assert parse_datetimes(values, "dmy").to_list() == [
        datetime(2024, 1, 3, 8, 30),
        datetime(2023, 12, 25),
        None,
    ]
    assert detect_day_order([pl.Series(["25/12/23", "3/1/24"])]) == "dmy"  # 25 can only be a day


def test_a_word_that_starts_like_a_month_is_not_a_date():
    assert parse_datetimes(pl.Series(["maybe 3", "Marketing 2024", "decided"]), "mdy").to_list() == [None] * 3


# --- offsets and the team's time zone -------------------------------------------------------------------

SHANGHAI, NEW_YORK = "Asia/Shanghai", "America/New_York"


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        # 00:30 UTC is 08:30 in Shanghai (UTC+8, no daylight saving) and 19:30 the evening before in
        # New York (EST, UTC−5, in March before the 10th).
        ("2024-03-01T00:30:00Z", SHANGHAI, datetime(2024, 3, 1, 8, 30)),
        ("2024-03-01T00:30:00Z", NEW_YORK, datetime(2024, 2, 29, 19, 30)),
        ("2024-03-01T08:30:00+08:00", SHANGHAI, datetime(2024, 3, 1, 8, 30)),  # already Shanghai time
        ("2024-03-01T08:30:00+08:00", NEW_YORK, datetime(2024, 2, 29, 19, 30)),
        ("2024-03-01T08:30:00+08:00", "UTC", datetime(2024, 3, 1, 0, 30)),
        ("2024-03-01T08:30:00-05:00", SHANGHAI, datetime(2024, 3, 1, 21, 30)),  # 13:30 UTC
        ("2024-03-01T06:00:00+05:30", SHANGHAI, datetime(2024, 3, 1, 8, 30)),  # India: 00:30 UTC
        ("2024-03-01T08:30:00+0800", NEW_YORK, datetime(2024, 2, 29, 19, 30)),
        ("2024-03-01T08:30+08", NEW_YORK, datetime(2024, 2, 29, 19, 30)),
        ("2024-03-01T00:30:00.250Z", SHANGHAI, datetime(2024, 3, 1, 8, 30, 0, 250_000)),
        ("2024-03-01 00:30 UTC", SHANGHAI, datetime(2024, 3, 1, 8, 30)),
        ("2024/3/1 0:30:00 Z", SHANGHAI, datetime(2024, 3, 1, 8, 30)),
        # No offset: the time is the team's local time already, whatever the zone.
        ("2024-03-01T08:30:00", NEW_YORK, datetime(2024, 3, 1, 8, 30)),
        ("2024-03-01 08:30", NEW_YORK, datetime(2024, 3, 1, 8, 30)),
        # An offset no place has is not guessed at.
        ("2024-03-01T08:30:00+25:00", SHANGHAI, None),
    ],
)
def test_an_offset_moves_the_time_into_the_teams_zone(text, zone, expected):
    parsed = parse_datetimes(pl.Series("created", [text]), "dmy", zone)
    assert parsed.dtype == pl.Datetime("us")  # naive: local wall-clock time
    assert parsed.name == "created"
    assert parsed.to_list() == [expected]


# One instant, 2024-03-01 00:30 UTC, written five ways, and a local time without an offset.
MIXED = [
    "2024-03-01T00:30:00Z",
    "2024-03-01T08:30:00+08:00",
    "2024-02-29T19:30:00-05:00",
    "2024-03-01T09:30:00+09:00",
    "2024-03-01 06:00:00+05:30",
    "2024-03-01 08:30",
]


@pytest.mark.parametrize(
    ("values", "zone", "expected"),
    [
        (MIXED, SHANGHAI, [MARCH_1_0830] * 6),
        (MIXED, NEW_YORK, [datetime(2024, 2, 29, 19, 30)] * 5 + [MARCH_1_0830]),
        # Mostly plain local times (read by the plain fast path); the offsets among them still count.
        (
            ["2024-03-01 08:30:00"] * 8 + ["2024-03-01T00:30:00Z", "2024年3月1日 08:30"],
            NEW_YORK,
            [MARCH_1_0830] * 8 + [datetime(2024, 2, 29, 19, 30), MARCH_1_0830],
        ),
        # Mostly ISO with Z (read by the offset fast path); the local times among them stay as written.
        (
            ["2024-03-01T00:30:00Z"] * 8 + ["2024-03-01T08:30:00", "2024/3/1 8:30", None],
            NEW_YORK,
            [datetime(2024, 2, 29, 19, 30)] * 8 + [MARCH_1_0830, MARCH_1_0830, None],
        ),
    ],
)
def test_mixed_offsets_in_one_column(values, zone, expected):
    assert parse_datetimes(pl.Series(values), "dmy", zone).to_list() == expected


# 2024-03-01 00:30:00 UTC is 1,709,253,000 s after 1970-01-01: 19,783 days × 86,400 s + 1,800 s.
@pytest.mark.parametrize(
    ("values", "zone", "expected"),
    [
        (pl.Series(["1709253000"]), SHANGHAI, [MARCH_1_0830]),
        (pl.Series(["1709253000000"]), SHANGHAI, [MARCH_1_0830]),
        (pl.Series(["1709253000"]), NEW_YORK, [datetime(2024, 2, 29, 19, 30)]),
        (pl.Series([1709253000]), SHANGHAI, [MARCH_1_0830]),
        (pl.Series([1709253000000]), NEW_YORK, [datetime(2024, 2, 29, 19, 30)]),
        (pl.Series([1709253000.25]), SHANGHAI, [datetime(2024, 3, 1, 8, 30, 0, 250_000)]),
        (pl.Series([1709253000123]), "UTC", [datetime(2024, 3, 1, 0, 30, 0, 123_000)]),
        # Seconds, milliseconds and an Excel serial (local time, not moved) side by side.
        (
            pl.Series(["1709253000", "1709253000000", "45352.354166667", "2024-03-01 08:30"]),
            NEW_YORK,
            [datetime(2024, 2, 29, 19, 30)] * 2 + [MARCH_1_0830] * 2,
        ),
        # Eight digits are a date, ten are Unix seconds (20240301 once turned 1709253000 into 1709-25-3000);
        # zero-padded digits are neither.
        (pl.Series(["20240301", "1709253000", "0045352"]), SHANGHAI, [MARCH_1, MARCH_1_0830, None]),
        # Outside 1e9–2.2e9 s and 1e12–2.2e12 ms a number is no date: ids, amounts, phone numbers.
        (pl.Series([999_999_999, 2_200_000_001, 123_456_789_012, 13_800_138_000]), SHANGHAI, [None] * 4),
        (pl.Series(["999999999", "2200000001", "123456789012", "13800138000"]), SHANGHAI, [None] * 4),
    ],
)
def test_unix_time_in_seconds_and_milliseconds(values, zone, expected):
    parsed = parse_datetimes(values, "dmy", zone)
    assert parsed.dtype == pl.Datetime("us")
    assert parsed.to_list() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 2024-03-10: New York's clocks jump from 02:00 EST to 03:00 EDT (07:00 UTC).
        ("2024-03-10T06:59:00Z", datetime(2024, 3, 10, 1, 59)),
        ("2024-03-10T07:00:00Z", datetime(2024, 3, 10, 3, 0)),
        ("1710053940", datetime(2024, 3, 10, 1, 59)),  # 06:59 UTC as Unix seconds
        # 2024-11-03: 02:00 EDT goes back to 01:00 EST (06:00 UTC): two instants an hour apart show the
        # same local time, as the wall clock did.
        ("2024-11-03T05:30:00Z", datetime(2024, 11, 3, 1, 30)),
        ("2024-11-03T06:30:00Z", datetime(2024, 11, 3, 1, 30)),
        ("2024-11-03T01:30:00-04:00", datetime(2024, 11, 3, 1, 30)),
    ],
)
def test_daylight_saving_edges_in_new_york(text, expected):
    assert parse_datetimes(pl.Series([text]), "mdy", NEW_YORK).to_list() == [expected]


def test_a_zone_aware_column_is_shown_in_the_teams_zone():
    utc = pl.Series([datetime(2024, 3, 1, 0, 30), None]).dt.replace_time_zone("UTC")
    assert parse_datetimes(utc, zone=SHANGHAI).to_list() == [MARCH_1_0830, None]
    assert parse_datetimes(utc, zone=NEW_YORK).to_list() == [datetime(2024, 2, 29, 19, 30), None]


def test_files_without_offsets_read_the_same_in_every_zone():
    values = pl.Series(["2024-03-01 08:30:00", "2024/3/1 8:30", "2024年3月1日 08:30", "45352.354166667"])
    for zone in (SHANGHAI, NEW_YORK, "UTC"):
        assert parse_datetimes(values, "dmy", zone).to_list() == [MARCH_1_0830] * 4


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Asia/Shanghai", "Asia/Shanghai"),
        (" america/new_york ", "America/New_York"),
        ("utc", "UTC"),
        ("Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_a_zone_name_in_any_letter_case_is_spelled_as_zoneinfo_spells_it(name, expected):
    assert check_zone(name) == expected


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "Beijing", "+08:00", "", None, 8, "localtime", "../etc/passwd"]
)
def test_a_name_that_is_no_zone_is_refused_in_both_languages(name):
    with pytest.raises(InputError) as error:
        check_zone(name)
    assert error.value.key == "settings.bad_timezone"
    assert "Asia/Shanghai" in error.value.message("en") and "时区" in error.value.message("zh")


def test_utc_offset_follows_daylight_saving():
    assert utc_offset(NEW_YORK, datetime(2024, 1, 15, tzinfo=UTC)) == "-05:00"
    assert utc_offset(NEW_YORK, datetime(2024, 7, 15, tzinfo=UTC)) == "-04:00"
    assert utc_offset(SHANGHAI, datetime(2024, 7, 15, tzinfo=UTC)) == "+08:00"
    assert utc_offset("Asia/Kolkata", datetime(2024, 7, 15, tzinfo=UTC)) == "+05:30"
