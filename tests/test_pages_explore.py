"""AppTest for the Explore page: a question in both languages, the URL that reproduces it, saved views,
team measures, and impossible input said in one sentence."""

import json

import pyarrow as pa
import pytest
import test_pages_workspace
from test_pages import goto, start, texts

from lib.analysis import explore
from lib.i18n import t
from lib.ingest import mapping

PAGE = "pages/explore.py"
team = test_pages_workspace.team  # the team workspace fixture: 4 tickets, anyone may edit


def explore_page(lang: str = "en", **params: str):
    at = goto(start(lang, **params), PAGE, lang)
    assert not at.exception, at.exception
    return at


def specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_default_question_draws_bars_and_a_table(lang):
    at = explore_page(lang)
    assert at.title[0].value in ("自助分析", "Explore")
    assert at.multiselect(key="explore_kpis").value == ["tickets", "resolution_sla_rate"]
    assert len(specs(at)) == 2  # one chart per KPI
    assert at.dataframe, "no table"
    assert t("explore.status_legend", lang) in texts(at)  # the SLA rate has a target: cells coloured
    assert at.selectbox(key="explore_grain").placeholder == t(
        "explore.no_grain", lang
    )  # not "Choose an option"
    assert at.query_params["x_kpi"] in ("tickets,resolution_sla_rate", ["tickets,resolution_sla_rate"])


def test_two_dimension_question_gives_a_heat_map_a_pivot_and_the_url():
    at = explore_page("en")
    at.multiselect(key="explore_kpis").set_value(["fcr_rate"]).run()
    at.multiselect(key="explore_by").set_value(["region", "channel"]).run()
    assert not at.exception, at.exception
    (spec,) = specs(at)
    assert spec["mark"]["type"] == "rect" if "mark" in spec else True
    assert "Pivot table: First-contact resolution rate (%)" in [s.value for s in at.subheader]
    assert at.query_params["x_by"] in ("region,channel", ["region,channel"])
    assert len([d for d in at.dataframe if not d.key]) == 2  # the long table and the pivot
    at.segmented_control(key="explore_chart").set_value("multiples").run()
    assert not at.exception, at.exception
    panels = specs(at)
    assert 2 <= len(panels) <= 6  # one bar chart of channels per region, the largest regions


def test_a_copied_link_reproduces_the_question():
    at = explore_page(
        "en",
        x_kpi="csat,resolution_sla_rate",
        x_by="product",
        x_grain="month",
        x_min="40",
        x_f_category="投诉",
    )
    assert at.multiselect(key="explore_kpis").value == ["csat", "resolution_sla_rate"]
    assert at.multiselect(key="explore_by").value == ["product"]
    assert at.selectbox(key="explore_grain").value == "month"
    assert at.number_input(key="explore_min").value == 40
    assert at.multiselect(key="explore_f_category").value == ["投诉"]
    assert len(specs(at)) == 2


def test_save_a_view_open_it_later_rename_and_delete():
    at = explore_page("en")
    at.multiselect(key="explore_kpis").set_value(["repeat_contact_rate"]).run()
    at.multiselect(key="explore_by").set_value(["agent", "region"]).run()
    at.text_input(key="explore_save_name").input("repeat by engineer & region").run()
    at.button(key="explore_save").click().run()
    assert not at.exception, at.exception
    views = at.session_state["_aftersight_explore_views"]
    assert explore.from_params(views["repeat by engineer & region"]).by == ("agent", "region")
    # Something else is asked, then the view is opened again.
    at.multiselect(key="explore_by").set_value(["channel"]).run()
    at.selectbox(key="explore_view").set_value("repeat by engineer & region").run()
    at.button(key="explore_open").click().run()
    assert at.multiselect(key="explore_by").value == ["agent", "region"]
    at.text_input(key="explore_rename").input("by engineer").run()
    at.button(key="explore_rename_button").click().run()
    assert list(at.session_state["_aftersight_explore_views"]) == ["by engineer"]
    at.button(key="explore_delete").click().run()
    assert at.session_state["_aftersight_explore_views"] == {}


