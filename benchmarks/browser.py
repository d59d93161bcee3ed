"""Browser benchmark: upload a ticket CSV in Chromium and time until the Overview shows numbers; then filter changes.

    .venv/bin/python benchmarks/browser.py [--rows 1000000] [--repeat 3]

Starts `streamlit run app.py` (as tests/e2e does), drives Debian's Chromium with
Playwright, and times what a user waits for:

1. upload: from handing the file to the Tickets uploader until the validation report
   (read, mapped, checked) is on screen;
2. load: from clicking "Load these rows" until the run finished;
3. Overview: from clicking the Overview link until its Tickets card shows a number;
4. filter change: picking a channel in the sidebar, until the Overview has re-run
   (a different channel each time; median of `--repeat`).

Also records the server's peak RSS (VmHWM of the Streamlit process). Uses the CSV
of benchmarks/ingest_kpis.py (English headers). Results: benchmarks/results/browser.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import ingest_kpis as base  # noqa: E402

RESULTS = HERE / "results" / "browser.md"
TIMEOUT_S = 900


def server_hwm_mb(pid: int) -> float:
    """Peak RSS of the server and its children (Streamlit runs in one process), MB."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(x for x in status if x.startswith("VmHWM:")).split()[1]) * 1024 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import conftest as e2e  # tests/e2e: the server, Chromium settings and the run watcher the journeys use
    from playwright.sync_api import expect, sync_playwright

    from lib.i18n import t

    csv = base.ensure_csv(args.rows, base.SEED, "en")
    size_mb = csv.stat().st_size / 1e6
    before = base.cpu_snapshot()
    timings: dict[str, float | list[float]] = {}
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as playwright, e2e.streamlit_server(artifacts, "browser-benchmark") as url:
        pid = int(_server_pid(url))
        browser = playwright.chromium.launch(executable_path=str(e2e.CHROMIUM), args=e2e.CHROMIUM_ARGS)
        warm = browser.new_context(viewport=e2e.VIEWPORT)
        e2e.App(warm.new_page(), url, artifacts).open("/?lang=en")  # a fresh server's first session
        warm.close()
        context = browser.new_context(viewport=e2e.VIEWPORT, locale="en-US")
        context.set_default_timeout(TIMEOUT_S * 1000)
        page = context.new_page()
        app = e2e.App(page, url, artifacts)
        app.open("/?lang=en")
        app.rerun(lambda: _nav(page, t("nav.data", "en")).click())

        uploader = page.get_by_role("tabpanel", name=t("table.tickets", "en")).get_by_test_id(
            "stFileUploader"
        )
        started = time.perf_counter()
        uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
        load = page.get_by_role("button", name=t("data.load", "en"))
        expect(load).to_be_enabled(timeout=TIMEOUT_S * 1000)
        page.wait_for_selector(e2e.IDLE, timeout=TIMEOUT_S * 1000)
        timings["upload_s"] = time.perf_counter() - started
        # A big upload is read in place (report after loading); a small one is checked first.
        in_place = page.get_by_text(t("folder.report_after", "en")).count() > 0

        started = time.perf_counter()
        app.rerun(load.click, timeout_s=TIMEOUT_S)
        expect(page.get_by_text(re.compile(r"^Validation report: "))).to_be_visible()
        timings["load_s"] = time.perf_counter() - started

        started = time.perf_counter()
        app.rerun(lambda: _nav(page, "Overview").click(), timeout_s=TIMEOUT_S)
        tickets = e2e_metric(page, "Tickets")
        expect(tickets).to_have_text(re.compile(r"^[\d,]+$"))
        timings["overview_s"] = time.perf_counter() - started
        shown = tickets.inner_text()

        channels = base.VALUES["en"]["channel"]
        changes = []
        box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Channel")
        for channel in channels[: args.repeat]:
            field = box.locator("input")
            field.click()
            field.press_sequentially(channel)
            started = time.perf_counter()
            app.rerun(lambda field=field: field.press("Enter"), timeout_s=TIMEOUT_S)
            expect(tickets).not_to_have_text(shown)
            changes.append(time.perf_counter() - started)
            shown = tickets.inner_text()
            page.keyboard.press("Escape")
            # Back to all channels for the next one: remove the chip (not timed).
            app.rerun(lambda: box.get_by_role("button", name=re.compile("Clear all", re.I)).first.click())
            shown = tickets.inner_text()
        timings["filter_s"] = changes
        app.screenshot("browser-benchmark-overview")
        hwm = server_hwm_mb(pid)
        browser.close()
    others = base.others_share(before, base.cpu_snapshot())
    text = _report(args, csv, size_mb, timings, hwm, others, in_place)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


def e2e_metric(page, label: str):
    name = page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    return page.get_by_test_id("stMetric").filter(has=name).get_by_test_id("stMetricValue")


def _nav(page, title: str):
    return page.get_by_test_id("stSidebarNavLink").filter(has_text=re.compile(rf"{re.escape(title)}\s*$"))


def _server_pid(url: str) -> str:
    """The pid of the Streamlit process listening on `url`'s port (from /proc/net/tcp and fds)."""
    import os

    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":  # LISTEN
                inodes.add(parts[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return pid
        except OSError:
            continue
    raise SystemExit(f"no process listens on port {port}")


def _report(args, csv: Path, size_mb: float, timings: dict, hwm: float, others: float, in_place: bool) -> str:
    machine = base.machine()
    filters = timings["filter_s"]
    total = timings["upload_s"] + timings["load_s"] + timings["overview_s"]
    lines = [
        "# Browser benchmark: upload to Overview, and a filter change",
        "",
        f"`.venv/bin/python benchmarks/browser.py --rows {args.rows} --repeat {args.repeat}`, run "
        f"{time.strftime('%Y-%m-%d %H:%M')}: Chromium (Playwright) against `streamlit run app.py` on the same "
        f"machine; `{csv.relative_to(ROOT)}` ({args.rows:,} tickets, {size_mb:.0f} MB, English headers).",
        "",
        *[f"- **{k}**: {v}" for k, v in machine.items()],
        f"- **other processes** used {others:.0%} of the machine's CPU during the run",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| upload through the browser and read {'its head' if in_place else 'it'}, map"
        f"{'' if in_place else ', check (report on screen)'} → Load button ready | {timings['upload_s']:.1f} |",
        f"| click Load → loaded{' (read in place, validated in chunks)' if in_place else ''}, report on screen "
        f"| {timings['load_s']:.1f} |",
        f"| click Overview → Tickets card shows a number | {timings['overview_s']:.1f} |",
        f"| **upload to Overview numbers, total** | **{total:.1f}** |",
        f"| filter change on the Overview (a channel; median of {len(filters)}) | {statistics.median(filters):.2f} |",
        f"| filter change, worst | {max(filters):.2f} |",
        "",
        f"Server peak RSS (VmHWM of the Streamlit process, whole run): {hwm:,.0f} MB "
        f"({hwm / size_mb:.1f}× the CSV).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
