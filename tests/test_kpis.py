"""KPI engine (SPEC §2) on tiny hand-made stores: every expected value is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.engine.kpis import BY_KEY, Settings, change, evaluate, evaluate_by, status
from lib.engine.store import Scope

MARCH = Scope(date(2024, 3, 1), date(2024, 3, 31))


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour)


# One service month (March 2024). T6 and T7 fall outside the range: T6 is an old open
# ticket (backlog, and the earlier contact of c2), T7 is created after the range end.
#   first response: T1 1 h, T2 2 h, T3 4 h, T4 10 h, T5 −1 h (left out)
#   resolution:     T1 12 h, T2 72 h, T3 96 h, T4 open, T5 −24 h (resolved, duration left out)
SERVICE_TICKETS = pl.DataFrame(
    {
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6", "T7"],
        "created_at": [
            at(4, 8),
            at(5, 8),
            at(6, 8),
            at(7, 8),
            at(8, 8),
            at(20, 8, month=2),
            at(2, 8, month=4),
        ],
        "first_response_at": [at(4, 9), at(5, 10), at(6, 12), at(7, 18), at(8, 7), None, None],
        "resolved_at": [at(4, 20), at(8, 8), at(10, 8), None, at(7, 8), None, None],
        "customer_id": ["c1", "c1", "c2", "c3", None, "c2", "c3"],
        "agent": ["a", "a", "b", "b", "a", "b", "b"],
        "channel": ["phone", "chat", "phone", "app", "phone", "phone", "chat"],
        "category": ["安装", "维修", "投诉", "维修", "维修", "维修", "维修"],
        "reopen_count": [0, 1, None, 0, 0, None, None],
        "first_contact_resolved": [True, False, True, True, True, None, None],
        "is_complaint": [False, True, True, False, None, None, None],
        "labor_cost": [100.0, 200.0, None, 50.0, None, None, None],
        "parts_cost": [50.0, None, 30.0, None, None, None, None],
        "travel_cost": [None, 20.0, 10.0, None, None, None, None],
        "handle_minutes": [10.0, 20.0, None, 30.0, None, None, None],
    }
)
# S6 (April) and S7 (February) are outside the range; S5 answers no ticket.
SERVICE_SURVEYS = pl.DataFrame(
    {
        "submitted_at": [at(5), at(6), at(9), at(11), at(12), at(1, month=4), at(29, month=2)],
        "ticket_id": ["T1", "T1", "T2", "T3", None, "T4", "T6"],
        "csat": [5.0, 3.0, 4.0, None, 1.0, 5.0, 5.0],
        "nps": [10.0, 9.0, 6.0, 7.0, None, 10.0, 10.0],
    }
)
SERVICE_CUSTOMERS = pl.DataFrame(
    {"customer_id": ["c1", "c2", "c3", "c4", "c5"], "churned": [True, False, None, True, False]}
)
SERVICE = {"tickets": SERVICE_TICKETS, "surveys": SERVICE_SURVEYS, "customers": SERVICE_CUSTOMERS}

SERVICE_MARCH = {
    "tickets": 5,  # T1–T5
    "resolved": 4,  # T1, T2, T3, T5
    "resolution_rate": 0.8,  # 4 / 5
    "backlog": 2,  # T4 (open) + T6 (February, still open); T7 created after the range end
    "first_response_hours_mean": 4.25,  # (1 + 2 + 4 + 10) / 4, T5's −1 h left out
    "first_response_hours_p50": 3.0,  # sorted 1 2 4 10, position 0.5·3 = 1.5 → 2 + 0.5·(4 − 2)
    "first_response_hours_p90": 8.2,  # position 0.9·3 = 2.7 → 4 + 0.7·(10 − 4)
    "resolution_hours_mean": 60.0,  # (12 + 72 + 96) / 3, T5's −24 h left out
    "resolution_hours_p50": 72.0,  # sorted 12 72 96, position 1
    "resolution_hours_p90": 91.2,  # position 0.9·2 = 1.8 → 72 + 0.8·(96 − 72)
    "response_sla_rate": 0.75,  # ≤ 4 h: 1, 2, 4 (exactly 4 counts) of 4 valid
    "resolution_sla_rate": 2 / 3,  # ≤ 72 h: 12, 72 (exactly 72 counts) of 3 valid
    "fcr_rate": 0.75,  # resolved T1 T2 T3 T5: first_contact_resolved T F T T → 3 / 4 (T4 is open)
    "reopen_rate": 1 / 3,  # resolved with a reopen_count: T1 0, T2 1, T5 0 → 1 / 3 (T3 empty)
    "repeat_contact_rate": 0.5,  # T2 (T1 a day before), T3 (T6 15 days before) of T1–T4; T5 no customer
    "complaints": 2,  # is_complaint true: T2, T3 (T5 empty is not a complaint)
    "complaint_rate": 0.4,  # 2 / 5
    "cost_total": 460.0,  # labour 350 + parts 80 + travel 30
    "cost_per_ticket": 92.0,  # 460 / 5
    "labor_cost_total": 350.0,  # 100 + 200 + 50
    "labor_cost_per_ticket": 70.0,  # 350 / 5
    "parts_cost_total": 80.0,  # 50 + 30
    "parts_cost_per_ticket": 16.0,  # 80 / 5
    "travel_cost_total": 30.0,  # 20 + 10
    "travel_cost_per_ticket": 6.0,  # 30 / 5
    "handle_minutes_mean": 20.0,  # (10 + 20 + 30) / 3
    "csat": 50.0,  # S1–S5 with a csat: 5 3 4 1 → 2 of 4 are ≥ 4 → 100 · 0.5
    "csat_mean": 3.25,  # 13 / 4
    "nps": 25.0,  # 10 9 6 7: promoters 2, detractors 1 → 100 · (2 − 1) / 4
    "survey_responses": 5,  # S1–S5
    "survey_response_rate": 0.6,  # distinct answered tickets T1 T2 T3 = 3 / 5 tickets
    "churn_rate": 0.4,  # c1, c4 churned of 5 customers (empty churned is not churned)
}


def test_every_kpi_on_one_service_month(frames_for):
    assert SERVICE_MARCH.keys() == BY_KEY.keys(), "a KPI was added: work out its value here by hand"
    assert evaluate(frames_for(MARCH, **SERVICE)) == pytest.approx(SERVICE_MARCH)


def test_the_same_declarations_through_narwhals_lazy_frames_give_the_same_month(frames_for):
    """The path another engine takes (lib.lake): lazy frames that bring their own DERIVED columns."""
    import narwhals as nw

    from lib.engine.kpis import DERIVED
    from lib.engine.store import Frames

    local = frames_for(MARCH, **SERVICE)

    def lazy(frame: pl.DataFrame | None):
        if frame is None:
            return None
        derived = [e.alias(n) for n, (cols, e) in DERIVED.items() if set(cols) <= set(frame.columns)]
        return nw.from_native(frame.lazy().with_columns(derived))

    engine = Frames(
        *(lazy(getattr(local, t)) for t in ("tickets", "surveys", "customers", "history")), scope=MARCH
    )
    assert evaluate(engine) == pytest.approx(SERVICE_MARCH)
    by_agent = evaluate_by(local, ("tickets", "first_response_hours_p90", "csat"), by="agent")
    assert_frame_equal(
        evaluate_by(engine, ("tickets", "first_response_hours_p90", "csat"), by="agent"),
        by_agent,
        check_dtypes=False,
    )


def test_a_kpi_reads_the_sources_of_its_derived_columns():
    from lib.engine.kpis import reads

    have = frozenset({"created_at", "first_response_at", "priority", "resolved_at", "ticket_id"})
    assert reads(BY_KEY["first_response_hours_p90"], have, Settings()) == {"created_at", "first_response_at"}
    per_priority = Settings(priority_targets=(("P1", 1.0, None),))
    assert reads(BY_KEY["response_sla_rate"], have, per_priority) == {
        "created_at",
        "first_response_at",
        "priority",
    }
    assert reads(BY_KEY["tickets"], have, Settings()) == frozenset()  # a row count reads no column
    assert reads(BY_KEY["csat"], have, Settings()) == frozenset()  # not available here


@pytest.mark.parametrize("key", [k for k in BY_KEY if BY_KEY[k].table in ("tickets", "history")])
def test_the_columns_read_for_a_kpi_include_everything_its_expression_reads(key):
    from lib.engine.kpis import columns_for, reads
    from lib.schema import TICKETS

    every = frozenset(f.name for f in TICKETS) | {"repeat_contact", "open_at_end"}
    for have in (every, every - {"is_complaint", "first_contact_resolved"}):  # fallbacks read other columns
        read = reads(BY_KEY[key], have, Settings(priority_targets=(("P1", 1.0, 2.0),))) - {"open_at_end"}
        assert read <= columns_for((key,)), read - columns_for((key,))
    assert "ticket_id" not in columns_for((key,)) and "customer_id" in columns_for((key,), by="customer_id")


def test_evaluate_returns_only_the_keys_asked_for(frames_for):
    frames = frames_for(MARCH, **SERVICE)
    # survey_response_rate needs the ticket count internally, but only what was asked comes back
    assert evaluate(frames, ("survey_response_rate", "csat")) == pytest.approx(
        {"survey_response_rate": 0.6, "csat": 50.0}
    )


# --- durations and SLA ---------------------------------------------------------------


def test_sla_targets_from_settings(frames_for):
    frames = frames_for(MARCH, tickets=SERVICE_TICKETS)
    settings = Settings(response_target_hours=2, resolution_target_hours=24)
    got = evaluate(
        frames, ("response_sla_rate", "resolution_sla_rate", "first_response_hours_mean"), settings
    )
    assert got == pytest.approx(
        {
            "response_sla_rate": 0.5,  # ≤ 2 h: 1, 2 of 1 2 4 10
            "resolution_sla_rate": 1 / 3,  # ≤ 24 h: 12 of 12 72 96
            "first_response_hours_mean": 4.25,  # targets do not change the durations
        }
    )


def test_sla_targets_per_priority(frames_for):
    tickets = SERVICE_TICKETS.with_columns(pl.Series("priority", ["P1", "P1", "P4", None, "P9", None, None]))
    settings = Settings(priority_targets=(("P1", 1.0, 12.0), ("P4", 8.0, None)))
    got = evaluate(frames_for(MARCH, tickets=tickets), ("response_sla_rate", "resolution_sla_rate"), settings)
    assert got == pytest.approx(
        {
            # T1 P1 1 h ≤ 1 ✓, T2 P1 2 h > 1 ✗, T3 P4 4 h ≤ 8 ✓, T4 no priority 10 h > 4 (general) ✗
            "response_sla_rate": 0.5,
            # T1 P1 12 h ≤ 12 ✓, T2 P1 72 h > 12 ✗, T3 P4 without its own: 96 h > 72 (general) ✗
            "resolution_sla_rate": 1 / 3,
        }
    )


def test_priority_targets_without_a_priority_column_use_the_general_target(frames_for):
    settings = Settings(priority_targets=(("P1", 1.0, 12.0),))
    got = evaluate(frames_for(MARCH, tickets=SERVICE_TICKETS), ("response_sla_rate",), settings)
    assert got == pytest.approx({"response_sla_rate": 0.75})


def test_settings_round_trip_through_the_mapping_file_form():
    settings = Settings(
        response_target_hours=2.0,
        targets=(("csat", 90.0),),
        tolerance=0.2,
        priority_targets=(("P1", 1.0, 24.0), ("P4", None, 120.0)),
    )
    assert Settings.from_dict(settings.to_dict()) == settings


def test_settings_from_a_tampered_file_fall_back_to_defaults():
    saved = {
        "response_target_hours": -3,  # a negative target would fail every ticket
        "resolution_target_hours": "72",
        "tolerance": True,
        "targets": {"csat": "high", "nps": 40},
        "priority_targets": {"P1": {"response_hours": float("nan"), "resolution_hours": 8}, "P2": "fast"},
    }
    assert Settings.from_dict(saved) == Settings(
        targets=(("nps", 40.0),), priority_targets=(("P1", None, 8.0), ("P2", None, None))
    )


def test_duration_equal_to_the_target_is_within_and_one_second_more_is_not(frames_for):
    start = at(4, 8)
    tickets = pl.DataFrame(
        {
            "ticket_id": ["on", "over", "missing"],
            "created_at": [start, start, start],
            "first_response_at": [start + timedelta(hours=4), start + timedelta(hours=4, seconds=1), None],
            "resolved_at": [start + timedelta(hours=72), start + timedelta(hours=72, seconds=1), None],
        }
    )
    got = evaluate(frames_for(MARCH, tickets=tickets), ("response_sla_rate", "resolution_sla_rate"))
    # "on" within, "over" not; "missing" has no response and is open, so it is in neither share
    assert got == {"response_sla_rate": 0.5, "resolution_sla_rate": 0.5}


def test_durations_with_no_valid_value_are_not_available(frames_for):
    # Both resolved before they were created, A answered before it too, B never: no valid duration.
    tickets = pl.DataFrame(
        {
            "ticket_id": ["A", "B"],
            "created_at": [at(4, 8), at(5, 8)],
            "first_response_at": [at(4, 7), None],
            "resolved_at": [at(4, 6), at(5, 7)],
        }
    )
    got = evaluate(frames_for(MARCH, tickets=tickets))
    for stat in ("mean", "p50", "p90"):
        assert got[f"first_response_hours_{stat}"] is None
        assert got[f"resolution_hours_{stat}"] is None
    assert got["response_sla_rate"] is None
    assert got["resolution_sla_rate"] is None
    assert got["resolved"] == 2  # still resolved, only the durations are invalid


# --- first contact resolution, reopens ---------------------------------------------


def test_fcr_falls_back_to_reopen_count_when_first_contact_resolved_is_absent(frames_for):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["F1", "F2", "F3", "F4", "F5"],
            "created_at": [at(4), at(5), at(6), at(7), at(8)],
            "resolved_at": [at(4, 5), at(5, 5), at(6, 5), at(7, 5), None],
            "reopen_count": [0, 1, 0, None, 0],
        }
    )
    got = evaluate(frames_for(MARCH, tickets=tickets), ("fcr_rate", "reopen_rate"))
    assert got == pytest.approx(
        {
            # resolved F1–F4, F4's empty reopen_count left out, F5 is open:
            "fcr_rate": 2 / 3,  # reopen_count 0: F1, F3 of F1 F2 F3
            "reopen_rate": 1 / 3,  # reopen_count > 0: F2 of F1 F2 F3
        }
    )


def test_first_contact_resolved_wins_over_reopen_count(frames_for):
    # Service month: from reopen_count the rate would be 2 / 3 (T1 0, T2 1, T5 0).
    got = evaluate(frames_for(MARCH, tickets=SERVICE_TICKETS), ("fcr_rate",))
    assert got["fcr_rate"] == pytest.approx(0.75)


def test_fcr_and_reopen_rate_without_their_columns_are_not_available(frames_for):
    tickets = SERVICE_TICKETS.drop("first_contact_resolved", "reopen_count")
    got = evaluate(frames_for(MARCH, tickets=tickets), ("fcr_rate", "reopen_rate"))
    assert got == {"fcr_rate": None, "reopen_rate": None}


# --- backlog ---------------------------------------------------------------------------


def test_backlog_counts_open_tickets_of_any_creation_date_at_the_range_end(frames_for):
    tickets = pl.DataFrame(
        [
            ("B1", at(10, month=2), None),  # created before the range, still open: backlog
            ("B2", at(15, month=2), at(20, month=2)),  # resolved before the range
            ("B3", at(10), at(5, month=4)),  # resolved after the range end: backlog
            ("B4", at(12), datetime(2024, 3, 31, 23)),  # resolved on the last evening
            ("B5", at(20), None),  # open: backlog
            ("B6", at(2, month=4), None),  # created after the range end
            ("B7", at(1, month=2), at(15)),  # created before, resolved within the range
        ],
        schema=["ticket_id", "created_at", "resolved_at"],
        orient="row",
    )
    got = evaluate(frames_for(MARCH, tickets=tickets), ("tickets", "backlog"))
    assert got == {"tickets": 3, "backlog": 3}  # tickets: B3 B4 B5; backlog: B1 B3 B5


# Weeks of 4–10 and 11–17 March 2024 (Mondays); ends at 11 and 18 March 00:00.
WEEKLY_TICKETS = pl.DataFrame(
    {
        "ticket_id": ["W1", "W2", "W3", "W4", "W5", "W6"],
        "created_at": [at(28, month=2), at(5), at(6), at(13), at(14), at(19)],
        "resolved_at": [None, at(12), at(7), None, at(20), None],
        "agent": ["a", "a", "b", "b", "a", "a"],
    }
)


def test_backlog_per_week_is_the_open_count_at_each_week_end(frames_for):
    frames = frames_for(Scope(date(2024, 3, 4), date(2024, 3, 17)), tickets=WEEKLY_TICKETS)
    weekly = evaluate_by(frames, ("tickets", "backlog"), every="1w")
    expected = pl.DataFrame(
        {
            "period": [date(2024, 3, 4), date(2024, 3, 11)],
            "tickets": [2, 2],  # W2 W3 | W4 W5
            # 11 Mar: W1 (February, open), W2 (resolved 12 Mar) → 2; W3 closed on 7 Mar
            # 18 Mar: W1, W4 (open), W5 (resolved 20 Mar) → 3; W2 now closed, W6 not yet created
            "backlog": [2.0, 3.0],
        }
    )
    assert_frame_equal(weekly, expected, check_dtypes=False)
    overall = evaluate(frames, ("tickets", "backlog"))
    assert overall == {"tickets": 4, "backlog": 3}  # sum of weeks; the last week's backlog


def test_backlog_per_week_and_agent(frames_for):
    frames = frames_for(Scope(date(2024, 3, 4), date(2024, 3, 17)), tickets=WEEKLY_TICKETS)
    got = evaluate_by(frames, ("tickets", "backlog"), by="agent", every="1w")
    expected = pl.DataFrame(
        {
            "agent": ["a", "a", "b", "b"],
            "period": [date(2024, 3, 4), date(2024, 3, 11), date(2024, 3, 4), date(2024, 3, 11)],
            "tickets": [1, 1, 1, 1],  # a: W2 | W5; b: W3 | W4
            # a: 11 Mar W1 W2; 18 Mar W1 W5.  b: 11 Mar none (W3 closed); 18 Mar W4
            "backlog": [2.0, 2.0, 0.0, 1.0],
        }
    )
    assert_frame_equal(got, expected, check_dtypes=False)


def test_last_week_backlog_equals_the_overall_backlog_on_midnight_boundaries(frames_for):
    # Resolved exactly at the range end (18 March 00:00), created exactly at a week start:
    # whichever side of the boundary they count on, the overall and the weekly view must agree.
    boundary = pl.DataFrame(
        {"ticket_id": ["M1", "M2"], "created_at": [at(12), at(11)], "resolved_at": [at(18), None]}
    )
    frames = frames_for(
        Scope(date(2024, 3, 4), date(2024, 3, 17)),
        tickets=pl.concat([WEEKLY_TICKETS.drop("agent"), boundary]),
    )
    weekly = evaluate_by(frames, ("tickets", "backlog"), every="1w")
    overall = evaluate(frames, ("tickets", "backlog"))
    assert weekly["tickets"].sum() == overall["tickets"] == 6  # W2 W3 W4 W5 M1 M2
    assert weekly["backlog"][-1] == overall["backlog"]


def test_backlog_of_the_last_period_when_the_range_ends_mid_week(frames_for):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["X1", "X2", "X3"],
            "created_at": [at(5), at(14), at(12)],
            "resolved_at": [at(15), None, at(12, 1)],
        }
    )
    # Range Mon 4 – Wed 13 March; the second week (11–17 March) runs past the range end.
    frames = frames_for(Scope(date(2024, 3, 4), date(2024, 3, 13)), tickets=tickets)
    assert evaluate(frames, ("backlog",)) == {"backlog": 1}  # X1, still open at the end of 13 March
    weekly = evaluate_by(frames, ("backlog",), every="1w")
    # Open at the range end (X1) or at the week end 18 March (X2, created 14 March): 1 either way.
    assert weekly["backlog"].to_list() == [1.0, 1.0]


# --- repeat contacts ---------------------------------------------------------------


REPEAT_TICKETS = pl.DataFrame(
    [
        ("C1", at(20, month=2), "c1", "chat"),  # c1: C1 outside the range, 14 days before C2
        ("C2", at(5), "c1", "phone"),
        ("C3", at(31, month=1), "c2", "phone"),  # c2: 31 days before C4 (leap year)
        ("C4", at(2), "c2", "phone"),
        ("C5", at(1, 9), "c4", "phone"),  # c4: exactly 30 days before C6
        ("C6", at(31, 9), "c4", "phone"),
        ("C7", at(10), None, "phone"),  # no customer
        ("C8", at(5, month=4), "c5", "phone"),  # c5: the other ticket comes after C9, not before
        ("C9", at(20), "c5", "phone"),
    ],
    schema=["ticket_id", "created_at", "customer_id", "channel"],
    orient="row",
)


def test_repeat_contact_rate(frames_for):
    got = evaluate(frames_for(MARCH, tickets=REPEAT_TICKETS), ("tickets", "repeat_contact_rate"))
    # In range with a customer: C2 (repeat), C4 (31 days: no), C5 (first), C6 (30 days: repeat), C9 (no)
    assert got == pytest.approx({"tickets": 6, "repeat_contact_rate": 2 / 5})  # C7 has no customer


def test_repeat_contact_sees_tickets_the_filters_leave_out(frames_for):
    scope = Scope(MARCH.start, MARCH.end, filters=(("channel", ("phone",)),))
    got = evaluate(frames_for(scope, tickets=REPEAT_TICKETS), ("repeat_contact_rate",))
    # C2 stays a repeat contact although C1 came by chat: 2 / 5 as unfiltered (would be 1 / 5)
    assert got["repeat_contact_rate"] == pytest.approx(2 / 5)


def test_repeat_contact_rate_without_customer_id_is_not_available(frames_for):
    got = evaluate(frames_for(MARCH, tickets=REPEAT_TICKETS.drop("customer_id")), ("repeat_contact_rate",))
    assert got == {"repeat_contact_rate": None}


# --- complaints, cost, handle time ------------------------------------------------------


def test_complaints_fall_back_to_the_category(frames_for):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["K1", "K2", "K3", "K4", "K5"],
            "created_at": [at(4), at(5), at(6), at(7), at(8)],
            "category": ["产品投诉", "Complaint - billing", "repair", None, "投诉建议"],
        }
    )
    got = evaluate(frames_for(MARCH, tickets=tickets), ("complaints", "complaint_rate"))
    assert got == pytest.approx({"complaints": 3, "complaint_rate": 0.6})  # K1, K2, K5 of 5


def test_is_complaint_wins_over_the_category(frames_for):
    # Service month: by category only T3 ("投诉") would count.
    got = evaluate(frames_for(MARCH, tickets=SERVICE_TICKETS), ("complaints", "complaint_rate"))
    assert got == pytest.approx({"complaints": 2, "complaint_rate": 0.4})


def test_complaints_without_either_column_are_not_available(frames_for):
    tickets = SERVICE_TICKETS.drop("is_complaint", "category")
    got = evaluate(frames_for(MARCH, tickets=tickets), ("complaints", "complaint_rate"))
    assert got == {"complaints": None, "complaint_rate": None}


def test_costs_with_a_missing_column_and_empty_cells(frames_for):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["K1", "K2", "K3", "K4"],
            "created_at": [at(4), at(5), at(6), at(7)],
            "labor_cost": [100.0, None, 50.0, 30.0],
            "travel_cost": [20.0, 10.0, None, None],
            "handle_minutes": [10.0, None, 20.0, 30.0],
        }
    )
    keys = tuple(k for k in BY_KEY if "cost" in k) + ("handle_minutes_mean",)
    assert evaluate(frames_for(MARCH, tickets=tickets), keys) == pytest.approx(
        {
            "cost_total": 210.0,  # labour 180 + travel 30; no parts column
            "cost_per_ticket": 52.5,  # 210 / 4 tickets (empty cells still count as tickets)
            "labor_cost_total": 180.0,  # 100 + 50 + 30
            "labor_cost_per_ticket": 45.0,  # 180 / 4
            "parts_cost_total": None,
            "parts_cost_per_ticket": None,
            "travel_cost_total": 30.0,  # 20 + 10
            "travel_cost_per_ticket": 7.5,  # 30 / 4
            "handle_minutes_mean": 20.0,  # (10 + 20 + 30) / 3
        }
    )


# --- surveys and churn ----------------------------------------------------------------


def test_survey_kpis_without_a_surveys_table_are_not_available(frames_for):
    got = evaluate(frames_for(MARCH, tickets=SERVICE_TICKETS))
    for key in ("csat", "csat_mean", "nps", "survey_responses", "survey_response_rate"):
        assert got[key] is None, key


def test_survey_score_without_its_column_is_not_available(frames_for):
    frames = frames_for(MARCH, tickets=SERVICE_TICKETS, surveys=SERVICE_SURVEYS.drop("nps"))
    got = evaluate(frames, ("csat", "nps", "survey_responses"))
    assert got == {"csat": 50.0, "nps": None, "survey_responses": 5}


def test_survey_response_rate_without_tickets_is_not_available(frames_for):
    got = evaluate(frames_for(MARCH, surveys=SERVICE_SURVEYS), ("survey_responses", "survey_response_rate"))
    assert got == {"survey_responses": 5, "survey_response_rate": None}


def test_churn_rate_over_the_whole_data_set(frames_for):
    got = evaluate(frames_for(Scope(), customers=SERVICE_CUSTOMERS), ("churn_rate",))
    assert got["churn_rate"] == pytest.approx(0.4)  # c1, c4 of 5; c3's empty churned is not churned


def test_churn_rate_without_churned_is_not_available(frames_for):
    got = evaluate(frames_for(Scope(), customers=SERVICE_CUSTOMERS.drop("churned")), ("churn_rate",))
    assert got == {"churn_rate": None}


# --- not available, empty scope -------------------------------------------------------------


def test_only_the_required_columns_give_tickets_and_nothing_else(frames_for):
    tickets = SERVICE_TICKETS.select("ticket_id", "created_at")
    got = evaluate(frames_for(MARCH, tickets=tickets))
    assert got == {key: (5.0 if key == "tickets" else None) for key in BY_KEY}


def test_range_without_tickets_gives_zero_tickets_and_no_rates(frames_for):
    frames = frames_for(Scope(date(2024, 5, 1), date(2024, 5, 31)), **SERVICE)
    got = evaluate(frames)
    counts = {
        "tickets": 0.0,
        "resolved": 0.0,
        "complaints": 0.0,
        "survey_responses": 0.0,
        "cost_total": 0.0,
        "labor_cost_total": 0.0,
        "parts_cost_total": 0.0,
        "travel_cost_total": 0.0,
        "backlog": 3.0,  # T4, T6, T7 are still open at the end of May
        "churn_rate": 0.4,  # customers without dates do not depend on the range
    }
    assert got == {key: counts.get(key) for key in BY_KEY}
    # The frame the pages use holds nulls too, not NaN from 0 / 0.
    row = evaluate_by(frames, ("cost_per_ticket", "resolution_rate", "csat")).row(0)
    assert row == (None, None, None)


# --- filters, breakdowns, periods -----------------------------------------------------------


def test_dimension_filter_keeps_matching_tickets_and_their_surveys(frames_for):
    scope = Scope(MARCH.start, MARCH.end, filters=(("channel", ("phone",)),))
    keys = (
        "tickets",
        "resolved",
        "backlog",
        "complaints",
        "repeat_contact_rate",
        "survey_responses",
        "csat",
        "nps",
        "survey_response_rate",
    )
    got = evaluate(frames_for(scope, **SERVICE), keys)
    assert got == pytest.approx(
        {
            "tickets": 3,  # T1, T3, T5
            "resolved": 3,
            "backlog": 1,  # T6 (phone, February, open)
            "complaints": 1,  # T3
            "repeat_contact_rate": 0.5,  # T3 of T1 T3 (T5 has no customer)
            "survey_responses": 3,  # S1 S2 (T1), S4 (T3); S3 is about chat ticket T2, S5 about none
            "csat": 50.0,  # 5 3 → 1 of 2
            "nps": 100 * 2 / 3,  # 10 9 7 → (2 − 0) / 3
            "survey_response_rate": 2 / 3,  # T1, T3 of 3 tickets
        }
    )


def test_filters_with_several_values_and_several_dimensions(frames_for):
    both = Scope(MARCH.start, MARCH.end, filters=(("channel", ("phone", "app")), ("agent", ("b",))))
    nothing = Scope(MARCH.start, MARCH.end, filters=(("channel", ("fax",)),))
    assert evaluate(frames_for(both, **SERVICE), ("tickets",)) == {"tickets": 2}  # T3 phone, T4 app
    assert evaluate(frames_for(nothing), ("tickets", "csat")) == {"tickets": 0, "csat": None}


BY_AGENT_KEYS = ("tickets", "resolved", "backlog", "complaints", "cost_total", "survey_responses", "csat")


def test_breakdown_by_agent_adds_up_to_the_overall_numbers(frames_for):
    frames = frames_for(MARCH, **SERVICE)
    got = evaluate_by(frames, BY_AGENT_KEYS, by="agent")
    expected = pl.DataFrame(
        {
            "agent": ["a", "b", None],  # None: survey S5 answers no ticket
            "tickets": [3, 2, None],  # T1 T2 T5 | T3 T4
            "resolved": [3, 1, None],  # T1 T2 T5 | T3
            "backlog": [0, 2, None],  # - | T4, T6
            "complaints": [1, 1, None],  # T2 | T3
            "cost_total": [370.0, 90.0, None],  # 100+50 + 200+20 | 30+10 + 50
            "survey_responses": [3, 1, 1],  # S1 S2 S3 | S4 | S5
            "csat": [100 * 2 / 3, None, 0.0],  # 5 3 4 | (empty) | 1
        },
        schema_overrides={"csat": pl.Float64, "cost_total": pl.Float64},
    )
    assert_frame_equal(got, expected, check_dtypes=False)
    overall = evaluate(frames, BY_AGENT_KEYS)
    for key in ("tickets", "resolved", "backlog", "complaints", "cost_total", "survey_responses"):
        assert got[key].sum() == pytest.approx(overall[key]), key


def test_breakdown_keeps_one_row_for_an_empty_dimension_value(frames_for):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["A", "B", "C"],
            "created_at": [at(4), at(5), at(6)],
            "resolved_at": [None, None, at(6, 5)],
            "agent": ["a", None, None],  # B and C not assigned yet
        }
    )
    got = evaluate_by(frames_for(MARCH, tickets=tickets), ("tickets", "backlog"), by="agent")
    expected = pl.DataFrame({"agent": ["a", None], "tickets": [1, 2], "backlog": [1, 1]})
    assert_frame_equal(got, expected, check_dtypes=False)


def test_backlog_per_week_and_agent_with_an_empty_agent(frames_for):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["A", "B", "C"],
            "created_at": [at(4), at(5), at(6)],
            "resolved_at": [None, None, at(6, 5)],
            "agent": ["a", None, None],
        }
    )
    frames = frames_for(Scope(date(2024, 3, 4), date(2024, 3, 10)), tickets=tickets)
    got = evaluate_by(frames, ("tickets", "backlog"), by="agent", every="1w")
    expected = pl.DataFrame(
        {
            "agent": ["a", None],
            "period": [date(2024, 3, 4)] * 2,
            "tickets": [1, 2],
            "backlog": [1.0, 1.0],  # a: A open; unassigned: B open, C closed
        }
    )
    assert_frame_equal(got, expected, check_dtypes=False)


def test_daily_view_adds_up_to_the_overall_numbers(frames_for):
    frames = frames_for(MARCH, **SERVICE)
    keys = ("tickets", "resolved", "complaints", "cost_total", "survey_responses")
    daily = evaluate_by(frames, keys, every="1d")
    # tickets on 4–8 March, surveys on 5, 6, 9, 11, 12 March
    assert daily["period"].to_list() == [date(2024, 3, d) for d in (4, 5, 6, 7, 8, 9, 11, 12)]
    assert daily["tickets"].to_list() == [1, 1, 1, 1, 1, None, None, None]
    sums = {key: daily[key].sum() for key in keys}
    assert sums == pytest.approx(evaluate(frames, keys))


def test_monthly_view_of_a_whole_month_is_the_overall_row(frames_for):
    frames = frames_for(MARCH, **SERVICE)
    keys = tuple(k for k in BY_KEY if k != "churn_rate")  # customers have no period view
    monthly = evaluate_by(frames, keys, every="1mo")
    assert monthly["period"].to_list() == [date(2024, 3, 1)]
    assert monthly.drop("period").row(0, named=True) == pytest.approx(
        {k: v for k, v in SERVICE_MARCH.items() if k in keys}
    )


# --- status and change ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        # higher is better, target 0.95, amber down to 0.95 − 0.095
        ("resolution_rate", 0.97, "green"),
        ("resolution_rate", 0.95, "green"),
        ("resolution_rate", 0.90, "amber"),  # 0.05 short ≤ 0.095
        ("resolution_rate", 0.80, "red"),  # 0.15 short
        # lower is better, target 4 h, amber up to 4 + 0.4
        ("first_response_hours_mean", 3.0, "green"),
        ("first_response_hours_mean", 4.0, "green"),
        ("first_response_hours_mean", 4.3, "amber"),  # 0.3 over ≤ 0.4
        ("first_response_hours_mean", 5.0, "red"),  # 1.0 over
        ("resolution_rate", None, None),  # not available
        ("tickets", 120.0, None),  # neither target nor direction
        ("backlog", 7.0, None),  # direction but no default target
    ],
)
def test_status_against_the_default_targets(key, value, expected):
    assert status(BY_KEY[key], value) == expected


def test_status_with_targets_and_tolerance_from_settings():
    settings = Settings(targets={"backlog": 10.0, "csat": 90.0}, tolerance=0.2)
    assert status(BY_KEY["backlog"], 9.0, settings) == "green"
    assert status(BY_KEY["backlog"], 11.5, settings) == "amber"  # 1.5 over ≤ 10 · 0.2
    assert status(BY_KEY["backlog"], 13.0, settings) == "red"  # 3 over
    assert status(BY_KEY["csat"], 80.0, settings) == "amber"  # 10 short ≤ 90 · 0.2 (red at 10 %)
    assert status(BY_KEY["csat"], 70.0, settings) == "red"  # 20 short
    assert status(BY_KEY["nps"], 30.0, settings) == "green"  # default target 30 still applies


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (12.0, 10.0, (2.0, 0.2)),
        (8.0, 10.0, (-2.0, -0.2)),
        (1.0, -2.0, (3.0, 1.5)),  # relative to the size of the previous value
        (5.0, 0.0, (5.0, None)),  # no relative change from 0
        (0.0, 0.0, (0.0, None)),
        (None, 3.0, (None, None)),
        (3.0, None, (None, None)),
    ],
)
def test_change(current, previous, expected):
    assert change(current, previous) == pytest.approx(expected)


def test_survey_response_rate_counts_only_answers_to_tickets_in_scope(frames_for):
    # Regression: answers in March about February tickets made the rate exceed 100 %.
    tickets = SERVICE_TICKETS.filter(pl.col("ticket_id").is_in(["T1", "T6"]))  # T1 in March, T6 in February
    surveys = pl.DataFrame(
        {
            "submitted_at": [at(5), at(6), at(7)],
            "ticket_id": ["T1", "T6", "T6"],
            "csat": [5.0, 4.0, 2.0],
        }
    )
    got = evaluate(
        frames_for(MARCH, tickets=tickets, surveys=surveys), ("survey_responses", "survey_response_rate")
    )
    # 3 answers in March, but only T1 of the 1 March ticket was answered: 1 / 1
    assert got == {"survey_responses": 3, "survey_response_rate": 1.0}


def test_backlog_per_week_when_the_first_ticket_is_on_a_sunday(frames_for):
    # Regression: periods were built from the first ticket's day, so Sunday 3 March
    # followed by a week step skipped the week of Monday 4 March.
    tickets = pl.DataFrame(
        {
            "ticket_id": ["A", "B"],
            "created_at": [at(3, 9), at(4, 9)],
            "resolved_at": [None, at(5, 9)],
        }
    )
    scope = Scope(date(2024, 3, 3), date(2024, 3, 6))
    weekly = evaluate_by(frames_for(scope, tickets=tickets), ("backlog",), every="1w")
    assert weekly["period"].to_list() == [date(2024, 2, 26), date(2024, 3, 4)]
    # end of the first week (4 March 00:00): A open; range end (7 March): A open, B closed
    assert weekly["backlog"].to_list() == [1.0, 1.0]
