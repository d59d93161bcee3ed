"""The command line: the app's numbers without a browser, on exactly the app's code."""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

from lib.engine import store
from lib.engine.kpis import Settings
from lib.errors import InputError
from lib.i18n import t
from lib.ingest import inference, mapping, pipeline, validation
from lib.ingest.dates import DEFAULT_ZONE, check_zone
from lib.schema import DIMENSIONS

# Each command imports the rooms it needs inside its run_ function: `kpis` must not pay for
# scikit-learn, Prophet, jieba or the report (about 2 s before reading a byte).


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not a usage dump + traceback
        self.exit(2, f"{self.prog}: error: {message}\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text}") from exc


def _existing(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lib", description="Aftersight service analytics from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    kpis = commands.add_parser("kpis", help="every KPI of SPEC §2 for a date range")
    _data_arguments(kpis, "mapping file saved from the app", lake=True)
    kpis.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="local: this machine (files as in the app); spark: Spark computes on Parquet paths or table:db.name "
        "(AFTERSIGHT_SPARK_MASTER, default local[2])",
    )
    _filter_argument(kpis)
    kpis.add_argument("--format", choices=("json", "csv"), default="json")
    kpis.add_argument("--lang", choices=("zh", "en"), default="en", help="language of error messages")

    ask = commands.add_parser(
        "explore", help="any KPI by up to two dimensions and/or a time grain (the Explore page's table)"
    )
    _data_arguments(ask, "mapping file saved from the app (targets and the team's measures too)")
    ask.add_argument("--kpi", required=True, help="KPI keys, comma-separated (a measure's key too)")
    ask.add_argument(
        "--by", default="", help=f"up to two dimensions, comma-separated: {', '.join(DIMENSIONS)}"
    )
    ask.add_argument("--grain", choices=("day", "week", "month"), help="also one row per period")
    _filter_argument(ask)
    ask.add_argument(
        "--top", type=int, default=10, help="values of each dimension kept; the rest are 'other'"
    )
    ask.add_argument("--sort", help="a KPI of --kpi to sort groups by (default: their size)")
    ask.add_argument("--order", choices=("desc", "asc"), default="desc")
    ask.add_argument("--min-size", type=int, default=0, help="groups with fewer tickets are marked small")
    ask.add_argument(
        "--measure", type=_existing, action="append", default=[], help="a JSON file of team-defined measures"
    )
    ask.add_argument("--format", choices=("json", "csv"), default="csv")
    ask.add_argument("--lang", choices=("zh", "en"), default="en", help="language of error messages")

    ahead = commands.add_parser(
        "forecast", help="ticket volume forecast as CSV (date, segment, yhat, lower, upper)"
    )
    ahead.add_argument("--tickets", type=_existing, action="append", default=[])
    _workspace_argument(ahead)
    ahead.add_argument(
        "--mapping", type=_existing, help="mapping file saved from the app (company events too)"
    )
    _timezone_argument(ahead)
    ahead.add_argument("--horizon", type=_horizon, required=True, help="days ahead (7-180)")
    ahead.add_argument("--freq", choices=("D", "W"), default="D", help="daily or weekly (Monday) forecast")
    ahead.add_argument("--by", choices=[d for d in DIMENSIONS if d != "agent"], help="one forecast per value")
    ahead.add_argument("--interval", type=float, choices=(0.8, 0.95), default=0.8)
    ahead.add_argument(
        "--country",
        help="holiday calendar: auto (default, or the mapping file's team setting: chosen from the data), "
        "none, or CN, US, GB, …",
    )
    ahead.add_argument("--out", type=Path, required=True, help="CSV file to write (UTF-8 with BOM)")
    ahead.add_argument("--lang", choices=("zh", "en"), default="en", help="language of messages")

    risk = commands.add_parser(
        "churn", help="churn risk per active customer as CSV, with its three main reasons"
    )
    _data_arguments(risk, "mapping file saved from the app (targets too)", dates=False)
    risk.add_argument("--window", type=int, help="days ahead a churn counts (default: the Churn page's, 90)")
    risk.add_argument("--out", type=Path, required=True, help="CSV file to write (UTF-8 with BOM)")
    risk.add_argument(
        "--lang", choices=("zh", "en"), default="en", help="language of the reasons and messages"
    )

    paper = commands.add_parser(
        "report", help="the service report for a date range as one self-contained HTML file"
    )
    _data_arguments(paper, "mapping file saved from the app (targets too)")
    paper.add_argument(
        "--compare",
        choices=("previous", "year"),
        default="previous",
        help="compare with the period before or the same period last year",
    )
    paper.add_argument("--team", default="", help="team name for the cover")
    paper.add_argument("--no-churn", action="store_true", help="leave the churn model out (faster)")
    paper.add_argument("--out", type=Path, required=True, help="HTML file to write")
    paper.add_argument("--pdf", type=Path, help="also print it to this PDF file (needs Chromium)")
    paper.add_argument("--xlsx", type=Path, help="also write its tables to this workbook")
    paper.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="language of the report and messages"
    )

    mood = commands.add_parser("sentiment", help="add sentiment and sentiment_score to a column of comments")
    mood.add_argument("--in", dest="source", type=_existing, required=True, help="CSV, .xlsx or Parquet file")
    mood.add_argument("--column", required=True, help="the column holding the comments")
    mood.add_argument("--out", type=Path, required=True, help="CSV file to write (UTF-8 with BOM)")
    mood.add_argument("--lang", choices=("zh", "en"), default="en", help="language of messages")

    team = commands.add_parser(
        "workspace", help="the team workspace: add files to it, show its history, undo"
    )
    actions = team.add_subparsers(dest="action", required=True, parser_class=_Parser)
    grow = actions.add_parser(
        "add", help="add files to the team's tables (rows with a known id are replaced)"
    )
    grow.add_argument("--workspace", type=Path, required=True, help="the team workspace folder")
    grow.add_argument("--tickets", type=_existing, action="append", default=[])
    grow.add_argument("--surveys", type=_existing, action="append", default=[])
    grow.add_argument("--customers", type=_existing, action="append", default=[])
    grow.add_argument("--mapping", type=_existing, help="mapping file saved from the app (kept for the team)")
    _timezone_argument(grow)
    grow.add_argument("--who", help="the name written into the history (default: this user's login, CLI)")
    grow.add_argument("--lang", choices=("zh", "en"), default="en", help="language of messages")
    past = actions.add_parser("history", help="the additions, newest first")
    past.add_argument("--workspace", type=Path, required=True, help="the team workspace folder")
    past.add_argument("--format", choices=("text", "json"), default="text")
    past.add_argument("--lang", choices=("zh", "en"), default="en", help="language of messages")
    back = actions.add_parser("undo", help="restore the team's tables as they were before the last addition")
    back.add_argument("--workspace", type=Path, required=True, help="the team workspace folder")
    back.add_argument("--lang", choices=("zh", "en"), default="en", help="language of messages")
    return parser


