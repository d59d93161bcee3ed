"""Date parsing: the written forms users have, day order decided from the data, Excel serials."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from lib.ingest.dates import detect_day_order, parse_datetimes

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
        # The offset is dropped and the wall-clock time kept as written.
        ("2024-03-01T08:30:00Z", MARCH_1_0830),
        ("2024-03-01T08:30:00+08:00", MARCH_1_0830),
        ("2024-03-01 08:30:00-0500", MARCH_1_0830),
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
