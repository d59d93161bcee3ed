"""Validation: every row not used is counted by reason, flagged values are cleared, nothing is lost."""

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from lib.errors import InputError
from lib.ingest.mapping import auto_map
from lib.ingest.pipeline import prepare
from lib.ingest.reading import read_table
from lib.ingest.validation import _check_column, _earlier_copies, _repeated_rows, validate
from lib.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"

# Rows (spreadsheet numbering, header = row 1):
#  2 ok                       6 duplicate of T9 (earlier copy, excluded)
#  3 empty ticket id          7 resolved before created (kept, flagged)
#  4 unreadable created date  8 reopen -1 (out of range, cleared) and 是否投诉 "maybe" (cleared)
#  5 "?" as created date      9 T9 again (kept: last copy wins)
# then two trailing empty rows.
TICKETS_CSV = """工单号,创建时间,解决时间,返修次数,是否投诉,人工成本
T1,2024-03-01 08:00,2024-03-01 10:00,0,否,"¥1,200"
,2024-03-02 08:00,,0,否,10
T3,2024-13-45 25:00,,0,否,10
T4,?,,0,否,10
T9,2024-03-04 08:00,,0,否,10
T6,2024-03-05 08:00,2024-03-04 08:00,1,是,20
T7,2024-03-06 08:00,,-1,maybe,5元
T9,2024-03-07 08:00,2024-03-08 08:00,0,否,30
,,,,,
,,,,,
""".encode()


def validated(data: bytes = TICKETS_CSV, table: str = "tickets", **kwargs):
    read = read_table(data, "export.csv")
    return validate(read, auto_map(table, list(read.frame.columns)), **kwargs)


def counts(result) -> dict[tuple[str, str, str], int]:
    return {(r["reason"], r["field"], r["action"]): r["rows"] for r in result.summary.iter_rows(named=True)}


def test_rows_read_equal_rows_used_plus_rows_excluded():
    result = validated()
    assert result.rows_read == 10  # 8 data rows + 2 trailing empty rows
    assert result.rows_used == 4  # T1, T6, T7, T9 (the last copy)
    assert result.excluded() == 6
    assert result.rows_read == result.rows_used + result.excluded()


def test_every_reason_is_counted_with_example_rows():
    result = validated()
    assert counts(result) == {
        ("trailing_empty_rows", "", "excluded"): 2,
        ("empty_required", "ticket_id", "excluded"): 1,
        ("empty_required", "created_at", "excluded"): 1,  # "?" is a placeholder for no value
        ("unparseable_required_date", "created_at", "excluded"): 1,
        ("duplicate_id", "ticket_id", "excluded"): 1,
        ("resolved_before_created", "resolved_at", "flagged"): 1,
        ("out_of_range", "reopen_count", "flagged"): 1,
        ("unparseable_bool", "is_complaint", "flagged"): 1,
    }
    examples = {r["reason"]: r["examples"] for r in result.summary.iter_rows(named=True)}
    assert examples["unparseable_required_date"] == "4"
    assert examples["duplicate_id"] == "6"


def test_rejected_rows_keep_their_original_cells():
    issues = validated().issues
    unreadable = issues.filter(pl.col("reason") == "unparseable_required_date").row(0, named=True)
    assert unreadable["row"] == 4
    assert unreadable["value"] == "2024-13-45 25:00"
    assert unreadable["工单号"] == "T3"


def test_values_are_typed_and_flagged_values_cleared():
    frame = validated().frame.sort("ticket_id")
    assert frame["ticket_id"].to_list() == ["T1", "T6", "T7", "T9"]
    assert frame["created_at"][0] == datetime(2024, 3, 1, 8)
    assert frame["labor_cost"].to_list() == [1200.0, 20.0, 5.0, 30.0]
    assert frame["reopen_count"].to_list() == [0, 1, None, 0]
    assert frame["is_complaint"].to_list() == [False, True, None, False]
    # resolved before created is kept as it is; the KPI engine leaves its duration out
    assert frame.filter(pl.col("ticket_id") == "T6")["resolved_at"][0] == datetime(2024, 3, 4, 8)
    # the last copy of a repeated id wins
    assert frame.filter(pl.col("ticket_id") == "T9")["created_at"][0] == datetime(2024, 3, 7, 8)


