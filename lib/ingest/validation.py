"""Turn a raw table plus its mapping into typed canonical rows, counting every row not used."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from lib.engine.periods import no_time_of_day
from lib.i18n import t
from lib.ingest.dates import DEFAULT_ZONE, detect_day_order, has_year_last, parse_datetimes
from lib.ingest.limits import limit
from lib.ingest.mapping import MappingResult, require_complete
from lib.ingest.raw import ReadResult
from lib.ingest.values import parse_bools, parse_numbers, parse_text, unparsed_mask
from lib.schema import TABLES, Field

# Reasons, in the order the report lists them. "excluded" rows are not used;
# "flagged" rows are used with the named value cleared (or, for the *_before_created
# checks, kept and left out of duration KPIs as SPEC §2 says).
EXCLUDED = (
    "title_rows",
    "empty_row",
    "trailing_empty_rows",
    "total_row",
    "empty_required",
    "unparseable_required_date",
    "duplicate_id",
)
FLAGGED = (
    "unparseable_date",
    "time_without_date",
    "implausible_date",
    "resolved_before_created",
    "response_before_created",
    "out_of_range",
    "wrong_scale",
    "unparseable_number",
    "unparseable_bool",
    "text_truncated",
    "repeated_row",
)
ID_FIELD = {"tickets": "ticket_id", "customers": "customer_id"}
ROW = "_row"  # the row as a spreadsheet shows it: header is row 1, first data row is row 2
EXAMPLES = 3

# Cells that mean "no value" in real exports (ServiceNow writes "?"); treated as empty,
# not as unreadable. Not for yes/no columns, where 无 means "no".
PLACEHOLDERS = ("?", "-", "--", "—", "/", "n/a", "na", "null", "none", "nan", "#n/a", "无", "空", "暂无")
# Cells are already trimmed by the reader; matching the usual spellings avoids
# lower-casing every cell of every column.
_PLACEHOLDER_SPELLINGS = tuple({v for p in PLACEHOLDERS for v in (p, p.upper(), p.capitalize())})

PARSERS = {"number": parse_numbers, "int": parse_numbers, "bool": parse_bools, "text": parse_text}
# The flag for a cell an optional field's parser could not read. A required field's
# unreadable cell excludes its row instead (unparseable_required_date).
_UNREADABLE = {
    "datetime": "unparseable_date",
    "bool": "unparseable_bool",
    "number": "unparseable_number",
    "int": "unparseable_number",
}
# Later times that cannot come before created_at: such rows are kept, and left out of
# duration KPIs (SPEC §2).
_BEFORE_CREATED = (
    ("resolved_at", "resolved_before_created"),
    ("first_response_at", "response_before_created"),
)

# A row whose first text cell is one of these is a total line under a report, not a record.
_TOTAL = r"(?i)^(?:(?:合计|总计|小计|共计|總計|合計|小計).*|(?:grand\s+|sub\s*)?totals?[:：]?|sum[:：]?)$"
# A cell holding only a clock time (08:30, 8:30:15, 下午 2:05).
_TIME_ONLY = r"(?i)^(?:上午|下午|am|pm)?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm)?$"
# Dates outside this window are placeholders or typos: 1970-01-01 08:00 is "no value"
# (Unix time 0 in China), 2099 a default "never"; a ticket cannot be created tomorrow.
EARLIEST_DATE = datetime(1980, 1, 1)
FUTURE_MARGIN = timedelta(days=2)  # time zones and clocks a little ahead


@dataclass(frozen=True)
class Validated:
    """The usable rows of one file, the problems found, and the counts.

    `frame` has the canonical columns that were mapped, typed. `issues` has one
    row per problem: data row number, reason, field, action, the raw value, then
    the row's original cells (this is the rejected-rows CSV). `summary` counts
    rows per (reason, field, action) with a few example row numbers. `date_only`:
    every used row's created_at is at midnight (a date-only export, so durations are
    whole days and hour-of-day charts say nothing).
    """

    table: str
    frame: pl.DataFrame
    issues: pl.DataFrame
    summary: pl.DataFrame
    rows_read: int
    rows_used: int
    day_order: str | None
    day_order_detected: bool
    date_only: bool = False

    def excluded(self) -> int:
        return int(self.summary.filter(pl.col("action") == "excluded")["rows"].sum())


@dataclass(frozen=True)
class Finding:
    """The rows one rule picked in one column: excluded rows are not used, flagged rows are."""

    reason: str
    rows: pl.Series  # Boolean, one per row of the file
    excluded: bool = False


def _issue(raw: pl.DataFrame, mask: pl.Series, reason: str, field: str, action: str, header: str | None):
    """Rows of `raw` where `mask` holds, as issue rows."""
    picked = raw.filter(mask.fill_null(False))
    value = picked[header].cast(pl.String) if header else pl.Series([None] * picked.height, dtype=pl.String)
    meta = pl.DataFrame(
        {
            "row": picked[ROW],
            "reason": [reason] * picked.height,
            "field": [field] * picked.height,
            "action": [action] * picked.height,
            "value": value,
        },
        schema={
            "row": pl.Int64,
            "reason": pl.String,
            "field": pl.String,
            "action": pl.String,
            "value": pl.String,
        },
    )
    return pl.concat([meta, picked.drop(ROW).select(pl.all().cast(pl.String))], how="horizontal")


def validate(
    read: ReadResult,
    mapping: MappingResult,
    day_order: str | None = None,
    wrong_scale: Collection[str] | None = None,
    decided: bool = False,
    zone: str = DEFAULT_ZONE,
    whole_file: bool = True,
) -> Validated:
    """Parse, check and count one file of `mapping.table`.

    Parameters
    ----------
    read : what `lib.ingest.reading.read_table` returned.
    mapping : the (possibly user-corrected) mapping; required fields must be mapped.
    day_order : "dmy" or "mdy" to override what the data suggests for dates
        written day/month/year or month/day/year.
    wrong_scale : the score fields to treat as answered on a 0–10 scale, decided
        over a whole file read in chunks (`scale_stats`); None decides from `read`.
    decided : True when `read` is one chunk of a file whose day order the caller
        settled over the whole file: the chunk's own evidence is not looked at, and
        the result's `day_order` and `day_order_detected` say nothing.
    zone : the team's time zone: times written with an offset (`Z`, `+08:00`) and Unix
        time are read as the wall-clock time there (`lib.ingest.dates.parse_datetimes`).
    whole_file : False for one chunk of a file: the caller looks for `duplicate_id` and
        `repeated_row` over the whole file (`lib.ingest.inplace`), where the rows are.
    """
    require_complete(mapping)
    table, columns = mapping.table, mapping.columns
    fields: dict[str, Field] = {f.name: f for f in TABLES[table]}
    raw = _numbered(read)
    date_columns = [raw[columns[n]] for n in columns if fields[n].type == "datetime"]
    detected = None if decided else detect_day_order(date_columns)
    order = day_order or detected or "dmy"
    latest = datetime.now() + FUTURE_MARGIN

    ledger = _Ledger(raw)
    ledger.record(Finding("total_row", _total_rows(read.frame), excluded=True))
    typed: dict[str, pl.Series] = {}
    for name, header in columns.items():
        typed[name], found = _check_column(fields[name], raw[header], order, latest, wrong_scale, zone)
        for finding in found:
            ledger.record(finding, name, header)
    frame = pl.DataFrame(typed).with_columns(raw[ROW])
    for later, finding in _before_created(frame):
        ledger.record(finding, later, columns[later])
    id_field = ID_FIELD.get(table)
    if whole_file:  # a chunk leaves these to its caller, which looks over the whole file
        if id_field in typed:
            earlier = _earlier_copies(frame[id_field], ledger.keep)
            ledger.record(Finding("duplicate_id", earlier, excluded=True), id_field, columns[id_field])
        else:
            ledger.record(Finding("repeated_row", _repeated_rows(frame.drop(ROW), ledger.keep)))

    issues = pl.concat(ledger.issues, how="diagonal_relaxed")
    used = frame.filter(ledger.keep)
    return Validated(
        table=table,
        frame=used,
        rows_used=used.height,
        issues=issues.sort("row") if issues.height else issues,
        summary=_summary(issues, read),
        rows_read=raw.height + read.empty_rows + read.trailing_empty_rows + read.title_rows,
        # Only worth telling the user when some date is written year-last (03/04/2024).
        day_order=order if not decided and (detected or day_order or has_year_last(date_columns)) else None,
        day_order_detected=detected is not None,
        date_only="created_at" in used.columns and no_time_of_day(used["created_at"]),
    )


class _Ledger:
    """The rows still used and the issue rows so far."""

    def __init__(self, raw: pl.DataFrame):
        self.raw = raw
        self.keep = pl.Series([True] * raw.height, dtype=pl.Boolean)
        # An empty first entry keeps the columns of a report that finds nothing.
        self.issues = [_issue(raw, ~self.keep, "", "", "", None)]

    def record(self, finding: Finding, field: str = "", header: str | None = None) -> None:
        """Count `finding` on the rows still used; excluded rows then leave them."""
        # Rows already excluded are not looked at again: each counts under the first reason that excluded it.
        picked = finding.rows & self.keep
        if not picked.any():
            return
        action = "excluded" if finding.excluded else "flagged"
        self.issues.append(_issue(self.raw, picked, finding.reason, field, action, header))
        if finding.excluded:
            self.keep = self.keep & ~picked


def _numbered(read: ReadResult) -> pl.DataFrame:
    """`read.frame` with each row's spreadsheet row number in ROW."""
    if read.row_numbers is not None:
        return read.frame.with_columns(read.row_numbers.cast(pl.Int64).alias(ROW))
    return read.frame.with_row_index(ROW, offset=read.header_row + 1).with_columns(pl.col(ROW).cast(pl.Int64))


