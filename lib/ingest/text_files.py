"""Delimited text (CSV, TSV) to a raw table: encoding, delimiter, header, parsing; the head of a big file."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice

import polars as pl

from lib.errors import InputError
from lib.ingest.limits import limit, limit_params
from lib.ingest.raw import (
    HEADER_SCAN,
    ReadResult,
    clean_strings,
    error_detail,
    filled_rows,
    header_names,
    header_position,
    looks_like_data,
    name_columns,
    to_result,
)

_SAMPLE = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')
_QUOTED_BYTES = re.compile(rb'"[^"]*"')
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_SPACE = re.compile(rb"\S")
_BLANK_LINES = re.compile(rb"(?:\xef\xbb\xbf)?(?:[ \t]*\r?\n)+")
_MARKUP = re.compile(rb"<(?:html|table|!doctype|\?xml)", re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A line of ASCII and CJK text in valid UTF-8 (U+3000–U+9FFF and the full-width forms are
# three bytes, E3–E9 or EF then two continuation bytes); searched on the raw bytes so that
# a plain GBK file is not decoded twice. Possessive stars keep the search linear.
_UTF8_CJK = rb"[\xe3-\xe9\xef][\x80-\xbf]{2}"
_UTF8_CJK_LINE = re.compile(
    rb"(?m)^[\x00-\x09\x0b-\x7f]*+" + _UTF8_CJK + rb"(?:[\x00-\x09\x0b-\x7f]|" + _UTF8_CJK + rb")*+$"
)
_CJK = "\u3000-\u9fff\uff00-\uffef"
_UTF8_CJK_TEXT = re.compile(rf"[\x00-\x7f{_CJK}]*+")
_ESCAPED = re.compile("[\udc80-\udcff]")


# --- text ---------------------------------------------------------------------


def read_text(data: bytes, name: str) -> ReadResult:
    text, encoding = _decode(data, name)
    try:
        return _read_decoded(text, encoding, name)
    except _NotUtf8:
        text, encoding = _decode_legacy(data, name)
        return _read_decoded(text, encoding, name)


def _table_text(text: bytes, name: str) -> tuple[bytes, int]:
    """Refuse UTF-8 text that is no delimited table; the text from its first non-blank line, and how many blank lines went."""
    if not _NON_SPACE.search(text):
        raise InputError("read.empty", name=name)
    sample = text[:_SAMPLE]
    if len(_CONTROL.findall(sample)) > len(sample) // 100:
        raise InputError("read.binary", name=name)
    if _MARKUP.match(sample.removeprefix(codecs.BOM_UTF8).lstrip()):
        # HTML or XML saved as .xls/.csv by some ticket systems: not a delimited table.
        raise InputError("read.unsupported", name=name)
    blank_lines = 0
    if blank := _BLANK_LINES.match(text):
        blank_lines = text[: blank.end()].count(b"\n")
        text = text[blank.end() :]  # Polars takes the column count from the first line
    return text, blank_lines


def _read_decoded(text: bytes, encoding: str, name: str) -> ReadResult:
    """Read UTF-8 text as a delimited table, the header being the first full row."""
    text, blank_lines = _table_text(text, name)
    sample = text[:_SAMPLE]
    if b"\n" not in sample and b"\r" in sample:
        text = text.replace(b"\r", b"\n")  # classic Mac line endings
        sample = text[:_SAMPLE]
    delimiter = _sniff_delimiter(sample.decode("utf-8", "ignore"), complete=len(text) <= _SAMPLE)
    _check_first_line(text, delimiter, name)
    # Clean before looking for the header: a row of spaces is an empty row.
    raw = clean_strings(_csv_frame(text, delimiter, name))
    filled = filled_rows(raw)
    if filled.len() == 0:
        raise InputError("read.empty", name=name)
    header_at, title_rows = _find_header(raw, filled)
    frame = name_columns(raw.slice(header_at + 1), raw.row(header_at))
    return to_result(
        frame,
        name,
        "csv",
        encoding=encoding,
        delimiter=delimiter,
        clean=False,
        header_row=blank_lines + header_at + 1,
        title_rows=title_rows,
    )


def _check_first_line(text: bytes, delimiter: str, name: str) -> None:
    """Refuse a first line with more fields than the column limit before Polars builds them all.

    A file whose line breaks were lost arrives as one line of 100,000s of fields.
    """
    end = text.find(b"\n")
    first = text if end < 0 else text[:end]
    cap = limit("columns")
    separator = delimiter.encode()
    if first.count(separator) + 1 <= cap:
        return
    fields = _QUOTED_BYTES.sub(b"", first).count(separator) + 1
    if fields > cap:
        raise InputError("read.too_many_columns", name=name, columns=f"{fields:,}", **limit_params("columns"))


def _find_header(frame: pl.DataFrame, filled: pl.Series) -> tuple[int, int]:
    """The index of the header row, and how many non-empty rows above it form a title block.

    Exports from Chinese systems often start with a title ("售后工单明细表"), an export
    date and a blank line. The header is the first non-empty row at least half as full
    as the typical (median) row of the first rows; title rows are narrower.
    """
    first = filled[0]
    head = frame.slice(first, HEADER_SCAN)
    counts = head.select(pl.sum_horizontal(pl.all().is_not_null())).to_series().to_list()
    at, title_rows = header_position(counts)
    if at and looks_like_data(head.row(at)):
        return first, 0
    return first + at, title_rows


class _NotUtf8(Exception):
    """The UTF-8 sample was fine but a later byte was not."""


def _decode(data: bytes, name: str) -> tuple[bytes, str]:
    """UTF-8 bytes for Polars, and the encoding the file was in."""
    if data.startswith(codecs.BOM_UTF8):
        return data, "utf-8-sig"  # Polars skips the BOM itself
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _recode(data, "utf-16", name)
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        # Mostly-ASCII UTF-16 without BOM has a zero in every other byte; binaries don't.
        half = max(len(sample) // 2, 1)
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > half * 0.3 and even < half * 0.01:
            return _recode(data, "utf-16-le", name)
        if even > half * 0.3 and odd < half * 0.01:
            return _recode(data, "utf-16-be", name)
        raise InputError("read.binary", name=name)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(data) <= _SAMPLE)
    except UnicodeDecodeError:
        return _decode_legacy(data, name)
    # Decoding 100 MB in Python costs more than reading it; Polars validates the rest.
    return data, "utf-8"


def _decode_legacy(data: bytes, name: str) -> tuple[bytes, str]:
    """Lines of UTF-8 and GB18030 mixed, GB18030 (what Excel on Chinese Windows writes), else charset-normalizer's guess."""
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed, "utf-8+gb18030"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_chinese(text):
        return text.encode("utf-8"), "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in {"utf_8", "ascii"}:
        raise InputError("read.encoding", name=name)
    return _recode(data, best.encoding, name)


