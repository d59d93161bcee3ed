"""The caps every reader checks: what one uploaded file may cost, each raised by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """A cap on what one uploaded file may cost; an administrator raises it with `env`."""

    env: str
    default: float
    what: str


# Declared once: README's "Limits" paragraph lists the same variables (a test checks).
LIMITS: dict[str, Limit] = {
    "rows": Limit("AFTERSIGHT_MAX_ROWS", 5_000_000, "data rows in one file"),
    "columns": Limit("AFTERSIGHT_MAX_COLUMNS", 1_000, "columns in one file"),
    "cell_chars": Limit(
        "AFTERSIGHT_MAX_CELL_CHARS", 32_767, "characters kept of one text value (Excel's own cap)"
    ),
    "excel_unpacked_mb": Limit(
        "AFTERSIGHT_MAX_EXCEL_UNPACKED_MB", 1_024, "MB of an Excel file once unzipped"
    ),
    "excel_ratio": Limit("AFTERSIGHT_MAX_EXCEL_RATIO", 200, "times a part over 8 MB may grow when unzipped"),
    "excel_memory_mb": Limit(
        "AFTERSIGHT_EXCEL_MEMORY_MB", 2_048, "MB of memory the Excel reader process may use"
    ),
    "excel_seconds": Limit("AFTERSIGHT_EXCEL_SECONDS", 120, "seconds the Excel reader process may take"),
    "excel_workers": Limit("AFTERSIGHT_EXCEL_WORKERS", 2, "Excel files read at the same time (others wait)"),
}


def limit(name: str) -> float:
    """The value of limit `name`: its environment variable when set to a positive number, else the default."""
    spec = LIMITS[name]
    try:
        value = float(os.environ.get(spec.env, ""))
    except ValueError:
        return spec.default
    return value if value > 0 else spec.default


def limit_params(name: str) -> dict[str, str]:
    value = limit(name)
    return {"limit": f"{value:,.0f}" if value >= 1 else f"{value:g}", "env": LIMITS[name].env}
