"""The private APIs of our dependencies that we call, each in one place: these fail loudly on an upgrade
that moves them, naming the place to change (instead of a page that quietly misbehaves)."""

import inspect

import narwhals as nw
import polars as pl
from polars.testing import assert_frame_equal

from lib.engine import kpis


def test_narwhals_still_compiles_an_expression_to_polars():
    """lib/engine/kpis.py `to_polars`: narwhals' `_to_compliant_expr` and its Polars namespace (narwhals 2.29)."""
    frame = pl.DataFrame({"a": [1, 2, None], "b": [3, 4, 5]})
    expr = kpis.to_polars((nw.col("a").fill_null(0) + nw.col("b")).sum().alias("total"))
    assert isinstance(expr, pl.Expr)
    assert_frame_equal(frame.select(expr), pl.DataFrame({"total": [15]}))


def test_streamlit_still_has_the_pages_directory_switch():
    """lib/ui/frame.py `_legacy_first_run`: `PagesManager.uses_pages_directory` (Streamlit 1.67)."""
    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory"), "see lib/ui/frame.py _legacy_first_run"


def test_streamlit_still_tells_whether_a_session_is_alive():
    """lib/ui/session.py: `Runtime.instance().is_active_session` and `get_script_run_ctx` close the
    databases of sessions that have gone (Streamlit 1.67)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    assert callable(get_script_run_ctx) and callable(Runtime.exists)
    assert "session_id" in inspect.signature(Runtime.is_active_session).parameters


def test_streamlit_still_parses_a_selection_as_the_chart_test_expects():
    """tests/test_charts_every_builder.py `test_streamlit_accepts_the_selection` calls Streamlit's own
    `_parse_selection_mode` and `_stabilize_vega_json_spec` (what `st.altair_chart(on_select=...)` runs)."""
    from streamlit.elements import vega_charts

    assert callable(vega_charts._parse_selection_mode)
    assert callable(vega_charts._stabilize_vega_json_spec)


def test_altair_still_builds_channels_through_a_table_of_its_classes():
    """lib/charts/look.py `_build_encodings_fast`: `altair.utils.schemapi._FromDict(classes).class_dict`
    (Altair 6.3), built once instead of on every encoding given as a string."""
    import altair as alt
    from altair.utils import schemapi

    import lib.charts.look  # noqa: F401  (installs the table built once)

    classes = schemapi.SchemaBase._default_wrapper_classes()
    first, second = (
        schemapi._FromDict(classes),
        schemapi._FromDict(schemapi.SchemaBase._default_wrapper_classes()),
    )
    assert first.class_dict is second.class_dict and len(first.class_dict) > 100
    chart = alt.Chart().mark_point().encode(x="a:Q", y=alt.value(3))
    assert chart.to_dict()["encoding"] == {"x": {"field": "a", "type": "quantitative"}, "y": {"value": 3}}
