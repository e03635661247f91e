"""``kg status JOB.yaml``: per source, its documents, last success, last failure, how fresh it is, what waits for
retry and what was dead-lettered; and the last pass. Reads the state only (a status query creates nothing)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg.sync.job import Job, load_job
from kg.sync.state import SourceSummary, open_existing


@dataclass(frozen=True)
class JobStatus:
    job: str
    state: str
    now: float
    sources: tuple[tuple[str, SourceSummary], ...]  # (name as written, summary)
    last_run: tuple[float, float, int, dict[str, Any]] | None

    def to_json(self) -> dict[str, Any]:
        return {"job": self.job, "state": self.state,
                "sources": [{"name": name, **asdict(summary)} for name, summary in self.sources],
                "last_run": None if self.last_run is None else {
                    "started": _iso(self.last_run[0]), "seconds": round(self.last_run[1], 3),
                    "exit_code": self.last_run[2]}}

    def lines(self) -> list[str]:
        out = [f"job {self.job} (state {self.state})"]
        if self.last_run is None:
            out.append("last pass: none finished")
        else:
            started, seconds, code, counts = self.last_run
            what = "skipped" if counts.get("skipped") else f"exit {code}"
            out.append(f"last pass: {_when(started, self.now)}, {seconds:.2f} s, {what}"
                       + (f": {counts['error']}" if counts.get("error") else ""))
        for name, s in self.sources:
            dup = f" (+{s.duplicates} duplicate sources)" if s.duplicates else ""
            out.append(f"{name}: {s.documents} documents{dup}")
            fresh = f"{_ago(s.last_success, self.now)} ago" if s.last_success is not None else "never synced"
            out.append(f"  last success: {_when(s.last_success, self.now)}; fresh: {fresh}")
            failure = _when(s.last_failure, self.now)
            out.append(f"  last failure: {failure}" + (f": {s.last_error}" if s.last_failure is not None else ""))
            retry = f"  waiting for retry: {s.retry}"
            if s.retry and s.next_retry is not None:
                retry += f" (next {_until(s.next_retry, self.now)})"
            out.append(retry + (f"; still being written: {s.pending}" if s.pending else ""))
            out.append(f"  dead letters: {s.dead}")
            for locator, error in s.dead_letters:
                out.append(f"    {locator}: {error}")
        return out


def status(job: Job | Path | str, now: float | None = None) -> JobStatus:
    job = job if isinstance(job, Job) else load_job(job)
    with open_existing(job.state) as state:
        sources = tuple((s.name, state.summary(s.key)) for s in job.sources)
        last = state.last_run()
    name = str(job.path) if job.path is not None else str(job.state)
    return JobStatus(name, str(job.state), time.time() if now is None else now, sources, last)


def _iso(when: float) -> str:
    return dt.datetime.fromtimestamp(when, dt.UTC).isoformat(timespec="seconds")


def _when(when: float | None, now: float) -> str:
    return "never" if when is None else f"{_iso(when)} ({_ago(when, now)} ago)"


def _ago(when: float, now: float) -> str:
    return _span(max(0.0, now - when))


def _until(when: float, now: float) -> str:
    return "now" if when <= now else f"in {_span(when - now)}"


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
