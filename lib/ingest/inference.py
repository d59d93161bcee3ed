"""Map a file's columns by what they contain as well as by their headers, each choice with a confidence
and a reason a manager can read ("unique in every row", "later than 'Opened' in 99 % of rows").

A header that matches a synonym is kept when the content agrees with it, and refused when it does not
(a free-text title is no ticket number; a category is no yes/no flag). A field with no header match is
guessed from content: ids by uniqueness, dates by their order in most rows, dimensions by vocabulary,
everything else only where a word of the header supports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import polars as pl

from lib.errors import InputError
from lib.i18n import t
from lib.ingest.dates import DEFAULT_ZONE, detect_day_order
from lib.ingest.mapping import MIN_SCORE, Choice, MappingResult, apply_overrides, header_scores, with_saved
from lib.ingest.profile import Profile, profile_frame, sample
from lib.ingest.validation import parse_as
from lib.ingest.vocabulary import AMOUNTS, DIMENSIONS, FLAGS, TELLS, VOCABULARY, WHOLE_VALUE, WORDS
from lib.schema import TABLES

HIGH, MEDIUM, LOW = "high", "medium", "low"
STRONG_HEADER = 90.0  # a header this close to a synonym is taken when the content allows it
# A required date whose content contradicts its header is still used when nothing better exists:
# validation then names the column and what is wrong with its values, loudly.
LAST_RESORT = ("not_dates", "times_only")


@dataclass(frozen=True)
class Guess:
    """One field's candidate column, how sure we are and why (an i18n key under `map.why.` + values)."""

    field: str
    column: str
    score: float
    confidence: str
    reason: str
    params: dict


def infer(
    frame: pl.DataFrame, table: str | None = None, saved: dict[str, str] | None = None
) -> MappingResult:
    """Map `frame`'s columns onto the fields of `table` (guessed when None) by header and content.

    A saved mapping wins where its headers exist. The file is profiled once, from a sample of its rows.
    """
    profiles = profile_frame(frame)
    if table is not None:
        return _map(table, frame, profiles, saved)
    results = {name: _map(name, frame, profiles, None) for name in ("tickets", "surveys", "customers")}

    def fit(result: MappingResult) -> tuple[int, float]:
        sure = sum({HIGH: 1.0, MEDIUM: 0.7, LOW: 0.4}[c.confidence] for c in result.choices.values())
        return (-len(result.missing_required), sure + 2 * len(TELLS[result.table] & result.columns.keys()))

    best = max(results.values(), key=fit)  # the table kind the file fits best: tickets on a tie
    return _map(best.table, frame, profiles, saved) if saved else best


def map_frame(table: str, frame: pl.DataFrame, saved: dict[str, str] | None = None) -> MappingResult:
    """`infer` for a known table kind."""
    return infer(frame, table, saved)


def guess_table(frame: pl.DataFrame) -> str:
    """The table kind the file fits best (required fields found, then how sure and how telling)."""
    return infer(frame).table


def _map(table: str, frame: pl.DataFrame, profiles: dict[str, Profile], saved: dict[str, str] | None):
    headers = list(frame.columns)
    guesses, refused = _guesses(table, profiles)
    chosen: dict[str, Guess] = {}
    used: set[str] = set()
    for guess in sorted(guesses, key=lambda g: -g.score):
        if guess.field not in chosen and guess.column not in used:
            chosen[guess.field] = guess
            used.add(guess.column)
    columns = {f.name: chosen[f.name].column for f in TABLES[table] if f.name in chosen}
    result = apply_overrides(table, headers, columns)
    choices = {
        name: Choice(chosen[name].confidence, chosen[name].reason, chosen[name].params) for name in columns
    }
    refused = {name: why for name, why in refused.items() if name not in columns}
    result = replace(result, choices=choices, refused=refused)
    if saved:
        merged = with_saved(table, headers, columns, saved)
        saved_choices = {k: Choice(HIGH, "saved", {}) for k, v in saved.items() if merged.columns.get(k) == v}
        result = replace(merged, choices={**choices, **saved_choices}, refused=refused)
    return result


