"""What each column of a file holds, read from a sample of its values: the facts content-based mapping uses."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import polars as pl

from lib.engine.periods import no_time_of_day
from lib.ingest.dates import (
    EPOCH_MILLISECONDS,
    EPOCH_SECONDS,
    SERIAL_HIGH,
    SERIAL_LOW,
    detect_day_order,
    parse_datetimes,
)
from lib.ingest.values import parse_bools, parse_numbers

SAMPLE_ROWS = 1_000  # evenly spaced rows: a sorted file's head would show one day or one agent
# A text cell worth trying as a date: digits with a date separator or a Chinese date character.
_DATE_LIKE = (
    r"^\s*\d{1,4}[-/.年]\d{1,2}[-/.月]\d{1,4}|^\s*\d{4}[-/.年]\d{1,2}(?:\D|$)|^\s*\d{8}(?:\D|$)"
    r"|^\s*\d{1,2}[-/ ][A-Za-z]{3}|^[A-Za-z]{3,9}\.? \d{1,2},? \d{4}"
)  # 2024-03-01, 2024/3, 20240301, 01-Mar-2024, Mar 1, 2024: not a decimal such as 1.5
_WORDS = re.compile(r"[a-z]+|[0-9]+|[\u4e00-\u9fff]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CJK = re.compile(r"[\u4e00-\u9fff]")

Kind = str  # "empty" | "datetime" | "bool" | "integer" | "number" | "text"


@dataclass(frozen=True)
class Profile:
    """One column's sample, parsed every way that fits, and the facts read off it."""

    name: str
    words: tuple[str, ...]  # the header split into lower-case words (camelCase, snake_case, 中文 runs)
    squashed: str  # the header lower-cased without separators: "dateopened", "创建时间"
    kind: Kind
    filled: float  # share of sample rows with a value
    distinct: float  # distinct values / filled values
    n_distinct: int
    text: pl.Series = field(repr=False)  # trimmed text, null where empty
    datetimes: pl.Series | None = field(default=None, repr=False)
    numbers: pl.Series | None = field(default=None, repr=False)
    mean_length: float = 0.0
    mean_words: float = 0.0  # words per value (a run of Chinese characters counts one per 4 characters)
    cjk: bool = False  # most values hold Chinese characters
    serial_days: bool = False  # numbers that could be Excel serial dates (a date column saved as numbers)
    epoch: bool = False  # whole numbers that could be Unix time in seconds or milliseconds (an API export)
    date_like: float = 0.0  # share of values that look like a date or a time of day
    times_only: float = 0.0  # share of values that are a bare clock time or duration (01:47:37), no date
    bool_like: float = 0.0  # share of values that read as yes/no
    number_like: float = 0.0  # share of values that read as numbers
    date_only: bool = False  # every parsed value at midnight

    def has_word(self, *words: str) -> str | None:
        """The first of `words` the header contains: whole words, or inside a run-together header
        for words of four or more letters and for Chinese ("dateopened" has "opened")."""
        for word in words:
            if word in self.words:
                return word
            if (len(word) >= 4 or _CJK.search(word)) and word in self.squashed:
                return word
        return None

    def top(self, limit: int = 8) -> list[str]:
        """The commonest values, commonest first."""
        counts = self.text.drop_nulls().value_counts(sort=True)
        return [str(v) for v in counts.to_series(0).head(limit).to_list()]