def _workspace_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace",
        type=Path,
        help="the team workspace folder: its tables, mappings and settings are read first (files given too are "
        "added on top, for this run only)",
    )


def _source(text: str) -> str:
    """A file, or for `--engine spark` also a folder, a glob, a URL (s3a://…) or table:db.name."""
    if text.startswith(_LAKE_PREFIXES) or "*" in text or Path(text).exists():
        return text
    raise argparse.ArgumentTypeError(f"no such file or folder: {text}")


_LAKE_PREFIXES = ("table:", "s3a://", "s3://", "hdfs://", "abfss://", "gs://", "file:")


def _data_arguments(
    parser: argparse.ArgumentParser,
    mapping_help: str,
    dates: bool = True,
    lake: bool = False,
) -> None:
    """The files a command reads (tickets, surveys, customers, a saved mapping) and, with `dates`, the range.

    With `lake`, a table may also be a folder, a glob, a URL or table:db.name (for `--engine spark`).
    """
    kind = _source if lake else _existing
    parser.add_argument("--tickets", type=kind, action="append", default=[])
    parser.add_argument("--surveys", type=kind, action="append", default=[])
    parser.add_argument("--customers", type=kind, action="append", default=[])
    _workspace_argument(parser)
    parser.add_argument("--mapping", type=_existing, help=mapping_help)
    _timezone_argument(parser)
    parser.add_argument(
        "--strict-mapping",
        action="store_true",
        help="refuse columns guessed with low confidence instead of using them (the mapping is printed on stderr)",
    )
    if dates:
        parser.add_argument("--start", type=_date, help="first day, inclusive (YYYY-MM-DD)")
        parser.add_argument("--end", type=_date, help="last day, inclusive (YYYY-MM-DD)")


def _filter_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="DIMENSION=VALUE",
        help="keep tickets whose dimension has this value (repeat for more values or dimensions)",
    )


def _filters(args: argparse.Namespace) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """--filter DIM=VALUE pairs as a scope's filters: values of one dimension together."""
    chosen: dict[str, list[str]] = {}
    for text in args.filter:
        dimension, sep, value = text.partition("=")
        if not sep or dimension not in DIMENSIONS:
            raise InputError("cli.bad_filter", filter=text, known=", ".join(DIMENSIONS))
        chosen.setdefault(dimension, []).append(value)
    return tuple((dimension, tuple(values)) for dimension, values in chosen.items())


