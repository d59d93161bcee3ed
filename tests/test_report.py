"""The service report: sections from the data, problems and measures, the HTML file, the workbook, the CLI."""

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import polars as pl
import pytest
from cli_output import error_lines

from lib import cli
from lib.analysis import formatting, overview
from lib.engine import store
from lib.engine.kpis import BY_KEY, Settings
from lib.i18n import t
from lib.report import content, files
from lib.report.context import Figure, Table
from lib.report.sections import PERFORMANCE_TABLE

OCTOBER = store.Scope(date(2026, 10, 1), date(2026, 10, 31))
SAMPLE_FILES = [
    "--tickets",
    "sample_data/tickets.csv",
    "--surveys",
    "sample_data/surveys.csv",
    "--customers",
    "sample_data/customers.csv",
]


class _Outline(HTMLParser):
    """Headings and text of an HTML document; fails on markup the parser cannot close."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._in_h2, self.headings = True, [*self.headings, ""]

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.headings[-1] += data


def outline(html: str) -> list[str]:
    parser = _Outline()
    parser.feed(html)
    parser.close()
    return [h.strip() for h in parser.headings]


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


@pytest.fixture(scope="module", params=["zh", "en"])
def sample_report(request, sample):
    built = content.build(
        sample, OCTOBER, Settings(), request.param, with_churn=False, today=date(2026, 11, 26)
    )
    return built, files.render(built)


def test_every_section_heading_in_the_language(sample_report):
    built, html = sample_report
    lang = built.lang
    expected = [t("rpt.section.summary", lang)] + [
        (f"{n}、" if lang == "zh" else f"{i}. ") + t(f"rpt.section.{key}", lang)
        for i, (n, key) in enumerate(zip("一二三四五六七八", content.SECTIONS[1:], strict=True), start=1)
    ]
    assert outline(html) == expected
    other = "en" if lang == "zh" else "zh"
    assert t("rpt.section.performance", other) not in html


def test_the_file_is_self_contained(sample_report):
    _, html = sample_report
    assert "http://" not in html and "https://" not in html  # no resource, not even a namespace URL
    style = html.split("<style>")[1].split("</style>")[0]
    assert "&#" not in style and "Noto Sans CJK SC" in style  # CSS is not HTML: quotes must stay quotes
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # only a chart's own clip paths
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "two charts share an id: one would clip the other"
    assert all(f'id="{ref}"' in html for ref in re.findall(r"url\(#([^)]+)\)", html))


def test_every_chart_is_well_formed_svg(sample_report):
    built, html = sample_report
    drawn = svgs(html)
    figures = [b for s in built.sections.values() for b in s.blocks if isinstance(b, Figure)]
    assert len(drawn) == len(figures) >= 6
    for svg in drawn:
        root = ET.fromstring(svg)
        assert root.tag == "svg" and float(root.get("width")) > 100
        assert len(root.findall(".//{*}path")) + len(root.findall(".//path")) > 3  # something is drawn


def test_kpi_values_are_the_clis(sample_report, capsys):
    """The report's KPI table shows what `python -m lib kpis` prints for the same files and dates."""
    built, html = sample_report
    assert cli.main(["kpis", *SAMPLE_FILES, "--start", "2026-10-01", "--end", "2026-10-31"]) == 0
    values = json.loads(capsys.readouterr().out)
    for key in (*PERFORMANCE_TABLE, "csat", "nps", "cost_per_ticket"):
        assert values[key] is not None
        assert f">{formatting.value(BY_KEY[key], values[key], built.lang)}<" in html, key


def test_summary_has_five_to_eight_findings_with_numbers(sample_report):
    built, _ = sample_report
    assert 5 <= len(built.findings) <= content.MAX_FINDINGS
    assert all(re.search(r"\d", line) for line in built.findings)


def test_problems_are_off_target_kpis_ranked_by_shortfall_with_measures(sample_report):
    built, _ = sample_report
    settings = Settings()
    assert built.problems, "the sample October misses several targets"
    shortfalls = [(p.state != "red", -p.shortfall) for p in built.problems]
    assert shortfalls == sorted(shortfalls)
    for problem, measure in zip(built.problems, built.measures, strict=True):
        kpi = BY_KEY[problem.key]
        assert measure.key == problem.key
        target = formatting.value(kpi, settings.target(kpi), built.lang)
        assert target in measure.text  # every measure names its KPI's target
        assert problem.evidence and target in problem.evidence[0]