def test_saved_views_and_measures_travel_in_the_mapping_file():
    from lib.ui import session

    saved = {
        "measures": [
            {
                "key": "leak_24h",
                "label": {"zh": "漏水24小时修复率", "en": "Leaks fixed in 24 h"},
                "kind": "share",
                "where": [{"field": "resolved_at", "since": "created_at", "op": "under", "value": 24}],
                "among": [{"field": "category", "op": "equals", "value": "漏水"}],
                "better": "higher",
                "target": 0.6,
            },
            {"key": "broken", "label": "x", "kind": "count", "where": [{"field": "nope", "op": "equals"}]},
        ],
        "explore_views": {
            "leaks by city": explore.to_params(explore.Question(("leak_24h",), by=("region",)))
        },
    }
    text = mapping.dumps({}, saved)
    _, settings = mapping.loads(text)
    at = explore_page("en")
    at.session_state["_aftersight_measures"] = [m for m in settings["measures"] if m["key"] != "broken"]
    at.session_state["_aftersight_explore_views"] = settings["explore_views"]
    at.run()
    at.selectbox(key="explore_view").set_value("leaks by city").run()
    at.button(key="explore_open").click().run()
    assert not at.exception, at.exception
    assert at.multiselect(key="explore_kpis").value == ["leak_24h"]
    (spec,) = specs(at)
    assert "Leaks fixed in 24 h" in json.dumps(spec, ensure_ascii=False)
    assert session.measures.usable(saved["measures"])[1][0].key == "measure.unknown_field"


def test_a_measure_built_in_the_form_is_offered_as_a_kpi():
    at = explore_page("zh")
    at.text_input(key="measure_name_zh").input("投诉工单数").run()
    at.text_input(key="measure_key").input("complaint_count").run()
    at.selectbox(key="measure_kind").set_value("count").run()
    # The condition editor starts empty: a count of every ticket.
    at.button(key="measure_add").click().run()
    assert not at.exception, at.exception
    assert [m["key"] for m in at.session_state["_aftersight_measures"]] == ["complaint_count"]
    assert any("投诉工单数" in s.value for s in at.success)  # said after the rerun that lists it
    options = at.multiselect(key="explore_kpis").options
    assert any("投诉工单数" in option for option in options)


def test_an_impossible_measure_is_one_sentence():
    at = explore_page("en")
    at.text_input(key="measure_name_zh").input("bad").run()
    at.text_input(key="measure_key").input("Bad Key!").run()
    at.button(key="measure_add").click().run()
    assert not at.exception
    assert any("is not valid: start with a lower-case letter" in e.value for e in at.error)


def test_a_drill_on_a_bar_narrows_the_question_when_grouped_otherwise():
    at = explore_page("en")
    at.session_state["_aftersight_drills"] = {"explore": {"category": "漏水"}}
    at.run()
    assert "Drilled into Category = 漏水" in texts(at)
    at.multiselect(key="explore_by").set_value(["channel"]).run()
    assert not at.exception
    drilled = at.dataframe[0].value
    at.button(key="drill_clear_explore_category").click().run()
    assert at.dataframe[0].value.iloc[:, 1].sum() > drilled.iloc[:, 1].sum()


def test_a_view_saved_on_the_team_data_is_seen_by_the_next_session(team, monkeypatch):
    from lib.ingest import workspace
    from lib.ui import identity

    def on_team(lang="en"):
        return explore_page(lang, start="2025-03-01", end="2025-03-31")

    at = on_team()
    at.multiselect(key="explore_by").set_value(["channel"]).run()
    at.text_input(key="explore_save_name").input("by channel").run()
    at.button(key="explore_save").click().run()
    assert not at.exception, at.exception
    assert "by channel" in workspace.open_state(team).settings["explore_views"]
    colleague = on_team()
    assert colleague.selectbox(key="explore_view").options == ["by channel"]
    assert colleague.button(key="explore_delete")  # anyone may edit: no sign-in configured
    # A reader (signed in, not an editor) sees and opens the team's views but cannot rename or delete them.
    monkeypatch.setenv(identity.HEADER_ENV, "X-Remote-User")
    monkeypatch.setenv(identity.EDITORS_ENV, "alice@example.com")
    reader = on_team()
    assert reader.selectbox(key="explore_view").options == ["by channel"]
    assert not [b for b in reader.button if b.key in ("explore_delete", "explore_rename_button")]


def test_data_without_any_dimension_still_answers_overall():
    from test_pages_analysis import load_minimal

    at = load_minimal("zh")
    goto(at, PAGE, "zh")
    assert not at.exception, at.exception
    assert at.multiselect(key="explore_by").options == []
    labels = {m.label: m.value for m in at.metric}
    assert labels["工单量"] == "3"
    assert "解决达标率（T3）" in texts(at)  # needs a resolved time: said, not drawn as 0