def _timezone_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timezone",
        metavar="NAME",
        help="the team's IANA time zone: times written with an offset (Z, +08:00) and Unix timestamps are "
        f"converted to local time there (default: the mapping file's, else {DEFAULT_ZONE}; files read here, "
        "not Spark tables)",
    )


def timezone(args: argparse.Namespace, settings: dict) -> str:
    """The zone dates are read in: --timezone, else the mapping file's, else the default."""
    if args.timezone is not None:
        return check_zone(args.timezone)
    return check_zone(settings.get("timezone", DEFAULT_ZONE))  # a workspace's settings are checked here too


def _scope(args: argparse.Namespace, compare: str = "previous") -> store.Scope:
    """The command's --start/--end as a scope; a range that ends before it starts is bad input."""
    if args.start and args.end and args.start > args.end:
        raise InputError("scope.bad_range", start=args.start, end=args.end)
    filters = _filters(args) if getattr(args, "filter", None) else ()
    return store.Scope(args.start, args.end, filters, compare=compare)


def _horizon(text: str) -> int:
    try:
        days = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number of days: {text}") from exc
    if not 7 <= days <= 180:
        raise argparse.ArgumentTypeError(f"the horizon must be 7 to 180 days, not {days}")
    return days


def load(args: argparse.Namespace):
    """A fresh locked-down database with the team workspace's tables (`--workspace`) and the command's files
    loaded, their dates read in the team's zone; the workspace's mappings and settings under `--mapping`'s."""
    if not args.tickets and not getattr(args, "workspace", None):
        raise InputError("workspace.cli_no_data")
    mappings, settings = ({}, {})
    con = store.connect()
    if getattr(args, "workspace", None):
        from lib.ingest import workspace  # with its Parquet reader: only when a workspace is read

        state = workspace.open_state(args.workspace)
        workspace.load_into(con, state)
        mappings, settings = dict(state.mappings), dict(state.settings)
    if args.mapping:
        file_mappings, file_settings = mapping.loads(args.mapping.read_bytes())
        mappings, settings = {**mappings, **file_mappings}, {**settings, **file_settings}
    zone = timezone(args, settings)
    paths = {"tickets": args.tickets, "surveys": args.surveys, "customers": args.customers}
    strict = args.lang if getattr(args, "strict_mapping", False) else None
    for prepared, validated, loaded in pipeline.load_paths(
        con, paths, mappings, strict_lang=strict, zone=zone
    ):
        print(mapping_report(prepared.mapping, args.lang), file=sys.stderr)
        lines = [
            validation.loud_sentence(item, args.lang)
            for item in validation.loud(validated, prepared.mapping.columns)
        ]
        lines += [
            pipeline.skipped_sentence(loaded, args.lang),
            pipeline.reloaded_sentence(prepared.name, loaded, args.lang),
        ]
        for line in filter(None, lines):
            print(f"{prepared.mapping.table}: {line}", file=sys.stderr)
    return con, settings


def mapping_report(result: mapping.MappingResult, lang: str) -> str:
    """The mapping used, a line per field with its confidence and reason; refused headers after it."""
    lines = []
    for name, column in result.columns.items():
        choice = result.choices.get(name, mapping.Choice("high", "header", {"header": column}))
        confidence = t(f"map.conf.{choice.confidence}", lang)
        why = inference.explain(choice, lang)
        lines.append(
            t(
                "map.cli.line",
                lang,
                table=result.table,
                field=name,
                column=column,
                confidence=confidence,
                why=why,
            )
        )
    for name, choice in result.refused.items():
        lines.append(
            t("map.cli.refused", lang, table=result.table, field=name, why=inference.explain(choice, lang))
        )
    return "\n".join(lines)


def run_kpis(args: argparse.Namespace) -> str:
    from lib.analysis import overview

    if args.engine == "spark":
        values = _lake_kpis(args)
    else:
        for path in (*args.tickets, *args.surveys, *args.customers):
            if not Path(path).is_file():
                raise InputError("cli.not_a_file", path=path)
        con, settings = load(args)
        values = overview.kpis(con, _scope(args), team_settings(settings))
    if args.format == "json":
        return json.dumps(values, ensure_ascii=False, indent=2)
    out = io.StringIO()
    shown = [None if value is None else str(value) for value in values.values()]  # counts stay integers
    pl.DataFrame(
        {"kpi": list(values), "value": shown}, schema={"kpi": pl.String, "value": pl.String}
    ).write_csv(out)
    return out.getvalue().rstrip("\n")


