"""Browser journey: on the Satisfaction page, click a theme and see the comment list narrow to it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_journeys import nav_link

from lib.i18n import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOWN = re.compile(r"(\d[\d,]*) / (\d[\d,]*)|(\d[\d,]*) of (\d[\d,]*)")


def shown_count(page: Page) -> int:
    caption = page.get_by_text(SHOWN).last.inner_text()
    numbers = [int(n.replace(",", "")) for n in SHOWN.search(caption).groups() if n]
    return numbers[1]  # all comments that match the search and the theme


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_click_a_theme_to_filter_the_comments(app, page: Page, lang: str) -> None:
    app.open(f"/?lang={lang}")
    app.rerun(lambda: nav_link(page, t("nav.satisfaction", lang)).click(), timeout_s=180)
    expect(page.get_by_text(t("satisfaction.themes", lang))).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    everything = shown_count(page)
    fees = page.get_by_role("radio", name=t("theme.fees", lang), exact=True)  # st.pills renders radio buttons
    app.rerun(lambda: fees.click(), timeout_s=120)
    narrowed = shown_count(page)
    assert 0 < narrowed < everything
    app.screenshot(f"comments-theme-{lang}")
