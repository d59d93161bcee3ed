"""Tests for lib.export: BOM, formula neutralising, Chinese round trip, xlsx read back."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.export import csv_bytes, neutralise, sheet_names, xlsx_bytes

BOM = b"\xef\xbb\xbf"
DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"]


def tickets() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "工单号": ["T-1", "T-2", "T-3"],
            "问题": ["屏幕碎了", '=HYPERLINK("http://x")', None],
            "时长小时": [1.5, -2.25, None],
            "评分": [5, -1, 3],
            "创建时间": [dt.datetime(2024, 1, 2, 3, 4, 5), dt.datetime(2024, 12, 31, 23, 59, 59), None],
            "日期": [dt.date(2024, 1, 2), None, dt.date(2024, 3, 1)],
        }
    )


def read_back(content: bytes) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(content), infer_schema=False)


def test_csv_starts_with_one_bom_and_is_utf8():
    content = csv_bytes(tickets())
    assert content.startswith(BOM)
    assert not content[len(BOM) :].startswith(BOM)
    assert "屏幕碎了" in content.decode("utf-8-sig")


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_neutralises_cell_starting_with(text):
    frame = pl.DataFrame({"note": [text, "ok"]})
    assert read_back(csv_bytes(frame))["note"].to_list() == ["'" + text, "ok"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_neutralises_header_starting_with(text):
    frame = pl.DataFrame({text: ["x"]})
    assert read_back(csv_bytes(frame)).columns == ["'" + text]


def test_csv_leaves_safe_text_numbers_and_nulls_alone():
    frame = pl.DataFrame(
        {"text": ["a=b", "退款-1", None], "number": [-3, 0, None], "rate": [-0.5, 1.25, None]}
    )
    lines = csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert lines == ["text,number,rate", "a=b,-3,-0.5", "退款-1,0,1.25", ",,"]


def test_csv_chinese_round_trip_with_iso_dates():
    frame = tickets()
    back = read_back(csv_bytes(frame))
    assert back.columns == frame.columns
    assert back["问题"].to_list() == ["屏幕碎了", '\'=HYPERLINK("http://x")', None]
    assert back["创建时间"].to_list() == ["2024-01-02 03:04:05", "2024-12-31 23:59:59", None]
    assert back["日期"].to_list() == ["2024-01-02", None, "2024-03-01"]
    assert back["评分"].to_list() == ["5", "-1", "3"]


def test_neutralise_handles_categoricals_and_keeps_number_types():
    frame = pl.DataFrame({"channel": ["=x", "电话"], "score": [-1, 2]}).with_columns(
        pl.col("channel").cast(pl.Categorical)
    )
    expected = pl.DataFrame({"channel": ["'=x", "电话"], "score": [-1, 2]})
    assert_frame_equal(neutralise(frame), expected)


def test_sheet_names_are_valid_unique_and_short():
    names = sheet_names(["a" * 40, "A" * 40, "x[1]:y/z", "'quoted'", "", "工单明细", "history"])
    assert names == ["a" * 31, "A" * 27 + " (2)", "x_1__y_z", "quoted", "Sheet", "工单明细", "history_"]
    assert all(len(name) <= 31 for name in names)


def test_xlsx_read_back_with_openpyxl():
    summary = pl.DataFrame({"渠道": ["电话", "+86 热线"], "工单数": [10, -2]})
    content = xlsx_bytes({"工单明细": tickets(), "汇总" * 20: summary})
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["工单明细", ("汇总" * 20)[:31]]

    detail = workbook["工单明细"]
    rows = list(detail.iter_rows(values_only=True))
    assert rows[0] == ("工单号", "问题", "时长小时", "评分", "创建时间", "日期")
    assert rows[1][:4] == ("T-1", "屏幕碎了", 1.5, 5)
    assert rows[2][1] == '\'=HYPERLINK("http://x")'
    assert rows[2][2:4] == (-2.25, -1)  # negative numbers stay numbers
    assert rows[1][4] == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert rows[1][5] == dt.datetime(2024, 1, 2)
    assert rows[3][1] is None
    # Text is stored as text, never as a formula.
    assert detail["B3"].data_type == "s"
    assert all(cell.data_type != "f" for row in detail.iter_rows() for cell in row)

    totals = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert totals == [("渠道", "工单数"), ("电话", 10), ("'+86 热线", -2)]


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_neutralises_cell_and_header_starting_with(text):
    content = xlsx_bytes({"s": pl.DataFrame({text: [text]})})
    header, cell = next(openpyxl.load_workbook(io.BytesIO(content))["s"].iter_cols(values_only=True))
    # xlsxwriter stores a carriage return as the escape _x000D_, which Excel decodes
    # and openpyxl does not.
    for value in (header, cell):
        assert value.replace("_x000D_", "\r") == "'" + text


def test_xlsx_without_sheets_still_opens():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({})))
    assert workbook.sheetnames == ["Sheet"]
