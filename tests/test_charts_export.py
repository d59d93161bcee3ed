"""Tests for lib.charts.export: offline SVG/PNG export with Chinese text."""

from __future__ import annotations

import logging
import re

import pytest
from chart_samples import BUILDERS, PNG_MAGIC, SELECTABLE, categories, monthly_csat, png_size

from lib import charts
from lib.charts import export as chart_export


def bars_for_export():
    return charts.ranked_bars(
        categories(),
        category="类别",
        value="数量",
        category_title="问题类别",
        value_title="工单数",
        title="问题类别排行",
    )


def test_to_svg_contains_chinese_labels_and_export_width():
    svg = charts.to_svg(bars_for_export())
    assert svg.lstrip().startswith("<svg")
    assert "问题类别排行" in svg
    assert "物流" in svg
    width = re.search(r'<svg[^>]*\bwidth="(\d+)"', svg).group(1)
    assert int(width) == charts.EXPORT_WIDTH  # "container" does not collapse


def test_to_png_bytes_and_size():
    chart = charts.kpi_trend(
        monthly_csat(), x="月份", y="满意度", x_title="月份", y_title="满意度", title="客户满意度", target=4.3
    )
    png = charts.to_png(chart, scale=2)
    assert png.startswith(PNG_MAGIC)
    width, height = png_size(png)
    assert width == charts.EXPORT_WIDTH * 2
    assert 200 < height < 1000
    assert 10_000 < len(png) < 2_000_000


def test_export_without_cjk_font_folder_still_works(monkeypatch, caplog):
    # The package only re-exports these: patch the module whose functions read them.
    monkeypatch.setattr(chart_export, "FONT_DIRECTORIES", ("/nonexistent/fonts",))
    monkeypatch.setattr(chart_export, "_fonts_registered", None)
    with caplog.at_level(logging.WARNING, logger="lib.charts.export"):
        png = charts.to_png(bars_for_export(), scale=1)
    assert png.startswith(PNG_MAGIC)
    assert charts.register_cjk_fonts() is False
    assert "CJK font" in caplog.text


def test_builders_leave_data_transformer_limit_on():
    import altair as alt

    assert alt.data_transformers.active == "default"
    assert alt.data_transformers.options.get("max_rows", 5000) == 5000


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_exports_a_png(name):
    png = charts.to_png(BUILDERS[name](name in SELECTABLE), scale=1)
    assert png.startswith(PNG_MAGIC)
    width, height = png_size(png)
    assert width == charts.EXPORT_WIDTH
    assert 100 < height < 1000
