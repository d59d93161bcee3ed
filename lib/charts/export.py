"""Offline PNG/SVG export of charts through vl-convert, with the CJK fonts registered once per process."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import altair as alt
import vl_convert

logger = logging.getLogger(__name__)


# ---- Export settings ------------------------------------------------------------------

EXPORT_WIDTH = 720  # px before `scale`, for charts drawn with width="container"
EXPORT_HEIGHT = 360  # px, only for height="container"
FONT_DIRECTORIES = (
    "/usr/share/fonts/opentype/noto",  # Debian/Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Arch
    "/usr/share/fonts/google-noto-cjk",  # Fedora
)
# "v6.4.1" -> "6.4": render with the Vega-Lite release Altair wrote the spec for.
_VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

_font_lock = threading.Lock()
_fonts_registered: bool | None = None  # None: not tried yet in this process


def register_cjk_fonts() -> bool:
    """Give vl-convert the Noto CJK fonts once per process; True if a folder was found.

    When no folder exists the export still works with whatever fonts the system has,
    but Chinese text may come out as boxes; a warning is logged so the page can say so.
    """
    global _fonts_registered
    with _font_lock:
        if _fonts_registered is None:
            found = [path for path in FONT_DIRECTORIES if Path(path).is_dir()]
            for path in found:
                vl_convert.register_font_directory(path)
            if not found:
                logger.warning(
                    "No CJK font folder found in %s; Chinese text in exported charts may not render.",
                    ", ".join(FONT_DIRECTORIES),
                )
            _fonts_registered = bool(found)
        return _fonts_registered


def _export_spec(chart: alt.TopLevelMixin) -> dict:
    register_cjk_fonts()
    spec = chart.to_dict()
    # "container" means "as wide as the page"; outside a page vl-convert falls back to
    # 300 px, so give images a fixed size, padding included.
    if spec.get("width") == "container" or spec.get("height") == "container":
        fit = []
        if spec.get("width") == "container":
            spec["width"] = EXPORT_WIDTH
            fit.append("x")
        if spec.get("height") == "container":
            spec["height"] = EXPORT_HEIGHT
            fit.append("y")
        spec["autosize"] = {"type": "fit" if len(fit) == 2 else f"fit-{fit[0]}", "contains": "padding"}
    return spec


def to_svg(chart: alt.TopLevelMixin) -> str:
    """SVG text of ``chart``, rendered offline (``EXPORT_WIDTH`` px wide for container charts)."""
    return vl_convert.vegalite_to_svg(_export_spec(chart), vl_version=_VL_VERSION, allowed_base_urls=[])


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """PNG bytes of ``chart``, rendered offline; ``scale`` 2 gives sharp images on HiDPI screens."""
    return vl_convert.vegalite_to_png(
        _export_spec(chart), vl_version=_VL_VERSION, scale=scale, allowed_base_urls=[]
    )
