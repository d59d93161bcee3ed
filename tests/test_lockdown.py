"""User text never reaches SQL as SQL: hostile column names, category values, filter values and file names
go through quoted identifiers and bound parameters, and the locked-down store refuses file access anyway.
"""

import json
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from lib import cli
from lib.engine import kpis, store
from lib.engine.store import Scope

ESCAPES = [
    "x'); COPY (SELECT 42) TO '{target}'; --",
    "x\"); COPY (SELECT 42) TO '{target}'; --",
    "x' OR '1'='1",
    "'; ATTACH '{target}' AS pwn; --",
    "x; INSTALL httpfs; SET enable_external_access=true; --",
    "read_csv('/etc/passwd')",
]


def _tickets(categories: list[str]) -> pl.DataFrame:
    start = datetime(2026, 3, 1, 9)
    return pl.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(len(categories))],
            "created_at": [start + timedelta(hours=i) for i in range(len(categories))],
            "resolved_at": [start + timedelta(hours=i + 5) for i in range(len(categories))],
            "category": categories,
        }
    )


@pytest.mark.parametrize("text", ESCAPES)
def test_category_and_filter_values_are_bound_parameters(con, tmp_path, text):
    target = tmp_path / "pwn.csv"
    hostile = text.format(target=target)
    store.load(con, "tickets", _tickets([hostile, "安装", "安装"]))
    frames = store.scoped(con, Scope(filters=(("category", (hostile,)),)))
    assert frames.tickets["category"].to_list() == [hostile]  # exactly the row with that value
    assert kpis.evaluate(frames, ("tickets",))["tickets"] == 1
    assert set(store.dimension_values(con)["category"]) == {hostile, "安装"}
    assert not target.exists()
    assert store.tables(con) == {"tickets": 3}


def test_a_filter_on_an_unknown_dimension_is_ignored_not_spliced(con):
    store.load(con, "tickets", _tickets(["安装", "漏水"]))
    sneaky = 'category" IS NOT NULL; DROP TABLE tickets; --'
    frames = store.scoped(con, Scope(filters=((sneaky, ("x",)),)))
    assert frames.tickets.height == 2
    assert store.tables(con) == {"tickets": 2}


@pytest.mark.parametrize("text", ESCAPES)
def test_hostile_column_names_are_quoted_identifiers(con, tmp_path, text):
    target = tmp_path / "pwn.csv"
    name = text.format(target=target)
    frame = _tickets(["安装", "漏水"]).with_columns(pl.lit("v").alias(name))
    store.load(con, "tickets", frame)
    assert name in store.columns(con, "tickets")
    assert store.preview(con, "tickets")[name].to_list() == ["v", "v"]
    store.load(con, "tickets", frame.with_columns(pl.col("ticket_id") + "b"))  # the append path too
    assert store.tables(con) == {"tickets": 4}
    assert not target.exists()


def test_hostile_headers_and_file_name_through_the_cli(tmp_path, capsys):
    """The command line reads a file named and headed with SQL: the KPIs come out, nothing else happens."""
    target = tmp_path / "pwn.csv"
    header_trap = f"备注'); COPY (SELECT 1) TO '{target}'; --"
    source = tmp_path / "tickets'; DROP TABLE tickets; --.csv"
    rows = ["工单编号,创建时间,解决时间,问题类型," + f'"{header_trap}"']
    rows += [
        f"T{i},2026-03-0{i + 1} 09:00,2026-03-0{i + 1} 12:00,x'); DROP TABLE tickets; --,note"
        for i in range(3)
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert cli.main(["kpis", "--tickets", str(source), "--start", "2026-03-01", "--end", "2026-03-31"]) == 0
    values = json.loads(capsys.readouterr().out)
    assert values["tickets"] == 3 and values["resolution_rate"] == 1.0
    assert not target.exists()


def test_scope_dates_are_parameters_too(con):
    store.load(con, "tickets", _tickets(["安装"] * 5))
    frames = store.scoped(con, Scope(date(2026, 3, 1), date(2026, 3, 1)))
    assert frames.tickets.height == 5


@pytest.mark.parametrize("text", ESCAPES)
def test_explore_groups_filters_and_measures_keep_hostile_values_as_values(con, tmp_path, text):
    from lib.analysis import explore
    from lib.engine import measures

    target = tmp_path / "pwn.csv"
    hostile = text.format(target=target)
    store.load(con, "tickets", _tickets([hostile, "安装", "安装"]))
    definition = {"key": "m", "label": hostile, "kind": "count"}
    definition["where"] = [{"field": "category", "op": "in", "value": [hostile, "x"]}]
    settings = measures.with_measures(kpis.Settings(), [definition])
    question = explore.Question(
        ("tickets", "m"), by=("category",), filters=(("category", (hostile, "安装")),)
    )
    table = explore.ask(con, Scope(), question, settings).table
    assert dict(zip(table["category"], table["tickets"], strict=True)) == {"安装": 2, hostile: 1}
    assert dict(zip(table["category"], table["m"], strict=True)) == {"安装": 0, hostile: 1}
    assert not target.exists()
    assert store.tables(con) == {"tickets": 3}


def test_explore_on_the_command_line_binds_a_hostile_filter(tmp_path, capsys):
    target = tmp_path / "pwn.csv"
    value = f"x'); COPY (SELECT 1) TO '{target}'; --"
    code = cli.main(
        [
            "explore",
            "--tickets",
            "sample_data/tickets.csv",
            "--kpi",
            "tickets",
            "--filter",
            f"category={value}",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and out.splitlines()[1].startswith("0,")  # no ticket has that category
    assert not target.exists()
