"""Fault tests of the team workspace: writers killed (SIGKILL) during an addition, and 20 writers at once.

Each writer is a real `python -m lib workspace add` process. After a kill the workspace must open
with exactly the old counts or exactly the new ones, and the next addition must work.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.engine import store
from lib.ingest import workspace

ROOT = Path(__file__).resolve().parent.parent
HEADER = "ticket_id,created_at,resolved_at,customer_id\n"


def tickets_csv(path: Path, ids: range) -> Path:
    rows = [f"T{i},2025-03-{1 + i % 28:02d} 09:00,2025-03-{1 + i % 28:02d} 17:00,C{i % 7}" for i in ids]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def add_command(folder: Path, path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "lib",
        "workspace",
        "add",
        "--workspace",
        str(folder),
        "--tickets",
        str(path),
    ]


def start_add(folder: Path, path: Path, kill_at: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != workspace.KILL_ENV}
    if kill_at:
        env[workspace.KILL_ENV] = kill_at
    return subprocess.Popen(
        add_command(folder, path), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def opened_counts(folder: Path) -> dict[str, int]:
    """What a session opening the workspace now gets, read from the tables themselves."""
    state = workspace.read(folder)
    con = store.connect(memory_limit="256MB", threads=1)
    try:
        counts = workspace.load_into(con, state)
        ids = con.execute("SELECT count(DISTINCT ticket_id) FROM tickets").fetchall()[0][0]
    finally:
        con.close()
    assert counts == state.counts()
    assert ids == counts["tickets"]  # no ticket doubled
    return counts


@pytest.fixture
def started(tmp_path: Path) -> tuple[Path, Path]:
    """A workspace with tickets T0–T99, and a next export T50–T149 (50 replaced, 50 new: 150 after)."""
    folder = tmp_path / "team"
    folder.mkdir()
    workspace.add_paths(folder, {"tickets": [tickets_csv(tmp_path / "march.csv", range(100))]})
    return folder, tickets_csv(tmp_path / "april.csv", range(50, 150))


OLD, NEW = {"tickets": 100}, {"tickets": 150}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "expected"),
    [("locked", OLD), ("table_written", OLD), ("manifest_written", OLD), ("switched", NEW)],
)
def test_a_writer_killed_at_a_named_point_leaves_the_old_or_the_new_state(started, point, expected):
    folder, april = started
    writer = start_add(folder, april, kill_at=point)
    writer.communicate(timeout=120)
    assert writer.returncode == -signal.SIGKILL
    assert opened_counts(folder) == expected
    assert len(workspace.read(folder).history) == (2 if expected == NEW else 1)
    # The lock died with the writer, and the next addition cleans its garbage and lands.
    workspace.add_paths(folder, {"tickets": [april]})
    assert opened_counts(folder) == NEW
    named = {
        info["file"]
        for e in workspace.read(folder).history
        for info in (*e.before.values(), *e.after.values())
    }
    assert {f"tables/{p.name}" for p in (folder / "tables").iterdir()} <= named
    assert not list(folder.glob(".workspace.json.*.tmp"))


def test_kill_points_are_the_ones_the_store_declares():
    assert set(workspace.KILL_POINTS) == {"locked", "table_written", "manifest_written", "switched"}


@pytest.mark.slow
def test_writers_killed_at_random_moments_leave_the_old_or_the_new_state(started):
    folder, april = started
    # How long a whole addition takes here, then kills spread over that time (and a bit past it).
    began = time.monotonic()
    probe = start_add(folder, april)
    probe.communicate(timeout=120)
    took = time.monotonic() - began
    assert probe.returncode == 0
    workspace.undo(folder)
    rng = random.Random(19)
    for _ in range(8):
        writer = start_add(folder, april)
        time.sleep(rng.uniform(0.3, 1.1) * took)
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=120)
        counts = opened_counts(folder)
        assert counts in (OLD, NEW)
        if counts == NEW:
            workspace.undo(folder)
        assert opened_counts(folder) == OLD


@pytest.mark.slow
def test_twenty_concurrent_additions_all_land_exactly_once(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    files = [tickets_csv(tmp_path / f"part{n}.csv", range(n * 10, n * 10 + 10)) for n in range(20)]
    writers = [start_add(folder, path) for path in files]
    outputs = [writer.communicate(timeout=600) for writer in writers]
    assert [w.returncode for w in writers] == [0] * 20, [err.decode()[-300:] for _, err in outputs]
    state = workspace.read(folder)
    assert opened_counts(folder) == {"tickets": 200}
    assert sorted(e.files[0]["name"] for e in state.history) == sorted(p.name for p in files)
    assert [e.number for e in state.history] == list(range(1, 21))
    assert state.version == 20


@pytest.mark.slow
def test_a_reader_never_sees_half_an_addition(started):
    """While additions and undos switch the workspace, every open reads tables that match its manifest."""
    folder, april = started
    writer = start_add(folder, april)
    opened = []
    while writer.poll() is None or len(opened) < 3:
        state = workspace.open_state(folder)
        frames = workspace.frames(state)
        assert {t: f.height for t, f in frames.items()} == state.counts()
        assert state.counts() in (OLD, NEW)
        opened.append(state.version)
        if writer.poll() is not None and len(opened) >= 3:
            break
    writer.communicate(timeout=120)
    assert writer.returncode == 0
    undo = subprocess.Popen(
        [sys.executable, "-m", "lib", "workspace", "undo", "--workspace", str(folder)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    while undo.poll() is None:
        assert workspace.open_state(folder).counts() in (OLD, NEW)
    assert undo.returncode == 0
    assert opened_counts(folder) == OLD