def _check_column(
    fld: Field,
    cells: pl.Series,
    order: str,
    latest: datetime,
    wrong_scale: Collection[str] | None,
    zone: str = DEFAULT_ZONE,
) -> tuple[pl.Series, list[Finding]]:
    """One column typed, with what its rules found; the values they reject are cleared (long text is cut)."""
    source = cells if fld.type == "bool" else _blank_placeholders(cells)  # 无 is "no" in a yes/no column
    values = parse_as(source, fld.type, order, zone, trimmed=True)
    unread = unparsed_mask(source, values)
    found = [Finding("empty_required", values.is_null() & ~unread, excluded=True)] if fld.required else []
    found += _unreadable(fld, source, unread)
    if fld.type == "datetime":
        implausible = _implausible_dates(values, latest)
        found.append(Finding("implausible_date", implausible, excluded=fld.required))
        values = _cleared(values, implausible)
    elif fld.type == "text":
        cap = int(limit("cell_chars"))
        long = _too_long(values, cap)
        if long is not None:
            found.append(Finding("text_truncated", long))
            values = values.str.slice(0, cap)
    elif fld.type in ("number", "int") and (fld.low is not None or fld.high is not None):
        outside, reason = _out_of_range(fld, values, wrong_scale)
        found.append(Finding(reason, outside))
        values = _cleared(values, outside)
    if fld.type == "int":
        values = values.round(0).cast(pl.Int64)
    return values, found