def test_day_order_is_decided_from_the_data_and_can_be_overridden():
    data = b"id,created\nA,03/04/2024 08:00\nB,29/02/2016 01:16\n"
    result = validated(data)
    assert (result.day_order, result.day_order_detected) == ("dmy", True)
    assert result.frame["created_at"][0] == datetime(2024, 4, 3, 8)
    ambiguous = b"id,created\nA,03/04/2024 08:00\n"
    assert validated(ambiguous).day_order_detected is False
    assert validated(ambiguous, day_order="mdy").frame["created_at"][0] == datetime(2024, 3, 4, 8)


def test_scores_out_of_range_are_cleared_not_guessed():
    data = "提交时间,满意度(1-5),推荐意愿(0-10)\n2024年3月1日 10:00,6,11\n2024年3月2日 10:00,4,9\n".encode()
    result = validated(data, "surveys")
    assert result.frame["csat"].to_list() == [None, 4.0]
    assert result.frame["nps"].to_list() == [None, 9.0]
    assert counts(result) == {("out_of_range", "csat", "flagged"): 1, ("out_of_range", "nps", "flagged"): 1}


def test_missing_required_mapping_is_refused():
    read = read_table(b"foo,bar\n1,2\n", "x.csv")
    with pytest.raises(InputError) as caught:
        validate(read, auto_map("tickets", ["foo", "bar"]))
    assert caught.value.key == "mapping.missing"


def test_sample_tickets_dirty_rows_are_all_accounted_for():
    path = ROOT / "sample_data" / "tickets.csv"
    prepared = prepare(path.read_bytes(), path.name, "tickets")
    result = validate(prepared.read, prepared.mapping)
    got = counts(result)
    assert got[("trailing_empty_rows", "", "excluded")] == 5
    assert got[("duplicate_id", "ticket_id", "excluded")] == 5
    assert got[("empty_required", "ticket_id", "excluded")] == 3
    assert got[("resolved_before_created", "resolved_at", "flagged")] == 5
    assert got[("out_of_range", "handle_minutes", "flagged")] == 2
    # five unreadable creation dates: "N/A" counts as empty, the other four as unreadable
    assert (
        got[("unparseable_required_date", "created_at", "excluded")]
        + got[("empty_required", "created_at", "excluded")]
        == 5
    )
    assert result.rows_read == result.rows_used + result.excluded()


@pytest.mark.parametrize(
    ("name", "rows_used", "order"),
    [("olist_orders.csv", 9999, "mdy"), ("servicenow_incident_events.csv", 890, "dmy")],
)
def test_real_exports_validate_without_help(name, rows_used, order):
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real export {path} is absent (see shared/data/README.md)")
    prepared = prepare(path.read_bytes(), name, "tickets")
    result = validate(prepared.read, prepared.mapping)
    assert (result.rows_used, result.day_order, result.day_order_detected) == (rows_used, order, True)
    assert result.rows_read == result.rows_used + result.excluded()


def test_day_order_is_not_mentioned_when_no_date_is_written_year_last():
    result = validated(b"id,created\nA,2024-03-04 08:00\n")
    assert result.day_order is None
    assert validated(b"id,created\nA,03/04/2024 08:00\n").day_order == "dmy"


def test_row_numbers_follow_the_spreadsheet_after_a_title_block_and_empty_rows():
    data = "工单明细\n\n工单号,创建时间\nT1,2024-03-01 08:00\n,\nT2,不详\n".encode()
    result = validated(data)
    assert result.issues.select("row", "reason").rows() == [(6, "unparseable_required_date")]
    assert counts(result)[("title_rows", "", "excluded")] == 1
    assert result.rows_read == result.rows_used + result.excluded() == 4


