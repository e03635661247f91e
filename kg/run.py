"""The jobs the CLI runs, as plain functions: extract, map, ingest, retract.

Each returns a :class:`RunReport`. Bad documents are recorded in ``report.failures`` and skipped (or, with
``strict``, raised at once); outputs are committed only at the end of a successful run, so a failed run
leaves the previous output untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO, cast

from kg.errors import InputError, KgError
from kg.mapping import MappedDoc, Mapping, load_mapping, map_record
from kg.records import DocRecord, RunReport, dumps, read_records
from kg.settings import Settings
from kg.sinks import Retraction
from kg.sources import iter_documents

if TYPE_CHECKING:
    from kg import sinks

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")

Progress = Callable[[int], None]


class Sink(Protocol):
    def write(self, doc: MappedDoc) -> int | None: ...  # RDF: the triples written; a kg.sinks.Sink: None
    def commit(self) -> None: ...
    def abort(self) -> None: ...


def is_neo4j(target: str) -> bool:
    return target.startswith(NEO4J_SCHEMES)


def open_sink(target: str, config: Settings, mapping: Mapping) -> Sink:
    """An RDF file writer or a Neo4j sink (kg.sinks), chosen by the target's form."""
    if is_neo4j(target):
        from kg import sinks

        return sinks.open_sink(target, config, mapping)
    from kg.rdf import RdfWriter

    return RdfWriter(target)


def _fail(report: RunReport, error: KgError, strict: bool) -> None:
    if strict:
        raise error
    report.failures.append(str(error))
    print(f"error: {error}", file=sys.stderr)


def extract_records(sources: Iterable[str], config: Settings, *, strict: bool = False, report: RunReport,
                    stdin=None) -> Iterator[DocRecord]:  # type: ignore[no-untyped-def]
    """Documents from sources -> DocRecords, recording failures in the report."""
    from kg.extract import extract_all

    items = iter_documents(list(sources), strict=strict, max_bytes=config.extract.max_bytes, stdin=stdin)
    for item in extract_all(items, config.extract, workers=config.extract.workers):
        if isinstance(item, InputError):
            _fail(report, item, strict)
            continue
        report.add(item)
        yield item


def run_extract(sources: Iterable[str], out: Path, config: Settings, *, strict: bool = False,
                progress: Progress | None = None, stdin=None) -> RunReport:  # type: ignore[no-untyped-def]
    """Write one records line per document to ``out`` (atomically)."""
    report = RunReport()
    start = time.perf_counter()
    with _atomic_text(out) as handle:
        for record in extract_records(sources, config, strict=strict, report=report, stdin=stdin):
            handle.write(dumps(record) + "\n")
            if progress:
                progress(1)
    report.seconds = time.perf_counter() - start
    return report


def _load(records: Iterable[DocRecord], target: str, config: Settings, mapping: Mapping, report: RunReport,
          progress: Progress | None) -> None:
    sink = open_sink(target, config, mapping)
    try:
        for record in records:
            mapped = map_record(record, mapping)
            report.triples += sink.write(mapped) or 0
            if progress:
                progress(1)
    except BaseException:
        sink.abort()
        raise
    sink.commit()
    if is_neo4j(target):  # what the database did, from its counters (instead of triples)
        report.written = cast("sinks.Sink", sink).counts()


def run_ingest(sources: Iterable[str], target: str, config: Settings, *, strict: bool = False,
               progress: Progress | None = None, stdin=None) -> RunReport:  # type: ignore[no-untyped-def]
    """Sources -> extraction -> mapping -> target, streaming document by document."""
    report = RunReport()
    start = time.perf_counter()
    mapping = load_mapping(config.mapping, config.ontology)  # validated before anything is read
    records = extract_records(sources, config, strict=strict, report=report, stdin=stdin)
    _load(records, target, config, mapping, report, progress)
    report.seconds = time.perf_counter() - start
    return report


def run_map(records_path: Path, target: str, config: Settings, *, progress: Progress | None = None) -> RunReport:
    """A records file (from ``kg extract``) -> mapping -> target."""
    report = RunReport()
    start = time.perf_counter()
    mapping = load_mapping(config.mapping, config.ontology)

    def records() -> Iterator[DocRecord]:
        for record in read_records(records_path):
            report.add(record)
            yield record

    _load(records(), target, config, mapping, report, progress)
    report.seconds = time.perf_counter() - start
    return report


def run_retract(doc_ids: Iterable[str], target: str, config: Settings) -> Retraction:
    """Remove what only these documents supported from a quad file or a Neo4j database."""
    mapping = load_mapping(config.mapping, config.ontology)
    iris = [mapping.document_iri(doc_id) for doc_id in doc_ids]
    if is_neo4j(target):
        from kg import sinks

        sink = sinks.open_sink(target, config, mapping)
        try:
            retraction = sink.retract(iris)
        except BaseException:
            sink.abort()
            raise
        sink.commit()
        return retraction
    from kg.rdf import retract_rdf

    # retract_rdf does not say which documents it found: all of them are reported as found
    return Retraction(found=list(dict.fromkeys(iris)), counts={"quads": retract_rdf(target, iris)})


@contextmanager
def _atomic_text(path: Path) -> Iterator[TextIO]:
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
