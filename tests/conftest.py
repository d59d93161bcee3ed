"""Shared fixtures: a fresh locked-down in-memory store per test, and small frames loaded into it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import polars as pl
import pytest

from lib.engine import store


def _session_database() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(memory_limit="256MB", threads=1)
    yield connection
    connection.close()  # its temp folder goes when the connection is collected (store.connect)


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh session database, closed after the test."""
    yield from _session_database()


@pytest.fixture(scope="session")
def sample() -> Iterator[duckdb.DuckDBPyConnection]:
    """The bundled sample data in one store shared by the whole run: read it, never write to it."""
    from lib.ingest import pipeline

    connection = store.connect(memory_limit="512MB", threads=2)
    pipeline.load_sample(connection)
    yield connection
    connection.close()


@pytest.fixture
def other_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """A second session database, as another browser session would have."""
    yield from _session_database()


@pytest.fixture
def loaded(con) -> Callable[..., duckdb.DuckDBPyConnection]:
    """Load canonical frames by table name (`tickets=`, `surveys=`, `customers=`); returns the store."""

    def load(**frames: pl.DataFrame | None) -> duckdb.DuckDBPyConnection:
        for table, frame in frames.items():
            if frame is not None:
                store.load(con, table, frame)
        return con

    return load


@pytest.fixture
def frames_for(loaded) -> Callable[..., store.Frames]:
    """Load the given frames, then read them back for `scope` (default: everything)."""

    def read(scope: store.Scope | None = None, **frames: pl.DataFrame | None) -> store.Frames:
        return store.scoped(loaded(**frames), scope or store.Scope())

    return read


@pytest.fixture(scope="session")
def spark():
    """One Spark (local[2]) per test run, shared by the lake tests (starting one takes ~10 s); skipped
    without PySpark."""
    pytest.importorskip("pyspark", reason="Spark is optional: pip install -r requirements-spark.txt")
    from lib import lake

    session = lake.session("local[2]")
    yield session
    session.stop()


# --- the lake tests' data on both engines (tests/lake_fixtures.py), made once per run --------------------


@pytest.fixture(scope="session")
def lake_data() -> dict[str, pl.DataFrame]:
    """The seeded tickets, surveys and customers (tests/kpi_data.py) the lake tests compare on."""
    import kpi_data
    import lake_fixtures

    return kpi_data.tables(lake_fixtures.ROWS)


@pytest.fixture(scope="session")
def lake_local(lake_data):
    """The local engine on `lake_data` (a session DuckDB)."""
    import kpi_data

    from lib.ui import engines

    return engines.Local(kpi_data.loaded(lake_data))


@pytest.fixture(scope="session")
def lake_files(lake_data, tmp_path_factory) -> dict[str, str]:
    """`lake_data` as Parquet with a Chinese export's headers, and the mapping file naming the id column."""
    import lake_fixtures

    return lake_fixtures.write_lake(lake_data, tmp_path_factory.mktemp("lake"))


@pytest.fixture(scope="session")
def lake_engine(spark, lake_files):
    """The lake engine (Spark) on `lake_files`."""
    import lake_fixtures

    from lib import lake
    from lib.ui import engines

    setting = lake_fixtures.lake_setting(lake_files)
    return engines.Lake(setting, lake.open_tables(spark, setting)[0])


@pytest.fixture
def lake_app(spark, lake_files, monkeypatch):
    """The app started with the administrator's lake setting (environment), the lake caches empty."""
    import lake_fixtures

    lake_fixtures.lake_environment(lake_files, monkeypatch)
    yield
    lake_fixtures.forget()
