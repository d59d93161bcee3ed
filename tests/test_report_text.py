"""The report's sentences: rising, falling, unchanged and missing KPIs, in both languages, from numbers only."""

from datetime import date

import pytest

from lib.analysis.overview import Summary
from lib.engine import periods, store
from lib.engine.kpis import BY_KEY, Settings
from lib.report.content import next_target
from lib.report.sections import Context
from lib.report.sentences import direction, judgement, kpi_sentence, targets_sentence

SETTINGS = Settings()  # response SLA target 90 %, first response mean target 4 h, tickets without a target


@pytest.mark.parametrize(
    ("key", "now", "before", "expected"),
    [
        ("tickets", 110, 100, "up"),
        ("tickets", 90, 100, "down"),
        ("tickets", 101, 100, "stable"),  # 1 % < 2 %
        ("tickets", 5, 0, "up"),  # no relative change from zero, still a move
        ("tickets", 0, 0, "stable"),
        ("response_sla_rate", 0.903, 0.90, "stable"),  # 0.3 pp < 0.5 pp
        ("response_sla_rate", 0.91, 0.90, "up"),  # 1 pp, although only 1.1 % relative
        ("csat", 80.5, 80.0, "stable"),  # CSAT points: under one point
        ("csat", 78.0, 80.0, "down"),
        ("tickets", 100, None, None),
        ("tickets", None, 100, None),
    ],
)
def test_direction(key, now, before, expected):
    assert direction(BY_KEY[key], now, before) == expected


def test_judgement_follows_the_kpis_good_direction():
    hours, rate, count = BY_KEY["first_response_hours_mean"], BY_KEY["fcr_rate"], BY_KEY["tickets"]
    assert judgement(hours, "down") == "better" and judgement(hours, "up") == "worse"
    assert judgement(rate, "up") == "better" and judgement(rate, "down") == "worse"
    assert judgement(count, "up") is None  # more tickets is neither good nor bad
    assert judgement(rate, "stable") is None and judgement(rate, None) is None


def test_falling_rate_below_target_in_english():
    sentence = kpi_sentence(BY_KEY["response_sla_rate"], 0.861, 0.884, SETTINGS, "en")
    assert sentence == (
        "Response SLA rate: 86.1%, down 2.3 pp on the previous period (88.4%), a deterioration; "
        "it is close to but short of the target of 90.0%."
    )


def test_rising_hours_in_chinese_say_worse_and_missed():
    sentence = kpi_sentence(BY_KEY["first_response_hours_mean"], 5.0, 4.0, SETTINGS, "zh")
    assert (
        sentence
        == "首次响应平均（小时）为 5.0 小时，较上期（4.0 小时）上升 25.0%，有所恶化；未达到目标（4.0 小时）。"
    )


def test_falling_hours_are_an_improvement_that_meets_the_target():
    sentence = kpi_sentence(BY_KEY["first_response_hours_mean"], 3.0, 4.0, SETTINGS, "en")
    assert (
        "down 25.0%" in sentence and "an improvement" in sentence and "meets the target of 4.0 h" in sentence
    )


def test_unchanged_says_stable_and_no_judgement():
    en = kpi_sentence(BY_KEY["tickets"], 1010, 1000, SETTINGS, "en")
    zh = kpi_sentence(BY_KEY["tickets"], 1010, 1000, SETTINGS, "zh")
    assert en == "Tickets: 1,010, about the same as the previous period (1,000)."
    assert zh == "工单量为 1,010，与上期（1,000）基本持平。"
    assert "improvement" not in en and "改善" not in zh


def test_same_period_last_year_is_named():
    sentence = kpi_sentence(BY_KEY["tickets"], 1200, 1000, SETTINGS, "en", compare="year")
    assert sentence == "Tickets: 1,200, up 20.0% on the same period last year (1,000)."
    assert "去年同期" in kpi_sentence(BY_KEY["tickets"], 1200, 1000, SETTINGS, "zh", compare="year")