def parse_as(
    cells: pl.Series, kind: str, order: str, zone: str = DEFAULT_ZONE, trimmed: bool = False
) -> pl.Series:
    """Cells as a field of type `kind`: null where empty or not readable.

    `trimmed`: the cells are a `ReadResult`'s, which the reader trimmed (`raw.clean_strings`),
    so the parsers skip their own trim pass (one per column: 0.02 s per 1M cells).
    """
    if kind == "text" and cells.dtype == pl.String:
        return cells  # the reader trimmed every cell and made empty ones null (ReadResult)
    if kind == "datetime":
        return parse_datetimes(cells, order, zone, trimmed=trimmed)
    if kind == "text":
        return parse_text(cells)
    return PARSERS[kind](cells, trimmed=trimmed)


def _unreadable(fld: Field, cells: pl.Series, unread: pl.Series) -> list[Finding]:
    """Cells holding something not readable as the field's type: a clock time with no date, or anything else."""
    found = []
    if fld.type == "datetime" and unread.any():
        # A column of clock times needs the date column beside it mapped instead.
        time_only = unread & _time_only(cells)
        if time_only.any():
            found.append(Finding("time_without_date", time_only, excluded=fld.required))
            unread = unread & ~time_only
    if fld.required:
        found.append(Finding("unparseable_required_date", unread, excluded=True))
    elif fld.type in _UNREADABLE:
        found.append(Finding(_UNREADABLE[fld.type], unread))
    return found


def _implausible_dates(dates: pl.Series, latest: datetime) -> pl.Series:
    """Dates before EARLIEST_DATE or after `latest`."""
    return dates.is_not_null() & ((dates < EARLIEST_DATE) | (dates > latest))


def _too_long(texts: pl.Series, cap: int) -> pl.Series | None:
    """Text over `cap` characters (a 10 MB "comment" is a broken export); None when no cell can be."""
    # Bytes are at least characters: most columns are ruled out without counting characters.
    if texts.dtype != pl.String or not (texts.str.len_bytes().max() or 0) > cap:
        return None
    return (texts.str.len_chars() > cap).fill_null(False)


