"""The same KPIs from two engines: the app's path (DuckDB scope → Polars) and Spark (lib.lake).

One seeded data set of 100,000 tickets with the awkward values real exports have (tests/kpi_data.py)
goes through both. Every SPEC §2 KPI must agree: counts exactly, everything else to a relative
1e-9 (sums and means are added up in a different order). Spark's `percentile` is exact with
linear interpolation, like Polars', so the quantiles need no wider tolerance.
"""

from __future__ import annotations

import json
import math
from datetime import date

import kpi_data
import polars as pl
import pytest

from lib.analysis import overview
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings, columns_for, evaluate_by
from lib.errors import InputError

pyspark = pytest.importorskip("pyspark", reason="Spark is optional: pip install -r requirements-spark.txt")
lake = pytest.importorskip("lib.lake")

pytestmark = pytest.mark.slow
ROWS = 100_000
# The lake's tickets carry a Chinese export's headers: the app's mapping rules name them.
LAKE_HEADERS = {
    "ticket_id": "工单号",
    "created_at": "报修时间",
    "resolved_at": "完成时间",
    "agent": "工程师",
    "region": "区域",
}
SETTINGS = Settings(
    targets=(("resolution_rate", 0.9),),
    priority_targets=(("P1", 2.0, 24.0), ("P3", None, 120.0)),
)
SCOPES = {
    "everything": store.Scope(),
    "march": store.Scope(date(2024, 3, 1), date(2024, 3, 31)),
    "q3 filtered": store.Scope(
        date(2024, 7, 1),
        date(2024, 9, 30),
        filters=(("region", ("华东", "华南")), ("channel", ("电话", None))),
    ),
    "a week, a customer region": store.Scope(
        date(2024, 11, 4), date(2024, 11, 10), filters=(("region", ("西南",)),)
    ),
}


@pytest.fixture(scope="module")
def data() -> dict[str, pl.DataFrame]:
    return kpi_data.tables(ROWS)


@pytest.fixture(scope="module")
def local(data):
    return kpi_data.loaded(data)


@pytest.fixture(scope="module")
def tables(spark, data, tmp_path_factory):
    sources = kpi_data.as_lake(data, tmp_path_factory.mktemp("lake"), LAKE_HEADERS)
    read = lake.read(spark, sources)
    # Cached for the module's many evaluations; the CLI test below reads uncached.
    return lake.Tables(read.tickets.cache(), read.surveys.cache(), read.customers.cache())


def _agree(local_value: float | None, lake_value: float | None, key: str) -> bool:
    if local_value is None or lake_value is None:
        return local_value is None and lake_value is None
    if BY_KEY[key].unit == "count":
        return local_value == lake_value
    return math.isclose(local_value, lake_value, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("name", SCOPES)
def test_every_kpi_agrees(local, tables, name):
    scope = SCOPES[name]
    here = overview.kpis(local, scope, SETTINGS)
    there = lake.evaluate(tables, scope, SETTINGS)
    assert set(here) == set(BY_KEY) == set(there)
    # Every KPI is computed on this data: a None on both sides would agree without testing anything.
    assert all(here[k] is not None for k in BY_KEY), [k for k in BY_KEY if here[k] is None]
    differ = {k: (here[k], there[k]) for k in BY_KEY if not _agree(here[k], there[k], k)}
    assert not differ, differ


def test_kpis_per_region_agree(local, tables):
    scope = SCOPES["march"]
    keys = tuple(k for k in BY_KEY if BY_KEY[k].table != "customers")
    frames = store.scoped(local, scope, ticket_columns=columns_for(keys, "region"), by_period=False)
    here = evaluate_by(frames, keys, by="region", settings=SETTINGS)
    there = lake.evaluate_by(tables, scope, SETTINGS, by="region", keys=keys)
    assert here["region"].to_list() == there["region"].to_list()
    assert here.height == len(kpi_data.REGIONS) + 1  # and the tickets with no region
    for row_here, row_there in zip(here.iter_rows(named=True), there.iter_rows(named=True), strict=True):
        differ = {k: (row_here[k], row_there[k]) for k in keys if not _agree(row_here[k], row_there[k], k)}
        assert not differ, (row_here["region"], differ)


def test_repeat_contacts_are_flagged_alike(local, tables):
    here = local.sql("SELECT ticket_id, repeat_contact FROM tickets ORDER BY ticket_id").pl()
    there = pl.from_arrow(tables.tickets.select("ticket_id", "repeat_contact").orderBy("ticket_id").toArrow())
    assert here["repeat_contact"].sum() > 1000  # the data has repeat contacts to find
    assert here.equals(there)


def test_a_column_of_the_wrong_type_is_named(spark, tmp_path):
    path = tmp_path / "tickets.parquet"
    pl.DataFrame({"ticket_id": ["T1"], "created_at": ["yesterday"]}).write_parquet(path)
    with pytest.raises(InputError) as caught:
        lake.read(spark, {"tickets": str(path)})
    assert caught.value.key == "lake.bad_type"
    assert "created_at" in caught.value.message("en") and "yesterday" not in caught.value.message("en")


def test_a_file_spark_cannot_read_is_named(spark, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ticket_id,created_at\nT1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        lake.read(spark, {"tickets": str(path)})
    assert caught.value.key == "lake.unreadable" and "tickets.csv" in caught.value.message("zh")


def test_a_lake_without_tickets_is_refused(spark):
    with pytest.raises(InputError) as caught:
        lake.read(spark, {"surveys": "/nowhere"})
    assert caught.value.key == "lake.no_tickets"


def test_the_command_line_gives_the_same_numbers_on_both_engines(spark, data, tmp_path, capsys):
    """`python -m lib kpis` on Parquet files: the app's whole ingest path locally, Spark with --engine spark."""
    from lib import cli

    tickets = data["tickets"].head(20_000)
    files = {}
    for table, frame in (("tickets", tickets.rename(LAKE_HEADERS)), ("surveys", data["surveys"])):
        files[table] = tmp_path / f"{table}.parquet"
        frame.write_parquet(files[table])
    common = [
        "kpis",
        "--tickets",
        str(files["tickets"]),
        "--surveys",
        str(files["surveys"]),
        "--start",
        "2024-02-01",
        "--end",
        "2024-02-29",
    ]
    outputs = []
    for engine in ("local", "spark"):
        assert cli.main([*common, "--engine", engine]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    here, there = outputs
    assert here["tickets"] > 1000 and here["csat"] is not None
    assert {k: v for k, v in here.items() if not _agree(v, there[k], k)} == {}