def _guesses(table: str, profiles: dict[str, Profile]) -> tuple[list[Guess], dict[str, Choice]]:
    """Every plausible (field, column) with a score: header matches the content accepts first."""
    guesses: list[Guess] = []
    refused: dict[str, Choice] = {}
    by_header = header_scores(table, list(profiles))
    required = {f.name for f in TABLES[table] if f.required}
    for (name, column), header_score in by_header.items():
        problem = _contradiction(table, name, profiles[column])
        if problem is None:
            guesses.append(_header_guess(name, column, header_score))
        else:
            if name not in refused:
                refused[name] = Choice(LOW, "refused", {"header": column, "problem": problem})
            if name in required and problem in LAST_RESORT:
                guesses.append(Guess(name, column, 10, LOW, "doubt", {"header": column, "problem": problem}))
    header_taken = {column for (_, column), s in by_header.items() if s >= STRONG_HEADER}
    free = {c: p for c, p in profiles.items() if c not in header_taken}
    dated = _dates(table, free)
    both = sorted((g for g in [*guesses, *dated] if g.field == "created_at"), key=lambda g: -g.score)
    created = profiles[both[0].column].datetimes if both else None
    guesses = [_doubt_repeating_ticket(g, profiles, created) for g in guesses]
    for g in guesses:
        if g.reason == "refused":
            refused.setdefault(g.field, Choice(g.confidence, g.reason, g.params))
    guesses = [g for g in guesses if g.reason != "refused"]
    ids = _ids(table, free, created)
    guesses.extend(_per_ticket(dated, ids, guesses, profiles))
    guesses.extend(ids)
    for check in (_dimensions, _flags, _amounts, _surveys, _customers):
        guesses.extend(check(table, free))
    return guesses, refused


def _header_guess(name: str, column: str, header_score: float) -> Guess:
    """A header match the content allows: a strong one wins over content; a weak one ("Close date" for
    created_at, matched by "date" alone) competes with what the content says, a little ahead of a bare guess."""
    if header_score >= STRONG_HEADER:
        return Guess(name, column, 100 + header_score, HIGH, "header", {"header": column})
    score = 70 + (header_score - MIN_SCORE) / 2
    return Guess(name, column, score, MEDIUM, "header", {"header": column})


def _doubt_repeating_ticket(guess: Guess, profiles: dict[str, Profile], created: pl.Series | None) -> Guess:
    """A weak header match for the ticket number that repeats across tickets ("Incident Zip") is refused.
    A header that plainly says so ("Ticket ID") is kept: validation then counts the duplicates, loudly."""
    if guess.field != "ticket_id" or guess.confidence == HIGH or profiles[guess.column].distinct >= 0.98:
        return guess
    if created is not None and _same_start(profiles[guess.column].text, created) >= 0.9:
        return guess  # an event log: a ticket's rows share its creation time
    return Guess("ticket_id", guess.column, 0, LOW, "refused", {"header": guess.column, "problem": "repeats"})


# --- content that contradicts a header ---------------------------------------------------------------


def _contradiction(table: str, name: str, p: Profile) -> str | None:
    """Why `p` cannot hold field `name` whatever its header says, or None when it can."""
    field = next(f for f in TABLES[table] if f.name == name)
    if p.kind == "empty":
        return None  # validation says what an empty column means for the rows
    # Mostly unreadable cells are validation's to count; a column of something else altogether is no match.
    if (
        field.type == "datetime"
        and p.kind != "datetime"
        and not (p.serial_days or p.epoch)
        and p.date_like < 0.3
    ):
        return "not_dates"
    if name in ("first_response_at", "resolved_at") and p.kind == "datetime" and _date_role(p) == "due":
        return "deadline"  # "Resolve By", "Due date", "预计完成时间": when it should happen, not when it did
    if field.type == "datetime" and p.times_only >= 0.8:
        return "times_only"  # "First response time (in hrs)": 01:47:37 is how long, not when
    if field.type == "bool" and p.kind != "bool" and p.bool_like < 0.5:
        return "not_yes_no"
    if (
        field.type in ("number", "int")
        and p.kind not in ("integer", "number", "bool")
        and p.number_like < 0.5
    ):
        return "not_numbers"
    if name in ("ticket_id", "customer_id") and not _id_like(p):
        return "free_text"
    if field.type == "text" and name not in ("ticket_id", "customer_id", "comment") and _free_text(p):
        return "free_text"
    return None