def header_words(header: str) -> tuple[tuple[str, ...], str]:
    """`"Case_OpenedOn"` → (("case", "opened", "on"), "caseopenedon"); Chinese runs stay whole words."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    split = _CAMEL.sub(" ", text).lower()
    words = tuple(_WORDS.findall(split))
    return words, "".join(words)


def sample(frame: pl.DataFrame, rows: int = SAMPLE_ROWS) -> pl.DataFrame:
    """Up to `rows` rows spread evenly over the frame."""
    if frame.height <= rows:
        return frame
    return frame.gather_every(frame.height // rows).head(rows)


def profile_frame(frame: pl.DataFrame) -> dict[str, Profile]:
    """A profile of every column, from an even sample of the rows; one day order for the whole file."""
    rows = sample(frame)
    texts = {name: _as_text(rows[name]) for name in rows.columns}
    dated = {name: _share(text.str.contains(_DATE_LIKE), text) for name, text in texts.items()}
    day_order = detect_day_order([texts[name] for name, share in dated.items() if share >= 0.5]) or "mdy"
    return {name: _profile(rows[name], texts[name], dated[name], day_order) for name in rows.columns}


def _as_text(values: pl.Series) -> pl.Series:
    text = values.cast(pl.String, strict=False).str.strip_chars()
    return text.set(text == "", None) if text.len() else text


def _share(mask: pl.Series, of: pl.Series) -> float:
    total = of.count()
    return float(mask.fill_null(False).sum()) / total if total else 0.0


def _profile(raw: pl.Series, text: pl.Series, dated_share: float, day_order: str) -> Profile:
    """One column's facts; `dated_share` is the share of its cells that look like dates (`_DATE_LIKE`)."""
    words, squashed = header_words(raw.name)
    filled_count = text.count()
    base = {
        "name": raw.name,
        "words": words,
        "squashed": squashed,
        "filled": filled_count / len(text) if len(text) else 0.0,
        "n_distinct": text.drop_nulls().n_unique(),
        "text": text,
    }
    base["distinct"] = base["n_distinct"] / filled_count if filled_count else 0.0
    if filled_count == 0:
        return Profile(kind="empty", **base)
    present = text.drop_nulls()
    lengths = present.str.len_chars()
    base["mean_length"] = float(lengths.mean())
    latin_words = present.str.count_matches(r"[A-Za-z0-9]+")
    chinese_words = present.str.count_matches(r"[\u4e00-\u9fff]") / 4
    base["mean_words"] = float((latin_words + chinese_words).mean())
    base["cjk"] = _share(present.str.contains(r"[\u4e00-\u9fff]"), present) >= 0.5
    bools = parse_bools(raw)
    parsed = parse_numbers(raw) if not raw.dtype.is_temporal() else None
    base["number_like"] = parsed.count() / filled_count if parsed is not None else 0.0
    numbers = parsed if base["number_like"] >= 0.95 else None
    base["date_like"] = _share(present.str.contains(_DATE_LIKE + r"|\d{1,2}:\d{2}"), present)
    base["bool_like"] = bools.count() / filled_count
    base["times_only"] = _share(present.str.contains(r"^\d{1,3}:\d{2}(?::\d{2})?$"), present)
    if bools.count() >= 0.98 * filled_count and base["n_distinct"] <= 2:
        return Profile(kind="bool", numbers=numbers, **base)
    dated = _datetimes(raw, text, dated_share, day_order, numbers is not None)
    if dated is not None:
        return Profile(kind="datetime", datetimes=dated, date_only=no_time_of_day(dated), **base)
    if numbers is not None:
        whole = numbers.drop_nulls()
        kind = "integer" if bool((whole == whole.round()).all()) else "number"
        serial = bool(whole.is_between(SERIAL_LOW, SERIAL_HIGH).all())
        # Unix seconds may carry a fraction (1709253000.25); milliseconds are whole.
        epoch = bool(whole.is_between(*EPOCH_SECONDS).all()) or (
            kind == "integer" and bool(whole.is_between(*EPOCH_MILLISECONDS).all())
        )
        return Profile(kind=kind, numbers=numbers, serial_days=serial, epoch=epoch, **base)
    return Profile(kind="text", **base)


def _datetimes(
    raw: pl.Series, text: pl.Series, dated_share: float, day_order: str, numeric: bool
) -> pl.Series | None:
    """Parsed dates when nearly every value is one; a column of plain numbers is not (ids, amounts)."""
    if raw.dtype.is_temporal():
        return parse_datetimes(raw)
    if numeric:
        return None  # Excel serial days count only in a column typed as a date by the workbook reader
    if dated_share < 0.8:
        return None
    parsed = parse_datetimes(text, day_order)
    return parsed if parsed.count() >= 0.9 * text.count() else None
