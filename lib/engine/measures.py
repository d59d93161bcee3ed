"""Team-defined measures: KPIs a team builds from a closed set of parts, no free code.

A measure is one of: the count of tickets where conditions hold; the share of tickets where
conditions hold among those where other conditions hold; the mean / median / p90 of a numeric
field or of a duration between two date fields (over the tickets where conditions hold). A
condition is a row of field / operator / value(s): equals, in, between, is empty, is not empty,
under (a duration or number of at most N). Each definition (plain JSON, as saved in the mapping
file or the team workspace) becomes a `Kpi` record like the built-in ones, so Explore, alerts,
the report and the CLI evaluate it with the same engine. Values are typed by the canonical field
and compared as values inside Polars expressions: nothing a user writes becomes code or SQL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

import duckdb
import narwhals as nw

from lib.engine import store
from lib.engine.kpis import BY_KEY, HOUR_US, Kpi, Settings, Unit, to_polars
from lib.errors import InputError
from lib.i18n import t
from lib.schema import COST_FIELDS, TICKETS, Field

KINDS = ("count", "share", "mean", "median", "p90")
OPERATORS = ("equals", "in", "between", "is_empty", "not_empty", "under")
# The ticket fields a measure may read: every canonical ticket field (the id and customer are text).
FIELDS: dict[str, Field] = {f.name: f for f in TICKETS}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CONDITIONS = 8
MAX_VALUES = 50
MAX_LABEL = 60
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}

Value = str | float | bool | datetime


@dataclass(frozen=True)
class Condition:
    """field / operator / values; with `since`, the subject is the hours from `since` to `field`."""

    field: str
    op: str
    values: tuple[Value, ...] = ()
    since: str | None = None

    def subject(self) -> nw.Expr:
        if self.since is None:
            return nw.col(self.field)
        return (nw.col(self.field) - nw.col(self.since)).dt.total_microseconds() / HOUR_US

    def expr(self) -> nw.Expr:
        """True where the condition holds, False elsewhere (an empty value fails every test but is_empty)."""
        subject = self.subject()
        present = ~subject.is_null()
        if self.since is not None:  # SPEC §2: a negative duration is not a duration
            present = present & (subject >= 0)
        if self.op == "is_empty":
            return ~present.fill_null(False)
        if self.op == "not_empty":
            return present.fill_null(False)
        if self.op == "equals":
            test = subject == self.values[0]
        elif self.op == "in":
            test = subject.is_in(list(self.values))
        elif self.op == "between":
            test = (subject >= self.values[0]) & (subject <= self.values[1])
        else:  # under
            test = subject <= self.values[0]
            if self.since is not None:
                test = test & (subject >= 0)
        return (present & test).fill_null(False)

    def fields(self) -> tuple[str, ...]:
        return (self.field,) if self.since is None else (self.since, self.field)


@dataclass(frozen=True)
class Measure:
    """A parsed definition; called as a KPI's expression builder (columns present, settings)."""

    key: str
    label: tuple[str, str]
    kind: str
    where: tuple[Condition, ...] = ()
    among: tuple[Condition, ...] = ()
    of: Condition | None = None  # for mean / median / p90: the field (op unused) or duration
    better: Literal["higher", "lower"] | None = None
    target: float | None = None

    def fields(self) -> tuple[str, ...]:
        parts = [*self.where, *self.among, *([self.of] if self.of else [])]
        return tuple(dict.fromkeys(name for c in parts for name in c.fields()))

    def __call__(self, have: frozenset[str], settings: Settings) -> nw.Expr | None:
        if not set(self.fields()) <= have:
            return None
        where = _all(self.where)
        if self.kind == "count":
            return where.cast(nw.Int64).sum()
        if self.kind == "share":
            return nw.when(_all(self.among)).then(where).cast(nw.Float64).mean()
        assert self.of is not None
        value = self.of.subject()
        if self.of.since is not None:
            value = nw.when(value >= 0).then(value)
        value = nw.when(where).then(value)
        if self.kind == "mean":
            return value.mean()
        return value.quantile(0.5 if self.kind == "median" else 0.9, interpolation="linear")

    def unit(self) -> Unit:
        if self.kind == "count":
            return "count"
        if self.kind == "share":
            return "ratio"
        assert self.of is not None
        if self.of.since is not None:
            return "hours"
        if self.of.field in COST_FIELDS:
            return "currency"
        return "minutes" if self.of.field == "handle_minutes" else "score"

    def kpi(self) -> Kpi:
        """The measure as a KPI record (explained in both languages), evaluated by the KPI engine."""
        return Kpi(
            self.key,
            self.label,
            (describe(self, "zh"), describe(self, "en")),
            self.unit(),
            self.better,
            self.target,
            "tickets",
            self.fields(),
            self,
            card=False,
        )


