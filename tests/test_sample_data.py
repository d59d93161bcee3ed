"""The committed sample data: reproducible, the documented dirt and no other, and the signals the app shows."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

DATA = Path(__file__).resolve().parent.parent / "sample_data"
FILES = ("tickets.csv", "surveys.csv", "customers.csv")
FMT = "%Y-%m-%d %H:%M"


def _load_generator():
    """Import sample_data/generate.py (sample_data is not a package)."""
    spec = importlib.util.spec_from_file_location("sample_data_generate", DATA / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(name: str) -> list[list[str]]:
    """Header and body of a committed CSV, as the csv module reads it."""
    with (DATA / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def tickets() -> pl.DataFrame:
    """Clean view of tickets: no empty/blank-id rows, last record per id, parsed times and hours."""
    df = pl.read_csv(DATA / "tickets.csv", infer_schema=False)
    df = df.filter(pl.col("工单号").is_not_null()).unique("工单号", keep="last", maintain_order=True)
    return df.with_columns(
        created=pl.col("报修时间").str.strptime(pl.Datetime, FMT, strict=False),
        resolved=pl.col("完成时间").str.strptime(pl.Datetime, FMT, strict=False),
    ).with_columns(hours=(pl.col("resolved") - pl.col("created")).dt.total_minutes() / 60)


@pytest.fixture(scope="module")
def surveys() -> pl.DataFrame:
    """Surveys with integer scores."""
    df = pl.read_csv(DATA / "surveys.csv", infer_schema=False)
    return df.with_columns(
        csat=pl.col("满意度(1-5)").cast(pl.Int32), nps=pl.col("推荐意愿(0-10)").cast(pl.Int32)
    )


@pytest.fixture(scope="module")
def customers() -> pl.DataFrame:
    """Customers with parsed dates."""
    df = pl.read_csv(DATA / "customers.csv", infer_schema=False)
    return df.with_columns(
        signup=pl.col("注册日期").str.strptime(pl.Date, "%Y/%m/%d"),
        churn=pl.col("流失日期").str.strptime(pl.Date, "%Y/%m/%d"),
    )


def test_files_exist_with_bom_and_exact_headers():
    gen = _load_generator()
    for name, header in zip(FILES, (gen.TICKET_HEADER, gen.SURVEY_HEADER, gen.CUSTOMER_HEADER), strict=True):
        raw = (DATA / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert b"\r\n" not in raw
        assert tuple(_rows(name)[0]) == header


def test_regenerating_gives_the_committed_bytes(tmp_path):
    _load_generator().generate(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_row_counts():
    assert 29_000 <= len(_rows("tickets.csv")) - 1 <= 31_000
    assert 9_000 <= len(_rows("surveys.csv")) - 1 <= 11_000
    assert len(_rows("customers.csv")) - 1 == 12_000


def test_tickets_hold_exactly_the_documented_dirt():
    body = _rows("tickets.csv")[1:]
    assert all(r == [""] * 20 for r in body[-5:])  # 5 fully empty trailing rows
    body = body[:-5]
    assert all(any(r) and len(r) == 20 for r in body)

    def parses(value: str) -> bool:
        try:
            dt.datetime.strptime(value, FMT)
        except ValueError:
            return False
        return True

    bad_created = {i for i, r in enumerate(body) if not parses(r[2])}
    assert sorted(body[i][2] for i in bad_created) == sorted(
        ("2025-13-45 25:00", "待定", "N/A", "2026-02-30 09:15", "未知")
    )
    before = {i for i, r in enumerate(body) if i not in bad_created and r[4] and r[4] < r[2]}
    blank_id = {i for i, r in enumerate(body) if r[0] == ""}
    negative = {i for i, r in enumerate(body) if r[18].startswith("-")}
    assert (len(before), len(blank_id), len(negative)) == (5, 3, 2)
    counts = Counter(r[0] for r in body if r[0])
    dups = {i for i, k in counts.items() if k > 1}
    assert len(dups) == 5 and all(counts[i] == 2 for i in dups)
    for tid in dups:  # an earlier 处理中 snapshot, then the completed record further down
        first, last = (r for r in body if r[0] == tid)
        assert (first[9], last[9]) == ("处理中", "已完成") and first[4] == "" and last[4] > last[2]
    dirty = bad_created | before | blank_id | negative
    assert len(dirty) == 20 - 5  # one kind per row
    assert min(dirty) < 0.1 * len(body) and max(dirty) > 0.9 * len(body)  # spread through the file
    # nothing else is dirty
    clean = [r for i, r in enumerate(body) if i not in dirty]
    assert all(r[2] <= r[3] <= r[4] for r in clean if r[3] and r[4])
    assert all(r[3] >= r[2] for r in clean if r[3])
    assert all(10 <= int(r[18]) <= 300 for r in clean if r[18])
    assert {r[9] for r in clean} == {"已完成", "处理中", "待处理"}


def test_surveys_hold_exactly_the_documented_dirt(surveys, tickets):
    assert sorted(surveys.filter(~pl.col("csat").is_between(1, 5))["csat"].to_list()) == [0, 6, 7]
    assert surveys.filter(~pl.col("nps").is_between(0, 10))["nps"].to_list() == [11, 11]
    assert surveys["工单号"].is_in(tickets["工单号"].implode()).all()
    assert surveys["提交时间"].str.strptime(pl.Datetime, "%Y年%m月%d日 %H:%M").is_not_null().all()


def test_references_and_dates_are_consistent(tickets, customers):
    assert tickets["客户编号"].is_in(customers["客户编号"].implode()).all()
    assert customers["客户编号"].is_unique().all()
    per_customer = tickets.group_by("客户编号").agg(
        first=pl.col("created").min(), last=pl.col("resolved").max()
    )
    joined = customers.join(per_customer, on="客户编号")
    assert (joined["signup"] < joined["first"].dt.date()).all()
    churned = joined.filter(pl.col("是否流失") == "是")
    assert (churned["churn"] > churned["last"].dt.date()).all()
    assert customers["churn"].max() <= dt.date(2026, 10, 31)
    assert customers["signup"].min().year >= 2018


def test_open_tickets_are_recent_and_blank(tickets):
    open_ = tickets.filter(pl.col("状态") != "已完成")
    assert 0 < open_.height < 200
    assert open_["created"].min() >= dt.datetime(2026, 10, 17)
    assert open_["完成时间"].is_null().all() and open_["一次修复"].is_null().all()
    assert (open_.filter(pl.col("状态") == "待处理")["首次响应时间"].is_null()).all()


def test_volume_seasonality(tickets):
    t = tickets.filter(pl.col("created").is_not_null())
    month = t.with_columns(m=pl.col("created").dt.month(), p=pl.col("产品"))
    ac = dict(month.filter(pl.col("p") == "空调").group_by("m").len().iter_rows())
    assert (ac[7] + ac[8]) > 2 * (ac[3] + ac[4])
    heater = dict(month.filter(pl.col("p") == "热水器").group_by("m").len().iter_rows())
    assert (heater[12] + heater[1]) > 1.4 * (heater[6] + heater[7])
    weekday = dict(t.group_by(pl.col("created").dt.weekday()).len().iter_rows())
    assert min(weekday, key=weekday.get) == 7  # Sunday
    daily = dict(t.group_by(pl.col("created").dt.date().cast(pl.String)).len().iter_rows())
    for eve, before, after in (
        ("2025-01-28", "2025-01-14", "2025-02-11"),
        ("2026-02-16", "2026-02-02", "2026-03-02"),
    ):
        days = sorted(daily)
        i = days.index(eve)
        holiday = sum(daily[d] for d in days[i : i + 7])
        normal = (
            sum(daily[d] for d in days[days.index(before) : days.index(before) + 7])
            + sum(daily[d] for d in days[days.index(after) : days.index(after) + 7])
        ) / 2
        surge = sum(daily[d] for d in days[i - 7 : i])
        assert holiday < 0.45 * normal and surge > normal


def test_engineer_skill_is_visible(tickets, surveys):
    stats = (
        tickets.filter(pl.col("hours") > 0)
        .group_by("工程师")
        .agg(hours=pl.col("hours").median(), ftf=(pl.col("一次修复") == "是").mean())
    )
    csat = surveys.filter(pl.col("csat").is_between(1, 5)).join(
        tickets.select("工单号", "工程师"), on="工单号"
    )
    stats = stats.join(csat.group_by("工程师").agg(csat=pl.col("csat").mean()), on="工程师")
    s = {r["工程师"]: r for r in stats.iter_rows(named=True)}
    assert len(s) == 12
    for weak in ("李强", "黄勇"):
        for strong in ("张伟", "陈静"):
            assert s[weak]["hours"] > 1.8 * s[strong]["hours"]
            assert s[weak]["ftf"] < s[strong]["ftf"] - 0.1
            assert s[weak]["csat"] < s[strong]["csat"] - 0.8
    # each engineer mostly serves one or two regions
    share = (
        tickets.group_by("工程师", "区域")
        .len()
        .with_columns(pl.col("len") / pl.col("len").sum().over("工程师"))
    )
    top2 = share.sort("len", descending=True).group_by("工程师").agg(pl.col("len").head(2).sum())
    assert (top2["len"] > 0.95).all()


def test_csat_follows_the_service(tickets, surveys):
    s = surveys.filter(pl.col("csat").is_between(1, 5)).join(tickets, on="工单号")

    def mean(expr: pl.Expr) -> float:
        return s.filter(expr)["csat"].mean()

    assert mean(pl.col("hours") <= 24) > mean(pl.col("hours") > 72) + 0.6
    assert mean(pl.col("是否投诉") == "否") > mean(pl.col("是否投诉") == "是") + 1.0
    assert mean(pl.col("返修次数") == "0") > mean(pl.col("返修次数") != "0") + 0.8
    assert s.filter(pl.col("评价内容").is_not_null()).height / s.height == pytest.approx(0.4, abs=0.05)


def test_churn_has_real_signal(tickets, surveys, customers):
    assert 0.12 <= (customers["是否流失"] == "是").mean() <= 0.18
    per = tickets.group_by("客户编号").agg(complaints=(pl.col("是否投诉") == "是").sum())
    c = customers.join(per, on="客户编号", how="left")

    def rate(expr: pl.Expr) -> float:
        return (c.filter(expr)["是否流失"] == "是").mean()

    assert rate(pl.col("complaints").is_null()) < 0.08  # no tickets: low base rate
    assert rate(pl.col("complaints") > 0) > 2.5 * rate(pl.col("complaints") == 0)
    csat = surveys.filter(pl.col("csat").is_between(1, 5)).group_by("客户编号").agg(pl.col("csat").mean())
    by_churn = dict(
        customers.join(csat, on="客户编号").group_by("是否流失").agg(pl.col("csat").mean()).iter_rows()
    )
    assert by_churn["是"] < by_churn["否"] - 0.3
    months = customers.filter(pl.col("是否流失") == "是").group_by(pl.col("churn").dt.strftime("%Y-%m")).len()
    assert months.height >= 23 and months["len"].max() < 4 * months["len"].median()  # spread, no pile-up
