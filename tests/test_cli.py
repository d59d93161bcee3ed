"""`python -m lib kpis`: SPEC §4 output, one-line errors, and the same numbers as hand-written SQL."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from cli_output import error_lines

from lib.cli import main
from lib.engine.kpis import BY_KEY
from lib.ingest.mapping import dumps

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
REAL = ROOT.parent / "shared" / "data" / "real"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_kpis_json_has_every_key_and_sample_numbers(capsys):
    code, out, err = run(
        capsys,
        "kpis",
        "--tickets",
        str(SAMPLE / "tickets.csv"),
        "--surveys",
        str(SAMPLE / "surveys.csv"),
        "--customers",
        str(SAMPLE / "customers.csv"),
        "--start",
        "2026-10-01",
        "--end",
        "2026-10-31",
    )
    assert code == 0, err
    values = json.loads(out)
    assert set(values) == set(BY_KEY)
    assert 600 < values["tickets"] < 3000
    assert 0 < values["resolution_rate"] <= 1
    assert values["csat"] is not None and values["churn_rate"] is not None
    counts = {k for k, kpi in BY_KEY.items() if kpi.unit == "count"}
    assert counts >= {"tickets", "resolved", "backlog"}
    assert all(type(values[k]) is int for k in counts if values[k] is not None), {
        k: values[k] for k in counts
    }
    assert '"tickets": ' + str(values["tickets"]) + "," in out  # 1234, not 1234.0


def test_kpis_imports_neither_the_models_nor_the_report():
    """`kpis` reads a file and counts: scikit-learn, Prophet, jieba and the report stay unimported."""
    code = (
        "import sys; from lib import cli; cli.main(['kpis', '--tickets', 'sample_data/tickets.csv']);"
        "heavy = [m for m in ('sklearn', 'prophet', 'jieba', 'lib.report.content', 'lib.text.sentiment')"
        " if m in sys.modules]; print(heavy, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_kpis_csv_format(capsys):
    code, out, _ = run(capsys, "kpis", "--tickets", str(SAMPLE / "tickets.csv"), "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "kpi,value"
    assert len(lines) == len(BY_KEY) + 1
    # no surveys given: survey KPIs are not available (empty), never 0
    assert "csat," in lines
    assert any(line.startswith("tickets,") and line.split(",")[1].isdigit() for line in lines)  # no ".0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpis", "--tickets", "/no/such/file.csv"], "no such file"),
        (["kpis", "--tickets", "SAMPLE", "--start", "2026-13-01"], "not a date"),
        (
            ["kpis", "--tickets", "SAMPLE", "--start", "2026-10-31", "--end", "2026-10-01"],
            "after the end date",
        ),
        (["kpis", "--tickets", "EMPTY"], "is empty"),
        (["kpis", "--tickets", "NOHEADERS"], "required field"),
        (["kpis", "--tickets", "FOLDER"], "need --engine spark"),
        (["kpis", "--engine", "spark", "--tickets", "SAMPLE", "--tickets", "SAMPLE"], "one source per table"),
        (["forecast", "--tickets", "SAMPLE", "--horizon", "2", "--out", "OUT"], "7 to 180 days"),
        (
            ["forecast", "--tickets", "SAMPLE", "--horizon", "28", "--country", "XX", "--out", "OUT"],
            "Unknown holiday",
        ),
        (["forecast", "--tickets", "SHORT", "--horizon", "28", "--out", "OUT"], "Less than 8 weeks"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_nonzero_exit(args, message, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "noheaders.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    days = "\n".join(f"T{d},2026-03-{d:02d} 09:00" for d in range(1, 29))
    (tmp_path / "short.csv").write_text(f"ticket_id,created_at\n{days}\n", encoding="utf-8")
    swap = {
        "SAMPLE": str(SAMPLE / "tickets.csv"),
        "EMPTY": str(tmp_path / "empty.csv"),
        "NOHEADERS": str(tmp_path / "noheaders.csv"),
        "SHORT": str(tmp_path / "short.csv"),
        "OUT": str(tmp_path / "out.csv"),
        "FOLDER": str(tmp_path),
    }
    argv = [swap.get(a, a) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "lib", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(error_lines(done.stderr)) == 1, done.stderr  # after the mapping used, one line
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_spark_engine_without_pyspark_says_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed: its import raises
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    code, out, err = run(
        capsys, "kpis", "--engine", "spark", "--tickets", str(SAMPLE / "tickets.csv"), "--lang", "zh"
    )
    assert code == 2 and out == ""
    assert "requirements-spark.txt" in err and "未安装 Spark" in err


@pytest.mark.slow
def test_forecast_by_channel_writes_the_pages_csv_and_segments_add_up(capsys, tmp_path):
    import polars as pl

    out = tmp_path / "forecast.csv"
    code, said, _ = run(
        capsys,
        "forecast",
        "--tickets",
        str(SAMPLE / "tickets.csv"),
        "--horizon",
        "14",
        "--by",
        "channel",
        "--out",
        str(out),
    )
    assert code == 0
    assert "back-tests (14 days ahead each)" in said
    assert "Holidays: " in said  # which calendar (auto by default) and why
    assert "the 80% interval held" in said and "the 95% interval" in said  # back-test coverage
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    table = pl.read_csv(out)
    assert table.columns == ["date", "segment", "yhat", "lower", "upper", "model"]
    segments = table.filter(pl.col("segment") != "total")
    assert table.filter(pl.col("segment") == "total").height == 14
    assert segments["segment"].n_unique() == 5  # 电话, 微信, APP, 上门, 官网 (five channels, no "other")
    # reconciled: the channels add up to the total each day
    sums = segments.group_by("date").agg(pl.col("yhat").sum()).sort("date")
    total = table.filter(pl.col("segment") == "total").sort("date")
    assert sums["yhat"].to_list() == pytest.approx(total["yhat"].to_list(), abs=0.05)
    assert (table["lower"] <= table["yhat"]).all() and (table["yhat"] <= table["upper"]).all()
    assert (table["lower"] >= 0).all()


# ---- the same numbers as SPEC §2 written by hand in DuckDB SQL -------------------------

HAND_SQL = """
WITH t AS ({tickets}),
s AS (
    SELECT *, epoch(first_response_at - created_at) / 3600 AS fr_h, epoch(resolved_at - created_at) / 3600 AS res_h,
        lag(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, ticket_id) AS prev_created
    FROM t
)
SELECT
    count(*) AS tickets,
    count(resolved_at) AS resolved,
    count(resolved_at) / count(*) AS resolution_rate,
    count(*) FILTER (WHERE resolved_at IS NULL) AS backlog,
    avg(fr_h) FILTER (WHERE fr_h >= 0) AS first_response_hours_mean,
    quantile_cont(fr_h, 0.5) FILTER (WHERE fr_h >= 0) AS first_response_hours_p50,
    quantile_cont(fr_h, 0.9) FILTER (WHERE fr_h >= 0) AS first_response_hours_p90,
    avg(res_h) FILTER (WHERE res_h >= 0) AS resolution_hours_mean,
    quantile_cont(res_h, 0.5) FILTER (WHERE res_h >= 0) AS resolution_hours_p50,
    quantile_cont(res_h, 0.9) FILTER (WHERE res_h >= 0) AS resolution_hours_p90,
    avg((fr_h <= 4)::INT) FILTER (WHERE fr_h >= 0) AS response_sla_rate,
    avg((res_h <= 72)::INT) FILTER (WHERE res_h >= 0) AS resolution_sla_rate,
    {fcr} AS fcr_rate,
    {reopen} AS reopen_rate,
    avg(coalesce(prev_created >= created_at - INTERVAL 30 DAY, false)::INT) FILTER (WHERE customer_id IS NOT NULL)
        AS repeat_contact_rate
