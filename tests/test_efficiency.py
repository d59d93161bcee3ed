"""Efficiency aggregations on tiny hand-made stores (values worked out by hand), and on the sample data."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib import charts
from lib.analysis import efficiency
from lib.engine import store
from lib.engine.kpis import Settings, evaluate
from lib.engine.store import Scope

EARLY_MARCH = Scope(date(2024, 3, 1), date(2024, 3, 10))  # 4 March 2024 is a Monday
EMPTY = Scope(date(2024, 1, 1), date(2024, 1, 31))  # no ticket created in it
DEFAULT = Settings()


def core(stats: pl.DataFrame) -> pl.DataFrame:
    """The engine's columns of a Distribution's stats (the box quantiles are tested on their own)."""
    return stats.drop("p10", "p25", "p75")


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, minute)


# T0 (February, still open) is outside the range: it only counts in backlog and as c2's earlier contact.
#   first response: T1 1 h, T2 2 h, T3 4 h, T4 10 h, T5 −1 h (left out), T6 none
#   resolution:     T1 12 h, T2 72 h, T3 96 h, T4 open, T5 −24 h (resolved, duration left out), T6 open
#   repeat contact: T2 (T1 30 min before), T3 (T0 15 days before); T1 T4 T6 not; T5 has no customer
TICKETS = pl.DataFrame(
    {
        "ticket_id": ["T0", "T1", "T2", "T3", "T4", "T5", "T6"],
        "created_at": [
            at(20, 8, month=2),
            at(4, 8),
            at(4, 8, 30),
            at(6, 8),
            at(7, 23),
            at(10, 23),
            at(10, 23, 30),
        ],
        "first_response_at": [None, at(4, 9), at(4, 10, 30), at(6, 12), at(8, 9), at(10, 22), None],
        "resolved_at": [None, at(4, 20), at(7, 8, 30), at(10, 8), None, at(9, 23), None],
        "customer_id": ["c2", "c1", "c1", "c2", "c3", None, "c4"],
        "channel": [None, "phone", "chat", "phone", None, "phone", None],
        "reopen_count": [None, 0, 1, None, 0, 2, None],
        "first_contact_resolved": [None, True, False, True, True, None, None],
        "labor_cost": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        "status": ["open"] * 7,
    }
)


def durations(hours: list[float | None]) -> pl.DataFrame:
    """Tickets on 4 March 08:00 whose first response came `hours` later (None: no response)."""
    start = at(4, 8)
    return pl.DataFrame(
        {
            "ticket_id": [f"D{i}" for i in range(len(hours))],
            "created_at": [start] * len(hours),
            "first_response_at": [None if h is None else start + timedelta(hours=h) for h in hours],
        }
    )


def histogram(edges: list[float], tickets: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"bin_start": edges[:-1], "bin_end": edges[1:], "tickets": tickets},
        schema={"bin_start": pl.Float64, "bin_end": pl.Float64, "tickets": pl.Int64},
    )


def nonzero(bins: pl.DataFrame) -> pl.DataFrame:
    return bins.filter(pl.col("tickets") > 0)


@pytest.fixture
def read(con) -> Callable[..., store.Frames]:
    """Replace the store's tables with the given frames and read them back for `scope` (default: all)."""

    def read(scope: Scope | None = None, **tables: pl.DataFrame) -> store.Frames:
        store.clear(con)  # a second load in the same test would otherwise append (union of columns)
        for table, frame in tables.items():
            store.load(con, table, frame)
        return store.scoped(con, scope or Scope())

    return read


# --- frames ------------------------------------------------------------------------------


def test_frames_reads_only_what_the_page_needs(loaded):
    frames = efficiency.frames(loaded(tickets=TICKETS), EARLY_MARCH)
    assert {"first_response_at", "resolved_at", "channel", "reopen_count", "repeat_contact"} <= set(
        frames.tickets.columns
    )
    assert "labor_cost" not in frames.tickets.columns and "status" not in frames.tickets.columns
    assert frames.history_by_period  # backlog per period needs the whole history
    assert frames.tickets.height == 6  # T1–T6


# --- distribution ------------------------------------------------------------------------


