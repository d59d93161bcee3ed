"""Streamlit widgets of the Data page: one panel per uploaded file, and the validation report."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import duckdb
import polars as pl
import streamlit as st

from lib import charts, export
from lib.analysis import formatting
from lib.engine import store
from lib.errors import InputError
from lib.i18n import t
from lib.ingest import bundle, datafolder, inference, inplace, mapping, pipeline
from lib.ingest.dates import detect_day_order, has_year_last
from lib.ingest.mapping import apply_overrides, require_complete
from lib.ingest.reading import list_sheets
from lib.ingest.validation import Validated, loud, loud_sentence
from lib.schema import TABLES
from lib.ui import session, widgets, workspace_panels

EXTENSIONS = ("csv", "tsv", "txt", "xlsx", "xls", "xlsb", "ods", "parquet")
# Our own limit, below server.maxUploadSize in .streamlit/config.toml, so the user
# gets a translated sentence rather than the widget's English one.
UPLOAD_LIMIT_MB = 500
_PREPARED = "_aftersight_prepared"
_LOADED = "_aftersight_loaded_files"
_SAVED = session.SAVED_MAPPINGS
_USED = "_aftersight_used_mappings"
_CHECKED = "_aftersight_checked"
_RESTORED = "_aftersight_bundle_restored"


@dataclass(frozen=True)
class LoadReport:
    """One loaded file: what validation found and what the load did."""

    name: str
    table: str
    validated: Validated
    loaded: store.LoadResult | None  # None: checked, not loaded yet
    columns: dict[str, str] = field(default_factory=dict)  # the mapping used: field → the file's column
    file_key: str = ""  # the upload or folder file it came from (two uploads may share a name)


def source_line(source: str, loaded: dict[str, int], lang: str) -> str:
    return t(f"data.source_{source}", lang, tables=_counts(loaded, lang))


def _counts(loaded: dict[str, int], lang: str) -> str:
    tables = "，".join if lang == "zh" else ", ".join
    return tables(f"{t(f'table.{name}', lang)} {rows:,}" for name, rows in loaded.items()) or "—"


def remember_saved(mappings: dict[str, dict[str, str]]) -> None:
    st.session_state[_SAVED] = mappings
    st.session_state.pop(_PREPARED, None)


def current_mappings() -> dict[str, dict[str, str]]:
    """What the user would save: mappings used for loading, over those loaded from a file."""
    return {**st.session_state.get(_SAVED, {}), **st.session_state.get(_USED, {})}


def _prepare(con, data: bytes, name: str, table: str, file_id: str, sheet: str | None) -> pipeline.Prepared:
    cache = st.session_state.setdefault(_PREPARED, {})
    key = (file_id, table, sheet)
    if key not in cache:
        saved = st.session_state.get(_SAVED, {}).get(table)
        cache[key] = pipeline.prepare_upload(data, name, table, saved, sheet, spill_dir=store.spill_dir(con))
    return cache[key]


def _field_label(name: str, lang: str) -> str:
    return f"{t(f'field.{name}', lang)} ({name})"


def file_panel(con: duckdb.DuckDBPyConnection, table: str, upload, lang: str) -> None:
    """Read one uploaded file, let the user fix its mapping and day order, and load it."""
    data = upload.getvalue()
    size_mb = len(data) / 2**20
    if size_mb > UPLOAD_LIMIT_MB:
        widgets.input_error(
            InputError(
                "read.too_large", name=upload.name, size_mb=f"{size_mb:,.0f}", limit_mb=UPLOAD_LIMIT_MB
            ),
            lang,
        )
        return
    file_key = f"{upload.file_id}_{table}"
    if file_key in st.session_state.get(_LOADED, set()):
        # Loaded: its rows are in DuckDB and its report is below; do not read it again.
        _loaded_line(upload.name, file_key, lang)
        return
    sheet = st.session_state.get(f"sheet_{file_key}")
    try:
        prepared = _prepare(con, data, upload.name, table, upload.file_id, sheet)
    except InputError as error:
        widgets.input_error(error, lang)
        sheets = list_sheets(data)
        if len(sheets) > 1:  # a bad sheet must not hide the way to pick another one
            st.selectbox(t("data.sheet", lang), sheets, key=f"sheet_{file_key}")
        return
    read = prepared.read
    title = t("data.file_title", lang, name=upload.name, rows=read.frame.height, columns=read.frame.width)
    if prepared.source is not None:  # a big file, read in place: only its head is read so far
        title = t("folder.file_title", lang, name=upload.name, columns=read.frame.width)
    with st.expander(title, expanded=True, icon=":material/description:"):
        if len(read.sheets) > 1:
            st.selectbox(
                t("data.sheet", lang),
                read.sheets,
                index=read.sheets.index(read.sheet),
                key=f"sheet_{file_key}",
            )
        st.caption(_read_details(prepared, lang))
        result, order = _mapping_step(prepared, file_key, lang)
        if result.missing_required:
            st.button(t("data.load", lang), key=f"load_{file_key}", type="primary", disabled=True)
            return
        if prepared.source is not None:
            _in_place_load(con, replace(prepared, mapping=result), order, file_key, lang)
            return
        # The report comes first: the user sees what will be excluded before loading.
        mapped = replace(prepared, mapping=result)
        try:
            validated = _check(mapped, order, file_key)
        except InputError as error:
            widgets.input_error(error, lang)
            return
        report_panel(LoadReport(prepared.name, table, validated, None, result.columns), lang)
        if st.button(t("data.load", lang), key=f"load_{file_key}", type="primary"):
            _load(con, mapped, validated, file_key, lang)
        _team_add(con, mapped, validated, order, file_key, lang)


def _mapping_step(prepared: pipeline.Prepared, file_key: str, lang: str):
    """The mapping table the user may correct, and the day order; the mapping and the order chosen."""
    table = prepared.table
    frame = prepared.read.frame
    headers = list(frame.columns)
    fields = TABLES[table]
    guessed = inference.guessed(prepared.mapping)
    if guessed:
        st.warning(t("data.check_guesses", lang, count=len(guessed)), icon=":material/help:")
    why = _why_column(prepared.mapping, lang)
    shown = inference.examples(frame, prepared.mapping, zone=session.timezone())
    editor = st.data_editor(
        pl.DataFrame(
            {
                "field": [_field_label(f.name, lang) for f in fields],
                "required": ["✓" if f.required else "" for f in fields],
                "column": [prepared.mapping.columns.get(f.name) for f in fields],
                "confidence": [why[f.name][0] for f in fields],
                "why": [why[f.name][1] for f in fields],
                "examples": [shown.get(f.name, "") for f in fields],
            }
        ),
        column_config={
            "field": st.column_config.TextColumn(t("data.col_field", lang)),
            "required": st.column_config.TextColumn(t("data.col_required", lang), width="small"),
            "column": st.column_config.SelectboxColumn(t("data.col_source", lang), options=headers),
            "confidence": st.column_config.TextColumn(t("data.col_confidence", lang), width="medium"),
            "why": st.column_config.TextColumn(t("data.col_why", lang)),
            "examples": st.column_config.TextColumn(t("data.col_examples", lang)),
        },
        disabled=["field", "required", "confidence", "why", "examples"],
        hide_index=True,
        width="stretch",
        placeholder=charts.MISSING,  # an unmapped field, not the word "None"
        key=f"map_{file_key}",
    )
    chosen = dict(zip([f.name for f in fields], pl.DataFrame(editor)["column"].to_list(), strict=True))
    result = apply_overrides(table, headers, chosen)
    if result.columns:
        st.caption(t("data.mapped_preview", lang))
        mapped = inference.mapped_preview(frame, result, zone=session.timezone())
        preview = widgets.with_field_labels(mapped, lang)
        st.dataframe(preview, hide_index=True, width="stretch", placeholder=charts.MISSING)
    try:
        require_complete(result)
    except InputError as error:
        widgets.input_error(error, lang)
    return result, _day_order_choice(prepared, result, file_key, lang)


def _why_column(result: mapping.MappingResult, lang: str) -> dict[str, tuple[str, str]]:
    """Per field: the confidence label (a mark on the ones to check) and the reason, or why a header was refused."""
    out = {}
    for f in TABLES[result.table]:
        choice = result.choices.get(f.name) or result.refused.get(f.name)
        if choice is None:
            out[f.name] = ("", "")
            continue
        label = t(f"map.conf.{choice.confidence}", lang)
        mark = "⚠️ " if choice.confidence == inference.LOW else ""
        out[f.name] = ("" if f.name in result.refused else mark + label, inference.explain(choice, lang))
    return out


def folder_panel(con: duckdb.DuckDBPyConnection, table: str, lang: str) -> None:
    """Pick a file from the administrator's data folder; DuckDB reads it in place when loading."""
    entries = datafolder.list_files()
    st.markdown(f"**{t('folder.title', lang)}**")
    st.caption(t("folder.intro", lang))
    if not entries:
        st.info(t("folder.empty", lang))
        return
    sizes = {e.name: e.size for e in entries}
    picked = st.selectbox(
        t("folder.pick", lang),
        list(sizes),
        index=None,
        format_func=lambda n: n if sizes[n] is None else f"{n} · {_size(sizes[n])}",
        placeholder=t("folder.placeholder", lang),
        key=f"folder_{table}",
    )
    if picked is None:
        return
    file_key = f"folder:{picked}_{table}"
    if file_key in st.session_state.get(_LOADED, set()):
        _loaded_line(picked, file_key, lang)
        return
    try:
        prepared = _prepare_folder_file(picked, table)
    except InputError as error:
        widgets.input_error(error, lang)
        return
    columns = prepared.read.frame.width
    with st.expander(
        t("folder.file_title", lang, name=formatting.literal(picked), columns=columns),
        expanded=True,
        icon=":material/folder_open:",
    ):
        st.caption(_read_details(prepared, lang))
        result, order = _mapping_step(prepared, file_key, lang)
        if result.missing_required:
            st.button(t("data.load", lang), key=f"load_{file_key}", type="primary", disabled=True)
        elif prepared.source is not None:
            _in_place_load(con, replace(prepared, mapping=result), order, file_key, lang)
        else:
            mapped = replace(prepared, mapping=result)
            if st.button(t("data.load", lang), key=f"load_{file_key}", type="primary"):
                try:
                    _load(con, mapped, _check(mapped, order, file_key), file_key, lang)
                except InputError as error:
                    widgets.input_error(error, lang)
            _team_add(con, mapped, None, order, file_key, lang)


