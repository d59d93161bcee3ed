"""Sample frames and spec helpers shared by the chart tests (tests/test_charts_*.py)."""

from __future__ import annotations

import datetime as dt
import struct

import polars as pl

from lib import charts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def daily_volume(days: int = 7) -> pl.DataFrame:
    start = dt.date(2024, 1, 1)
    return pl.DataFrame(
        {
            "日期": [start + dt.timedelta(days=i) for i in range(days)],
            "工单数": [(i * 37) % 50 + 10 for i in range(days)],
        }
    )


def categories() -> pl.DataFrame:
    # Month names sort 一月, 三月, 二月 by code point: the chart must not do that.
    return pl.DataFrame({"类别": ["一月", "二月", "三月", "物流", "安装"], "数量": [30, 55, 12, 80, 55]})


def monthly_csat() -> pl.DataFrame:
    return pl.DataFrame(
        {"月份": [dt.date(2024, m, 1) for m in range(1, 7)], "满意度": [4.1, 4.2, 4.0, 4.3, 4.35, 4.5]}
    )


def layer_marks(spec: dict) -> list[str]:
    return [layer["mark"]["type"] for layer in spec["layer"]]


def only_dataset(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


def png_size(content: bytes) -> tuple[int, int]:
    return struct.unpack(">II", content[16:24])


def datasets_with(spec: dict, field: str) -> list[list[dict]]:
    return [rows for rows in spec["datasets"].values() if rows and field in rows[0]]


def box_stats() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "渠道": ["phone", "chat", None],
            "p10": [0.0, 0.5, 1.0],
            "p25": [0.25, 1.0, 2.0],
            "p50": [1.0, 2.0, 3.0],
            "p75": [3.0, 4.0, 4.0],
            "p90": [8.0, 6.0, 5.0],
            "mean": [2.5, 2.5, 3.0],
            "n": [120, 40, 1],
        }
    )


def weekday_hours() -> pl.DataFrame:
    # Two weekdays (Mon=1, Wed=3) and hours 9 and 10; Wed 10h has no row, Mon 10h a null value.
    return pl.DataFrame({"weekday": [1, 1, 3], "hour": [9, 10, 9], "hours": [2.5, None, 4.0]})


WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


def channel_weeks() -> pl.DataFrame:
    monday = dt.date(2024, 1, 1)
    return pl.DataFrame(
        {
            "周": [monday, monday, monday, monday + dt.timedelta(weeks=1)],
            "渠道": ["email", "phone", "email", "phone"],
            "工单数": [3, 5, 2, 6],
        }
    )


CHANNELS = {"phone": "电话", "chat": "在线", "email": "邮件"}


def pareto_frame() -> pl.DataFrame:
    # Frame order is not value order; 物流 and 安装 tie at 30.
    return pl.DataFrame(
        {
            "类别": ["安装", "漏水", "物流", "其他"],
            "数量": [30, 50, 30, 10],
            "累计": [0.6667, 0.4167, 0.9167, 1.0],
            "关键": [True, True, False, False],
        }
    )


def driver_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "渠道": ["phone", "chat", "onsite", "app"],
            "一次解决率": [0.82, 0.91, 0.64, None],
            "工单数": [1200, 900, 12, 0],
            "样本少": [False, False, True, None],
        }
    )


# One Chinese-titled chart per builder, for the checks every builder must pass.
BUILDERS = {
    "ranked_bars": lambda select: charts.ranked_bars(
        categories(),
        category="类别",
        value="数量",
        category_title="问题类别",
        value_title="工单数",
        title="问题类别排行",
        select=select,
    ),
    "histogram": lambda select: charts.histogram(
        pl.DataFrame({"起": [0.0, 1.0, 2.0], "止": [1.0, 2.0, 4.0], "数": [5, 8, 3]}),
        start="起",
        end="止",
        count="数",
        markers=[("平均 1.8", 1.8), ("P90 3.5", 3.5)],
        log_scale=True,
        x_title="响应时长（小时）",
        y_title="工单数",
        title="响应时长分布",
    ),
    "box_summary": lambda select: charts.box_summary(
        box_stats(),
        group="渠道",
        p10="p10",
        p25="p25",
        p50="p50",
        p75="p75",
        p90="p90",
        mean="mean",
        count="n",
        group_title="渠道",
        value_title="响应时长（小时）",
        title="各渠道响应时长",
        mean_title="平均",
        count_title="工单数",
        group_labels=CHANNELS,
        select=select,
    ),
    "heatmap": lambda select: charts.heatmap(
        weekday_hours(),
        x="hour",
        y="weekday",
        value="hours",
        x_title="小时",
        y_title="星期",
        value_title="平均响应时长",
        title="响应时长热力图",
        y_labels=WEEKDAYS,
        select=select,
        missing_title="无数据",
    ),
    "stacked_bars": lambda select: charts.stacked_bars(
        channel_weeks(),
        x="周",
        series="渠道",
        value="工单数",
        x_title="周",
        value_title="工单数",
        series_title="渠道",
        title="每周工单",
        series_labels=CHANNELS,
        time_unit="week",
        normalize=True,
        share_title="占比",
    ),
    "pareto": lambda select: charts.pareto(
        pareto_frame(),
        category="类别",
        value="数量",
        cumulative="累计",
        vital="关键",
        category_title="问题类别",
        value_title="工单数",
        cumulative_title="累计占比",
        title="问题帕累托",
        select=select,
    ),
    "multi_line": lambda select: charts.multi_line(
        channel_weeks(),
        x="周",
        series="渠道",
        y="工单数",
        x_title="周",
        y_title="工单数",
        series_title="渠道",
        title="工作量",
        series_labels=CHANNELS,
        time_unit="week",
    ),
    "driver_bars": lambda select: charts.driver_bars(
        driver_frame(),
        category="渠道",
        value="一次解决率",
        count="工单数",
        category_title="渠道",
        value_title="一次解决率",
        count_title="工单数",
        title="各渠道一次解决率",
        value_format=".0%",
        small="样本少",
        target=0.8,
        target_title="目标",
        category_labels=CHANNELS,
        select=select,
    ),
}


SELECTABLE = ["ranked_bars", "box_summary", "heatmap", "pareto", "driver_bars"]


def only_dataset_with(spec: dict, field: str) -> list[dict]:
    (rows,) = datasets_with(spec, field)
    return rows
