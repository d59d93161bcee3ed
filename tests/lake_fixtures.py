"""What the lake tests share: the seeded tables, the scopes, the app started in the Spark mode.

The same seeded 100,000 tickets (tests/kpi_data.py, with nulls and edge cases) are loaded into a session
DuckDB (the local engine) and written as Parquet for Spark `local[2]` (the lake engine,
`lib.ui.engines.Lake`). The fixtures built from these (`lake_data`, `lake_local`, `lake_files`,
`lake_engine`, `lake_app`) are in conftest.py, made once per test run.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import kpi_data
import polars as pl
from streamlit.testing.v1 import AppTest

from lib import lake
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings

ROWS = 100_000
APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180
# The lake's tickets carry a Chinese export's headers, one with a backtick (an identifier to quote).
LAKE_HEADERS = {"ticket_id": "工单`号", "created_at": "报修时间", "region": "区域"}
SETTINGS = Settings(targets=(("resolution_rate", 0.9),), priority_targets=(("P1", 2.0, 24.0),))
SCOPES = {
    "a month": store.Scope(date(2024, 3, 1), date(2024, 3, 31)),
    "a quarter with filters": store.Scope(
        date(2024, 7, 1),
        date(2024, 9, 30),
        filters=(("region", ("华东", "华南")), ("channel", ("电话", None))),
    ),
    "a drill-down": store.Scope(date(2024, 5, 1), date(2024, 5, 31))
    .narrowed("category", "漏水")
    .narrowed("product", None),
    "against last year": store.Scope(date(2024, 6, 1), date(2024, 6, 30), compare="year"),
}
# The most rows any one answer of the lake may bring back: a year of days, or a dimension's values.
ROW_BOUND = lake.DIMENSION_VALUES


def write_lake(data: dict[str, pl.DataFrame], folder: Path) -> dict[str, str]:
    """The tables as Parquet in `folder`, and the mapping file that names the tickets' backticked id column."""
    files = kpi_data.as_lake(data, folder, LAKE_HEADERS)
    mapping_file = folder / "mapping.json"
    mapping_file.write_text(
        json.dumps(
            {"aftersight_mapping": 1, "tables": {"tickets": {"ticket_id": "工单`号"}}, "settings": {}},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    files["mapping"] = str(mapping_file)
    return files


def lake_environment(files: dict[str, str], monkeypatch) -> None:
    """The administrator's lake setting in the environment, the lake caches empty (the `lake_app` fixture)."""
    monkeypatch.setenv(lake.ENGINE_SETTING, "spark")
    monkeypatch.setenv(lake.MAPPING_SETTING, files["mapping"])
    for table in ("tickets", "surveys", "customers"):
        monkeypatch.setenv(lake.SOURCE_SETTINGS[table], files[table])
    forget()


def forget() -> None:
    from lib.ui import engines

    engines.forget()
    engines._opened.clear()


def lake_setting(files: dict[str, str]) -> lake.Config:
    return lake.config(
        {
            lake.ENGINE_SETTING: "spark",
            lake.MAPPING_SETTING: files["mapping"],
            **{lake.SOURCE_SETTINGS[t]: files[t] for t in ("tickets", "surveys", "customers")},
        }
    )


def agree(here: float | None, there: float | None, key: str) -> bool:
    if here is None or there is None:
        return here is None and there is None
    if BY_KEY[key].unit == "count":
        return here == there
    return math.isclose(here, there, rel_tol=1e-9, abs_tol=1e-12)


def start(lang: str = "en", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def goto(at: AppTest, page: str, lang: str) -> AppTest:
    """Switch page, then pick the language again (AppTest redraws the sidebar: tests/test_pages.py's goto)."""
    at.switch_page(f"pages/{page}.py").run()
    at.radio(key="lang").set_value("zh" if lang == "en" else "en").run()
    return at.radio(key="lang").set_value(lang).run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in [*parts, *(e.value for e in at.error)])


def rows_back(frame_class: type, patch) -> list[int]:
    """Count the rows of every way `frame_class` (a Spark DataFrame class, classic or Connect) hands rows to
    Python, from now on: `patch` is `monkeypatch.setattr` (undone after the test) or `setattr`."""
    counts: list[int] = []
    for method in ("collect", "toArrow", "toPandas", "toLocalIterator"):
        original = getattr(frame_class, method)

        def counted(self, *args, _original=original, **kwargs):
            result = _original(self, *args, **kwargs)
            counts.append(result.num_rows if hasattr(result, "num_rows") else len(result))
            return result

        patch(frame_class, method, counted)
    return counts
