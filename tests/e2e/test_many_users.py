"""Many users at once: 20 browser sessions upload different data and each sees only its own numbers;
a session that ends frees its database.

The sessions are driven in phases from one thread: each step is started in all 20 tabs
before any is waited for, so the server runs up to 20 scripts at the same time. Every
wait is bounded by the test's own deadline: it always stops by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import IDLE, VIEWPORT, App, full_page_screenshot
from playwright.sync_api import Browser, BrowserContext, expect
from test_journeys import metric, nav_link

from lib.i18n import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SESSIONS = 20
DEADLINE_S = 420  # the whole 20-session run: 2.5 min measured on 2 shared cores, more under load
SESSION_TTL_S = 1


def tickets_csv(path: Path, count: int, tag: str) -> Path:
    """`count` tickets in March 2025 (not a full month, so the Overview shows them all)."""
    lines = ["ticket_id,created_at,channel"]
    lines += [f"{tag}-{i},2025-03-{1 + i % 28:02d} {8 + i % 9:02d}:{i % 60:02d},电话" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Sessions:
    """Browser contexts, one Streamlit session each, driven step by step all together."""

    def __init__(self, browser: Browser, base_url: str, artifacts: Path, deadline_s: float) -> None:
        self.browser, self.base_url, self.artifacts = browser, base_url, artifacts
        self.deadline = time.monotonic() + deadline_s
        self.contexts: list[BrowserContext] = []
        self.apps: list[App] = []

    def left_s(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the many-users run passed its deadline")
        return left

    def open(self, count: int, path: str) -> None:
        for _ in range(count):
            context = self.browser.new_context(viewport=VIEWPORT, locale="en-US")
            context.set_default_timeout(60_000)
            self.contexts.append(context)
            self.apps.append(App(context.new_page(), self.base_url, self.artifacts))
        self.step(lambda app: app.page.goto(f"{self.base_url}{path}", wait_until="commit"))

    def step(self, action: Callable[[App], object], then: Callable[[App], object] | None = None) -> None:
        """Do `action` in every tab, then wait in each for a finished run and `then`."""
        before = [app.runs.finished for app in self.apps]
        for app in self.apps:
            action(app)
        for index, (app, count) in enumerate(zip(self.apps, before, strict=True)):
            try:
                app.runs.wait_for_more_than(count, self.left_s())
                app.page.wait_for_selector(IDLE, timeout=self.left_s() * 1000)
                if then:
                    then(app)
            except AssertionError:
                full_page_screenshot(app.page, self.artifacts / f"many-users-{index}-FAILED.png")
                raise

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def sessions(browser: Browser, app_url: str, artifacts: Path) -> Iterator[Sessions]:
    group = Sessions(browser, app_url, artifacts, DEADLINE_S)
    yield group
    group.close()


def test_twenty_sessions_each_see_only_their_own_tickets(sessions: Sessions, tmp_path: Path) -> None:
    started = time.monotonic()
    counts = [10 + i for i in range(SESSIONS)]
    files = [tickets_csv(tmp_path / f"tickets_{i}.csv", n, f"S{i}") for i, n in enumerate(counts)]

    sessions.open(SESSIONS, "/data?lang=en")
    number = {id(app): n for app, n in zip(sessions.apps, counts, strict=True)}
    name = {id(app): f.name for app, f in zip(sessions.apps, files, strict=True)}
    path = {id(app): f for app, f in zip(sessions.apps, files, strict=True)}
    opened = time.monotonic() - started

    def tickets_input(app: App):
        panel = app.page.get_by_role("tabpanel", name=t("table.tickets", "en"))
        return panel.get_by_test_id("stFileUploader")

    def upload(app: App) -> None:
        tickets_input(app).get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path[id(app)])

    def read(app: App) -> None:
        # A file set on an uploader that was being re-rendered can be lost (test_journeys.upload_tickets).
        chip = tickets_input(app).get_by_test_id("stFileChipName").filter(has_text=name[id(app)])
        for _ in range(3):
            if chip.count():
                break
            app.rerun(lambda: upload(app), timeout_s=sessions.left_s())
        title = t("data.file_title", "en", name=name[id(app)], rows=number[id(app)], columns=3)
        expect(app.page.get_by_text(title)).to_be_visible(timeout=sessions.left_s() * 1000)

    sessions.step(upload, then=read)

    def load(app: App) -> None:
        app.page.get_by_role("button", name=t("data.load", "en")).click()

    def loaded(app: App) -> None:
        report = app.page.get_by_text(t("report.title", "en", name=name[id(app)]))
        expect(report).to_be_visible(timeout=sessions.left_s() * 1000)

    sessions.step(load, then=loaded)

    def overview(app: App) -> None:
        nav_link(app.page, t("nav.overview", "en")).click()

    def own_count(app: App) -> None:
        value = metric(app.page, "Tickets").get_by_test_id("stMetricValue")
        expect(value).to_have_text(f"{number[id(app)]:,}", timeout=sessions.left_s() * 1000)

    sessions.step(overview, then=own_count)

    # All 20 databases are loaded now: look at every tab once more, side by side.
    shown = [
        metric(app.page, "Tickets").get_by_test_id("stMetricValue").inner_text() for app in sessions.apps
    ]
    assert shown == [f"{n:,}" for n in counts]
    elapsed = time.monotonic() - started
    print(f"{SESSIONS} sessions: opened in {opened:.0f} s, all checked in {elapsed:.0f} s")


def spill_folders(folder: Path) -> int:
    """Session databases alive on the server: each has a temp folder until it is closed (lib.engine.store)."""
    return len(list(folder.glob("aftersight-session-*")))


def test_a_session_that_ends_frees_its_database(
    browser: Browser, artifacts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request
) -> None:
    """Streamlit keeps a closed tab's session `server.disconnectedSessionTTL` seconds for a
    reconnect; after that `lib.ui.session` closes its DuckDB (and removes its temp folder),
    while the session still open keeps its own.
    """
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL", str(SESSION_TTL_S))
    base_url = request.getfixturevalue("fresh_app_url")  # started now, with the variables above
    group = Sessions(browser, base_url, artifacts, 120)
    try:
        # Chinese: the first sessions of a fresh server fall back to it on their next run
        # (test_journeys: test_first_session_after_start_keeps_language).
        group.open(2, "/?lang=zh")
        assert spill_folders(tmp_path) == 2
        group.contexts[0].close()
        deadline = time.monotonic() + 30
        while spill_folders(tmp_path) > 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert spill_folders(tmp_path) == 1, "the closed session's database is still open"
        # The open session is untouched: it still works on its own data.
        survivor = group.apps[1]
        survivor.rerun(lambda: nav_link(survivor.page, t("nav.data", "zh")).click())
        expect(survivor.page.get_by_role("heading", name=t("data.title", "zh"), exact=True)).to_be_visible()
        assert spill_folders(tmp_path) == 1
    finally:
        group.close()