def test_first_response_histogram_with_linear_bins(read):
    got = efficiency.distribution(read(EARLY_MARCH, tickets=TICKETS), "first_response")
    # valid 1 2 4 10 h (T5 −1 h and T6 none left out); p50 3, longest 10 ≤ 20 × 3 → linear.
    # Smallest nice step with ≤ 30 bins up to 10 h: 0.3 gives 34, 0.4 gives 26 → [0, 10.4).
    assert not got.log_scale
    assert got.bins.height == 26
    assert got.bins["bin_start"].to_list()[:3] == [0.0, 0.4, 0.8]
    assert got.bins["bin_end"][-1] == 10.4
    # 2 h and 4 h fall on a bin start: [start, end) puts them in the bin that starts there
    expected = histogram([0.8, 1.2, 2.0, 2.4, 4.0, 4.4, 10.0, 10.4], [1, 0, 1, 0, 1, 0, 1])
    assert_frame_equal(nonzero(got.bins), expected.filter(pl.col("tickets") > 0))
    stats = pl.DataFrame({"tickets": [4], "mean": [4.25], "p50": [3.0], "p90": [8.2]})
    # mean (1+2+4+10)/4; p50 at position 1.5 → 2 + 0.5·2; p90 at 2.7 → 4 + 0.7·6
    assert_frame_equal(core(got.stats), stats, check_dtypes=False)


def test_resolution_histogram_and_stats(read):
    got = efficiency.distribution(read(EARLY_MARCH, tickets=TICKETS), "resolution")
    # valid 12 72 96 h (T5 −24 h left out); p50 72 → linear; step 3 gives 33 bins, 4 gives 25 → [0, 100)
    assert not got.log_scale
    assert got.bins.height == 25
    expected = histogram([12.0, 16.0, 72.0, 76.0, 96.0, 100.0], [1, 0, 1, 0, 1])
    assert_frame_equal(nonzero(got.bins), expected.filter(pl.col("tickets") > 0))
    # mean 180/3; p90 at position 1.8 → 72 + 0.8·24
    stats = pl.DataFrame({"tickets": [3], "mean": [60.0], "p50": [72.0], "p90": [91.2]})
    assert_frame_equal(core(got.stats), stats, check_dtypes=False)


