"""One pass of a sync job (:func:`run`), and passes on a schedule (:func:`loop`).

A pass: take the job's lock (another pass holding it: skipped, exit 0), read the state, plan (list folders,
fetch feeds: :mod:`kg.sync.plan`), extract what is new or changed through the configured executor, write it to
every target, commit every target, retract what is gone, and only then commit the state and append the run to
``runs.jsonl``. A pass killed anywhere leaves the state as the last finished pass wrote it, and the next pass
does the work again; the targets replace documents by id, so the result is the same as a clean run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import InputError, KgError, TargetError
from kg.files import locked
from kg.reporting import Reporter, SilentReporter
from kg.settings import Settings, load_settings
from kg.sinks import Sink, is_database, open_sink
from kg.sync.digest import ingest_digest
from kg.sync.job import Job, load_job
from kg.sync.plan import Planner
from kg.sync.report import Clock, SyncReport, SystemClock
from kg.sync.state import GONE, Changes, State

if TYPE_CHECKING:
    from kg.execution import Executor
    from kg.extract import Extractor
    from kg.mapping import Mapping

_HOLDER = re.compile(r"locked by (pid \d+|another process)")


class Extraction:
    """The executor a pass extracts with (``kg.execution.executor(settings.extract)``), made on first use and
    kept for later passes of a loop while the digest (model + lexicon + mapping) stays the same: ``--every``
    loads the pipeline once, not once per pass."""

    def __init__(self, extractor: Extractor | None = None) -> None:
        self.extractor = extractor
        self._executor: Executor | None = None
        self._digest: str | None = None
        self._warm: tuple[str, Extractor] | None = None

    def warm_up(self, settings: Settings, digest: str) -> None:
        """Load what extraction needs ahead of time, while the pass waits for files or pages (from a helper
        thread): for the in-process executor the pipeline itself, for others the modules. Errors are left to
        :meth:`executor`, which the pass calls in its own thread and which reports them."""
        if self.extractor is not None or (self._executor is not None and self._digest == digest):
            return
        try:
            import kg.mapping  # noqa: F401 - rdflib
            if settings.extract.executor == "local" and settings.extract.workers <= 1:
                from kg.extract import Extractor

                self._warm = (digest, Extractor(settings.extract))
            else:
                import kg.execution  # noqa: F401
        except Exception:  # noqa: BLE001 - see the docstring
            self._warm = None

    def executor(self, settings: Settings, digest: str) -> Executor:
        if self._executor is None or self._digest != digest:
            from kg.execution import executor

            extractor = self.extractor
            if extractor is None and self._warm is not None and self._warm[0] == digest:
                extractor = self._warm[1]
            self._warm = None
            self._executor = executor(settings.extract, extractor)
            self._digest = digest
        return self._executor


def run(job: Job | Path | str, *, settings: Settings | None = None, reporter: Reporter | None = None,
        clock: Clock | None = None, extractor: Extractor | None = None,
        extraction: Extraction | None = None) -> SyncReport:
    """Run one pass of ``job`` (a :class:`Job` or a job file) and return what it did.

    Raises :class:`~kg.errors.KgError` for configuration and target errors (exit code 2; the failed pass is
    recorded in the state and the run log); per-document and per-source failures are in the report
    (``exit_code`` 1). ``extractor`` is handed to the executor (in-process only), to reuse a loaded pipeline;
    ``extraction`` carries the executor from one pass to the next (as :func:`loop` does).
    """
    job = job if isinstance(job, Job) else load_job(job)
    settings = settings if settings is not None else load_settings(job.config)
    clock = clock or SystemClock()
    job.state.parent.mkdir(exist_ok=True)
    stack = ExitStack()
    try:
        stack.enter_context(locked(job.state, timeout=0, what="job"))
    except TargetError as exc:
        found = _HOLDER.search(exc.detail)
        holder = found.group(1) if found else "another process"
        skipped = SyncReport(job=_name(job), started=clock.now(), ended=clock.now(), skipped=f"locked by {holder}")
        append_run_log(job.run_log, skipped)
        return skipped
    with stack:
        return _Pass(job, settings, reporter or SilentReporter(), clock, extraction or Extraction(extractor)).execute()


def loop(job: Job | Path | str, every: float, *, clock: Clock | None = None, passes: int | None = None,
         on_report: Callable[[SyncReport], None] | None = None,
         on_error: Callable[[KgError], None] | None = None, **options: Any) -> list[SyncReport]:
    """Run a pass now and then every ``every`` seconds, on a fixed grid from the first start (a pass that runs
    over skips the ticks it missed), ``passes`` times or for ever. An error of one pass is handed to
    ``on_error`` (or raised when there is none) and the loop goes on: a target may be back by the next tick."""
    if every <= 0:
        raise ValueError("every must be positive")
    job = job if isinstance(job, Job) else load_job(job)
    clock = clock or SystemClock()
    extraction = Extraction(options.pop("extractor", None))
    start = clock.now()
    reports: list[SyncReport] = []
    while passes is None or len(reports) < passes:
        try:
            report = run(job, clock=clock, extraction=extraction, **options)
        except KgError as exc:
            if on_error is None:
                raise
            on_error(exc)
            report = SyncReport(job=_name(job), error=str(exc), exit_code=exc.exit_code)
        reports.append(report)
        if on_report is not None:
            on_report(report)
        if passes is not None and len(reports) >= passes:
            break
        now = clock.now()
        ticks = math.floor((now - start) / every) + 1
        clock.sleep(start + ticks * every - now)
    return reports


def _name(job: Job) -> str:
    return str(job.path) if job.path is not None else str(job.state)


class _Pass:
    def __init__(self, job: Job, settings: Settings, reporter: Reporter, clock: Clock, extraction: Extraction) -> None:
        self.job = job
        self.settings = settings
        self.reporter = reporter
        self.clock = clock
        self.extraction = extraction
        # what the targets hold follows the model, lexicon and mapping, and which targets there are: a target
        # added to the job gets every document, not only those that change from now on
        self.digest = hashlib.sha256("\n".join([ingest_digest(settings), *sorted(job.targets)]).encode()).hexdigest()
        self.report = SyncReport(job=_name(job), started=clock.now())
        self._mapping: Mapping | None = None

    def execute(self) -> SyncReport:
        began = time.perf_counter()
        report = self.report
        with State(self.job.state) as state:
            try:
                with ExitStack() as stack:
                    fetcher = None
                    if any(s.kind == "feed" for s in self.job.sources):
                        from kg.sync.fetch import Fetcher  # httpx and tenacity: only for feeds

                        fetcher = stack.enter_context(Fetcher(self.job.fetch))
                    planner = Planner(self.job, state, self.digest, report.started,
                                      self.settings.extract.max_bytes, report.run, self.reporter, fetcher)
                    report.sources = {s.name: planner.counts[s.key] for s in self.job.sources}
                    warming = threading.Thread(target=self.extraction.warm_up, args=(self.settings, self.digest),
                                               name="kg-sync-warm-up", daemon=True)

                    def work_ahead() -> None:
                        if warming.ident is None:
                            warming.start()

                    planner.prepare(work_ahead)
                    if warming.ident is not None:
                        warming.join()  # the pipeline is loaded (or failed to: executor() says why)
                    self._extract_and_write(planner)
                    self._retract(planner)
                    planner.finish()
            except BaseException as exc:
                report.error = str(exc) if isinstance(exc, KgError) else f"{type(exc).__name__}: {exc}"
                report.exit_code = exc.exit_code if isinstance(exc, KgError) else 2
                self._finish(report, began)
                if not isinstance(exc, KeyboardInterrupt):
                    failed = Changes.empty()
                    failed.run = self._run_row(report)
                    state.write(failed)
                    self._log(report)
                raise
            report.exit_code = 1 if report.run.failures else 0
            self._finish(report, began)
            planner.changes.run = self._run_row(report)
            state.write(planner.changes)  # after the targets: outputs are committed before state
        self._log(report)
        return report

    def _finish(self, report: SyncReport, began: float) -> None:
        report.run.seconds = time.perf_counter() - began
        report.ended = self.clock.now()

    def mapping(self) -> Mapping:
        if self._mapping is None:
            from kg.mapping import load_mapping

            self._mapping = load_mapping(self.settings.mapping, self.settings.ontology)
        return self._mapping

    def _open_sinks(self) -> list[tuple[str, Sink]]:
        sinks: list[tuple[str, Sink]] = []
        try:
            for target in self.job.targets:
                sinks.append((target, open_sink(target, self.settings, self.mapping())))
        except BaseException:
            for _, sink in sinks:
                sink.abort()
            raise
        return sinks

    def _extract_and_write(self, planner: Planner) -> None:
        documents = planner.documents()
        first = next(documents, None)
        if first is None:
            return  # nothing new or changed: no pipeline, no connection
        from kg.mapping import map_record

        mapping = self.mapping()
        sinks = self._open_sinks()
        try:
            executor = self.extraction.executor(self.settings, self.digest)
            results = executor.run(chain([first], documents), self.settings.extract)
            for result in results:
                work = planner.queue.popleft()
                if isinstance(result, InputError):
                    planner.extraction_failed(work, result)
                    continue
                if result.document.id != work.doc.id:
                    raise RuntimeError(f"executor returned {result.document.id!r} for {work.doc.id!r}: out of order")
                if work.item.status == GONE:
                    continue  # tombstoned further down the same drop while it was being extracted
                mapped = map_record(result, mapping)
                for _, sink in sinks:
                    sink.write(mapped)
                self.report.run.add(result)
                planner.extracted(work)
                self.reporter.progress(1)
            for target, sink in sinks:
                sink.commit()
                self.report.targets[target] = sink.counts()
        except BaseException:
            for _, sink in sinks:
                sink.abort()
            raise

    def _retract(self, planner: Planner) -> None:
        gone = planner.retractions()
        if not gone:
            return
        mapping = self.mapping()
        iris = [mapping.document_iri(doc_id) for doc_id in gone]
        for target in self.job.targets:
            if not is_database(target) and not Path(target).exists():
                continue  # nothing was ever written there
            sink = open_sink(target, self.settings, mapping)
            try:
                result = sink.retract(iris)
            finally:
                sink.abort()
            counts = self.report.targets.setdefault(target, {})
            for key, value in result.counts.items():
                counts[f"retracted {key}"] = counts.get(f"retracted {key}", 0) + value
        by_key = {s.key: s for s in self.job.sources}
        for doc_id, source in gone.items():
            planner.counts[source].retracted += 1
            message = f"{by_key[source].name}: retracted '{doc_id}'"
            self.report.run.notes.append(message)
            self.reporter.note(message)

    def _run_row(self, report: SyncReport) -> tuple[float, float, float, int, str]:
        return (report.started, report.ended, report.run.seconds, report.exit_code,
                json.dumps(report.to_json(), ensure_ascii=False))

    def _log(self, report: SyncReport) -> None:
        append_run_log(self.job.run_log, report)


def append_run_log(path: Path, report: SyncReport) -> None:
    """One JSON line per pass, appended in one write and flushed to disk."""
    line = (json.dumps(report.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
