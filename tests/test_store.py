"""The session store: a locked-down DuckDB, loading and appending tables, scoped reads and helpers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lib.engine import store
from lib.engine.store import LoadResult, Scope

# --- lock-down ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "ATTACH '/tmp/aftersight-test.db'",
        "INSTALL httpfs",
    ],
)
def test_sql_cannot_touch_the_file_system(con, sql):
    with pytest.raises(duckdb.PermissionException):
        con.execute(sql).fetchall()
    with pytest.raises(duckdb.PermissionException):  # cursors share the locked configuration
        con.cursor().execute(sql).fetchall()


def test_sql_cannot_write_files(con, tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(duckdb.PermissionException):
        con.execute(f"COPY (SELECT 42) TO '{target}'")
    assert not target.exists()


@pytest.mark.parametrize(
    "sql",
    ["SET enable_external_access = true", "SET lock_configuration = false", "RESET enable_external_access"],
)
def test_configuration_cannot_be_unlocked(con, sql):
    with pytest.raises(duckdb.InvalidInputException):
        con.execute(sql)
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()


def test_python_variables_are_not_visible_by_name(con):
    secret_frame = pl.DataFrame({"ticket_id": ["X"]})
    with pytest.raises(duckdb.CatalogException):
        con.sql("SELECT * FROM secret_frame").fetchall()
    # The control: an ordinary DuckDB connection would read the variable.
    plain = duckdb.connect()
    try:
        assert plain.sql("SELECT count(*) FROM secret_frame").fetchall() == [(len(secret_frame),)]
    finally:
        plain.close()


def test_two_connections_do_not_see_each_others_tables(con, other_con):
    store.load(con, "tickets", tickets_frame(["A", "B"]))
    assert store.tables(other_con) == {}
    with pytest.raises(duckdb.CatalogException):
        other_con.execute("SELECT * FROM tickets").fetchall()
    store.load(other_con, "tickets", tickets_frame(["C"]))
    assert store.tables(con) == {"tickets": 2}
    assert store.tables(other_con) == {"tickets": 1}


# --- loading ------------------------------------------------------------------------------


def tickets_frame(ids: list[str], day: int = 1, **columns: list) -> pl.DataFrame:
    """Tickets created at 09:00 on consecutive March days from `day`, plus any extra columns."""
    created = [datetime(2024, 3, day + i, 9) for i in range(len(ids))]
    return pl.DataFrame({"ticket_id": ids, "created_at": created, **columns})


def read_sorted(con, table: str = "tickets", key: str = "ticket_id") -> pl.DataFrame:
    return store.preview(con, table, rows=100).sort(key)


def test_second_load_appends_and_a_repeated_id_replaces_the_earlier_row(con):
    first = tickets_frame(["A", "B", "C"], status=["open", "open", "open"])
    second = tickets_frame(["C", "D"], day=10, status=["closed", "open"])
    assert store.load(con, "tickets", first) == LoadResult("tickets", added=3, replaced=0)
    assert store.load(con, "tickets", second) == LoadResult("tickets", added=2, replaced=1)
    assert store.tables(con) == {"tickets": 4}
    expected = pl.concat([first.filter(pl.col("ticket_id") != "C"), second])
    assert_frame_equal(read_sorted(con), expected)  # C holds the newer export's row


def test_a_repeated_customer_replaces_the_earlier_row(con):
    store.load(con, "customers", pl.DataFrame({"customer_id": ["c1", "c2"], "churned": [False, False]}))
    result = store.load(con, "customers", pl.DataFrame({"customer_id": ["c1"], "churned": [True]}))
    assert result == LoadResult("customers", added=1, replaced=1)
    expected = pl.DataFrame({"customer_id": ["c1", "c2"], "churned": [True, False]})
    assert_frame_equal(read_sorted(con, "customers", "customer_id"), expected)


def test_loading_without_append_replaces_the_table(con):
    store.load(con, "tickets", tickets_frame(["A", "B"]))
    assert store.load(con, "tickets", tickets_frame(["C"]), append=False) == LoadResult("tickets", 1, 0)
    assert_frame_equal(read_sorted(con), tickets_frame(["C"]))


def test_second_file_with_other_columns_unions_by_name(con):
    store.load(con, "tickets", tickets_frame(["A"], agent=["张三"]))
    # columns in another order, one more (channel), one fewer later (agent)
    store.load(con, "tickets", tickets_frame(["B"], day=2, channel=["电话"], agent=["李四"]).reverse())
    store.load(con, "tickets", tickets_frame(["C"], day=3, channel=["app"]))
    assert store.columns(con, "tickets") == ("ticket_id", "created_at", "agent", "channel")
    expected = tickets_frame(["A", "B", "C"], agent=["张三", "李四", None], channel=[None, "电话", "app"])
    assert_frame_equal(read_sorted(con), expected)


def test_the_validation_row_number_is_not_stored(con):
    store.load(con, "tickets", tickets_frame(["A"]).with_columns(_row=pl.lit(7)))
    assert store.columns(con, "tickets") == ("ticket_id", "created_at")


def test_unknown_table_is_refused(con):
    with pytest.raises(ValueError, match="unknown table"):
        store.load(con, "orders", tickets_frame(["A"]))
    with pytest.raises(ValueError, match="unknown table"):
        store.preview(con, "duckdb_settings")


def test_repeat_contact_is_recomputed_after_each_append(con):
    def repeat_contacts() -> dict[str, bool | None]:
        rows = read_sorted(con).select("ticket_id", "repeat_contact").rows()
        return dict(rows)

    store.load(con, "tickets", tickets_frame(["A", "B"], day=10, customer_id=["c1", "c2"]))
    assert repeat_contacts() == {"A": False, "B": False}
    # C: c1 again 10 days after A
    store.load(con, "tickets", tickets_frame(["C"], day=20, customer_id=["c1"]))
    assert repeat_contacts() == {"A": False, "B": False, "C": True}
    # D: an older export with c2 on 1 March makes B (11 March) a repeat contact; E has no customer
    store.load(con, "tickets", tickets_frame(["D", "E"], day=1, customer_id=["c2", None]))
    assert repeat_contacts() == {"A": False, "B": True, "C": True, "D": False, "E": None}
    # A replaced by a row created on 1 April: C (20 March) loses its earlier contact, A gains one
    store.load(
        con,
        "tickets",
        pl.DataFrame(
            {
                "ticket_id": ["A"],
                "created_at": [datetime(2024, 4, 1, 9)],
                "customer_id": ["c1"],
            }
        ),
    )
    assert repeat_contacts() == {"A": True, "B": True, "C": False, "D": False, "E": None}


# --- answers without an id: loaded once ----------------------------------------------------------


def answers(minutes: list[int], **columns: list) -> pl.DataFrame:
    """Survey answers submitted at 10:00 + `minutes` on 1 March, plus any extra columns."""
    return pl.DataFrame(
        {"submitted_at": [datetime(2024, 3, 1, 10 + m // 60, m % 60) for m in minutes], **columns}
    )


def read_answers(con) -> pl.DataFrame:
    return con.sql("SELECT * FROM surveys").pl().sort(pl.all(), nulls_last=True)


def test_the_same_answers_loaded_twice_are_not_added_again(con):
    first = answers([0, 1, 2], csat=[5.0, 3.0, 4.0], nps=[9.0, 6.0, 8.0], ticket_id=["T1", "T2", "T3"])
    assert store.load(con, "surveys", first, fingerprint="f1") == LoadResult("surveys", 3, 0)
    again = store.load(con, "surveys", first, fingerprint="f1")
    assert again == LoadResult("surveys", added=0, replaced=0, skipped=3, same_file=True)
    assert store.tables(con) == {"surveys": 3}
    assert_frame_equal(read_answers(con), first.sort(pl.all()))
    # The same rows from another file (another name for its bytes): skipped all the same, not "the same file".
    assert store.load(con, "surveys", first, fingerprint="f2") == LoadResult("surveys", 0, 0, skipped=3)


def test_an_overlapping_export_adds_only_its_new_answers(con):
    march = answers([0, 1, 2, 3], csat=[5.0, 3.0, 4.0, 1.0])
    store.load(con, "surveys", march)
    later = answers([2, 3, 4, 5], csat=[4.0, 1.0, 5.0, 5.0])  # the first two are March's last two
    assert store.load(con, "surveys", later) == LoadResult("surveys", added=2, replaced=0, skipped=2)
    expected = answers([0, 1, 2, 3, 4, 5], csat=[5.0, 3.0, 4.0, 1.0, 5.0, 5.0])
    assert_frame_equal(read_answers(con), expected)


def test_an_answer_differing_in_one_column_is_a_new_answer(con):
    store.load(con, "surveys", answers([0, 1], csat=[5.0, 5.0], comment=["好", "好"]))
    # Same minute, another score; same score, another minute; same row, another comment.
    other = answers([0, 2, 1], csat=[4.0, 5.0, 5.0], comment=["好", "好", "很好"])
    assert store.load(con, "surveys", other) == LoadResult("surveys", added=3, replaced=0, skipped=0)
    assert store.tables(con) == {"surveys": 5}


def test_empty_values_match_themselves(con):
    sparse = answers(
        [0, 1, 2],
        csat=[None, 4.0, None],
        nps=[7.0, None, None],
        comment=[None, None, "慢"],
        ticket_id=[None, "T2", None],
    )
    store.load(con, "surveys", sparse)
    assert store.load(con, "surveys", sparse) == LoadResult("surveys", added=0, replaced=0, skipped=3)
    # Empty does not match a value: the same answers with the blanks filled in are new.
    filled = sparse.with_columns(pl.col("csat").fill_null(3.0))
    assert store.load(con, "surveys", filled).added == 2
    assert store.tables(con) == {"surveys": 5}


def test_answers_are_matched_one_to_one(con):
    # One answer twice in one export is kept twice; a later export holding it three times adds one.
    store.load(con, "surveys", answers([0, 0, 1], csat=[5.0, 5.0, 2.0]))
    assert store.load(con, "surveys", answers([0, 0, 0], csat=[5.0, 5.0, 5.0])) == LoadResult(
        "surveys", added=1, replaced=0, skipped=2
    )
    assert con.sql("SELECT count(*) FROM surveys WHERE csat = 5").fetchall() == [(3,)]


def test_a_column_only_one_side_has_must_be_empty_to_match(con):
    store.load(con, "surveys", answers([0, 1], csat=[5.0, 4.0], comment=["好", None]))
    # No comment column: the answer stored with a comment is another answer; the one without is the same.
    assert store.load(con, "surveys", answers([0, 1], csat=[5.0, 4.0])) == LoadResult("surveys", 1, 0, 1)
    # A column the table lacks: an answer with a value there is new, one without it is not.
    store.clear(con)
    store.load(con, "surveys", answers([0, 1], csat=[5.0, 4.0]))
    with_nps = answers([0, 1], csat=[5.0, 4.0], nps=[None, 9.0])
    assert store.load(con, "surveys", with_nps) == LoadResult("surveys", 1, 0, 1)
    assert store.columns(con, "surveys") == ("submitted_at", "csat", "nps")


def test_clearing_a_table_forgets_the_files_loaded_into_it(con):
    store.load(con, "surveys", answers([0]), fingerprint="f1")
    store.clear(con, "surveys")
    assert store.load(con, "surveys", answers([0]), fingerprint="f1") == LoadResult("surveys", 1, 0)
    store.load(con, "surveys", answers([1]), append=False, fingerprint="f2")  # a restored bundle, say
    assert store.load(con, "surveys", answers([0]), fingerprint="f1") == LoadResult("surveys", 1, 0)
    assert store.tables(con) == {"surveys": 2}


def test_the_same_customers_loaded_twice_replace_themselves(con):
    # Customers have an id: a second copy replaces the first (newest state wins), nothing is skipped.
    customers = pl.DataFrame({"customer_id": ["c1", "c2"], "segment": ["VIP", None]})
    store.load(con, "customers", customers, fingerprint="f1")
    again = store.load(con, "customers", customers, fingerprint="f1")
    assert again == LoadResult("customers", added=2, replaced=2, skipped=0, same_file=True)
    assert store.tables(con) == {"customers": 2}


# --- helpers ------------------------------------------------------------------------------


def test_tables_and_clear(con):
    assert store.tables(con) == {}
    store.load(con, "tickets", tickets_frame(["A", "B", "C"]))
    store.load(con, "surveys", pl.DataFrame({"submitted_at": [datetime(2024, 3, 5)], "csat": [5.0]}))
    assert store.tables(con) == {"tickets": 3, "surveys": 1}
    store.clear(con, "surveys")
    assert store.tables(con) == {"tickets": 3}
    store.clear(con, "customers")  # not loaded: nothing to do
    store.clear(con)
    assert store.tables(con) == {}
    assert store.columns(con, "tickets") == ()


def test_dimension_values_by_frequency_without_empty_values(con):
    assert store.dimension_values(con) == {}
    store.load(
        con,
        "tickets",
        tickets_frame(
            ["A", "B", "C", "D", "E", "F"],
            channel=["chat", "phone", "phone", None, "app", "phone"],
            priority=["P2", "P1", "P2", "P1", None, None],
            status=["open"] * 6,  # not a dimension
        ),
    )
    assert store.dimension_values(con) == {
        "channel": ["phone", "app", "chat"],  # 3, then 1 and 1 by value
        "priority": ["P1", "P2"],  # 2 each, by value
    }


def test_date_bounds(con):
    assert store.date_bounds(con) is None
    created = [datetime(2024, 3, 5, 10), datetime(2024, 2, 28, 23, 59), datetime(2024, 4, 1)]
    store.load(con, "tickets", pl.DataFrame({"ticket_id": ["A", "B", "C"], "created_at": created}))
    assert store.date_bounds(con) == (date(2024, 2, 28), date(2024, 4, 1))


def test_preview_returns_the_first_rows(con):
    customers = pl.DataFrame({"customer_id": ["c1", "c2", "c3"], "segment": ["VIP", None, "普通"]})
    store.load(con, "customers", customers)
    assert_frame_equal(store.preview(con, "customers"), customers)
    assert store.preview(con, "customers", rows=2).height == 2


def test_quote_doubles_quotes():
    assert store.quote('a"b') == '"a""b"'
    assert store.quote("工单号") == '"工单号"'


def test_column_names_with_quotes_and_chinese_survive(con):
    odd = tickets_frame(
        ["A", "B"],
        **{
            '备注"说明': ["你好", 'say "hi"'],
            "区域 (省)": ["华东", "华北"],
            "x'y; DROP TABLE tickets;--": [1, 2],
            "region": ["华东", "华北"],
        },
    )
    store.load(con, "tickets", odd)
    store.load(con, "tickets", tickets_frame(["C"], day=5, **{'备注"说明': ["再见"], "region": ["华东"]}))
    assert store.columns(con, "tickets") == tuple(odd.columns)
    assert read_sorted(con)['备注"说明'].to_list() == ["你好", 'say "hi"', "再见"]
    assert store.dimension_values(con) == {"region": ["华东", "华北"]}
    frames = store.scoped(con, Scope(filters=(("region", ("华东",)),)))
    assert frames.tickets["ticket_id"].to_list() == ["A", "C"]


# --- scoped reads -----------------------------------------------------------------------------


def test_scope_includes_the_whole_end_day_and_nothing_after(con):
    created = [
        datetime(2024, 2, 29, 23, 59, 59),
        datetime(2024, 3, 1),
        datetime(2024, 3, 31, 23, 59, 59),
        datetime(2024, 4, 1),
    ]
    store.load(con, "tickets", pl.DataFrame({"ticket_id": ["A", "B", "C", "D"], "created_at": created}))
    store.load(con, "surveys", pl.DataFrame({"submitted_at": created, "csat": [1.0, 2.0, 3.0, 4.0]}))
    frames = store.scoped(con, Scope(date(2024, 3, 1), date(2024, 3, 31)))
    assert frames.tickets["ticket_id"].to_list() == ["B", "C"]
    assert frames.surveys["csat"].to_list() == [2.0, 3.0]
    assert frames.customers is None  # not loaded


def test_filter_on_a_column_the_table_lacks_matches_nothing(con):
    store.load(con, "tickets", tickets_frame(["A", "B"]))
    frames = store.scoped(con, Scope(filters=(("channel", ("phone",)),)))
    assert frames.tickets.height == 0


def test_a_closed_session_leaves_no_temp_folder():
    import gc
    import glob
    import tempfile

    before = set(glob.glob(f"{tempfile.gettempdir()}/aftersight-*"))
    con = store.connect()
    created = set(glob.glob(f"{tempfile.gettempdir()}/aftersight-*")) - before
    assert len(created) == 1
    del con
    gc.collect()
    assert not any(Path(path).exists() for path in created)


def test_a_drill_into_the_empty_group_matches_rows_without_a_value(con):
    store.load(con, "tickets", tickets_frame(["A", "B", "C"], channel=["phone", None, "chat"]))
    frames = store.scoped(con, Scope().narrowed("channel", None))
    assert frames.tickets["ticket_id"].to_list() == ["B"]
    frames = store.scoped(con, Scope(filters=(("channel", ("chat", None)),)))
    assert sorted(frames.tickets["ticket_id"].to_list()) == ["B", "C"]


def test_scoped_reads_only_the_tables_asked_for(con):
    store.load(con, "tickets", tickets_frame(["A", "B"]))
    store.load(con, "surveys", pl.DataFrame({"submitted_at": [datetime(2024, 3, 1, 10)], "ticket_id": ["A"]}))
    frames = store.scoped(con, Scope(), read=("tickets",))
    assert frames.tickets.height == 2 and frames.history is not None
    assert frames.surveys is None
    frames = store.scoped(con, Scope(), read=("surveys",))
    assert frames.tickets is None and frames.surveys.height == 1


def test_dimension_values_are_kept_until_the_tickets_change(con):
    def tickets(channels):
        n = len(channels)
        return pl.DataFrame(
            {
                "ticket_id": [f"T{i}" for i in range(n)],
                "created_at": [datetime(2024, 1, 1)] * n,
                "channel": channels,
            }
        )

    store.load(con, "tickets", tickets(["电话", "微信", "电话"]))
    assert store.dimension_values(con) == {"channel": ["电话", "微信"]}
    store.dimension_values(con)["channel"].append("changed by a caller")  # a copy: the cache is safe
    assert store.dimension_values(con) == {"channel": ["电话", "微信"]}
    store.load(con, "tickets", tickets(["APP", "APP", "APP"]), append=False)  # same size, other values
    assert store.dimension_values(con) == {"channel": ["APP"]}
    con.execute("DROP TABLE tickets")
    con.execute("CREATE TABLE tickets AS SELECT 'T1' AS ticket_id, 'web' AS channel")  # as a bundle restores
    assert store.dimension_values(con) == {"channel": ["web"]}
    store.clear(con)
    assert store.dimension_values(con) == {}


def test_a_first_big_load_flags_repeat_contacts_as_a_small_load_does(con):
    """`load_staged` adopts the staged rows and writes `repeat_contact` with an UPDATE of the rows whose
    flag is not false; worked by hand: T2 comes 4 days after T1 (same customer) → true; T3 has no customer
    → empty; T4 is 56 days after T2 → false; T1 is the customer's first → false."""
    rows = pl.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T4"],
            "created_at": [
                datetime(2024, 1, 1, 9),
                datetime(2024, 1, 5, 9),
                datetime(2024, 1, 6, 9),
                datetime(2024, 3, 1, 9),
            ],
            "customer_id": ["C1", "C1", None, "C1"],
            "_row": [2, 3, 4, 5],
        }
    )
    con.register("_rows", rows.to_arrow())
    con.execute("CREATE TABLE _staged_tickets AS SELECT * FROM _rows")
    con.unregister("_rows")
    assert store.load_staged(con, "tickets", "_staged_tickets") == LoadResult("tickets", 4, 0)
    flags = con.execute("SELECT ticket_id, repeat_contact FROM tickets ORDER BY ticket_id").fetchall()
    assert flags == [("T1", False), ("T2", True), ("T3", None), ("T4", False)]
    other = store.connect()  # the small-file path computes the same flags
    store.load(other, "tickets", rows)
    assert (
        other.execute("SELECT ticket_id, repeat_contact FROM tickets ORDER BY ticket_id").fetchall() == flags
    )
    assert "_row" not in store.columns(con, "tickets")
