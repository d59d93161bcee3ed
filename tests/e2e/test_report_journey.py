"""Browser journey: generate the report, edit a finding, download it, open the file in Chromium, print it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from test_journeys import first_download, nav_link

from lib.i18n import t
from lib.report import files

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_generate_edit_download_and_print(
    app, page: Page, browser: Browser, artifacts, tmp_path, lang: str
) -> None:
    app.open(f"/?lang={lang}")
    app.rerun(lambda: nav_link(page, t("nav.report", lang)).click(), timeout_s=120)
    expect(page.get_by_text(t("rpt.page.press", lang))).to_be_visible(timeout=60_000)
    app.rerun(
        lambda: page.get_by_text(t("rpt.page.with_churn", lang)).click(), timeout_s=60
    )  # fast: no model
    app.rerun(lambda: page.get_by_role("button", name=t("rpt.page.generate", lang)).click(), timeout_s=240)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    summary = page.get_by_role("textbox", name=t("rpt.page.findings", lang))
    expect(summary).not_to_be_empty()
    edited = "EDITED FINDING 42" if lang == "en" else "修改过的摘要 42"
    app.rerun(lambda: (summary.fill(summary.input_value() + "\n" + edited), summary.blur()), timeout_s=120)
    app.screenshot(f"report-page-{lang}")

    html_path = tmp_path / "report.html"
    first_download(page, t("rpt.page.download_html", lang)).save_as(html_path)
    html = html_path.read_text(encoding="utf-8")
    assert edited in html and "https://" not in html

    # The downloaded file, opened offline in a new tab as the director would.
    viewer = browser.new_context(viewport={"width": 900, "height": 1270}, offline=True).new_page()
    requests: list[str] = []
    viewer.on("request", lambda r: requests.append(r.url))
    viewer.goto(html_path.as_uri())
    expect(viewer.locator("h1")).to_contain_text(t("rpt.default_team", lang))
    viewer.screenshot(path=artifacts / f"report-file-cover-{lang}.png")
    viewer.locator("section#efficiency").scroll_into_view_if_needed()
    viewer.locator("section#efficiency").screenshot(path=artifacts / f"report-file-chart-page-{lang}.png")
    assert viewer.locator("figure svg").count() >= 6
    assert [u for u in requests if not u.startswith("file:")] == []

    document = viewer.pdf(format="A4", print_background=True)
    pages = files.page_count(document)
    assert 10 <= pages <= 25, pages
    (artifacts / f"report-{lang}.pdf").write_bytes(document)
    viewer.context.close()

    pdf = first_download(page, t("rpt.page.download_pdf", lang))
    assert re.search(r"\.pdf$", pdf.suggested_filename)
