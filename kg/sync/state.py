"""The state of a sync job: one SQLite database in WAL mode (readers such as ``kg status`` never wait for a pass).

Tables:

- ``items``: one row per (source, locator): a file (or a JSONL line, by document id) or a feed entry; the
  document it supports in the targets (``doc_id``, None while it supports none), its own id, sha256, the
  digest of model + lexicon + mapping that produced it, status, attempts, next retry, last error, and for
  feeds and JSONL drops the Document itself (so that it can be re-ingested without its source);
- ``files``: size and mtime of every file of a folder or drop source when it was last scanned;
- ``feeds``: ETag and Last-Modified of each feed, for the next conditional GET;
- ``sources``: last success and last failure of each source;
- ``runs``: every pass, with its counts, duration and exit code.

A pass reads what it needs at its start and writes everything in one transaction at its end, after the
targets have committed: a pass that dies before that leaves the state as it was and is simply redone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

SCHEMA_VERSION = "1"

# Item statuses
OK = "ok"  # ingested as doc_id
DUPLICATE = "duplicate"  # the same text as doc_id, which another item supplied: one document, both sources
PENDING = "pending"  # seen, not ingested yet (a file still being written)
RETRY = "retry"  # failed; tried again at next_retry
DEAD = "dead"  # failed for good (or max_attempts times): shown by `kg status`, not retried until it changes
GONE = "gone"  # deleted from its folder, or tombstoned: retracted

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS items (
    source TEXT NOT NULL, locator TEXT NOT NULL, doc_id TEXT, own_id TEXT, sha256 TEXT, fingerprint TEXT,
    digest TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_retry REAL, last_error TEXT,
    file TEXT, url TEXT, stamp TEXT, document TEXT, first_seen REAL, updated REAL,
    PRIMARY KEY (source, locator));
CREATE INDEX IF NOT EXISTS items_by_doc ON items (doc_id);
CREATE TABLE IF NOT EXISTS files (
    source TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, digest TEXT,
    status TEXT NOT NULL, seen REAL, PRIMARY KEY (source, path));
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched REAL, http_status INTEGER, error TEXT);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY, last_success REAL, last_failure REAL, last_error TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL NOT NULL, ended REAL NOT NULL, seconds REAL NOT NULL,
    exit_code INTEGER NOT NULL, counts TEXT NOT NULL);
"""


@dataclass(slots=True)
class Item:
    """One row of ``items`` (see the module docstring)."""

    source: str
    locator: str
    doc_id: str | None = None
    own_id: str | None = None
    sha256: str | None = None
    fingerprint: str | None = None
    digest: str | None = None
    status: str = PENDING
    attempts: int = 0
    next_retry: float | None = None
    last_error: str | None = None
    file: str | None = None
    url: str | None = None
    stamp: str | None = None
    document: str | None = None
    first_seen: float | None = None
    updated: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.locator


ITEM_COLUMNS = tuple(f.name for f in fields(Item))


@dataclass(slots=True)
class FileRow:
    source: str
    path: str
    size: int
    mtime_ns: int
    digest: str | None
    status: str  # read | pending
    seen: float | None = None


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """What ``kg status`` prints for one source."""

    source: str
    documents: int
    duplicates: int
    pending: int
    retry: int
    dead: int
    gone: int
    next_retry: float | None
    last_success: float | None
    last_failure: float | None
    last_error: str | None
    dead_letters: tuple[tuple[str, str], ...]  # (locator, last error), the first few


