"""Parsing numbers, yes/no flags and text the way users type them."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_series_equal

from lib.ingest.values import parse_bools, parse_numbers, parse_text, unparsed_mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", 1234.5),
        ("12,345,678", 12345678.0),
        (" 12 ", 12.0),
        ("¥1,200", 1200.0),
        ("￥1200", 1200.0),
        ("-¥12", -12.0),
        ("$ 5.5", 5.5),
        ("RMB 300", 300.0),
        ("1200元", 1200.0),
        ("4.5 元", 4.5),
        ("9分", 9.0),
        ("30分钟", 30.0),
        ("-3", -3.0),
        ("+4", 4.0),
        ("85%", 85.0),
        ("1e3", 1000.0),
        ("１２３．５", 123.5),  # full-width, as a Chinese input method types it
        ("0", 0.0),
        # Not guessed at: decimal comma, accounting negatives, bad grouping, words.
        ("1,5", None),
        ("(12)", None),
        ("12,34,567", None),
        ("abc", None),
        ("nan", None),
        ("inf", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_numbers(text, expected):
    parsed = parse_numbers(pl.Series("cost", [text], dtype=pl.String))
    assert parsed.dtype == pl.Float64
    assert parsed.name == "cost"
    assert parsed.to_list() == [expected]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pl.Series([1, 2, None]), [1.0, 2.0, None]),
        (pl.Series([1.5, float("nan"), float("inf")]), [1.5, None, None]),
        (pl.Series([None, None]), [None, None]),
    ],
)
def test_parse_numbers_typed(values, expected):
    assert parse_numbers(values).to_list() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[
            (word, True)
            for word in ["true", "TRUE", " True ", "t", "1", "yes", "Y", "是", "有", "对", "√", "✓"]
        ],
        *[(word, False) for word in ["false", "F", "0", "No", "n", "否", "无", "错", "×", "✗"]],
        ("maybe", None),
        ("2", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_bools(text, expected):
    parsed = parse_bools(pl.Series("is_complaint", [text], dtype=pl.String))
    assert parsed.dtype == pl.Boolean
    assert parsed.name == "is_complaint"
    assert parsed.to_list() == [expected]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pl.Series([True, False, None]), [True, False, None]),
        (pl.Series([1, 0, 2, None]), [True, False, None, None]),
        (pl.Series([1.0, 0.0, 0.5]), [True, False, None]),
    ],
)
def test_parse_bools_typed(values, expected):
    assert parse_bools(values).to_list() == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pl.Series(["  T1 ", "", "   ", None, "a b"]), ["T1", None, None, None, "a b"]),
        # Excel stores ids as numbers: 1001.0 is shown as 1001.
        (pl.Series([1001.0, 2.5, -3.0, None, float("nan")]), ["1001", "2.5", "-3", None, None]),
        (pl.Series([1001, None]), ["1001", None]),
        (pl.Series([True, False]), ["true", "false"]),
        (pl.Series([datetime(2024, 3, 1, 8, 30)]), ["2024-03-01 08:30:00"]),
        (pl.Series([date(2024, 3, 1)]), ["2024-03-01"]),
        (pl.Series([None, None]), [None, None]),
    ],
)
def test_parse_text(values, expected):
    parsed = parse_text(values.alias("agent"))
    assert parsed.dtype == pl.String
    assert parsed.name == "agent"
    assert parsed.to_list() == expected


@pytest.mark.parametrize(
    ("raw", "parsed", "expected"),
    [
        (pl.Series("x", ["1", "abc", "", "  ", None]), None, [False, True, False, False, False]),
        (pl.Series("x", [1.0, float("nan"), None]), pl.Series([1.0, None, None]), [False, False, False]),
        (pl.Series("x", [1, 2]), pl.Series([True, None]), [False, True]),
    ],
)
def test_unparsed_mask(raw, parsed, expected):
    parsed = parse_numbers(raw) if parsed is None else parsed
    mask = unparsed_mask(raw, parsed)
    assert mask.dtype == pl.Boolean
    assert mask.name == "x"
    assert mask.to_list() == expected


def test_parsers_skip_their_trim_for_a_readers_cells_with_the_same_result():
    """Validation passes `trimmed=True` (a ReadResult's cells are trimmed by the reader); the result
    must equal the trimming parse, and without the flag spaces around a cell are still read."""
    from lib.ingest.dates import parse_datetimes

    numbers = pl.Series(["1,200", "¥1,200", "85%", "abc", None, "9分"])
    assert parse_numbers(numbers, trimmed=True).to_list() == [1200.0, 1200.0, 85.0, None, None, 9.0]
    assert parse_numbers(pl.Series([" 1,200 ", "\t7\u3000"])).to_list() == [1200.0, 7.0]
    flags = pl.Series(["是", "No", "√", "maybe", None])
    assert parse_bools(flags, trimmed=True).to_list() == [True, False, True, None, None]
    assert parse_bools(pl.Series([" yes ", "\tN"])).to_list() == [True, False]
    stamps = pl.Series(["2024-03-01 08:30:00", "2024/3/2 9:05", "x", None])
    assert_series_equal(parse_datetimes(stamps, trimmed=True), parse_datetimes(stamps))
    assert parse_datetimes(pl.Series([" 2024-03-01 08:30:00 "]))[0] == datetime(2024, 3, 1, 8, 30)