def test_edited_text_and_chosen_sections(sample_report):
    built, _ = sample_report
    html = files.render(
        built, include=("summary", "cost"), findings=["Our own line <b>bold</b>"], measures=[]
    )
    assert "Our own line &lt;b&gt;bold&lt;/b&gt;" in html
    assert built.findings[0] not in html
    lang = built.lang
    assert outline(html) == [
        t("rpt.section.summary", lang),
        ("一、" if lang == "zh" else "1. ") + t("rpt.section.cost", lang),
    ]


def test_workbook_has_the_summary_and_every_table(sample_report):
    built, _ = sample_report
    data = files.workbook(built)
    sheets = pl.read_excel(io.BytesIO(data), sheet_id=0)
    first = next(iter(sheets.values()))
    assert first.height == len(built.findings) + len(built.measures)
    tables = [b for s in built.sections.values() for b in s.blocks if isinstance(b, Table)]
    assert len(sheets) == 1 + len(built.tables()) and len(built.tables()) == len(tables)


# ---- a tiny hand-made data set: what is missing is said, user text is escaped ------------------


@pytest.fixture
def tiny(con):
    start = datetime(2026, 3, 1, 9)
    rows = 40
    tickets = pl.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(rows)],
            "created_at": [start + timedelta(hours=12 * i) for i in range(rows)],
            "resolved_at": [start + timedelta(hours=12 * i + 100) if i % 4 else None for i in range(rows)],
            "category": ["<script>alert(1)</script>" if i % 2 else "**bold** & co" for i in range(rows)],
        }
    )
    store.load(con, "tickets", tickets)
    return con


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_files_and_columns_are_named_not_invented(tiny, lang):
    built = content.build(tiny, store.Scope(date(2026, 3, 1), date(2026, 3, 20)), Settings(), lang)
    sections = built.sections
    assert t("kpi.needs_file", lang, table=t("table.surveys", lang)) in " ".join(
        sections["satisfaction"].sentences
    )
    assert sections["cost"].sentences == [t("rpt.cost.none", lang)]
    assert overview.needs_sentence(("agent",), lang) in sections["team"].sentences[0]
    outlook = " ".join(sections["outlook"].sentences)
    assert t("kpi.needs_file", lang, table=t("table.customers", lang)) in outlook
    assert t("rpt.outlook.no_forecast", lang, why="")[:8] in outlook  # 20 days are too short to forecast
    html = files.render(built)
    assert outline(html)[0] == t("rpt.section.summary", lang)
    assert "http://" not in html and "https://" not in html


def test_user_text_is_escaped(tiny):
    built = content.build(
        tiny,
        store.Scope(date(2026, 3, 1), date(2026, 3, 20)),
        Settings(),
        "en",
        team="<img src=x onerror=alert(1)>",
    )
    html = files.render(built)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the category, shown literally
    assert "**bold** &amp; co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_resolution_problem_names_its_worst_group(tiny):
    built = content.build(tiny, store.Scope(date(2026, 3, 1), date(2026, 3, 20)), Settings(), "en")
    keys = [p.key for p in built.problems]
    assert "resolution_rate" in keys  # 3 of 4 resolved against 95 %
    assert all(p.state in ("red", "amber") for p in built.problems)


# ---- the command line ------------------------------------------------------------------------


def test_cli_writes_the_same_report(tmp_path, sample):
    out = tmp_path / "report.html"
    book = tmp_path / "report.xlsx"
    code = cli.main(
        [
            "report",
            *SAMPLE_FILES,
            "--start",
            "2026-10-01",
            "--end",
            "2026-10-31",
            "--lang",
            "en",
            "--no-churn",
            "--team",
            "East team",
            "--out",
            str(out),
            "--xlsx",
            str(book),
        ]
    )
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "East team: service report" in html
    built = content.build(sample, OCTOBER, Settings(), "en", team="East team", with_churn=False)
    assert built.findings[0] in html and built.findings[1] in html
    assert pl.read_excel(book, sheet_id=1).height == len(built.findings) + len(built.measures)


def test_cli_bad_range_is_one_line(tmp_path, capsys):
    code = cli.main(
        [
            "report",
            "--tickets",
            "sample_data/tickets.csv",
            "--start",
            "2026-10-31",
            "--end",
            "2026-10-01",
            "--out",
            str(tmp_path / "x.html"),
            "--lang",
            "en",
        ]
    )
    assert code == 2
    assert len(error_lines(capsys.readouterr().err)) == 1


@pytest.mark.slow
def test_pdf_prints_on_a_sane_number_of_a4_pages(sample):
    if files.chromium() is None:
        pytest.fail("Chromium is needed for the PDF; the README's setup installs it")
    built = content.build(sample, OCTOBER, Settings(), "zh", with_churn=False)
    document = files.pdf(files.render(built))
    assert document.startswith(b"%PDF")
    assert 10 <= files.page_count(document) <= 25  # cover + 9 sections, charts not cut
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", document)
    assert boxes and all(
        abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes
    )  # A4 in points


