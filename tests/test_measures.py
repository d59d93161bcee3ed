"""Team-defined measures: each kind and operator on a hand-made frame with hand-worked values, a measure
rebuilding a built-in KPI gives its numbers, and hostile names and values stay values."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl
import pytest
from kpi_data import tickets as seeded_tickets

from lib.analysis import explore, overview
from lib.cli import main
from lib.engine import measures, store
from lib.engine.kpis import Settings, evaluate
from lib.errors import InputError


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, day, hour)


#            resolution hours: 5, 24, open, 24, −2 (bad clock), 336
HAND = pl.DataFrame(
    {
        "ticket_id": ["1", "2", "3", "4", "5", "6"],
        "created_at": [at(1), at(2), at(3), at(4), at(5, 2), at(6)],
        "resolved_at": [at(1, 5), at(3), None, at(5), at(5), at(20)],
        "category": ["漏水", "漏水", "漏水", "安装", None, "漏水"],
        "reopen_count": [0, 2, None, 1, 0, 0],
        "handle_minutes": [10.0, 20.0, 30.0, 40.0, None, 100.0],
        "is_complaint": [True, False, None, True, False, False],
    }
)


def value(con, definition: dict, scope: store.Scope | None = None):
    settings = measures.with_measures(Settings(), [{"key": "m", "label": "测试", **definition}])
    return overview.kpis(con, scope or store.Scope(), settings, ("m",))["m"]


@pytest.fixture
def hand(loaded):
    return loaded(tickets=HAND)


LEAK = {"field": "category", "op": "equals", "value": "漏水"}
RESOLUTION = {"field": "resolved_at", "since": "created_at"}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"kind": "count", "where": [LEAK]}, 4),
        ({"kind": "count", "where": [{"field": "category", "op": "in", "value": ["漏水", "安装"]}]}, 5),
        ({"kind": "count", "where": [{"field": "category", "op": "is_empty"}]}, 1),
        ({"kind": "count", "where": [{"field": "category", "op": "not_empty"}]}, 5),
        ({"kind": "count", "where": [{"field": "reopen_count", "op": "between", "value": [1, 2]}]}, 2),
        ({"kind": "count", "where": [{"field": "reopen_count", "op": "equals", "value": "0"}]}, 3),
        ({"kind": "count", "where": [{"field": "handle_minutes", "op": "under", "value": 20}]}, 2),
        ({"kind": "count", "where": [{"field": "is_complaint", "op": "equals", "value": "是"}]}, 2),
        (
            {
                "kind": "count",
                "where": [{"field": "created_at", "op": "between", "value": ["2024-03-02", "2024-03-04"]}],
            },
            3,
        ),
        # durations: 5 and 24 h are under 24; 336 is not; the open one and the −2 h one have no duration
        ({"kind": "count", "where": [{**RESOLUTION, "op": "under", "value": 24}]}, 3),
        ({"kind": "count", "where": [{**RESOLUTION, "op": "is_empty"}]}, 2),
        ({"kind": "count", "where": [LEAK, {**RESOLUTION, "op": "under", "value": 24}]}, 2),
        # share of leaks fixed within 24 h: tickets 1 and 2 of the four leaks
        ({"kind": "share", "where": [{**RESOLUTION, "op": "under", "value": 24}], "among": [LEAK]}, 0.5),
        # among leaks with a duration (1, 2, 6): 2 of 3
        (
            {
                "kind": "share",
                "where": [{**RESOLUTION, "op": "under", "value": 24}],
                "among": [LEAK, {**RESOLUTION, "op": "not_empty"}],
            },
            2 / 3,
        ),
        ({"kind": "mean", "of": {"field": "handle_minutes"}}, 40.0),
        ({"kind": "mean", "of": {"field": "handle_minutes"}, "where": [LEAK]}, 40.0),
        ({"kind": "median", "of": {"field": "handle_minutes"}, "where": [LEAK]}, 25.0),
        # p90 of 10, 20, 30, 100 (linear): position 2.7 → 30 + 0.7 × 70 = 79
        ({"kind": "p90", "of": {"field": "handle_minutes"}, "where": [LEAK]}, 79.0),
        # durations 5, 24, 24, 336 (the −2 h left out): mean 97.25, median 24
        ({"kind": "mean", "of": RESOLUTION}, 97.25),
        ({"kind": "median", "of": RESOLUTION}, 24.0),
    ],
)
def test_each_kind_and_operator_on_a_hand_made_frame(hand, definition, expected):
    assert value(hand, definition) == pytest.approx(expected)


def test_share_with_nothing_in_the_denominator_is_not_available_and_check_says_so(hand):
    definition = {
        "kind": "share",
        "where": [LEAK],
        "among": [{"field": "category", "op": "equals", "value": "无"}],
    }
    assert value(hand, definition) is None
    with pytest.raises(InputError) as raised:
        measures.check_data(hand, measures.parse({"key": "m", "label": "x", **definition}))
    assert raised.value.key == "measure.empty_denominator"


def test_a_field_the_data_lacks_is_not_available_and_check_names_it(hand):
    definition = {"kind": "mean", "of": {"field": "labor_cost"}}
    assert value(hand, definition) is None
    with pytest.raises(InputError) as raised:
        measures.check_data(hand, measures.parse({"key": "m", "label": "x", **definition}))
    assert raised.value.key == "measure.missing_field"
    assert "labor_cost" in raised.value.message("en")


SLA_REBUILT = {
    "key": "sla_rebuilt",
    "label": {"zh": "解决达标率（自建）", "en": "Resolution SLA (rebuilt)"},
    "kind": "share",
    "where": [{**RESOLUTION, "op": "under", "value": 72}],
    "among": [{**RESOLUTION, "op": "not_empty"}],
    "better": "higher",
    "target": 0.9,
}


def test_the_resolution_sla_rate_rebuilt_from_its_parts_equals_the_built_in(loaded):
    con = loaded(tickets=seeded_tickets(3000))
    settings = measures.with_measures(Settings(), [SLA_REBUILT])
    overall = overview.kpis(con, store.Scope(), settings, ("resolution_sla_rate", "sla_rebuilt"))
    assert overall["sla_rebuilt"] == pytest.approx(overall["resolution_sla_rate"])
    question = explore.Question(
        ("resolution_sla_rate", "sla_rebuilt"), by=("region", "priority"), grain="month"
    )
    table = explore.ask(con, store.Scope(), question, settings).table
    assert table.height > 50
    assert table["sla_rebuilt"].to_list() == pytest.approx(
        table["resolution_sla_rate"].to_list(), nan_ok=True
    )


def test_a_measure_is_a_kpi_record_with_labels_unit_direction_and_target():
    kpi = measures.parse(SLA_REBUILT).kpi()
    assert (kpi.key, kpi.unit, kpi.better, kpi.target, kpi.table) == (
        "sla_rebuilt",
        "ratio",
        "higher",
        0.9,
        "tickets",
    )
    assert kpi.label == ("解决达标率（自建）", "Resolution SLA (rebuilt)")
    assert "72" in kpi.description[0] and "72" in kpi.description[1]
    assert set(kpi.needs) == {"created_at", "resolved_at"}
    # Same definition, same record: a page's cache keyed on the settings still hits after a reload.
    assert measures.parse(SLA_REBUILT).kpi() == kpi and hash(measures.parse(SLA_REBUILT).kpi()) == hash(kpi)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"key": "Robert'); DROP TABLE tickets;--"}, "measure.bad_key"),
        ({"key": "tickets"}, "measure.builtin_key"),
        ({"label": ""}, "measure.no_label"),
        ({"kind": "sum"}, "measure.bad_kind"),
        ({"kind": "share", "among": []}, "measure.share_needs_among"),
        ({"where": [{"field": "secret_column", "op": "equals", "value": 1}]}, "measure.unknown_field"),
        ({"where": [{"field": "category", "op": "regex", "value": ".*"}]}, "measure.bad_operator"),
        ({"where": [{"field": "category", "op": "under", "value": 3}]}, "measure.under_needs_number"),
        (
            {"where": [{"field": "category", "op": "between", "value": ["a", "b"]}]},
            "measure.between_needs_order",
        ),
        ({"where": [{"field": "reopen_count", "op": "between", "value": [5, 1]}]}, "measure.between_order"),
        ({"where": [{"field": "reopen_count", "op": "equals", "value": "many"}]}, "measure.not_a_number"),
        ({"where": [{"field": "created_at", "op": "equals", "value": "yesterday"}]}, "measure.not_a_date"),
        (
            {"where": [{"field": "resolved_at", "since": "category", "op": "under", "value": 3}]},
            "measure.duration_needs_dates",
        ),
        (
            {"where": [{"field": "resolved_at", "since": "resolved_at", "op": "under", "value": 3}]},
            "measure.duration_same_field",
        ),
        ({"kind": "mean", "of": {"field": "category"}}, "measure.not_numeric"),
        ({"kind": "mean"}, "measure.needs_of"),
        ({"target": "__import__('os')"}, "measure.not_a_number"),
    ],
)
def test_impossible_measures_say_what_is_wrong_in_both_languages(change, key):
    definition = {"key": "m", "label": "x", "kind": "count", **change}
    with pytest.raises(InputError) as raised:
        measures.parse(definition)
    assert raised.value.key == key
    assert raised.value.message("zh") != key and raised.value.message("en") != key


def test_hostile_values_and_labels_stay_values(hand):
    evil = "漏水' OR 1=1 --"
    definition = {
        "kind": "count",
        "where": [{"field": "category", "op": "in", "value": [evil, '"); pl.col("x']}],
    }
    assert value(hand, definition) == 0
    label = "**bold** <script>alert(1)</script> {kpi}"
    kpi = measures.parse({"key": "m", "label": label, "kind": "count"}).kpi()
    assert kpi.label == (label, label)
    assert store.tables(hand)["tickets"] == 6


def test_cli_measure_file(capsys, tmp_path):
    path = tmp_path / "measures.json"
    path.write_text(json.dumps({"measures": [SLA_REBUILT]}), encoding="utf-8")
    code = main(
        [
            *("explore", "--tickets", "sample_data/tickets.csv", "--measure", str(path)),
            *("--kpi", "resolution_sla_rate,sla_rebuilt", "--by", "priority", "--format", "json"),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    rows = json.loads(out.out)
    assert rows and all(r["sla_rebuilt"] == pytest.approx(r["resolution_sla_rate"]) for r in rows)


def test_cli_bad_measure_file_is_one_line(capsys, tmp_path):
    path = tmp_path / "measures.json"
    path.write_text(
        '[{"key": "x", "label": "x", "kind": "count", "where": [{"field": "nope", "op": "equals"}]}]'
    )
    code = main(["explore", "--tickets", "sample_data/tickets.csv", "--measure", str(path), "--kpi", "x"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(err) == 1 and "“nope” is not a ticket field" in err[0]


def test_evaluate_by_key_needs_the_measure_in_the_settings():
    frame = store.Frames(HAND, None, None, None, store.Scope())
    settings = measures.with_measures(
        Settings(), [{"key": "m", "label": "x", "kind": "count", "where": [LEAK]}]
    )
    assert evaluate(frame, ("tickets", "m"), settings=settings) == {"tickets": 6, "m": 4}
    with pytest.raises(KeyError):
        evaluate(frame, ("m",))


def test_a_measure_off_target_is_an_overview_alert_explained_like_a_built_in(sample):
    from datetime import date

    from lib.analysis import alerts

    leak = {
        "key": "leak_24h",
        "label": {"zh": "漏水24小时修复率", "en": "Leaks fixed in 24 h"},
        "kind": "share",
        "where": [{**RESOLUTION, "op": "under", "value": 24}],
        "among": [{"field": "category", "op": "equals", "value": "漏水"}],
        "better": "higher",
        "target": 0.99,  # out of reach: red
    }
    settings = measures.with_measures(Settings(), [leak])
    scope = store.Scope(date(2026, 10, 1), date(2026, 10, 31))
    summary = overview.summarise(sample, scope, settings)
    red = dict((kpi.key, value) for kpi, value in overview.alerts(summary, settings))
    assert 0 < red["leak_24h"] < 0.99
    (why,) = alerts.explain_alerts(sample, scope, settings, ("leak_24h",))
    sentence = overview.explanation_sentence(why, settings, "en")
    assert sentence and "leak_24h" not in sentence
    table = overview.kpi_table(summary, settings, "en")
    assert table.filter(pl.col("Key") == "leak_24h").height == 1 if "Key" in table.columns else True
    assert "leak_24h" not in overview.kpis(sample, scope, Settings())  # without the team's settings: none


def test_the_report_has_a_table_and_sentences_for_the_team_measures(sample):
    from datetime import date

    from lib.report import content, files

    settings = measures.with_measures(Settings(), [SLA_REBUILT])
    scope = store.Scope(date(2026, 10, 1), date(2026, 10, 31))
    built = content.build(sample, scope, settings, "en", with_churn=False)
    performance = built.sections["performance"]
    table = next(b for b in performance.blocks if getattr(b, "title", "") == "Team measures")
    assert table.frame.height == 1 and "Resolution SLA (rebuilt)" in table.frame.row(0)
    # Its value is the built-in resolution SLA rate's, as the KPI table shows it.
    kpis = next(b for b in performance.blocks if getattr(b, "title", "") != "Team measures")
    builtin = kpis.frame.filter(pl.col(kpis.frame.columns[0]) == "Resolution SLA rate (T3)")
    assert builtin.row(0)[1] == table.frame.row(0)[1]
    assert any("Resolution SLA (rebuilt)" in s for s in performance.sentences)
    assert "Resolution SLA (rebuilt)" in files.render(built)


def test_cli_kpis_reads_the_team_measures_from_the_mapping_file(capsys, tmp_path):
    from lib.ingest import mapping

    path = tmp_path / "mapping.json"
    path.write_text(mapping.dumps({}, {"measures": [SLA_REBUILT, {"key": "bad"}]}), encoding="utf-8")
    code = main(["kpis", "--tickets", "sample_data/tickets.csv", "--mapping", str(path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    values = json.loads(out.out)
    assert values["sla_rebuilt"] == pytest.approx(values["resolution_sla_rate"])


def test_condition_rows_from_the_page_editor_become_a_definition():
    from lib.ui import measures_panel

    editor = pl.DataFrame(
        {
            "field": ["类型 · category", "解决时间 · resolved_at", None],
            "since": [None, "创建时间 · created_at", None],
            "op": ["属于 · in", "不超过 · under", "等于 · equals"],
            "value": ["漏水，安装, ", "24", "x"],
        }
    )
    rows = measures_panel._rows(editor)
    assert rows == [
        {"field": "category", "since": None, "op": "in", "value": ["漏水", "安装"]},
        {"field": "resolved_at", "since": "created_at", "op": "under", "value": "24"},
    ]
    measure = measures.parse({"key": "m", "label": "x", "kind": "count", "where": rows})
    assert measure.where[1].values == (24.0,)


def test_cli_explore_says_when_the_data_cannot_give_a_measure(capsys, tmp_path):
    path = tmp_path / "measures.json"
    empty = {**SLA_REBUILT, "among": [{"field": "category", "op": "equals", "value": "no such category"}]}
    path.write_text(json.dumps([empty]), encoding="utf-8")
    code = main(
        ["explore", "--tickets", "sample_data/tickets.csv", "--measure", str(path), "--kpi", "sla_rebuilt"]
    )
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(err) == 1 and "matches no ticket" in err[0]
