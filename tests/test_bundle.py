"""Tests for lib.ingest.bundle: save a session, restore it exactly, refuse bad bundles; the Data page story."""

from __future__ import annotations

import gc
import io
import json
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from lib.analysis import overview
from lib.engine import store
from lib.engine.kpis import Settings
from lib.errors import InputError
from lib.i18n import t
from lib.ingest import bundle

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SAVED_AT = datetime(2025, 3, 14, 9, 30)
MAPPINGS = {"tickets": {"ticket_id": "工单号", "created_at": "报修时间"}}
SETTINGS = {
    "response_target_hours": 3.0,
    "timezone": "Europe/London",
    "events": [{"name": "618 大促", "start": "2025-06-01", "end": "2025-06-18"}],
    "churn_actions": {"price": "送一张维修券"},
}


def tickets(n: int, prefix: str = "T") -> pl.DataFrame:
    """`n` tickets in March 2025, two customers, with a category and a cost."""
    return pl.DataFrame(
        {
            "ticket_id": [f"{prefix}{i}" for i in range(n)],
            "created_at": [datetime(2025, 3, 1 + i % 28, 8 + i % 10) for i in range(n)],
            "customer_id": [f"C{i % 2}" for i in range(n)],
            "category": [["漏水", "=SUM(A1)", "噪音"][i % 3] for i in range(n)],
            "labor_cost": [10.1 * (i + 1) for i in range(n)],
        }
    )