def _id_like(p: Profile) -> bool:
    """Short codes or numbers, not sentences: a title is unique too, but nobody's ticket number."""
    return p.kind in ("text", "integer") and p.mean_length <= 40 and p.mean_words <= 3


def _free_text(p: Profile) -> bool:
    return p.kind == "text" and p.distinct > 0.9 and p.n_distinct > 50 and p.mean_words > 3


# --- ids ----------------------------------------------------------------------------------------------


def _same_start(ids: pl.Series, created: pl.Series | None) -> float:
    """Share of repeated ids whose rows all share one creation time: a ticket's event rows do,
    a customer's tickets do not. 1.0 when no id repeats."""
    if ids.drop_nulls().is_unique().all():
        return 1.0
    if created is None:
        return 0.0
    frame = pl.DataFrame({"id": ids, "created": created}).drop_nulls()
    groups = frame.group_by("id").agg(pl.len().alias("rows"), pl.col("created").n_unique().alias("starts"))
    repeated = groups.filter(pl.col("rows") >= 2)
    return float((repeated["starts"] == 1).mean()) if repeated.height else 1.0


def _ids(table: str, free: dict[str, Profile], created: pl.Series | None) -> list[Guess]:
    out = []
    tickets_seen = max((p.n_distinct for p in free.values() if _id_like(p)), default=1)
    for column, p in free.items():
        if not _id_like(p) or p.filled < 0.5 or p.n_distinct < 20:
            continue
        id_word = p.has_word(*WORDS["id"])
        customer_word = p.has_word(*WORDS["customer"])
        ticket_word = p.has_word(*WORDS["ticket"])
        unique = p.filled >= 0.99 and p.distinct >= 0.98
        same_start = _same_start(p.text, created) if table == "tickets" else 0.0
        if table == "tickets" and not customer_word and p.filled >= 0.99 and same_start >= 0.95:
            sure = MEDIUM if (id_word or ticket_word) else LOW
            score = (70 if unique else 62) + (10 if id_word else 0) + (10 if ticket_word else 0)
            why = ("unique", {}) if unique else ("one_start", {"share": same_start})
            out.append(Guess("ticket_id", column, score, sure, *why))
        if table in ("tickets", "surveys") and not unique and not ticket_word and same_start < 0.8:
            sure = MEDIUM if customer_word else LOW
            # customers are many (a team or a product repeats far more): score by how many there are
            many = min(1.0, p.n_distinct / tickets_seen)
            score = 45 + 20 * many + (15 if customer_word else 0) + (5 if id_word else 0)
            out.append(Guess("customer_id", column, score, sure, "repeats", {"share": p.distinct}))
        if unique and table == "customers" and not p.has_word(*WORDS["ticket"]):
            score = 65 + (10 if id_word else 0) + (15 if customer_word else 0)
            out.append(Guess("customer_id", column, score, MEDIUM if id_word else LOW, "unique", {}))
    return out


# --- dates --------------------------------------------------------------------------------------------


def _later_share(a: pl.Series, b: pl.Series) -> tuple[float, int]:
    """Share of rows with both where `b` is on or after `a`, and how many rows had both."""
    both = a.is_not_null() & b.is_not_null()
    n = int(both.sum())
    return (float(((b >= a) & both).sum()) / n if n else 0.0), n