@pytest.mark.slow
def test_outlook_with_churn_names_customers_at_risk(sample):
    built = content.build(sample, OCTOBER, Settings(), "en")
    outlook = " ".join(built.sections["outlook"].sentences)
    assert "at high risk of leaving within 90 days" in outlook
    assert (
        "Holidays: China (mainland) — " in outlook
    )  # the page's default calendar (auto), said as on the page
    assert any(isinstance(b, Table) for b in built.sections["outlook"].blocks)
    assert any("high risk" in line for line in built.findings)


def test_whole_data_has_no_comparison_to_repeat(tiny):
    built = content.build(tiny, store.Scope(), Settings(), "en", with_churn=False)
    said = " ".join(built.sections["performance"].sentences)
    assert "Tickets: 40." in said and "previous period" not in said
    table = next(b for b in built.sections["performance"].blocks if isinstance(b, Table))
    assert table.frame.columns == ["KPI", "This period", "Target", "Status"]


# ---- a comparison period the data does not (fully) cover: said once, no change clause -------------

DAILY_FROM_16_NOVEMBER = pl.DataFrame(
    {
        # one ticket a day at 09:00 from 16 November 2024 to 31 March 2025; every fourth still open
        "ticket_id": [f"D{i}" for i in range(136)],
        "created_at": [datetime(2024, 11, 16, 9) + timedelta(days=i) for i in range(136)],
        "resolved_at": [
            datetime(2024, 11, 16, 9) + timedelta(days=i, hours=100) if i % 4 else None for i in range(136)
        ],
    }
)
QUARTER = store.Scope(date(2025, 1, 1), date(2025, 3, 31))  # compared with 1 Oct – 31 Dec 2024: half there


def _words(built: content.Report) -> str:
    """Every generated sentence of the report (not the cover): findings, sections, problems."""
    said = list(built.findings) + [s for section in built.sections.values() for s in section.sentences]
    return " ".join(said + [line for problem in built.problems for line in problem.evidence])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_half_covered_previous_quarter_is_said_once_and_not_compared(con, lang):
    """The user's case: a quarter read "+88.2 %" against a previous quarter half in the data."""
    store.load(con, "tickets", DAILY_FROM_16_NOVEMBER)
    built = content.build(con, QUARTER, Settings(), lang, with_churn=False)
    assert built.comparison.state == "partial"
    # 90 tickets this quarter; the 46 of 16 Nov – 31 Dec would have read "up 95.7%"
    assert built.sections["performance"].sentences[0] == {"en": "Tickets: 90.", "zh": "工单量为 90。"}[lang]
    words = _words(built)
    for compared in {"en": ("previous period", "comparison period", "95.7%"), "zh": ("上期", "对比期")}[lang]:
        assert compared not in words
    table = next(b for b in built.sections["performance"].blocks if isinstance(b, Table))
    assert t("rpt.compare_column.previous", lang) not in table.frame.columns
    note = {
        "en": "Not compared: the previous period (2024-10-01 to 2024-12-31) is only partly covered "
        "(data from 2024-11-16), so the report shows no changes",
        "zh": "不作对比：上期（2024-10-01 至 2024-12-31）数据不完整（自 2024-11-16 起），本报告不列变化",
    }[lang]
    html = files.render(built)
    assert html.count(note) == 1


def test_a_year_against_an_empty_year_before_and_a_covered_month(con, other_con):
    # the same tickets from 1 January 2025 only: nothing in 2024
    store.load(con, "tickets", DAILY_FROM_16_NOVEMBER.filter(pl.col("created_at") >= datetime(2025, 1, 1)))
    year = content.build(
        con, store.Scope(date(2025, 1, 1), date(2025, 12, 31)), Settings(), "en", with_churn=False
    )
    assert files.cover_lines(year)[1] == (
        "Not compared: there is no data for the previous period (2024-01-01 to 2024-12-31), "
        "so the report shows no changes"
    )
    assert year.sections["performance"].sentences[0] == "Tickets: 90."
    assert "previous period" not in _words(year)
    # January against December, in the data from 16 November: changes as before, 31 tickets each
    store.load(other_con, "tickets", DAILY_FROM_16_NOVEMBER)
    january = content.build(
        other_con, store.Scope(date(2025, 1, 1), date(2025, 1, 31)), Settings(), "en", with_churn=False
    )
    assert january.comparison.covered
    assert files.cover_lines(january)[1] == "Compared with the previous period (2024-12-01 to 2024-12-31)"
    assert "Tickets: 31, about the same as the previous period (31)." in _words(january)