def test_long_tail_gives_log_bins_with_a_first_bin_for_zeros(read):
    # 0, 3 min, 1 h, 3 h, 100 h: p50 1 h, longest 100 h > 20 × 1 h → log scale.
    got = efficiency.distribution(read(tickets=durations([0, 0.05, 1, 3, 100])), "first_response")
    assert got.log_scale
    # 1-2-5 edges from 0.1 h (the 3-minute answer is below it, so it shares the zeros' bin) past 100 h
    edges = [0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
    assert_frame_equal(got.bins, histogram(edges, [2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1]))


def test_log_bins_start_at_the_shortest_time_when_it_is_long(read):
    # 0 0 0 5 h: p50 0 and some time is not → log; edges 0, then 1-2-5 from 5 h (≤ shortest 5 h) past 5 h
    got = efficiency.distribution(read(tickets=durations([0, 0, 0, 5])), "first_response")
    assert got.log_scale
    assert_frame_equal(got.bins, histogram([0.0, 5.0, 10.0], [3, 1]))


@pytest.mark.parametrize(("longest", "log_scale"), [(20.0, False), (21.0, True)])
def test_log_scale_once_the_longest_time_passes_twenty_medians(read, longest, log_scale):
    got = efficiency.distribution(read(tickets=durations([1, 1, 1, longest])), "first_response")
    assert got.log_scale is log_scale  # p50 of 1 1 1 x is 1
    assert got.bins["tickets"].sum() == 4


def test_all_zero_durations_give_one_linear_bin(read):
    got = efficiency.distribution(read(tickets=durations([0, 0, None])), "first_response")
    assert not got.log_scale
    assert_frame_equal(got.bins, histogram([0.0, 1.0], [2]))
    assert_frame_equal(
        core(got.stats),
        pl.DataFrame({"tickets": [2], "mean": [0.0], "p50": [0.0], "p90": [0.0]}),
        check_dtypes=False,
    )


def test_single_duration(read):
    got = efficiency.distribution(read(tickets=durations([2])), "first_response")
    # 2 h alone: step 0.08 (0.06 would give 34 bins) → 26 bins, 2 h in [2.0, 2.08)
    assert_frame_equal(nonzero(got.bins), histogram([2.0, 2.08], [1]))
    assert core(got.stats).row(0) == (1, 2.0, 2.0, 2.0)


def test_longest_time_on_a_bin_edge_still_gets_a_bin(read):
    # 42 min = 0.7 h: step 0.025 h (0.02 would give 35 bins) and 0.7 / 0.025 is 27.999… in floating point,
    # so 28 bins would end on 0.7 itself and leave the ticket out; a 29th bin [0.7, 0.725) takes it.
    got = efficiency.distribution(read(tickets=durations([0.7])), "first_response")
    assert got.bins.height == 29
    assert_frame_equal(nonzero(got.bins), histogram([0.7, 0.725], [1]))


@pytest.mark.parametrize("scope", [EMPTY, EARLY_MARCH], ids=["no tickets", "only invalid durations"])
def test_no_valid_duration_gives_no_bins_and_empty_stats(read, scope):
    invalid = durations([-1, None])  # answered before it was created, never answered
    got = efficiency.distribution(read(scope, tickets=invalid), "first_response")
    assert got.bins.height == 0 and got.bins.columns == ["bin_start", "bin_end", "tickets"]
    assert core(got.stats).row(0) == (0, None, None, None)
    assert not got.log_scale


def test_distribution_per_channel_with_an_empty_channel_as_one_group(read):
    frames = read(EARLY_MARCH, tickets=TICKETS)
    got = efficiency.distribution(frames, "first_response", by="channel")
    # phone T1 1 h, T3 4 h (T5 left out); chat T2 2 h; empty T4 10 h (T6 none).
    # Ties on tickets go by value, the empty value last.
    stats = pl.DataFrame(
        {
            "channel": ["phone", "chat", None],
            "tickets": [2, 1, 1],
            "mean": [2.5, 2.0, 10.0],
            "p50": [2.5, 2.0, 10.0],
            "p90": [3.7, 2.0, 10.0],  # phone: 1 + 0.9·(4 − 1)
        }
    )
    assert_frame_equal(core(got.stats), stats, check_dtypes=False)
    # the same 26 bins as overall, for each of the 3 groups
    assert got.bins.height == 3 * 26
    assert got.bins.columns == ["channel", "bin_start", "bin_end", "tickets"]
    expected = pl.DataFrame(
        {
            "channel": ["chat", "phone", "phone", None],
            "bin_start": [2.0, 0.8, 4.0, 10.0],
            "tickets": [1, 1, 1, 1],
        }
    )
    assert_frame_equal(nonzero(got.bins).drop("bin_end"), expected, check_dtypes=False)


def test_group_without_a_valid_duration_keeps_its_row(read):
    got = efficiency.distribution(read(EARLY_MARCH, tickets=TICKETS), "resolution", by="channel")
    # phone 12 96 (T5 left out), chat 72, empty: T4 and T6 open
    assert core(got.stats).select("channel", "tickets").rows() == [("phone", 2), ("chat", 1), (None, 0)]
    assert core(got.stats).row(2)[2:] == (None, None, None)
    assert got.bins.filter(pl.col("channel").is_null())["tickets"].sum() == 0


def test_distribution_is_none_without_its_columns(read):
    no_response = read(EARLY_MARCH, tickets=TICKETS.drop("first_response_at"))
    assert efficiency.distribution(no_response, "first_response") is None
    assert efficiency.distribution(no_response, "resolution") is not None
    assert efficiency.distribution(no_response, "resolution", by="agent") is None
    no_tickets = read(surveys=pl.DataFrame({"submitted_at": [at(4)], "csat": [5.0]}))
    assert efficiency.distribution(no_tickets, "resolution") is None
    with pytest.raises(ValueError, match="which"):
        efficiency.distribution(no_response, "handle")


# --- trends ------------------------------------------------------------------------------

DAYS = [date(2024, 3, d) for d in range(4, 11)]  # first ticket on 4 March to the range end


def test_sla_trend_lists_every_day_from_the_first_ticket_to_the_range_end(read):
    got = efficiency.sla_trend(read(EARLY_MARCH, tickets=TICKETS), DEFAULT, "1d")
    expected = pl.DataFrame(
        {
            "period": DAYS,
            # 4th: T1 1 h, T2 2 h ≤ 4 h; 6th: T3 4 h counts; 7th: T4 10 h; 10th: T5 invalid, T6 none
            "response_sla_rate": [1.0, None, 1.0, 0.0, None, None, None],
            # 4th: 12 h, 72 h ≤ 72 h; 6th: T3 96 h; 7th: T4 open; 10th: T5 invalid, T6 open
            "resolution_sla_rate": [1.0, None, 0.0, None, None, None, None],
            "tickets": [2, 0, 1, 1, 0, 0, 2],
        }
    )
    assert_frame_equal(got, expected)


def test_sla_trend_uses_the_targets_and_weeks(read):
    frames = read(EARLY_MARCH, tickets=TICKETS)
    strict = efficiency.sla_trend(frames, Settings(response_target_hours=1, resolution_target_hours=12), "1w")
    # one week (4–10 March): responses 1 2 4 10 → only 1 h ≤ 1 h; resolutions 12 72 96 → only 12 h
    assert strict.rows() == [(date(2024, 3, 4), 0.25, 1 / 3, 6)]


def test_sla_trend_with_one_column_or_none(read):
    only_resolved = efficiency.sla_trend(
        read(EARLY_MARCH, tickets=TICKETS.drop("first_response_at")), DEFAULT, "1d"
    )
    assert only_resolved["response_sla_rate"].null_count() == len(DAYS)
    assert only_resolved["resolution_sla_rate"].to_list()[:3] == [1.0, None, 0.0]
    neither = read(EARLY_MARCH, tickets=TICKETS.drop("first_response_at", "resolved_at"))
    assert efficiency.sla_trend(neither, DEFAULT, "1d") is None


def test_trends_of_an_empty_range_have_no_rows(read):
    frames = read(EMPTY, tickets=TICKETS)
    assert efficiency.sla_trend(frames, DEFAULT, "1d").height == 0
    assert efficiency.rate_trend(frames, DEFAULT, "1d").height == 0
    assert efficiency.backlog_trend(frames).height == 0


def test_backlog_at_each_day_end(read):
    got = efficiency.backlog_trend(read(EARLY_MARCH, tickets=TICKETS))
    # Open at midnight after each day: T0 (February) always; T2 until 7 March 08:30; T3 from the
    # 6th until 10 March 08:00; T4 from the 7th; T6 from the 10th. T1 closes the evening it opens,
    # T5 was "resolved" before it was created, so it counts as closed at its creation.
    expected = pl.DataFrame({"period": DAYS, "backlog": [2, 2, 3, 3, 3, 3, 3]})
    assert_frame_equal(got, expected)


def test_backlog_needs_resolved_at(read):
    assert efficiency.backlog_trend(read(EARLY_MARCH, tickets=TICKETS.drop("resolved_at"))) is None


def test_rate_trend_per_day(read):
    got = efficiency.rate_trend(read(EARLY_MARCH, tickets=TICKETS), DEFAULT, "1d")
    expected = pl.DataFrame(
        {
            "period": DAYS,
            # resolved with a reopen_count: 4th T1 0, T2 1; 6th T3 empty; 10th T5 2 (T6 open)
            "reopen_rate": [0.5, None, None, None, None, None, 1.0],
            # resolved with first_contact_resolved: 4th T1 yes, T2 no; 6th T3 yes; 10th T5 empty
            "fcr_rate": [0.5, None, 1.0, None, None, None, None],
            # with a customer: 4th T1 no, T2 yes; 6th T3 yes; 7th T4 no; 10th T6 no (T5 none)
            "repeat_contact_rate": [0.5, None, 1.0, 0.0, None, None, 0.0],
            "tickets": [2, 0, 1, 1, 0, 0, 2],
        }
    )
    assert_frame_equal(got, expected)


def test_rate_trend_is_none_without_any_of_its_columns(read):
    bare = TICKETS.drop("reopen_count", "first_contact_resolved", "customer_id")
    assert efficiency.rate_trend(read(EARLY_MARCH, tickets=bare), DEFAULT, "1w") is None
    with_customers = TICKETS.drop("reopen_count", "first_contact_resolved")
    weekly = efficiency.rate_trend(read(EARLY_MARCH, tickets=with_customers), DEFAULT, "1w")
    assert weekly.rows() == [(date(2024, 3, 4), None, None, 0.4, 6)]  # T2, T3 of 5 with a customer


# --- heat map ----------------------------------------------------------------------------


def expected_heatmap(cells: dict[tuple[int, int], tuple[int, float | None]]) -> pl.DataFrame:
    rows = [(w, h, *cells.get((w, h), (0, None))) for w in range(1, 8) for h in range(24)]
    return pl.DataFrame(
        rows,
        schema={
            "weekday": pl.Int8,
            "hour": pl.Int8,
            "tickets": pl.Int64,
            "first_response_hours_p50": pl.Float64,
        },
        orient="row",
    )


def test_heatmap_of_arrivals_and_median_response(read):
    got = efficiency.heatmap(read(EARLY_MARCH, tickets=TICKETS))
    # Monday 08: T1 1 h, T2 2 h → 1.5; Wednesday 08: T3 4 h; Thursday 23: T4 10 h;
    # Sunday 23: T5 (−1 h) and T6 (none) arrive but have no valid response.
    cells = {(1, 8): (2, 1.5), (3, 8): (1, 4.0), (4, 23): (1, 10.0), (7, 23): (2, None)}
    assert_frame_equal(got, expected_heatmap(cells))


def test_heatmap_without_first_response_still_counts_arrivals(read):
    got = efficiency.heatmap(read(EARLY_MARCH, tickets=TICKETS.drop("first_response_at")))
    cells = {(1, 8): (2, None), (3, 8): (1, None), (4, 23): (1, None), (7, 23): (2, None)}
    assert_frame_equal(got, expected_heatmap(cells))


def test_heatmap_of_an_empty_range_is_all_zeros(read):
    assert_frame_equal(efficiency.heatmap(read(EMPTY, tickets=TICKETS)), expected_heatmap({}))
    assert efficiency.heatmap(read(surveys=pl.DataFrame({"submitted_at": [at(4)]}))) is None


# --- breakdown ---------------------------------------------------------------------------

BREAKDOWN_COLUMNS = [
    "channel",
    "tickets",
    "resolved",
    "first_response_hours_p50",
    "first_response_hours_p90",
    "resolution_hours_p50",
    "resolution_hours_p90",
    "response_sla_rate",
    "resolution_sla_rate",
    "fcr_rate",
    "reopen_rate",
    "repeat_contact_rate",
]


def test_breakdown_by_channel(read):
    got = efficiency.breakdown(read(EARLY_MARCH, tickets=TICKETS), DEFAULT, "channel")
    expected = pl.DataFrame(
        [
            # T1 T3 T5, all resolved; responses 1 4 → p90 1 + 0.9·3; resolutions 12 96 → p50 54, p90 12 + 0.9·84;
            # fcr T1 T3 yes (T5 empty); reopen T1 0, T5 2; repeat T3 of T1 T3 (T5 none)
            ("phone", 3, 3, 2.5, 3.7, 54.0, 87.6, 1.0, 0.5, 1.0, 0.5, 0.5),
            # T4 T6: nothing resolved, T4 answered in 10 h, neither a repeat contact
            (None, 2, 0, 10.0, 10.0, None, None, 0.0, None, None, None, 0.0),
            # T2: 2 h, 72 h (within 72 h), not fixed first time, reopened, a repeat contact
            ("chat", 1, 1, 2.0, 2.0, 72.0, 72.0, 1.0, 1.0, 0.0, 1.0, 1.0),
        ],
        schema=BREAKDOWN_COLUMNS,
        orient="row",
    )
    assert_frame_equal(got, expected, check_dtypes=False)
    assert got.schema["tickets"] == pl.Int64 and got.schema["resolved"] == pl.Int64


def test_breakdown_keeps_kpis_without_columns_as_nulls(read):
    tickets = TICKETS.drop("reopen_count", "first_contact_resolved", "resolved_at")
    got = efficiency.breakdown(read(EARLY_MARCH, tickets=tickets), DEFAULT, "channel")
    assert got.columns == BREAKDOWN_COLUMNS
    unavailable = [
        "resolved",
        "resolution_hours_p50",
        "resolution_hours_p90",
        "resolution_sla_rate",
        "fcr_rate",
    ]
    assert all(got[c].null_count() == 3 for c in [*unavailable, "reopen_rate"])
    assert got["tickets"].to_list() == [3, 2, 1]


def test_breakdown_by_a_missing_dimension_is_none(read):
    assert efficiency.breakdown(read(EARLY_MARCH, tickets=TICKETS), DEFAULT, "agent") is None


def test_breakdown_of_an_empty_range_has_no_rows(read):
    got = efficiency.breakdown(read(EMPTY, tickets=TICKETS), DEFAULT, "channel")
    assert got.height == 0 and got.columns == BREAKDOWN_COLUMNS


# --- NEEDS -------------------------------------------------------------------------------

CALLS = {
    "distribution": lambda f: efficiency.distribution(f, "resolution"),
    "sla_trend": lambda f: efficiency.sla_trend(f, DEFAULT, "1d"),
    "backlog_trend": lambda f: efficiency.backlog_trend(f),
    "heatmap": lambda f: efficiency.heatmap(f),
    "breakdown": lambda f: efficiency.breakdown(f, DEFAULT, "channel"),
    "rate_trend": lambda f: efficiency.rate_trend(f, DEFAULT, "1d"),
}


def test_needs_lists_every_aggregation():
    assert set(efficiency.NEEDS) == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_function_is_none_exactly_without_the_columns_it_needs(read, name):
    needed = {c for need in efficiency.NEEDS[name] for c in need.split("|")}
    # distribution(resolution) needs resolved_at of its either-or; "channel" is breakdown's `by`
    needed = {"resolved_at"} if name == "distribution" else needed
    assert CALLS[name](read(EARLY_MARCH, tickets=TICKETS)) is not None
    without = read(EARLY_MARCH, tickets=TICKETS.drop(needed))
    assert (CALLS[name](without) is None) is bool(needed)


# --- sample data, checked against DuckDB -------------------------------------------------


SAMPLE_MONTH = Scope(date(2025, 3, 1), date(2025, 3, 31))
HOURS_SQL = "(epoch_us({end}) - epoch_us(created_at)) / 3600e6"
IN_MONTH = "created_at >= DATE '2025-03-01' AND created_at < DATE '2025-04-01'"


@pytest.mark.parametrize(
    ("which", "end"), [("first_response", "first_response_at"), ("resolution", "resolved_at")]
)
def test_sample_distribution_matches_duckdb(sample, which, end):
    got = efficiency.distribution(efficiency.frames(sample, SAMPLE_MONTH), which, by="channel")
    hours = HOURS_SQL.format(end=end)
    rows = sample.execute(
        f"SELECT channel, count(*), avg(h), quantile_cont(h, 0.1), quantile_cont(h, 0.25), quantile_cont(h, 0.5), "
        "quantile_cont(h, 0.75), quantile_cont(h, 0.9) "
        f"FROM (SELECT channel, {hours} AS h FROM tickets WHERE {IN_MONTH}) WHERE h >= 0 "
        "GROUP BY channel ORDER BY count(*) DESC, channel"
    ).fetchall()
    assert [r[:2] for r in got.stats.rows()] == [r[:2] for r in rows]
    for ours, theirs in zip(got.stats.rows(), rows, strict=True):
        assert ours[2:] == pytest.approx(theirs[2:])
    assert got.bins["tickets"].sum() == sum(r[1] for r in rows)
    # contiguous bins shared by every channel
    one = got.bins.filter(pl.col("channel") == rows[0][0])
    assert one["bin_end"][:-1].to_list() == one["bin_start"][1:].to_list()


def test_sample_heatmap_and_breakdown_add_up_to_the_tickets_kpi(sample):
    frames = efficiency.frames(sample, SAMPLE_MONTH)
    tickets = evaluate(frames, ("tickets",))["tickets"]
    heat = efficiency.heatmap(frames)
    cells = sample.execute(
        f"SELECT isodow(created_at), hour(created_at), count(*) FROM tickets WHERE {IN_MONTH} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert nonzero(heat).select("weekday", "hour", "tickets").rows() == cells
    assert heat["tickets"].sum() == tickets
    assert efficiency.breakdown(frames, DEFAULT, "category")["tickets"].sum() == tickets
    assert efficiency.sla_trend(frames, DEFAULT, "1w")["tickets"].sum() == tickets
    assert efficiency.rate_trend(frames, DEFAULT, "1d")["tickets"].sum() == tickets


def test_sample_backlog_on_the_last_day_is_the_backlog_kpi(sample):
    frames = efficiency.frames(sample, SAMPLE_MONTH)
    open_at_end = sample.execute(
        "SELECT count(*) FROM tickets WHERE created_at < DATE '2025-04-01' "
        "AND (resolved_at IS NULL OR greatest(created_at, resolved_at) >= DATE '2025-04-01')"
    ).fetchall()[0][0]
    backlog = efficiency.backlog_trend(frames)
    assert backlog["period"][-1] == date(2025, 3, 31)
    assert backlog["backlog"][-1] == open_at_end == evaluate(frames, ("backlog",))["backlog"]


def test_box_quantiles_per_group(read):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["A", "B", "C", "D", "E"],
            "created_at": [datetime(2024, 3, 4, 8)] * 5,
            "first_response_at": [datetime(2024, 3, 4, 8 + h) for h in (1, 2, 3, 5)] + [None],
            "channel": ["phone", "phone", "phone", "phone", "chat"],
        }
    )
    got = efficiency.distribution(read(tickets=tickets), "first_response", by="channel")
    phone = got.stats.row(0, named=True)
    # 1 2 3 5 h: p10 at position 0.3 → 1.3; p25 at 0.75 → 1.75; p75 at 2.25 → 3 + 0.25·2 = 3.5
    assert (phone["p10"], phone["p25"], phone["p50"], phone["p75"], phone["p90"]) == pytest.approx(
        (1.3, 1.75, 2.5, 3.5, 4.4)
    )
    chat = got.stats.row(1, named=True)
    assert (chat["tickets"], chat["p10"], chat["p75"]) == (0, None, None)  # no valid duration


