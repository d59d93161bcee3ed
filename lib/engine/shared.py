"""Results computed once per server process and shared by every session with the same data (keyed by content).

A session's database stays its own (`lib.engine.store`); what is shared here is what follows from
data alone — the sample's validated tables, a trained churn model, a forecast — under a key that
names that data's content (`fingerprint`), so two sessions on different data never meet. Values
are treated as read-only by every caller (frozen dataclasses and Polars frames).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl


def fingerprint(*parts: object) -> str:
    """A SHA-256 naming `parts`: frames by their schema and their rows in any order, anything else by repr.

    Equal content gives an equal name in any process with the same Polars (the disk copies add
    the version to their key); a frame that differs in one cell, one column name or one type
    gives another (but for a 64-bit row-hash collision).
    """
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pl.DataFrame):
            # The rows as a multiset: tables sorted on a column with ties come back in either order.
            digest.update(b"frame:" + repr(list(part.schema.items())).encode("utf-8"))
            if part.height and part.width:
                digest.update(np.sort(part.hash_rows(seed=0).to_numpy()).tobytes())
        elif part is None:
            digest.update(b"none:")
        else:
            digest.update(b"value:" + repr(part).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def code_version(*files: str | Path) -> str:
    """A name for the source of `files`: a result saved to disk by other code is not reused."""
    return fingerprint(*(Path(f).read_bytes() for f in files))[:16]


class Shared:
    """A bounded, thread-safe map from a key to a value computed once.

    Two sessions asking for the same key at once: one computes, the other waits for it
    (a lock per key), so a slow result is never computed twice. The `size` most recently
    used values are kept, each for `ttl` seconds when given (data that changes under the app).
    With `folder`, a value is also pickled there (named by its key's fingerprint) and read back
    by a later process instead of being computed again. A failed computation is not kept.
    """

    def __init__(self, name: str, size: int, ttl: float | None = None) -> None:
        self.name = name
        self.size = size
        self.ttl = ttl
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()  # key → (made at, value)
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}
        self.computed = 0  # how many times a value was computed (tests and benchmarks read it)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """(True, the value) when `key` is kept and fresh, else (False, None): never computes, never waits."""
        return self._cached(key)

    def _cached(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if key in self._values:
                made, value = self._values[key]
                if self.ttl is None or time.monotonic() - made < self.ttl:
                    self._values.move_to_end(key)
                    return True, value
            return False, None

    def get(self, key: Hashable, compute: Callable[[], Any], folder: Path | None = None) -> Any:
        """The value for `key`: kept, saved in `folder`, or computed now (once, whoever asks)."""
        hit, value = self._cached(key)
        if hit:
            return value
        with self._lock:
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            hit, value = self._cached(key)
            if hit:
                return value
            path = folder / f"{self.name}-{fingerprint(key)[:32]}.pickle" if folder is not None else None
            value = _read(path) if path is not None else None
            if value is None:
                value = compute()
                self.computed += 1
                if path is not None:
                    _write(path, value)
                    _prune(folder, self.name, self.size)
            with self._lock:
                self._values[key] = (time.monotonic(), value)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._pending.pop(key, None)
        return value


def _read(path: Path) -> Any:
    """A value saved by `_write`, or None (absent, or unreadable: it is computed again).

    Only the app writes these files, into the team's own workspace folder, which is trusted
    like the Parquet tables beside it (unpickling runs code: never point this at user uploads).
    """
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a partial or outdated file: computed again and written anew
        return None


def _write(path: Path, value: Any) -> None:
    """Pickle `value` to `path` atomically (a reader sees the old file, the new one, or none)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        return  # a read-only or full folder: the value is still kept in this process


def _prune(folder: Path, name: str, keep: int) -> None:
    """Keep the `keep` newest saved values of cache `name` in `folder` (old data versions go)."""
    try:
        saved = sorted(folder.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in saved[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
