"""Browser journey through the Churn page: both languages, filter the at-risk list, download it."""

from __future__ import annotations

import io

import polars as pl
import pytest
from playwright.sync_api import Page, expect
from test_journeys import nav_link

from lib.i18n import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_filter_the_at_risk_list_and_download_it(app, page: Page, lang: str, tmp_path) -> None:
    app.open(f"/?lang={lang}")
    app.rerun(lambda: nav_link(page, t("nav.churn", lang)).click(), timeout_s=240)
    expect(page.get_by_role("heading", name=t("churn.title", lang))).to_be_visible()
    expect(page.get_by_role("heading", name=t("churn.at_risk", lang))).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)

    main = page.get_by_test_id("stMain")
    region = main.get_by_test_id("stMultiSelect").filter(has_text=t("field.region", lang))
    expect(region).to_have_count(1)
    box = region.locator("input")
    box.click()
    box.press_sequentially("华东")
    app.rerun(lambda: box.press("Enter"), timeout_s=120)  # picks the (only) matching option
    page.keyboard.press("Escape")
    expect(region).to_contain_text("华东")
    app.screenshot(f"churn-filtered-{lang}")

    at_risk = page.get_by_test_id("stDownloadButton").filter(has_text=t("download.table_csv", lang))
    with page.expect_download() as info:
        at_risk.first.click()  # the first table on the page is the at-risk list
    path = tmp_path / "at_risk.csv"
    info.value.save_as(path)
    table = pl.read_csv(io.BytesIO(path.read_bytes()))
    region_header = t("field.region", lang)
    assert table.height > 0 and set(table[region_header]) == {"华东"}
    assert t("column.reason_1", lang) in table.columns and t("column.action", lang) in table.columns
