"""Dates and times parsed as the data writes them: day order from the file, many forms, Excel serials,
Unix time, and offsets (`Z`, `+08:00`) turned into the team's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Literal

import polars as pl

from lib.errors import InputError

DayOrder = Literal["dmy", "mdy"]

# The team's time zone unless it says otherwise (the app's users are mostly in China).
DEFAULT_ZONE = "Asia/Shanghai"
_STAMP = pl.Datetime("us")
_UTC = pl.Datetime("us", "UTC")
# Unix time in seconds (1e9–2.2e9) or milliseconds (1e12–2.2e12): 2001-09-09 to 2039-09-18 either
# way, and the two ranges are far apart, so the size of a number says which it is.
EPOCH_SECONDS = (1e9, 2.2e9)
EPOCH_MILLISECONDS = (1e12, 2.2e12)
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
# A zone suffix after a time: Z, UTC, +08:00, -0500, +08. Groups: the time, then UTC, or sign, hours, minutes.
_ZONE = r"(?i)(\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:(z|utc|gmt)|([+-])(\d{2}):?(\d{2})?)$"
# Whole seconds first: with `%.f` Polars parses 3–4× slower, and on a tie in the
# sample (see `_by_frequency`) the earlier format leads the fast path.
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
# ISO 8601 with an offset, as most ticket systems' APIs and exports write it; `%#z` reads Z, +08:00, +0800, +08.
_ZONED_FORMATS = ("%Y-%m-%dT%H:%M:%S%#z", "%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%#z")
# Text that is a number of the sizes `_from_number` reads: serial days, epoch seconds, epoch milliseconds.
_NUMBER_DATE = r"^(?:\d{5}|\d{10})(?:\.\d+)?$|^\d{13}$"


def check_zone(name: object) -> str:
    """The IANA time zone `name` (any letter case) as zoneinfo and Polars spell it.

    Raises
    ------
    InputError
        `settings.bad_timezone` when no zone has that name.
    """
    text = name.strip() if isinstance(name, str) else ""
    found = _zone_names().get(text.lower())
    if found is None or not _polars_knows(found):
        raise InputError(
            "settings.bad_timezone", zone=str(name)[:80], detail=f"unknown time zone {name!r}"[:120]
        )
    return found


def utc_offset(zone: str, at: datetime | None = None) -> str:
    """`zone`'s offset from UTC at `at` (default now) as `+08:00` / `-04:00`: daylight saving moves it."""
    moment = (at or datetime.now(zoneinfo.ZoneInfo("UTC"))).astimezone(zoneinfo.ZoneInfo(zone))
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


@lru_cache(maxsize=64)
def _polars_knows(name: str) -> bool:
    """Polars has its own zone database: "localtime" and "Factory" are files to zoneinfo, not zones to it."""
    try:
        pl.Series([0], dtype=_STAMP).dt.replace_time_zone(name)
    except pl.exceptions.PolarsError:
        return False
    return True


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


def parse_datetimes(
    values: pl.Series, day_order: DayOrder = "dmy", zone: str = DEFAULT_ZONE, trimmed: bool = False
) -> pl.Series:
    """Parse a column of dates/times as written by people, spreadsheets and systems.

    Accepts ISO forms (with `T`, fractional seconds, a `Z` or `+08:00` suffix),
    `2024/3/1 8:30`, `2024.3.1`, `20240301`, `2024年3月1日 8时30分`, AM/PM and
    上午/下午, year-last forms such as `29-02-2016 01:16` (read per `day_order`),
    Excel serial numbers between 20000 and 80000 and Unix time in seconds
    (1e9–2.2e9) or milliseconds (1e12–2.2e12), as numbers or as text, and columns
    that are already Date/Datetime.

    A time stated with its offset (`Z`, `+08:00`, `-0500`), Unix time and a
    zone-aware Datetime are instants: they become the wall-clock time in `zone`.
    Every other value is taken as already written in the team's local time.
    Excel serials are local wall-clock time too.

    Parameters
    ----------
    values : pl.Series
        The raw column.
    day_order : {"dmy", "mdy"}
        How to read `1/3/2024`; see `detect_day_order`.
    zone : str
        The team's IANA time zone (`check_zone`), where instants are read.
    trimmed : bool
        True when no text cell has spaces around it (a `ReadResult`'s cells): no trim pass.

    Returns
    -------
    pl.Series
        Datetime("us") without a zone (local wall-clock time), same name and
        length; null where empty, unparseable or not a real date (`2023-02-29`).
    """
    dtype = values.dtype
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            return _local(values.cast(pl.Datetime("us", dtype.time_zone)), zone).alias(values.name)
        return values.cast(_STAMP)
    if dtype == pl.Date or dtype == pl.Null:
        return values.cast(_STAMP)
    if dtype.is_numeric():
        return _from_number(values.cast(pl.Float64), zone)
    return _parse_text(values.cast(pl.String), day_order, zone, trimmed)


def _local(instants: pl.Series, zone: str) -> pl.Series:
    """Zone-aware datetimes as the wall-clock time in `zone`, without the zone."""
    return instants.dt.convert_time_zone(zone).dt.replace_time_zone(None)


