"""Sync: scheduled, incremental ingestion of folders, feeds and JSONL drops into one or several targets.
May import every stage (sources, execution, mapping, sinks), like kg.run; nothing imports it but front ends.

``kg sync JOB.yaml`` (or :func:`run`) runs one pass of a job (:mod:`kg.sync.job`): what is new or changed is
extracted and written to every target, what is unchanged is skipped before extraction, what is gone is
retracted; the state (:mod:`kg.sync.state`, SQLite) remembers what was loaded. :func:`loop` runs passes on a
schedule; :func:`status` says how each source stands. For orchestrators::

    from kg.sync import run
    report = run("jobs/news.yaml")       # a SyncReport; raises KgError on configuration/target errors
    assert report.exit_code in (0, 1), report.summary()
"""

from __future__ import annotations

from kg.sync.job import Job, load_job, parse_duration
from kg.sync.report import Clock, SourceCounts, SyncReport, SystemClock
from kg.sync.runner import loop, run
from kg.sync.status import status

__all__ = ["Clock", "Job", "SourceCounts", "SyncReport", "SystemClock", "load_job", "loop", "parse_duration",
           "run", "status"]
