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


# --- round trip: an export uploaded again gives the same numbers ---------------------------------

# Categories a spreadsheet would run as formulas; "-" alone is a blank placeholder to the
# validator, so it reads as empty both times.
RISKY_CATEGORIES = ["=SUM(A1)", "+86 热线", "-", "@客服", "-退货", "漏水"]


def user_export_csv() -> bytes:
    """A ticket export as a team's own system writes it: 36 tickets over two months."""
    lines = ["ticket_id,created_at,resolved_at,customer_id,category,channel,labor_cost,is_complaint"]
    for i in range(36):
        created = dt.datetime(2025, 3, 1, 8) + dt.timedelta(hours=37 * i)
        resolved = created + dt.timedelta(hours=1 + i % 7, minutes=13 * i % 60)
        cells = (
            f"T{i}",
            f"{created:%Y-%m-%d %H:%M}",
            f"{resolved:%Y-%m-%d %H:%M}" if i % 5 else "",
            f"C{i % 4}",
            RISKY_CATEGORIES[i % len(RISKY_CATEGORIES)],
            "电话" if i % 2 else "=微信",
            f"{12.3 * (i % 9):.2f}",
            "是" if i % 3 else "否",
        )
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def ingest_bytes(con, data: bytes, name: str) -> None:
    from lib.ingest import pipeline

    pipeline.ingest(con, pipeline.prepare(data, name, "tickets"))


def same_kpis(a: dict, b: dict) -> None:
    # Rows come back in another order where created_at ties, so float sums may differ in
    # the last digit; everything else is equal.
    assert a.keys() == b.keys()
    for key, value in a.items():
        assert b[key] == (value if value is None else pytest.approx(value, rel=1e-12)), key


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_uploaded_again_gives_the_same_kpis_and_categories(con, other_con, kind):
    from lib.analysis import overview
    from lib.engine import store
    from lib.engine.kpis import Settings, evaluate_by

    ingest_bytes(con, user_export_csv(), "ours.csv")
    rows = store.scoped(con, store.Scope()).tickets
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes({"工单": rows})
    ingest_bytes(other_con, data, f"export.{kind}")

    categories = other_con.execute("SELECT DISTINCT category FROM tickets").fetchall()
    assert {c for (c,) in categories} == {"=SUM(A1)", "+86 热线", None, "@客服", "-退货", "漏水"}
    assert other_con.execute("SELECT count(*) FROM tickets WHERE channel = '=微信'").fetchone()[0] == 18
    for scope in (store.Scope(), store.Scope(dt.date(2025, 3, 1), dt.date(2025, 3, 31))):
        before = overview.kpis(con, scope, Settings())
        assert sum(v is not None for v in before.values()) >= 10
        same_kpis(before, overview.kpis(other_con, scope, Settings()))
        by_category = [
            evaluate_by(store.scoped(c, scope), by="category").sort("category", nulls_last=True)
            for c in (con, other_con)
        ]
        assert_frame_equal(*by_category, check_exact=False, rel_tol=1e-12)


@pytest.mark.parametrize("text", ["'=x", "''+1", "'@", "'-"])
def test_text_that_already_starts_with_a_guard_comes_back_unchanged(text):
    from lib.ingest.reading import read_table

    assert read_table(csv_bytes(pl.DataFrame({"note": [text, "ok"]})), "x.csv").frame["note"][0] == text