def _in_place_load(con, prepared: pipeline.Prepared, order: str | None, file_key: str, lang: str) -> None:
    """The Load button of a big file: DuckDB reads it in place, the report follows the load."""
    st.caption(t("folder.report_after", lang))
    if prepared.source is not None and prepared.source.format != "parquet":
        st.caption(t("folder.parquet_hint", lang))
    if st.button(t("data.load", lang), key=f"load_{file_key}", type="primary"):
        with st.spinner(t("folder.loading", lang)):
            try:
                _load(con, prepared, None, file_key, lang, order)
            except InputError as error:
                widgets.input_error(error, lang)
    _team_add(con, prepared, None, order, file_key, lang)


def _size(size: int) -> str:
    return f"{size / 2**20:,.1f} MB" if size >= 2**20 else f"{size / 2**10:,.0f} KB"


def _prepare_folder_file(name: str, table: str) -> pipeline.Prepared:
    """A picked file read (its head, for a big one) and mapped, cached for this session."""
    remote = name.startswith(("s3://", "https://"))
    location = datafolder.remote(name) if remote else datafolder.resolve(name)
    stat = None if remote else location.stat()
    key = (f"folder:{name}", table, (stat.st_size, stat.st_mtime_ns) if stat else None)
    cache = st.session_state.setdefault(_PREPARED, {})
    if key not in cache:
        saved = st.session_state.get(_SAVED, {}).get(table)
        if remote:
            cache[key] = pipeline.prepare_source(inplace.open_source(location, remote=True), table, saved)
        else:
            cache[key] = pipeline.prepare_path(location, table, saved)
    return cache[key]