class State:
    """An open state database; use as a context manager (closes it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the state database: {exc}", where=str(path),
                              hint="check the path and its permissions; a state file must be a kg sync database") from None
        (version,) = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if version != SCHEMA_VERSION:
            raise ConfigError(f"state database has schema {version}, this kg writes {SCHEMA_VERSION}", where=str(path))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading at the start of a pass --------------------------------------------------------------------

    def items(self) -> dict[tuple[str, str], Item]:
        cursor = self.db.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items")
        return {(row[0], row[1]): Item(*row) for row in cursor}

    def files(self, source: str) -> dict[str, FileRow]:
        cursor = self.db.execute("SELECT source, path, size, mtime_ns, digest, status, seen FROM files WHERE source = ?",
                                 (source,))
        return {row[1]: FileRow(*row) for row in cursor}

    def feed(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    # --- writing at the end of a pass (one transaction) ------------------------------------------------------

    def write(self, changes: Changes) -> None:
        """Apply a pass's changes atomically."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            placeholders = ", ".join("?" for _ in ITEM_COLUMNS)
            db.executemany(f"INSERT OR REPLACE INTO items ({', '.join(ITEM_COLUMNS)}) VALUES ({placeholders})",
                           [astuple(item) for item in changes.items.values()])
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [astuple(row) for row in changes.files.values()])
            db.executemany("DELETE FROM files WHERE source = ? AND path = ?", changes.files_gone)
            db.executemany("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?)", changes.feeds)
            self._sources(changes.sources)
            if changes.run is not None:
                db.execute("INSERT INTO runs (started, ended, seconds, exit_code, counts) VALUES (?, ?, ?, ?, ?)",
                           changes.run)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _sources(self, results: dict[str, tuple[float, str | None]]) -> None:
        for source, (when, error) in results.items():
            self.db.execute("INSERT OR IGNORE INTO sources (source) VALUES (?)", (source,))
            if error is None:
                self.db.execute("UPDATE sources SET last_success = ? WHERE source = ?", (when, source))
            else:
                self.db.execute("UPDATE sources SET last_failure = ?, last_error = ? WHERE source = ?",
                                (when, error, source))

    # --- kg status -----------------------------------------------------------------------------------------

    def summary(self, source: str, dead_shown: int = 5) -> SourceSummary:
        counts = dict(self.db.execute("SELECT status, count(*) FROM items WHERE source = ? GROUP BY status", (source,)))
        (next_retry,) = self.db.execute("SELECT min(next_retry) FROM items WHERE source = ? AND status = ?",
                                        (source, RETRY)).fetchone()
        row = self.db.execute("SELECT last_success, last_failure, last_error FROM sources WHERE source = ?",
                              (source,)).fetchone() or (None, None, None)
        dead = tuple(self.db.execute("SELECT locator, coalesce(last_error, '') FROM items WHERE source = ? AND status = ? "
                                     "ORDER BY updated DESC LIMIT ?", (source, DEAD, dead_shown)))
        return SourceSummary(source, counts.get(OK, 0), counts.get(DUPLICATE, 0), counts.get(PENDING, 0),
                             counts.get(RETRY, 0), counts.get(DEAD, 0), counts.get(GONE, 0), next_retry,
                             row[0], row[1], row[2], dead)

    def last_run(self) -> tuple[float, float, int, dict[str, Any]] | None:
        row = self.db.execute("SELECT started, seconds, exit_code, counts FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1], row[2], json.loads(row[3])) if row else None


@dataclass
class Changes:
    """Everything a pass will write to the state, applied in one transaction by :meth:`State.write`."""

    items: dict[tuple[str, str], Item]
    files: dict[tuple[str, str], FileRow]
    files_gone: list[tuple[str, str]]
    feeds: list[tuple[str, str | None, str | None, float, int | None, str | None]]
    sources: dict[str, tuple[float, str | None]]
    run: tuple[float, float, float, int, str] | None = None

    @classmethod
    def empty(cls) -> Changes:
        return cls({}, {}, [], [], {})


def references(items: Iterable[Item]) -> dict[str, int]:
    """How many items support each document id."""
    counts: dict[str, int] = {}
    for item in items:
        if item.doc_id is not None and item.status != GONE:
            counts[item.doc_id] = counts.get(item.doc_id, 0) + 1
    return counts


@contextmanager
def open_existing(path: Path) -> Iterator[State]:
    """For ``kg status``: the state must exist (a status query creates nothing)."""
    if not path.is_file():
        raise ConfigError("no state yet: the job has not run", where=str(path), hint="run `kg sync JOB.yaml` first")
    with State(path) as state:
        yield state
