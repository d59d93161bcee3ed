"""Chart data on the sample data set checked against SQL on the same store."""

from __future__ import annotations

import polars as pl
import pytest
from chart_samples import WEEKDAYS, only_dataset

from lib import charts


@pytest.fixture(scope="module")
def sample_store():
    from lib.engine import store
    from lib.ingest import pipeline

    con = store.connect()
    pipeline.load_sample(con)
    yield con, store.scoped(con, store.Scope()).tickets
    con.close()


def test_sample_weekday_hour_heatmap_matches_sql(sample_store):
    con, tickets = sample_store
    counts = tickets.group_by(
        weekday=pl.col("created_at").dt.weekday(), hour=pl.col("created_at").dt.hour()
    ).agg(pl.len().alias("tickets"))
    spec = charts.heatmap(
        counts,
        x="hour",
        y="weekday",
        value="tickets",
        x_title="小时",
        y_title="星期",
        value_title="工单数",
        title="",
        x_labels={hour: str(hour) for hour in range(24)},
        y_labels=WEEKDAYS,
        value_format=",d",
    ).to_dict()
    cells = {(row["x"], row["y"]): row["value"] for row in only_dataset(spec)}
    sql = "SELECT hour(created_at), isodow(created_at), count(*) FROM tickets GROUP BY ALL"
    expected = {(hour, weekday): n for hour, weekday, n in con.execute(sql).fetchall()}
    assert len(cells) == 24 * 7
    assert {cell: n for cell, n in cells.items() if n is not None} == expected
    assert spec["encoding"]["y"]["sort"][0] == "周一"


def test_sample_monthly_channel_bars_match_sql(sample_store):
    con, tickets = sample_store
    # Daily rows floored to months: the builder must add them up per month and channel.
    daily = (
        tickets.group_by(day=pl.col("created_at").dt.date(), channel=pl.col("channel"))
        .agg(pl.len().alias("tickets"))
        .with_columns(pl.col("day").dt.truncate("1mo").alias("month"))
    )
    spec = charts.stacked_bars(
        daily,
        x="month",
        series="channel",
        value="tickets",
        x_title="月",
        value_title="工单数",
        series_title="渠道",
        title="",
        time_unit="month",
    ).to_dict()
    bars = {(row["period"][:7], row["category"]): row["value"] for row in only_dataset(spec)}
    sql = "SELECT strftime(created_at, '%Y-%m'), coalesce(channel, ?), count(*) FROM tickets GROUP BY ALL"
    expected = {(month, channel): n for month, channel, n in con.execute(sql, [charts.MISSING]).fetchall()}
    assert bars == expected
    assert sum(bars.values()) == tickets.height
