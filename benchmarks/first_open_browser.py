"""First visit in Chromium on the bundled sample: the Overview's first card, then the Churn and Forecast pages.

Starts `streamlit run app.py` from `--root` (this checkout, or another one for the "before" rows),
then for each of two sessions (two browser contexts, one after the other) times:

1. Overview: from opening the app until its first card shows a number;
2. Churn: `--read` seconds later (the user reads the Overview), from clicking "Churn" until the
   list of customers at risk is on screen;
3. Forecast: from clicking "Forecast" until its staffing section (the page's end) is drawn.

    .venv/bin/python benchmarks/first_open_browser.py [--root DIR] [--read 20] [--label TEXT] [--write]

Results: printed, and with `--write` appended to benchmarks/results/first_open.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sessions  # noqa: E402  (its server start and Chromium settings)

RESULTS = HERE / "results" / "first_open.md"


def start(root: Path, temp: Path):
    """`sessions.start_server`, run from `root`."""
    previous = sessions.ROOT
    sessions.ROOT = root
    try:
        return sessions.start_server(temp)
    finally:
        sessions.ROOT = previous


def nav(page, title: str):
    link = page.get_by_test_id("stSidebarNavLink").filter(has_text=re.compile(rf"^\s*{re.escape(title)}\s*$"))
    return link.first


def one_session(browser, url: str, read_s: float) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        started = time.monotonic()
        page.goto(f"{url}/?lang=en", wait_until="commit")
        page.wait_for_selector(sessions.METRIC, timeout=600_000)
        times = {"overview": time.monotonic() - started}
        page.wait_for_selector(sessions.IDLE, timeout=600_000)
        time.sleep(read_s)
        for name, title, done in (
            ("churn", "Churn", "Customers at risk"),
            ("forecast", "Forecast", "Staff needed"),
        ):
            started = time.monotonic()
            nav(page, title).click()
            page.get_by_text(done, exact=True).first.wait_for(timeout=600_000)
            times[name] = time.monotonic() - started
            page.wait_for_selector(sessions.IDLE, timeout=600_000)
        return times
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent)
    parser.add_argument("--read", type=float, default=20.0, help="seconds on the Overview before Churn")
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="first-open-") as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=sessions.CHROMIUM, args=sessions.CHROMIUM_ARGS)
        process, url = start(args.root.resolve(), Path(folder))
        try:
            rows = [one_session(browser, url, args.read) for _ in range(2)]
        finally:
            sessions.stop(process)
            browser.close()
    lines = [
        f"### browser: {args.label} — {datetime.now():%Y-%m-%d %H:%M}, one server, {args.read:.0f} s on the "
        f"Overview before Churn, load {load:.2f} before / {os.getloadavg()[0]:.2f} after (2 cores shared)",
        "",
        "| step | session 1 (s) | session 2 (s) |",
        "|---|---:|---:|",
        *(
            f"| {step} | {rows[0][step]:.2f} | {rows[1][step]:.2f} |"
            for step in ("overview", "churn", "forecast")
        ),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