def test_no_comparison_period_is_said_not_invented():
    en = kpi_sentence(BY_KEY["tickets"], 1200, None, SETTINGS, "en")
    assert en == "Tickets: 1,200 (the previous period has no data to compare with)."
    assert "上期无数据可比" in kpi_sentence(BY_KEY["tickets"], 1200, None, SETTINGS, "zh")


QUARTER = store.Scope(date(2025, 1, 1), date(2025, 3, 31))  # compared with 1 Oct – 31 Dec 2024


@pytest.mark.parametrize(
    ("data_from", "lang", "expected"),
    [
        (
            date(2024, 10, 1),  # the data covers the previous quarter: the change is said, as before
            "en",
            "Response SLA rate: 86.1%, down 2.3 pp on the previous period (88.4%), a deterioration; "
            "it is close to but short of the target of 90.0%.",
        ),
        (
            date(2024, 11, 16),  # half of it: no change, and no "no data" on every line either
            "en",
            "Response SLA rate: 86.1%; it is close to but short of the target of 90.0%.",
        ),
        (date(2025, 1, 1), "zh", "响应达标率为 86.1%；接近但未达到目标（90.0%）。"),  # no data before at all
    ],
)
def test_the_change_clause_needs_a_covered_comparison_period(data_from, lang, expected):
    """Numbers for the period before are at hand in each case; only the coverage decides."""
    comparison = periods.coverage(QUARTER.previous(), (data_from, date(2025, 3, 31)))
    columns = {"tickets": frozenset({"ticket_id", "created_at", "first_response_at"})}
    summary = Summary({"response_sla_rate": 0.861}, {"response_sla_rate": 0.884}, columns, comparison)
    context = Context(None, QUARTER, SETTINGS, lang, summary)
    assert context.sentence("response_sla_rate") == expected
    headers = context.kpi_table(("response_sla_rate",), "KPIs").frame.columns
    assert len(headers) == (6 if comparison.covered else 4)  # previous value and change only when compared


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_kpi_says_what_would_fill_it(lang):
    why = {"zh": "不可用：需要列 首次响应时间", "en": "Not available: needs column First response time"}[lang]
    sentence = kpi_sentence(BY_KEY["first_response_hours_mean"], None, 3.0, SETTINGS, lang, missing=why)
    assert why in sentence
    assert "3.0" not in sentence  # the old value is not reported as if it were this period's


def test_a_custom_target_is_used():
    settings = Settings(targets=(("tickets", 1000.0),))  # a count target only matters with a direction
    moved = Settings(targets=(("fcr_rate", 0.95),))
    assert "misses the target of 95.0%" in kpi_sentence(BY_KEY["fcr_rate"], 0.80, 0.80, moved, "en")
    assert "target" not in kpi_sentence(BY_KEY["tickets"], 900, 1000, settings, "en")


def test_targets_sentence():
    sla, fcr, csat = BY_KEY["response_sla_rate"], BY_KEY["fcr_rate"], BY_KEY["csat"]
    assert targets_sentence([sla, fcr], [], [], "en") == "All 2 KPIs with a target meet it."
    assert targets_sentence([sla], [fcr], [csat], "en") == (
        "1 of 3 KPIs with a target meet it; off target: CSAT; close to target: First-contact resolution rate."
    )
    assert (
        targets_sentence([sla], [], [fcr, csat], "zh")
        == "设有目标的 3 项指标中 1 项达标；未达标：一次解决率和满意度 CSAT。"
    )
    assert "尚未设置" in targets_sentence([], [], [], "zh")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("response_sla_rate", 0.80, 0.90),  # gap 10 pp ≤ 20 % of 90 %: the whole target
        ("response_sla_rate", 0.50, 0.70),  # a big gap: halfway
        ("first_response_hours_mean", 10.0, 7.0),  # lower is better: halfway from 10 h to 4 h
        ("first_response_hours_mean", 4.5, 4.0),
    ],
)
def test_next_period_target(key, value, expected):
    assert next_target(BY_KEY[key], value, SETTINGS) == pytest.approx(expected)
