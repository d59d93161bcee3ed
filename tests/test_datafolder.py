"""The administrator's data folder: what is listed, what is refused, and the Data page that offers it."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from lib.errors import InputError
from lib.i18n import t
from lib.ingest import datafolder

ROOT = Path(__file__).resolve().parent.parent
TICKETS = "工单号,创建时间,渠道\nA1,2024-03-01 08:30:00,电话\nA2,2024-03-02 09:00:00,微信\nA3,坏日期,微信\n"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "data"
    (root / "2024").mkdir(parents=True)
    (root / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    (root / "2024" / "march.csv").write_text(TICKETS, encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / ".hidden.csv").write_text(TICKETS)
    outside = tmp_path / "secret.csv"
    outside.write_text("password,created_at\nhunter2,2024-01-01\n")
    (root / "link_out.csv").symlink_to(outside)
    (root / "link_in.csv").symlink_to(root / "tickets.csv")
    (root / "dir_out").symlink_to(tmp_path)
    monkeypatch.setenv("AFTERSIGHT_DATA_DIR", str(root))
    for name in ("AFTERSIGHT_DATA_URLS", "AFTERSIGHT_DATA_REMOTE"):
        monkeypatch.delenv(name, raising=False)
    return root


def test_lists_table_files_and_links_that_stay_inside(folder):
    names = [e.name for e in datafolder.list_files()]
    assert names == ["link_in.csv", "tickets.csv", "2024/march.csv"]
    assert all(e.size and not e.remote for e in datafolder.list_files())


@pytest.mark.parametrize(
    "name",
    [
        "link_out.csv",
        "../secret.csv",
        "2024/../../secret.csv",
        "/etc/passwd",
        "dir_out/secret.csv",
        ".hidden.csv",
        "notes.pdf",
        "",
        "tickets.csv\x00",
    ],
)
def test_names_outside_the_folder_are_refused(folder, name):
    with pytest.raises(InputError) as error:
        datafolder.resolve(name)
    assert error.value.key == "folder.outside"
    for lang in ("zh", "en"):
        assert error.value.message(lang) != "folder.outside"


def test_a_listed_file_resolves_to_its_real_path(folder):
    assert datafolder.resolve("2024/march.csv") == (folder / "2024" / "march.csv").resolve()
    assert datafolder.resolve("link_in.csv") == (folder / "tickets.csv").resolve()
    with pytest.raises(InputError, match="folder.missing"):
        datafolder.resolve("gone.csv")


def test_unset_or_missing_folder_offers_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv("AFTERSIGHT_DATA_DIR", raising=False)
    assert datafolder.root() is None and datafolder.list_files() == [] and not datafolder.configured()
    monkeypatch.setenv("AFTERSIGHT_DATA_DIR", str(tmp_path / "nope"))
    assert datafolder.root() is None


def test_remote_urls_only_when_switched_on(folder, monkeypatch):
    monkeypatch.setenv(
        "AFTERSIGHT_DATA_URLS", "s3://lake/tickets.parquet https://x.example/t.parquet file:///etc/passwd"
    )
    assert datafolder.remote_urls() == ()
    with pytest.raises(InputError):
        datafolder.remote("s3://lake/tickets.parquet")
    monkeypatch.setenv("AFTERSIGHT_DATA_REMOTE", "1")
    assert datafolder.remote_urls() == ("s3://lake/tickets.parquet", "https://x.example/t.parquet")
    assert datafolder.remote("s3://lake/tickets.parquet") == "s3://lake/tickets.parquet"
    assert [e.remote for e in datafolder.list_files()][-2:] == [True, True]


def test_every_folder_message_in_both_languages():
    for key in (
        "folder.title",
        "folder.intro",
        "folder.outside",
        "folder.missing",
        "folder.remote_unavailable",
    ):
        assert t(key, "zh") != t(key, "en") != key
    assert "Parquet" in t("folder.intro", "zh") and "Parquet" in t("folder.intro", "en")


def _data_page(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    other = "zh" if lang == "en" else "en"
    at.radio(key="lang").set_value(other).run()
    return at.radio(key="lang").set_value(lang).run()


def test_data_page_loads_a_parquet_file_from_the_folder_in_place(folder, monkeypatch):
    from lib.ingest import pipeline

    monkeypatch.setattr(pipeline, "INPLACE_MIN_BYTES", 1)  # read in place even though it is small
    frame = pl.DataFrame(
        {
            "Ticket ID": ["A1", "A2", "A3"],
            "Created": ["2024-03-01 08:30", "2024-03-02 09:00", "bad"],
            "Channel": ["电话", "微信", "微信"],
        }
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    (folder / "big.parquet").write_bytes(buffer.getvalue())
    at = _data_page("en")
    assert not at.exception
    assert "read in place by DuckDB" in "\n".join(c.value for c in at.caption)
    at.selectbox(key="folder_tickets").set_value("big.parquet").run()
    assert not at.exception
    assert any(e.label.startswith("big\\.parquet") for e in at.expander)  # Markdown-escaped
    at.button(key="load_folder:big.parquet_tickets").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows read"] == "3" and metrics["Rows used"] == "2" and metrics["Rows excluded"] == "1"
    # A folder file's "loaded" line is an upload's: amber, since one row in three was excluded.
    assert any("big\\.parquet” is loaded, but many of its rows were excluded" in w.value for w in at.warning)
    assert not at.success


def test_data_page_refuses_a_name_outside_the_folder_in_chinese(folder, monkeypatch):
    at = _data_page("zh")
    assert "Parquet" in "\n".join(c.value for c in at.caption)
    assert "link_out.csv" not in at.selectbox(key="folder_tickets").options  # never offered
    # A name that did not come from the listing (a tampered client) is checked again when read.
    tampered = [datafolder.Entry("../secret.csv", 10), datafolder.Entry("link_out.csv", 10)]
    monkeypatch.setattr(datafolder, "list_files", lambda folder=None: tampered)
    at.run()
    for name in ("../secret.csv", "link_out.csv"):
        at.selectbox(key="folder_tickets").set_value(name).run()
        assert not at.exception
        assert any("不在数据目录中" in e.value for e in at.error)
        assert not any("hunter2" in str(d.value) for d in at.dataframe)


def test_a_big_upload_is_spilled_and_read_in_place(monkeypatch):
    from lib.ingest import pipeline

    monkeypatch.setattr(pipeline, "INPLACE_MIN_BYTES", 1)
    at = _data_page("en")
    at.file_uploader(key="upload_tickets").upload("big.csv", TICKETS.encode(), "text/csv").run()
    assert not at.exception
    captions = "\n".join(c.value for c in at.caption)
    assert "checked chunk by chunk while loading" in captions and "Parquet" in captions
    load = next(b for b in at.button if b.key and b.key.startswith("load_"))
    load.click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows read"] == "3" and metrics["Rows used"] == "2" and metrics["Rows excluded"] == "1"

    con = at.session_state["_aftersight_con"]
    spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
    assert not list(spill.glob("upload-*"))
