"""The jobs, as plain functions: extract, map, ingest, retract. The CLI and orchestrators call these.
May import every stage (sources, extract via kg.execution, mapping, sinks); nothing imports it but front ends.

Each job returns a :class:`~kg.reporting.RunReport` and tells a :class:`~kg.reporting.Reporter` how it goes.
Bad documents are recorded in ``report.failures`` and skipped (or, with ``strict``, raised at once); outputs
are committed only at the end of a successful run, so a failed run leaves the previous output untouched.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from kg.errors import InputError, KgError, MappingError
from kg.files import atomic_write
from kg.mapping import Mapping, load_mapping, map_record
from kg.records import DocRecord, dumps, read_records
from kg.reporting import Reporter, RunReport, SilentReporter
from kg.settings import Settings
from kg.sinks import Retraction, open_sink, sink_key
from kg.sources import iter_documents


def extract_records(sources: Iterable[str], settings: Settings, report: RunReport, reporter: Reporter, *,
                    strict: bool = False, stdin: TextIO | None = None) -> Iterator[DocRecord]:
    """Documents from sources -> DocRecords, recording failures in the report."""
    from kg.execution import executor

    items = iter_documents(list(sources), strict=strict, max_bytes=settings.extract.max_bytes, stdin=stdin)
    for item in executor(settings.extract).run(items, settings.extract):
        if isinstance(item, InputError):
            _fail(report, reporter, item, strict)
            continue
        report.add(item)
        yield item


def run_extract(sources: Iterable[str], out: Path, settings: Settings, *, strict: bool = False,
                reporter: Reporter | None = None, stdin: TextIO | None = None) -> RunReport:
    """Write one records line per document to ``out`` (atomically)."""
    reporter = reporter or SilentReporter()
    report = RunReport()
    start = time.perf_counter()
    with atomic_write(out) as handle:
        for record in extract_records(sources, settings, report, reporter, strict=strict, stdin=stdin):
            handle.write(dumps(record) + "\n")
            reporter.progress(1)
    report.seconds = time.perf_counter() - start
    return report


def run_ingest(sources: Iterable[str], target: str, settings: Settings, *, strict: bool = False,
               reporter: Reporter | None = None, stdin: TextIO | None = None) -> RunReport:
    """Sources -> extraction -> mapping -> target, streaming document by document."""
    reporter = reporter or SilentReporter()
    report = RunReport()
    start = time.perf_counter()
    sink_key(target)  # an unknown target is an error before anything is read
    mapping = load_mapping(settings.mapping, settings.ontology)  # validated before anything is read
    check_data_files(settings, mapping)
    records = extract_records(sources, settings, report, reporter, strict=strict, stdin=stdin)
    _load(records, target, settings, mapping, report, reporter)
    report.seconds = time.perf_counter() - start
    return report


def check_data_files(settings: Settings, mapping: Mapping) -> None:
    """The extractor's gazetteers and trigger lexicon are valid, and every event type the lexicon can produce
    has a mapping rule (else it would vanish silently), before anything is read or written."""
    from kg.extract.lexicon import load_gazetteer, load_lexicon

    load_gazetteer(settings.extract.gazetteers)
    lexicon = load_lexicon(settings.extract.triggers)
    for event_type in lexicon.events:
        if event_type not in mapping.events:
            raise MappingError(f"event type '{event_type}' has no rule in the mapping {mapping.path}",
                               where=lexicon.where[event_type],
                               hint=f"add `- {{rule: event-{event_type}, type: {event_type}, class: kgo:...}}` "
                                    "to the mapping's events, or remove the type from the lexicon")


def run_map(records_path: Path, target: str, settings: Settings, *,
            reporter: Reporter | None = None) -> RunReport:
    """A records file (from ``kg extract``) -> mapping -> target."""
    reporter = reporter or SilentReporter()
    report = RunReport()
    start = time.perf_counter()
    sink_key(target)
    mapping = load_mapping(settings.mapping, settings.ontology)

    def records() -> Iterator[DocRecord]:
        for record in read_records(records_path):
            report.add(record)
            yield record

    _load(records(), target, settings, mapping, report, reporter)
    report.seconds = time.perf_counter() - start
    return report


def run_retract(doc_ids: Iterable[str], target: str, settings: Settings) -> Retraction:
    """Remove what only these documents supported from a target (a quad file or a database); the result names
    the documents found and not found by their ids."""
    sink_key(target)
    mapping = load_mapping(settings.mapping, settings.ontology)
    ids = {mapping.document_iri(doc_id): doc_id for doc_id in doc_ids}
    sink = open_sink(target, settings, mapping)
    try:
        result = sink.retract(list(ids))
    finally:
        sink.abort()  # nothing else was written: close without adding anything
    return Retraction(found=[ids[iri] for iri in result.found], missing=[ids[iri] for iri in result.missing],
                      counts=result.counts)


def _load(records: Iterable[DocRecord], target: str, settings: Settings, mapping: Mapping, report: RunReport,
          reporter: Reporter) -> None:
    sink = open_sink(target, settings, mapping)
    written = 0
    skipped: set[str] = set()
    try:
        for record in records:
            mapped = map_record(record, mapping)
            for what in set(mapped.skipped) - skipped:  # once per kind: "event type looting"
                skipped.add(what)
                _note(report, reporter, f"the mapping has no rule for {what}: not written")
            sink.write(mapped)
            written += 1
            reporter.progress(1)
    except BaseException:
        sink.abort()
        raise
    sink.commit()
    report.outputs = sink.counts()
    if not written:
        _note(report, reporter, f"nothing written: no document was produced, {target} is as it was")


def _note(report: RunReport, reporter: Reporter, message: str) -> None:
    report.notes.append(message)
    reporter.note(message)


def _fail(report: RunReport, reporter: Reporter, error: KgError, strict: bool) -> None:
    if strict:
        raise error
    report.failures.append(str(error))
    reporter.failure(error)