def _all(conditions: tuple[Condition, ...]) -> nw.Expr:
    expr = nw.lit(True)
    for condition in conditions:
        expr = expr & condition.expr()
    return expr


# ---- parsing a definition (JSON from a file, the app's form or the workspace) ------------------


def parse(definition: Any) -> Measure:
    """A measure from its definition; InputError with one sentence for anything impossible."""
    if not isinstance(definition, dict):
        raise InputError("measure.not_a_definition")
    key = definition.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise InputError("measure.bad_key", code=str(key)[:40])
    if key in BY_KEY:
        raise InputError("measure.builtin_key", code=key)
    label = definition.get("label") or {}
    if isinstance(label, str):
        label = {"zh": label, "en": label}
    zh = str(label.get("zh") or label.get("en") or "").strip()[:MAX_LABEL] if isinstance(label, dict) else ""
    en = str(label.get("en") or zh).strip()[:MAX_LABEL] if isinstance(label, dict) else ""
    if not zh:
        raise InputError("measure.no_label", code=key)
    kind = definition.get("kind")
    if kind not in KINDS:
        raise InputError("measure.bad_kind", kind=str(kind)[:20], known=", ".join(KINDS))
    where = _conditions(definition.get("where"))
    among = _conditions(definition.get("among"))
    of = None
    if kind == "share" and not among:
        raise InputError("measure.share_needs_among", label=zh)
    if kind in ("mean", "median", "p90"):
        of = _subject(definition.get("of"))
    better = definition.get("better")
    if better not in ("higher", "lower", None):
        raise InputError("measure.bad_better", better=str(better)[:20])
    target = definition.get("target")
    if target is not None:
        target = _number(target, "target")
    return Measure(key, (zh, en), kind, where, among, of, better, target)


def _conditions(rows: Any) -> tuple[Condition, ...]:
    if rows is None:
        return ()
    if not isinstance(rows, list) or len(rows) > MAX_CONDITIONS:
        raise InputError("measure.bad_conditions", most=MAX_CONDITIONS)
    return tuple(_condition(row) for row in rows)


def _field(name: Any) -> Field:
    if not isinstance(name, str) or name not in FIELDS:
        raise InputError("measure.unknown_field", field=str(name)[:40], known=", ".join(FIELDS))
    return FIELDS[name]


def _dates(field: str, since: str) -> None:
    for name in (field, since):
        if FIELDS[name].type != "datetime":
            raise InputError("measure.duration_needs_dates", field=name)
    if field == since:
        raise InputError("measure.duration_same_field", field=field)


def _condition(row: Any) -> Condition:
    if not isinstance(row, dict):
        raise InputError("measure.bad_conditions", most=MAX_CONDITIONS)
    field = _field(row.get("field"))
    since = row.get("since") or None
    if since is not None:
        _field(since)
        _dates(field.name, since)
    op = row.get("op")
    if op not in OPERATORS:
        raise InputError("measure.bad_operator", op=str(op)[:20], known=", ".join(OPERATORS))
    raw = row.get("value", row.get("values"))
    raw = [] if raw is None else raw if isinstance(raw, list) else [raw]
    if len(raw) > MAX_VALUES:
        raise InputError("measure.too_many_values", most=MAX_VALUES)
    kind = "number" if since is not None else field.type
    if op in ("is_empty", "not_empty"):
        return Condition(field.name, op, (), since)
    if op == "under" and kind not in ("number", "int"):
        raise InputError("measure.under_needs_number", field=field.name)
    if op == "between" and kind in ("text", "bool"):
        raise InputError("measure.between_needs_order", field=field.name)
    needed = {"equals": 1, "under": 1, "between": 2}.get(op)
    if (needed and len(raw) != needed) or (op == "in" and not raw):
        raise InputError("measure.bad_value_count", op=op, field=field.name)
    values = tuple(_typed(value, kind, field.name) for value in raw)
    if op == "between" and values[0] > values[1]:
        raise InputError("measure.between_order", field=field.name, low=raw[0], high=raw[1])
    return Condition(field.name, op, values, since)


def _subject(row: Any) -> Condition:
    """What a mean / median / p90 is of: a numeric field, or a duration (`since` → `field`)."""
    if not isinstance(row, dict):
        raise InputError("measure.needs_of")
    field = _field(row.get("field"))
    since = row.get("since") or None
    if since is not None:
        _field(since)
        _dates(field.name, since)
    elif field.type not in ("number", "int"):
        raise InputError("measure.not_numeric", field=field.name)
    return Condition(field.name, "not_empty", (), since)