def _dates(table: str, free: dict[str, Profile]) -> list[Guess]:
    if table != "tickets":
        return []
    dates = {c: p for c, p in free.items() if p.kind == "datetime"}
    roles = {c: _date_role(p) for c, p in dates.items()}
    usable = {c: p for c, p in dates.items() if roles[c] not in ("due", "updated")}
    out = []
    # (a, b) → share of rows with both where b is on or after a, for pairs that share a row
    after = {
        (a, b): share
        for a in usable
        for b in usable
        if a != b
        for share, n in [_later_share(usable[a].datetimes, usable[b].datetimes)]
        if n
    }
    # created: filled in (almost) every row and on or before the others in most rows
    earliest = {c: min((s for (a, _), s in after.items() if a == c), default=0.5) for c in usable}
    # Creation is filled in (nearly) every row; a file with one date column has no other choice.
    fill_needed = 0.95 if len(usable) > 1 else 0.5
    created_candidates = [c for c, p in usable.items() if p.filled >= fill_needed and roles[c] != "resolved"]
    for c in created_candidates:
        named = roles[c] == "created"
        score = 50 + 30 * earliest[c] + (15 if named else 0)
        sure = MEDIUM if named and earliest[c] >= 0.9 else LOW
        if earliest[c] >= 0.9:
            why = ("earliest", {"share": earliest[c]})
        elif named:
            why = ("named", {"word": usable[c].has_word(*WORDS["created"])})
        else:
            why = ("only_date", {})  # a single date column: nothing to compare it with
        out.append(Guess("created_at", c, score, sure, *why))
    if not created_candidates:
        return out
    created = max(created_candidates, key=lambda c: 30 * earliest[c] + (15 if roles[c] == "created" else 0))
    start = usable[created].datetimes
    later = {c: s for (a, c), s in after.items() if a == created and s >= 0.9}
    # A deadline is often a bare date while the events it bounds have times of day.
    timed = not usable[created].date_only
    later = {c: s for c, s in later.items() if roles[c] or not (timed and usable[c].date_only)}
    # resolved: the latest of those; first response: between created and resolved, and much sooner
    if later:
        # how often each is on or after the other later dates: the resolution is the latest
        latest = {c: min((after[(d, c)] for d in later if (d, c) in after), default=1.0) for c in later}
        gap = {c: _median_hours(start, usable[c].datetimes) for c in later}
        slowest = max(gap.values())
        for c, share in later.items():
            named = roles[c] == "resolved"
            score = 45 + 20 * latest[c] + (20 if named else 0) - (25 if roles[c] == "responded" else 0)
            sure = MEDIUM if named else LOW
            out.append(Guess("resolved_at", c, score, sure, "later_than", {"other": created, "share": share}))
            quick = gap[c] <= 0.25 * slowest
            if roles[c] == "responded" or (len(later) >= 2 and quick and not roles[c]):
                named = roles[c] == "responded"
                score = (
                    40
                    + 20 * (1 - latest[c])
                    + 10 * (1 - gap[c] / slowest if slowest else 0)
                    + 25 * bool(named)
                )
                reason = {"other": created, "share": share}
                out.append(Guess("first_response_at", c, score, MEDIUM if named else LOW, "sooner", reason))
    return out


def _per_ticket(dated: list[Guess], ids: list[Guess], named: list[Guess], profiles) -> list[Guess]:
    """In a file of several rows per ticket (an event log), a ticket's own dates are the same on all its
    rows; a date that changes between them (the time of each update) is none of the ticket's dates."""
    ticket = [g.column for g in named if g.field == "ticket_id"] or [
        g.column for g in sorted(ids, key=lambda g: -g.score) if g.field == "ticket_id"
    ]
    if not ticket or profiles[ticket[0]].distinct >= 0.95:
        return dated
    keys = profiles[ticket[0]].text
    return [
        g for g in dated if g.field == "created_at" or _same_start(keys, profiles[g.column].datetimes) >= 0.8
    ]


def _median_hours(start: pl.Series, end: pl.Series) -> float:
    hours = ((end - start).dt.total_seconds() / 3600).drop_nulls()
    return float(hours.median()) if len(hours) else 0.0


def _date_role(p: Profile) -> str | None:
    """What the header's words say a date column is; due and update dates first (they look like the rest)."""
    for role in ("due", "updated", "resolved", "responded", "created"):
        if p.has_word(*WORDS[role]) and not (role == "created" and p.has_word(*WORDS["reopen"])):
            return role
    return None


# --- dimensions ---------------------------------------------------------------------------------------


def _coverage(p: Profile, words: tuple[str, ...], whole: bool) -> float:
    """Share of filled cells that are (whole) or contain (else) one of `words`."""
    text = p.text.drop_nulls().str.to_lowercase()
    if not len(text):
        return 0.0
    if whole:
        hits = text.is_in(list(words))
    else:
        latin = [w for w in words if w.isascii()]
        chinese = [w for w in words if not w.isascii()]
        hits = pl.Series([False] * len(text))
        if latin:
            hits = hits | text.str.contains(
                r"(?:^|[^a-z])(?:" + "|".join(map(re.escape, latin)) + r")(?:[^a-z]|$)"
            )
        if chinese:
            hits = hits | text.str.contains("|".join(map(re.escape, chinese)))
    return float(hits.sum()) / len(text)


