"""What a sync pass did (:class:`SyncReport`, returned by :func:`kg.sync.run`), and the clock passes run by."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from kg.reporting import RunReport


class Clock(Protocol):
    """Wall-clock time and sleeping; tests pass their own to drive ``--every`` and retry schedules."""

    def now(self) -> float:
        """Seconds since the epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait (a test clock just advances)."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass
class SourceCounts:
    """Per source: what happened to its documents in this pass."""

    new: int = 0
    changed: int = 0  # new text or metadata, or produced under another model/lexicon/mapping digest
    unchanged: int = 0  # skipped before extraction
    duplicates: int = 0  # the same text as a document already there: recorded as another source of it
    retracted: int = 0
    failed: int = 0  # failed in this pass (will be retried, or dead-lettered)
    dead: int = 0  # dead-lettered in this pass
    pending: int = 0  # files still being written, read in a later pass
    waiting: int = 0  # failed before, not due for retry yet
    error: str | None = None  # the source itself failed (feed unreachable, folder missing)

    def line(self) -> str:
        parts = [f"{self.new} new", f"{self.changed} changed", f"{self.unchanged} unchanged"]
        for name in ("duplicates", "retracted", "failed", "dead", "pending", "waiting"):
            value = getattr(self, name)
            if value:
                parts.append(f"{value} {name}")
        return ", ".join(parts)


@dataclass
class SyncReport:
    """One pass of a job. ``exit_code``: 0 done (or skipped because another pass holds the job), 1 some documents
    or sources failed (the rest were synced), 2 configuration or target error (raised by :func:`kg.sync.run`,
    recorded in the run log)."""

    job: str
    started: float = 0.0
    ended: float = 0.0
    run: RunReport = field(default_factory=RunReport)
    sources: dict[str, SourceCounts] = field(default_factory=dict)
    targets: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: str | None = None  # e.g. "locked by pid 1234"
    error: str | None = None
    exit_code: int = 0

    @property
    def seconds(self) -> float:
        return self.run.seconds

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.sources.values())

    def summary(self) -> str:
        """The last line ``kg sync`` prints (the same shape as ``kg ingest``'s)."""
        if self.skipped:
            return f"skipped: {self.skipped}"
        changes = (f"{self.total('new')} new, {self.total('changed')} changed, {self.total('unchanged')} unchanged, "
                   f"{self.total('retracted')} retracted, {self.total('duplicates')} duplicates")
        return f"synced: {self.run.summary()} ({changes})"

    def to_json(self) -> dict[str, Any]:
        """The run log line (runs.jsonl)."""
        return {
            "job": self.job,
            "start": _iso(self.started),
            "end": _iso(self.ended),
            "seconds": round(self.run.seconds, 3),
            "exit_code": self.exit_code,
            "skipped": self.skipped,
            "error": self.error,
            "documents": self.run.documents,
            "entities": self.run.entities,
            "events": self.run.events,
            "relations": self.run.relations,
            "sources": {name: asdict(counts) for name, counts in self.sources.items()},
            "targets": self.targets,
            "failures": self.run.failures,
            "notes": self.run.notes,
        }


def _iso(when: float) -> str:
    return dt.datetime.fromtimestamp(when, dt.UTC).isoformat(timespec="seconds")
