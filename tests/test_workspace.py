"""Tests for lib.ingest.workspace: append, replace by id, undo, history, team settings, bad folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lib.engine import store
from lib.errors import InputError
from lib.ingest import workspace

HEADER = "ticket_id,created_at,resolved_at,customer_id\n"


def tickets_csv(path: Path, ids: list[int], day: int = 1) -> Path:
    """Tickets `T<id>` created on March `day` 2025, resolved the next day."""
    rows = [f"T{i},2025-03-{day:02d} 09:00,2025-03-{day + 1:02d} 09:00,C{i % 3}" for i in ids]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def surveys_csv(path: Path, scores: list[int]) -> Path:
    rows = [f"2025-03-05 10:00,T{i},{score}" for i, score in enumerate(scores)]
    path.write_text("submitted_at,ticket_id,csat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "team"
    made.mkdir()
    return made


def add(folder: Path, path: Path, table: str = "tickets", who: str | None = "ana"):
    return workspace.add_paths(folder, {table: [path]}, who=who)


def test_an_empty_folder_is_an_empty_workspace(folder):
    state = workspace.read(folder)
    assert (state.version, state.tables, state.history) == (0, {}, ())


def test_first_addition_creates_the_table_and_one_history_entry(folder, tmp_path):
    state, entry, done = add(folder, tickets_csv(tmp_path / "march.csv", [1, 2, 3]))
    assert state.counts() == {"tickets": 3}
    assert (entry.number, entry.who, entry.before) == (1, "ana", {})
    assert entry.files == (
        {"name": "march.csv", "table": "tickets", "added": 3, "replaced": 0, "skipped": 0, "excluded": 0},
    )
    again = workspace.read(folder)  # a restart reads the same state from the folder
    assert again.counts() == {"tickets": 3}
    assert [e.number for e in again.history] == [1]
    assert again.mappings["tickets"]["ticket_id"] == "ticket_id"


def test_rows_with_a_known_id_replace_the_earlier_ones(folder, tmp_path):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2, 3]))
    # T3 appears again (a later state of the same ticket), T4 and T5 are new: 5 tickets, 1 replaced.
    state, entry, _ = add(folder, tickets_csv(tmp_path / "april.csv", [3, 4, 5], day=4))
    assert state.counts() == {"tickets": 5}
    assert (entry.files[0]["added"], entry.files[0]["replaced"]) == (3, 1)
    con = store.connect(memory_limit="256MB", threads=1)
    workspace.load_into(con, workspace.read(folder))
    created = con.execute("SELECT created_at::DATE::VARCHAR FROM tickets WHERE ticket_id = 'T3'").fetchall()
    assert created == [("2025-03-04",)]  # the newer export's row


def test_identical_survey_answers_are_not_added_twice(folder, tmp_path):
    add(folder, surveys_csv(tmp_path / "s1.csv", [5, 4]), "surveys")
    state, entry, _ = add(folder, surveys_csv(tmp_path / "s2.csv", [5, 4, 1]), "surveys")
    assert state.counts() == {"surveys": 3}
    assert (entry.files[0]["added"], entry.files[0]["skipped"]) == (1, 2)


def test_excluded_rows_are_counted_in_the_history(folder, tmp_path):
    path = tmp_path / "bad_rows.csv"
    path.write_text(HEADER + "T1,2025-03-01 09:00,,C1\nT2,not a date,,C1\n", encoding="utf-8")
    state, entry, _ = add(folder, path)
    assert state.counts() == {"tickets": 1}
    assert (entry.files[0]["added"], entry.files[0]["excluded"]) == (1, 1)


def test_undo_restores_the_tables_before_the_last_addition_and_survives_a_restart(folder, tmp_path):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2, 3]))
    add(folder, tickets_csv(tmp_path / "april.csv", [3, 4, 5], day=4))
    state, undone = workspace.undo(folder)
    assert (undone.number, state.counts(), len(state.history)) == (2, {"tickets": 3}, 1)
    assert workspace.read(folder).counts() == {"tickets": 3}
    state, _ = workspace.undo(folder)
    assert (state.counts(), state.history) == ({}, ())
    with pytest.raises(InputError) as caught:
        workspace.undo(folder)
    assert caught.value.key == "workspace.nothing_to_undo"


def test_every_change_gets_a_new_version(folder, tmp_path):
    first, _, _ = add(folder, tickets_csv(tmp_path / "march.csv", [1]))
    second = workspace.save_settings(folder, {"response_target_hours": 2.0})
    third, _ = workspace.undo(folder)
    assert (first.version, second.version, third.version) == (1, 2, 3)


def test_team_settings_keep_every_key_and_survive_additions(folder, tmp_path):
    workspace.save_settings(folder, {"timezone": "Asia/Shanghai", "holiday_calendar": {"country": "CN"}})
    workspace.save_settings(folder, {"explore_views": [{"name": "by region"}]})
    add(folder, tickets_csv(tmp_path / "march.csv", [1]))
    assert workspace.read(folder).settings == {
        "timezone": "Asia/Shanghai",
        "holiday_calendar": {"country": "CN"},
        "explore_views": [{"name": "by region"}],
    }


def test_one_setting_changes_from_what_is_saved_now_and_a_refusal_changes_nothing(folder):
    workspace.save_settings(folder, {"timezone": "Asia/Shanghai", "explore_views": {"a": {"x_kpi": "csat"}}})
    # Two sessions adding a view each, from what is saved at that moment: both land.
    workspace.update_setting(folder, "explore_views", lambda views: views | {"b": {"x_kpi": "tickets"}})
    state = workspace.update_setting(folder, "explore_views", lambda views: views | {"c": {}})
    assert state.settings == {
        "timezone": "Asia/Shanghai",
        "explore_views": {"a": {"x_kpi": "csat"}, "b": {"x_kpi": "tickets"}, "c": {}},
    }
    assert workspace.update_setting(folder, "new_key", lambda saved: [saved]).settings["new_key"] == [None]

    def refuse(_views):
        raise InputError("explore.view_taken", name="a")

    before = workspace.read(folder)
    with pytest.raises(InputError):
        workspace.update_setting(folder, "explore_views", refuse)
    assert workspace.read(folder) == before


def test_history_frame_lists_files_newest_first(folder, tmp_path):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2]))
    add(folder, tickets_csv(tmp_path / "april.csv", [3], day=4), who=None)
    frame = workspace.history_frame(workspace.read(folder))
    assert frame.select("number", "who", "name", "added").rows() == [
        (2, "", "april.csv", 1),
        (1, "ana", "march.csv", 2),
    ]


def test_files_no_manifest_names_are_ignored_and_removed_by_the_next_writer(folder, tmp_path):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2]))
    junk = [folder / "tables" / "tickets-crashed.parquet", folder / ".workspace.json.crashed.tmp"]
    for path in junk:
        path.write_bytes(b"half written")
    assert workspace.read(folder).counts() == {"tickets": 2}
    add(folder, tickets_csv(tmp_path / "april.csv", [3], day=4))
    assert not any(path.exists() for path in junk)


def test_undone_files_are_removed_but_undo_keeps_what_the_history_names(folder, tmp_path):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2]))
    add(folder, tickets_csv(tmp_path / "april.csv", [3], day=4))
    assert len(list((folder / "tables").iterdir())) == 2  # both versions: undo needs the first
    workspace.undo(folder)
    assert len(list((folder / "tables").iterdir())) == 1


def test_load_into_gives_the_session_the_team_tables(folder, tmp_path, con):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2, 3]))
    add(folder, surveys_csv(tmp_path / "s.csv", [5]), "surveys")
    assert workspace.load_into(con, workspace.read(folder)) == {"tickets": 3, "surveys": 1}
    assert "repeat_contact" in store.columns(con, "tickets")


# --- a workspace the app cannot read: one sentence naming the problem and the folder, nothing changed ---


def _message(error: InputError) -> str:
    return error.message("en")


def _manifest(folder: Path) -> dict:
    return json.loads((folder / workspace.MANIFEST).read_text())


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(InputError) as caught:
        workspace.read(tmp_path / "nowhere")
    assert caught.value.key == "workspace.missing"
    assert str(tmp_path / "nowhere") in _message(caught.value)


def test_a_folder_without_permission_is_named(folder, monkeypatch):
    if os.geteuid() == 0:  # root reads every folder: the check of access is what is tested then
        monkeypatch.setattr(workspace.os, "access", lambda path, mode: False)
    folder.chmod(0)
    try:
        with pytest.raises(InputError) as caught:
            workspace.read(folder)
    finally:
        folder.chmod(0o755)
    assert caught.value.key == "workspace.denied"
    assert str(folder) in _message(caught.value)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda f, m: (f / m["tables"]["tickets"]["file"]).unlink(), "is missing"),
        (lambda f, m: _truncate(f / m["tables"]["tickets"]["file"]), "not a complete Parquet file"),
        (lambda f, m: (f / workspace.MANIFEST).write_text('{"aftersight_workspace": 1, "tab'), "damaged"),
        (lambda f, m: _edit(f, m, lambda d: d["history"].pop()), "history does not match"),
        (lambda f, m: _edit_table(f, m, rows=99), "says 99"),
        (lambda f, m: _edit_table(f, m, file="../x.parquet"), "outside"),
    ],
    ids=["missing file", "truncated parquet", "broken manifest", "history", "row count", "path"],
)
def test_bad_contents_give_one_sentence_and_change_nothing(folder, tmp_path, damage, words):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2]))
    add(folder, tickets_csv(tmp_path / "april.csv", [3], day=4))
    damage(folder, _manifest(folder))
    before = (folder / workspace.MANIFEST).read_bytes()
    for attempt in (
        lambda: workspace.read(folder),
        lambda: add(folder, tickets_csv(tmp_path / "may.csv", [9], day=7)),
    ):
        with pytest.raises(InputError) as caught:
            attempt()
        assert caught.value.key == "workspace.bad"
        sentence = _message(caught.value)
        assert str(folder) in sentence and words in sentence and "\n" not in sentence
    assert (folder / workspace.MANIFEST).read_bytes() == before


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edit(folder: Path, doc: dict, change) -> None:
    change(doc)
    (folder / workspace.MANIFEST).write_text(json.dumps(doc))


def _edit_table(folder: Path, doc: dict, **change) -> None:
    """Change the tickets entry of the tables and of the last addition alike (the history still matches)."""
    doc["tables"]["tickets"].update(change)
    doc["history"][-1]["after"]["tickets"].update(change)
    (folder / workspace.MANIFEST).write_text(json.dumps(doc))


@pytest.mark.parametrize(
    ("failure", "key"),
    [
        (PermissionError(13, "Permission denied"), "workspace.read_only"),
        (OSError(28, "No space left on device"), "workspace.write_failed"),
    ],
)
def test_a_write_that_fails_is_one_sentence_and_the_old_state_stands(
    folder, tmp_path, monkeypatch, failure, key
):
    add(folder, tickets_csv(tmp_path / "march.csv", [1, 2]))
    before = (folder / workspace.MANIFEST).read_bytes()

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(workspace, "_write_table", fail)
    with pytest.raises(InputError) as caught:
        add(folder, tickets_csv(tmp_path / "april.csv", [3], day=4))
    assert caught.value.key == key and str(folder) in _message(caught.value)
    assert (folder / workspace.MANIFEST).read_bytes() == before
    assert workspace.read(folder).counts() == {"tickets": 2}