def _dimensions(table: str, free: dict[str, Profile]) -> list[Guess]:
    out = []
    fields = {f.name for f in TABLES[table]}
    for column, p in free.items():
        if p.kind not in ("text", "integer") or _free_text(p) or p.distinct > 0.5:
            continue
        for name, words in VOCABULARY.items():
            if name not in fields:
                continue
            share = _coverage(p, words, WHOLE_VALUE[name])
            named = p.has_word(*WORDS[name])
            if share >= 0.6 or (named and share >= 0.3):
                score = 40 + 40 * share + (15 if named else 0)
                sure = MEDIUM if share >= 0.8 or named else LOW
                out.append(Guess(name, column, score, sure, "values", {"examples": ", ".join(p.top(3))}))
        if "priority" in fields and p.kind == "integer" and p.has_word(*WORDS["priority"]):
            out.append(
                Guess("priority", column, 70, MEDIUM, "named", {"word": p.has_word(*WORDS["priority"])})
            )
        for name, key in DIMENSIONS.items():
            word = p.has_word(*WORDS[key])
            if name in fields and word and p.kind == "text":
                out.append(Guess(name, column, 55 + 10 * (p.filled >= 0.5), MEDIUM, "named", {"word": word}))
    return out


# --- flags and amounts ----------------------------------------------------------------------------------


def _flags(table: str, free: dict[str, Profile]) -> list[Guess]:
    fields = {f.name for f in TABLES[table]}
    out = []
    for column, p in free.items():
        if p.kind != "bool":
            continue
        for name, key in FLAGS.items():
            word = p.has_word(*WORDS[key])
            if name in fields and word:
                out.append(Guess(name, column, 70, MEDIUM, "named", {"word": word}))
    return out


def _amounts(table: str, free: dict[str, Profile]) -> list[Guess]:
    fields = {f.name for f in TABLES[table]}
    out = []
    for column, p in free.items():
        if p.kind not in ("integer", "number", "bool") or p.numbers is None:
            continue
        values = p.numbers.drop_nulls()
        non_negative = bool(len(values)) and values.min() >= 0
        for name, key in AMOUNTS.items():
            word = p.has_word(*WORDS[key])
            if name not in fields or not word:
                continue
            out.append(Guess(name, column, 60 + 10 * non_negative, MEDIUM, "named", {"word": word}))
        word = p.has_word(*WORDS["reopen"])
        if "reopen_count" in fields and word and p.kind in ("integer", "bool") and non_negative:
            out.append(Guess("reopen_count", column, 70, MEDIUM, "named", {"word": word}))
        word = p.has_word(*WORDS["age"])
        if "age" in fields and word and p.kind == "integer" and non_negative and values.max() <= 120:
            out.append(Guess("age", column, 70, MEDIUM, "named", {"word": word}))
    return out


# --- surveys and customers --------------------------------------------------------------------------------


def _surveys(table: str, free: dict[str, Profile]) -> list[Guess]:
    if table != "surveys":
        return []
    out = []
    for column, p in free.items():
        if p.kind == "datetime" and p.filled >= 0.9:
            out.append(Guess("submitted_at", column, 60 + 10 * p.filled, LOW, "only_date", {}))
        if p.kind in ("integer", "number") and p.numbers is not None:
            values = p.numbers.drop_nulls()  # a few wrong answers (0, 11) are validation's to count
            low, high, distinct = values.quantile(0.01), values.quantile(0.99), values.n_unique()
            for name, top in (("csat", 5), ("nps", 10)):
                named = p.has_word(*WORDS[name])
                in_range = low >= (1 if name == "csat" else 0) and high <= top and distinct >= 3
                if in_range and (named or high > top / 2):
                    score = 55 + (20 if named else 0) + (10 if high == top else 0)
                    out.append(Guess(name, column, score, MEDIUM if named else LOW, "scale",
                                     {"low": f"{low:g}", "high": f"{high:g}"}))  # fmt: skip
        if p.kind == "text" and p.mean_length >= 4 and p.distinct >= 0.2 and (p.mean_words > 2 or p.cjk):
            named = p.has_word(*WORDS["comment"])
            out.append(
                Guess("comment", column, 55 + 20 * bool(named), MEDIUM if named else LOW, "free_text", {})
            )
    return out