FROM s
"""

OLIST = """
    SELECT order_id AS ticket_id, customer_id,
        strptime(order_purchase_timestamp, '%m/%d/%Y %H:%M') AS created_at,
        strptime(order_approved_at, '%m/%d/%Y %H:%M') AS first_response_at,
        strptime(order_delivered_customer_date, '%m/%d/%Y %H:%M') AS resolved_at
    FROM read_csv('{path}', all_varchar = true)
    WHERE order_id IS NOT NULL
"""

# An event log: several rows per incident; the last row (latest update) is the incident.
SERVICENOW = """
    SELECT number AS ticket_id, caller_id AS customer_id, reopen_count::INT AS reopen_count,
        strptime(opened_at, '%d-%m-%Y %H:%M') AS created_at,
        NULL::TIMESTAMP AS first_response_at,
        strptime(resolved_at, '%d-%m-%Y %H:%M') AS resolved_at
    FROM (SELECT *, row_number() OVER () AS line FROM read_csv('{path}', all_varchar = true, nullstr = '?'))
    QUALIFY line = max(line) OVER (PARTITION BY number)
"""

CASES = {
    "olist_orders.csv": (OLIST, "NULL", "NULL"),
    "servicenow_incident_events.csv": (
        SERVICENOW,
        "avg((reopen_count = 0)::INT) FILTER (WHERE resolved_at IS NOT NULL AND reopen_count IS NOT NULL)",
        "avg((reopen_count > 0)::INT) FILTER (WHERE resolved_at IS NOT NULL AND reopen_count IS NOT NULL)",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_matches_hand_sql_on_real_export(name, capsys):
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real export {path} is absent (see shared/data/README.md)")
    tickets_sql, fcr, reopen = CASES[name]
    sql = HAND_SQL.format(tickets=tickets_sql.format(path=path), fcr=fcr, reopen=reopen)
    cursor = duckdb.connect().sql(sql)
    expected = dict(zip(cursor.columns, cursor.fetchall()[0], strict=True))

    code, out, err = run(capsys, "kpis", "--tickets", str(path))
    assert code == 0, err
    got = json.loads(out)
    assert expected["tickets"] > 800
    for key, value in expected.items():
        if value is None:
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(float(value), rel=1e-9, abs=1e-9), key


def test_mapping_file_from_the_app_fixes_a_header_the_cli_cannot_guess(tmp_path, capsys):
    export = tmp_path / "export.csv"
    export.write_text("单据,时间戳\nA1,2024-03-01 08:00\nA2,2024-03-02 08:00\n", encoding="utf-8")
    code, _, err = run(capsys, "kpis", "--tickets", str(export))
    assert code == 2 and "required field" in err
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(
        dumps({"tickets": {"ticket_id": "单据", "created_at": "时间戳"}}),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "kpis", "--tickets", str(export), "--mapping", str(mapping_file))
    assert code == 0, err
    assert json.loads(out)["tickets"] == 2


def test_the_same_survey_file_given_twice_counts_its_answers_once(capsys, tmp_path):
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("工单号,创建时间\nT1,2024-03-01 08:00\nT2,2024-03-02 08:00\nT3,2024-03-03 08:00\n")
    answers = tmp_path / "a.csv"
    answers.write_text(
        "提交时间,工单号,满意度,推荐意愿\n2024-03-02 09:00,T1,5,10\n2024-03-03 09:00,T2,2,\n"
        "2024-03-04 09:00,,4,6\n2024-03-04 09:00,,4,6\n"  # the last answer twice: kept (flagged)
    )
    once = ["kpis", "--tickets", str(tickets), "--surveys", str(answers)]
    code, out, err = run(capsys, *once)
    assert code == 0, err
    single = json.loads(out)
    assert single["survey_responses"] == 4 and "already loaded" not in err
    code, out, err = run(capsys, *once, "--surveys", str(answers), "--lang", "zh")
    assert code == 0, err
    twice = json.loads(out)
    assert {k: twice[k] for k in ("survey_responses", "csat", "nps")} == {
        k: single[k] for k in ("survey_responses", "csat", "nps")
    }
    assert "surveys: 4 条答复此前已加载（同一文件），未再次加入。" in err.splitlines()


@pytest.mark.slow
def test_churn_writes_scores_and_reasons(capsys, tmp_path):
    import polars as pl

    out = tmp_path / "churn.csv"
    code, said, _ = run(
        capsys,
        "churn",
        "--tickets",
        str(SAMPLE / "tickets.csv"),
        "--surveys",
        str(SAMPLE / "surveys.csv"),
        "--customers",
        str(SAMPLE / "customers.csv"),
        "--out",
        str(out),
        "--lang",
        "zh",
    )
    assert code == 0 and "AUC" in said
    table = pl.read_csv(out)
    assert table.columns == ["customer_id", "churn_risk", "risk_band", "reason_1", "reason_2", "reason_3"]
    assert table["churn_risk"].is_between(0, 1).all()
    assert table["churn_risk"].to_list() == sorted(table["churn_risk"].to_list(), reverse=True)
    assert set(table["risk_band"]) == {"high", "medium", "low"}
    assert table.filter(pl.col("risk_band") == "high").height == pytest.approx(table.height * 0.1, abs=2)


def test_sentiment_keeps_every_column_and_adds_two(capsys, tmp_path):
    import polars as pl

    source = tmp_path / "comments.csv"
    source.write_text(
        "id,评价\n1,师傅很专业，修得很快\n2,等了三天还没人来，太差了\n3,\n4,Great service\n", encoding="utf-8"
    )
    out = tmp_path / "scored.csv"
    code, said, _ = run(capsys, "sentiment", "--in", str(source), "--column", "评价", "--out", str(out))
    assert code == 0 and "4 rows" in said
    table = pl.read_csv(out)
    assert table.columns == ["id", "评价", "sentiment", "sentiment_score"]
    assert table["sentiment"].to_list() == ["positive", "negative", "neutral", "positive"]
    assert table["sentiment_score"].is_between(-1, 1).all()


def test_sentiment_names_the_columns_when_the_column_is_missing(tmp_path):
    source = tmp_path / "comments.csv"
    source.write_text("id,text\n1,ok\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lib",
            "sentiment",
            "--in",
            str(source),
            "--column",
            "评价",
            "--out",
            str(tmp_path / "x.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: The file has no column “评价”. Its columns: id, text."


# ---- the team's time zone ---------------------------------------------------------------------------

# Three tickets created at 00:30, 03:00 and 18:00 UTC on 2024-03-01, each resolved five hours later. On the
# team's calendar 2024-03-01 holds two in Shanghai (08:30, 11:00; 18:00 UTC is 02:00 on the 2nd), one in
# New York (13:00; the others are on the evening of the 29th) and all three in UTC.
UTC_EXPORT = b"""id,created_at,resolved_at
Z1,2024-03-01T00:30:00Z,2024-03-01T05:30:00Z
Z2,2024-03-01T03:00:00Z,2024-03-01T08:00:00Z
Z3,2024-03-01T18:00:00Z,2024-03-01T23:00:00Z
"""


@pytest.mark.parametrize(
    ("zone_args", "saved_zone", "tickets"),
    [
        ([], None, 2),  # Asia/Shanghai by default
        (["--timezone", "America/New_York"], None, 1),
        ([], "UTC", 3),  # the mapping file's zone
        (["--timezone", "america/new_york"], "UTC", 1),  # the command line's wins
    ],
)
def test_timezone_decides_the_day_a_ticket_falls_on(capsys, tmp_path, zone_args, saved_zone, tickets):
    path = tmp_path / "api.csv"
    path.write_bytes(UTC_EXPORT)
    args = ["kpis", "--tickets", str(path), "--start", "2024-03-01", "--end", "2024-03-01", *zone_args]
    if saved_zone:
        (tmp_path / "mapping.json").write_text(dumps({}, {"timezone": saved_zone}), encoding="utf-8")
        args += ["--mapping", str(tmp_path / "mapping.json")]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    values = json.loads(out)
    assert values["tickets"] == tickets
    assert values["resolution_hours_mean"] == pytest.approx(5.0)  # instants: durations do not move


@pytest.mark.parametrize(("lang", "message"), [("en", "is not a time zone name"), ("zh", "不是时区名称")])
def test_an_unknown_timezone_is_one_line_on_stderr(capsys, lang, message):
    code, out, err = run(
        capsys, "kpis", "--tickets", str(SAMPLE / "tickets.csv"), "--timezone", "Mars/Olympus", "--lang", lang
    )
    assert code == 2 and out == ""
    assert error_lines(err) == [next(line for line in err.splitlines() if message in line)]
    assert "Mars/Olympus" in err


@pytest.mark.parametrize(
    "command",
    [
        ["forecast", "--horizon", "14", "--out", "x.csv"],
        ["churn", "--customers", "CUSTOMERS", "--out", "x.csv"],
        ["report", "--out", "x.html"],
    ],
)
def test_every_command_that_reads_dates_takes_a_timezone(command):
    from lib.cli import build_parser

    swap = {"CUSTOMERS": str(SAMPLE / "customers.csv")}
    argv = [command[0], "--tickets", str(SAMPLE / "tickets.csv"), *(swap.get(a, a) for a in command[1:])]
    assert build_parser().parse_args([*argv, "--timezone", "Europe/London"]).timezone == "Europe/London"
    assert build_parser().parse_args(argv).timezone is None  # then the mapping file's, or Asia/Shanghai