def _read_details(prepared: pipeline.Prepared, lang: str) -> str:
    read = prepared.read
    parts = [t("data.format", lang, format=read.format.upper())]
    if read.encoding:
        parts.append(t("data.encoding", lang, encoding=read.encoding))
    if read.delimiter:
        parts.append(t("data.delimiter", lang, delimiter={"\t": "Tab"}.get(read.delimiter, read.delimiter)))
    if read.sheet:
        parts.append(t("data.sheet_used", lang, sheet=read.sheet))
    parts.append(t("data.timezone", lang, zone=session.timezone()))  # where offsets and Unix time are read
    return " · ".join(parts)


def _day_order_choice(prepared: pipeline.Prepared, result, file_key: str, lang: str) -> str | None:
    """Show how dates like 03/04/2024 will be read; let the user override."""
    date_columns = [prepared.read.frame[h] for f, h in result.columns.items() if f.endswith("_at")]
    if not has_year_last(date_columns):
        return None  # no date like 03/04/2024: nothing to decide
    detected = detect_day_order(date_columns)
    options = ["auto", "dmy", "mdy"]
    auto = t(f"dayorder.{detected}", lang) if detected else t("dayorder.none", lang)
    picked = st.radio(
        t("dayorder.label", lang),
        options,
        format_func=lambda o: (
            t("dayorder.auto", lang, detected=auto) if o == "auto" else t(f"dayorder.{o}", lang)
        ),
        horizontal=True,
        key=f"order_{file_key}",
    )
    return None if picked == "auto" else picked


