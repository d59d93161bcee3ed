"""Team page data on tiny hand-made stores: every expected value is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.analysis import team
from lib.engine import store
from lib.engine.kpis import Settings, evaluate

# Monday 4 to Friday 15 March 2024: two full weeks, 10 working days.
TWO_WEEKS = store.Scope(date(2024, 3, 4), date(2024, 3, 15))


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour)


#   first response: T1 1 h, T2 3 h, T3 −1 h (left out), T4 2 h, T5 none
#   resolution:     T1 12 h, T2 24 h, T3 open, T4 −1 h (resolved, duration left out), T5 24 h
# T6 (agent c) was created in February, outside the range; its answer S6 is inside it.
TICKETS = pl.DataFrame(
    {
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6"],
        "created_at": [at(4, 8), at(5, 8), at(6, 8), at(7, 8), at(8, 8), at(20, 8, month=2)],
        "first_response_at": [at(4, 9), at(5, 11), at(6, 7), at(7, 10), None, None],
        "resolved_at": [at(4, 20), at(6, 8), None, at(7, 7), at(9, 8), None],
        "agent": ["a", "a", "a", "b", None, "c"],
        "reopen_count": [0, 1, None, 0, 0, 0],
        "first_contact_resolved": [True, False, None, True, True, None],
        "labor_cost": [100.0, 50.0, None, 30.0, 10.0, 5.0],
        "handle_minutes": [10.0, 30.0, None, 20.0, None, 5.0],
    }
)
# S4 answers a ticket nobody loaded: it has no agent and must not land in the unassigned row.
SURVEYS = pl.DataFrame(
    {
        "submitted_at": [at(5), at(6), at(8), at(9), at(11), at(12)],
        "ticket_id": ["T1", "T2", "T4", "ZZ", "T5", "T6"],
        "csat": [5.0, 2.0, 4.0, 1.0, 5.0, 4.0],
    }
)
TABLE_SCHEMA = {
    "agent": pl.String,
    "tickets": pl.Int64,
    "resolved": pl.Int64,
    "working_days": pl.Int64,
    **{c: pl.Float64 for c in team.TABLE_COLUMNS[4:]},
}


def test_table_one_row_per_agent(loaded):
    frames = team.frames(loaded(tickets=TICKETS, surveys=SURVEYS), TWO_WEEKS)
    expected = pl.DataFrame(
        {
            # busiest first; b and unassigned tie on 1 ticket (unassigned last); c has no ticket in range
            "agent": ["a", "b", None, "c"],
            "tickets": [3, 1, 1, 0],
            "resolved": [2, 1, 1, 0],
            "working_days": [10, 10, 10, 10],
            "throughput_per_day": [0.2, 0.1, 0.1, 0.0],  # resolved / 10
            "first_response_hours_p50": [2.0, 2.0, None, None],  # a: 1 3 → 2 (T3's −1 h left out)
            "first_response_hours_p90": [2.8, 2.0, None, None],  # a: 1 + 0.9·(3 − 1)
            "resolution_hours_p50": [18.0, None, 24.0, None],  # a: 12 24 → 18; b: only −1 h
            "resolution_hours_p90": [22.8, None, 24.0, None],  # a: 12 + 0.9·12
            "fcr_rate": [0.5, 1.0, 1.0, None],  # a: resolved T1 T2 → T F
            "reopen_rate": [0.5, 0.0, 0.0, None],  # a: T1 0, T2 1
            "csat": [50.0, 100.0, 100.0, 100.0],  # a: 5 2; b: 4; unassigned: 5 (not S4's 1); c: 4
            "cost_per_ticket": [50.0, 30.0, 10.0, None],  # a: 150 / 3 (T3 empty); c: no ticket
            "handle_minutes_mean": [20.0, 20.0, None, None],  # a: (10 + 30) / 2
        },
        schema=TABLE_SCHEMA,
    )
    assert_frame_equal(team.table(frames, Settings()), expected)


def test_table_rows_add_up_to_the_kpi_cards(loaded):
    frames = team.frames(loaded(tickets=TICKETS, surveys=SURVEYS), TWO_WEEKS)
    cards = evaluate(frames, ("tickets", "resolved"))
    got = team.table(frames)
    assert got["tickets"].sum() == cards["tickets"] == 5
    assert got["resolved"].sum() == cards["resolved"] == 4


def test_open_scope_counts_working_days_over_the_created_span(loaded):
    frames = team.frames(loaded(tickets=TICKETS), store.Scope())
    # Tue 20 Feb to Fri 8 Mar: 4 + 5 + 5 weekdays
    assert team.table(frames)["working_days"].unique().to_list() == [14]


def test_a_weekend_range_has_no_working_day_and_no_throughput(loaded):
    tickets = pl.DataFrame(
        {"ticket_id": ["W"], "created_at": [at(9, 10)], "resolved_at": [at(9, 12)], "agent": ["a"]}
    )
    frames = team.frames(loaded(tickets=tickets), store.Scope(date(2024, 3, 9), date(2024, 3, 10)))
    row = team.table(frames).row(0, named=True)
    assert (row["resolved"], row["working_days"], row["throughput_per_day"]) == (1, 0, None)


def test_missing_columns(loaded):
    con = loaded(tickets=TICKETS.select("ticket_id", "created_at", "agent"))
    frames = team.frames(con, TWO_WEEKS)
    got = team.table(frames)
    # counts still work; every KPI whose column is missing is null, not zero
    assert got["tickets"].to_list() == [3, 1, 1]
    assert got.drop("agent", "tickets", "working_days").null_count().row(0) == (3,) * 11


def test_without_an_agent_column_everything_is_none(loaded):
    frames = team.frames(loaded(tickets=TICKETS.drop("agent")), TWO_WEEKS)
    assert team.table(frames) is None
    assert team.workload(frames, "1w") is None


def test_empty_scope(loaded):
    frames = team.frames(
        loaded(tickets=TICKETS, surveys=SURVEYS), store.Scope(date(2024, 5, 1), date(2024, 5, 31))
    )
    got = team.table(frames)
    assert got.is_empty() and got.schema == pl.Schema(TABLE_SCHEMA)
    assert team.team_median(got) == dict.fromkeys(team.TABLE_COLUMNS[1:])
    assert team.outliers(got).is_empty()
    assert team.workload(frames, "1w").is_empty()


# --- team median and outliers -------------------------------------------------------------


def ranked(**columns: list) -> pl.DataFrame:
    """A table as `team.table` returns it, with only the given columns filled in."""
    height = len(columns["agent"])
    return pl.DataFrame({c: columns.get(c, [None] * height) for c in team.TABLE_COLUMNS}, schema=TABLE_SCHEMA)


AGENTS = ranked(
    agent=["a", "b", "c", "d", "e", None],
    tickets=[10, 20, 30, 40, 1000, 5000],  # volumes are not judged
    throughput_per_day=[1.0, 2.0, 3.0, 4.0, 10.0, 100.0],  # the unassigned 100 is left out
    handle_minutes_mean=[10.0, 10.0, 10.0, 30.0, 10.0, None],
    fcr_rate=[0.1, 0.9, 0.9, None, None, None],  # only 3 agents: not judged
    csat=[80.0, 90.0, None, 60.0, 70.0, 0.0],
)


def test_team_median_leaves_out_the_unassigned():
    got = team.team_median(AGENTS)
    assert got["tickets"] == 30.0  # 10 20 30 40 1000
    assert got["throughput_per_day"] == 3.0
    assert got["csat"] == 75.0  # 60 70 80 90
    assert got["fcr_rate"] == 0.9
    assert got["resolved"] is None


def test_outliers_outside_median_plus_minus_k_iqr():
    expected = pl.DataFrame(
        {
            # handle minutes: all 10 but d's 30 → IQR 0, so 30 is out (and lower is better)
            # throughput: 1 2 3 4 10 → median 3, q25 2, q75 4, IQR 2 → fences 0 and 6
            "agent": ["d", "e"],
            "metric": ["handle_minutes_mean", "throughput_per_day"],
            "value": [30.0, 10.0],
            "median": [10.0, 3.0],
            "low": [10.0, 0.0],
            "high": [10.0, 6.0],
            "direction": ["worse", "better"],
        }
    )
    # csat: 60 70 80 90 → median 75, IQR 15 → fences 52.5 and 97.5: nobody
    assert_frame_equal(team.outliers(AGENTS), expected)


def test_outliers_a_smaller_k_and_the_worst_first():
    got = team.outliers(AGENTS, columns=("csat", "throughput_per_day"), k=0.5)
    # csat fences 67.5 / 82.5: 60 worse, 90 better; throughput fences 2 / 4: 1 worse, 10 better.
    # Worse first, then by distance in IQRs: a's throughput (1 IQR) before d's csat (1 IQR; metric name)
    assert got.select("agent", "metric", "direction").rows() == [
        ("d", "csat", "worse"),
        ("a", "throughput_per_day", "worse"),
        ("e", "throughput_per_day", "better"),
        ("b", "csat", "better"),
    ]


def test_outliers_judge_only_people_with_enough_tickets():
    # with at least 20 tickets, a (10 tickets) is neither judged nor part of the median:
    # throughput 2 3 4 10 → median 3.5, q25 2.75, q75 5.5, IQR 2.75 → fences −0.625 and 7.625
    got = team.outliers(AGENTS, columns=("throughput_per_day",), min_tickets=20)
    assert got.select("agent", "median").rows() == [("e", 3.5)]
    # and with 4 or fewer such people there is no team to compare with
    assert team.outliers(AGENTS, columns=("throughput_per_day",), min_tickets=30).is_empty()


def test_outliers_skip_volumes_and_metrics_with_few_agents():
    assert team.outliers(AGENTS, columns=("tickets", "working_days", "fcr_rate")).is_empty()


# --- workload -----------------------------------------------------------------------------

# Week of 4 March: a a None; week of 11 March: a b b c.
WORKLOAD = pl.DataFrame(
    {
        "ticket_id": [f"W{i}" for i in range(7)],
        "created_at": [at(4), at(5), at(6), at(11), at(12), at(13), at(14)],
        "agent": ["a", "a", None, "a", "b", "b", "c"],
    }
)


def test_workload_top_agents_and_the_rest(loaded):
    frames = team.frames(loaded(tickets=WORKLOAD), TWO_WEEKS)
    expected = pl.DataFrame(
        {
            "period": [date(2024, 3, 4)] * 3 + [date(2024, 3, 11)] * 3,
            "agent": ["a", "b", team.OTHER] * 2,
            "tickets": [2, 0, 1, 1, 2, 1],  # b had nothing in week one; OTHER = unassigned, then c
        }
    )
    assert_frame_equal(team.workload(frames, "1w", top=2), expected)


def test_workload_without_others_keeps_the_unassigned_series(loaded):
    frames = team.frames(loaded(tickets=WORKLOAD), TWO_WEEKS)
    got = team.workload(frames, "1w", top=10)
    # a 3, b 2, then c and unassigned with 1 each (unassigned last); no OTHER series
    assert got.filter(pl.col("period") == date(2024, 3, 4))["agent"].to_list() == ["a", "b", "c", None]
    assert got["tickets"].sum() == evaluate(frames, ("tickets",))["tickets"] == 7


# --- sample data against an independent DuckDB computation --------------------------------


def test_sample_table_matches_sql(sample):
    scope = store.Scope(date(2025, 3, 1), date(2025, 5, 31))
    got = team.table(team.frames(sample, scope), Settings()).sort("agent")
    in_range = "created_at >= DATE '2025-03-01' AND created_at < DATE '2025-06-01'"
    tickets = sample.sql(
        f"""SELECT agent, count(*) AS tickets, count(resolved_at) AS resolved,
              quantile_cont(epoch(resolved_at - created_at) / 3600, 0.5)
                FILTER (WHERE resolved_at >= created_at) AS resolution_hours_p50,
              sum(coalesce(labor_cost, 0) + coalesce(parts_cost, 0) + coalesce(travel_cost, 0)) / count(*)
                AS cost_per_ticket
            FROM tickets WHERE {in_range} GROUP BY agent ORDER BY agent"""
    ).pl()
    csat = sample.sql(
        """SELECT t.agent, 100 * avg(CASE WHEN s.csat >= 4 THEN 1.0 ELSE 0.0 END) AS csat
           FROM surveys s JOIN tickets t USING (ticket_id)
           WHERE s.submitted_at >= DATE '2025-03-01' AND s.submitted_at < DATE '2025-06-01' AND s.csat IS NOT NULL
           GROUP BY t.agent"""
    ).pl()
    # Weekdays, less Qingming (Fri 4 Apr) and Labour Day (Thu 1, Fri 2, Mon 5 May), plus the make-up
    # working Sunday 27 April (国务院办公厅 2025 schedule).
    days = sample.execute(
        "SELECT count(*) FROM range(DATE '2025-03-01', DATE '2025-06-01', INTERVAL 1 DAY) d(day) "
        "WHERE (isodow(day) <= 5 AND day::DATE NOT IN ('2025-04-04', '2025-05-01', '2025-05-02', '2025-05-05')) "
        "OR day::DATE = '2025-04-27'"
    ).fetchall()[0][0]
    assert days == 62
    expected = tickets.join(csat, on="agent", how="left").sort("agent")
    assert got["agent"].to_list() == expected["agent"].to_list()
    assert got["working_days"].unique().to_list() == [days]
    for column in ("tickets", "resolved", "resolution_hours_p50", "cost_per_ticket", "csat"):
        assert got[column].to_list() == pytest.approx(expected[column].to_list()), column
    assert got["throughput_per_day"].to_list() == pytest.approx((expected["resolved"] / days).to_list())


def test_ranking_puts_the_best_first_by_the_metric_direction():
    table = pl.DataFrame(
        {
            "agent": ["a", "b", "c", None],
            "reopen_rate": [0.2, None, 0.05, 0.1],
            "throughput_per_day": [1.0, 3.0, 2.0, None],
        }
    )
    assert team.ranking(table, "reopen_rate")["agent"].to_list() == ["c", None, "a", "b"]  # lower is better
    assert team.ranking(table, "throughput_per_day")["agent"].to_list() == ["b", "c", "a", None]


def test_outlier_lines_group_each_persons_metrics_in_plain_words():
    found = pl.DataFrame(
        {
            "agent": ["李强", "李强", "张伟"],
            "metric": ["csat", "reopen_rate", "resolution_hours_p50"],
            "value": [22.2, 0.203, 19.7],
            "median": [79.6, 0.049, 31.0],
            "low": [50.8, -0.058, 21.1],
            "high": [108.5, 0.155, 40.9],
            "direction": ["worse", "worse", "better"],
        }
    )
    zh = team.outlier_lines(found, "zh")
    assert zh == [
        ":red[●] **李强** 明显差于团队：满意度 CSAT 22.2（中位数 79.6）；返修率 20.3%（中位数 4.9%）",
        ":green[●] **张伟** 明显好于团队，值得借鉴：解决中位数（小时） 19.7 小时（中位数 31.0 小时）",
    ]
    assert (
        "clearly worse than the team on CSAT 22.2 (median 79.6); Reopen rate 20.3% (median 4.9%)"
        in (team.outlier_lines(found, "en")[0])
    )
