"""Memory benchmark: the server's resident memory with 1, 10 and 20 idle browser sessions.

Starts `streamlit run app.py` on a free loopback port for each count, opens that many
headless Chromium contexts at once (each a Streamlit session that loads the bundled
sample data, about 30,000 tickets, and draws the Overview), lets them sit idle, and reads
the server process's VmRSS from /proc. Then closes every tab and reads it again once
the sessions' databases are closed (`lib.ui.session` closes them after
`server.disconnectedSessionTTL`, set to 2 s here).

    python benchmarks/sessions.py                 # 1, 10 and 20 sessions
    python benchmarks/sessions.py --sessions 1,5
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "sessions.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TTL_S = 2
SETTLE_S = 5
METRIC = "[data-testid='stMetricValue']"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(temp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, TMPDIR=str(temp), STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL=str(TTL_S))
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
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.25)
    stop(process)
    raise RuntimeError("the server did not start within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def databases(temp: Path) -> int:
    """Open session databases: each has a temp folder until it is closed (lib.engine.store, lib.ui.session)."""
    return len(list(temp.glob("aftersight-*")))


def measure(browser, count: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="sessions-bench-") as folder:
        temp = Path(folder)
        process, url = start_server(temp)
        try:
            started = rss_mb(process.pid)
            contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(count)]
            pages = [context.new_page() for context in contexts]
            opened_at = time.monotonic()
            for page in pages:
                page.goto(f"{url}/?lang=en", wait_until="commit")
            for page in pages:
                page.wait_for_selector(METRIC, timeout=300_000)
                page.wait_for_selector(IDLE, timeout=300_000)
            opened_s = time.monotonic() - opened_at
            time.sleep(SETTLE_S)
            idle = rss_mb(process.pid)
            open_databases = databases(temp)
            for context in contexts:
                context.close()
            deadline = time.monotonic() + 60
            while databases(temp) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(SETTLE_S)
            return {
                "sessions": count,
                "started": started,
                "idle": idle,
                "open_databases": open_databases,
                "opened_s": opened_s,
                "closed": rss_mb(process.pid),
                "left_open": databases(temp),
            }
        finally:
            stop(process)


def machine() -> str:
    import duckdb
    import polars
    import streamlit

    memory = next(
        int(line.split()[1]) / 2**20
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    load = os.getloadavg()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
        f"DuckDB {duckdb.__version__}, Polars {polars.__version__}; load average {load:.1f} when it started "
        f"(the cores are shared with other work), run {datetime.now():%Y-%m-%d %H:%M}"
    )


def report(rows: list[dict], described: str) -> str:
    by_count = {row["sessions"]: row for row in rows}
    lines = [
        "# Memory per idle session",
        "",
        f"Machine: {described}.",
        "",
        "Each row is a fresh `streamlit run app.py` server (`python benchmarks/sessions.py`). That many",
        "headless Chromium tabs open it at once; each is its own session, loads the bundled sample data",
        "(29,918 tickets, 9,966 survey answers, 12,000 customers) into its own DuckDB and draws the",
        f"Overview. Resident memory (VmRSS) of the server process is read after {SETTLE_S} s idle, then again",
        f"after every tab is closed and the sessions' databases are closed (TTL set to {TTL_S} s).",
        "",
        "| sessions | server at start, MB | all sessions idle, MB | per session beyond the first, MB "
        "| all drawn in, s | databases open | after all closed, MB | databases left open |",
        "|---|---|---|---|---|---|---|---|",
    ]
    one = by_count.get(1)
    for row in rows:
        extra = (
            f"{(row['idle'] - one['idle']) / (row['sessions'] - 1):.0f}"
            if one and row["sessions"] > 1
            else "—"
        )
        lines.append(
            f"| {row['sessions']} | {row['started']:.0f} | {row['idle']:.0f} | {extra} | {row['opened_s']:.0f} "
            f"| {row['open_databases']} | {row['closed']:.0f} | {row['left_open']} |"
        )
    lines += [
        "",
        "The first session also pays for importing the libraries (Polars, DuckDB, Altair, …) and the",
        'per-process caches; the column "per session beyond the first" is the cost of one more idle',
        'session with the sample data. "After all closed" shows what the process gives back once the',
        "sessions' databases are closed; the rest stays with Python's and the C allocator's free lists",
        "(Streamlit issues 12120, 6354) and is reused by the next sessions.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,20", help="comma-separated session counts")
    args = parser.parse_args()
    counts = [int(c) for c in args.sessions.split(",")]
    described = machine()
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for count in counts:
                row = measure(browser, count)
                print(row, flush=True)
                rows.append(row)
        finally:
            browser.close()
    RESULTS.write_text(report(rows, described), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
