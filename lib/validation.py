"""Turn a raw table plus its mapping into typed canonical rows, counting every row not used."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lib.dates import detect_day_order, has_year_last, parse_datetimes
from lib.mapping import MappingResult, require_complete
from lib.reading import ReadResult
from lib.schema import TABLES, Field
from lib.values import parse_bools, parse_numbers, parse_text, unparsed_mask

# Reasons, in the order the report lists them. "excluded" rows are not used;
# "flagged" rows are used with the named value cleared (or, for the *_before_created
# checks, kept and left out of duration KPIs as SPEC §2 says).
EXCLUDED = ("empty_row", "trailing_empty_rows", "empty_required", "unparseable_required_date", "duplicate_id")
FLAGGED = (
    "unparseable_date",
    "resolved_before_created",
    "response_before_created",
    "out_of_range",
    "unparseable_number",
    "unparseable_bool",
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
        schema={"row": pl.Int64, "reason": pl.String, "field": pl.String, "action": pl.String, "value": pl.String},
    )
    return pl.concat([meta, picked.drop(ROW).select(pl.all().cast(pl.String))], how="horizontal")


def validate(
    read: ReadResult,
    mapping: MappingResult,
    day_order: str | None = None,
) -> Validated:
    """Parse, check and count one file of `mapping.table`.

    Parameters
    ----------
    read : what `lib.reading.read_table` returned.
    mapping : the (possibly user-corrected) mapping; required fields must be mapped.
    day_order : "dmy" or "mdy" to override what the data suggests for dates
        written day/month/year or month/day/year.
    """
    require_complete(mapping)
    table = mapping.table
    fields: dict[str, Field] = {f.name: f for f in TABLES[table]}
    raw = read.frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    columns = mapping.columns
    problems: list[pl.DataFrame] = []

    date_fields = [n for n in columns if fields[n].type == "datetime"]
    date_columns = [raw[columns[n]] for n in date_fields]
    detected = detect_day_order(date_columns)
    order = day_order or detected or "dmy"

    typed: dict[str, pl.Series] = {}
    keep = pl.Series([True] * raw.height)
    for name, header in columns.items():
        fld = fields[name]
        source = _blank_placeholders(raw[header]) if fld.type != "bool" else raw[header]
        parsed = parse_datetimes(source, order) if fld.type == "datetime" else PARSERS[fld.type](source)
        bad = unparsed_mask(source, parsed)
        if fld.required:
            empty = parsed.is_null() & ~bad
            problems.append(_issue(raw, empty & keep, "empty_required", name, "excluded", header))
            keep = keep & ~empty
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
            problems.append(_issue(raw, outside & keep, "out_of_range", name, "flagged", header))
            parsed = parsed.set(outside, None) if outside.any() else parsed
        if fld.type == "int":
            parsed = parsed.round(0).cast(pl.Int64)
        typed[name] = parsed

    frame = pl.DataFrame(typed).with_columns(raw[ROW])
    for later, reason in (("resolved_at", "resolved_before_created"), ("first_response_at", "response_before_created")):
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
        rows_read=raw.height + read.empty_rows + read.trailing_empty_rows,
        # Only worth telling the user when some date is written year-last (03/04/2024).
        day_order=order if detected or day_order or has_year_last(date_columns) else None,
        day_order_detected=detected is not None,
    )


def _blank_placeholders(values: pl.Series) -> pl.Series:
    if values.dtype != pl.String:
        return values
    is_placeholder = values.is_in(_PLACEHOLDER_SPELLINGS)
    return values.set(is_placeholder.fill_null(False), None) if is_placeholder.any() else values


def _summary(issues: pl.DataFrame, read: ReadResult) -> pl.DataFrame:
    """Rows per (reason, field, action), examples as row numbers, in the catalogue's order."""
    schema = {"reason": pl.String, "field": pl.String, "action": pl.String, "rows": pl.Int64, "examples": pl.String}
    counted = [
        {"reason": reason, "field": "", "action": "excluded", "rows": n, "examples": ""}
        for reason, n in (("empty_row", read.empty_rows), ("trailing_empty_rows", read.trailing_empty_rows))
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