def _from_number(numbers: pl.Series, zone: str) -> pl.Series:
    """Excel serial days (local time, to the millisecond as Excel shows them) and Unix seconds or
    milliseconds (UTC, shown in `zone`) to datetimes; null for any other number."""
    days = pl.col("n")
    serial = pl.lit(_EXCEL_EPOCH, dtype=_STAMP) + pl.duration(
        milliseconds=(days * 86_400_000).round().cast(pl.Int64, strict=False)
    )
    expr = pl.when(days.is_between(SERIAL_LOW, SERIAL_HIGH)).then(serial)
    if bool((numbers >= EPOCH_SECONDS[0]).any()):  # most number columns hold none: no zone arithmetic
        micro = (
            pl.when(days.is_between(*EPOCH_SECONDS))
            .then(days * 1e6)
            .when(days.is_between(*EPOCH_MILLISECONDS))
            .then(days * 1e3)
        )
        epoch = micro.round().cast(pl.Int64).cast(_STAMP).dt.replace_time_zone("UTC")
        expr = expr.otherwise(epoch.dt.convert_time_zone(zone).dt.replace_time_zone(None))
    return numbers.to_frame("n").select(expr.cast(_STAMP)).to_series().alias(numbers.name)


def _parse_text(values: pl.Series, day_order: DayOrder, zone: str, trimmed: bool = False) -> pl.Series:
    text = values if trimmed else values.str.strip_chars()
    # Fast path: most exports write one form throughout. Parse that directly and send only
    # the rest through the (many full-column regex passes of) normalising.
    sample = text.drop_nulls().head(1000)
    fast = _fast(text, sample, zone) if len(sample) else None
    if fast is None:
        return _parse_normalised(text, day_order, zone).alias(values.name)
    rest = text.is_not_null() & fast.is_null()
    if not rest.any():
        return fast.alias(values.name)
    if rest.sum() < len(values):
        slow = _parse_normalised(text.filter(rest), day_order, zone)
        return fast.scatter(rest.arg_true(), slow).alias(values.name)
    return _parse_normalised(text, day_order, zone).alias(values.name)


def _fast(text: pl.Series, sample: pl.Series, zone: str) -> pl.Series | None:
    """The whole column read in the one form that fits its sample best, or None when none does.

    Plain forms first (unchanged: no zone arithmetic for files without offsets), then ISO 8601
    with an offset, then plain numbers (serial days, Unix time).
    """
    best = _by_frequency(sample)[0]
    if sample.str.strptime(_STAMP, best, strict=False).count():
        return text.str.strptime(_STAMP, best, strict=False)
    hits = {fmt: sample.str.strptime(_UTC, fmt, strict=False).count() for fmt in _ZONED_FORMATS}
    zoned = max(_ZONED_FORMATS, key=lambda fmt: hits[fmt])
    if hits[zoned]:
        return _local(text.str.strptime(_UTC, zoned, strict=False), zone)
    if sample.str.contains(_NUMBER_DATE).all():
        numbers = text.to_frame("t").select(pl.when(pl.col("t").str.contains(_NUMBER_DATE)).then(pl.col("t")))
        return _from_number(numbers.to_series().cast(pl.Float64).alias(text.name), zone)
    return None


def _parse_normalised(values: pl.Series, day_order: DayOrder, zone: str) -> pl.Series:
    offset = None
    if values.str.contains(_ZONE).any():
        # Read the offset off and parse the wall-clock time as written; the offset moves it to `zone` below.
        offset = _offset_minutes(values)
        values = values.str.replace(_ZONE, "${1}")
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
        number = pl.when(leftover.str.contains(_NUMBER_DATE)).then(leftover)
        _fill(
            result, todo, _from_number(leftover.to_frame().select(number.cast(pl.Float64)).to_series(), zone)
        )
    columns = {"stamp": result}
    stamp = pl.col("stamp")
    if meridiem is not None:
        columns["meridiem"], hour = meridiem, stamp.dt.hour()
        stamp = (
            pl.when(pl.col("meridiem").is_in(_AFTERNOON) & (hour < 12))
            .then(stamp + pl.duration(hours=12))
            .when(pl.col("meridiem").is_in(_MORNING) & (hour == 12))
            .then(stamp - pl.duration(hours=12))
            .otherwise(stamp)
        )
    if offset is not None:
        columns["offset"] = offset
        utc = (stamp - pl.duration(minutes=pl.col("offset"))).dt.replace_time_zone("UTC")
        moved = utc.dt.convert_time_zone(zone).dt.replace_time_zone(None)
        # No suffix: local time as written. A suffix that is no real offset (+25:00): not read.
        stamp = pl.when(pl.col("offset") == _NO_OFFSET).then(stamp).otherwise(moved)
    if len(columns) == 1:
        return result
    return pl.DataFrame(columns).select(stamp.alias(values.name)).to_series()


_NO_OFFSET = -100_000  # `_offset_minutes` for a value without a zone suffix (null is a suffix not understood)


def _offset_minutes(text: pl.Series) -> pl.Series:
    """Minutes east of UTC stated at the end of each value (`Z` 0, `+08:00` 480, `-0500` −300).

    `_NO_OFFSET` where no offset is written; null where the one written is impossible (over 14 hours,
    60 minutes or more): that value is left unread rather than put at a wrong time.
    """
    parts = text.str.extract_groups(_ZONE).struct.unnest()
    hours, minutes = pl.col("4").cast(pl.Int32), pl.col("5").cast(pl.Int32).fill_null(0)
    east = hours * 60 + minutes
    return parts.select(
        pl.when(pl.col("2").is_not_null())
        .then(0)
        .when(pl.col("4").is_null())
        .then(_NO_OFFSET)
        .when((hours > 14) | (minutes >= 60))
        .then(None)
        .when(pl.col("3") == "-")
        .then(-east)
        .otherwise(east)
        .alias("offset")
    ).to_series()


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
        text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})(\s|$)", "${1}-${2}-${3}${4}")  # not 1709253000
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
