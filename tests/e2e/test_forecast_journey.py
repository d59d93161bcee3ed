"""Browser journey through the Forecast page: both languages, a longer horizon, a split, the CSV."""

from __future__ import annotations

import io

import polars as pl
import pytest
from playwright.sync_api import Page, expect
from test_journeys import first_download, nav_link

from lib.i18n import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_forecast_with_a_split_and_its_csv(app, page: Page, lang: str, tmp_path) -> None:
    app.open(f"/?lang={lang}")
    app.rerun(lambda: nav_link(page, t("nav.forecast", lang)).click(), timeout_s=120)
    expect(page.get_by_role("heading", name=t("forecast.title", lang))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_role("heading", name=t("forecast.staffing", lang))).to_be_visible()

    # 28 → 35 days: the slider moves in weeks
    thumb = page.get_by_role("slider").first
    app.rerun(lambda: (thumb.focus(), thumb.press("ArrowRight")), timeout_s=120)
    # one forecast per channel
    split = page.get_by_test_id("stSelectbox").filter(has_text=t("forecast.split", lang))
    split.click()
    app.rerun(
        lambda: page.get_by_role("option", name=t("field.channel", lang), exact=True).click(), timeout_s=180
    )
    expect(
        page.get_by_role("heading", name=t("forecast.by_segment", lang, field=t("field.channel", lang)))
    ).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    app.screenshot(f"forecast-split-{lang}")

    download = first_download(page, t("download.csv", lang))  # under the forecast chart: the machine CSV
    path = tmp_path / "forecast.csv"
    download.save_as(path)
    table = pl.read_csv(io.BytesIO(path.read_bytes()))
    assert table.columns == ["date", "segment", "yhat", "lower", "upper", "model"]
    assert table.height == 35 * 6  # total + five channels, 35 days each
    assert "电话" in set(table["segment"])  # Chinese segment names intact