def _check(prepared: pipeline.Prepared, order: str | None, file_key: str):
    """Validation of this file with this mapping, day order and time zone, computed once."""
    zone = session.timezone()
    key = (file_key, tuple(prepared.mapping.columns.items()), order, zone)
    cache = st.session_state.setdefault(_CHECKED, {})
    if key not in cache:
        cache.clear()  # one file's latest check is all a rerun needs
        cache[key] = pipeline.check(prepared, order, zone)
    return cache[key]


def _load(
    con, prepared: pipeline.Prepared, validated, file_key: str, lang: str, order: str | None = None
) -> None:
    first_upload = session.source() == "sample"  # the first upload replaces the sample data
    validated, loaded = pipeline.ingest(
        con, prepared, day_order=order, replace_all=first_upload, validated=validated, zone=session.timezone()
    )
    if first_upload:
        session.reports().clear()
    _loaded(prepared, validated, loaded, file_key)
    session.changed("upload")
    st.rerun()


def _team_add(
    con, prepared: pipeline.Prepared, validated, order: str | None, file_key: str, lang: str
) -> None:
    """The "Add to the team's data" button of a checked file (editors, when a team workspace is open)."""
    try:
        done = workspace_panels.add_button(con, prepared, validated, order, file_key, lang)
    except InputError as error:
        widgets.input_error(error, lang)
        return
    if done is not None:
        _loaded(prepared, *done, file_key)  # the session shows the team's data, this file's rows included
        st.rerun()


def _loaded(prepared: pipeline.Prepared, validated, loaded: store.LoadResult, file_key: str) -> None:
    """Keep a loaded file's report; drop its cached copies (the rows now live in DuckDB)."""
    report = LoadReport(
        prepared.name,
        prepared.table,
        replace(validated, frame=validated.frame.clear()),
        loaded,
        prepared.mapping.columns,
        file_key,
    )
    session.reports().append(report)
    st.session_state.pop(_CHECKED, None)
    prepared_cache = st.session_state.get(_PREPARED, {})
    for key in [k for k in prepared_cache if f"{k[0]}_{k[1]}" == file_key]:
        del prepared_cache[key]
    st.session_state.setdefault(_LOADED, set()).add(file_key)
    st.session_state.setdefault(_USED, {})[prepared.table] = prepared.mapping.columns


def _loaded_line(name: str, file_key: str, lang: str) -> None:
    """ "Loaded" in green; in amber when a large share of its rows was excluded or cleared; in blue when
    some of its answers were already loaded and were not added again."""
    done = next((r for r in reversed(session.reports()) if r.file_key == file_key), None)
    shown = formatting.literal(name)
    if done is not None and loud(done.validated, done.columns):
        st.warning(t("data.file_loaded_loud", lang, name=shown), icon=":material/warning:")
    elif done is not None and done.loaded is not None and done.loaded.skipped:
        skipped = f"{done.loaded.skipped:,}"
        st.info(t("data.file_loaded_skipped", lang, name=shown, rows=skipped), icon=":material/content_copy:")
    else:
        st.success(t("data.file_loaded", lang, name=shown), icon=":material/check_circle:")


def report_panel(report: LoadReport, lang: str) -> None:
    """Rows read, used, excluded and flagged, by reason, with the rejected rows as CSV."""
    v = report.validated
    with st.container(border=True):
        title = "report.title" if report.loaded is not None else "report.preview_title"
        st.markdown(f"**{t(title, lang, name=formatting.literal(report.name))}**")
        for item in loud(v, report.columns):
            st.warning(loud_sentence(item, lang, escape=formatting.literal), icon=":material/warning:")
        if report.loaded is not None:
            _repeat_lines(report, lang)
        flagged = (
            int(v.summary.filter(pl.col("action") == "flagged")["rows"].sum()) if v.summary.height else 0
        )
        cols = st.columns(5)
        cols[0].metric(t("report.read", lang), f"{v.rows_read:,}")
        cols[1].metric(t("report.used", lang), f"{v.rows_used:,}")
        cols[2].metric(t("report.excluded", lang), f"{v.excluded():,}")
        cols[3].metric(t("report.flagged", lang), f"{flagged:,}")
        if report.loaded is not None and report.table in store.KEYS:
            cols[4].metric(
                t("report.replaced", lang),
                f"{report.loaded.replaced:,}",
                help=t("report.replaced_help", lang),
            )
        elif report.loaded is not None:
            cols[4].metric(
                t("report.skipped", lang), f"{report.loaded.skipped:,}", help=t("report.skipped_help", lang)
            )
        if v.day_order:
            how = "report.dayorder_detected" if v.day_order_detected else "report.dayorder_assumed"
            st.caption(t(how, lang, order=t(f"dayorder.{v.day_order}", lang)))
        if v.date_only:
            st.info(t("report.date_only", lang), icon=":material/calendar_today:")
        if v.summary.height:
            shown = v.summary.with_columns(
                pl.col("reason").map_elements(lambda r: t(f"reason.{r}", lang), return_dtype=pl.String),
                pl.col("field").map_elements(
                    lambda f: t(f"field.{f}", lang) if f else "", return_dtype=pl.String
                ),
                pl.col("action").map_elements(lambda a: t(f"action.{a}", lang), return_dtype=pl.String),
            ).rename({c: t(f"report.col_{c}", lang) for c in v.summary.columns})
            # Counts read 284,864 on screen; the cells stay numbers (sorting, the grid's own CSV).
            counts = {t("report.col_rows", lang): st.column_config.NumberColumn(format="%,d")}
            st.dataframe(shown, hide_index=True, width="stretch", column_config=counts)
            if v.issues.height:
                st.download_button(
                    t("report.download", lang),
                    data=lambda: export.csv_bytes(v.issues),
                    file_name=f"rejected-{report.name}.csv",
                    mime="text/csv",
                    on_click="ignore",
                    key=f"rejected_{id(v)}",
                )
        else:
            st.caption(t("report.clean", lang))


