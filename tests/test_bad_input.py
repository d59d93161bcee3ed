"""Bad files: one translated sentence naming the problem, and the data loaded before stays."""

import io
import zipfile

import polars as pl
import pytest

from lib.engine import store
from lib.errors import InputError
from lib.i18n import CATALOGUE
from lib.ingest import pipeline

GOOD = "工单号,创建时间\nA1,2024-03-01 08:00\nA2,2024-03-02 09:00\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(300)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(200)
# An encrypted Office file is an OLE compound document holding an "EncryptedPackage" stream.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(200)


def _zip_not_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


BAD_FILES = [
    ("empty.csv", b"", "read.empty"),
    ("whitespace.csv", b"  \n\n \t\n", "read.empty"),
    ("header_only.csv", "工单号,创建时间\n".encode(), "read.header_only"),
    ("photo.csv", PNG, "read.binary"),
    ("report.xlsx", PDF, "read.binary"),
    ("locked.xlsx", OLE, "read.encrypted"),
    ("archive.xlsx", _zip_not_workbook(), "read.bad_excel"),
    ("no_required.csv", b"foo,bar\n1,2\n", "mapping.missing"),
    ("all_dates_bad.csv", "工单号,创建时间\nA1,待定\nA2,明天\n".encode(), "validate.no_rows"),
]


def _load(con, data: bytes, name: str):
    return pipeline.ingest(con, pipeline.prepare(data, name, "tickets"))


@pytest.mark.parametrize(("name", "data", "key"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_its_message_and_earlier_data_stays(name, data, key):
    con = store.connect()
    _load(con, GOOD, "good.csv")
    with pytest.raises(InputError) as caught:
        _load(con, data, name)
    assert caught.value.key == key
    assert key in CATALOGUE
    for lang in ("zh", "en"):
        sentence = caught.value.message(lang)
        assert "{" not in sentence and "\n" not in sentence
        assert name in sentence or key == "mapping.missing"
    assert store.tables(con) == {"tickets": 2}


def test_xlsx_that_is_really_a_csv_just_works():
    con = store.connect()
    validated, loaded = _load(con, GOOD, "export.xlsx")
    assert loaded.added == 2


def test_semicolon_file_reads_as_columns():
    con = store.connect()
    validated, _ = _load(con, "工单号;创建时间\nA1;2024-03-01 08:00\n".encode(), "semi.csv")
    assert validated.rows_used == 1


def test_mixed_encodings_do_not_produce_garbled_text_silently():
    data = "工单号,创建时间,渠道\nA1,2024-03-01 08:00,电话\n".encode() + "A2,2024-03-02 08:00,微信\n".encode(
        "gbk"
    )
    con = store.connect()
    validated, _ = _load(con, data, "mixed.csv")  # each line decoded in its own encoding
    assert validated.frame["channel"].to_list() == ["电话", "微信"]


def test_message_translates_field_and_reason_names():
    error = InputError(
        "validate.no_rows", name="x.csv", reason="unparseable_required_date", field="created_at"
    )
    assert "必填日期无法识别" in error.message("zh") and "创建时间 (created_at)" in error.message("zh")
    assert "Required date unreadable" in error.message("en")


def test_parquet_round_trip(tmp_path):
    frame = pl.DataFrame({"ticket_id": ["P1", "P2"], "created_at": ["2024-03-01 08:00", "2024-03-05 10:00"]})
    path = tmp_path / "t.parquet"
    frame.write_parquet(path)
    con = store.connect()
    validated, _ = _load(con, path.read_bytes(), "t.parquet")
    assert validated.rows_used == 2
