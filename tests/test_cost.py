"""Cost page data on tiny hand-made stores: every expected value is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.analysis import cost
from lib.engine import store
from lib.engine.kpis import evaluate

MARCH = store.Scope(date(2024, 3, 1), date(2024, 3, 31))


def at(day: int, month: int = 3) -> datetime:
    return datetime(2024, month, day, 9)


# Week of 4 March: T1 T2; week of 11 March: T3–T6. T5 is a credit (−40); T6 has no cost at all.
# T7 (April) is outside the range.
#   labour 100 + 200 + 50 − 40 = 310, parts 50 + 30 = 80, travel 20 + 10 = 30 → 420 over 6 tickets
TICKETS = pl.DataFrame(
    {
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6", "T7"],
        "created_at": [at(4), at(5), at(12), at(13), at(14), at(15), at(2, month=4)],
        "category": ["安装", "维修", "维修", None, "退款", "咨询", "安装"],
        "region": ["东", "东", "西", "西", None, "西", "东"],
        "labor_cost": [100.0, 200.0, None, 50.0, -40.0, None, 999.0],
        "parts_cost": [50.0, None, 30.0, None, None, None, 999.0],
        "travel_cost": [None, 20.0, 10.0, None, None, None, 999.0],
        "in_warranty": [True, False, None, True, False, True, True],
    }
)
WEEKS = [date(2024, 3, 4), date(2024, 3, 11)]


@pytest.fixture
def frames(loaded):
    return cost.frames(loaded(tickets=TICKETS), MARCH)


def test_structure_per_week_and_component(frames):
    expected = pl.DataFrame(
        {
            "period": [WEEKS[0]] * 3 + [WEEKS[1]] * 3,
            "component": ["labor_cost", "parts_cost", "travel_cost"] * 2,
            # week one: T1 T2; week two: T3 T4 T5 (T6 adds nothing)
            "cost": [300.0, 50.0, 20.0, 10.0, 30.0, 10.0],
        }
    )
    assert_frame_equal(cost.structure(frames, "1w"), expected)


def test_by_dimension(frames):
    expected = pl.DataFrame(
        {
            "region": ["东", "西", None],  # costliest first; the unknown region's credit last
            "tickets": [2, 3, 1],  # 东 T1 T2; 西 T3 T4 T6; unknown T5
            "cost_total": [370.0, 90.0, -40.0],  # 西: 40 + 50 + 0
            "cost_per_ticket": [185.0, 30.0, -40.0],
            "labor_cost_per_ticket": [150.0, 50 / 3, -40.0],
            "parts_cost_per_ticket": [25.0, 10.0, 0.0],
            "travel_cost_per_ticket": [10.0, 10 / 3, 0.0],
        }
    )
    assert_frame_equal(cost.by_dimension(frames, "region"), expected)


def test_by_dimension_adds_up_to_the_kpi_cards(frames):
    cards = evaluate(frames, ("tickets", "cost_total"))
    got = cost.by_dimension(frames, "category")
    assert got["tickets"].sum() == cards["tickets"] == 6
    assert got["cost_total"].sum() == pytest.approx(cards["cost_total"]) and cards["cost_total"] == 420.0


def test_pareto_keeps_credits_in_totals_but_out_of_shares(frames):
    expected = pl.DataFrame(
        {
            # positive totals 260 + 150 + 50 = 460 make the shares
            "category": ["维修", "安装", None, "咨询", "退款"],
            "cost_total": [260.0, 150.0, 50.0, 0.0, -40.0],  # 维修: 220 + 40
            "share": [260 / 460, 150 / 460, 50 / 460, None, None],
            "cumulative_share": [260 / 460, 410 / 460, 1.0, None, None],
            # 56.5 % then 89.1 %: 安装 crosses 80 % and is vital, the unknown category is not
            "vital": [True, True, False, False, False],
        }
    )
    assert_frame_equal(cost.pareto(frames), expected)


def pareto_of(loaded, labour: dict[str, float]) -> pl.DataFrame:
    tickets = pl.DataFrame(
        {
            "ticket_id": list(labour),
            "created_at": [at(4)] * len(labour),
            "category": list(labour),
            "labor_cost": list(labour.values()),
        }
    )
    return cost.pareto(cost.frames(loaded(tickets=tickets), MARCH))


def test_pareto_a_value_reaching_exactly_80_percent_closes_the_vital_few(loaded):
    # a and b tie on 40 (by name), together exactly 80 %; c is not needed
    got = pareto_of(loaded, {"c": 20.0, "b": 40.0, "a": 40.0})
    assert got.rows() == [
        ("a", 40.0, 0.4, 0.4, True),
        ("b", 40.0, 0.4, 0.8, True),
        ("c", 20.0, 0.2, 1.0, False),
    ]


def test_pareto_one_value_over_80_percent_is_the_only_vital_one(loaded):
    assert pareto_of(loaded, {"x": 90.0, "y": 10.0})["vital"].to_list() == [True, False]


def test_pareto_with_only_credits_has_no_share(loaded):
    got = pareto_of(loaded, {"x": -5.0, "y": 0.0})
    assert got["cost_total"].to_list() == [0.0, -5.0]
    assert got.select("share", "cumulative_share").null_count().row(0) == (2, 2)
    assert not got["vital"].any()


def test_warranty(frames):
    expected = pl.DataFrame(
        {
            "in_warranty": [True, False, None],
            "tickets": [3, 2, 1],  # T1 T4 T6; T2 T5; T3
            "cost_total": [200.0, 180.0, 40.0],  # 150 + 50 + 0; 220 − 40; 30 + 10
            "cost_per_ticket": [200 / 3, 90.0, 40.0],
            "labor_cost_per_ticket": [50.0, 80.0, 0.0],
            "parts_cost_per_ticket": [50 / 3, 0.0, 30.0],
            "travel_cost_per_ticket": [0.0, 10.0, 10.0],
        }
    )
    assert_frame_equal(cost.warranty(frames), expected)


def test_warranty_rows_in_fixed_order_whatever_they_cost(loaded):
    tickets = pl.DataFrame(
        {
            "ticket_id": ["U", "O", "I"],
            "created_at": [at(4)] * 3,
            "in_warranty": [None, False, True],
            "travel_cost": [30.0, 20.0, 10.0],
        }
    )
    got = cost.warranty(cost.frames(loaded(tickets=tickets), MARCH))
    assert got.select("in_warranty", "cost_total").rows() == [(True, 10.0), (False, 20.0), (None, 30.0)]


def test_only_the_components_present(loaded):
    frames = cost.frames(loaded(tickets=TICKETS.drop("parts_cost", "travel_cost")), MARCH)
    assert cost.structure(frames, "1mo")["component"].to_list() == ["labor_cost"]
    assert cost.by_dimension(frames, "region").columns == [
        "region",
        "tickets",
        "cost_total",
        "cost_per_ticket",
        "labor_cost_per_ticket",
    ]


def test_missing_columns_give_none(loaded):
    no_cost = cost.frames(loaded(tickets=TICKETS.drop("labor_cost", "parts_cost", "travel_cost")), MARCH)
    assert cost.structure(no_cost, "1w") is None
    assert cost.by_dimension(no_cost, "region") is None
    assert cost.pareto(no_cost) is None
    assert cost.warranty(no_cost) is None


def test_missing_dimension_gives_none(frames):
    assert cost.by_dimension(frames, "product") is None
    assert cost.pareto(frames, by="product") is None


def test_missing_warranty_gives_none(loaded):
    assert cost.warranty(cost.frames(loaded(tickets=TICKETS.drop("in_warranty")), MARCH)) is None


def test_empty_scope(loaded):
    frames = cost.frames(loaded(tickets=TICKETS), store.Scope(date(2024, 5, 1), date(2024, 5, 31)))
    assert cost.structure(frames, "1w").is_empty()
    assert cost.by_dimension(frames, "region").is_empty()
    assert cost.pareto(frames).is_empty()
    assert cost.warranty(frames).is_empty()


# --- sample data against an independent DuckDB computation --------------------------------


def test_sample_costs_match_sql(sample):
    scope = store.Scope(date(2025, 1, 1), date(2025, 6, 30))
    frames = cost.frames(sample, scope)
    total = "coalesce(labor_cost, 0) + coalesce(parts_cost, 0) + coalesce(travel_cost, 0)"
    in_range = "created_at >= DATE '2025-01-01' AND created_at < DATE '2025-07-01'"
    by_category = sample.sql(
        f"SELECT category, sum({total}) AS cost_total FROM tickets WHERE {in_range} GROUP BY category"
        " ORDER BY cost_total DESC"
    ).pl()
    got = cost.pareto(frames)
    assert got["category"].to_list() == by_category["category"].to_list()
    assert got["cost_total"].to_list() == pytest.approx(by_category["cost_total"].to_list())
    assert got["cumulative_share"][-1] == pytest.approx(1.0)
    by_warranty = sample.sql(
        f"SELECT in_warranty, count(*) AS tickets, avg({total}) AS cost_per_ticket,"
        f" avg(coalesce(parts_cost, 0)) AS parts_cost_per_ticket FROM tickets WHERE {in_range}"
        " GROUP BY in_warranty ORDER BY in_warranty DESC NULLS LAST"
    ).pl()
    warranty = cost.warranty(frames)
    assert warranty["in_warranty"].to_list() == by_warranty["in_warranty"].to_list()
    assert warranty["tickets"].to_list() == by_warranty["tickets"].to_list()
    for column in ("cost_per_ticket", "parts_cost_per_ticket"):
        assert warranty[column].to_list() == pytest.approx(by_warranty[column].to_list()), column


# --- the page's words ----------------------------------------------------------------------


def test_pareto_sentence_counts_names_and_escapes_the_vital_few():
    pareto = pl.DataFrame(
        {
            "category": ["漏水", "a*b", "噪音", None],
            "cost_total": [600.0, 250.0, 150.0, -20.0],
            "share": [0.6, 0.25, 0.15, None],
            "cumulative_share": [0.6, 0.85, 1.0, None],
            "vital": [True, True, False, False],
        }
    )
    # 0.6 + 0.25 = 85 %; "a*b" would be Markdown emphasis, so its star is escaped
    assert (
        cost.pareto_sentence(pareto, "en") == "**2 of 4** categories make **85%** of the cost: 漏水, a\\*b."
    )
    assert (
        cost.pareto_sentence(pareto, "zh") == "4 个问题类型中的 **2 个** 占了 **85%** 的成本：漏水、a\\*b。"
    )
    nothing = pareto.with_columns(pl.lit(False).alias("vital"))
    assert cost.pareto_sentence(nothing, "en") == "**0 of 4** categories make **0%** of the cost: ."
    many = pl.DataFrame({"category": [f"c{i}" for i in range(10)], "share": [0.1] * 10, "vital": [True] * 10})
    assert cost.pareto_sentence(many, "en").endswith(": c0, c1, c2, c3, c4, c5, c6, c7.")  # eight named


def test_warranty_shown_in_words_with_unknown_for_an_empty_value():
    table = pl.DataFrame({"in_warranty": [True, False, None], "tickets": [3, 2, 1]})
    shown = cost.warranty_shown(table, "en")
    assert shown["in_warranty"].to_list() == ["In warranty", "Out of warranty", "Unknown"]
    assert shown["tickets"].to_list() == [3, 2, 1]
    assert cost.warranty_shown(table, "zh")["in_warranty"].to_list() == ["保内", "保外", "未知"]
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        cost.warranty_shown(table.drop("in_warranty"), "en")
