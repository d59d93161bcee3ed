"""Map a file's own headers onto the canonical fields, and save/load that mapping."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from lib.errors import InputError
from lib.ingest.dates import check_zone
from lib.schema import TABLES

# A field is matched only if its best score reaches this; exact synonym = 100.
MIN_SCORE = 60.0
MAPPING_VERSION = 1

_BRACKETS = re.compile(r"[(\[（【{<《].*?[)\]）】}>》]")
_SEPARATORS = re.compile(r"[\s_\-./\\:：,，;；|#*'\"“”‘’?？!！]+")


def normalise_header(header: str) -> str:
    """Lower case, full-width folded, bracketed units removed, separators as single spaces.

    `"处理时长(分钟)"` → `"处理时长"`, `"Order_Purchase-Timestamp "` → `"order purchase timestamp"`.
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    without_units = _BRACKETS.sub(" ", text).strip()
    text = without_units or text  # a header that is only "(元)" keeps its text
    return _SEPARATORS.sub(" ", text).strip()


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def score(header: str, synonym: str) -> float:
    """How well a normalised header matches a normalised synonym (0–100).

    Exact match scores 100. Otherwise the synonym must appear in the header as
    whole words (Latin) or as a substring (Chinese); the score grows with the
    share of the header the synonym covers, so `sys created at` matches
    `created at` less well than `created at` itself.
    """
    if header == synonym:
        return 100.0
    if not synonym or not header:
        return 0.0
    if _is_cjk(synonym):
        found = synonym in header.replace(" ", "")
        covered = len(synonym) / max(len(header.replace(" ", "")), 1)
    else:
        found = f" {synonym} " in f" {header} "
        covered = len(synonym) / max(len(header), 1)
    return 50.0 + 40.0 * covered if found else 0.0


@dataclass(frozen=True)
class Choice:
    """Why a field got its column (or why a header was refused): a confidence and an i18n reason.

    `confidence` is "high", "medium" or "low"; `reason` a key under `map.why.` with its `params`.
    """

    confidence: str
    reason: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MappingResult:
    """The mapping of one table: canonical field → source header, plus what is missing."""

    table: str
    columns: dict[str, str]
    missing_required: tuple[str, ...] = ()
    # For each missing required field, the unmapped headers that came closest.
    candidates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Per mapped field, how sure the guess is and why (empty for a header-only mapping).
    choices: dict[str, Choice] = field(default_factory=dict)
    # Fields whose header matched but whose content disagreed, and why they were left out.
    refused: dict[str, Choice] = field(default_factory=dict)


def header_scores(table: str, headers: list[str]) -> dict[tuple[str, str], float]:
    """(field, header) → synonym score, for every pair that reaches `MIN_SCORE`."""
    return dict(_header_scores(table, tuple(headers)))


@lru_cache(maxsize=64)
def _header_scores(table: str, headers: tuple[str, ...]) -> tuple[tuple[tuple[str, str], float], ...]:
    scores = {}
    normalised = {h: normalise_header(h) for h in headers}
    for fld in TABLES[table]:
        synonyms = [normalise_header(s) for s in (fld.name, *fld.synonyms)]
        for header in headers:
            # Earlier synonyms win ties (resolved_at beats closed_at for "resolved_at").
            best = max(score(normalised[header], synonym) - i * 0.01 for i, synonym in enumerate(synonyms))
            if best >= MIN_SCORE:
                scores[(fld.name, header)] = best
    return tuple(scores.items())


def auto_map(table: str, headers: list[str]) -> MappingResult:
    """Match `headers` to the fields of `table` by name alone, best pairs first, each used once."""
    fields = TABLES[table]
    f_index = {f.name: i for i, f in enumerate(fields)}
    h_index = {h: i for i, h in enumerate(headers)}
    pairs = [
        (best, -f_index[name], -h_index[header], name, header)
        for (name, header), best in header_scores(table, headers).items()
    ]
    columns: dict[str, str] = {}
    used: set[str] = set()
    for _, _, _, name, header in sorted(pairs, reverse=True):
        if name not in columns and header not in used:
            columns[name] = header
            used.add(header)
    ordered = {f.name: columns[f.name] for f in fields if f.name in columns}
    return _with_missing(table, ordered, headers)


def _with_missing(table: str, columns: dict[str, str], headers: list[str]) -> MappingResult:
    missing = tuple(f.name for f in TABLES[table] if f.required and f.name not in columns)
    unmapped = tuple(h for h in headers if h not in columns.values())
    return MappingResult(table, columns, missing, {name: unmapped for name in missing})


def apply_overrides(table: str, headers: list[str], columns: dict[str, str | None]) -> MappingResult:
    """A user-corrected mapping: keep only fields of `table` pointing at real headers."""
    known = {f.name for f in TABLES[table]}
    clean = {k: v for k, v in columns.items() if k in known and v in headers}
    ordered = {f.name: clean[f.name] for f in TABLES[table] if f.name in clean}
    return _with_missing(table, ordered, headers)


def map_headers(table: str, headers: list[str], saved: dict[str, str] | None = None) -> MappingResult:
    """`auto_map`, with a saved mapping (from a mapping file) used where its headers exist."""
    found = auto_map(table, headers)
    return with_saved(table, headers, found.columns, saved) if saved else found


def with_saved(
    table: str, headers: list[str], columns: dict[str, str], saved: dict[str, str]
) -> MappingResult:
    """`columns` with a saved mapping laid over them where its headers exist in this file."""
    return apply_overrides(table, headers, {**columns, **{k: v for k, v in saved.items() if v in headers}})


def require_complete(result: MappingResult) -> None:
    """Raise `InputError("mapping.missing")` naming the first missing required field."""
    if result.missing_required:
        name = result.missing_required[0]
        options = ", ".join(result.candidates.get(name, ())[:8]) or "—"
        raise InputError("mapping.missing", field=name, table=result.table, candidates=options)


def dumps(mappings: dict[str, dict[str, str]], settings: dict | None = None) -> str:
    """The JSON file a team saves and reloads: mappings per table plus settings."""
    doc = {"aftersight_mapping": MAPPING_VERSION, "tables": mappings, "settings": settings or {}}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def loads(text: str | bytes) -> tuple[dict[str, dict[str, str]], dict]:
    """Parse a saved mapping file; raise `InputError("mapping.bad_file")` if it is not one.

    A `timezone` in its settings must be a time zone name (`InputError("settings.bad_timezone")`
    otherwise: times would silently move); it comes back spelled as zoneinfo spells it.
    """
    try:
        doc = json.loads(text)
        tables = doc["tables"]
        if not isinstance(tables, dict) or doc.get("aftersight_mapping") != MAPPING_VERSION:
            raise ValueError("not an Aftersight mapping file")
        mappings = {
            table: {str(k): str(v) for k, v in columns.items()}
            for table, columns in tables.items()
            if table in TABLES and isinstance(columns, dict)
        }
        settings = doc.get("settings") or {}
        settings = settings if isinstance(settings, dict) else {}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError("mapping.bad_file", detail=str(exc)[:120]) from exc
    if "timezone" in settings:
        settings = {**settings, "timezone": check_zone(settings["timezone"])}
    return mappings, settings
