"""The team's measures on the Explore page: each with what it computes, and a form to add one."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lib.analysis import formatting
from lib.engine import measures
from lib.errors import InputError
from lib.i18n import t
from lib.ui import analysis_page, identity, session, widgets

# ---- team measures ---------------------------------------------------------------------------------

_ADDED = "_aftersight_measure_added"  # the name of the measure just saved, said once
_CONDITION_COLUMNS = {"field": pl.String, "since": pl.String, "op": pl.String, "value": pl.String}


def _choice(words: str, code: str) -> str:
    """An editor option as the user reads it, ending in the code it stands for: "类型 · category"."""
    return f"{words} · {code}"


def _code(choice: object) -> str | None:
    """The code an editor option stands for (the text after the last " · "); None for an empty cell."""
    return str(choice).rsplit(" · ", 1)[-1] if choice else None


def _rows(frame) -> list[dict]:
    """Condition rows from the editor: empty rows left out, values of "in" / "between" split at commas."""
    rows = []
    for row in pl.from_pandas(frame).to_dicts() if not isinstance(frame, pl.DataFrame) else frame.to_dicts():
        field, op = _code(row.get("field")), _code(row.get("op"))
        if not field or not op:
            continue
        text = str(row.get("value") or "")
        value = (
            [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
            if op in ("in", "between")
            else text
        )
        rows.append({"field": field, "since": _code(row.get("since")), "op": op, "value": value})
    return rows


def _editor(label: str, key: str, lang: str):
    st.markdown(label)
    named = {f: _choice(t(f"field.{f}", lang), f) for f in measures.FIELDS}
    dates = [named[f.name] for f in measures.FIELDS.values() if f.type == "datetime"]
    return st.data_editor(
        pl.DataFrame(schema=_CONDITION_COLUMNS),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "field": st.column_config.SelectboxColumn(
                t("measure.col_field", lang), options=list(named.values())
            ),
            "since": st.column_config.SelectboxColumn(
                t("measure.col_since", lang), options=dates, help=t("measure.col_since_help", lang)
            ),
            "op": st.column_config.SelectboxColumn(
                t("measure.col_op", lang),
                options=[_choice(t(f"measure.op_{op}", lang), op) for op in measures.OPERATORS],
            ),
            "value": st.column_config.TextColumn(
                t("measure.col_value", lang), help=t("measure.col_value_help", lang)
            ),
        },
    )


def show(page: analysis_page.Page) -> None:
    """The team's measures: each with what it computes and a delete button, and a form to add one."""
    lang = page.lang
    definitions = session.measure_definitions()
    added = st.session_state.pop(_ADDED, None)
    with st.expander(t("measure.title", lang), expanded=added is not None):
        st.caption(t("measure.intro", lang))
        if added is not None:
            st.success(t("measure.added", lang, name=formatting.literal(added)))
        for definition in definitions:
            kpi = measures.parse(definition).kpi()
            left, right = st.columns([5, 1], vertical_alignment="center")
            words = kpi.description[0] if lang == "zh" else kpi.description[1]
            left.markdown(
                f"**{formatting.literal(kpi.label[0] if lang == 'zh' else kpi.label[1])}** (`{kpi.key}`) — {formatting.literal(words)}"
            )
            if identity.may_edit() and right.button(
                t("explore.delete", lang), key=f"measure_delete_{kpi.key}"
            ):
                session.set_measures([d for d in definitions if d.get("key") != kpi.key])
                st.rerun()
        st.divider()
        name, name_en, code = st.columns(3)
        label_zh = name.text_input(
            t("measure.name_zh", lang), key="measure_name_zh", max_chars=measures.MAX_LABEL
        )
        label_en = name_en.text_input(
            t("measure.name_en", lang), key="measure_name_en", max_chars=measures.MAX_LABEL
        )
        key = code.text_input(
            t("measure.key", lang), key="measure_key", max_chars=40, help=t("measure.key_help", lang)
        )
        kind_col, better_col, target_col = st.columns(3)
        kind = kind_col.selectbox(
            t("measure.kind", lang),
            list(measures.KINDS),
            format_func=lambda k: t(f"measure.kind_{k}", lang),
            key="measure_kind",
        )
        better = better_col.selectbox(
            t("measure.better", lang),
            [None, "higher", "lower"],
            format_func=lambda b: t(f"measure.better_{b}", lang),
            placeholder=t("measure.better_None", lang),
            key="measure_better",
        )
        target = target_col.text_input(
            t("measure.target", lang), key="measure_target", help=t("measure.target_help", lang)
        )
        where = _editor(t("measure.where", lang), "measure_where", lang)
        among = _editor(t("measure.among", lang), "measure_among", lang) if kind == "share" else None
        of = None
        if kind in ("mean", "median", "p90"):
            numbers = [f.name for f in measures.FIELDS.values() if f.type in ("number", "int", "datetime")]
            field_col, since_col = st.columns(2)
            of_field = field_col.selectbox(
                t("measure.of", lang), numbers, format_func=lambda f: t(f"field.{f}", lang), key="measure_of"
            )
            of_since = since_col.selectbox(
                t("measure.col_since", lang),
                [None, *[f for f in numbers if measures.FIELDS[f].type == "datetime"]],
                format_func=lambda f: "—" if f is None else t(f"field.{f}", lang),
                placeholder="—",
                key="measure_of_since",
            )
            of = {"field": of_field, "since": of_since}
        if st.button(t("measure.add", lang), key="measure_add"):
            definition = {
                "key": key.strip(),
                "label": {"zh": label_zh.strip(), "en": label_en.strip()},
                "kind": kind,
                "where": _rows(where),
                "better": better,
                "target": target.strip() or None,
            }
            if among is not None:
                definition["among"] = _rows(among)
            if of is not None:
                definition["of"] = of
            try:
                measure = measures.parse(definition)
                definition["target"] = measure.target
                measures.check_data(page.con, measure)
                session.set_measures(
                    [d for d in definitions if d.get("key") != definition["key"]] + [definition]
                )
            except InputError as error:
                widgets.input_error(error, lang)
            else:
                # Said after the rerun that offers the new measure in the KPI list.
                st.session_state[_ADDED] = definition["label"]["zh"] or key
                st.rerun()
