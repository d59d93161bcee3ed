"""Dates and times parsed as the data writes them: day order from the file, many forms, Excel serials."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import polars as pl

DayOrder = Literal["dmy", "mdy"]

_STAMP = pl.Datetime("us")
# Excel serial days 20000–80000 are 1954-10-03 to 2119-01-10; outside that a number is
# more likely an id or an amount than a date. The epoch is 1899-12-30 because Excel
# counts the non-existent 1900-02-29.
SERIAL_LOW, SERIAL_HIGH = 20_000, 80_000
_EXCEL_EPOCH = datetime(1899, 12, 30)

_YEAR_LAST = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:\D|$)"  # 29-02-2016, 3/1/24
_CHINESE = r"[年月日号號时時点點分秒]"
_MERIDIEM = r"(?i)\s*(a\.?m\.?|p\.?m\.?|上午|下午|凌晨|早上|中午|晚上)\s*"
_AFTERNOON = {"pm", "p.m.", "p.m", "pm.", "下午", "中午", "晚上"}
_MORNING = {"am", "a.m.", "a.m", "am.", "上午", "凌晨", "早上"}
# A zone suffix after a time: Z, UTC, +08:00, -0500, +08.
_ZONE = r"(?i)(\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?)$"
# Whole seconds first: with `%.f` Polars parses 3–4× slower, and on a tie in the
# sample (see `_by_frequency`) the earlier format leads the fast path.
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def has_year_last(columns: Sequence[pl.Series]) -> bool:
    """Whether any value is written year-last (`03/04/2024`), where the day order matters."""
    return any(
        column.cast(pl.String).str.contains(_YEAR_LAST).any()
        for column in columns
        if column.dtype in (pl.String, pl.Categorical)
    )


def detect_day_order(columns: Sequence[pl.Series]) -> DayOrder | None:
    """Whether year-last dates in these columns are day-first or month-first.

    Look at all date columns of one file together: `29/02/2016` (first number over
    12) is evidence for "dmy", `10/18/2017` for "mdy"; when both occur the
    majority wins. Year-first values carry no evidence.

    Parameters
    ----------
    columns : sequence of pl.Series
        Raw date columns; non-text columns are ignored.

    Returns
    -------
    "dmy", "mdy", or None when there is no evidence or a tie.
    """
    return day_order_from_votes(*day_order_votes(columns))


def day_order_votes(columns: Sequence[pl.Series]) -> tuple[int, int]:
    """Evidence for day-first and for month-first (see `detect_day_order`); add them up over chunks of a file."""
    day_first = month_first = 0
    for column in columns:
        if column.dtype not in (pl.String, pl.Categorical):
            continue
        text = column.cast(pl.String).str.strip_chars()
        # Extracting groups is costly; most columns have no year-last value at all.
        text = text.filter(text.str.contains(_YEAR_LAST))
        parts = text.str.extract_groups(_YEAR_LAST)
        first = parts.struct.field("1").cast(pl.Int32)
        second = parts.struct.field("2").cast(pl.Int32)
        day_first += int(((first > 12) & (second <= 12)).sum())
        month_first += int(((second > 12) & (first <= 12)).sum())
    return day_first, month_first


def day_order_from_votes(day_first: int, month_first: int) -> DayOrder | None:
    """The majority of the votes, None on a tie (no evidence included)."""
    if day_first > month_first:
        return "dmy"
    if month_first > day_first:
        return "mdy"
    return None


def parse_datetimes(values: pl.Series, day_order: DayOrder = "dmy") -> pl.Series:
    """Parse a column of dates/times as written by people, spreadsheets and systems.

    Accepts ISO forms (with `T`, fractional seconds, a `Z` or `+08:00` suffix),
    `2024/3/1 8:30`, `2024.3.1`, `20240301`, `2024年3月1日 8时30分`, AM/PM and
    上午/下午, year-last forms such as `29-02-2016 01:16` (read per `day_order`),
    Excel serial numbers between 20000 and 80000 (numeric or text), and columns
    that are already Date/Datetime.

    Parameters
    ----------
    values : pl.Series
        The raw column.
    day_order : {"dmy", "mdy"}
        How to read `1/3/2024`; see `detect_day_order`.

    Returns
    -------
    pl.Series
        Datetime("us"), same name and length; null where empty, unparseable or
        not a real date (`2023-02-29`).
    """
    dtype = values.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            values = values.dt.replace_time_zone(None)  # the wall-clock time as stored
        return values.cast(_STAMP)
    if dtype == pl.Date or dtype == pl.Null:
        return values.cast(_STAMP)
    if dtype.is_numeric():
        return _from_serial(values.cast(pl.Float64))
    return _parse_text(values.cast(pl.String), day_order)


def _from_serial(days: pl.Series) -> pl.Series:
    """Excel serial day numbers to datetimes, rounded to the millisecond as Excel shows them."""
    frame = days.to_frame("days")
    expr = pl.when(pl.col("days").is_between(SERIAL_LOW, SERIAL_HIGH)).then(
        pl.lit(_EXCEL_EPOCH, dtype=_STAMP)
        + pl.duration(milliseconds=(pl.col("days") * 86_400_000).round().cast(pl.Int64, strict=False))
    )
    return frame.select(expr.cast(_STAMP)).to_series().alias(days.name)


def _parse_text(values: pl.Series, day_order: DayOrder) -> pl.Series:
    text = values.str.strip_chars()
    # Fast path: most exports write one ISO-like form throughout. Parse that directly
    # and send only the rest through the (many full-column regex passes of) normalising.
    sample = text.drop_nulls().head(1000)
    best = _by_frequency(sample)[0] if len(sample) else None
    if best is None or sample.str.strptime(_STAMP, best, strict=False).count() == 0:
        return _parse_normalised(text, day_order).alias(values.name)
    fast = text.str.strptime(_STAMP, best, strict=False)
    rest = text.is_not_null() & fast.is_null()
    if not rest.any():
        return fast.alias(values.name)
    if rest.sum() < len(values):
        slow = _parse_normalised(text.filter(rest), day_order)
        return fast.scatter(rest.arg_true(), slow).alias(values.name)
    return _parse_normalised(text, day_order).alias(values.name)


def _parse_normalised(values: pl.Series, day_order: DayOrder) -> pl.Series:
    text = _normalise(values, day_order)
    meridiem = None
    if text.str.contains(_MERIDIEM).any():
        meridiem = text.str.extract(_MERIDIEM, 1).str.to_lowercase()
        text = text.str.replace(_MERIDIEM, " ").str.strip_chars()
    result = pl.repeat(None, len(values), dtype=_STAMP, eager=True).alias(values.name)
    todo = text.is_not_null().arg_true()
    # Each format is tried only on the rows still unparsed, most common format first.
    for fmt in _by_frequency(text.drop_nulls().head(1000)):
        if todo.len() == 0:
            break
        parsed = text.gather(todo).str.strptime(_STAMP, fmt, strict=False)
        _fill(result, todo, parsed)
        todo = todo.filter(parsed.is_null())
    if todo.len():
        leftover = text.gather(todo)
        serial = pl.when(leftover.str.contains(r"^\d{5}(?:\.\d+)?$")).then(leftover)
        _fill(result, todo, _from_serial(leftover.to_frame().select(serial.cast(pl.Float64)).to_series()))
    if meridiem is not None:
        stamp, hour = pl.col("stamp"), pl.col("stamp").dt.hour()
        result = (
            pl.DataFrame({"stamp": result, "meridiem": meridiem})
            .select(
                pl.when(pl.col("meridiem").is_in(_AFTERNOON) & (hour < 12))
                .then(stamp + pl.duration(hours=12))
                .when(pl.col("meridiem").is_in(_MORNING) & (hour == 12))
                .then(stamp - pl.duration(hours=12))
                .otherwise(stamp)
            )
            .to_series()
        )
    return result.alias(values.name)


def _normalise(text: pl.Series, day_order: DayOrder) -> pl.Series:
    """Rewrite every accepted form as `Y-m-d[ H:M[:S[.f]]]`; each pass only if some value needs it."""
    if text.str.contains(_MONTH_NAME).any():
        text = _month_names(text)
    if text.str.contains(_SHORT_YEAR_LAST).any():
        # 3/1/24 8:30: a two-digit year is this century's (service data from before 2000 is rare, and
        # validation flags a date before 1980 as implausible anyway)
        order = "20${3}-${2}-${1}${4}" if day_order == "dmy" else "20${3}-${1}-${2}${4}"
        text = text.str.replace(_SHORT_YEAR_LAST, order)
    if text.str.contains(_CHINESE).any():
        text = (
            text.str.replace_all(r"\s*[年月]\s*", "-")
            .str.replace_all(r"\s*[日号號]\s*", " ")
            .str.replace_all(r"\s*[时時点點]\s*", ":")
            .str.replace_all(r"\s*分\s*", ":")
            .str.replace_all("秒", "", literal=True)
            .str.strip_chars_end(": ")
            .str.replace(r"(\s\d{1,2})$", "${1}:00")  # 8时 → 8:00
        )
    if text.str.contains("T", literal=True).any():
        text = text.str.replace(r"(\d)[Tt](\d)", "${1} ${2}")
    if text.str.contains(_ZONE).any():
        # Keep the wall-clock time as written and drop the offset: ticket exports state
        # local times, and one file's timestamps share a zone, so durations stay right.
        text = text.str.replace(_ZONE, "${1}")
    if text.str.contains(r":\d{2},\d").any():
        text = text.str.replace(r"(:\d{2}),(\d)", "${1}.${2}")  # 08:30:15,250
    if text.str.contains(r"\s\s|\t").any():
        text = text.str.replace_all(r"\s+", " ")
    if text.str.contains(r"^\d{4}[/.]").any():
        text = text.str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", "${1}-${2}-${3}")
    if text.str.contains(_YEAR_LAST).any():
        order = "${3}-${2}-${1}" if day_order == "dmy" else "${3}-${1}-${2}"
        text = text.str.replace(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", order)
    if text.str.contains(r"^\d{8}(?:\s|$)").any():
        text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})", "${1}-${2}-${3}")
    return text


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = r"(?i)(?:^|[^a-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:[^a-z]|$)"
_SHORT_YEAR_LAST = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2})(\s|$)"


def _month_names(text: pl.Series) -> pl.Series:
    """`01-Mar-2024`, `1 March 2024`, `15/Jul/24 1:45 PM`, `Mar 1, 2024`, `March 1 2024 08:30` → `Y-m-d …`.

    A month name makes the order certain (the number beside it is the day); a two-digit year is 20yy.
    """
    for number, month in enumerate(_MONTHS, start=1):
        name = month + r"[a-z]*\.?"
        day_first = r"(?i)^(\d{1,2})[-/ ]+" + name + r"[-/ ,]+(\d{4}|\d{2})(\s|$)"
        month_first = r"(?i)^" + name + r"\s+(\d{1,2}),?\s+(\d{4})(\s|$)"
        text = text.str.replace(day_first, "${2}-" + str(number) + "-${1}${3}")
        text = text.str.replace(month_first, "${2}-" + str(number) + "-${1}${3}")
    return text.str.replace(r"^(\d{2})-(\d{1,2})-(\d{1,2})(\s|$)", "20${1}-${2}-${3}${4}")


def _by_frequency(sample: pl.Series) -> list[str]:
    """The formats, those that parse most of a sample first."""
    hits = {fmt: sample.str.strptime(_STAMP, fmt, strict=False).count() for fmt in _FORMATS}
    return sorted(_FORMATS, key=lambda fmt: -hits[fmt])


def _fill(result: pl.Series, rows: pl.Series, parsed: pl.Series) -> None:
    found = parsed.is_not_null()
    if found.any():
        result.scatter(rows.filter(found), parsed.filter(found))