def run_explore(args: argparse.Namespace) -> str:
    """The Explore page's table for the question: dimensions, period, KPIs, size, small (raw values)."""
    from lib.analysis import explore
    from lib.engine import measures

    con, saved = load(args)
    definitions = measures.usable(saved.get("measures"))[0]
    for path in args.measure:
        definitions += measures.loads(path.read_bytes())
    settings = measures.with_measures(Settings.from_dict(saved), definitions)
    question = explore.Question(
        kpis=tuple(k.strip() for k in args.kpi.split(",") if k.strip()),
        by=tuple(d.strip() for d in args.by.split(",") if d.strip()),
        grain=args.grain,
        top=args.top,
        sort=args.sort,
        order=args.order,
        min_size=args.min_size,
    )
    for measure in settings.measures:  # a measure the data cannot give is one sentence, not a blank column
        if measure.key in question.kpis:
            measures.check_data(con, measure.expr)
    table = explore.ask(con, _scope(args), question, settings).table
    if args.format == "json":
        rows = table.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).to_dicts()
        return json.dumps(
            [{k: _json_value(v) for k, v in row.items()} for row in rows], ensure_ascii=False, indent=2
        )
    out = io.StringIO()
    table.write_csv(out)
    return out.getvalue().rstrip("\n")


def _json_value(value: object) -> object:
    """Counts stay integers; NaN (not JSON) becomes null."""
    return None if isinstance(value, float) and value != value else value


def team_settings(saved: dict) -> Settings:
    """Targets and the team's measures from a mapping file's settings (an impossible measure is left out,
    as the app does when it loads the file)."""
    from lib.engine import measures

    return measures.with_measures(Settings.from_dict(saved), measures.usable(saved.get("measures"))[0])


def _lake_kpis(args: argparse.Namespace) -> dict[str, float | None]:
    """The same KPIs computed by Spark on the tables where they are (one table each: a folder holds many files)."""
    from lib import lake

    for name in ("tickets", "surveys", "customers"):
        if len(getattr(args, name)) > 1:
            raise InputError("lake.one_source", table=name)
    mappings, saved = mapping.loads(args.mapping.read_bytes()) if args.mapping else ({}, {})
    scope = _scope(args)
    spark = lake.session()
    sources = {name: (getattr(args, name) or [None])[0] for name in ("tickets", "surveys", "customers")}
    return lake.evaluate(lake.read(spark, sources, mappings), scope, Settings.from_dict(saved))