def _out_of_range(
    fld: Field, scores: pl.Series, wrong_scale: Collection[str] | None
) -> tuple[pl.Series, str]:
    """Values outside the field's bounds and their reason; every answer when the column is on a 0–10 scale."""
    low = fld.low if fld.low is not None else float("-inf")
    high = fld.high if fld.high is not None else float("inf")
    outside = scores.is_not_null() & ((scores < low) | (scores > high))
    if wrong_scale is not None:
        if fld.name in wrong_scale:
            return scores.is_not_null(), "wrong_scale"
    elif outside.any() and _ten_point_scale(scores, high):
        # 1–5 expected, 0–10 given: the in-range answers are on the other scale too.
        return scores.is_not_null(), "wrong_scale"
    return outside, "out_of_range"


def _cleared(values: pl.Series, rows: pl.Series) -> pl.Series:
    """`values` with `rows` set to null."""
    return values.set(rows, None) if rows.any() else values


def _before_created(frame: pl.DataFrame) -> list[tuple[str, Finding]]:
    """Rows resolved or first answered before they were created, by field."""
    if "created_at" not in frame.columns:
        return []
    return [
        (later, Finding(reason, (frame[later] < frame["created_at"]).fill_null(False)))
        for later, reason in _BEFORE_CREATED
        if later in frame.columns
    ]


def _earlier_copies(ids: pl.Series, keep: pl.Series) -> pl.Series:
    """Rows in `keep` whose id comes again in a later row in `keep`."""
    # Event logs and re-exports repeat an id; the last row is the latest state.
    kept_rows = keep.arg_true()
    later_copy_exists = ~ids.gather(kept_rows).is_last_distinct()
    return pl.Series([False] * len(ids)).scatter(kept_rows.filter(later_copy_exists), True)


def _repeated_rows(frame: pl.DataFrame, keep: pl.Series) -> pl.Series:
    """Rows in `keep` equal in every column (empty equal to empty) to an earlier row in `keep`.

    For answers, which have no id: two identical rows in one export may be one answer
    exported twice, or two customers who answered alike in the same minute. They are
    kept and flagged, not dropped; the same row in a later file is another matter
    (`lib.engine.store.load` does not add it again).
    """
    kept_rows = keep.arg_true()
    repeat = ~frame[kept_rows].select(pl.struct(pl.all()).is_first_distinct()).to_series()
    return pl.Series([False] * frame.height, dtype=pl.Boolean).scatter(kept_rows.filter(repeat), True)


