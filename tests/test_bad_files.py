"""The bad-file corpus (tests/bad_files.py) through the Data page's upload path and through `python -m lib kpis`.

Each case must give its translated sentence (zh and en, one line) or its counts;
a refused file leaves the data loaded before it untouched; every row read is
either used or counted under a reason.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from bad_files import CASES, GOOD, Case, far_cell
from cli_output import error_lines

from lib.cli import main
from lib.engine import store
from lib.errors import InputError
from lib.i18n import CATALOGUE
from lib.ingest import pipeline
from lib.ingest.limits import LIMITS

ROOT = Path(__file__).resolve().parent.parent


def _load(con, table: str, name: str, data: bytes):
    """What the Data page does with an upload: prepare (read + map), check, load."""
    prepared = pipeline.prepare(data, name, table)
    return pipeline.ingest(con, prepared, validated=pipeline.check(prepared))


def _counts(summary: pl.DataFrame) -> dict[tuple[str, str, str], int]:
    return {(r["reason"], r["field"], r["action"]): r["rows"] for r in summary.iter_rows(named=True)}


@pytest.fixture
def case_env(request, monkeypatch):
    case: Case = request.param
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    return case


@pytest.mark.parametrize("case_env", CASES, ids=[c.id for c in CASES], indirect=True)
def test_upload_path(case_env: Case, con):
    case = case_env
    *before, (table, name, build) = case.files
    if case.error:
        _load(con, "tickets", "earlier.csv", GOOD)
    for earlier_table, earlier_name, earlier in before:
        _load(con, earlier_table, earlier_name, earlier())
    loaded_before = store.tables(con)
    data = build()
    if case.error:
        with pytest.raises(InputError) as caught:
            _load(con, table, name, data)
        error = caught.value
        assert error.key == case.error, error.message("en")
        assert {k: error.params.get(k) for k in case.params} == case.params
        assert error.key in CATALOGUE
        for lang in ("zh", "en"):
            sentence = error.message(lang)
            assert "{" not in sentence and "\n" not in sentence, sentence
            assert name in sentence or error.key == "mapping.missing", sentence
        assert store.tables(con) == loaded_before  # the earlier data stays
        return
    validated, loaded = _load(con, table, name, data)
    assert validated.rows_used == case.used
    assert _counts(validated.summary) == case.reasons
    # Nothing lost silently: every row read is used or counted as excluded.
    assert validated.rows_read == validated.rows_used + validated.excluded()
    assert store.tables(con) == case.tables
    assert loaded.replaced == case.replaced
    if case.column:
        column, values = case.column
        assert validated.frame[column].to_list() == values


def _cli(case: Case, tmp_path: Path, capsys, lang: str = "en") -> tuple[int, str, str]:
    args = ["kpis", "--lang", lang]
    if not any(table == "tickets" for table, _, _ in case.files):
        (tmp_path / "tickets.csv").write_bytes(
            GOOD
        )  # the CLI needs tickets; the case is about the other file
        args += ["--tickets", str(tmp_path / "tickets.csv")]
    for index, (table, name, build) in enumerate(case.files):
        path = tmp_path / str(index) / name
        path.parent.mkdir()
        path.write_bytes(build())
        args += [f"--{table}", str(path)]
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case_env", CASES, ids=[c.id for c in CASES], indirect=True)
def test_cli(case_env: Case, tmp_path, capsys):
    case = case_env
    code, out, err = _cli(case, tmp_path, capsys)
    if case.error:
        assert code == 2, err
        assert err.startswith("error: ") and err.count("\n") == 1, err
        # The same sentence the Data page shows: the key's fixed opening words are there.
        opening = CATALOGUE[case.error][1].split("{")[0].strip()
        assert opening in err, err
        assert all(value in err for key, value in case.params.items() if key not in ("field", "reason")), err
        assert out == ""
        return
    assert code == 0, err
    values = json.loads(out)
    expected = dict(case.kpis)
    if "tickets" in (case.tables or {}) and "tickets" not in expected:
        expected["tickets"] = case.tables["tickets"]
    for key, value in expected.items():
        if value is None or values[key] is None:
            assert values[key] == value, key
        else:
            assert math.isclose(values[key], value, rel_tol=1e-9), (key, values[key], value)


def test_cli_message_in_chinese(tmp_path, capsys):
    case = next(c for c in CASES if c.id == "tiny_file_huge_sheet")
    code, _, err = _cli(case, tmp_path, capsys, lang="zh")
    assert code == 2
    assert "XFD1048576" in err and "Ctrl+End" in err and "工作表" in err


def test_real_command_line_survives_a_memory_bomb(tmp_path):
    """`python -m lib` as a scheduled job runs it: one line on stderr, exit 2, no traceback."""
    path = tmp_path / "stray.xlsx"
    path.write_bytes(far_cell(1_048_575, 16_383, keep_dimension=False))
    env = {**os.environ, "AFTERSIGHT_EXCEL_MEMORY_MB": "1024"}
    done = subprocess.run(
        [sys.executable, "-m", "lib", "kpis", "--tickets", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert (
        len(error_lines(done.stderr)) == 1
        and "1,024 MB" in done.stderr
        and "AFTERSIGHT_EXCEL_MEMORY_MB" in done.stderr
    )


def test_corpus_is_big_enough_and_ids_unique():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_limit_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for spec in LIMITS.values():
        assert spec.env in readme, spec.env


def test_data_page_shows_the_bomb_sentence_and_keeps_running():
    """One story in the real page: a hostile workbook gives its sentence; the sample data stays."""
    from bad_files import zip_bomb
    from test_pages import goto, start

    at = goto(start("en"), "pages/data.py", "en")
    at.file_uploader(key="upload_tickets").upload("bomb.xlsx", zip_bomb(), "application/octet-stream").run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # the page escapes Markdown
    assert any("zip bomb" in text and "AFTERSIGHT_MAX_EXCEL_RATIO" in text for text in shown), shown
    goto(at, "pages/overview.py", "en")
    assert {m.label: m.value for m in at.metric}["Tickets"] not in ("—", "0")