def run_forecast(args: argparse.Namespace) -> str:
    """The Forecast page's fit on all the history (no date range, as the page's default), written as CSV."""
    from lib import export
    from lib.engine import service_calendar
    from lib.predict import forecast, forecast_calendar, forecast_view

    args.surveys, args.customers = [], []
    con, saved = load(args)
    country = args.country or saved.get(forecast_calendar.SETTING, forecast_calendar.AUTO)
    if not forecast_calendar.is_known(country):
        known = ", ".join([forecast_calendar.AUTO, forecast_calendar.NONE, *service_calendar.countries()])
        raise InputError("forecast.bad_country", country=country, known=known)
    events = service_calendar.events_from_saved(saved.get("events"))
    series = forecast.daily_counts(con, store.Scope(), by=args.by)
    if series.is_empty():
        raise InputError("forecast.reason_no_data")
    calendar = forecast_view.choose_calendar(series, args.horizon, country, events, args.lang)
    every = "1w" if args.freq == "W" else "1d"
    result = forecast_view.fit(series, args.horizon, args.interval, calendar.table, every, args.by)
    total = result[forecast.TOTAL]
    if total.prediction is None:
        raise InputError(f"forecast.reason_{total.reasons[0]}", weeks=forecast.MIN_HISTORY_DAYS // 7)
    table = forecast_view.forecast_table(result)
    args.out.write_bytes(export.csv_bytes(table))
    return (
        f"{args.out}: {table.height} rows; {forecast_view.calendar_sentence(calendar, args.lang)} "
        f"{forecast_view.accuracy_sentence(total, args.lang)}"
    )


def run_churn(args: argparse.Namespace) -> str:
    """The Churn page's scores: customer_id, churn_risk, risk_band, reason_1..3 (words in --lang)."""
    from lib import export
    from lib.predict import churn, churn_features, churn_view

    con, saved = load(args)
    window = churn_features.WINDOW_DAYS if args.window is None else args.window
    result = churn.score(con, Settings.from_dict(saved), window_days=window)
    if result.scored is None:
        raise InputError(f"churn.why_{result.reasons[0]}")
    table = churn_view.cli_table(result, args.lang)
    args.out.write_bytes(export.csv_bytes(table))
    quality = f"AUC {result.metrics.auc:.3f}" if result.metrics and result.metrics.auc else result.kind
    return f"{args.out}: {table.height} customers; {quality}"


def run_report(args: argparse.Namespace) -> str:
    """The Report page's file for the range (whole data without one), with every section."""
    from lib.report import content, files

    con, saved = load(args)
    built = content.build(
        con,
        _scope(args, args.compare),
        team_settings(saved),
        args.lang,
        team=args.team,
        with_churn=not args.no_churn,
    )
    html = files.render(built)
    args.out.write_text(html, encoding="utf-8")
    written = [str(args.out)]
    if args.xlsx:
        args.xlsx.write_bytes(files.workbook(built))
        written.append(str(args.xlsx))
    if args.pdf:
        if files.chromium() is None:
            raise InputError("rpt.cli.no_chromium")
        args.pdf.write_bytes(files.pdf(html))
        written.append(str(args.pdf))
    return f"{', '.join(written)}: {len(built.findings)} findings, {len(built.problems)} problems"


def run_sentiment(args: argparse.Namespace) -> str:
    """Every input column kept, plus `sentiment` (positive/negative/neutral) and `sentiment_score` in [-1, 1]."""
    from lib import export
    from lib.ingest import reading
    from lib.text import sentiment

    table = reading.read_table(args.source.read_bytes(), args.source.name).frame
    if args.column not in table.columns:
        raise InputError("sentiment.no_column", column=args.column, columns=", ".join(table.columns))
    texts = table[args.column].cast(pl.String).to_list()
    labels = sentiment.classify(texts).select("sentiment", "sentiment_score")
    out = pl.concat([table.drop("sentiment", "sentiment_score", strict=False), labels], how="horizontal")
    args.out.write_bytes(export.csv_bytes(out))
    counts = labels["sentiment"].value_counts().sort("sentiment").rows()
    return f"{args.out}: {out.height} rows; " + ", ".join(f"{name} {count}" for name, count in counts)


def run_workspace(args: argparse.Namespace) -> str:
    """`workspace add|history|undo`: the Data page's buttons, on the same store."""
    import getpass

    from lib.ingest import workspace

    if args.action == "history":
        state = workspace.read(args.workspace, check_files=False)
        frame = workspace.history_frame(state)
        if args.format == "json":
            return json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2)
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            fmt_str_lengths=60,
            tbl_width_chars=200,
        ):
            return f"{args.workspace}: version {state.version}, {_counts(state)}\n{frame}"
    if args.action == "undo":
        state, undone = workspace.undo(args.workspace)
        files = ", ".join(f["name"] for f in undone.files)
        return f"{args.workspace}: addition {undone.number} ({files}) undone; version {state.version}, {_counts(state)}"
    if not (args.tickets or args.surveys or args.customers):
        raise InputError("workspace.cli_no_data")
    mappings, settings = mapping.loads(args.mapping.read_bytes()) if args.mapping else ({}, {})
    if settings:
        workspace.save_settings(args.workspace, settings, mappings)
    zone = check_zone(args.timezone) if args.timezone else None
    paths = {"tickets": args.tickets, "surveys": args.surveys, "customers": args.customers}
    who = args.who or f"{getpass.getuser()} (CLI)"
    state, entry, done = workspace.add_paths(args.workspace, paths, who, mappings, zone)
    lines = []
    for prepared, validated, loaded in done:
        print(mapping_report(prepared.mapping, args.lang), file=sys.stderr)
        for item in validation.loud(validated, prepared.mapping.columns):
            print(f"{loaded.table}: {validation.loud_sentence(item, args.lang)}", file=sys.stderr)
    for added in entry.files:
        lines.append(
            f"{added['table']}: {added['name']}: {added['added']} added, {added['replaced']} replaced, "
            f"{added['skipped']} skipped, {added['excluded']} excluded"
        )
    lines.append(f"{args.workspace}: addition {entry.number}, version {state.version}, {_counts(state)}")
    return "\n".join(lines)


def _counts(state) -> str:
    return ", ".join(f"{table} {rows}" for table, rows in state.counts().items()) or "no tables yet"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print(
            {
                "kpis": run_kpis,
                "explore": run_explore,
                "forecast": run_forecast,
                "churn": run_churn,
                "report": run_report,
                "sentiment": run_sentiment,
                "workspace": run_workspace,
            }[args.command](args)
        )
    except InputError as exc:
        print(f"error: {exc.message(args.lang)}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback on the command line
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    return 0