@pytest.mark.parametrize(
    ("label", "is_total"),
    [
        ("合计", True),
        ("合计：共2条", True),
        ("总计(元)", True),
        ("Grand Total", True),
        ("Total:", True),
        ("小计", True),
        ("Total failure", False),
        ("T合计", False),
    ],
)
def test_total_rows_are_excluded(label, is_total):
    data = f"工单号,创建时间,人工成本\nT1,2024-03-01 08:00,10\n{label},2024-03-02 08:00,10\n".encode()
    result = validated(data)
    assert (("total_row", "", "excluded") in counts(result)) == is_total
    assert result.rows_used == (1 if is_total else 2)


def test_clock_time_without_date_in_an_optional_column_is_flagged_and_cleared():
    data = (
        "工单号,创建时间,解决时间\nT1,2024-03-01 08:00,17:00\nT2,2024-03-02 08:00,2024-03-02 09:00\n".encode()
    )
    result = validated(data)
    assert counts(result) == {("time_without_date", "resolved_at", "flagged"): 1}
    assert result.frame["resolved_at"].to_list() == [None, datetime(2024, 3, 2, 9)]


def test_implausible_dates():
    data = "工单号,创建时间,解决时间\nT1,1970-01-01 08:00,\nT2,2024-03-02 08:00,2099-01-01 00:00\n".encode()
    result = validated(data)
    assert counts(result) == {
        ("implausible_date", "created_at", "excluded"): 1,
        ("implausible_date", "resolved_at", "flagged"): 1,
    }
    assert result.frame["resolved_at"].to_list() == [None]


def test_a_few_scores_over_five_are_typos_not_a_ten_point_scale():
    rows = "".join(
        f"2024年3月{d}日 10:00,{s}\n"
        for d, s in zip(range(1, 14), [5, 4, 3, 5, 4, 2, 1, 5, 4, 3, 5, 4, 6], strict=True)
    )
    result = validated(("提交时间,满意度\n" + rows).encode(), "surveys")
    assert counts(result) == {("out_of_range", "csat", "flagged"): 1}
    assert result.frame["csat"].null_count() == 1


def test_text_over_the_cell_limit_is_cut_and_flagged(monkeypatch):
    monkeypatch.setenv("AFTERSIGHT_MAX_CELL_CHARS", "5")
    result = validated(
        "提交时间,评价内容\n2024年3月1日 10:00,师傅很准时很专业\n2024年3月2日 10:00,好\n".encode(), "surveys"
    )
    assert counts(result) == {("text_truncated", "comment", "flagged"): 1}
    assert result.frame["comment"].to_list() == ["师傅很准时", "好"]


def test_date_rules_on_one_column_worked_by_hand():
    cells = pl.Series(["2024-03-01 08:00", None, "08:30", "1970-01-01", "昨天", "?"])
    latest = datetime(2024, 6, 1)
    optional = next(f for f in TABLES["tickets"] if f.name == "resolved_at")
    values, found = _check_column(optional, cells, "dmy", latest, None)
    assert values.to_list() == [datetime(2024, 3, 1, 8), None, None, None, None, None]
    assert [(f.reason, f.rows.to_list(), f.excluded) for f in found] == [
        ("time_without_date", [False, False, True, False, False, False], False),
        ("unparseable_date", [False, False, False, False, True, False], False),
        ("implausible_date", [False, False, False, True, False, False], False),
    ]
    required = next(f for f in TABLES["tickets"] if f.name == "created_at")
    _, found = _check_column(required, cells, "dmy", latest, None)
    assert [(f.reason, f.rows.to_list(), f.excluded) for f in found] == [
        ("empty_required", [False, True, False, False, False, True], True),  # "?" is no value
        ("time_without_date", [False, False, True, False, False, False], True),
        ("unparseable_required_date", [False, False, False, False, True, False], True),
        ("implausible_date", [False, False, False, True, False, False], True),
    ]


def test_score_bounds_and_the_scale_decided_by_the_caller():
    csat = next(f for f in TABLES["surveys"] if f.name == "csat")
    cells = pl.Series(["1", "6", None, "0", "5分"])
    values, found = _check_column(csat, cells, "dmy", datetime(2024, 6, 1), None)
    assert values.to_list() == [1.0, None, None, None, 5.0]
    assert [(f.reason, f.rows.to_list()) for f in found] == [
        ("unparseable_number", [False] * 5),
        ("out_of_range", [False, True, False, True, False]),
    ]
    _, found = _check_column(csat, cells, "dmy", datetime(2024, 6, 1), {"csat"})
    assert (found[-1].reason, found[-1].rows.to_list()) == ("wrong_scale", [True, True, False, True, True])


