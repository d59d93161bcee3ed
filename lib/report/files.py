"""The report as files: one self-contained HTML (inline SVG charts and styles, no external request,
prints on A4), a PDF printed from it by headless Chromium, and its tables as a workbook.

All user text (team name, category values, edited findings) reaches the HTML through Jinja2's
autoescaping; only the SVG that vl-convert drew from our own chart specs is inserted as markup.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import jinja2
import polars as pl

from lib import export
from lib.charts.export import to_svg
from lib.charts.look import FONT
from lib.engine.kpis import BY_KEY
from lib.i18n import t
from lib.report.content import SECTIONS, Report
from lib.report.context import Figure
from lib.report.sentences import label

PDF_TIMEOUT_SECONDS = 120
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_ZH_NUMBERS = "一二三四五六七八九十"
_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def file_name(report: Report, suffix: str) -> str:
    """aftersight-report-2026-10-01-2026-10-31-zh.html"""
    start, end = report.scope.start or "all", report.scope.end or "data"
    return f"aftersight-report-{start}-{end}-{report.lang}.{suffix}"


def render(
    report: Report,
    include: Sequence[str] | None = None,
    findings: list[str] | None = None,
    measures: list[str] | None = None,
) -> str:
    """The HTML document: cover, contents and the sections in `include` (default all, in `SECTIONS` order).

    `findings` and `measures` replace the generated summary and measures (the page's edited text).
    """
    lang = report.lang
    chosen = [key for key in SECTIONS if include is None or key in include]
    items, number = [], 0
    for key in chosen:
        if key != "summary":
            number += 1
        prefix = (
            "" if key == "summary" else (f"{_ZH_NUMBERS[number - 1]}、" if lang == "zh" else f"{number}. ")
        )
        section = report.sections.get(key)
        blocks = [_block(b, f"{key}{i}") for i, b in enumerate(section.blocks)] if section else []
        items.append(
            {
                "key": key,
                "number": prefix,
                "heading": t(f"rpt.section.{key}", lang),
                "section": section,
                "blocks": blocks,
            }
        )
    title = t("rpt.title", lang, team=report.team)
    return _ENVIRONMENT.get_template("report.html.j2").render(
        lang=lang,
        title=title,
        font=FONT,
        cover=cover_lines(report),
        note=t("rpt.cover.note", lang),
        contents_title=t("rpt.contents", lang),
        sections=items,
        findings=report.findings if findings is None else findings,
        measures=[m.text for m in report.measures] if measures is None else measures,
        problems=[_problem(p, report) for p in report.problems],
    )


def cover_lines(report: Report) -> list[str]:
    """Period, comparison, filters, generated date and data rows, in words."""
    lang, scope = report.lang, report.scope
    lines = [
        t("rpt.cover.period", lang, start=scope.start, end=scope.end)
        if scope.start and scope.end
        else t("rpt.cover.all", lang)
    ]
    before = report.comparison
    if before:
        # Not covered: the one place the report says why it shows no change (its sentences leave it out).
        lines.append(
            t(
                "rpt.cover.compare" if before.covered else f"rpt.cover.{before.state}",
                lang,
                when=t(f"rpt.compare.{scope.compare}", lang),
                start=before.period.start,
                end=before.period.end,
                data_from=before.data_from,
            )
        )
    if scope.filters:
        sep = "；" if lang == "zh" else "; "
        lines.append(
            t(
                "rpt.cover.filters",
                lang,
                filters=sep.join(
                    f"{t(f'field.{d}', lang)} {'、'.join(str(v) for v in values) or '—'}"
                    for d, values in scope.filters
                ),
            )
        )
    lines.append(t("rpt.cover.generated", lang, date=report.generated.isoformat()))
    rows = ("、" if lang == "zh" else ", ").join(
        f"{t(f'table.{name}', lang)} {count:,}" for name, count in report.rows.items() if count
    )
    lines.append(t("rpt.cover.rows", lang, rows=rows or "—"))
    return lines


def _problem(problem, report: Report) -> dict:
    kpi = BY_KEY[problem.key]
    return {
        "title": label(kpi, report.lang),
        "state": problem.state,
        "status": t(f"status.{problem.state}", report.lang),
        "evidence": problem.evidence,
    }


def _block(block, name: str) -> dict:
    if isinstance(block, Figure):
        return {"title": block.title, "svg": inline_svg(block.svg or to_svg(block.chart), name)}
    columns, rows = cells(block.frame)
    return {"title": block.title, "svg": None, "columns": columns, "rows": rows}


def inline_svg(svg: str, prefix: str) -> str:
    """vl-convert's SVG made fit for inlining: no namespace URLs (HTML needs none), SVG 2 `href`, and its
    ids (`clip1`…, the same in every chart) made unique with `prefix`, or one chart would clip another.
    """
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", svg, count=2)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


def cells(frame: pl.DataFrame) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    """Headers and rows as text: thousands separators, two decimals at most, "—" for a missing value."""
    rows = []
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    for row in frame.iter_rows():
        out = []
        for value, is_number in zip(row, numeric, strict=True):
            if value is None:
                out.append(("—", is_number))
            elif isinstance(value, bool):
                out.append(("✓" if value else "✗", False))
            elif isinstance(value, int):
                out.append((f"{value:,}", True))
            elif isinstance(value, float):
                out.append((f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}", True))
            elif isinstance(value, date):
                out.append((value.isoformat(), False))
            else:
                out.append((str(value), False))
        rows.append(out)
    return list(frame.columns), rows


def chromium() -> str | None:
    """The headless browser that prints the PDF, or None when none is installed."""
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def pdf(html: str) -> bytes:
    """The HTML printed to an A4 PDF by headless Chromium (offline: the file has no external resource).

    Raises RuntimeError when no Chromium is installed or printing fails.
    """
    browser = chromium()
    if browser is None:
        raise RuntimeError("no Chromium found for printing the PDF")
    with tempfile.TemporaryDirectory(prefix="aftersight-report-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False)
        if done.returncode != 0 or not target.is_file():
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"Chromium could not print the PDF: {detail[0]}")
        return target.read_bytes()


def page_count(document: bytes) -> int:
    """Pages in a PDF (the /Type /Page objects): enough to check a print is sane."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", document))


def workbook(report: Report, findings: list[str] | None = None, measures: list[str] | None = None) -> bytes:
    """Every table of the report as a sheet, after a first sheet with the summary and the measures."""
    lang = report.lang
    texts = [
        (t("rpt.section.summary", lang), line) for line in (report.findings if findings is None else findings)
    ]
    texts += [
        (t("rpt.section.measures", lang), line)
        for line in ([m.text for m in report.measures] if measures is None else measures)
    ]
    first = pl.DataFrame(
        texts, schema=[t("rpt.column.section", lang), t("rpt.column.text", lang)], orient="row"
    )
    sheets = {t("rpt.section.summary", lang): first}
    sheets.update({name: table.frame for name, table in report.tables().items()})
    return export.xlsx_bytes(sheets)