# --- the page's view: words and charts ---------------------------------------------------


def test_dimensions_splits_and_the_breakdown_picked_first():
    tickets = pl.DataFrame({"ticket_id": ["A"], "agent": ["x"], "channel": ["phone"], "region": [None]})
    present = efficiency.dimensions(store.Frames(tickets, None, None, None, Scope()))
    assert present == ["channel", "region", "agent"]  # DIMENSIONS order
    assert efficiency.dimensions(store.Frames(None, None, None, None, Scope())) == []
    assert efficiency.splits(present) == ["channel", "region", "agent"]
    assert efficiency.splits(["product", "category", "priority"]) == ["priority", "category", "product"]
    assert efficiency.breakdown_default(["channel", "category"]) == "category"
    assert efficiency.breakdown_default(["region", "channel"]) == "region"
    assert efficiency.breakdown_default([]) is None


def test_sla_rule_says_the_limits_and_whether_a_priority_has_its_own():
    assert efficiency.sla_rule(DEFAULT, "en") == "Within SLA: first response ≤ 4 h, resolution ≤ 72 h"
    tighter = Settings(response_target_hours=2.5, priority_targets=(("P1", None, 8.0),))
    assert efficiency.sla_rule(tighter, "en") == (
        "Within SLA: first response ≤ 2.5 h, resolution ≤ 72 h; some priorities have their own limits (see Targets)."
    )
    assert efficiency.sla_rule(Settings(priority_targets=(("P1", None, None),)), "zh") == (
        "达标标准：首次响应 ≤ 4 小时，解决 ≤ 72 小时"  # a priority with no limit of its own
    )


