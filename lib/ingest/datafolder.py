"""The administrator's read-only data folder: files users pick on the Data page instead of uploading them.

Configured by environment (`SETTINGS`): a local folder, and optionally Parquet URLs
(s3://, https://) that DuckDB reads through its httpfs extension, off unless switched
on and never downloaded at run time. Every name a user sends back is checked again:
no absolute paths, no `..`, no link leading out of the folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lib.errors import InputError


@dataclass(frozen=True)
class Setting:
    env: str
    help: str


SETTINGS = {
    "folder": Setting("AFTERSIGHT_DATA_DIR", "folder whose files users may load without uploading"),
    "urls": Setting(
        "AFTERSIGHT_DATA_URLS", "Parquet URLs (s3:// or https://) users may load, separated by spaces"
    ),
    "remote": Setting(
        "AFTERSIGHT_DATA_REMOTE",
        "1 lets DuckDB read those URLs (needs the httpfs extension installed beforehand)",
    ),
}
EXTENSIONS = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xls", ".xlsb", ".ods")
MAX_FILES = 500
_REMOTE_PREFIXES = ("s3://", "https://")


@dataclass(frozen=True)
class Entry:
    """One file the user may pick: its name relative to the folder (or its URL)."""

    name: str
    size: int | None
    remote: bool = False


def root() -> Path | None:
    """The configured folder, resolved; None when unset or not a folder."""
    value = os.environ.get(SETTINGS["folder"].env, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return path.resolve() if path.is_dir() else None


def remote_urls() -> tuple[str, ...]:
    """The configured Parquet URLs, only when remote reading is switched on."""
    if os.environ.get(SETTINGS["remote"].env, "").strip() != "1":
        return ()
    urls = os.environ.get(SETTINGS["urls"].env, "").split()
    return tuple(u for u in urls if u.startswith(_REMOTE_PREFIXES) and u.lower().endswith(".parquet"))


def configured() -> bool:
    return root() is not None or bool(remote_urls())


def list_files(folder: Path | None = None) -> list[Entry]:
    """Readable files under the folder (subfolders included, hidden ones not), then the URLs.

    Links are followed only when they stay inside the folder; at most `MAX_FILES`.
    """
    folder = folder if folder is not None else root()
    entries: list[Entry] = []
    if folder is not None:
        base = folder.resolve()
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = sorted(
                d for d in subdirs if not d.startswith(".") and _inside(Path(directory, d), base)
            )
            for name in sorted(files):
                path = Path(directory, name)
                if name.startswith(".") or not name.lower().endswith(EXTENSIONS) or not _inside(path, base):
                    continue
                entries.append(Entry(path.relative_to(base).as_posix(), path.stat().st_size))
                if len(entries) >= MAX_FILES:
                    return entries
    entries += [Entry(url, None, remote=True) for url in remote_urls()]
    return entries


def _inside(path: Path, base: Path) -> bool:
    try:
        return path.resolve(strict=True).is_relative_to(base)
    except (OSError, RuntimeError):
        return False


def resolve(name: str, folder: Path | None = None) -> Path:
    """The real path of `name` inside the folder.

    Raises
    ------
    InputError
        `folder.outside` for an absolute name, `..`, a link leading out of the folder
        or a file type not offered; `folder.missing` when it no longer exists.
    """
    folder = folder if folder is not None else root()
    if folder is None:
        raise InputError("folder.missing", name=name)
    base = folder.resolve()
    relative = Path(name)
    if (
        not name
        or "\x00" in name
        or relative.is_absolute()
        or ".." in relative.parts
        or any(part.startswith(".") for part in relative.parts)
        or not name.lower().endswith(EXTENSIONS)
    ):
        raise InputError("folder.outside", name=name)
    try:
        real = (base / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError("folder.missing", name=name) from None
    if not real.is_relative_to(base):
        raise InputError("folder.outside", name=name)
    if not real.is_file():
        raise InputError("folder.missing", name=name)
    return real


def remote(name: str) -> str:
    """`name` when it is one of the configured URLs (and remote reading is on), else `folder.outside`."""
    if name not in remote_urls():
        raise InputError("folder.outside", name=name)
    return name
