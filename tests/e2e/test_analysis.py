"""Browser journeys through the analysis pages: every page in both languages, a drill-down by click, downloads."""

from __future__ import annotations

import io

import polars as pl
import pytest
from playwright.sync_api import Page, expect
from test_journeys import first_download, metric_value, nav_link

from lib.i18n import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PAGES = ("efficiency", "satisfaction", "team", "cost")
# Words the English UI shows and the Chinese one must not.
ENGLISH = ("Tickets", "Download CSV", "Compare with", "Previous period", "Category", "Channel", "Hours")


def no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_analysis_page_draws_its_charts(app, page: Page, lang: str) -> None:
    app.open(f"/?lang={lang}")
    for name in PAGES:
        app.rerun(lambda name=name: nav_link(page, t(f"nav.{name}", lang)).click(), timeout_s=90)
        expect(page.get_by_role("heading", name=t(f"{name}.title", lang))).to_be_visible()
        no_exception(page)
        charts = page.get_by_test_id("stVegaLiteChart")
        expect(charts.first).to_be_visible()
        assert charts.count() >= 2, f"{name}: {charts.count()} charts"
        box = charts.first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, box
        if lang == "zh":
            for word in ENGLISH:
                expect(page.get_by_text(word, exact=True).filter(visible=True)).to_have_count(0)
        app.screenshot(f"analysis-{name}-{lang}")


def test_click_a_bar_to_drill_down_then_download(app, page: Page, tmp_path) -> None:
    app.open("/cost?lang=en")
    total = metric_value(page, "Total cost")
    label = t("cost.per_ticket_by", "en", field=t("field.category", "en"))
    chart = page.get_by_test_id("stVegaLiteChart").filter(
        has=page.get_by_role("graphics-document", name=label)
    )
    if chart.count() == 0:  # the title is drawn into the canvas: find the chart by its position instead
        chart = page.get_by_test_id("stVegaLiteChart").nth(1)
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    # The costliest category is the top bar, as long as the chart is wide: click its left part.
    app.rerun(lambda: page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + 48))
    no_exception(page)
    chip = page.get_by_text("Drilled into Category = ", exact=False)
    expect(chip).to_be_visible()
    drilled = metric_value(page, "Total cost")
    assert drilled != total, "the cards did not follow the drill-down"
    app.screenshot("analysis-drilled")

    png = first_download(page, t("download.png", "en"))
    png_path = tmp_path / "chart.png"
    png.save_as(png_path)
    data = png_path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000

    workbook = first_download(page, t("download.page_xlsx", "en"))
    xlsx_path = tmp_path / "cost.xlsx"
    workbook.save_as(xlsx_path)
    sheets = pl.read_excel(io.BytesIO(xlsx_path.read_bytes()), sheet_id=0)
    assert len(sheets) >= 3, list(sheets)
    text = " ".join(
        str(v) for frame in sheets.values() for column in frame.columns for v in frame[column].to_list()
    )
    assert "漏水" in text or "安装" in text, "Chinese values did not survive the workbook"

    app.rerun(lambda: page.get_by_role("button", name=t("drill.clear", "en")).click())
    expect(chip).to_have_count(0)
    assert metric_value(page, "Total cost") == total
