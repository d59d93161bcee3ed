"""The lake over Spark Connect (`sc://`): the app's process holds a gRPC client, the JVM runs elsewhere.

A Spark Connect server (`SparkConnectServer`, shipped in PySpark's own jars) is started once for this
module on a free local port, as a cluster would offer it. The same lake tables are opened through it and
must give the local engine's numbers as strictly as the `local[2]` tests (tests/test_lake_pages.py); a
Connect endpoint that is not there is one translated sentence.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from lake_fixtures import ROW_BOUND, SCOPES, SETTINGS, agree
from polars.testing import assert_frame_equal

from lib.engine import store
from lib.engine.kpis import BY_KEY

pytest.importorskip("pyspark", reason="Spark is optional: pip install -r requirements-spark.txt")
pytest.importorskip("grpc", reason="Spark Connect's client: pip install -r requirements-spark.txt")
from lib.analysis import team  # noqa: E402

pytestmark = pytest.mark.slow
SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
STARTUP_S = 180  # a JVM and Spark's start on a busy 2-core machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """A Spark Connect server on a free port (`local[2]` behind it), stopped after the module."""
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    command = [
        str(home / "bin" / "spark-submit"),
        "--class",
        SERVER,
        "--master",
        "local[2]",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.sql.session.timeZone=UTC",
        "spark-internal",
    ]
    environment = {**os.environ, "SPARK_HOME": str(home), "PYSPARK_PYTHON": sys.executable}
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
    try:
        deadline = time.monotonic() + STARTUP_S
        while "Spark Connect server started" not in log.read_text(errors="replace"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the Spark Connect server did not start: {log.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def _probe(endpoint: str, files: dict[str, str], tmp_path: Path) -> dict:
    """The lake engine's answers over `endpoint`, from a process of its own (tests/lake_connect_probe.py)."""
    listed = tmp_path / "files.json"
    listed.write_text(json.dumps(files), encoding="utf-8")
    probe = Path(__file__).with_name("lake_connect_probe.py")
    done = subprocess.run(
        [sys.executable, str(probe), endpoint, str(listed)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def over_connect(endpoint, lake_files, tmp_path_factory) -> dict:
    return _probe(endpoint, lake_files, tmp_path_factory.mktemp("probe"))


def test_the_app_opens_a_connect_session(over_connect):
    assert over_connect["session"].startswith("pyspark.sql.connect"), over_connect["session"]


@pytest.mark.parametrize("name", SCOPES)
def test_the_overview_numbers_agree_over_connect(lake_local, over_connect, name):
    here, there = lake_local.summarise(SCOPES[name], SETTINGS), over_connect["summaries"][name]
    assert here.current["tickets"] > 0
    for key in BY_KEY:
        assert agree(here.current[key], there["current"][key], key), (
            key,
            here.current[key],
            there["current"][key],
        )
        assert agree(here.previous[key], there["previous"][key], key), key


def test_the_sidebar_team_and_forecast_agree_over_connect(lake_local, over_connect):
    assert [d.isoformat() for d in lake_local.date_bounds()] == over_connect["bounds"]
    assert lake_local.dimension_values() == over_connect["dimensions"]
    assert lake_local.tables() == over_connect["tables"]
    here = team.table(lake_local.frames(team.frames, SCOPES["a quarter with filters"]), SETTINGS)
    assert here.select("agent", "tickets").to_dicts() == over_connect["team"]
    there = pl.read_json(io.StringIO(over_connect["daily"]))
    assert_frame_equal(lake_local.daily_counts(store.Scope(), "region"), there, check_dtypes=False)


def test_what_comes_back_over_connect_is_small(over_connect):
    counts = over_connect["rows_back"]
    assert counts, "nothing was read over Connect: the count proves nothing"
    assert max(counts) <= ROW_BOUND, max(counts)


def test_a_connect_endpoint_that_is_not_there_is_one_sentence(lake_files, tmp_path):
    nowhere = f"sc://127.0.0.1:{_free_port()}/;token=secret-token"
    said = _probe(nowhere, {"tickets": lake_files["tickets"]}, tmp_path)["error"]
    for lang in ("en", "zh"):
        assert "127.0.0.1" in said[lang] and "secret-token" not in said[lang], said[lang]
        assert "AFTERSIGHT_SPARK_MASTER" in said[lang] and "Traceback" not in said[lang]
