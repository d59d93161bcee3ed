"""The holiday calendar for a forecast: the one set, or (`auto`) the one whose holidays explain the history's
unusual days.

China's calendar fitted to an American office's history cost 6 points of MAE ratio (issue 20); few users know
the setting exists. So by default each calendar of the short list (China with its make-up working days first,
then the countries the UI language and the data suggest, then the rest) is asked how many of the unusual days
in the history fall on its holidays, against how often ordinary days are unusual. The one explaining the most,
clearly more than chance, is used; if none does, no holidays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from lib.engine import service_calendar
from lib.predict import forecast_models

SETTING = "holiday_country"  # the team setting's key in the saved settings (mapping file / workspace)
AUTO = "auto"
NONE = "none"
UNUSUAL_Z = 3.0  # a day this many robust spreads from its weekday's neighbours is unusual
NEIGHBOUR_WEEKS = 3  # the baseline of a day: the median of the same weekday up to 3 weeks either side
MIN_EXPLAINED = 2  # a calendar must explain at least two unusual days
MIN_LIFT = 4.0  # ... and its holidays must be unusual at least 4 times as often as other days
# New Year and Christmas are in most calendars of the list: they cannot tell one calendar from another
# (a Brazilian shop's Christmas lull matched Canada's and Britain's), so the choice ignores them; the
# calendar chosen still brings them to the forecast.
SHARED_DAYS = {(1, 1), (12, 24), (12, 25), (12, 26), (12, 31)}
LANGUAGE_COUNTRY = {"zh": "CN"}  # the UI language's country; English names none (it is spoken everywhere)


@dataclass(frozen=True)
class Choice:
    """The calendar a forecast uses and why (`reason`: "set" by the user, or "explains" / "none_fits" for auto)."""

    country: str | None  # None: no public holidays (company events may still apply)
    reason: str
    explained: int = 0  # unusual days of the history that are the calendar's holidays (SHARED_DAYS aside)
    holidays: int = 0  # the calendar's holiday days in the history (SHARED_DAYS aside)
    other_share: float = 0.0  # share of the other days that are unusual
    unusual: int = 0  # unusual days in the history
    tried: tuple[str, ...] = ()


def unusual_days(series: pl.DataFrame) -> pl.DataFrame:
    """Days far from the same weekday's neighbours: ds, y, expected (ds sorted, daily rows without gaps).

    The expected value is the median of the same weekday 1–3 weeks before and after; the spread the
    residuals' robust one (1.4826 × MAD), and for counts (whole numbers) at least √expected, their
    Poisson noise. Unusual: more than UNUSUAL_Z spreads away.
    """
    y = series["y"].to_numpy().astype(float)
    n = y.size
    neighbours = []
    for offset in range(1, NEIGHBOUR_WEEKS + 1):
        for sign in (-1, 1):
            shift = sign * 7 * offset
            column = np.full(n, np.nan)
            if sign < 0:
                column[-shift:] = y[: n + shift]
            else:
                column[: n - shift] = y[shift:]
            neighbours.append(column)
    stack = np.vstack(neighbours) if n else np.empty((0, 0))
    enough = (~np.isnan(stack)).sum(axis=0) >= 3 if n else np.zeros(0, dtype=bool)
    expected = np.full(n, np.nan)
    if enough.any():
        expected[enough] = np.nanmedian(stack[:, enough], axis=0)
    residual = y - expected
    valid = ~np.isnan(residual)
    if not valid.any():
        return series.clear().with_columns(pl.lit(None, dtype=pl.Float64).alias("expected"))
    spread = 1.4826 * float(np.median(np.abs(residual[valid] - np.median(residual[valid]))))
    counts = bool(np.all(np.equal(np.mod(y, 1), 0)))
    floor = np.sqrt(np.clip(expected, 1, None)) if counts else np.zeros(n)
    limit = UNUSUAL_Z * np.maximum(spread, floor)
    flagged = valid & (np.abs(np.nan_to_num(residual)) > np.nan_to_num(limit, nan=np.inf)) & (limit > 0)
    return series.with_columns(pl.Series("expected", expected)).filter(pl.Series(flagged))


def holiday_days(table: pl.DataFrame) -> set[date]:
    """The days a holiday table marks as out of the ordinary: days off and make-up working days (调休).

    The Spring Festival season's window is left out: its days are not holidays, only a season around one.
    """
    rows = table.filter(pl.col("holiday") != service_calendar.SPRING_FESTIVAL_SEASON)
    return set(rows["ds"].to_list())


def candidates(lang: str, hints: Sequence[str] = ()) -> list[str]:
    """The calendars `auto` tries, in order of preference on a tie: China, the suggested, the rest of the list."""
    first = ["CN", LANGUAGE_COUNTRY.get(lang), *hints]
    known = service_calendar.countries()
    ordered = [c for c in first if c in known] + list(known)
    return list(dict.fromkeys(ordered))


def choose(series: pl.DataFrame, lang: str = "en", hints: Sequence[str] = ()) -> Choice:
    """The calendar whose holidays best explain `series`' unusual days (ds, y daily), or none.

    A calendar fits when at least MIN_EXPLAINED of its holiday days in the history are unusual and they
    are unusual at least MIN_LIFT times as often as the other days (New Year and Christmas, SHARED_DAYS,
    are left out of the count). Among those that fit, the one with
    the most unusual days beyond chance (explained − holidays × the other days' rate) wins; ties go to
    the earlier in `candidates`.
    """
    tried = candidates(lang, hints)
    if series.height < 7 * (2 * NEIGHBOUR_WEEKS):
        return Choice(None, "none_fits", tried=tuple(tried))
    odd = {d for d in unusual_days(series)["ds"].to_list() if (d.month, d.day) not in SHARED_DAYS}
    start, end = series["ds"].min(), series["ds"].max()
    # Holidays in the last two weeks are not judged: a fall or rise of level there looks unusual too, and the
    # forecast does not fit a holiday seen only there (forecast_models.IDENTIFIED_AFTER_DAYS).
    judged = end - timedelta(days=forecast_models.IDENTIFIED_AFTER_DAYS)
    best: Choice | None = None
    best_excess = 0.0
    for country in tried:
        table_ = service_calendar.holidays(start, end, country)
        days = {
            d for d in holiday_days(table_) if start <= d <= judged and (d.month, d.day) not in SHARED_DAYS
        }
        if not days:
            continue
        explained = len(days & odd)
        others = series.height - len(days)
        rate = len(odd - days) / others if others else 0.0
        lifted = explained / len(days) >= MIN_LIFT * rate
        excess = explained - len(days) * rate
        if explained >= MIN_EXPLAINED and lifted and excess > best_excess + 1e-9:
            best_excess = excess
            best = Choice(country, "explains", explained, len(days), rate, len(odd), tuple(tried))
    if best is None:
        return Choice(None, "none_fits", unusual=len(odd), tried=tuple(tried))
    return best


def table(
    series: pl.DataFrame, horizon: int, country: str | None, events: pl.DataFrame | None
) -> pl.DataFrame:
    """The holiday table (and company events) over the history and `horizon` days more; empty without either."""
    start, end = series["ds"].min(), series["ds"].max() + timedelta(days=horizon + 7)
    with_events = events if events is not None and events.height else None
    if country is None:
        if with_events is None:
            return pl.DataFrame(schema=service_calendar.SCHEMA)
        return service_calendar.event_rows(with_events).filter(pl.col("ds").is_between(start, end))
    return service_calendar.holidays(start, end, country, with_events)


def resolve(series: pl.DataFrame, setting: str, lang: str = "en", hints: Sequence[str] = ()) -> Choice:
    """The calendar for `setting`: "auto" chooses (`choose`), "none" none, a country code that country."""
    if setting == AUTO:
        return choose(series, lang, hints)
    if setting == NONE:
        return Choice(None, "set")
    return Choice(setting, "set")


def is_known(setting: str) -> bool:
    """Whether `setting` is auto, none or a country of the short list."""
    return setting in (AUTO, NONE) or setting in service_calendar.countries()


def rate_text(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 or share == 0 or math.isnan(share) else "<1%"
