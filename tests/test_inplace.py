"""Files read in place by DuckDB, in chunks: the same tables and the same report as an upload."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.engine import store
from lib.errors import InputError
from lib.ingest import inplace, pipeline
from lib.ingest.dates import DEFAULT_ZONE

# A ticket export as users really have them: a title block, blank-looking rows, totals,
# placeholders, many date forms (day-first evidence only after the first chunks), full-width
# and currency numbers, duplicate ids in different chunks, a total line.
HEADER = (
    "工单号,创建时间,首次响应时间,解决时间,客户编号,工程师,渠道,重开次数,一次解决,人工成本,处理时长,是否投诉"
)
MESSY_CELLS = [
    (
        "T{n}",
        "2024-03-{d:02d} 08:30:00",
        "2024-03-{d:02d} 09:00",
        "2024-03-{d:02d} 18:00:00",
        "C{c}",
        "张三",
        "电话",
        "0",
        "是",
        "120",
        "30",
        "否",
    ),
    (
        " T{n} ",
        "2024/3/{d} 8:30",
        "2024年3月{d}日 10时5分",
        "",
        "C{c}",
        "李四",
        "app",
        "1",
        "否",
        "¥1,200",
        "45分钟",
        "是",
    ),
    (
        "T{n}",
        "{d:02d}/03/2024 14:00",
        "-",
        "2024-03-{d:02d}T20:00:00Z",
        "",
        " 王五 ",
        "在线",
        "n/a",
        "Y",
        "１２３．５",
        "?",
        "N",
    ),
    (
        "T{n}",
        "2024-03-{d:02d}",
        "2024-02-01 00:00:00",
        "2024-03-{d:02d} 07:00:00",
        "C{c}",
        "张三",
        "电话",
        "2",
        "maybe",
        "abc",
        "-5",
        "否",
    ),
    ("", "2024-03-{d:02d} 08:30:00", "", "", "C{c}", "张三", "电话", "0", "是", "1", "1", "否"),
    ("T{n}", "not a date", "", "", "C{c}", "张三", "电话", "0", "是", "1", "1", "否"),
    ("T{n}", "08:30", "", "", "C{c}", "张三", "电话", "0", "是", "1", "1", "否"),
    ("T{n}", "1970-01-01 08:00:00", "2099-01-01", "", "C{c}", "张三", "电话", "0", "是", "1", "1", "否"),
    ("T{dup}", "2024-03-{d:02d} 11:00:00", "", "", "C{c}", "张三", "电话", "0", "是", "'=1+1", "1", "否"),
    ("", "", "", "", "", "", "", "", "", "", "", ""),
    ("合计", "", "", "", "", "", "", "", "", "9999", "", ""),
    (
        "T{n}",
        "{d:02d}/03/2024 14:00",
        "25/03/2024 9:00",
        "",
        "C{c}",
        "张三",
        "电话",
        "0",
        "是",
        "1",
        "1",
        "否",
    ),
]


def messy_tickets(rows: int = 400) -> bytes:
    lines = ["售后工单明细表,,,,,,,,,,,", "导出时间：2024-04-01,,,,,,,,,,,", HEADER]
    for n in range(rows):
        cells = MESSY_CELLS[n % len(MESSY_CELLS)]
        if n > rows // 2 and n % 7 == 0:
            cells = MESSY_CELLS[-1]  # day-first evidence, far from the head
        values = {"n": n, "d": n % 28 + 1, "c": n % 37, "dup": n % 50}
        lines.append(",".join(f'"{c.format(**values)}"' if "," in c else c.format(**values) for c in cells))
    lines += [",,,,,,,,,,,", ",,,,,,,,,,,"]  # trailing empty rows
    return ("\n".join(lines) + "\n").encode("utf-8")


def both_ways(
    tmp_path: Path, data: bytes, name: str, table: str, rows: int, day_order=None, zone=DEFAULT_ZONE
):
    """Load `data` as an upload and in place (chunks of `rows`) into two stores; the two results."""
    path = tmp_path / name
    path.write_bytes(data)
    results = []
    for mode in ("upload", "inplace"):
        con = store.connect(memory_limit="256MB", threads=1)
        if mode == "upload":
            prepared = pipeline.prepare(data, name, table)
            validated, loaded = pipeline.ingest(con, prepared, day_order=day_order, zone=zone)
        else:
            prepared = pipeline.prepare_source(inplace.open_source(path), table)
            validated, loaded = inplace.load(
                con, prepared.source, prepared.mapping, day_order, rows=rows, zone=zone
            )
        key = store.KEYS.get(table, "submitted_at")
        frame = con.sql(
            f"SELECT * FROM {table} ORDER BY {key}, created_at".replace(", created_at", "")
            if table != "tickets"
            else "SELECT * FROM tickets ORDER BY ticket_id"
        ).pl()
        results.append((prepared, validated, loaded, frame))
        con.close()
    return results


def assert_same(upload, in_place):
    (p1, v1, l1, f1), (p2, v2, l2, f2) = upload, in_place
    assert p1.mapping.columns == p2.mapping.columns
    assert_frame_equal(f1, f2)
    assert_frame_equal(v1.summary, v2.summary)
    assert_frame_equal(v1.issues, v2.issues)
    assert (v1.rows_read, v1.rows_used, v1.day_order, v1.day_order_detected, v1.date_only) == (
        v2.rows_read,
        v2.rows_used,
        v2.day_order,
        v2.day_order_detected,
        v2.date_only,
    )
    assert l1 == l2


@pytest.mark.parametrize("rows", [37, 1000])
def test_messy_csv_loads_the_same_table_in_place_as_uploaded(tmp_path, rows):
    upload, in_place = both_ways(tmp_path, messy_tickets(), "工单.csv", "tickets", rows)
    assert_same(upload, in_place)
    reasons = set(in_place[1].summary["reason"])
    # The file really is messy: every kind of problem is there, and counted the same way.
    assert {
        "title_rows",
        "empty_row",
        "trailing_empty_rows",
        "total_row",
        "empty_required",
        "duplicate_id",
        "unparseable_required_date",
        "time_without_date",
        "implausible_date",
        "unparseable_number",
        "unparseable_bool",
        "out_of_range",
        "response_before_created",
    } <= reasons
    assert in_place[1].day_order == "dmy" and in_place[1].day_order_detected


def test_day_order_decided_over_the_whole_file_reads_it_again(tmp_path):
    # The head has only ambiguous 03/04/2024 dates; month-first evidence comes late.
    lines = ["ticket_id,created_at"] + [f"T{n},0{n % 9 + 1}/0{n % 7 + 1}/2024 10:00" for n in range(300)]
    lines += [f"U{n},03/{n % 15 + 14}/2024 10:00" for n in range(20)]
    upload, in_place = both_ways(tmp_path, ("\n".join(lines) + "\n").encode(), "t.csv", "tickets", 50)
    assert_same(upload, in_place)
    assert in_place[1].day_order == "mdy"


@pytest.mark.parametrize("late", ["2024-03-09", "2024-03-09 16:20"])
def test_date_only_decided_over_the_whole_file(tmp_path, late):
    # The first chunk has no usable row (no created date); a time of day may come in the last chunk.
    lines = ["ticket_id,created_at"] + [f"X{n}," for n in range(60)]
    lines += [f"T{n},2024-03-{n % 28 + 1:02d}" for n in range(200)] + [f"L1,{late}"]
    upload, in_place = both_ways(tmp_path, ("\n".join(lines) + "\n").encode(), "t.csv", "tickets", 50)
    assert_same(upload, in_place)
    assert in_place[1].date_only is (late == "2024-03-09")


def test_wrong_scale_decided_over_the_whole_file(tmp_path):
    lines = ["submitted_at,csat,nps"] + [
        f"2024-03-01 10:{n % 60:02d},{n % 5 + 1},{n % 11}" for n in range(100)
    ]
    lines += [f"2024-03-02 10:{n % 60:02d},{n % 11},{n % 11}" for n in range(200)]
    upload, in_place = both_ways(tmp_path, ("\n".join(lines) + "\n").encode(), "s.csv", "surveys", 40)
    assert_same(upload, in_place)
    assert "wrong_scale" in set(in_place[1].summary["reason"])


def test_parquet_read_in_place_equals_the_upload(tmp_path):
    frame = pl.DataFrame(
        {
            "Ticket ID": [f"T{n % 90}" for n in range(300)],
            "Created": pl.datetime_range(
                pl.datetime(2024, 1, 1), pl.datetime(2024, 1, 1) + pl.duration(hours=299), "1h", eager=True
            ),
            "Resolved": ["2024-01-05 10:00", None, "bad"] * 100,
            "Customer": [None if n % 11 == 0 else f"C{n % 17}" for n in range(300)],
            "Labor cost": [float(n) if n % 13 else None for n in range(300)],
            "Reopens": [n % 3 - (n % 29 == 0) for n in range(300)],
        }
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer, row_group_size=64)
    upload, in_place = both_ways(tmp_path, buffer.getvalue(), "t.parquet", "tickets", 50)
    assert_same(upload, in_place)
    assert in_place[2].added == 90


def test_big_upload_path_on_the_command_line_reads_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "INPLACE_MIN_BYTES", 1)
    path = tmp_path / "t.csv"
    path.write_bytes(messy_tickets(60))
    assert pipeline.prepare_path(path, "tickets").source is not None
    con = store.connect(memory_limit="256MB", threads=1)
    [(prepared, validated, loaded)] = pipeline.load_paths(con, {"tickets": [path]})
    assert prepared.source is not None and loaded.added == validated.rows_used == store.tables(con)["tickets"]
    assert "_staged_tickets" not in {
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }


def test_gbk_file_falls_back_to_the_upload_reader(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "INPLACE_MIN_BYTES", 1)
    path = tmp_path / "gbk.csv"
    path.write_bytes("工单号,创建时间\nT1,2024-03-01 08:00\n".encode("gb18030"))
    prepared = pipeline.prepare_path(path, "tickets")
    assert prepared.source is None and prepared.read.encoding == "gb18030"


def test_a_file_with_no_usable_row_changes_nothing(tmp_path, loaded):
    con = loaded(tickets=pl.DataFrame({"ticket_id": ["A"], "created_at": [pl.datetime(2024, 1, 1)]}))
    path = tmp_path / "bad.csv"
    path.write_text("ticket_id,created_at\nT1,nonsense\nT2,\n")
    prepared = pipeline.prepare_source(inplace.open_source(path), "tickets")
    with pytest.raises(InputError) as error:
        pipeline.ingest(con, prepared, replace_all=True)
    assert error.value.key == "validate.no_rows"
    assert store.tables(con) == {"tickets": 1}
    assert "_staged_tickets" not in {
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }


def test_the_reader_can_read_only_its_own_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("ticket_id,created_at\nT1,2024-03-01\n")
    with inplace._reader(str(path)) as con, pytest.raises(Exception, match="disabled|Permission"):
        con.sql("SELECT * FROM read_csv('/etc/passwd')").fetchall()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "read.empty"),
        (b"\x89PNG\r\n\x1a\n....", "read.encoding"),
        (b"ticket_id,created_at\n", "read.header_only"),
    ],
)
def test_unreadable_files_get_the_upload_messages(tmp_path, data, key):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        inplace.open_source(path)
    assert error.value.key == key


def test_a_spilled_upload_keeps_the_upload_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "INPLACE_MIN_BYTES", 1)
    data = ("ticket_id,created_at\n" + "".join(f"T{n},2024-03-01 10:00\n" for n in range(150))).encode()
    prepared = pipeline.prepare_upload(data, "big.csv", "tickets", spill_dir=tmp_path)
    monkeypatch.setenv("AFTERSIGHT_MAX_ROWS", "100")  # the head is within it; the whole file is not
    assert prepared.source is not None and prepared.source.temporary
    con = store.connect(memory_limit="256MB", threads=1)
    with pytest.raises(InputError) as error:
        pipeline.ingest(con, prepared)
    assert error.value.key == "read.too_many_rows" and store.tables(con) == {}
    # The administrator's folder files are not uploads: no row limit.
    path = tmp_path / "folder.csv"
    path.write_bytes(data)
    validated, loaded = inplace.load(con, inplace.open_source(path), prepared.mapping)
    assert loaded.added == 150


def test_a_row_longer_than_the_header_far_into_the_file_is_refused_with_a_sentence(tmp_path, loaded):
    lines = ["ticket_id,created_at"] + [f"T{i},2024-03-01 10:00" for i in range(80_000)]
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join([*lines, "T999999,2024-03-01 10:00,extra"]) + "\n")
    con = loaded(tickets=pl.DataFrame({"ticket_id": ["A"], "created_at": [pl.datetime(2024, 1, 1)]}))
    prepared = pipeline.prepare_source(inplace.open_source(path), "tickets")
    with pytest.raises(InputError) as error:
        pipeline.ingest(con, prepared)
    assert error.value.key == "read.bad_csv" and "80002" in error.value.message("en")
    assert str(tmp_path) not in error.value.message("en")  # no server path in the sentence
    assert store.tables(con) == {"tickets": 1}


# Hour k after 2024-03-01 00:30 UTC (Unix 1709253000), written four ways; in New York (UTC−5 until
# 2024-03-10) that is 2024-02-29 19:30 plus k hours.
ZONE_FORMS = ("{t:%Y-%m-%dT%H:%M:%SZ}", "{s}", "{ms}", "{e:%Y-%m-%dT%H:%M:%S}+08:00")
EVENING = datetime(2024, 2, 29, 19, 30)


def zoned_tickets(rows: int = 300) -> bytes:
    lines = ["ticket_id,created_at,resolved_at"]
    for n in range(rows):
        seconds = 1_709_253_000 + 3600 * (n // 4)
        utc = datetime.fromtimestamp(seconds, UTC)
        values = {"t": utc, "s": seconds, "ms": seconds * 1000, "e": utc + timedelta(hours=8)}
        created = ZONE_FORMS[n % 4].format(**values)
        lines.append(f"T{n:04d},{created},{ZONE_FORMS[(n + 1) % 4].format(**values)}")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("rows", [37, 1000])
def test_offsets_and_unix_time_in_place_are_read_in_the_teams_zone(tmp_path, rows):
    upload, in_place = both_ways(tmp_path, zoned_tickets(), "z.csv", "tickets", rows, zone="America/New_York")
    assert_same(upload, in_place)
    frame = in_place[3]
    expected = [EVENING + timedelta(hours=n // 4) for n in range(300)]
    assert frame["created_at"].to_list() == expected
    assert frame["resolved_at"].to_list() == expected
    assert in_place[1].rows_used == 300


def test_the_zone_reaches_a_big_file_on_the_command_line_path(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "INPLACE_MIN_BYTES", 1)
    path = tmp_path / "z.csv"
    path.write_bytes(zoned_tickets(8))
    con = store.connect(memory_limit="256MB", threads=1)
    [(prepared, _, _)] = pipeline.load_paths(con, {"tickets": [path]}, zone="America/New_York")
    assert prepared.source is not None  # read in place
    created = con.sql("SELECT created_at FROM tickets ORDER BY ticket_id").pl()["created_at"].to_list()
    assert created == [EVENING] * 4 + [EVENING + timedelta(hours=1)] * 4


def test_parquet_instants_in_place_equal_the_upload_in_the_teams_zone(tmp_path):
    instants = pl.datetime_range(
        datetime(2024, 3, 1, 0, 30), datetime(2024, 3, 1, 0, 30) + timedelta(hours=99), "1h", eager=True
    )
    frame = pl.DataFrame(
        {
            "ticket_id": [f"T{n:03d}" for n in range(100)],
            "created_at": instants.dt.replace_time_zone("UTC"),  # a TIMESTAMP WITH TIME ZONE column
            "resolved_at": instants.dt.epoch("ms") + 3_600_000,  # Unix milliseconds, an hour later
        }
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer, row_group_size=16)
    upload, in_place = both_ways(tmp_path, buffer.getvalue(), "t.parquet", "tickets", 30, zone="Asia/Kolkata")
    assert_same(upload, in_place)
    loaded = in_place[3]
    assert loaded["created_at"][0] == datetime(2024, 3, 1, 6, 0)  # 00:30 UTC in India (UTC+5:30)
    assert loaded["resolved_at"][0] == datetime(2024, 3, 1, 7, 0)
    assert loaded["created_at"][-1] == datetime(2024, 3, 5, 9, 0)  # 99 hours later: 03:30 UTC


def survey_export(minutes: range, repeat_every: int = 0) -> bytes:
    """Survey answers a minute apart; with `repeat_every`, every such row comes again at the end of the file."""
    lines = ["提交时间,工单号,满意度,推荐意愿,评价内容"]
    rows = [
        f"2024-03-01 {10 + m // 60:02d}:{m % 60:02d},{'' if m % 4 == 0 else f'T{m}'},"
        f"{'' if m % 6 == 0 else m % 5 + 1},{'-' if m % 5 == 0 else m % 11},{'' if m % 3 else '慢'}"
        for m in minutes
    ]
    again = rows[::repeat_every] if repeat_every else []  # in a later chunk than their first copy
    return ("\n".join([*lines, *rows, *again]) + "\n").encode()


def load_in_turn(tmp_path: Path, files: list[bytes], rows: int = 25):
    """Load `files` one after another, as uploads into one store and in place into another.

    The two ways' last validation report, the load results and the final surveys table.
    """
    results = []
    for mode in ("upload", "inplace"):
        con = store.connect(memory_limit="256MB", threads=1)
        loads = []
        for n, data in enumerate(files):
            path = tmp_path / f"{mode}-{n}.csv"
            path.write_bytes(data)
            if mode == "upload":
                prepared = pipeline.prepare(data, path.name, "surveys")
            else:
                prepared = pipeline.prepare_source(inplace.open_source(path), "surveys")
            if mode == "inplace":
                validated, loaded = inplace.load(
                    con, prepared.source, prepared.mapping, rows=rows, fingerprint=prepared.fingerprint
                )
            else:
                validated, loaded = pipeline.ingest(con, prepared)
            loads.append(loaded)
        table = con.sql("SELECT * FROM surveys").pl().sort(pl.all(), nulls_last=True)
        results.append((validated, loads, table))
        con.close()
    return results


def test_the_same_survey_file_twice_adds_nothing_in_place_as_uploaded(tmp_path):
    export = survey_export(range(120), repeat_every=10)  # 12 answers repeated in the same file
    (v1, loads1, table1), (v2, loads2, table2) = load_in_turn(tmp_path, [export, export])
    assert loads1 == loads2
    first, second = loads1
    assert (first.added, first.skipped) == (132, 0)  # repeats inside one file are kept...
    assert (second.added, second.skipped, second.same_file) == (0, 132, True)  # ...and not added again
    assert table1.height == 132
    assert_frame_equal(table1, table2)
    assert_frame_equal(v1.issues, v2.issues)
    assert_frame_equal(v1.summary, v2.summary)
    flagged = v2.summary.filter(pl.col("reason") == "repeated_row").row(0, named=True)
    assert (flagged["field"], flagged["action"], flagged["rows"]) == ("", "flagged", 12)
    assert flagged["examples"] == "122, 123, 124"  # the copies at the end of the file, not their originals
    assert pipeline.skipped_sentence(second, "en") == (
        "132 answers were already loaded (same file) and were not added again."
    )
    assert pipeline.skipped_sentence(second, "zh") == "132 条答复此前已加载（同一文件），未再次加入。"


def test_an_overlapping_survey_export_adds_its_new_answers_in_place_as_uploaded(tmp_path):
    march, later = survey_export(range(0, 100)), survey_export(range(50, 150))  # half old, half new
    (_, loads1, table1), (_, loads2, table2) = load_in_turn(tmp_path, [march, later])
    assert loads1 == loads2
    assert (loads1[1].added, loads1[1].skipped, loads1[1].same_file) == (50, 50, False)
    assert table1.height == 150
    assert_frame_equal(table1, table2)
    assert_frame_equal(table1, load_in_turn(tmp_path, [survey_export(range(150))])[0][2])
    assert pipeline.skipped_sentence(loads1[1], "en") == (
        "50 answers were already loaded (identical rows, submission time included) and were not added again."
    )


def test_the_same_survey_file_read_another_way_is_said_to_count_twice(con):
    export = survey_export(range(20))
    first = pipeline.prepare(export, "a.csv", "surveys")
    pipeline.ingest(con, first)
    # The user loads it again with the comment column left out: its answers are other rows now.
    columns = {f: h for f, h in first.mapping.columns.items() if f != "comment"}
    again = replace(first, mapping=replace(first.mapping, columns=columns))
    _, loaded = pipeline.ingest(con, again)
    assert (loaded.same_file, loaded.skipped) == (True, 13)  # the answers without a comment match
    assert loaded.added == 7 and store.tables(con) == {"surveys": 27}
    assert pipeline.reloaded_sentence("a.csv", loaded, "en") == (
        "“a.csv” was loaded before, but 7 of its answers differ from those loaded then (was a column mapped "
        "differently?) and were added: they may now be counted twice. To count each once, start again with "
        "“Use sample data” and upload the files again."
    )
    assert "7 条答复" in pipeline.reloaded_sentence("a.csv", loaded, "zh")
    assert pipeline.reloaded_sentence("a.csv", replace(loaded, added=0), "en") is None


def test_two_sheets_of_one_workbook_are_two_files():
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    for name in ("三月", "四月"):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, ["提交时间", "满意度"])
        sheet.write_row(1, 0, ["2024-03-01 10:00" if name == "三月" else "2024-04-01 10:00", 5])
    book.close()
    data = buffer.getvalue()
    march, april = (pipeline.prepare(data, "s.xlsx", "surveys", sheet=s) for s in ("三月", "四月"))
    assert march.fingerprint != april.fingerprint
    assert march.fingerprint == pipeline.prepare(data, "copy.xlsx", "surveys", sheet="三月").fingerprint
    assert pipeline.prepare(data, "s.xlsx", "tickets", sheet="三月").fingerprint is None  # tickets have ids


def test_a_big_survey_upload_read_in_place_is_known_again_as_the_same_file(tmp_path, monkeypatch):
    export = survey_export(range(30))
    con = store.connect(memory_limit="256MB", threads=1)
    pipeline.ingest(con, pipeline.prepare(export, "s.csv", "surveys"))  # first as a small upload
    monkeypatch.setattr(pipeline, "INPLACE_MIN_BYTES", 1)
    spilled = pipeline.prepare_upload(export, "s.csv", "surveys", spill_dir=tmp_path)
    assert spilled.source is not None  # read in place this time: the same bytes, the same fingerprint
    _, loaded = pipeline.ingest(con, spilled)
    assert loaded == store.LoadResult("surveys", added=0, replaced=0, skipped=30, same_file=True)
    assert store.tables(con) == {"surveys": 30}
