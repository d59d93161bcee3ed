"""Browser journey on the lake: the Overview computed by Spark, a filter, a drill-down by click, a download."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_journeys import as_int, first_download, metric_value, nav_link

from lib.i18n import t

pytest.importorskip("pyspark", reason="Spark is optional: pip install -r requirements-spark.txt")
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SPARK_S = (
    300  # Spark starts in the server and compiles its plans on the first view: minutes on a busy 2-core box
)
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


@pytest.fixture
def lake_env(tmp_path, monkeypatch) -> Path:
    """A small lake (5,000 seeded tickets as Parquet) and the administrator's setting for the server."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import kpi_data

    tickets = kpi_data.tickets(5_000)
    path = tmp_path / "tickets.parquet"
    tickets.write_parquet(path)
    monkeypatch.setenv("AFTERSIGHT_ENGINE", "spark")
    monkeypatch.setenv("AFTERSIGHT_LAKE_TICKETS", str(path))
    monkeypatch.setenv("AFTERSIGHT_SPARK_MASTER", "local[2]")
    return path


def test_the_overview_on_the_lake_then_a_filter_a_drill_and_a_download(
    lake_env, fresh_app, page: Page, tmp_path
):
    app = fresh_app
    page.goto(f"{app.base_url}/?lang=en")
    page.wait_for_timeout(2_000)
    page.wait_for_selector(IDLE, timeout=SPARK_S * 1000)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=SPARK_S * 1000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    everyone = as_int(metric_value(page, "Tickets"))
    assert everyone > 0

    region = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Region")
    box = region.locator("input")
    box.click()
    box.press_sequentially("华东")
    app.rerun(lambda: box.press("Enter"), timeout_s=SPARK_S)  # picks the (only) matching option
    page.keyboard.press("Escape")
    expect(region).to_contain_text("华东")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    east = as_int(metric_value(page, "Tickets"))
    assert 0 < east < everyone

    app.rerun(lambda: nav_link(page, t("nav.cost", "en")).click(), timeout_s=SPARK_S)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    total = metric_value(page, "Total cost")
    chart = page.get_by_test_id("stVegaLiteChart").nth(1)  # cost per ticket by category
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    app.rerun(lambda: page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + 48), timeout_s=SPARK_S)
    expect(page.get_by_text("Drilled into Category = ", exact=False)).to_be_visible()
    assert metric_value(page, "Total cost") != total, "the cards did not follow the drill-down"

    csv = first_download(page, t("download.csv", "en"))
    saved = tmp_path / "table.csv"
    csv.save_as(saved)
    assert saved.read_bytes().startswith(b"\xef\xbb\xbf") and len(saved.read_bytes()) > 50
    app.screenshot("lake-journey-drilled")