def test_markers_label_mean_p50_and_p90_with_one_decimal():
    stats = pl.DataFrame({"tickets": [3], "mean": [60.04], "p50": [72.0], "p90": [None]})
    assert efficiency.markers(stats, "en") == [("Mean 60.0", 60.04), ("P50 72.0", 72.0), ("", None)]
    assert efficiency.markers(stats, "zh")[0] == ("平均 60.0", 60.04)


def test_histogram_figure_titles_markers_and_log_note(read):
    got = efficiency.distribution(read(EARLY_MARCH, tickets=TICKETS), "resolution")
    spec = efficiency.histogram_figure(got, "resolution", "en").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert "Resolution time: distribution" in text
    # mean 60, p50 72, p90 91.2 (test_resolution_histogram_and_stats)
    assert "Mean 60.0" in text and "P50 72.0" in text and "P90 91.2" in text
    assert "(log scale)" not in text
    long_tail = efficiency.distribution(read(tickets=durations([0, 0.05, 1, 3, 100])), "first_response")
    assert long_tail.log_scale
    spec = efficiency.histogram_figure(long_tail, "first_response", "zh").to_dict()
    assert "小时（对数刻度）" in json.dumps(spec, ensure_ascii=False)


def test_box_figure_draws_the_12_groups_with_most_tickets():
    stats = pl.DataFrame(
        {
            "channel": [f"c{i:02d}" for i in range(12)] + [None],
            "tickets": list(range(30, 17, -1)),
            "mean": [2.0] * 13,
            "p10": [0.5] * 13,
            "p25": [1.0] * 13,
            "p50": [1.5] * 12 + [None],
            "p75": [2.5] * 13,
            "p90": [4.0] * 13,
        }
    )
    grouped = efficiency.Distribution(pl.DataFrame(), stats, log_scale=False)
    spec = efficiency.box_figure(grouped, "first_response", "channel", False, "en").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert "First response time by Channel" in text
    assert '"c11"' in text and charts.MISSING not in text  # the 13th, the empty group, is left out
    assert efficiency.box_title("resolution", "channel", "zh") == "按渠道的解决时长"


