"""Browser journey fixtures: one Streamlit server per test session, one Chromium, a new context per test.

The server runs the real `app.py` on a free local port; every test gets a fresh
browser context, so a fresh Streamlit session (with the sample data loaded).
Screenshots go to `test-artifacts/` (gitignored) so a person can look at them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from google.protobuf.message import DecodeError
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, WebSocket, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_S = 60
VIEWPORT = {"width": 1400, "height": 1000}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health(base_url: str) -> str:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError):
        return ""


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server and anything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextmanager
def streamlit_server(artifacts: Path, name: str) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port until the block ends; yields its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = artifacts / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while _health(base_url) != "ok":
                if process.poll() is not None:
                    pytest.fail(
                        f"streamlit exited with code {process.returncode} before it was healthy; "
                        f"see {log_path}:\n{log_path.read_text(errors='replace')[-3000:]}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit not healthy at {base_url} after {STARTUP_TIMEOUT_S} s; "
                        f"see {log_path}:\n{log_path.read_text(errors='replace')[-3000:]}"
                    )
                time.sleep(0.25)
            yield base_url
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def app_url(artifacts: Path, browser: Browser) -> Iterator[str]:
    """The server the journeys share, already past its first session.

    A fresh server's very first session runs app.py through Streamlit's old
    `pages/` directory path, and that session loses its language on its next run
    (see `test_first_session_after_start_keeps_language`). One throw-away visit
    here makes the journeys independent of which test happens to run first.
    """
    with streamlit_server(artifacts, "streamlit-server") as base_url:
        context = browser.new_context(viewport=VIEWPORT)
        App(context.new_page(), base_url, artifacts).open("/?lang=en")
        context.close()
        yield base_url


@pytest.fixture
def fresh_app_url(artifacts: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A server of this test's own, that no session has visited yet."""
    with streamlit_server(artifacts, f"streamlit-server-{request.node.name}") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser journeys need Debian's Chromium. "
            "Install it with `bash scripts/setup.sh --dev` (or `apt-get install chromium`); "
            "run the rest with `-m 'not e2e'`.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A new browser context per test: its own cookies and websocket, so a new Streamlit session."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-US")
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest, artifacts: Path) -> Iterator[Page]:
    """The test's tab; on failure, a screenshot and what the browser saw are kept."""
    page = context.new_page()
    events: list[str] = []
    page.on(
        "console",
        lambda m: events.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: events.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: events.append(f"request failed: {r.method} {r.url} {r.failure}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            full_page_screenshot(page, artifacts / f"{request.node.name}-FAILED.png")
        except Exception as exc:  # a dead page must not hide the test's own failure
            print(f"could not save the failure screenshot: {exc}")
        print("\n".join(events) or "no browser errors")


@pytest.fixture
def app(page: Page, app_url: str, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[App]:
    """The running app as the journeys drive it: open a URL, wait for reruns, take screenshots."""
    yield from _app(App(page, app_url, artifacts), request)


@pytest.fixture
def fresh_app(
    page: Page, fresh_app_url: str, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[App]:
    """Like `app`, on a server of the test's own that no session has visited yet."""
    yield from _app(App(page, fresh_app_url, artifacts), request)


def _app(app: App, request: pytest.FixtureRequest) -> Iterator[App]:
    yield app
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print("websocket events:\n" + "\n".join(app.runs.log))


# --- helpers the journeys share ------------------------------------------------------


class RunWatcher:
    """Counts the app's finished script runs by reading Streamlit's websocket messages.

    The `data-test-script-state` attribute is not enough on its own: on a busy
    machine the browser can take the "run started" and "run finished" messages in
    one render, so the attribute never shows `running` and a run goes unseen. The
    messages themselves are always there.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.finished = 0
        self.log: list[str] = []
        self._start = time.monotonic()
        page.on("websocket", self._on_socket)

    def _note(self, event: str) -> None:
        self.log.append(f"{time.monotonic() - self._start:7.2f}s {event}")

    def _on_socket(self, socket: WebSocket) -> None:
        if "/_stcore/stream" in socket.url:
            self._note("websocket opened")
            socket.on("framereceived", self._on_frame)
            socket.on("close", lambda _: self._note("websocket closed"))

    def _on_frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        try:
            kind_and_status = ForwardMsg.FromString(payload)
        except DecodeError:
            return
        kind = kind_and_status.WhichOneof("type")
        if kind == "new_session":
            self._note("run started")
        elif kind == "script_finished":
            status = kind_and_status.script_finished
            self._note(f"run finished: {ForwardMsg.ScriptFinishedStatus.Name(status)}")
            if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                self.finished += 1

    def wait_for_more_than(self, count: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while self.finished <= count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no script run finished within {timeout_s:.0f} s (url {self.page.url}); "
                    "websocket events:\n" + "\n".join(self.log[-30:])
                )
            self.page.wait_for_timeout(50)  # lets Playwright deliver the websocket events


class App:
    """The running app as a journey drives it."""

    def __init__(self, page: Page, base_url: str, artifacts: Path) -> None:
        self.page, self.base_url, self.artifacts = page, base_url, artifacts
        self.runs = RunWatcher(page)

    def open(self, path: str) -> None:
        """Load `path` (a new Streamlit session) and wait for its first run to finish."""
        before = self.runs.finished
        self.page.goto(f"{self.base_url}{path}")
        self.runs.wait_for_more_than(before, STARTUP_TIMEOUT_S)
        self.page.wait_for_selector(IDLE, timeout=STARTUP_TIMEOUT_S * 1000)

    def rerun(self, action: Callable[[], object], timeout_s: float = 45) -> None:
        """Do `action`, then wait until a script run has finished since, and the app is idle."""
        before = self.runs.finished
        action()
        self.runs.wait_for_more_than(before, timeout_s)
        self.page.wait_for_selector(IDLE, timeout=timeout_s * 1000)

    def screenshot(self, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        full_page_screenshot(self.page, path)
        return path


def full_page_screenshot(page: Page, path: Path) -> None:
    """Screenshot the whole app, not just the viewport.

    Streamlit scrolls inside its own containers, so `full_page=True` alone only
    captures the window; grow the window to the content's height first.
    """
    height = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight, ...Array.from(
             document.querySelectorAll("[data-testid='stMain'], [data-testid='stAppViewContainer'],"
               + " [data-testid='stSidebarContent']"), e => e.scrollHeight))"""
    )
    size = page.viewport_size or VIEWPORT
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height), size["height"]), 8000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
