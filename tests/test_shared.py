"""Results shared across sessions: computed once per content, never mixed between different data."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import polars as pl
import pytest

from lib.engine import kpis, shared, store
from lib.ingest import pipeline
from lib.predict import churn, churn_rate, forecast, forecast_view

# --- the cache itself -----------------------------------------------------------------------------


def test_a_value_is_computed_once_per_key_and_the_oldest_goes_first():
    cache = shared.Shared("t", size=2)
    calls = []

    def compute(value):
        calls.append(value)
        return [value]

    first = cache.get("a", lambda: compute("a"))
    assert cache.get("a", lambda: compute("again")) is first
    cache.get("b", lambda: compute("b"))
    cache.get("a", lambda: compute("again"))  # "a" is now the most recent: "b" goes next
    cache.get("c", lambda: compute("c"))
    assert calls == ["a", "b", "c"]
    assert "a" in cache and "c" in cache and "b" not in cache
    assert cache.computed == 3


def test_two_sessions_asking_at_once_wait_for_one_computation():
    cache = shared.Shared("t", size=4)
    started = []

    def slow():
        started.append(1)
        time.sleep(0.2)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == 1
    assert results[0] is results[1] is results[2]


def test_a_failed_computation_is_not_kept():
    cache = shared.Shared("t", size=4)

    def fail():
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get("k", fail)
    assert cache.get("k", lambda: 5) == 5


def test_fingerprint_reads_rows_in_any_order_but_every_cell_and_type():
    frame = pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None]})
    same = shared.fingerprint(frame)
    assert shared.fingerprint(frame.reverse()) == same
    assert shared.fingerprint(frame.with_columns(pl.col("b").fill_null("z"))) != same
    assert shared.fingerprint(frame.with_columns(pl.col("a").cast(pl.Float64))) != same
    assert shared.fingerprint(frame.rename({"b": "c"})) != same
    assert shared.fingerprint(frame.head(2)) != same
    assert shared.fingerprint(frame, 1) != shared.fingerprint(frame, 2)
    assert shared.fingerprint(None) != shared.fingerprint("None")


def test_a_value_saved_in_a_folder_is_read_back_by_a_new_process(tmp_path):
    key = ("churn", "abc")
    first = shared.Shared("m", size=2)
    assert first.get(key, lambda: {"model": 1}, tmp_path) == {"model": 1}
    restarted = shared.Shared("m", size=2)  # a new server process: nothing in memory
    assert restarted.get(key, lambda: pytest.fail("computed again"), tmp_path) == {"model": 1}
    assert restarted.computed == 0
    assert restarted.get(("churn", "other"), lambda: {"model": 2}, tmp_path) == {"model": 2}


def test_a_damaged_saved_value_is_computed_again(tmp_path):
    cache = shared.Shared("m", size=2)
    cache.get("k", lambda: 1, tmp_path)
    (saved,) = tmp_path.glob("m-*.pickle")
    saved.write_bytes(b"not a pickle")
    assert shared.Shared("m", size=2).get("k", lambda: 2, tmp_path) == 2


def test_only_the_newest_saved_values_are_kept(tmp_path):
    cache = shared.Shared("m", size=2)
    for value in range(4):
        cache.get(value, lambda value=value: value, tmp_path)
        time.sleep(0.01)
    assert len(list(tmp_path.glob("m-*.pickle"))) == 2


# --- the sample data -----------------------------------------------------------------------------


def _rows(con, table: str, key: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(f"SELECT * FROM {table}").to_arrow_table()).sort(key)


def test_every_session_gets_the_sample_as_a_fresh_load_would_and_the_same_report(con, other_con):
    fresh = store.connect(memory_limit="256MB", threads=1)
    try:
        paths = {table: [pipeline.SAMPLE_DIR / name] for table, name in pipeline.SAMPLE_FILES.items()}
        expected = pipeline.load_paths(fresh, paths)
        first = pipeline.load_sample(con)
        second = pipeline.load_sample(other_con)
        for table, key in (("tickets", "ticket_id"), ("customers", "customer_id")):
            want = _rows(fresh, table, key)
            assert _rows(con, table, key).equals(want)
            assert _rows(other_con, table, key).equals(want)
        surveys = list(pl.from_arrow(fresh.sql("SELECT * FROM surveys").to_arrow_table()).columns)
        assert _rows(other_con, "surveys", surveys).equals(_rows(fresh, "surveys", surveys))
        assert store.tables(other_con) == store.tables(fresh)
        assert all(a is b for a, b in zip(first, second, strict=True))  # one validation per process
        for (_, got, loaded), (_, want_report, want_loaded) in zip(second, expected, strict=True):
            assert got.rows_used == want_report.rows_used
            assert got.summary.equals(want_report.summary)
            assert loaded == want_loaded
    finally:
        fresh.close()


def test_a_session_changing_its_sample_copy_leaves_the_other_sessions_alone(con, other_con):
    pipeline.load_sample(con)
    pipeline.load_sample(other_con)
    count = store.tables(other_con)["tickets"]
    con.execute("DELETE FROM tickets WHERE priority IS NOT NULL")
    store.clear(con, "customers")
    assert store.tables(other_con)["tickets"] == count
    assert "customers" in store.tables(other_con)
    pipeline.load_sample(con)  # the shared copy itself was not touched either
    assert store.tables(con)["tickets"] == count


# --- the churn model -------------------------------------------------------------------------------


def _customers(churned: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(4)],
            "churned_at": [datetime(2025, 3, 1) if i < churned else None for i in range(4)],
        }
    )


@pytest.fixture
def counted_training(monkeypatch):
    """churn._score replaced by a counter (training is what is shared; test_churn checks it)."""
    trained = []

    def fake(history, settings, window_days):
        trained.append(history.customers.height)
        return object()

    monkeypatch.setattr(churn, "_score", fake)
    monkeypatch.setattr(churn, "_SHARED", shared.Shared("churn", size=4))
    return trained


def test_same_data_in_two_sessions_gets_one_trained_model(counted_training, con, other_con):
    store.load(con, "customers", _customers(1))
    store.load(other_con, "customers", _customers(1).reverse())  # same rows, another order
    assert churn.shared_score(con) is churn.shared_score(other_con)
    assert counted_training == [4]


def test_different_data_or_settings_get_different_models(counted_training, con, other_con):
    store.load(con, "customers", _customers(1))
    store.load(other_con, "customers", _customers(2))
    assert churn.shared_score(con) is not churn.shared_score(other_con)
    stricter = kpis.Settings(resolution_target_hours=24)
    assert churn.shared_score(con, stricter) is not churn.shared_score(con)
    # A target the model does not read shares the model.
    assert churn.shared_score(con, kpis.Settings(response_target_hours=1)) is churn.shared_score(con)
    assert len(counted_training) == 3


def test_a_new_data_version_trains_again(counted_training, con):
    store.load(con, "customers", _customers(1))
    before = churn.shared_score(con)
    store.load(
        con, "customers", _customers(1).with_columns(pl.lit(None, pl.Datetime("us")).alias("churned_at"))
    )
    assert churn.shared_score(con) is not before
    assert len(counted_training) == 2


# --- the forecast --------------------------------------------------------------------------------


@pytest.fixture
def counted_fits(monkeypatch):
    fits = []

    def fake(series, horizon, interval, holidays, every, split):
        fits.append(series.height)
        return {forecast.TOTAL: object()}

    monkeypatch.setattr(forecast_view, "_fit", fake)
    monkeypatch.setattr(forecast_view, "_SHARED", shared.Shared("forecast", size=4))
    return fits


def _series(days: int, level: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"ds": pl.date_range(datetime(2025, 1, 1), datetime(2025, 1, days), eager=True)}
    ).with_columns(y=pl.lit(level, pl.Int64))


def test_forecasts_are_shared_per_series_calendar_and_choices(counted_fits):
    holidays = pl.DataFrame(
        {"holiday": ["x"], "ds": [datetime(2025, 1, 1).date()], "lower_window": [0], "upper_window": [0]}
    )
    first = forecast_view.fit(_series(30, 5), 28, 0.8, holidays, "1d", None)
    assert forecast_view.fit(_series(30, 5), 28, 0.8, holidays, "1d", None) is first
    assert forecast_view.fit(_series(30, 6), 28, 0.8, holidays, "1d", None) is not first
    assert forecast_view.fit(_series(30, 5), 14, 0.8, holidays, "1d", None) is not first
    assert forecast_view.fit(_series(30, 5), 28, 0.8, holidays.head(0), "1d", None) is not first
    assert len(counted_fits) == 4


# --- the warm-up after the first visit -------------------------------------------------------------


@pytest.fixture
def counted_rates(monkeypatch):
    rates = []

    def fake(rate, horizon_months=6, interval=0.8):
        rates.append(rate.height)
        return object()

    monkeypatch.setattr(churn_rate, "rate_forecast", fake)
    monkeypatch.setattr(churn_rate, "_SHARED", shared.Shared("churn_rate", size=4))
    return rates


def test_rate_forecasts_are_shared_per_monthly_rates(counted_rates):
    rate = pl.DataFrame(
        {"month": [datetime(2025, m, 1).date() for m in (1, 2, 3)], "churn_rate": [0.1, 0.2, 0.1]}
    )
    first = churn_rate.shared_rate_forecast(rate)
    assert churn_rate.shared_rate_forecast(rate.clone()) is first
    assert churn_rate.shared_rate_forecast(rate.with_columns(pl.col("churn_rate") * 2)) is not first
    assert churn_rate.shared_rate_forecast(rate, horizon_months=3) is not first
    assert len(counted_rates) == 3


def test_the_warm_up_fills_what_the_churn_and_forecast_pages_ask_first(
    counted_training, counted_fits, counted_rates, con
):
    from lib.engine import service_calendar
    from lib.predict import forecast_calendar
    from lib.ui import warm

    warm._warm("en", delay=0)
    assert len(counted_training) == 1 and len(counted_fits) == 1 and len(counted_rates) == 1
    # A session on the sample asks as the pages do (its own database, default settings and choices).
    pipeline.load_sample(con)
    churn.shared_score(con, kpis.Settings())
    churn_rate.shared_rate_forecast(churn_rate.monthly_rate(con))
    series = forecast.daily_counts(con, store.Scope())
    events = service_calendar.events_from_saved([])
    chosen = forecast_view.choose_calendar(series, 28, forecast_calendar.AUTO, events, "en")
    forecast_view.fit(series, 28, 0.8, chosen.table, "1d", None)
    assert len(counted_training) == 1 and len(counted_fits) == 1 and len(counted_rates) == 1
