"""Charts reach Streamlit without Altair's schema check (the builders' specs are checked in test_charts_*)."""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl
import pytest

from lib import charts
from lib.ui import widgets


def _figure() -> alt.TopLevelMixin:
    days = pl.DataFrame({"period": pl.date_range(date(2025, 1, 1), date(2025, 1, 31), eager=True)})
    return charts.volume_trend(
        days.with_columns(pl.int_range(31).alias("tickets")),
        x="period",
        y="tickets",
        x_title="day",
        y_title="tickets",
        title="volume",
        time_unit="day",
    )


def test_the_spec_is_the_same_and_not_checked_again(monkeypatch):
    figure = _figure()
    checked = figure.to_dict()

    def refuse(*args, **kwargs):
        raise AssertionError("validated")

    monkeypatch.setattr(type(figure), "validate", classmethod(refuse))  # the whole spec's schema check
    with pytest.raises(AssertionError, match="validated"):
        figure.to_dict()  # the patch catches a validating call
    shown = widgets._unvalidated(figure)
    assert shown.to_dict() == checked
    assert "to_dict" not in shown.to_dict()  # not a spec property
    assert "to_dict" not in figure.__dict__  # the original (used for PNG/SVG downloads) is untouched
