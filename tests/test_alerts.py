"""Alert explanations on tiny hand-made periods: every share and counterfactual is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from lib.analysis import alerts
from lib.analysis.alerts import Explanation, explain, explain_alerts
from lib.engine import store
from lib.engine.kpis import Settings
from lib.engine.store import Frames, Scope
from lib.ingest import pipeline

SETTINGS = Settings()
MARCH = Scope(date(2024, 3, 1), date(2024, 3, 31))  # previous: February


def tickets(month: int, hours: list[float | None], **dims: list[str | None]) -> pl.DataFrame:
    """One ticket a day from the 1st of `month`, resolved `hours` later (None = still open)."""
    created = [datetime(2024, month, 1 + i, 8) for i in range(len(hours))]
    return pl.DataFrame(
        {
            "ticket_id": [f"M{month}-{i}" for i in range(len(hours))],
            "created_at": created,
            "resolved_at": [
                None if h is None else c + timedelta(hours=h) for c, h in zip(created, hours, strict=True)
            ],
            **dims,
        },
        schema_overrides={"resolved_at": pl.Datetime("us"), **dict.fromkeys(dims, pl.String)},
    )


def frames(tickets: pl.DataFrame | None = None, **others: pl.DataFrame) -> Frames:
    return Frames(tickets, others.get("surveys"), others.get("customers"), others.get("history"), MARCH)


def found(explanation: Explanation) -> list[tuple]:
    """Contributions as plain tuples, floats rounded so hand-worked values compare exactly."""
    return [
        (
            c.segment,
            round(c.share, 9),
            None if c.without is None else round(c.without, 9),
            c.rows_now,
            c.rows_before,
        )
        for c in explanation.contributions
    ]


def test_only_one_category_got_slower_explains_all_of_the_rise():
    # February: A 10 10, B 10 10 → mean 10. March: A 10 10, B 30 30 → mean 20; change +10.
    # March also has a B ticket resolved 5 h before it was created (left out of the mean,
    # still one of B's rows) and an open ticket without a category (no duration, no segment).
    before = tickets(2, [10, 10, 10, 10], category=["A", "A", "B", "B"])
    now = tickets(3, [10, 10, 30, 30, -5, None], category=["A", "A", "B", "B", "B", None])
    got = explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS)
    assert (got.current, got.previous, got.change, got.relative) == (20.0, 10.0, 10.0, 1.0)
    # B as it was: March A 10 10 + February B 10 10 → mean 10, so B contributes 20 − 10 = 10 → share 1.
    # A as it was: March B 30 30 + February A 10 10 → mean 20 → share 0, not named.
    assert found(got) == [((("category", "B"),), 1.0, 10.0, 3, 2)]  # B rows now: 30, 30, −5


def test_a_pair_inside_the_named_segment_is_not_named_again():
    # As above, with the channel spread evenly: phone and chat in both categories.
    # Singles: category B 1.0; channel phone: March chat 10 30 + February phone 10 10 → 15 → share 0.5; chat 0.5.
    # Pairs of B: (phone, B): March A 10 10, B chat 30, February B phone 10 → 15 → 0.5 < 0.9 · 1, B stays.
    # Pairs of phone: (phone, B) 0.5 ≥ 0.9 · 0.5 with 2 rows < 4 → replaces phone; likewise (chat, B).
    # Both pairs lie inside B, already named: only B is returned.
    channels = ["phone", "chat", "phone", "chat"]
    before = tickets(2, [10, 10, 10, 10], category=["A", "A", "B", "B"], channel=channels)
    now = tickets(3, [10, 10, 30, 30], category=["A", "A", "B", "B"], channel=channels)
    got = explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS)
    assert found(got) == [((("category", "B"),), 1.0, 10.0, 2, 2)]


def test_a_pair_replaces_its_parent_when_it_explains_as_much_with_fewer_rows():
    # Category X got slower in East only. February all 10 h → mean 10; March X-East 30 30, rest 10 → 120 / 8 = 15.
    # Singles: X: March Y + February X, all 10 → 10 → share 1; East likewise 1; Y and West 0.
    # Pair (X, East): March without X-East + February X-East, all 10 → share 1 with 4 rows < 8 → replaces
    # both X and East; the second is the same segment, named once.
    category = ["X", "X", "X", "X", "Y", "Y", "Y", "Y"]
    region = ["East", "East", "West", "West", "East", "East", "West", "West"]
    before = tickets(2, [10] * 8, category=category, region=region)
    now = tickets(3, [30, 30, 10, 10, 10, 10, 10, 10], category=category, region=region)
    got = explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS)
    assert found(got) == [((("category", "X"), ("region", "East")), 1.0, 10.0, 2, 2)]


def test_a_pair_naming_the_same_rows_as_its_parent_does_not_replace_it():
    # All B tickets come by phone, all A tickets by chat: B and phone are the same rows, and so is
    # the pair (phone, B). Both singles explain the whole rise (share 1, as in the first test);
    # the pair names no fewer rows, so the two single names stay (channel first, DIMENSIONS order).
    channels = ["chat", "chat", "phone", "phone"]
    before = tickets(2, [10, 10, 10, 10], category=["A", "A", "B", "B"], channel=channels)
    now = tickets(3, [10, 10, 30, 30], category=["A", "A", "B", "B"], channel=channels)
    got = explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS)
    assert found(got) == [((("channel", "phone"),), 1.0, 10.0, 2, 2), ((("category", "B"),), 1.0, 10.0, 2, 2)]


def test_a_shift_in_volume_towards_the_slow_category_counts():
    # Nothing got slower inside a category, but the mix moved to the slow one.
    # February: A 10 10, B 30 30 → mean 20. March: A 10, B 30 30 30 → 100 / 4 = 25; change +5.
    # A as it was: March B 30 30 30 + February A 10 10 → 110 / 5 = 22 → contributes 3 → share 0.6.
    # B as it was: March A 10 + February B 30 30 → 70 / 3 → contributes 5/3 → share 1/3.
    before = tickets(2, [10, 10, 30, 30], category=["A", "A", "B", "B"])
    now = tickets(3, [10, 30, 30, 30], category=["A", "B", "B", "B"])
    got = explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS)
    assert found(got) == [
        ((("category", "A"),), 0.6, 22.0, 1, 2),
        ((("category", "B"),), round(1 / 3, 9), round(70 / 3, 9), 3, 2),
    ]


def test_quantile():
    # p90 of 4 values: position 0.9 · 3 = 2.7 → third + 0.7 · (fourth − third).
    # February: A 10 10, B 20 20 → 20. March: A 10 12, B 20 60 → 20 + 0.7 · 40 = 48; change +28.
    # B as it was: 10 12 20 20 → 20 → share 1. A as it was: 10 10 20 60 → 48 → share 0.
    before = tickets(2, [10, 10, 20, 20], category=["A", "A", "B", "B"])
    now = tickets(3, [10, 12, 20, 60], category=["A", "A", "B", "B"])
    got = explain(frames(now), frames(before), "resolution_hours_p90", SETTINGS)
    assert (got.current, got.previous) == pytest.approx((48.0, 20.0))
    assert found(got) == [((("category", "B"),), 1.0, 20.0, 2, 2)]


def test_a_segment_present_only_now_with_a_single_row():
    # February: phone 10 10 → 10. March: phone 10 10, a new channel (app) with one ticket of 40 h → 20.
    # app as it was (no rows): March phone 10 10 → 10 → share 1. phone as it was: 40, 10, 10 → 20 → share 0.
    before = tickets(2, [10, 10], channel=["phone", "phone"])
    now = tickets(3, [10, 10, 40], channel=["phone", "phone", "app"])
    got = explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS)
    assert found(got) == [((("channel", "app"),), 1.0, 10.0, 1, 0)]


def test_a_segment_that_would_leave_no_valid_rows_is_skipped():
    # February: A 10 → 10. March: only B 50 → 50; change +40.
    # B as it was: no March row outside B, no February row in B → no duration → no share, skipped.
    # A as it was: March B 50 + February A 10 → 30, contributes 20 of the 40 → share 0.5.
    before = tickets(2, [10], category=["A"])
    now = tickets(3, [50], category=["B"])
    got = explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS)
    assert found(got) == [((("category", "A"),), 0.5, 30.0, 0, 1)]


def test_backlog_through_the_store(loaded):
    old_east = {"ticket_id": "E1", "created_at": datetime(2024, 2, 1), "resolved_at": None, "region": "East"}
    rows = [
        old_east,  # open at both ends; the data starts on 1 February, so February is compared
        {
            "ticket_id": "W1",
            "created_at": datetime(2024, 2, 20),
            "resolved_at": datetime(2024, 3, 5),
            "region": "West",
        },
        {"ticket_id": "W2", "created_at": datetime(2024, 3, 10), "resolved_at": None, "region": "West"},
        {"ticket_id": "W3", "created_at": datetime(2024, 3, 20), "resolved_at": None, "region": "West"},
        {
            "ticket_id": "W4",
            "created_at": datetime(2024, 3, 25),
            "resolved_at": datetime(2024, 4, 2),
            "region": "West",
        },
        {
            "ticket_id": "E2",
            "created_at": datetime(2024, 3, 3),
            "resolved_at": datetime(2024, 3, 4),
            "region": "East",
        },
    ]
    con = loaded(tickets=pl.DataFrame(rows, schema_overrides={"resolved_at": pl.Datetime("us")}))
    (got,) = explain_alerts(con, MARCH, SETTINGS, ["backlog"])
    # Open at the end of February: E1, W1 → 2. At the end of March: E1, W2, W3, W4 → 4; change +2.
    # West as it was: March's open East (E1) + February's open West (W1) → 2 → share 1; East: 3 + 1 = 4 → 0.
    assert (got.current, got.previous, got.change) == (4.0, 2.0, 2.0)
    assert found(got) == [((("region", "West"),), 1.0, 2.0, 3, 1)]


def test_survey_response_rate_swaps_the_segments_tickets_too():
    # February tickets T1 (A), T2 (B), T5 (B), answered T1 T2 → 2 / 3. March T3 (A), T4 (B), answered T3 → 1 / 2.
    # B as it was: answers T3 + T2 over tickets T3 + T2 T5 → 2 / 3 → contributes −1/6 of −1/6 → share 1.
    # (Without swapping the tickets it would be 2 / 2 and the share 3.) A as it was: T1 over T4 T1 → share 0.
    def period(month: int, ids: list[str], categories: list[str], answered: list[str]) -> Frames:
        ticket_rows = pl.DataFrame(
            {"ticket_id": ids, "created_at": [datetime(2024, month, 2)] * len(ids), "category": categories}
        )
        surveys = ticket_rows.filter(pl.col("ticket_id").is_in(answered)).select(
            pl.col("created_at").alias("submitted_at"),
            "ticket_id",
            "category",
            pl.lit(True).alias("ticket_in_scope"),
        )
        return frames(ticket_rows, surveys=surveys)

    before = period(2, ["T1", "T2", "T5"], ["A", "B", "B"], ["T1", "T2"])
    now = period(3, ["T3", "T4"], ["A", "B"], ["T3"])
    got = explain(now, before, "survey_response_rate", SETTINGS)
    assert (got.current, got.previous) == pytest.approx((0.5, 2 / 3))
    # B has no answer in March (T4 unanswered) and one in February (T2).
    assert found(got) == [((("category", "B"),), 1.0, round(2 / 3, 9), 0, 1)]


def test_churn_by_customer_region():
    # February nobody churned. March c3 (West) churned → 1 / 4. West as it was → 0 → share 1.
    def customers(churned: list[bool]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "customer_id": ["c1", "c2", "c3", "c4"],
                "region": ["East", "East", "West", "West"],
                "churned": churned,
                "churned_in_scope": churned,
            }
        )

    got = explain(
        frames(customers=customers([False, False, True, False])),
        frames(customers=customers([False] * 4)),
        "churn_rate",
        SETTINGS,
    )
    assert found(got) == [((("region", "West"),), 1.0, 0.0, 2, 2)]


def test_only_the_most_frequent_values_are_tried(monkeypatch):
    # February A 10 10 10, B 10 → 10. March A 10 10 10, B 50 → 20. B explains it all (share 1) ...
    before = tickets(2, [10, 10, 10, 10], category=["A", "A", "A", "B"])
    now = tickets(3, [10, 10, 10, 50], category=["A", "A", "A", "B"])
    assert found(explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS))[0][:2] == (
        (("category", "B"),),
        1.0,
    )
    # ... but with one value per dimension only A (6 rows) is tried: March B 50 + February A → 20 → share 0.
    monkeypatch.setattr(alerts, "TOP_VALUES", 1)
    assert explain(frames(now), frames(before), "resolution_hours_mean", SETTINGS).contributions == ()


def test_a_count_explained_by_two_segments_in_order():
    # Tickets: February A 2, B 2, C 4 → 8. March A 4, B 3, C 3 → 10; change +2.
    # A as it was: 10 − 4 + 2 = 8 → share 1. B: 10 − 3 + 2 = 9 → 0.5.
    # C: 10 − 3 + 4 = 11 → −0.5, against the change, not named.
    before = tickets(2, [1] * 8, category=["A"] * 2 + ["B"] * 2 + ["C"] * 4)
    now = tickets(3, [1] * 10, category=["A"] * 4 + ["B"] * 3 + ["C"] * 3)
    got = explain(frames(now), frames(before), "tickets", SETTINGS)
    assert found(got) == [((("category", "A"),), 1.0, 8.0, 4, 2), ((("category", "B"),), 0.5, 9.0, 3, 2)]


def test_empty_current_period():
    # No ticket in March: the count fell from 2 to 0 and A (both tickets) explains all of it.
    before = tickets(2, [10, 10], category=["A", "A"])
    got = explain(frames(before.clear()), frames(before), "tickets", SETTINGS)
    assert (got.current, got.previous, got.change, got.relative) == (0.0, 2.0, -2.0, -1.0)
    assert found(got) == [((("category", "A"),), 1.0, 2.0, 0, 2)]
    # A duration over no rows is not available: nothing to explain.
    assert (
        explain(frames(before.clear()), frames(before), "resolution_hours_mean", SETTINGS).contributions == ()
    )


@pytest.mark.parametrize(
    ("now", "before", "key"),
    [
        # the column is missing in the previous period's file → previous None
        (
            tickets(3, [10], category=["A"]),
            tickets(2, [10], category=["A"]).drop("resolved_at"),
            "resolution_hours_mean",
        ),
        # no surveys loaded → csat None in both
        (tickets(3, [10], category=["A"]), tickets(2, [20], category=["A"]), "csat"),
        # no change at all
        (
            tickets(3, [10, 30], category=["A", "B"]),
            tickets(2, [30, 10], category=["A", "B"]),
            "resolution_hours_mean",
        ),
    ],
)
def test_nothing_to_explain(now, before, key):
    got = explain(frames(now), frames(before), key, SETTINGS)
    assert got.contributions == ()
    assert got.change in (None, 0.0)


def test_without_dimensions_no_segment_is_named():
    got = explain(frames(tickets(3, [30])), frames(tickets(2, [10])), "resolution_hours_mean", SETTINGS)
    assert (got.change, got.contributions) == (20.0, ())


def test_whole_data_set_has_no_previous_period(loaded):
    con = loaded(tickets=tickets(3, [10, 30], category=["A", "B"]))
    assert explain_alerts(con, Scope(), SETTINGS, ["resolution_hours_mean", "csat"]) == [
        Explanation("resolution_hours_mean", 20.0, None, None, None, ()),
        Explanation("csat", None, None, None, None, ()),
    ]


@pytest.mark.parametrize(
    ("february_from", "previous", "named"),
    [
        # February from its first day: the change +10 h is explained by B, as in the first test
        (1, 10.0, [((("category", "B"),), 1.0, 10.0, 2, 2)]),
        # February from the 15th: half a month is no "before"; no change, nothing blamed
        (15, None, []),
    ],
)
def test_a_partly_covered_previous_month_explains_nothing(loaded, february_from, previous, named):
    # February: A 10 10, B 10 10 from `february_from`; March: A 10 10, B 30 30 → mean 20.
    before = tickets(2, [10, 10, 10, 10], category=["A", "A", "B", "B"]).with_columns(
        pl.col("created_at", "resolved_at").dt.offset_by(f"{february_from - 1}d")
    )
    now = tickets(3, [10, 10, 30, 30], category=["A", "A", "B", "B"])
    con = loaded(tickets=pl.concat([before, now]))
    (got,) = explain_alerts(con, MARCH, SETTINGS, ["resolution_hours_mean"])
    assert (got.current, got.previous) == (20.0, previous)
    assert got.change == (None if previous is None else 10.0)
    assert found(got) == named


# --- sample data, checked against DuckDB SQL ---------------------------------------------


@pytest.mark.parametrize(
    ("key", "aggregate"),
    [("resolution_hours_mean", "avg(h)"), ("resolution_hours_p90", "quantile_cont(h, 0.9)")],
)
def test_sample_data_counterfactuals_match_sql(con, key, aggregate):
    pipeline.load_sample(con)
    scope = Scope(date(2026, 7, 1), date(2026, 7, 31))
    (got,) = explain_alerts(con, scope, SETTINGS, [key])
    assert got.contributions, "the July rise of resolution time should be explained"

    def sql(where: str, params: list) -> float:
        hours = "date_diff('microsecond', created_at, resolved_at) / 3600e6"
        query = f"SELECT {aggregate} FROM (SELECT *, {hours} AS h FROM tickets) WHERE h >= 0 AND ({where})"
        return con.execute(query, params).fetchone()[0]

    now_sql = "created_at >= '2026-07-01' AND created_at < '2026-08-01'"
    before_sql = "created_at >= '2026-06-01' AND created_at < '2026-07-01'"  # June: the period before
    current, previous = sql(now_sql, []), sql(before_sql, [])
    assert (got.current, got.previous) == pytest.approx((current, previous))
    for part in got.contributions:
        inside = " AND ".join(f"coalesce({store.quote(d)} = ?, false)" for d, _ in part.segment)
        values = [v for _, v in part.segment]
        without = sql(f"({now_sql} AND NOT ({inside})) OR ({before_sql} AND {inside})", values * 2)
        assert part.without == pytest.approx(without)
        assert part.share == pytest.approx((current - without) / (current - previous))
        assert part.share >= alerts.MIN_SHARE
        rows = con.execute(
            f"SELECT count(*) FILTER ({now_sql}), count(*) FILTER ({before_sql}) FROM tickets WHERE {inside}",
            values,
        ).fetchone()
        assert (part.rows_now, part.rows_before) == rows
    shares = [c.share for c in got.contributions]
    assert shares == sorted(shares, reverse=True)
