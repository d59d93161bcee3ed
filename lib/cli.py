"""The command line: the app's numbers without a browser, on exactly the app's code."""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

from lib import ingest, mapping, overview, store
from lib.errors import InputError
from lib.kpis import Settings


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
    kpis.add_argument("--tickets", type=_existing, required=True, action="append")
    kpis.add_argument("--surveys", type=_existing, action="append", default=[])
    kpis.add_argument("--customers", type=_existing, action="append", default=[])
    kpis.add_argument("--mapping", type=_existing, help="mapping file saved from the app")
    kpis.add_argument("--start", type=_date, help="first day, inclusive (YYYY-MM-DD)")
    kpis.add_argument("--end", type=_date, help="last day, inclusive (YYYY-MM-DD)")
    kpis.add_argument("--format", choices=("json", "csv"), default="json")
    kpis.add_argument("--lang", choices=("zh", "en"), default="en", help="language of error messages")
    return parser


def load(args: argparse.Namespace):
    """A fresh locked-down database with the command's files loaded."""
    mappings, settings = ({}, {})
    if args.mapping:
        mappings, settings = mapping.loads(args.mapping.read_bytes())
    con = store.connect()
    ingest.load_paths(
        con, {"tickets": args.tickets, "surveys": args.surveys, "customers": args.customers}, mappings
    )
    return con, settings


def run_kpis(args: argparse.Namespace) -> str:
    con, settings = load(args)
    if args.start and args.end and args.start > args.end:
        raise InputError("scope.bad_range", start=args.start, end=args.end)
    values = overview.kpis(con, store.Scope(args.start, args.end), Settings.from_dict(settings))
    if args.format == "json":
        return json.dumps(values, ensure_ascii=False, indent=2)
    out = io.StringIO()
    pl.DataFrame({"kpi": list(values), "value": list(values.values())}).write_csv(out)
    return out.getvalue().rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        print({"kpis": run_kpis}[args.command](args))
    except InputError as exc:
        print(f"error: {exc.message(args.lang)}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback on the command line
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    return 0
