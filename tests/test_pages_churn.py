"""AppTest for the Churn page: rate and forecast, model quality in words, the at-risk list and its filters."""

import pytest
from streamlit.testing.v1 import AppTest
from test_pages import APP, relang, texts

pytestmark = pytest.mark.slow  # the page trains and checks a model (10–40 s on 2 shared cores)


@pytest.fixture(scope="module")
def churn_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/churn.py").run()
    return relang(at, "en")


def test_churn_page_shows_rate_quality_and_at_risk_list(churn_page):
    at = churn_page
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Checked on" in shown and "AUC" in shown
    headings = [h.value for h in at.subheader]
    for heading in (
        "Monthly churn rate and forecast",
        "Customers at risk",
        "Churn rate by customer attribute",
    ):
        assert heading in headings
    assert len(at.get("vega_lite_chart")) >= 5


def test_filtering_the_list_by_region(churn_page):
    at = churn_page
    before = next(c.value for c in at.caption if "Showing" in c.value)
    at.multiselect(key="churn_region").set_value(["华东"]).run()
    assert not at.exception
    after = next(c.value for c in at.caption if "Showing" in c.value)
    assert after != before