def _number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError("measure.not_a_number", value=str(value)[:40], field=what) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError("measure.not_a_number", value=str(value)[:40], field=what)
    return number


def _typed(value: Any, kind: str, field: str) -> Value:
    """A condition's value as the field's type (a date for a date field, a number for a number …)."""
    if kind in ("number", "int"):
        return _number(value, field)
    if kind == "bool":
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InputError("measure.not_a_bool", value=str(value)[:40], field=field)
    if kind == "datetime":
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError("measure.not_a_date", value=str(value)[:40], field=field) from None
        return parsed.replace(tzinfo=None)
    text = str(value)
    if len(text) > 200:
        raise InputError("measure.value_too_long", field=field)
    return text


# ---- definitions in files and in settings --------------------------------------------------


def loads(data: bytes) -> list[dict]:
    """Definitions from a JSON file: a list of them, or an object with a "measures" list."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("measure.bad_file") from None
    if isinstance(parsed, dict):
        parsed = parsed.get("measures")
    if not isinstance(parsed, list):
        raise InputError("measure.bad_file")
    return parsed


def with_measures(settings: Settings, definitions: list) -> Settings:
    """`settings` carrying these measures as KPI records (the last definition of a key wins)."""
    parsed = {m.key: m.kpi() for m in (parse(d) for d in definitions)}
    return replace(settings, measures=tuple(parsed.values()))


def usable(definitions: Any) -> tuple[list[dict], list[InputError]]:
    """The definitions that parse, and the errors of those that do not (a saved file is not refused
    for one bad measure)."""
    good, bad = [], []
    for definition in definitions if isinstance(definitions, list) else []:
        try:
            parse(definition)
            good.append(definition)
        except InputError as error:
            bad.append(error)
    return good, bad


def check_data(con: duckdb.DuckDBPyConnection, measure: Measure) -> None:
    """InputError when the loaded tickets cannot give the measure a value: a field they lack, or a share
    whose denominator ("among") holds for no ticket at all."""
    have = store.columns(con, "tickets")
    for name in measure.fields():
        if name not in have:
            raise InputError("measure.missing_field", field=name, label=measure.label[0])
    if measure.kind == "share":
        frame = store.scoped(
            con, store.Scope(), ticket_columns=set(measure.fields()), read=("tickets",)
        ).tickets

        if frame is None or not frame.select(to_polars(_all(measure.among)).sum()).item():
            raise InputError("measure.empty_denominator", label=measure.label[0])


# ---- in words --------------------------------------------------------------------------------

_OPS = {
    "equals": ("= {0}", "= {0}"),
    "in": ("属于 {all}", "in {all}"),
    "between": ("在 {0} 与 {1} 之间", "between {0} and {1}"),
    "is_empty": ("为空", "is empty"),
    "not_empty": ("不为空", "is not empty"),
    "under": ("≤ {0}", "≤ {0}"),
}
_KINDS = {
    "count": ("满足 {where} 的工单数", "Tickets where {where}"),
    "share": ("{among} 的工单中 {where} 的占比", "Share of tickets where {among} that have {where}"),
    "mean": ("{of} 的平均值{where_of}", "Mean of {of}{where_of}"),
    "median": ("{of} 的中位数{where_of}", "Median of {of}{where_of}"),
    "p90": ("{of} 的 P90{where_of}", "90th percentile of {of}{where_of}"),
}


def _field_words(condition: Condition, lang: str) -> str:
    name = t(f"field.{condition.field}", lang)
    if condition.since is None:
        return name
    return f"{t(f'field.{condition.since}', lang)} → {name} ({'小时' if lang == 'zh' else 'h'})"


def _value_words(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _condition_words(condition: Condition, lang: str) -> str:
    index = 0 if lang == "zh" else 1
    values = [_value_words(v) for v in condition.values]
    op = _OPS[condition.op][index].format(*values, all=", ".join(values))
    return f"{_field_words(condition, lang)} {op}"


def describe(measure: Measure, lang: str) -> str:
    """The measure in one line, as its help text (field keys as the data model names them)."""
    index = 0 if lang == "zh" else 1
    joiner = " 且 " if lang == "zh" else " and "
    everything = "全部" if lang == "zh" else "any ticket"
    where = joiner.join(_condition_words(c, lang) for c in measure.where) or everything
    among = joiner.join(_condition_words(c, lang) for c in measure.among) or everything
    of = _field_words(measure.of, lang) if measure.of else ""
    where_of = (("（" + where + "）") if lang == "zh" else f" where {where}") if measure.where else ""
    return _KINDS[measure.kind][index].format(where=where, among=among, of=of, where_of=where_of)