def test_two_dimensions_by_month_draw_one_heat_map_row_per_pair():
    at = explore_page("en", x_kpi="tickets", x_by="region,channel", x_grain="month", x_top="2")
    at.segmented_control(key="explore_chart").set_value("heatmap").run()
    assert not at.exception, at.exception
    (chart,) = at.get("vega_lite_chart")
    (data,) = chart.proto.datasets
    rows = pa.ipc.open_stream(data.data.data).read_all().to_pylist()
    pairs = {row["y_label"] for row in rows}
    assert 4 <= len(pairs) <= 9 and all(" · " in pair for pair in pairs)  # (2 regions + other) × (2 + other)
    cells = [(row["x"], row["y"]) for row in rows]
    assert len(cells) == len(set(cells))  # one cell per period and pair


def test_a_hand_edited_link_opens_with_what_it_can_use():
    at = explore_page(
        "en",
        x_kpi="tickets,__import__('os'),csat",
        x_by='region,"); DROP TABLE tickets; --',
        x_grain="fortnight",
        x_top="999",
        x_order="sideways",
        x_sort="nope",
        x_min="-5",
        x_f_region="<script>alert(1)</script>",
    )
    assert at.multiselect(key="explore_kpis").value == ["tickets", "csat"]
    assert at.multiselect(key="explore_by").value == ["region"]
    assert at.selectbox(key="explore_grain").value is None
    assert at.number_input(key="explore_top").value == explore.MAX_TOP
    assert at.number_input(key="explore_min").value == 0
    assert at.multiselect(key="explore_f_region").value == []
    assert specs(at)


def test_the_heat_map_tooltip_gives_the_count_behind_each_cell():
    at = explore_page("en", x_kpi="fcr_rate", x_by="region,channel")
    (spec,) = specs(at)
    tooltips = [tip.get("title") for tip in spec["encoding"]["tooltip"]]
    assert tooltips[-1] == "Tickets"


def test_a_heat_map_cell_click_asks_for_both_values_and_other_is_no_drill():
    from lib import charts
    from lib.ui.explore_page import cell_values

    def event(x, y):
        return {"selection": {charts.SELECTION: [{"x": x, "y": y}]}}

    assert cell_values(event("电话", "华东"), ("region", "channel"), "en") == {
        "region": "华东",
        "channel": "电话",
    }
    assert cell_values(event("—", "华东"), ("region", "channel"), "zh") == {"region": "华东", "channel": None}
    assert cell_values(event("其他", "华东"), ("region", "channel"), "zh") is None
    assert cell_values({"selection": {}}, ("region", "channel"), "en") is None


def test_drills_on_both_dimensions_keep_the_heat_map_whole_and_narrow_the_next_question():
    at = explore_page("en", x_kpi="tickets", x_by="region,channel")
    cells = len(at.dataframe[0].value)
    at.session_state["_aftersight_drills"] = {"explore": {"region": "华东", "channel": "电话"}}
    at.run()
    assert not at.exception, at.exception
    assert "Drilled into Region = 华东" in texts(at) and "Drilled into Channel = 电话" in texts(at)
    assert len(at.dataframe[0].value) == cells  # the heat map's own question keeps every pair
    at.multiselect(key="explore_by").set_value(["product"]).run()
    narrowed = at.dataframe[0].value.iloc[:, 1].sum()
    everyone = explore_page("en", x_kpi="tickets", x_by="product").dataframe[0].value.iloc[:, 1].sum()
    assert 0 < narrowed < everyone / 4  # only 华东 · 电话 tickets, by product


def test_a_reader_adds_a_view_for_the_team_but_cannot_replace_one(team, monkeypatch):
    from lib.ingest import workspace
    from lib.ui import identity

    def on_team():
        return explore_page("en", start="2025-03-01", end="2025-03-31")

    def save(at, name):
        at.text_input(key="explore_save_name").input(name).run()
        at.button(key="explore_save").click().run()
        assert not at.exception, at.exception

    save(on_team(), "SLA")  # anyone may edit: no sign-in configured
    monkeypatch.setenv(identity.HEADER_ENV, "X-Remote-User")
    monkeypatch.setenv(identity.EDITORS_ENV, "alice@example.com")
    reader = on_team()
    reader.multiselect(key="explore_by").set_value(["channel"]).run()
    save(reader, "by channel")
    assert [s.value for s in reader.success] == ["Saved the view “by channel”; everyone on the team sees it."]
    views = workspace.open_state(team).settings["explore_views"]
    assert sorted(views) == ["SLA", "by channel"]
    save(reader, "SLA")  # taken, and a reader may not replace it
    assert [w.value for w in reader.warning] == [t("explore.view_taken", "en", name="SLA")]
    assert workspace.open_state(team).settings["explore_views"] == views
