"""Run by tests/test_lake_connect.py in its own process: the lake engine over Spark Connect, answers as JSON.

A Python process is either a classic Spark client or a Connect client (PySpark decides per process), so
the Connect side of the comparison cannot share the test run's `local[2]` session.
Usage: python tests/lake_connect_probe.py ENDPOINT FILES_JSON  →  JSON on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from lake_fixtures import SCOPES, SETTINGS, rows_back  # noqa: E402

from lib import lake  # noqa: E402
from lib.analysis import team  # noqa: E402
from lib.engine import store  # noqa: E402
from lib.errors import InputError  # noqa: E402
from lib.ui import engines  # noqa: E402


def main(endpoint: str, files: dict[str, str]) -> dict:
    setting = lake.config(
        {
            lake.ENGINE_SETTING: "spark",
            lake.MASTER_SETTING: endpoint,
            **({lake.MAPPING_SETTING: files["mapping"]} if "mapping" in files else {}),
            **{lake.SOURCE_SETTINGS[t]: files[t] for t in ("tickets", "surveys", "customers") if t in files},
        }
    )
    try:
        spark = engines.on_spark(setting, lambda: lake.session(setting.master))
        tables = engines.on_spark(setting, lambda: lake.open_tables(spark, setting)[0])
    except InputError as error:
        return {"error": {lang: error.message(lang) for lang in ("en", "zh")}}
    on_lake = engines.Lake(setting, tables)
    # a row per day and segment is the forecast's stated exception to "a row per group" (docs/scaling.md)
    daily = on_lake.daily_counts(store.Scope(), "region").write_json()
    from pyspark.sql.connect.dataframe import DataFrame

    counts = rows_back(DataFrame, setattr)
    summaries = {}
    for name, scope in SCOPES.items():
        summary = on_lake.summarise(scope, SETTINGS)
        summaries[name] = {"current": summary.current, "previous": summary.previous}
    quarter = team.table(on_lake.frames(team.frames, SCOPES["a quarter with filters"]), SETTINGS)
    bounds = on_lake.date_bounds()
    return {
        "session": type(spark).__module__,
        "summaries": summaries,
        "bounds": [d.isoformat() for d in bounds],
        "dimensions": on_lake.dimension_values(),
        "tables": on_lake.tables(),
        "team": quarter.select("agent", "tickets").to_dicts(),
        "daily": daily,
        "rows_back": counts,
    }


if __name__ == "__main__":
    print(
        json.dumps(
            main(sys.argv[1], json.loads(Path(sys.argv[2]).read_text())), ensure_ascii=False, default=str
        )
    )
