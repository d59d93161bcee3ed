"""`python -m lib workspace add|history|undo` and `--workspace` as the data of kpis, forecast, churn and report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_output import error_lines

from lib.cli import main
from lib.ingest import workspace
from lib.ingest.mapping import dumps

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "team"
    made.mkdir()
    return made


def march(tmp_path: Path, ids: range, name: str = "march.csv") -> Path:
    rows = [f"T{i},2025-03-{1 + i % 28:02d} 09:00,2025-03-{1 + i % 28:02d} 12:00" for i in ids]
    path = tmp_path / name
    path.write_text("工单号,创建时间,解决时间\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_add_history_undo(capsys, folder, tmp_path):
    code, out, _ = run(
        capsys, "workspace", "add", "--workspace", folder, "--tickets", march(tmp_path, range(10))
    )
    assert code == 0
    assert "tickets: march.csv: 10 added, 0 replaced, 0 skipped, 0 excluded" in out
    april = march(tmp_path, range(5, 15), "april.csv")
    code, out, _ = run(capsys, "workspace", "add", "--workspace", folder, "--tickets", april, "--who", "ana")
    assert "10 added, 5 replaced" in out and "version 2, tickets 15" in out
    code, out, _ = run(capsys, "workspace", "history", "--workspace", folder, "--format", "json")
    rows = json.loads(out)
    assert [(r["number"], r["who"], r["name"], r["added"], r["replaced"]) for r in rows][0] == (
        2,
        "ana",
        "april.csv",
        10,
        5,
    )
    assert rows[1]["who"].endswith("(CLI)")
    code, out, _ = run(capsys, "workspace", "undo", "--workspace", folder)
    assert code == 0 and "addition 2 (april.csv) undone" in out and "tickets 10" in out
    assert workspace.read(folder).counts() == {"tickets": 10}


def test_kpis_from_the_workspace_equal_kpis_from_the_files(capsys, folder):
    files = ["--tickets", SAMPLE / "tickets.csv", "--surveys", SAMPLE / "surveys.csv"]
    assert run(capsys, "workspace", "add", "--workspace", folder, *files)[0] == 0
    span = ["--start", "2025-01-01", "--end", "2025-03-31"]
    _, from_files, _ = run(capsys, "kpis", *files, *span)
    code, from_workspace, _ = run(capsys, "kpis", "--workspace", folder, *span)
    assert code == 0
    # Equal, up to the last digit of a float sum (rows with the same created_at may come in another order).
    ours, theirs = json.loads(from_workspace), json.loads(from_files)
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        assert ours[key] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), key


def test_the_workspace_keeps_the_mapping_and_settings_for_the_next_export(capsys, folder, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("编号X,时刻Y\nA1,2025-03-01 09:00\nA2,2025-03-02 09:00\n", encoding="utf-8")
    saved = tmp_path / "mapping.json"
    settings = {"response_target_hours": 2.0, "holiday_calendar": {"country": "CN"}}
    saved.write_text(dumps({"tickets": {"ticket_id": "编号X", "created_at": "时刻Y"}}, settings))
    assert (
        run(capsys, "workspace", "add", "--workspace", folder, "--tickets", odd, "--mapping", saved)[0] == 0
    )
    later = tmp_path / "odd2.csv"
    later.write_text("编号X,时刻Y\nA3,2025-04-01 09:00\n", encoding="utf-8")
    code, out, err = run(capsys, "workspace", "add", "--workspace", folder, "--tickets", later)
    assert code == 0, err
    state = workspace.read(folder)
    assert state.counts() == {"tickets": 3}
    assert state.settings["holiday_calendar"] == {"country": "CN"}
    assert state.settings["response_target_hours"] == 2.0


def test_every_command_that_reads_data_takes_a_workspace():
    from lib.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    for name in ("kpis", "forecast", "churn", "report"):
        options = {o for action in commands[name]._actions for o in action.option_strings}
        assert "--workspace" in options, name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpis", "--workspace", "NOWHERE"], "does not exist"),
        (["kpis"], "Name the files with --tickets"),
        (["workspace", "undo", "--workspace", "FOLDER"], "no addition to undo"),
        (["workspace", "add", "--workspace", "FOLDER"], "Name the files with --tickets"),
        (["workspace", "add", "--workspace", "NOWHERE", "--tickets", "SAMPLE"], "does not exist"),
        (["report", "--workspace", "BROKEN", "--out", "OUT", "--lang", "en"], "cannot be read"),
    ],
)
def test_bad_workspace_is_one_line_on_stderr_and_nonzero_exit(args, message, tmp_path):
    (tmp_path / "team").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / workspace.MANIFEST).write_text("{not json", encoding="utf-8")
    swap = {
        "NOWHERE": str(tmp_path / "nowhere"),
        "FOLDER": str(tmp_path / "team"),
        "BROKEN": str(tmp_path / "broken"),
        "SAMPLE": str(SAMPLE / "tickets.csv"),
        "OUT": str(tmp_path / "out.html"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "lib", *[swap.get(a, a) for a in args]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(error_lines(done.stderr)) == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