def test_only_used_rows_count_as_earlier_copies():
    ids = pl.Series(["A", "B", "A", None, "A", None])
    keep = pl.Series([True, True, True, True, False, True])
    # Row 4 is not used, so row 2 is the last copy of A; the two nulls are copies too.
    assert _earlier_copies(ids, keep).to_list() == [True, False, False, True, False, False]


def test_a_column_mapped_wrong_is_said_aloud_with_its_column():
    """A category mapped as the complaint flag clears every value; a title as the ticket number drops
    nearly every row as a duplicate. Both are named with their column and share; small losses are not."""
    from lib.ingest import pipeline
    from lib.ingest.validation import loud, loud_sentence

    rows = ["单号,标题,创建时间,投诉类型"]
    rows += [f"A{n},打印机卡纸,2024-03-{1 + n % 28:02d} 08:00,{['噪音', '漏水'][n % 2]}" for n in range(40)]
    rows += ["A99,打印机卡纸,坏日期,噪音"]  # one unreadable date: 1 of 41 rows, too few to say aloud
    data = ("\n".join(rows) + "\n").encode()
    saved = {"ticket_id": "标题", "created_at": "创建时间", "is_complaint": "投诉类型"}
    prepared = pipeline.prepare(data, "t.csv", "tickets", saved)
    found = loud(pipeline.check(prepared), prepared.mapping.columns)
    assert [(f.reason, f.column, f.rows) for f in found] == [
        ("unparseable_bool", "投诉类型", 40),
        ("duplicate_id", "标题", 39),
    ]
    assert found[1].share == pytest.approx(39 / 41)
    sentence = loud_sentence(found[0], "en")
    assert sentence.startswith("98% of the rows (40) were cleared or flagged in column “投诉类型”")
    assert "mapped wrong" in sentence and "映射" not in sentence


# Dates only, in three spellings; T3 has no created date (excluded), T4 no resolution date.
DATE_ONLY_CSV = """工单号,创建时间,解决时间
T1,2024-03-01,2024-03-04
T2,2024/3/2,2024-03-02 00:00
T3,,2024-03-05
T4,2024-03-03 00:00:00,
""".encode()


def test_a_date_only_export_is_flagged_and_one_time_of_day_clears_the_flag():
    result = validated(DATE_ONLY_CSV)
    assert result.rows_used == 3 and result.date_only
    timed = validated(DATE_ONLY_CSV.replace(b"2024/3/2,", b"2024/3/2 09:15,"))
    assert timed.rows_used == 3 and not timed.date_only
    # Only created_at decides: a time of resolution does not make the creation times known.
    assert validated(DATE_ONLY_CSV.replace(b"2024-03-02 00:00", b"2024-03-02 17:00")).date_only
    assert not validated().date_only  # TICKETS_CSV has times
    customers = validated(b"customer_id,region\nC1,North\n", table="customers")
    assert not customers.date_only  # no created_at at all


def test_olist_estimated_delivery_dates_are_date_only_and_its_purchase_times_are_not():
    path = REAL / "olist_orders.csv"
    if not path.exists():
        pytest.skip(f"real export {path} is absent (see shared/data/README.md)")
    data = path.read_bytes()
    guessed = prepare(data, path.name, "tickets")
    assert guessed.mapping.columns["created_at"] == "order_purchase_timestamp"
    assert not validate(guessed.read, guessed.mapping).date_only
    # "10/18/2017 0:00": every estimated delivery date is written with a midnight time.
    saved = {"ticket_id": "order_id", "created_at": "order_estimated_delivery_date"}
    dates = prepare(data, path.name, "tickets", saved)
    result = validate(dates.read, dates.mapping)
    assert result.rows_used > 9000 and result.date_only


