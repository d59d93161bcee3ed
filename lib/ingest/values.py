"""Numbers, yes/no flags and text parsed from the cells users type, whole columns at a time."""

from __future__ import annotations

import polars as pl

# Full-width forms a Chinese input method types: "１２３．５" is 123.5.
_FULL_WIDTH = "０１２３４５６７８９．，－＋％"
_HALF_WIDTH = "0123456789.,-+%"
# Currency in front ("¥1,200", "-¥12") and units behind ("1200元", "9分", "30分钟"): each
# says what the column measures, never changes the number.
_CURRENCY = r"(?i)^([+-]?)\s*(?:[¥￥$€£]|rmb|cny|usd|us\$)\s*"
_UNIT = r"(?i)\s*(?:元|块|圆|分钟|分|星|次|件|个|min|mins|rmb|cny|%)$"
_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"

_TRUE = ("true", "t", "1", "1.0", "yes", "y", "是", "有", "对", "對", "√", "✓", "✔")
_FALSE = ("false", "f", "0", "0.0", "no", "n", "否", "无", "無", "没有", "错", "錯", "×", "✗", "✘")
_BOOLS = dict.fromkeys(_TRUE, True) | dict.fromkeys(_FALSE, False)


def parse_numbers(values: pl.Series, trimmed: bool = False) -> pl.Series:
    """Parse amounts, counts and scores as typed: `1,234.5`, `¥1,200`, `1200元`, `9分`, `85%`.

    A percent sign is dropped (`85%` is 85.0); `1,5` (decimal comma) and `(12)` are
    not guessed at and stay null, so validation reports them.

    Parameters
    ----------
    values : pl.Series
        Text or numeric column.
    trimmed : True when no text cell has spaces around it (a `ReadResult`'s cells): no trim pass.

    Returns
    -------
    pl.Series
        Float64, same name and length; null where empty, unparseable or not finite.
    """
    if values.dtype.is_numeric() or values.dtype in (pl.Boolean, pl.Null):
        numbers = values.cast(pl.Float64)
    else:
        text = values.cast(pl.String)
        text = text if trimmed else text.str.strip_chars()
        numbers = text.cast(pl.Float64, strict=False)
        # Only the cells a plain cast could not read go through the slower clean-up.
        todo = (numbers.is_null() & text.is_not_null()).arg_true()
        if todo.len():
            cleaned = _clean_number_text(text.gather(todo)).cast(pl.Float64, strict=False)
            numbers.scatter(todo, cleaned)
    finite = numbers.to_frame().select(pl.when(pl.first().is_finite()).then(pl.first()))
    return finite.to_series().alias(values.name)


def _clean_number_text(text: pl.Series) -> pl.Series:
    if text.str.contains(f"[{_FULL_WIDTH}]").any():
        text = text.str.replace_many(list(_FULL_WIDTH), list(_HALF_WIDTH))
    text = text.str.replace(_CURRENCY, "${1}").str.replace(_UNIT, "").str.strip_chars()
    return (
        text.to_frame()
        .select(
            pl.when(pl.first().str.contains(_THOUSANDS))
            .then(pl.first().str.replace_all(",", "", literal=True))
            .otherwise(pl.first())
        )
        .to_series()
    )


def parse_bools(values: pl.Series, trimmed: bool = False) -> pl.Series:
    """Parse yes/no flags: true/false, t/f, 1/0, yes/no, y/n, 是/否, 有/无, 对/错, √/×, ✓/✗.

    Case and surrounding spaces are ignored; a Boolean column is kept; numbers 1
    and 0 are true and false. `trimmed`: as for `parse_numbers`.

    Returns
    -------
    pl.Series
        Boolean, same name and length; null where empty or not one of the words.
    """
    if values.dtype == pl.Boolean:
        return values
    if values.dtype.is_numeric():
        flags = values.to_frame().select(
            pl.when(pl.first() == 1).then(True).when(pl.first() == 0).then(False)
        )
        return flags.to_series().alias(values.name)
    text = values.cast(pl.String)
    text = (text if trimmed else text.str.strip_chars()).str.to_lowercase()
    return text.replace_strict(_BOOLS, default=None, return_dtype=pl.Boolean)


def parse_text(values: pl.Series) -> pl.Series:
    """Text as shown to people: trimmed, empty as null, `1001.0` from Excel as `1001`.

    Returns
    -------
    pl.Series
        String, same name and length.
    """
    dtype = values.dtype
    if dtype.is_float():
        column = pl.first()
        whole = (column == column.floor()) & (column.abs() < 2**53)
        text = (
            pl.when(column.is_nan())
            .then(None)
            .when(whole)
            .then(column.cast(pl.Int64, strict=False).cast(pl.String))
        )
        return values.to_frame().select(text.otherwise(column.cast(pl.String))).to_series().alias(values.name)
    if isinstance(dtype, pl.Datetime):
        return values.dt.to_string("%Y-%m-%d %H:%M:%S")
    if dtype == pl.Date:
        return values.dt.to_string("%Y-%m-%d")
    return values.cast(pl.String, strict=False).str.strip_chars().replace("", None)


def unparsed_mask(raw: pl.Series, parsed: pl.Series) -> pl.Series:
    """True where `raw` held something but `parsed` is null: the cells to report.

    Returns
    -------
    pl.Series
        Boolean, no nulls, named after `raw`.
    """
    if raw.dtype == pl.String:
        # Only cells that failed to parse need the (costly) whitespace check.
        suspects = (raw.is_not_null() & parsed.is_null()).fill_null(False)
        rows = suspects.arg_true()
        blank = raw.gather(rows).str.strip_chars().str.len_bytes() == 0
        return suspects.scatter(rows.filter(blank), False).alias(raw.name)
    elif raw.dtype.is_float():
        present = raw.is_not_null() & raw.is_not_nan()
    else:
        present = raw.is_not_null()
    return (present & parsed.is_null()).fill_null(False).alias(raw.name)
