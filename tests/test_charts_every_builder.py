"""Checks every chart builder must pass: Chinese-only texts and the drill-down selection."""

from __future__ import annotations

import json
import re

import pytest
from chart_samples import BUILDERS, SELECTABLE, categories, datasets_with

from lib import charts

ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def visible_texts(spec) -> list[str]:
    """Every title in the spec, plus the quoted literals of Vega expressions (label texts)."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.append(value)
            elif key in ("calculate", "expr") and isinstance(value, str):
                found += re.findall(r"'([^']*)'", value)
            else:
                found += visible_texts(value)
    elif isinstance(spec, list):
        for item in spec:
            found += visible_texts(item)
    return found


def layer_with_params(spec: dict) -> dict:
    (view,) = [layer for layer in spec["layer"] if layer.get("name") in spec["params"][0].get("views", [])]
    return view


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_no_english_words_when_titles_are_chinese(name):
    texts = visible_texts(BUILDERS[name](False).to_dict())
    assert texts  # the walk found the titles
    assert [text for text in texts if ENGLISH_WORD.search(text)] == []


def test_english_word_check_can_fail():
    spec = charts.ranked_bars(
        categories(), category="类别", value="数量", category_title="Category", value_title="数", title="排行"
    ).to_dict()
    assert "Category" in [text for text in visible_texts(spec) if ENGLISH_WORD.search(text)]


# ---- drill-down selection ---------------------------------------------------------------


@pytest.mark.parametrize("name", SELECTABLE)
def test_selection_param_only_with_select(name):
    assert "params" not in BUILDERS[name](False).to_dict()
    spec = BUILDERS[name](True).to_dict()
    (param,) = spec["params"]
    assert param["name"] == charts.SELECTION == "pick"
    assert param["select"]["type"] == "point"
    assert param["select"]["on"] == "click"
    assert param["select"]["clear"] == "dblclick"
    expected = list(charts.HEATMAP_FIELDS) if name == "heatmap" else [charts.SELECTION_FIELD]
    assert param["select"]["fields"] == expected
    # Picked marks full, the rest faded, all full while nothing is picked.
    view = spec if "layer" not in spec else layer_with_params(spec)
    assert view["encoding"]["opacity"] == {
        "condition": [{"param": "pick", "empty": True, "value": 1.0}],
        "value": charts.FADED,
    }


@pytest.mark.parametrize("name", SELECTABLE)
def test_streamlit_accepts_the_selection(name):
    from streamlit.elements.vega_charts import _parse_selection_mode, _stabilize_vega_json_spec

    spec = json.loads(_stabilize_vega_json_spec(json.dumps(BUILDERS[name](True).to_dict())))
    assert _parse_selection_mode(spec, charts.SELECTION) == ["pick"]


def test_selection_field_carries_the_raw_value_not_the_label():
    spec = BUILDERS["driver_bars"](True).to_dict()
    (rows,) = datasets_with(spec, "category")
    assert [(row["category"], row["label"]) for row in rows] == [
        ("phone", "电话"),
        ("chat", "在线"),
        ("onsite", "onsite"),
        ("app", "app"),
    ]
    assert spec["layer"][0]["encoding"]["y"]["field"] == "label"


def test_ranked_bars_select_keeps_labels_unfaded_layers_without_params():
    spec = BUILDERS["ranked_bars"](True).to_dict()
    assert spec["params"][0]["views"] == [spec["layer"][0]["name"]]
    assert all("name" not in layer for layer in spec["layer"][1:])