def _decode_mixed(data: bytes) -> bytes | None:
    """UTF-8 text in which some lines are GB18030, decoded line by line; None if the file is not that.

    Happens when a GBK export and a UTF-8 export are pasted into one file: decoding
    the whole file either way garbles half of it.
    """
    if not _UTF8_CJK_LINE.search(data):
        return None  # no line of Chinese in valid UTF-8: a plain legacy file
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    legacy = []
    for index, line in enumerate(lines):
        if line.isascii() or _UTF8_CJK_TEXT.fullmatch(line):
            continue
        if not _ESCAPED.search(line):
            return None  # valid UTF-8 outside CJK: not the case handled here
        try:
            lines[index] = line.encode("utf-8", "surrogateescape").decode("gb18030")
        except UnicodeDecodeError:
            return None
        legacy.append(lines[index])
    if not legacy or not _looks_chinese("\n".join(legacy)):
        return None
    return "\n".join(lines).encode("utf-8")


def _looks_chinese(text: str) -> bool:
    """Whether GB18030-decoded text is real Chinese rather than mojibake.

    Latin-1, Big5 or Shift-JIS bytes often decode as GB18030 too, but into rare
    characters; real text is mostly the 3,755 common hanzi and GB2312 punctuation.
    """
    # The first 20,000 non-ASCII characters wherever they are: the first 64 KiB may be ASCII.
    foreign = [match[0] for match in islice(_NON_ASCII.finditer(text), 20_000)]
    if not foreign:
        return True
    common = 0
    for char in foreign:
        try:
            lead = char.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= lead <= 0xD7 or 0xA1 <= lead <= 0xA9
    return common >= len(foreign) / 2


def _recode(data: bytes, encoding: str, name: str) -> tuple[bytes, str]:
    try:
        return data.decode(encoding).encode("utf-8"), encoding
    except (UnicodeDecodeError, LookupError):
        raise InputError("read.encoding", name=name) from None


