"""Holidays, make-up working days and company events as a Prophet holiday table, and their sources."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

import chinese_calendar
import holidays as holidays_lib
import numpy as np
import polars as pl

# The lunar New Year, Dragon Boat and Mid-Autumn dates `holidays` itself uses (1901–2100). The class is
# private, so tests/test_service_calendar.py pins known dates: an upgrade that moves it fails there.
from holidays.calendars.chinese import _ChineseLunisolar

Source = Literal["chinese_calendar", "holidays", "fallback", "event"]
Coverage = Literal["chinese_calendar", "holidays", "fallback", "none"]

SCHEMA = {
    "holiday": pl.String,
    "ds": pl.Date,
    "lower_window": pl.Int64,
    "upper_window": pl.Int64,
    "source": pl.String,
}

# The Spring Festival season, on lunar New Year's day. A week before: the pre-holiday rush and then the
# slowdown as people leave; two weeks after (to the Lantern Festival, lunar 1/15): factories, installers
# and customers come back late, and the backlog of the closed days arrives. Prophet learns one effect per
# day of this window, on top of the "spring_festival" effect of the official days off.
SPRING_FESTIVAL_SEASON = "spring_festival_season"
SPRING_FESTIVAL_BEFORE = 7
SPRING_FESTIVAL_AFTER = 14
# A weekend day declared a working day (调休): one key for all of them, so Prophet learns that such a
# Saturday behaves like a weekday rather than like a Saturday.
MAKEUP_WORKDAY = "makeup_workday"

# For the UI's country picker: code → English name (any code `holidays` knows also works).
COUNTRIES = {
    "CN": "China (mainland)",
    "HK": "Hong Kong",
    "TW": "Taiwan",
    "SG": "Singapore",
    "JP": "Japan",
    "KR": "South Korea",
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "AU": "Australia",
    "CA": "Canada",
    "IN": "India",
}

# Names of `holidays`' CN (en_US) → our keys, which are chinese_calendar's Holiday names. First match wins,
# so "Chinese New Year" is tried before "New Year's Day".
_CN_KEYWORDS = (
    ("Chinese New Year", "spring_festival"),
    ("Spring Festival", "spring_festival"),
    ("New Year's Day", "new_years_day"),
    ("Tomb-Sweeping", "tomb_sweeping_day"),
    ("Labor Day", "labour_day"),
    ("Dragon Boat", "dragon_boat_festival"),
    ("Mid-Autumn", "mid_autumn_festival"),
    ("National Day", "national_day"),
    ("Anti-Fascist", "anti_fascist_70th_day"),
)
# Prophet refuses these as holiday names (Prophet.validate_column_name) and any name containing "_delim_".
# fmt: off
_PROPHET_COMPONENTS = (
    "trend", "additive_terms", "daily", "weekly", "yearly", "holidays", "zeros", "extra_regressors_additive",
    "yhat", "extra_regressors_multiplicative", "multiplicative_terms",
)
_PROPHET_RESERVED = {
    *(f"{name}{suffix}" for name in _PROPHET_COMPONENTS for suffix in ("", "_lower", "_upper")),
    "ds", "y", "cap", "floor", "y_scaled", "cap_scaled",
}
# fmt: on
_LUNAR = _ChineseLunisolar()


def countries() -> dict[str, str]:
    """Country code → English name, the short list the UI offers."""
    return dict(COUNTRIES)


def lunar_new_year(year: int) -> date | None:
    """Spring Festival (lunar 1/1) of `year`; None outside 1901–2100, where the table ends."""
    return _LUNAR.lunar_new_year_date(year)[0]


def coverage(start: date, end: date, country: str = "CN") -> dict[int, Coverage]:
    """Per year from `start` to `end`, which source its holidays come from.

    "chinese_calendar" (official days off and make-up working days), "holidays" (days off only; for CN
    past what chinese_calendar knows, the years whose schedule is not published yet are the package's
    own estimate), "fallback" (CN only: fixed-date and lunar festivals, estimated here) or "none".
    """
    _check_range(start, end)
    country = _checked_country(country)
    known = _holidays_years(country)
    covered: dict[int, Coverage] = {}
    for year in range(start.year, end.year + 1):
        if country == "CN" and _chinese_calendar_knows(year):
            covered[year] = "chinese_calendar"
        elif year in known:
            covered[year] = "holidays"
        else:
            covered[year] = "fallback" if country == "CN" else "none"
    return covered


def working_days(start: date, end: date, country: str = "CN") -> int:
    """Working days from `start` to `end` inclusive: Monday–Friday, less the official days off that fall
    on them, plus the make-up working days (调休) on weekends that `holidays` knows for `country`.
    """
    if end < start:
        return 0
    weekdays = int(np.busday_count(np.datetime64(start, "D"), np.datetime64(end + timedelta(days=1), "D")))
    table = holidays(start, end, country).filter(
        pl.col("ds").is_between(start, end), pl.col("holiday") != SPRING_FESTIVAL_SEASON
    )
    weekday = pl.col("ds").dt.weekday() <= 5
    makeup = table.filter(pl.col("holiday") == MAKEUP_WORKDAY, ~weekday)["ds"].n_unique()
    off = table.filter(pl.col("holiday") != MAKEUP_WORKDAY, weekday)["ds"].n_unique()
    return weekdays - off + makeup


def holidays(start: date, end: date, country: str = "CN", events: pl.DataFrame | None = None) -> pl.DataFrame:
    """The holiday table for Prophet covering `start`–`end` (e.g. the history plus the horizon).

    Columns: holiday (a stable English key: "spring_festival", "national_day", "makeup_workday", an
    event's name, or for other countries the slug of the English name, e.g. "independence_day"), ds,
    lower_window, upper_window, source (see `coverage`; "event" for `events`). Official days off are one
    row per day with a window of 0 ("observed" days share their holiday's key); CN adds one
    "spring_festival_season" row per year on lunar New Year's day with the window −7…+14 (kept when the
    window reaches into the range). `events` (name, start, end) become one row per day under the event's
    name, so every day of an event shares one effect; see `event_rows`. One row per (holiday, ds),
    sorted by ds then holiday.
    """
    _check_range(start, end)
    country = _checked_country(country)
    parts = []
    for year, source in coverage(start, end, country).items():
        if source == "chinese_calendar":
            parts.append(_chinese_calendar_year(year))
        elif source == "holidays":
            parts.append(_holidays_year(year, country))
        elif source == "fallback":
            parts.append(_fallback_year(year))
        new_year = lunar_new_year(year) if country == "CN" and source != "none" else None
        if new_year is not None:
            season = (SPRING_FESTIVAL_BEFORE, SPRING_FESTIVAL_AFTER)
            parts.append(_rows([SPRING_FESTIVAL_SEASON], [new_year], source, *season))
    if events is not None:
        parts.append(event_rows(events))
    table = pl.concat([_rows([], [], "event"), *parts])
    reaches_in = ((pl.col("ds") + pl.duration(days=pl.col("upper_window"))) >= start) & (
        (pl.col("ds") + pl.duration(days=pl.col("lower_window"))) <= end
    )
    # On a clash (an event named like a holiday, on the same day) the statutory row wins: it came first.
    return (
        table.filter(reaches_in)
        .unique(["holiday", "ds"], keep="first", maintain_order=True)
        .sort("ds", "holiday")
    )


def event_rows(events: pl.DataFrame) -> pl.DataFrame:
    """Company events (columns name, start, end; end empty = one day) as holiday rows, one per day.

    One row per day with window 0 rather than one row with upper_window = length − 1: Prophet then
    learns a single effect per event name that all its days share, which stays sound for long events
    (a month-long recall) and for events whose length changes from year to year (618, 双11), and is
    the same thing for one-day events. To cover the after-effect of a promotion (returns and repairs
    arrive later), extend its end. Rows without a name or start are skipped (an editor's empty rows);
    a name Prophet reserves (e.g. "holidays") gets " (event)" appended. Raises ValueError when a
    column is missing or an event ends before it starts.
    """
    missing = {"name", "start", "end"} - set(events.columns)
    if missing:
        raise ValueError(f"events need the columns name, start, end; missing: {', '.join(sorted(missing))}")
    rows = (
        events.select(
            pl.col("name").cast(pl.String).str.strip_chars(),
            pl.col("start").cast(pl.Date),
            pl.col("end").cast(pl.Date),
        )
        .filter(pl.col("name").is_not_null() & (pl.col("name") != "") & pl.col("start").is_not_null())
        .with_columns(pl.col("end").fill_null(pl.col("start")))
    )
    backwards = rows.filter(pl.col("end") < pl.col("start"))
    if not backwards.is_empty():
        raise ValueError(f"event {backwards['name'][0]!r} ends before it starts")
    names, days = [], []
    for name, first, last in rows.iter_rows():
        key = _prophet_safe(name)
        span = (last - first).days + 1
        names += [key] * span
        days += [first + timedelta(days=offset) for offset in range(span)]
    return _rows(names, days, "event").unique(["holiday", "ds"], keep="first", maintain_order=True)


def _rows(names: list[str], days: list[date], source: str, before: int = 0, after: int = 0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "holiday": names,
            "ds": days,
            "lower_window": [-before] * len(days),
            "upper_window": [after] * len(days),
            "source": [source] * len(days),
        },
        schema=SCHEMA,
    )


def _chinese_calendar_year(year: int) -> pl.DataFrame:
    days_off = sorted((day, name) for day, name in chinese_calendar.holidays.items() if day.year == year)
    makeup = sorted(day for day in chinese_calendar.workdays if day.year == year)
    # chinese_calendar's dicts hold the Holiday's English value ("Spring Festival"); its name is our key.
    keys = [chinese_calendar.Holiday(name).name for _, name in days_off]
    return pl.concat(
        [
            _rows(keys, [day for day, _ in days_off], "chinese_calendar"),
            _rows([MAKEUP_WORKDAY] * len(makeup), makeup, "chinese_calendar"),
        ]
    )


def _holidays_year(year: int, country: str) -> pl.DataFrame:
    calendar = holidays_lib.country_holidays(country, years=year, language="en_US")
    named = [(day, name) for day in sorted(calendar) for name in calendar.get_list(day)]
    if country != "CN":
        keys = [_prophet_safe(_slug(name)) for _, name in named]
        return _rows(keys, [day for day, _ in named], "holidays")
    keyed = [(day, _cn_key(name)) for day, name in named]
    anchors = [(day, key) for day, key in keyed if key is not None]
    # "Day off (substituted from …)" names no festival: it belongs to the nearest festival day.
    keys = [key or _nearest(anchors, day) for day, key in keyed]
    return _rows(keys, [day for day, _ in keyed], "holidays")


def _fallback_year(year: int) -> pl.DataFrame:
    """CN days off for a year no package knows: the festivals, extended as the 2020s schedules did.

    Statutory since 2025 (State Council decree 795): New Year 1 day, Spring Festival 4 (eve to lunar
    1/3), Qingming 1, Labour Day 2, Dragon Boat 1, Mid-Autumn 1, National Day 3. Every schedule of
    2020–2026 stretched three of them with weekend swaps, so we guess the same: Spring Festival eve
    to lunar 1/7 (8 days), Labour Day 1–5 May, National Day 1–7 Oct. Make-up working days cannot be
    guessed (they depend on the weekdays the breaks fall on) and are left out.
    """
    days: list[tuple[str, date]] = [("new_years_day", date(year, 1, 1))]
    days += [("labour_day", date(year, 5, day)) for day in range(1, 6)]
    days += [("national_day", date(year, 10, day)) for day in range(1, 8)]
    days.append(("tomb_sweeping_day", _LUNAR.qingming_date(year)[0]))  # a solar term: 4 or 5 April
    if (new_year := lunar_new_year(year)) is not None:
        days += [("spring_festival", new_year + timedelta(days=offset)) for offset in range(-1, 7)]
    for key, (lunar_day, _) in (
        ("dragon_boat_festival", _LUNAR.dragon_boat_date(year)),
        ("mid_autumn_festival", _LUNAR.mid_autumn_date(year)),
    ):
        if lunar_day is not None:
            days.append((key, lunar_day))
    days.sort(key=lambda pair: pair[1])
    return _rows([key for key, _ in days], [day for _, day in days], "fallback")


def _nearest(anchors: list[tuple[date, str]], day: date) -> str:
    return min(anchors, key=lambda anchor: abs((anchor[0] - day).days))[1] if anchors else "day_off"


def _cn_key(name: str) -> str | None:
    return next((key for word, key in _CN_KEYWORDS if word in name), None)


def _slug(name: str) -> str:
    """ "Independence Day (observed)" → "independence_day": observed days share their holiday's key."""
    plain = re.sub(r"\s*\([^)]*\b(observed|estimated)\b[^)]*\)", "", name, flags=re.IGNORECASE)
    plain = re.sub(r"['’]", "", plain)  # "New Year's Day" → new_years_day, as chinese_calendar spells it
    return re.sub(r"[^0-9a-z]+", "_", plain.lower()).strip("_") or "holiday"


def _prophet_safe(name: str) -> str:
    name = name.replace("_delim_", "_")
    return f"{name} (event)" if name in _PROPHET_RESERVED else name


def _chinese_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.get_holiday_detail(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _holidays_years(country: str) -> range:
    supported = holidays_lib.country_holidays(country).__class__
    return range(supported.start_year, supported.end_year + 1)


def _checked_country(country: str) -> str:
    code = country.strip().upper()
    if code not in holidays_lib.list_supported_countries():
        raise ValueError(f"unknown country code {country!r}")
    return code


def _check_range(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"start {start} is after end {end}")


EVENT_SCHEMA = {"name": pl.String, "start": pl.Date, "end": pl.Date}


def events_from_saved(saved: object) -> pl.DataFrame:
    """Company events from a mapping file's list of {name, start, end} (ISO dates); bad entries are skipped."""
    rows = []
    for entry in saved if isinstance(saved, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        try:
            start = date.fromisoformat(str(entry.get("start")))
            end = date.fromisoformat(str(entry["end"])) if entry.get("end") else start
        except ValueError:
            continue
        if end >= start:
            rows.append({"name": entry["name"][:100], "start": start, "end": end})
    return pl.DataFrame(rows, schema=EVENT_SCHEMA)


def events_to_saved(events: pl.DataFrame) -> list[dict[str, str]]:
    """The events as the mapping file stores them (the inverse of `events_from_saved`)."""
    return [
        {"name": name, "start": start.isoformat(), "end": (end or start).isoformat()}
        for name, start, end in events.select("name", "start", "end").iter_rows()
        if name and start
    ]