def _repeat_lines(report: LoadReport, lang: str) -> None:
    """Answers already loaded and not added again; a file loaded before whose answers were added all the same."""
    skipped = pipeline.skipped_sentence(report.loaded, lang)
    if skipped:
        st.info(skipped, icon=":material/content_copy:")
    again = pipeline.reloaded_sentence(report.name, report.loaded, lang, escape=formatting.literal)
    if again:
        st.warning(again, icon=":material/warning:")


def mapping_download(label: str) -> None:
    """The mapping file to save: this session's column mappings, targets, company events and churn actions."""
    st.download_button(
        label,
        data=lambda: mapping.dumps(current_mappings(), session.saved_settings()).encode("utf-8"),
        file_name="aftersight-mapping.json",
        mime="application/json",
        on_click="ignore",
    )


def bundle_panel(con: duckdb.DuckDBPyConnection, lang: str) -> None:
    """Save this session as one file, or restore one: a refresh (F5) starts an empty session."""
    st.caption(t("data.bundle_about", lang))
    # Read now, on the script thread; only the tables are exported when the button is clicked.
    mappings, settings = current_mappings(), session.saved_settings()
    st.download_button(
        t("data.bundle_download", lang),
        data=lambda: bundle.dumps(con, mappings, settings),
        file_name=bundle.file_name(datetime.now()),
        mime="application/zip",
        on_click="ignore",
        icon=":material/download:",
    )
    upload = st.file_uploader(
        t("data.bundle_upload", lang), type=["zip"], key="bundle_file", max_upload_size=UPLOAD_LIMIT_MB
    )
    if upload is None:
        return
    done = st.session_state.get(_RESTORED)
    if done is None or done[0] != upload.file_id:
        try:
            _restore(con, upload)
        except InputError as error:
            widgets.input_error(error, lang)
            return
        st.rerun()  # the sidebar's date range and every page follow the restored data
    _, name, created, counts, version = st.session_state[_RESTORED]
    if version != session.version():
        return  # the data changed since (another upload, the sample): the bundle's line is old news
    when = f"{created:%Y-%m-%d %H:%M}" if created else "—"
    tables = _counts(counts, lang)
    restored = t("data.bundle_restored", lang, name=formatting.literal(name), created=when, tables=tables)
    st.success(restored, icon=":material/restore:")


def _restore(con: duckdb.DuckDBPyConnection, upload) -> None:
    """Replace this session's data, mappings and settings with the bundle's (nothing changes if it is bad)."""
    data = upload.getvalue()
    size_mb = len(data) / 2**20
    if size_mb > UPLOAD_LIMIT_MB:
        too_large = {"size_mb": f"{size_mb:,.0f}", "limit_mb": UPLOAD_LIMIT_MB}
        raise InputError("read.too_large", name=upload.name, **too_large)
    saved = bundle.loads(data, upload.name)
    counts = bundle.restore(con, saved)
    session.apply_saved(saved.settings)
    session.reports().clear()
    for key in (_PREPARED, _CHECKED, _USED):
        st.session_state.pop(key, None)
    st.session_state[_SAVED] = saved.mappings
    session.changed("upload")
    st.session_state[_RESTORED] = (upload.file_id, upload.name, saved.created, counts, session.version())