def rebuild(data: bytes, edit) -> bytes:
    """The bundle `data` with its members passed through `edit(name, bytes) -> [(name, bytes)]`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            for name, blob in edit(info.filename, source.read(info)):
                target.writestr(name, blob)
    return out.getvalue()


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def with_manifest(data: bytes, **changes) -> bytes:
    def edit(name, blob):
        if name == bundle.MANIFEST:
            blob = json.dumps(json.loads(blob) | changes).encode()
        return [(name, blob)]

    return rebuild(data, edit)


@pytest.fixture
def saved(loaded) -> bytes:
    return bundle.dumps(loaded(tickets=tickets(12)), MAPPINGS, SETTINGS, now=SAVED_AT)


# --- round trip ------------------------------------------------------------------------------


def test_sample_restored_in_a_fresh_store_gives_exactly_the_same_kpis(sample, con):
    data = bundle.dumps(sample, MAPPINGS, SETTINGS, now=SAVED_AT)
    counts = bundle.restore(con, bundle.loads(data, "s.zip"))
    assert counts == store.tables(sample)
    end = sample.execute("SELECT max(created_at) FROM tickets").fetchone()[0].date()
    month = store.Scope(end.replace(day=1), end)
    for scope in (store.Scope(), month):
        before = overview.kpis(sample, scope, Settings())
        assert sum(v is not None for v in before.values()) > 20
        assert overview.kpis(con, scope, Settings()) == before  # equal, not approximately
    # the derived repeat_contact came back as it was, column order and types too
    assert con.sql("DESCRIBE tickets").fetchall() == sample.sql("DESCRIBE tickets").fetchall()
    assert_frame_equal(
        overview.top_categories(con, store.Scope()), overview.top_categories(sample, store.Scope())
    )


def test_bundle_carries_mappings_settings_and_a_manifest(saved):
    restored = bundle.loads(saved, "s.zip")
    assert restored.mappings == MAPPINGS
    assert restored.settings == SETTINGS
    assert restored.created == SAVED_AT
    with zipfile.ZipFile(io.BytesIO(saved)) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "mapping.json", "tickets.parquet"]
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["aftersight_bundle"] == bundle.BUNDLE_VERSION
    assert manifest["created"] == "2025-03-14T09:30:00"
    assert manifest["tables"]["tickets"]["rows"] == 12
    assert bundle.file_name(SAVED_AT) == "aftersight-session-20250314-0930.zip"


def test_restore_replaces_every_loaded_table(saved, other_con):
    store.load(other_con, "tickets", tickets(3, prefix="OLD"))
    store.load(other_con, "customers", pl.DataFrame({"customer_id": ["C9"]}))
    assert bundle.restore(other_con, bundle.loads(saved, "s.zip")) == {"tickets": 12}
    ids = other_con.execute("SELECT min(ticket_id) FROM tickets").fetchone()[0]
    assert ids.startswith("T")


def test_a_restore_that_fails_half_way_changes_nothing(sample_copy, monkeypatch):
    before = store.tables(sample_copy)
    create = bundle._create

    def fail_on_surveys(con, table, frame):
        if table == "surveys":
            raise duckdb.OutOfMemoryException("out of memory")
        create(con, table, frame)

    monkeypatch.setattr(bundle, "_create", fail_on_surveys)
    half = bundle.Bundle({"tickets": tickets(2), "surveys": pl.DataFrame({"csat": [5.0]})}, {}, {}, None)
    with pytest.raises(duckdb.OutOfMemoryException):
        bundle.restore(sample_copy, half)
    assert store.tables(sample_copy) == before


@pytest.fixture
def sample_copy(sample, con) -> duckdb.DuckDBPyConnection:
    bundle.restore(con, bundle.loads(bundle.dumps(sample, {}, {}), "s.zip"))
    return con


def test_tickets_without_the_derived_column_get_it(con, other_con):
    data = bundle.dumps(con, {}, {})  # an empty session: a manifest and settings only
    assert bundle.loads(data, "empty.zip").tables == {}

    def add(name, blob):
        extra = [("tickets.parquet", parquet(tickets(4)))] if name == bundle.MANIFEST else []
        return [(name, blob), *extra]

    restored = bundle.loads(with_manifest(rebuild(data, add), tables={"tickets": {"rows": 4}}), "s.zip")
    bundle.restore(other_con, restored)
    assert "repeat_contact" in store.columns(other_con, "tickets")


# --- bad bundles: one clear message, nothing loaded ---------------------------------------------


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return out.getvalue()


def claims_many_entries(data: bytes) -> bytes:
    """`data` with its end-of-directory record claiming 60,000 entries."""
    end = data.rfind(b"PK\x05\x06")
    return data[: end + 8] + struct.pack("<HH", 60_000, 60_000) + data[end + 12 :]


BAD = {
    "not a zip": lambda good: b"ticket_id,created_at\nT1,2025-03-01\n",
    "PNG renamed .zip": lambda good: b"\x89PNG\r\n\x1a\n" + bytes(100),
    "truncated zip": lambda good: good[: len(good) // 2],
    "other zip": lambda good: zip_of({"report.docx": b"x"}),
    "path in the name": lambda good: rebuild(
        good, lambda n, b: [("../" + n if n.endswith("json") else n, b)]
    ),
    "extra member": lambda good: rebuild(
        good, lambda n, b: [(n, b), *([("run.sh", b"rm -rf /")] * (n == "mapping.json"))]
    ),
    "no manifest": lambda good: rebuild(good, lambda n, b: [] if n == bundle.MANIFEST else [(n, b)]),
    "no settings": lambda good: rebuild(good, lambda n, b: [] if n == bundle.SETTINGS else [(n, b)]),
    "manifest not json": lambda good: rebuild(good, lambda n, b: [(n, b"{" if n == bundle.MANIFEST else b)]),
    "manifest of another app": lambda good: with_manifest(good, aftersight_bundle="yes"),
    "format version zero": lambda good: with_manifest(good, aftersight_bundle=0),
    "row count differs": lambda good: with_manifest(good, tables={"tickets": {"rows": 13}}),
    "table not listed": lambda good: with_manifest(good, tables={}),
    "unknown table listed": lambda good: with_manifest(good, tables={"tickets": {"rows": 12}, "orders": {}}),
    "settings not a mapping file": lambda good: rebuild(
        good, lambda n, b: [(n, b"[]" if n == bundle.SETTINGS else b)]
    ),
    "settings with no real time zone": lambda good: rebuild(
        good,
        lambda n, b: (
            [(n, json.dumps(json.loads(b) | {"settings": {"timezone": "Mars/Olympus"}}).encode())]
            if n == bundle.SETTINGS
            else [(n, b)]
        ),
    ),
    "parquet damaged": lambda good: rebuild(
        good, lambda n, b: [(n, b[:100] if n.endswith("parquet") else b)]
    ),
    "unknown column": lambda good: rebuild(
        good,
        lambda n, b: [
            (n, parquet(tickets(12).with_columns(pl.lit(1).alias("salary"))) if n.endswith("parquet") else b)
        ],
    ),
    "wrong type": lambda good: rebuild(
        good,
        lambda n, b: [
            (
                n,
                parquet(tickets(12).with_columns(pl.col("created_at").cast(pl.String)))
                if n.endswith("parquet")
                else b,
            )
        ],
    ),
    "required column missing": lambda good: rebuild(
        good, lambda n, b: [(n, parquet(tickets(12).drop("created_at")) if n.endswith("parquet") else b)]
    ),
    "directory claims 60,000 files": claims_many_entries,
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_bundle_is_refused_with_one_message(case, saved):
    with pytest.raises(InputError) as caught:
        bundle.loads(BAD[case](saved), "mine.zip")
    assert caught.value.key == "read.bundle_bad", caught.value.params
    for lang in ("zh", "en"):
        assert "mine.zip" in caught.value.message(lang)


def test_a_bundle_from_a_newer_version_says_so(saved):
    with pytest.raises(InputError) as caught:
        bundle.loads(with_manifest(saved, aftersight_bundle=bundle.BUNDLE_VERSION + 1), "new.zip")
    assert caught.value.key == "read.bundle_version"


def test_a_decompression_bomb_is_not_unpacked(saved):
    bomb = rebuild(saved, lambda n, b: [(n, bytes(200 << 20) if n.endswith("parquet") else b)])
    assert len(bomb) < 1 << 20
    with pytest.raises(InputError) as caught:
        bundle.loads(bomb, "bomb.zip")
    assert caught.value.key == "read.bundle_too_large"
    assert caught.value.params["part"] == "tickets.parquet"


def test_an_oversized_settings_file_is_not_unpacked(saved):
    huge = rebuild(
        saved, lambda n, b: [(n, b" " * (bundle.MAX_JSON_BYTES + 1) if n == bundle.SETTINGS else b)]
    )
    with pytest.raises(InputError) as caught:
        bundle.loads(huge, "big.zip")
    assert caught.value.key == "read.bundle_too_large"


@pytest.mark.parametrize(
    ("env", "value", "key"),
    [
        ("AFTERSIGHT_MAX_ROWS", "10", "read.too_many_rows"),
        ("AFTERSIGHT_MAX_COLUMNS", "3", "read.too_many_columns"),
    ],
)
def test_tables_obey_the_reader_limits(saved, monkeypatch, env, value, key):
    monkeypatch.setenv(env, value)
    with pytest.raises(InputError) as caught:
        bundle.loads(saved, "s.zip")
    assert caught.value.key == key
    assert caught.value.params["env"] == env


def test_long_text_is_cut_to_the_cell_limit(loaded, monkeypatch):
    frame = tickets(2).with_columns(pl.lit("长" * 50).alias("category"))
    data = bundle.dumps(loaded(tickets=frame), {}, {})
    monkeypatch.setenv("AFTERSIGHT_MAX_CELL_CHARS", "20")
    assert bundle.loads(data, "s.zip").tables["tickets"]["category"].str.len_chars().max() == 20


# --- the Data page story, and the session's end ---------------------------------------------------


def texts(at: AppTest) -> str:
    parts = [c.value for c in at.caption] + [s.value for s in at.success] + [e.value for e in at.error]
    return "\n".join(parts + [m.value for m in at.markdown])


def data_page(lang: str) -> AppTest:
    from test_pages import goto, start

    return goto(start(lang), "pages/data.py", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_says_a_refresh_starts_a_new_session(lang):
    at = data_page(lang)
    assert not at.exception
    assert t("data.bundle_refresh", lang) in texts(at)
    assert any(b.label == t("data.bundle_download", lang) for b in at.get("download_button"))


def test_uploading_a_bundle_restores_data_mappings_and_settings(saved):
    from test_pages import goto, relang

    at = data_page("en")
    at.file_uploader(key="bundle_file").upload(
        "aftersight-session-20250314-0930.zip", saved, "application/zip"
    )
    at.run()
    relang(at, "en")
    assert not at.exception
    assert (
        "Session restored from “aftersight\\-session\\-20250314\\-0930\\.zip” (saved 2025-03-14 09:30)"
        in texts(at)
    )
    assert "Tickets 12" in texts(at)
    assert at.session_state["_aftersight_saved_mappings"] == MAPPINGS
    assert at.session_state["_aftersight_settings"].response_target_hours == 3.0
    assert at.session_state["_aftersight_timezone"] == "Europe/London"
    goto(at, "pages/overview.py", "en")
    assert {m.label: m.value for m in at.metric}["Tickets"] == "12"
    # Back to the sample: the bundle still sits in its uploader but is not restored again.
    goto(at, "pages/data.py", "en")
    next(b for b in at.button if b.label == "Use sample data").click().run()
    relang(at, "en")
    assert "Session restored" not in texts(at)
    assert "Current data: the bundled sample" in texts(at)


def test_a_bad_bundle_on_the_data_page_keeps_the_data():
    from test_pages import goto

    at = data_page("zh")
    at.file_uploader(key="bundle_file").upload("坏.zip", b"PK\x03\x04 not really", "application/zip").run()
    assert not at.exception
    assert any("不是 Aftersight 保存的会话包" in e.value for e in at.error)
    goto(at, "pages/overview.py", "zh")
    assert {m.label: m.value for m in at.metric}["工单量"] not in ("—", "0", "12")


def test_a_session_that_ends_closes_its_database():
    """Streamlit forgets a session (and its session_state) once its disconnected TTL is over."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    con = at.session_state["_aftersight_con"]
    assert con.execute("SELECT count(*) FROM tickets").fetchone()[0] > 0
    del at
    gc.collect()
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")


