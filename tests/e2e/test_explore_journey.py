"""Browser journey through Explore: build a two-dimension question, save it, open its link in a fresh
browser (another session, nothing shared but the URL), download the table as CSV."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import polars as pl
import pytest
from conftest import VIEWPORT, App
from playwright.sync_api import Browser, Page, expect
from test_journeys import nav_link

from lib.i18n import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_two_dimension_question_saved_and_reopened_from_its_link(
    app, page: Page, browser: Browser, app_url: str, artifacts, tmp_path
) -> None:
    app.open("/?lang=en")
    app.rerun(lambda: nav_link(page, t("nav.explore", "en")).click(), timeout_s=90)
    expect(page.get_by_role("heading", name=t("explore.title", "en"))).to_be_visible()
    no_exception(page)
    # The default question groups by category: add region as the second dimension.
    group_by = page.get_by_test_id("stMultiSelect").filter(has_text=t("explore.by", "en"))

    def add_region() -> None:
        group_by.locator("input").click()
        page.get_by_role("option", name=t("field.region", "en"), exact=True).click()

    app.rerun(add_region, timeout_s=90)
    no_exception(page)
    page.keyboard.press("Escape")
    expect(
        page.get_by_text(t("explore.pivot", "en", kpi="Tickets").split(":")[0], exact=False).first
    ).to_be_visible()
    link = page.url
    assert parse_qs(urlparse(link).query)["x_by"] == ["category,region"], link

    # Save it under a name.
    page.get_by_text(t("explore.views", "en"), exact=True).click()
    name_box = page.get_by_label(t("explore.save_as", "en"))
    app.rerun(lambda: (name_box.fill("category x region"), name_box.press("Enter")))
    app.rerun(lambda: page.get_by_role("button", name=t("explore.save", "en")).click())
    expect(page.get_by_text(t("explore.saved", "en", name="category x region"))).to_be_visible()
    app.screenshot("explore-two-dimensions")

    # A colleague opens the link: a new browser context is a new session.
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-US")
    try:
        other = context.new_page()
        colleague = App(other, app_url, artifacts)
        colleague.open(link[len(app_url) :])
        no_exception(other)
        chips = other.get_by_test_id("stMultiSelect").filter(has_text=t("explore.by", "en"))
        expect(chips.get_by_text(t("field.category", "en"), exact=True)).to_be_visible()
        expect(chips.get_by_text(t("field.region", "en"), exact=True)).to_be_visible()
        expect(other.get_by_test_id("stVegaLiteChart").first).to_be_visible()
        button = other.get_by_test_id("stDownloadButton").filter(
            has=other.get_by_text(t("download.table_csv", "en"), exact=True)
        )
        with other.expect_download() as info:
            button.first.click()
        path = tmp_path / "explore.csv"
        info.value.save_as(path)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
        table = pl.read_csv(io.BytesIO(raw[3:]))
        assert table.columns[:2] == [t("field.category", "en"), t("field.region", "en")]
        assert table.height >= 10
    finally:
        context.close()


def test_click_a_heat_map_cell_to_drill_into_both_values(app, page: Page) -> None:
    app.open("/explore?lang=en&x_kpi=tickets&x_by=region,channel")
    no_exception(page)
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    # The grid of cells fills the middle of the chart (the legend is at the right edge).
    app.rerun(lambda: page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55))
    no_exception(page)
    expect(page.get_by_text("Drilled into Region = ", exact=False)).to_be_visible()
    expect(page.get_by_text("Drilled into Channel = ", exact=False)).to_be_visible()
    app.screenshot("explore-heat-map-drill")


def test_the_chinese_page_shows_no_english(app, page: Page) -> None:
    app.open("/explore?lang=zh&x_kpi=tickets,resolution_sla_rate&x_by=region")
    no_exception(page)
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    for word in ("Choose an option", "Tickets", "Download CSV", "Region", "Group by", "Saved views", "Other"):
        expect(page.get_by_text(word, exact=True).filter(visible=True)).to_have_count(0)
    app.screenshot("explore-zh")