def test_backlog_heatmap_cells_and_figures(read):
    frames = read(EARLY_MARCH, tickets=TICKETS)
    backlog = efficiency.backlog_trend(frames, "1d")
    spec = efficiency.backlog_figure(backlog, "en").to_dict()
    assert spec["title"] == "Backlog at each day's end"
    assert spec["encoding"]["y"]["title"] == "Open tickets"
    cells = efficiency.heatmap(frames)
    shown = efficiency.heatmap_cells(cells, "tickets")
    assert shown.columns == ["weekday", "hour", "tickets"] and shown.height == 7 * 24
    # T1 and T2 arrive on Monday 4 March at 08:00 and 08:30
    assert shown.filter(weekday=1, hour=8)["tickets"].to_list() == [2]
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        efficiency.heatmap_cells(cells.drop("first_response_hours_p50"), "first_response_hours_p50")
    value, title, value_format = efficiency.HEATMAPS[1]
    spec = efficiency.heatmap_figure(cells, value, title, value_format, "en").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert "Median first response (hours, by arrival time)" in text
    assert '"Mon"' in text and "No data" in text  # weekday names; empty cells (null median) marked


# --- date-only data -----------------------------------------------------------------------


def whole_days(days: list[int | None]) -> pl.DataFrame:
    """Tickets created at midnight on 4 March and resolved `days` later, also at midnight (None: open)."""
    start = at(4)
    return pl.DataFrame(
        {
            "ticket_id": [f"W{i}" for i in range(len(days))],
            "created_at": [start] * len(days),
            "resolved_at": [None if d is None else start + timedelta(days=d) for d in days],
            "channel": ["phone", "chat"] * (len(days) // 2) + ["phone"] * (len(days) % 2),
        }
    )


def test_date_only_is_every_created_at_at_midnight(read):
    assert efficiency.date_only(read(tickets=whole_days([0, 1, None])))
    assert not efficiency.date_only(read(tickets=TICKETS))  # 08:00, 08:30 …
    assert not efficiency.date_only(
        read(EMPTY, tickets=whole_days([1]))
    )  # no ticket in range: nothing to say


def test_durations_of_date_only_data_in_whole_days(read):
    frames = read(tickets=whole_days([0, 1, 1, 3, 5, None]))
    got = efficiency.distribution(frames, "resolution", days=True)
    assert got.days and not got.log_scale  # p50 1 day, longest 5 ≤ 20 × 1
    # One bin per whole day, 0 to 5 days: not the hour steps (0.2 h) 120 hours would get.
    assert_frame_equal(got.bins, histogram([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1, 2, 0, 1, 0, 1]))
    # mean (0+1+1+3+5)/5 = 2; p50 1; p90 at position 3.6 → 3 + 0.6·2 = 4.2 — the engine's hours ÷ 24
    stats = pl.DataFrame({"tickets": [5], "mean": [2.0], "p50": [1.0], "p90": [4.2]})
    assert_frame_equal(core(got.stats), stats, check_dtypes=False)
    hours = efficiency.distribution(frames, "resolution")
    assert hours.stats["p90"][0] == pytest.approx(4.2 * 24)  # the KPI itself stays in hours
    spec = json.dumps(efficiency.histogram_figure(got, "resolution", "en").to_dict())
    assert '"title": "Days"' in spec and "P90 4.2" in spec
    grouped = efficiency.distribution(frames, "resolution", by="channel", days=True)
    box = efficiency.box_figure(grouped, "resolution", "channel", False, "zh").to_dict()
    assert box["layer"][0]["encoding"]["x"]["title"] == "天"


def test_same_day_and_next_day_durations_stay_on_a_linear_axis(read):
    # Median 0 days, longest 1: in hours (p50 0, longest 24 > 20 × 0) a log axis; whole days cannot tell
    # 0 from 0.9, so the median counts as 1 day and the axis stays linear with bins 0 and 1.
    frames = read(tickets=whole_days([0, 0, 0, 1]))
    assert efficiency.distribution(frames, "resolution").log_scale
    got = efficiency.distribution(frames, "resolution", days=True)
    assert not got.log_scale
    assert_frame_equal(got.bins, histogram([0.0, 1.0, 2.0], [3, 1]))
    assert efficiency.distribution(read(tickets=whole_days([0, 1, 1, 30])), "resolution", days=True).log_scale


@pytest.mark.parametrize(
    ("longest", "step"), [(0.0, 1.0), (2.0, 1.0), (29.0, 1.0), (45.0, 2.0), (400.0, 15.0), (2000.0, 80.0)]
)
def test_whole_day_bins_are_whole_numbers_of_days_wide(longest, step):
    edges = efficiency._linear_edges(longest, whole=True)
    assert (
        edges[1] - edges[0] == step and edges[-1] > longest and len(edges) - 1 <= efficiency.MAX_LINEAR_BINS
    )