def test_the_reaper_closes_only_sessions_gone_longer_than_the_ttl(monkeypatch):
    from lib.ui import session

    monkeypatch.setattr(session, "_OWNERS", session.weakref.WeakValueDictionary())
    connections = {name: store.connect(memory_limit="64MB", threads=1) for name in ("open", "blip", "gone")}
    owners = {name: session._Owner(con) for name, con in connections.items()}
    session._OWNERS.update(owners)
    spill = Path(connections["gone"].execute("SELECT current_setting('temp_directory')").fetchone()[0])
    assert spill.is_dir()

    def active(at: float):
        return lambda session_id: session_id == "open" or (session_id == "blip" and at >= 50)

    assert session.reap(active(0), 0, ttl=120) == []  # "blip" and "gone" disconnect
    assert session.reap(active(50), 50, ttl=120) == []  # "blip" reconnects within the TTL
    assert session.reap(active(120), 120, ttl=120) == []  # not longer than the TTL yet
    assert session.reap(active(121), 121.5, ttl=120) == ["gone"]
    with pytest.raises(duckdb.ConnectionException):
        connections["gone"].execute("SELECT 1")
    assert not spill.exists()
    for name in ("open", "blip"):
        assert connections[name].execute("SELECT 1").fetchone() == (1,)
        owners[name].close()