def _customers(table: str, free: dict[str, Profile]) -> list[Guess]:
    if table != "customers":
        return []
    out = []
    for column, p in free.items():
        if p.kind == "datetime":
            if p.has_word(*WORDS["churn"]):
                out.append(
                    Guess("churned_at", column, 75, MEDIUM, "named", {"word": p.has_word(*WORDS["churn"])})
                )
            elif p.filled >= 0.8:
                word = p.has_word(*WORDS["signup"])
                out.append(
                    Guess("signup_at", column, 55 + 20 * bool(word), MEDIUM if word else LOW, "only_date", {})
                )
    return out


# --- words ------------------------------------------------------------------------------------------


def explain(choice: Choice, lang: str) -> str:
    """The reason of a choice as a sentence in `lang` (shares as percentages)."""
    params = {k: f"{v:.1%}" if isinstance(v, float) else v for k, v in choice.params.items()}
    if choice.reason in ("refused", "doubt"):
        params["problem"] = t(f"map.problem.{choice.params['problem']}", lang)
    return t(f"map.why.{choice.reason}", lang, **params)


def guessed(result: MappingResult) -> list[str]:
    """Fields chosen from content rather than a header or a saved mapping, least sure first."""
    order = {LOW: 0, MEDIUM: 1, HIGH: 2}
    picked = [n for n, c in result.choices.items() if c.reason not in ("header", "saved", "user")]
    return sorted(picked, key=lambda n: order[result.choices[n].confidence])


def strict(result: MappingResult, lang: str) -> MappingResult:
    """`result` without its low-confidence guesses; `InputError` when a required field then has no column."""
    for name, choice in result.choices.items():
        field = next(f for f in TABLES[result.table] if f.name == name)
        if choice.confidence == LOW and field.required:
            column = result.columns[name]
            raise InputError("mapping.low_confidence", field=name, column=column, why=explain(choice, lang))
    kept = {
        n: c for n, c in result.columns.items() if result.choices.get(n, Choice(HIGH, "")).confidence != LOW
    }
    return replace(result, columns=kept, choices={n: c for n, c in result.choices.items() if n in kept})


def mapped_preview(
    frame: pl.DataFrame, result: MappingResult, rows: int = 5, zone: str = DEFAULT_ZONE
) -> pl.DataFrame:
    """The file's first rows as they will load: one column per mapped field, parsed by the field's type
    (dates as the wall-clock time in the team's `zone`)."""
    types = {f.name: f.type for f in TABLES[result.table]}
    head = frame.head(rows)
    columns = [
        _parsed(head[column], types[name], zone).alias(name) for name, column in result.columns.items()
    ]
    return pl.DataFrame(columns) if columns else pl.DataFrame()


def examples(
    frame: pl.DataFrame, result: MappingResult, count: int = 3, zone: str = DEFAULT_ZONE
) -> dict[str, str]:
    """Per mapped field, a few of its values parsed as mapped ("—" where none parse), for the mapping table."""
    types = {f.name: f.type for f in TABLES[result.table]}
    rows = sample(frame, 200)
    shown = {}
    for name, column in result.columns.items():
        values = _parsed(rows[column], types[name], zone).drop_nulls().unique(maintain_order=True)
        shown[name] = ", ".join(_short(v) for v in values.head(count).to_list()) or "—"
    return shown


def _parsed(values: pl.Series, kind: str, zone: str) -> pl.Series:
    """Cells as validation will read them (`validation.parse_as`), dates in the column's own day order."""
    return parse_as(values, kind, detect_day_order([values]) or "mdy", zone)


def _short(value: object) -> str:
    text = (
        f"{value:%Y-%m-%d %H:%M}"
        if hasattr(value, "hour")
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )
    return text if len(text) <= 24 else text[:23] + "…"
