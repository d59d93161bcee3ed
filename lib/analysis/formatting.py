"""Numbers as people read them: percentages, hours, yuan, counts, with signs for changes."""

from __future__ import annotations

import re

from lib.engine.kpis import Kpi

_SUFFIX = {"hours": (" 小时", " h"), "minutes": (" 分钟", " min")}
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def literal(text: object) -> str:
    """`text` (a category, a name, a file name: anything a user wrote) safe inside Streamlit Markdown.

    CommonMark lets a backslash escape any ASCII punctuation, so `**x**`, `[a](b)`, `<script>`,
    `:red[x]` and `$x$` all show as typed; Chinese and other letters are untouched.
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


def value(kpi: Kpi, number: float | None, lang: str = "en") -> str:
    """A KPI value for a card or a sentence; "—" when not available."""
    if number is None:
        return "—"
    zh = lang == "zh"
    if kpi.unit == "ratio":
        return f"{number:.1%}"
    if kpi.unit == "count":
        return f"{number:,.0f}"
    if kpi.unit == "currency":
        return f"¥{number:,.0f}" if abs(number) >= 1000 else f"¥{number:,.2f}"
    if kpi.unit in _SUFFIX:
        return f"{number:,.1f}{_SUFFIX[kpi.unit][0 if zh else 1]}"
    if kpi.unit == "score":
        return f"{number:.2f}"
    return f"{number:,.1f}"


def delta(kpi: Kpi, absolute: float | None, relative: float | None, lang: str = "en") -> str | None:
    """The change shown under a card: points for ratios, else the relative change."""
    if absolute is None:
        return None
    if kpi.unit == "ratio":
        return f"{absolute * 100:+.1f} {'个百分点' if lang == 'zh' else 'pp'}"
    if kpi.unit == "points":
        return f"{absolute:+.1f}"
    if relative is None:  # nothing to compare with in relative terms (previous was 0)
        return f"{absolute:+,.0f}" if kpi.unit == "count" else f"{absolute:+,.1f}"
    return f"{relative:+.1%}"
