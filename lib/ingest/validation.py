"""Turn a raw table plus its mapping into typed canonical rows, counting every row not used."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from lib.ingest.dates import detect_day_order, has_year_last, parse_datetimes
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
    rows per (reason, field, action) with a few example row numbers.
    """

    table: str
    frame: pl.DataFrame
    issues: pl.DataFrame
    summary: pl.DataFrame
    rows_read: int
    rows_used: int
    day_order: str | None
    day_order_detected: bool

    def excluded(self) -> int:
        return int(self.summary.filter(pl.col("action") == "excluded")["rows"].sum())


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
    """
    require_complete(mapping)
    table = mapping.table
    fields: dict[str, Field] = {f.name: f for f in TABLES[table]}
    if read.row_numbers is not None:
        raw = read.frame.with_columns(read.row_numbers.cast(pl.Int64).alias(ROW))
    else:
        raw = read.frame.with_row_index(ROW, offset=read.header_row + 1).with_columns(
            pl.col(ROW).cast(pl.Int64)
        )
    columns = mapping.columns
    problems: list[pl.DataFrame] = []
    latest = datetime.now() + FUTURE_MARGIN

    date_fields = [n for n in columns if fields[n].type == "datetime"]
    date_columns = [raw[columns[n]] for n in date_fields]
    detected = None if decided else detect_day_order(date_columns)
    order = day_order or detected or "dmy"

    typed: dict[str, pl.Series] = {}
    totals = _total_rows(read.frame)
    problems.append(_issue(raw, totals, "total_row", "", "excluded", None))
    keep = ~totals
    for name, header in columns.items():
        fld = fields[name]
        source = _blank_placeholders(raw[header]) if fld.type != "bool" else raw[header]
        if fld.type == "text" and source.dtype == pl.String:
            parsed = source  # the reader trimmed every cell and made empty ones null (ReadResult)
        elif fld.type == "datetime":
            parsed = parse_datetimes(source, order)
        else:
            parsed = PARSERS[fld.type](source)
        bad = unparsed_mask(source, parsed)
        if fld.required:
            empty = parsed.is_null() & ~bad
            problems.append(_issue(raw, empty & keep, "empty_required", name, "excluded", header))
            keep = keep & ~empty
        if fld.type == "datetime" and bad.any():
            # A column of clock times needs the date column beside it mapped instead.
            time_only = bad & _time_only(source)
            if time_only.any():
                action = "excluded" if fld.required else "flagged"
                problems.append(_issue(raw, time_only & keep, "time_without_date", name, action, header))
                if fld.required:
                    keep = keep & ~time_only
                bad = bad & ~time_only
        if fld.type == "datetime":
            implausible = parsed.is_not_null() & ((parsed < EARLIEST_DATE) | (parsed > latest))
            if implausible.any():
                action = "excluded" if fld.required else "flagged"
                problems.append(_issue(raw, implausible & keep, "implausible_date", name, action, header))
                if fld.required:
                    keep = keep & ~implausible
                parsed = parsed.set(implausible, None)
        if fld.type == "text":
            parsed = _truncate(parsed, raw, keep, name, header, problems)
        if bad.any():
            reason = {
                "datetime": "unparseable_date",
                "bool": "unparseable_bool",
            }.get(fld.type, "unparseable_number")
            if fld.required:
                reason, action = "unparseable_required_date", "excluded"
                problems.append(_issue(raw, bad & keep, reason, name, action, header))
                keep = keep & ~bad
            elif fld.type != "text":
                problems.append(_issue(raw, bad & keep, reason, name, "flagged", header))
        if fld.type in ("number", "int") and (fld.low is not None or fld.high is not None):
            low = fld.low if fld.low is not None else float("-inf")
            high = fld.high if fld.high is not None else float("inf")
            outside = parsed.is_not_null() & ((parsed < low) | (parsed > high))
            reason = "out_of_range"
            if wrong_scale is not None:
                if name in wrong_scale:
                    outside, reason = parsed.is_not_null(), "wrong_scale"
            elif outside.any() and _ten_point_scale(parsed, high):
                # 1–5 expected, 0–10 given: the in-range answers are on the other scale too.
                outside, reason = parsed.is_not_null(), "wrong_scale"
            problems.append(_issue(raw, outside & keep, reason, name, "flagged", header))
            parsed = parsed.set(outside, None) if outside.any() else parsed
        if fld.type == "int":
            parsed = parsed.round(0).cast(pl.Int64)
        typed[name] = parsed

    frame = pl.DataFrame(typed).with_columns(raw[ROW])
    for later, reason in (
        ("resolved_at", "resolved_before_created"),
        ("first_response_at", "response_before_created"),
    ):
        if later in typed and "created_at" in typed:
            before = (frame[later] < frame["created_at"]).fill_null(False) & keep
            problems.append(_issue(raw, before, reason, later, "flagged", columns[later]))

    id_field = ID_FIELD.get(table)
    if id_field in typed:
        # Event logs and re-exports repeat an id; the last row is the latest state.
        kept_rows = keep.arg_true()
        later_copy_exists = ~frame[id_field].gather(kept_rows).is_last_distinct()
        earlier_copy = pl.Series([False] * frame.height).scatter(kept_rows.filter(later_copy_exists), True)
        problems.append(_issue(raw, earlier_copy, "duplicate_id", id_field, "excluded", columns[id_field]))
        keep = keep & ~earlier_copy

    issues = pl.concat(problems, how="diagonal_relaxed") if problems else pl.DataFrame()
    summary = _summary(issues, read)
    used = frame.filter(keep)
    return Validated(
        table=table,
        frame=used,
        rows_used=used.height,
        issues=issues.sort("row") if issues.height else issues,
        summary=summary,
        rows_read=raw.height + read.empty_rows + read.trailing_empty_rows + read.title_rows,
        # Only worth telling the user when some date is written year-last (03/04/2024).
        day_order=order if not decided and (detected or day_order or has_year_last(date_columns)) else None,
        day_order_detected=detected is not None,
    )


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


def _truncate(
    texts: pl.Series, raw: pl.DataFrame, keep: pl.Series, name: str, header: str, problems: list
) -> pl.Series:
    """Text longer than the cell limit, cut to it and flagged (a 10 MB "comment" is a broken export)."""
    cap = int(limit("cell_chars"))
    # Bytes are at least characters: most columns are ruled out without counting characters.
    if texts.dtype != pl.String or not (texts.str.len_bytes().max() or 0) > cap:
        return texts
    long = (texts.str.len_chars() > cap).fill_null(False)
    problems.append(_issue(raw, long & keep, "text_truncated", name, "flagged", header))
    return texts.str.slice(0, cap)


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