def _sniff_delimiter(sample: str, complete: bool) -> str:
    """The delimiter whose count per line is steadiest, quoted text ignored.

    Steadiest: the most lines share its most common count, so a title line above
    the header ("售后工单明细表", "导出时间：2024-03-05, 张三") does not decide.
    """
    lines = _QUOTED.sub("", sample).split("\n")
    if not complete:
        lines = lines[:-1]  # probably cut in the middle
    lines = [line for line in lines if line.strip()][:200]
    best, best_key = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        counts = Counter(line.count(delimiter) for line in lines)
        counts.pop(0, None)
        if not counts:
            continue
        common, lines_with_it = counts.most_common(1)[0]
        key = (lines_with_it / len(lines), common)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _csv_frame(text: bytes, delimiter: str, name: str, quote: str | None = '"') -> pl.DataFrame:
    """Every field as String, the header row included as row 0."""
    options = {"has_header": False, "separator": delimiter, "quote_char": quote, "raise_if_empty": False}
    try:
        try:
            return pl.read_csv(text, infer_schema=False, **options)
        except pl.exceptions.ComputeError as exc:
            if "more fields" not in str(exc):
                raise
        # Some rows are longer than the first: widen until Polars no longer finds more
        # fields than columns (truncate_ragged_lines would drop cells silently).
        width = pl.read_csv(text, infer_schema=False, n_rows=1, truncate_ragged_lines=True, **options).width
        for extra in (8, 64, 512, 4096):
            schema = {f"field_{i}": pl.String for i in range(width + extra)}
            try:
                return pl.read_csv(text, schema=schema, missing_columns="insert", **options)
            except pl.exceptions.ComputeError as exc:
                if "more fields" not in str(exc):
                    raise
        raise InputError("read.bad_csv", name=name, detail=f"a row has more than {width + 4096} fields")
    except InputError:
        raise
    except Exception as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            raise _NotUtf8 from exc
        # A stray quote inside a field (24" monitor) breaks Polars' parser; when no
        # field starts with a quote the file does not use quoting at all.
        starts_quoted = re.compile(rb"(?:^|" + re.escape(delimiter.encode()) + rb')[ \t]*"', re.MULTILINE)
        if quote is not None and not starts_quoted.search(text):
            return _csv_frame(text, delimiter, name, quote=None)
        raise InputError("read.bad_csv", name=name, detail=error_detail(exc)) from None


# --- the head of a big file, read where it lies ------------------------------------


@dataclass(frozen=True)
class TextLayout:
    """How a delimited file is laid out, found from its first bytes (`read_head`).

    `read` is the head as a table (header found, title rows counted); `width` the
    number of fields per line, `names` the name of each field position (None for a
    column `name_columns` drops: no header and no data in the head); `skip` the
    lines up to and including the header; `quote` None when no field is quoted.
    """

    read: ReadResult
    width: int
    names: tuple[str | None, ...]
    skip: int
    quote: str | None


def read_head(text: bytes, name: str, complete: bool) -> TextLayout:
    """Read the first bytes of a UTF-8 delimited file exactly as `read_table` reads a whole one.

    `text` ends at a line break (or is the `complete` file). Raises `InputError` as
    `read_table` does, and `read.encoding` when the head is not UTF-8.
    """
    if text.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in text[:_SAMPLE]:
        raise InputError("read.encoding", name=name)
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("read.encoding", name=name) from None
    text, blank_lines = _table_text(text, name)
    if b"\n" not in text and b"\r" in text:
        raise InputError("read.unsupported", name=name)  # classic Mac line endings: upload the file instead
    delimiter = _sniff_delimiter(text[:_SAMPLE].decode("utf-8", "ignore"), complete=complete)
    _check_first_line(text, delimiter, name)
    starts_quoted = re.compile(rb"(?:^|" + re.escape(delimiter.encode()) + rb')[ \t]*"', re.MULTILINE)
    quote = '"' if starts_quoted.search(text) else None
    raw = clean_strings(_csv_frame(text, delimiter, name, quote=quote))
    filled = filled_rows(raw)
    if filled.len() == 0:
        raise InputError("read.empty", name=name)
    header_at, title_rows = _find_header(raw, filled)
    header = raw.row(header_at)
    frame = name_columns(raw.slice(header_at + 1), header)
    names = tuple(n if n in frame.columns else None for n in header_names(header))
    header_row = blank_lines + header_at + 1
    read = to_result(
        frame,
        name,
        "csv",
        encoding="utf-8",
        delimiter=delimiter,
        clean=False,
        header_row=header_row,
        title_rows=title_rows,
        row_limit=False,  # only the head: an upload's row limit is applied while loading
    )
    return TextLayout(read, raw.width, names, header_row, quote)
