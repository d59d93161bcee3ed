"""User text (categories, names, file and column names) shows as typed wherever the app writes Markdown."""

import polars as pl
import pytest

from lib.analysis import formatting, overview, team
from lib.analysis.alerts import Contribution, Explanation
from lib.engine.kpis import Settings
from lib.errors import InputError
from lib.i18n import t

HOSTILE = [
    "**x**",
    "<script>alert(1)</script>",
    ":red[x]",
    "$1+1$",
    "[a](http://e.example)",
    "a_b\\c",
    "`code`",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_escapes_every_markdown_character(text):
    escaped = formatting.literal(text)
    # Every ASCII punctuation character is preceded by a backslash, so none can start Markdown.
    unescaped = [c for i, c in enumerate(escaped) if not c.isalnum() and c != "\\" and escaped[i - 1] != "\\"]
    assert unescaped == []
    assert escaped.replace("\\", "") == text.replace("\\", "")


def test_literal_keeps_chinese_and_letters():
    assert formatting.literal("空调 漏水 Lee 3") == "空调 漏水 Lee 3"


def test_error_message_escapes_its_parameters_for_the_page_only():
    error = InputError("read.empty", name="**boss**.csv")
    assert (
        error.message("en")
        == "The file “**boss**.csv” is empty. Check that the export worked and upload it again."
    )
    assert "“\\*\\*boss\\*\\*\\.csv”" in error.message("en", escape=formatting.literal)


def test_error_message_translates_our_field_names_before_escaping_the_rest():
    error = InputError("mapping.missing", field="created_at", table="tickets", candidates="a_b, **c**")
    shown = error.message("en", escape=formatting.literal)
    assert f"“{t('field.created_at', 'en')} (created_at)”" in shown  # looked up, then not escaped
    assert "candidates: a\\_b\\, \\*\\*c\\*\\*." in shown  # the file's own column names are


def test_alert_explanation_escapes_the_groups_it_names():
    part = Contribution((("category", "**x**"),), 0.8, 60.0, 100, 90)
    explanation = Explanation("resolution_hours_p90", 72.0, 52.0, 20.0, 20 / 52, (part,))
    plain = overview.explanation_sentence(explanation, Settings(), "en")
    shown = overview.explanation_sentence(explanation, Settings(), "en", escape=formatting.literal)
    assert "Category **x**" in plain  # the report and the CLI get the text itself
    assert "Category \\*\\*x\\*\\*" in shown


def test_team_outlier_lines_escape_the_persons_name():
    found = pl.DataFrame(
        {
            "agent": ["[boss](http://e.example)"],
            "metric": ["csat"],
            "value": [22.2],
            "median": [79.6],
            "low": [50.8],
            "high": [108.5],
            "direction": ["worse"],
        }
    )
    line = team.outlier_lines(found, "en")[0]
    assert "**\\[boss\\]\\(http\\:\\/\\/e\\.example\\)**" in line
