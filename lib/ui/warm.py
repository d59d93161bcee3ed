"""The bundled sample's slow results, computed once per server process in the background after the first visit."""

from __future__ import annotations

import logging
import threading
import time

from lib.engine import kpis, service_calendar, store
from lib.ingest import pipeline
from lib.predict import churn, churn_rate, forecast, forecast_calendar, forecast_view

# The first visitor's Overview draws first; then one thread trains the churn model and fits the
# default forecast into the shared caches (`lib.engine.shared`), where any session's Churn and
# Forecast pages find them (a page asked for while this runs waits for the same computation).
DELAY_S = 3.0
_LOCK = threading.Lock()
_STARTED: list[threading.Thread] = []


def sample_results(lang: str) -> threading.Thread | None:
    """Start the warm-up once per process (returns its thread the first time, else None)."""
    with _LOCK:
        if _STARTED:
            return None
        thread = threading.Thread(target=_warm, args=(lang,), name="aftersight-warm", daemon=True)
        _STARTED.append(thread)
    thread.start()
    return thread


def _warm(lang: str, delay: float | None = None) -> None:
    time.sleep(DELAY_S if delay is None else delay)
    con = store.connect(memory_limit="1GB", threads=1, purpose="shared")
    try:
        pipeline.load_sample(con)
        churn_rate.shared_rate_forecast(churn_rate.monthly_rate(con))
        churn.shared_score(con, kpis.Settings())
        # What the Forecast page asks first: all history, 28 days, 80 %, daily, the automatic calendar.
        series = forecast.daily_counts(con, store.Scope())
        events = service_calendar.events_from_saved([])
        chosen = forecast_view.choose_calendar(series, 28, forecast_calendar.AUTO, events, lang)
        forecast_view.fit(series, 28, 0.8, chosen.table, "1d", None)
    except Exception:  # a warm-up is an optimisation: the pages compute what is missing themselves
        logging.getLogger(__name__).warning("warming the sample's results failed", exc_info=True)
    finally:
        store.close(con)
