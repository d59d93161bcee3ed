"""Every sentence exists in both languages, and every key the code uses is in the catalogue."""

import re
import string
from pathlib import Path

import pytest

from lib.engine.kpis import KPIS
from lib.i18n import CATALOGUE, t
from lib.ingest.validation import EXCLUDED, FLAGGED
from lib.schema import DIMENSIONS, TABLES

ROOT = Path(__file__).resolve().parent.parent


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages_with_the_same_parameters(key):
    zh, en = CATALOGUE[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en)


def test_chinese_text_is_chinese():
    not_chinese = [
        k
        for k, (zh, _) in CATALOGUE.items()
        if not re.search(r"[\u4e00-\u9fff]", zh) and re.search(r"\w", re.sub(r"\{\w+\}", "", zh))
    ]  # punctuation alone ("。" ending a report sentence) is language-specific too
    # Labels that are the same in both languages (formats, acronyms) are allowed here.
    assert not_chinese == ["download.csv", "download.png", "download.svg"] or all(
        k.startswith("download.") for k in not_chinese
    )


def test_literal_keys_used_in_code_exist():
    sources = [*ROOT.joinpath("lib").rglob("*.py"), *ROOT.joinpath("pages").glob("*.py"), ROOT / "app.py"]
    used = {
        m
        for path in sources
        for m in re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text())
    }
    assert used, "the scan found no keys: the pattern is wrong"
    assert sorted(used - CATALOGUE.keys()) == []


@pytest.mark.parametrize(
    "key",
    [
        *(f"field.{f.name}" for fields in TABLES.values() for f in fields),
        *(f"table.{name}" for name in TABLES),
        *(f"reason.{r}" for r in EXCLUDED + FLAGGED),
        *(f"field.{d}" for d in DIMENSIONS),
    ],
)
def test_keys_built_from_declarations_exist(key):
    assert key in CATALOGUE


@pytest.mark.parametrize("kpi", KPIS, ids=lambda k: k.key)
def test_every_kpi_is_labelled_and_described_in_both_languages(kpi):
    for text in (*kpi.label, *kpi.description):
        assert text.strip()
    assert re.search(r"[\u4e00-\u9fff]", kpi.label[0])


def test_unknown_key_shows_itself_and_parameters_fill_in():
    assert t("no.such.key", "zh") == "no.such.key"
    assert "data.csv" in t("read.empty", "en", name="data.csv")
    assert "data.csv" in t("read.empty", "zh", name="data.csv")
