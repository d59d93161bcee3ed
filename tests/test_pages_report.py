"""AppTest for the Report page: generate, edit the summary, downloads offered, both languages."""

import pytest
from test_pages import goto, start, texts

from lib.i18n import t


@pytest.fixture(scope="module", params=["zh", "en"])
def generated(request):
    lang = request.param
    at = goto(start(lang), "pages/report.py", lang)
    assert not at.exception, at.exception
    at.checkbox(key="report_churn").uncheck().run()  # the churn model has its own slow tests
    at.button(key="report_generate").click().run(timeout=180)
    return lang, at


def test_before_generating_the_page_says_what_to_do():
    at = goto(start("en"), "pages/report.py", "en")
    assert not at.exception
    assert at.title[0].value == "Service report"
    assert t("rpt.page.press", "en") in texts(at)
    assert not at.text_area


def test_generated_report_offers_edits_and_downloads(generated):
    lang, at = generated
    assert not at.exception, at.exception
    findings = next(a for a in at.text_area if a.key.startswith("report_findings_"))
    lines = findings.value.splitlines()
    assert 5 <= len(lines) <= 8
    assert ("设有目标的" if lang == "zh" else "KPIs with a target") in lines[0]
    downloads = at.get("download_button")
    assert len(downloads) == 3
    assert at.title[0].value == t("rpt.page.title", lang)
    assert t("rpt.page.generate", lang) == at.button(key="report_generate").label


def test_editing_the_summary_keeps_the_page_running(generated):
    lang, at = generated
    findings = next(a for a in at.text_area if a.key.startswith("report_findings_"))
    findings.set_value("only this line").run()
    assert not at.exception, at.exception
    assert next(a for a in at.text_area if a.key.startswith("report_findings_")).value == "only this line"
