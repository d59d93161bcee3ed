"""Explore: any KPI by one or two dimensions and a grain, checked against the KPI cards' own code path
(`overview.kpis`, what `python -m lib kpis` prints) with the matching filter, and on hand-made frames."""

from __future__ import annotations

import calendar
import json
from datetime import date, datetime

import polars as pl
import pytest

from lib.analysis import explore, overview
from lib.cli import main
from lib.engine import store
from lib.engine.kpis import BY_KEY, KPIS, Settings
from lib.errors import InputError
from lib.schema import DIMENSIONS

EVERY_KPI = tuple(k.key for k in KPIS)
SAMPLE = "sample_data"


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def pick(table: pl.DataFrame, dimension: str, value) -> pl.DataFrame:
    """The rows of one group; the empty group (None) too, as a drill into it does."""
    return table.filter(pl.col(dimension).is_null() if value is None else pl.col(dimension) == value)


def groups_to_check(table: pl.DataFrame, dimension: str) -> list:
    """The largest group and a small one (not OTHER), so both ends of the ranking are checked."""
    values = [v for v in table.sort("size", descending=True)[dimension].to_list() if v != explore.OTHER]
    return list(
        dict.fromkeys([values[0], values[len(values) // 2], values[-1], *([None] if None in values else [])])
    )


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_every_kpi_by_every_dimension_equals_the_cards_with_that_filter(sample, dimension):
    question = explore.Question(EVERY_KPI, by=(dimension,), top=explore.MAX_TOP)
    table = explore.ask(sample, store.Scope(), question).table
    assert table.height > 1
    for value in groups_to_check(table, dimension):
        row = pick(table, dimension, value).row(0, named=True)
        cards = overview.kpis(sample, store.Scope(filters=((dimension, (value,)),)), Settings())
        for key in EVERY_KPI:
            if BY_KEY[key].table == "customers" and dimension != "region":
                # Customers have no channel, agent …: by those, churn is "not available", not everyone's.
                assert row[key] is None, key
                continue
            assert close(row[key], cards[key]), (dimension, value, key, row[key], cards[key])


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_every_kpi_by_dimension_and_month_equals_the_cards_for_that_month(sample, dimension):
    question = explore.Question(EVERY_KPI, by=(dimension,), grain="month", top=explore.MAX_TOP)
    table = explore.ask(sample, store.Scope(), question).table
    periods = sorted(table["period"].unique().to_list())
    month = periods[len(periods) // 2]
    inside = table.filter(pl.col("period") == month)
    value = inside.sort("size", descending=True)[dimension][0]
    row = pick(inside, dimension, value).row(0, named=True)
    end = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    scope = store.Scope(month, end, filters=((dimension, (value,)),))
    cards = overview.kpis(sample, scope, Settings())
    for key in EVERY_KPI:
        if BY_KEY[key].table == "customers":
            assert row[key] is None, key  # customers have no period view
            continue
        if key == "survey_response_rate":
            # Per period the engine (evaluate_by, as on the Satisfaction trend) counts the answers given in
            # the period over its tickets; for one month's range it counts answers to that month's tickets.
            continue
        assert close(row[key], cards[key]), (dimension, value, key, row[key], cards[key])


def test_two_dimensions_equal_the_cards_with_both_filters(sample):
    question = explore.Question(
        ("tickets", "resolution_sla_rate", "csat", "backlog"), by=("region", "channel")
    )
    table = explore.ask(sample, store.Scope(), question).table
    row = table.row(0, named=True)
    scope = store.Scope(filters=(("region", (row["region"],)), ("channel", (row["channel"],))))
    cards = overview.kpis(sample, scope, Settings(), ("tickets", "resolution_sla_rate", "csat", "backlog"))
    for key in cards:
        assert close(row[key], cards[key]), key


def run(capsys, *args: str) -> str:
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_cli_explore_equals_cli_kpis_with_the_filter(capsys):
    files = ["--tickets", f"{SAMPLE}/tickets.csv", "--surveys", f"{SAMPLE}/surveys.csv"]
    keys = "tickets,fcr_rate,csat,resolution_hours_p90"
    rows = json.loads(run(capsys, "explore", *files, "--kpi", keys, "--by", "channel", "--format", "json"))
    assert [r["channel"] for r in rows] == sorted(
        [r["channel"] for r in rows], key=lambda c: -next(r["size"] for r in rows if r["channel"] == c)
    )
    for row in rows[:2]:
        cards = json.loads(run(capsys, "kpis", *files, "--filter", f"channel={row['channel']}"))
        for key in keys.split(","):
            assert close(row[key], cards[key]), key
        assert isinstance(row["tickets"], int) and isinstance(row["size"], int)


def test_cli_explore_csv_by_two_dimensions_and_month(capsys):
    out = run(
        capsys,
        *("explore", "--tickets", f"{SAMPLE}/tickets.csv", "--kpi", "resolution_rate"),
        *("--by", "region,priority", "--grain", "month", "--top", "3"),
    )
    header = out.splitlines()[0]
    assert header == "region,priority,period,resolution_rate,size,small"
    assert explore.OTHER in out  # more than 3 regions: the rest folded


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--kpi", "nope"), "There is no KPI called “nope”"),
        (("--kpi", "tickets", "--by", "colour"), "“colour” is not a dimension"),
        (("--kpi", "tickets", "--by", "agent,region,channel"), "at most 2 dimensions"),
        (("--kpi", "tickets", "--filter", "region"), "DIMENSION=VALUE"),
    ],
)
def test_cli_explore_bad_question_is_one_line(capsys, args, words):
    code = main(["explore", "--tickets", f"{SAMPLE}/tickets.csv", *args])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(err) == 1 and words in err[0]


# ---- hand-made frames -----------------------------------------------------------------------


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, day, hour)


# region A: 3 tickets (2 resolved in ≤ 72 h of 2), B: 2 (1 of 1), C: 1 (0 of 1), D: 1 open.
HAND = pl.DataFrame(
    {
        "ticket_id": ["1", "2", "3", "4", "5", "6", "7"],
        "created_at": [at(1), at(2), at(3), at(4), at(5), at(6), at(7)],
        "resolved_at": [at(1, 5), at(3), None, at(5), None, at(20), None],
        "region": ["A", "A", "A", "B", "B", "C", "D"],
        "channel": ["x", "y", "x", "x", "y", "x", "x"],
    }
)


@pytest.fixture
def hand(loaded):
    return loaded(tickets=HAND)


def test_rest_folded_into_other_is_computed_on_its_own_rows(hand):
    question = explore.Question(("resolution_sla_rate", "tickets"), by=("region",), top=2)
    answer = explore.ask(hand, store.Scope(), question)
    rows = {r["region"]: r for r in answer.table.to_dicts()}
    assert set(rows) == {"A", "B", explore.OTHER}
    # OTHER = C and D: 2 tickets, one resolved (in 14 days): 0 of 1, not the mean of 0 and null.
    assert rows[explore.OTHER]["tickets"] == 2 and rows[explore.OTHER]["resolution_sla_rate"] == 0.0
    assert rows["A"]["resolution_sla_rate"] == 1.0 and rows["B"]["resolution_sla_rate"] == 1.0
    assert answer.table["region"].to_list()[-1] == explore.OTHER  # last, whatever the sort
    assert answer.folded == {"region": 2}


def test_min_size_marks_small_groups_ranked_after_the_others_and_sort_follows_the_kpi(hand):
    question = explore.Question(
        ("resolution_rate",), by=("region",), min_size=2, sort="resolution_rate", order="asc"
    )
    table = explore.ask(hand, store.Scope(), question).table
    assert table.select("region", "resolution_rate", "size", "small").rows() == [
        ("B", 0.5, 2, False),
        ("A", 2 / 3, 3, False),
        ("D", 0.0, 1, True),  # too small to rank: after the others
        ("C", 1.0, 1, True),
    ]


def test_two_dimensions_give_one_row_per_combination_present(hand):
    table = explore.ask(hand, store.Scope(), explore.Question(("tickets",), by=("region", "channel"))).table
    assert sorted(table.select("region", "channel", "tickets").rows()) == [
        ("A", "x", 2),
        ("A", "y", 1),
        ("B", "x", 1),
        ("B", "y", 1),
        ("C", "x", 1),
        ("D", "x", 1),
    ]


def test_page_filters_narrow_the_sidebar_filters(hand):
    sidebar = store.Scope(filters=(("region", ("A", "B")),))
    question = explore.Question(("tickets",), filters=(("region", ("B", "C")), ("channel", ("x",))))
    assert explore.narrowed(sidebar, question).filters == (("region", ("B",)), ("channel", ("x",)))
    assert explore.ask(hand, sidebar, question).table["tickets"].to_list() == [1]


def test_hostile_filter_values_are_bound_not_run(hand):
    evil = "x') OR 1=1 --"
    question = explore.Question(("tickets",), filters=(("region", (evil, '"; DROP TABLE tickets; --')),))
    assert explore.ask(hand, store.Scope(), question).table["tickets"].to_list() == [0]
    assert store.tables(hand)["tickets"] == 7


@pytest.mark.parametrize(
    ("question", "key"),
    [
        (explore.Question(()), "explore.no_kpi"),
        (explore.Question(("tickets; DROP TABLE tickets",)), "explore.unknown_kpi"),
        (explore.Question(("tickets",), by=('region" OR 1=1',)), "explore.unknown_dimension"),
        (explore.Question(("tickets",), filters=(("ticket_id", ("1",)),)), "explore.unknown_dimension"),
        (explore.Question(("tickets",), by=("region", "region")), "explore.same_dimension_twice"),
        (explore.Question(("tickets",), grain="1mo); --"), "explore.unknown_grain"),
        (explore.Question(("tickets",), top=0), "explore.bad_top"),
        (explore.Question(("tickets",), sort="csat"), "explore.bad_sort"),
    ],
)
def test_impossible_questions_say_what_is_wrong(question, key):
    with pytest.raises(InputError) as raised:
        explore.check(question)
    assert raised.value.key == key


def test_a_dimension_the_data_lacks_is_one_sentence(hand):
    with pytest.raises(InputError) as raised:
        explore.ask(hand, store.Scope(), explore.Question(("tickets",), by=("agent",)))
    assert raised.value.key == "explore.no_column"


def test_the_question_survives_a_round_trip_through_the_url():
    question = explore.Question(
        ("csat", "fcr_rate"),
        by=("product", "region"),
        grain="month",
        filters=(("category", ("漏水", "a&b=c")),),
        top=5,
        sort="csat",
        order="asc",
        min_size=30,
    )
    params = explore.to_params(question)
    assert all(name.startswith(explore.PREFIX) for name in params)
    assert explore.from_params(params) == question
    assert explore.from_params({}) is None
    # A link cut short or edited by hand still opens (bad numbers fall back to defaults).
    assert explore.from_params({"x_kpi": "tickets", "x_top": "lots"}).top == explore.DEFAULT_TOP


def test_chart_follows_the_question():
    assert explore.chart_kinds(explore.Question(("tickets",), grain="week"))[0] == "lines"
    assert explore.chart_kinds(explore.Question(("tickets",), by=("region",)))[0] == "bars"
    assert explore.chart_kinds(explore.Question(("tickets",), by=("region", "channel")))[:2] == (
        "heatmap",
        "multiples",
    )
