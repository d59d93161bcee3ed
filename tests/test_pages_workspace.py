"""AppTest stories of the team workspace: open on it, add, refresh keeps it, others follow, readers, undo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_pages import goto, start, texts

from lib.ingest import workspace
from lib.ui import identity

HEADER = "ticket_id,created_at,resolved_at,channel\n"


def export(ids: range, day: int = 3) -> str:
    return HEADER + "".join(f"W{i},2025-03-{day:02d} 09:00,2025-03-{day:02d} 15:00,phone\n" for i in ids)


@pytest.fixture
def team(tmp_path: Path, monkeypatch) -> Path:
    """A configured workspace holding 4 tickets; no identity configured (anyone may edit)."""
    folder = tmp_path / "team"
    folder.mkdir()
    path = tmp_path / "march.csv"
    path.write_text(export(range(4)), encoding="utf-8")
    workspace.add_paths(folder, {"tickets": [path]}, who="setup")
    monkeypatch.setenv(workspace.ENV, str(folder))
    for name in (identity.HEADER_ENV, identity.EDITORS_ENV):
        monkeypatch.delenv(name, raising=False)
    return folder


def tickets_card(at: AppTest) -> str:
    goto(at, "pages/overview.py", "en")
    return {m.label: m.value for m in at.metric}["Tickets"]


def all_time(at: AppTest) -> AppTest:
    """The overview over every date (the default range is the last full month before today)."""
    at.query_params["start"] = "2025-01-01"
    at.query_params["end"] = "2025-12-31"
    return at


def test_a_new_session_opens_on_the_team_data(team):
    at = start("en", start="2025-03-01", end="2025-03-31")
    assert not at.exception
    assert tickets_card(at) == "4"
    goto(at, "pages/data.py", "en")
    shown = texts(at)
    assert "Current data: the team's data" in shown and "version 1" in shown
    assert "No sign-in is configured: anyone who reaches the app can change the team's data." in shown


def test_add_to_the_team_data_then_a_refresh_still_shows_it(team):
    at = goto(start("en", start="2025-03-01", end="2025-03-31"), "pages/data.py", "en")
    upload = export(range(2, 7), day=5).encode("utf-8")  # W2, W3 again (replaced) and W4–W6 new
    at.file_uploader(key="upload_tickets").upload("april.csv", upload, "text/csv").run()
    add = next(b for b in at.button if b.key and b.key.startswith("team_add_"))
    add.click().run()
    assert not at.exception
    assert "Added to the team's data: april\\.csv — 5 rows added, 2 replaced, 0 excluded." in texts(at)
    assert workspace.read(team).counts() == {"tickets": 7}
    entry = workspace.read(team).history[-1]
    assert (entry.files[0]["name"], entry.who) == ("april.csv", None)
    refreshed = start("en", start="2025-03-01", end="2025-03-31")  # F5: a new session
    assert tickets_card(refreshed) == "7"


def test_another_session_sees_an_addition_on_its_next_rerun_with_a_notice(team, tmp_path):
    at = start("en", start="2025-03-01", end="2025-03-31")
    assert tickets_card(at) == "4"
    path = tmp_path / "more.csv"
    path.write_text(export(range(10, 13)), encoding="utf-8")
    workspace.add_paths(team, {"tickets": [path]}, who="bo")  # another browser, or the CLI
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Tickets"] == "7"
    assert any("The team's data was updated (version 2)" in toast.value for toast in at.toast)


def test_a_non_editor_sees_no_add_or_undo_button(team, monkeypatch):
    monkeypatch.setenv(identity.HEADER_ENV, "X-Remote-User")
    monkeypatch.setenv(identity.EDITORS_ENV, "alice@example.com")
    at = goto(start("en"), "pages/data.py", "en")
    at.file_uploader(key="upload_tickets").upload(
        "april.csv", export(range(9, 11)).encode(), "text/csv"
    ).run()
    assert not at.exception
    keys = [b.key or "" for b in at.button]
    assert not [k for k in keys if k.startswith("team_add_") or k == "team_undo"]
    assert any(k.startswith("load_") for k in keys)  # loading into one's own session stays possible
    assert "only editors can add to it or undo (you are: not signed in)" in texts(at)


def test_undo_the_last_addition(team, tmp_path):
    path = tmp_path / "april.csv"
    path.write_text(export(range(20, 25)), encoding="utf-8")
    workspace.add_paths(team, {"tickets": [path]})
    at = goto(start("en", start="2025-03-01", end="2025-03-31"), "pages/data.py", "en")
    at.button(key="team_undo").click().run()
    assert not at.exception
    assert "Addition 2 (april\\.csv) is undone" in texts(at)
    assert workspace.read(team).counts() == {"tickets": 4}
    assert tickets_card(at) == "4"


def test_a_workspace_that_cannot_be_read_says_so_and_the_app_runs_on_the_sample(team):
    (team / workspace.MANIFEST).write_text("{damaged", encoding="utf-8")
    at = goto(start("en"), "pages/data.py", "en")
    assert not at.exception
    shown = texts(at)
    assert f"The team workspace in {team} cannot be read" in shown.replace("\\", "")
    assert "The app opened on the sample data instead." in shown
    assert "Current data: the bundled sample" in shown


def test_an_editor_changing_targets_saves_them_for_the_team(team):
    at = goto(start("en"), "pages/settings.py", "en")
    at.number_input[0].set_value(2.5)
    at.button[0].click().run()  # the form's save button
    assert not at.exception
    saved = json.loads((team / workspace.MANIFEST).read_text())["settings"]
    assert saved["response_target_hours"] == 2.5
    other = goto(start("en"), "pages/settings.py", "en")  # a teammate's new session
    assert other.number_input[0].value == 2.5


@pytest.mark.parametrize(
    ("user", "may_add"),
    [
        ({"is_logged_in": True, "email": "alice@example.com"}, True),
        ({"is_logged_in": True, "email": "bob@example.com"}, False),
        ({"is_logged_in": False}, False),
    ],
    ids=["listed editor", "signed in, not listed", "not signed in"],
)
def test_streamlit_login_decides_who_may_add(team, monkeypatch, user, may_add):
    monkeypatch.setenv(identity.EDITORS_ENV, "Alice@example.com")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.user = user  # as st.user reads it with [auth] configured in secrets.toml
    at.query_params["lang"] = "en"
    goto(at.run(), "pages/data.py", "en")
    at.file_uploader(key="upload_tickets").upload(
        "april.csv", export(range(9, 11)).encode(), "text/csv"
    ).run()
    add = [b for b in at.button if (b.key or "").startswith("team_add_")]
    assert bool(add) is may_add
    if may_add:
        add[0].click().run()
        assert workspace.read(team).history[-1].who == "alice@example.com"
