"""Browser journey of the team workspace: add a file, refresh, it is still there; a second browser sees it;
a reader (trusted proxy header, not an editor) gets no add button."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import VIEWPORT, App, streamlit_server
from playwright.sync_api import Browser, Page, expect
from test_journeys import metric, nav_link, upload_tickets

from lib.i18n import t
from lib.ingest import workspace
from lib.ui import identity

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HEADER = "ticket_id,created_at,resolved_at,channel\n"
MARCH = "/?lang=en&start=2025-03-01&end=2025-03-31"


def tickets(page: Page, number: int) -> None:
    """The Tickets card shows `number` (a machine shared with other runs can take more than 5 s to draw it)."""
    expect(metric(page, "Tickets").get_by_test_id("stMetricValue")).to_have_text(
        f"{number:,}", timeout=60_000
    )


def export(path: Path, ids: range, day: int) -> Path:
    rows = "".join(f"W{i},2025-03-{day:02d} 09:00,2025-03-{day:02d} 15:00,phone\n" for i in ids)
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.fixture
def team_url(tmp_path: Path, artifacts: Path, monkeypatch, browser: Browser):
    """A server of its own on a workspace of 4 tickets; only alice may edit, as the proxy's X-User says."""
    folder = tmp_path / "team"
    folder.mkdir()
    workspace.add_paths(folder, {"tickets": [export(tmp_path / "march.csv", range(4), 3)]}, who="setup")
    monkeypatch.setenv(workspace.ENV, str(folder))
    monkeypatch.setenv(identity.HEADER_ENV, "X-User")
    monkeypatch.setenv(identity.EDITORS_ENV, "alice")
    with streamlit_server(artifacts, "streamlit-server-workspace") as base_url:
        warm = browser.new_context(viewport=VIEWPORT)  # past the server's first-session path (conftest)
        App(warm.new_page(), base_url, artifacts).open("/?lang=en")
        warm.close()
        yield base_url, folder


def test_added_data_stays_after_a_refresh_and_a_second_browser_sees_it(
    team_url, browser: Browser, artifacts: Path, tmp_path: Path
) -> None:
    base_url, folder = team_url
    alice = browser.new_context(viewport=VIEWPORT, locale="en-US", extra_http_headers={"X-User": "alice"})
    alice.set_default_timeout(30_000)
    page = alice.new_page()
    app = App(page, base_url, artifacts)
    app.open(MARCH)
    tickets(page, 4)

    app.rerun(lambda: nav_link(page, t("nav.data", "en")).click())
    upload_tickets(app, page, "en", export(tmp_path / "april.csv", range(2, 7), 5), "april.csv")
    add = page.get_by_role("button", name=t("ws.add", "en"))
    expect(add).to_be_visible()
    app.rerun(add.click, timeout_s=90)
    added = t("ws.added", "en", name="april.csv", added="5", replaced="2", excluded="0")
    expect(page.get_by_text(added)).to_be_visible(timeout=30_000)
    assert workspace.read(folder).counts() == {"tickets": 7}
    assert workspace.read(folder).history[-1].who == "alice"
    app.screenshot("workspace-added")

    # F5: a new session, on the team's data.
    app.open(MARCH)
    tickets(page, 7)

    # Another browser (bob, a reader): he sees the team's data, and no add button.
    bob = browser.new_context(viewport=VIEWPORT, locale="en-US", extra_http_headers={"X-User": "bob"})
    bob.set_default_timeout(30_000)
    other: Page = bob.new_page()
    other_app = App(other, base_url, artifacts)
    other_app.open(MARCH)
    tickets(other, 7)
    other_app.rerun(lambda: nav_link(other, t("nav.data", "en")).click())
    expect(other.get_by_text(t("ws.reader", "en", who="bob"))).to_be_visible()
    upload_tickets(other_app, other, "en", export(tmp_path / "may.csv", range(8, 9), 7), "may.csv")
    expect(other.get_by_role("button", name=t("data.load", "en"))).to_be_visible()
    expect(other.get_by_role("button", name=t("ws.add", "en"))).to_have_count(0)
    other_app.screenshot("workspace-reader")
    bob.close()
    alice.close()
