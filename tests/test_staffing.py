"""Staffing: Erlang C against a published worked example, workload arithmetic, and plans from a forecast."""

from __future__ import annotations

import math
from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.predict.staffing import agents_by_workload, agents_for, erlang_c, plan, service_level

# Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example",
# https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm: 100 calls in 30 minutes
# (200 calls an hour), AHT 180 s → A = 200 × 180 / 3600 = 10 Erlangs; target 80 % answered in 20 s.
# Its steps give, per number of agents N: probability of waiting and service level
#   N=11: 68.21 %, 39.0 %   N=12: 44.94 %, 64.0 %   N=13: 28.53 %, 79.6 %   N=14: 17.41 %, 88.8 %
# so 14 agents (13 fall just short), occupancy 10 / 14 = 71.4 % (under the 85 % cap), and with 30 %
# shrinkage 14 / 0.7 = 20 agents.
WORKED_EXAMPLE = [(11, 0.6821, 0.390), (12, 0.4494, 0.640), (13, 0.2853, 0.796), (14, 0.1741, 0.888)]


@pytest.mark.parametrize(("agents", "waiting", "answered"), WORKED_EXAMPLE)
def test_erlang_c_worked_example(agents, waiting, answered):
    assert erlang_c(10, agents) == pytest.approx(waiting, abs=5e-5)
    assert service_level(200, 180, agents, 20) == pytest.approx(answered, abs=5e-4)


def test_agents_for_worked_example():
    assert agents_for(200, 180, 20, service_level_target=0.8, max_occupancy=0.85) == 14
    # Answered at once (target 0 s): service level = 1 − P_w, N=13 → 71.5 %, N=14 → 82.6 % → 14.
    assert agents_for(200, 180, 0) == 14
    # 90 % in 20 s: N=14 gives 88.8 % → 15 (1 − 0.1020·e^(−5·20/180) = 94.1 %).
    assert agents_for(200, 180, 20, service_level_target=0.9) == 15


def test_occupancy_cap_binds_before_service_level():
    # 10 Erlangs at most 60 % busy: 10 / 0.6 = 16.7 → 17 agents, though 14 meet the service level.
    assert agents_for(200, 180, 20, max_occupancy=0.6) == 17


def test_erlang_c_matches_the_textbook_formula():
    # P_w = (A^N / N!)·N/(N − A) / (Σ_{k<N} A^k / k! + (A^N / N!)·N/(N − A)), fine at small N.
    def textbook(a: float, n: int) -> float:
        top = a**n / math.factorial(n) * n / (n - a)
        return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)

    for a, n in [(0.5, 1), (2.0, 3), (7.3, 9), (25.0, 30)]:
        assert erlang_c(a, n) == pytest.approx(textbook(a, n), rel=1e-12)


def test_500_agents_without_overflow():
    # 500! and 480^500 overflow a float; check against the same formula in logs (lgamma).
    a, n = 480.0, 500

    def log_term(k: int) -> float:
        return k * math.log(a) - math.lgamma(k + 1)

    log_top = log_term(n) + math.log(n / (n - a))
    logs = [log_term(k) for k in range(n)] + [log_top]
    peak = max(logs)
    expected = math.exp(log_top - peak) / sum(math.exp(x - peak) for x in logs)
    assert erlang_c(a, n) == pytest.approx(expected, rel=1e-9)
    assert 0 < erlang_c(a, n) < 1
    # 9 600 calls an hour at 180 s is 480 Erlangs: the 85 % occupancy cap (480 / 0.85 = 564.7) binds.
    assert agents_for(9600, 180, 20) == 565
    fewest = agents_for(9600, 180, 20, max_occupancy=1.0)
    assert 481 <= fewest < 565
    assert service_level(9600, 180, fewest - 1, 20) < 0.8 <= service_level(9600, 180, fewest, 20)


def test_no_calls_no_agents_and_overload():
    assert agents_for(0, 180, 20) == 0
    assert erlang_c(0, 0) == 0.0
    assert service_level(0, 180, 0, 20) == 1.0
    assert erlang_c(10, 10) == 1.0  # as many agents as Erlangs: the queue never empties
    assert service_level(200, 180, 9, 20) == 0.0


def test_more_calls_never_fewer_agents():
    needed = [agents_for(calls, 240, 30) for calls in range(0, 1500, 7)]
    assert needed == sorted(needed)
    assert needed[-1] > needed[1] > 0


