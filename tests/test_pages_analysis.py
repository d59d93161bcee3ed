"""AppTest for the analysis pages: sample data, a minimal file, drill-down, settings flowing through."""

import json

import pyarrow as pa
import pytest
from test_pages import goto, relang, start, texts

from lib.i18n import t

ANALYSIS = ["pages/efficiency.py", "pages/satisfaction.py", "pages/team.py", "pages/cost.py"]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def load_minimal(lang: str):
    """A session whose only data is a tickets file with the two required columns."""
    at = goto(start(lang), "pages/data.py", lang)
    csv = "工单号,创建时间\nA1,2026-10-01 08:00\nA2,2026-10-02 09:30\nA3,2026-10-20 17:00\n"
    at.file_uploader(key="upload_tickets").upload("minimal.csv", csv.encode("utf-8"), "text/csv").run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("load_"))).click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", ANALYSIS)
def test_analysis_page_on_sample_data_has_cards_charts_and_a_workbook(page):
    at = goto(start("en"), page, "en")
    assert not at.exception, at.exception
    assert at.metric, "no KPI cards"
    assert all(m.value != "—" for m in at.metric[:3]), metrics(at)
    assert at.get("vega_lite_chart"), "no charts"
    assert any("Download every table on this page" in b.label for b in at.get("download_button"))


@pytest.mark.parametrize("page", ANALYSIS)
def test_analysis_page_with_only_the_required_columns_says_what_is_missing(page):
    at = load_minimal("zh")
    goto(at, page, "zh")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "需要列" in shown or "需要上传" in shown, shown


def test_a_drill_narrows_every_card_and_can_be_cleared():
    at = goto(start("en"), "pages/cost.py", "en")
    before = metrics(at)
    at.session_state["_aftersight_drills"] = {"cost": {"category": "漏水"}}
    at.run()
    assert not at.exception
    assert "Drilled into Category = 漏水" in texts(at)
    drilled = metrics(at)
    assert drilled.keys() == before.keys() and len(before) == 5
    assert all(drilled[label] != before[label] for label in before), (before, drilled)
    at.button(key="drill_clear_cost_category").click().run()
    assert metrics(at) == before
    assert "Drilled into" not in texts(at)


def test_filter_every_page_moves_a_drill_into_the_sidebar():
    at = goto(start("en"), "pages/team.py", "en")
    at.session_state["_aftersight_drills"] = {"team": {"channel": "电话"}}
    at.run()
    at.button(key="drill_all_team_channel").click().run()
    assert not at.exception
    assert at.multiselect(key="filter_channel").value == ["电话"]
    goto(at, "pages/overview.py", "en")
    assert at.query_params["channel"] in ("电话", ["电话"])  # AppTest keeps one value as text


def test_same_period_last_year_is_the_comparison():
    at = start("en", compare="year")
    assert "compared with 2025-10-01 to 2025-10-31" in texts(at)
    goto(at, "pages/efficiency.py", "en")  # AppTest resets the sidebar on a page switch (see goto)
    at.radio(key="compare").set_value("year").run()
    assert "compared with 2025-10-01 to 2025-10-31" in texts(at)
    assert at.query_params["compare"] == "year"


def test_overview_drills_into_a_category_too():
    at = start("en")
    before = metrics(at)["Tickets"]
    at.session_state["_aftersight_drills"] = {"overview": {"category": "漏水"}}
    relang(at.run(), "en")  # the rerun is drawn by the page itself (see test_pages.relang)
    assert not at.exception
    assert "Drilled into Category = 漏水" in texts(at)
    assert int(metrics(at)["Tickets"].replace(",", "")) < int(before.replace(",", ""))


def date_only_export() -> bytes:
    """60 tickets in March 2024 written as dates only, resolved 0–3 days later; one without a created date."""
    rows = ["ticket_id,created_at,first_response_at,resolved_at,channel"]
    for n in range(60):
        day = n % 28 + 1
        resolved = min(day + n % 4, 31)
        rows.append(
            f"D{n},2024-03-{day:02d},2024-03-{day:02d},2024-03-{resolved:02d},{['电话', '在线'][n % 2]}"
        )
    rows.append("D99,,2024-03-02,2024-03-03,电话")  # excluded: the report has a table
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_date_only_export_is_said_once_and_efficiency_shows_days_without_heat_maps(lang):
    at = goto(start(lang), "pages/data.py", lang)
    at.file_uploader(key="upload_tickets").upload("dates.csv", date_only_export(), "text/csv").run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("load_"))).click().run()
    assert not at.exception, at.exception
    said = [i.value for i in at.info if i.value == t("report.date_only", lang)]
    assert len(said) == 1, [i.value for i in at.info]
    # The report's counts read with a thousands separator; the cells stay numbers.
    report = next(d for d in at.dataframe if t("report.col_rows", lang) in json.loads(d.proto.columns))
    rows = json.loads(report.proto.columns)[t("report.col_rows", lang)]
    assert rows["type_config"] == {"type": "number", "format": "%,d"}

    goto(at, "pages/efficiency.py", lang)
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert t("efficiency.no_hours", lang) in captions and t("efficiency.whole_days", lang) in captions
    charts = {json.loads(chart.proto.spec).get("title"): chart for chart in at.get("vega_lite_chart")}
    for heat_map in ("efficiency.arrivals", "efficiency.response_by_hour"):
        assert t(heat_map, lang) not in charts, list(charts)
    specs = [json.loads(chart.proto.spec) for chart in charts.values()]
    assert not any(spec.get("mark", {}).get("type") == "rect" for spec in specs)  # no heat map at all
    resolution = charts[t("efficiency.histogram_title", lang, name=t("efficiency.resolution", lang))]
    x = json.loads(resolution.proto.spec)["layer"][0]["encoding"]["x"]
    assert x["title"] == t("efficiency.days_axis", lang)
    # Whole days: one bin per day (0, 1, 2, 3 days later), not 0.4-hour slices of 72 hours.
    bins = [pa.ipc.open_stream(d.data.data).read_all() for d in resolution.proto.datasets]
    (bins,) = [b for b in bins if "bin_start" in b.column_names]
    assert list(zip(bins["bin_start"].to_pylist(), bins["tickets"].to_pylist(), strict=True)) == [
        (0, 15),
        (1, 15),
        (2, 15),
        (3, 15),
    ]
    assert at.metric, "the KPI cards stay"


def test_efficiency_on_timed_sample_data_keeps_heat_maps_and_hours():
    at = goto(start("en"), "pages/efficiency.py", "en")
    titles = [json.loads(chart.proto.spec).get("title") for chart in at.get("vega_lite_chart")]
    assert t("efficiency.arrivals", "en") in titles and t("efficiency.response_by_hour", "en") in titles
    assert t("efficiency.no_hours", "en") not in [c.value for c in at.caption]