def _total_rows(frame: pl.DataFrame) -> pl.Series:
    """Rows whose first text cell says 合计 / 总计 / 小计 / Total: the sums under a report."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts or not frame.height:
        return pl.Series([False] * frame.height, dtype=pl.Boolean)
    first = frame.select(pl.coalesce(texts)).to_series()
    # Only short labels can be a total line; the regex runs on those alone.
    short = (first.str.len_chars() <= 40).fill_null(False)
    found = pl.Series([False] * frame.height, dtype=pl.Boolean)
    if short.any():
        rows = short.arg_true()
        found = found.scatter(rows, first.gather(rows).str.contains(_TOTAL).fill_null(False))
    return found


def _time_only(values: pl.Series) -> pl.Series:
    """Cells holding a time of day and no date: `08:30`, or an Excel time (a fraction of a day)."""
    if values.dtype == pl.Time:
        return values.is_not_null()
    if values.dtype.is_numeric():
        return ((values > 0) & (values < 1)).fill_null(False)
    if values.dtype != pl.String:
        return pl.Series([False] * len(values), dtype=pl.Boolean)
    return values.str.strip_chars().str.contains(_TIME_ONLY).fill_null(False)


def _ten_point_scale(scores: pl.Series, high: float) -> bool:
    """Whether a score column meant to end at `high` (5) is on a 0–10 scale instead.

    At least ten answers, all within 0–10, and one in five above `high`: a few typos
    (a 6 among 1–5 answers) stay ordinary out-of-range values.
    """
    return ScaleStats.of(scores, high).ten_point()


@dataclass(frozen=True)
class ScaleStats:
    """What `_ten_point_scale` looks at, added up over the chunks of one file."""

    high: float
    count: int = 0
    low_seen: float = float("inf")
    high_seen: float = float("-inf")
    above: int = 0

    @classmethod
    def of(cls, scores: pl.Series, high: float) -> ScaleStats:
        present = scores.drop_nulls()
        if not len(present):
            return cls(high)
        return cls(
            high, len(present), float(present.min()), float(present.max()), int((present > high).sum())
        )

    def __add__(self, other: ScaleStats) -> ScaleStats:
        return ScaleStats(
            self.high,
            self.count + other.count,
            min(self.low_seen, other.low_seen),
            max(self.high_seen, other.high_seen),
            self.above + other.above,
        )

    def ten_point(self) -> bool:
        if self.high >= 10 or self.count < 10 or self.low_seen < 0 or self.high_seen > 10:
            return False
        return self.above >= 0.2 * self.count


def scale_stats(frame: pl.DataFrame, mapping: MappingResult) -> dict[str, ScaleStats]:
    """For each mapped score field with an upper bound under 10, the statistics of its parsed values in `frame`."""
    stats = {}
    for fld in TABLES[mapping.table]:
        header = mapping.columns.get(fld.name)
        if header is None or fld.type not in ("number", "int") or fld.high is None or fld.high >= 10:
            continue
        stats[fld.name] = ScaleStats.of(parse_numbers(_blank_placeholders(frame[header])), fld.high)
    return stats


def _blank_placeholders(values: pl.Series) -> pl.Series:
    if values.dtype != pl.String:
        return values
    is_placeholder = values.is_in(_PLACEHOLDER_SPELLINGS)
    return values.set(is_placeholder.fill_null(False), None) if is_placeholder.any() else values


def _summary(issues: pl.DataFrame, read: ReadResult) -> pl.DataFrame:
    """Rows per (reason, field, action), examples as row numbers, in the catalogue's order."""
    schema = {
        "reason": pl.String,
        "field": pl.String,
        "action": pl.String,
        "rows": pl.Int64,
        "examples": pl.String,
    }
    counted = [
        {"reason": reason, "field": "", "action": "excluded", "rows": n, "examples": ""}
        for reason, n in (
            ("title_rows", read.title_rows),
            ("empty_row", read.empty_rows),
            ("trailing_empty_rows", read.trailing_empty_rows),
        )
        if n
    ]
    base = pl.DataFrame(counted, schema=schema)
    if not issues.height:
        return base
    grouped = (
        issues.group_by("reason", "field", "action", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("rows"),
            pl.col("row").sort().head(EXAMPLES).cast(pl.String).str.join(", ").alias("examples"),
        )
        .select(schema.keys())
    )
    order = {reason: i for i, reason in enumerate(EXCLUDED + FLAGGED)}
    return (
        pl.concat([base, grouped])
        .with_columns(pl.col("reason").replace_strict(order, default=99).alias("_o"))
        .sort("_o", "field")
        .drop("_o")
    )


# Reasons that say nothing about the mapping: the file's own layout.
_LAYOUT = frozenset({"title_rows", "empty_row", "trailing_empty_rows", "total_row", "text_truncated"})
LOUD_SHARE = 0.05  # a reason that takes this share of the rows or more is said aloud, with its column


@dataclass(frozen=True)
class Loud:
    """One reason that excluded or cleared a large share of the rows in one mapped column."""

    reason: str
    field: str
    column: str
    action: str
    rows: int
    share: float


def loud(validated: Validated, columns: dict[str, str], share: float = LOUD_SHARE) -> list[Loud]:
    """The reasons that took `share` of the rows or more, largest first: most often a column mapped wrong
    (a title as the ticket number drops nearly every row as a duplicate; a category as a yes/no flag
    clears every value)."""
    if not validated.summary.height or not validated.rows_read:
        return []
    found = []
    for row in validated.summary.iter_rows(named=True):
        part = row["rows"] / validated.rows_read
        if row["reason"] in _LAYOUT or not row["field"] or part < share:
            continue
        column = columns.get(row["field"], row["field"])
        found.append(Loud(row["reason"], row["field"], column, row["action"], row["rows"], part))
    return sorted(found, key=lambda item: -item.rows)


def loud_sentence(item: Loud, lang: str, escape=str) -> str:
    """A large share of rows lost or cleared in one column, in words, with what to do (`escape` for Markdown)."""
    return t(
        "report.loud",
        lang,
        share=f"{item.share:.0%}",
        rows=f"{item.rows:,}",
        column=escape(item.column),
        field=t(f"field.{item.field}", lang),
        action=t(f"loud.{item.action}", lang),
        reason=t(f"reason.{item.reason}", lang),
    )