def test_bad_inputs_refused():
    with pytest.raises(ValueError):
        agents_for(100, 0, 20)
    with pytest.raises(ValueError):
        agents_for(-1, 180, 20)
    with pytest.raises(ValueError):
        agents_for(100, 180, 20, service_level_target=1.0)
    with pytest.raises(ValueError):
        agents_by_workload(10, 30, 8, shrinkage=1.0)


def test_workload_arithmetic():
    # 120 tickets × 30 min = 60 h of work; an agent gives 7.5 h × (1 − 0.2) = 6 h → 10 agents.
    assert agents_by_workload(120, 30, 7.5, 0.2) == pytest.approx(10.0)
    # 100 × 45 min = 75 h; 8 h × 0.7 = 5.6 h → 13.39…
    assert agents_by_workload(100, 45, 8, 0.3) == pytest.approx(75 / 5.6)
    assert agents_by_workload(0, 45, 8, 0.3) == 0.0


def test_plan_rounds_up_without_floating_point_residue():
    # 336 tickets × 30 min = 168 h; 8 h × 0.7 = 5.6 h → 30 agents (the float is 30.000000000000004).
    one_day = pl.DataFrame({"ds": [date(2024, 3, 4)], "yhat": [336.0]})
    assert plan(one_day, aht_minutes=30, method="workload", shrinkage=0.3)["agents"].to_list() == [30]
    # 330 calls an hour × 180 s = 16.5 Erlangs → 21 on the phones; 21 / 0.7 = 30 (12 open hours).
    assert agents_for(330, 180, 20) == 21
    one_day = one_day.with_columns(yhat=pl.lit(330.0 * 12))
    assert plan(one_day, aht_minutes=3, shrinkage=0.3)["agents"].to_list() == [30]


def test_plan_erlang_c_daily():
    forecast = pl.DataFrame(
        {
            "ds": [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 7)],
            "yhat": [2400.0, 0.0, -3.5, 1200.0],
        }
    )
    # 2400 tickets over 8:00–20:00 = 200 an hour at AHT 3 min: the worked example, 14 on the phones;
    # ÷ (1 − 0.3) = 20 (exactly: no 21st agent from floating point). A negative forecast is 0 tickets.
    # 1200 → 100 an hour = 5 Erlangs: N=7 gives P_w 0.3241, 1 − 0.3241·e^(−2·20/180) = 74.0 %; N=8 gives
    # P_w 0.1673, 1 − 0.1673·e^(−3·20/180) = 88.0 % → 8 on the phones → 8 / 0.7 = 11.4 → 12.
    expected = pl.DataFrame(
        {
            "ds": forecast["ds"],
            "tickets": [2400.0, 0.0, 0.0, 1200.0],
            "agents": [20, 0, 0, 12],
        }
    )
    assert_frame_equal(plan(forecast, aht_minutes=3, shrinkage=0.3), expected)


def test_plan_workload_and_weekly():
    forecast = pl.DataFrame(
        {
            "ds": [datetime(2024, 3, 4), datetime(2024, 3, 11)],
            "yhat": [700.0, 350.0],
        }
    )
    # Weekly, open 5 days: 140 and 70 tickets a day × 24 min = 56 h and 28 h; an agent gives
    # 8 h × (1 − 0.3) = 5.6 h → 10 and 5 agents on duty each open day.
    planned = plan(forecast, aht_minutes=24, method="workload", shrinkage=0.3, open_days_per_week=5)
    assert planned["agents"].to_list() == [10, 5]
    # Open 7 days: 100 and 50 a day → 40 h, 20 h → 7.14… → 8 and 3.57… → 4.
    assert plan(forecast, aht_minutes=24, method="workload", shrinkage=0.3)["agents"].to_list() == [8, 4]


def test_plan_refuses_unclear_input():
    two_segments = pl.DataFrame({"ds": [date(2024, 3, 4)] * 2, "yhat": [1.0, 2.0]})
    with pytest.raises(ValueError, match="one forecast row per date"):
        plan(two_segments, aht_minutes=5)
    one_day = pl.DataFrame({"ds": [date(2024, 3, 4)], "yhat": [10.0]})
    with pytest.raises(ValueError, match="method"):
        plan(one_day, aht_minutes=5, method="magic")
    with pytest.raises(ValueError, match="opening hours"):
        plan(one_day, aht_minutes=5, hours_open=(20, 8))