# 1709253000 s is 2024-03-01 00:30 UTC; 1709269200 is 4.5 hours later, 05:00 UTC.
ZONED_CSV = b"""ticket_id,created_at,first_response_at,resolved_at
Z1,2024-03-01T00:30:00Z,2024-03-01T09:00:00+08:00,1709269200
Z2,2024-03-01 08:30,2024-03-01T01:30:00Z,1709269200000
Z3,1709253000,,
"""


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (
            "Asia/Shanghai",  # UTC+8
            {
                "created_at": [datetime(2024, 3, 1, 8, 30)] * 3,
                "first_response_at": [datetime(2024, 3, 1, 9, 0), datetime(2024, 3, 1, 9, 30), None],
                "resolved_at": [datetime(2024, 3, 1, 13, 0)] * 2 + [None],
            },
        ),
        (
            "America/New_York",  # UTC−5 in March before the 10th; Z2's created time has no offset: local
            {
                "created_at": [datetime(2024, 2, 29, 19, 30), datetime(2024, 3, 1, 8, 30)]
                + [datetime(2024, 2, 29, 19, 30)],
                "first_response_at": [datetime(2024, 2, 29, 20, 0), datetime(2024, 2, 29, 20, 30), None],
                "resolved_at": [datetime(2024, 3, 1, 0, 0)] * 2 + [None],
            },
        ),
    ],
)
def test_offsets_and_unix_time_are_read_in_the_teams_zone(zone, expected):
    result = validated(ZONED_CSV, zone=zone)
    assert result.rows_used == 3
    assert result.frame.sort("ticket_id").select(list(expected)).to_dict(as_series=False) == expected
    flags = counts(result)
    assert ("unparseable_required_date", "created_at", "excluded") not in flags
    assert ("unparseable_date", "resolved_at", "flagged") not in flags
    # In New York Z2 was answered (01:30 UTC, 20:30 the evening before) before its local creation time.
    before = flags.get(("response_before_created", "first_response_at", "flagged"), 0)
    assert before == (1 if zone == "America/New_York" else 0)


# Rows 3 and 5 repeat row 2 (the score "5分" reads as 5); row 4 differs from row 2 by its empty comment
# only, and row 6 repeats it, empty comment included; rows 7 and 8 have no submitted time (excluded).
SURVEYS_CSV = """提交时间,满意度,推荐意愿,评价内容
2024-03-01 10:00,5,9,很好
2024-03-01 10:00,5,9,很好
2024-03-01 10:00,5,9,
2024-03-01 10:00,5分,9,很好
2024-03-01 10:00,5,9,
,4,,
,4,,
""".encode()


def test_an_answer_repeated_in_one_file_is_kept_and_flagged():
    result = validated(SURVEYS_CSV, "surveys")
    assert result.rows_used == 5  # repeats are kept: two customers may answer alike in the same minute
    assert counts(result)[("repeated_row", "", "flagged")] == 3
    repeated = result.issues.filter(pl.col("reason") == "repeated_row")
    assert repeated["row"].to_list() == [3, 5, 6]  # the later copies; the first is not flagged
    assert repeated["满意度"].to_list() == ["5", "5分", "5"]  # the file's own cells, for the problem-rows CSV
    # Rows excluded for another reason are not repeats of each other (rows 7 and 8).
    assert counts(result)[("empty_required", "submitted_at", "excluded")] == 2


def test_tickets_repeat_by_id_not_by_row():
    same = "工单号,创建时间\nT1,2024-03-01 08:00\nT1,2024-03-01 08:00\n".encode()
    found = counts(validated(same))
    assert found == {("duplicate_id", "ticket_id", "excluded"): 1}


def test_only_used_rows_count_as_repeats():
    frame = pl.DataFrame({"csat": [5.0, 5.0, None, 5.0, None], "comment": ["a", "a", None, "a", None]})
    keep = pl.Series([False, True, True, True, True])
    # Row 0 is not used: row 1 is the first copy; empty equals empty (rows 2 and 4).
    assert _repeated_rows(frame, keep).to_list() == [False, False, False, True, True]
