"""The Neo4j writer: mapped documents buffered as rows and sent in batches, one transaction per batch, with
retries; re-ingest and retraction. The model and the queries are described in :mod:`kg.sinks.neo4j`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import Any, TypeVar, cast

from kg.errors import ConfigError, KgError, TransientTargetError
from kg.mapping import MappedDoc
from kg.ontology import Ontology, load_ontology
from kg.sinks.neo4j.cypher import (
    check_query,
    constraint_statements,
    digest_query,
    documents_query,
    domain_rel_types,
    edges_query,
    evidence_query,
    nodes_query,
    retract_queries,
)
from kg.sinks.neo4j.driver import (
    _driver_module,
    _literal,
    _map_error,
    _open_driver,
    _reason,
    _Rows,
    quiet_driver_logs,
    safe_uri,
)
from kg.sinks.neo4j.rows import RowBuilder, _group, _Part, _split

log = logging.getLogger("kg.neo4j")

DEFAULT_BATCH_SIZE = 10_000
IN_FLIGHT = 2  # batches sent at once (see _InFlight)
RETRACT_DOCS_PER_TX = 100

T = TypeVar("T")


@dataclass(slots=True)
class _InFlight:
    """A batch being sent by a helper thread.

    Two batches may be in flight (``IN_FLIGHT``): the second starts its transaction once the first has run
    all its queries (``queried``), while the first commits. By then the first holds the locks of every node
    it writes, so the second waits on those locks where they overlap (a node's labels, properties and new
    relationships) and never sees half of the first; nothing it writes before its nodes query (its
    documents and their evidence nodes) is touched by the first. A document in flight is never sent again
    before it has committed.
    """

    future: Future[bool]
    docs: set[str]
    queried: threading.Event


# ------------------------------------------------------------------ report


@dataclass(slots=True)
class Neo4jReport:
    """What a writer did, summed from the servers' summary counters."""

    documents_written: int = 0
    documents_unchanged: int = 0  # skipped: the stored digest equals the new one
    documents_retracted: int = 0  # previous versions replaced, or removed by retract()
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    labels_added: int = 0
    batches: int = 0
    retries: int = 0

    def add(self, counts: Mapping[str, int]) -> None:
        for key, value in counts.items():
            setattr(self, key, getattr(self, key) + value)

    def summary(self) -> str:
        return (
            f"{self.documents_written} documents written, {self.documents_unchanged} unchanged, "
            f"{self.documents_retracted} retracted; {self.nodes_created} nodes created, "
            f"{self.nodes_deleted} deleted; {self.relationships_created} relationships created, "
            f"{self.relationships_deleted} deleted; {self.properties_set} properties set"
        )


_COUNTERS = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
             "properties_set", "labels_added")


def _counts(summary: Any) -> dict[str, int]:
    counters = summary.counters
    return {name: int(getattr(counters, name)) for name in _COUNTERS}


def _add(total: dict[str, int], more: Mapping[str, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value


# ------------------------------------------------------------------ writer


class Neo4jWriter:
    """Write mapped documents to Neo4j. Use as a context manager; see :mod:`kg.sinks.neo4j` for the model.

    ``write()`` buffers rows and sends a transaction every ``batch_size`` rows (from helper threads while
    the next batch is built, at most ``IN_FLIGHT`` at a time, unless ``background=False``); leaving the
    ``with`` block normally (or ``close()``) sends the rest and waits for it. ``report`` holds what was done.
    """

    def __init__(
        self,
        uri: str,
        *,
        database: str | None = None,
        auth: tuple[str, str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        ontology: Ontology | None = None,
        max_retries: int = 5,
        force: bool = False,
        retry_delay: float = 1.0,
        transaction_retry_time: float = 30.0,
        connection_timeout: float = 15.0,
        background: bool = True,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch size must be at least 1, not {batch_size}")
        self.uri = uri
        self.database = database
        self._auth = auth
        self.batch_size = batch_size
        self.ontology = ontology or load_ontology()
        self.max_retries = max(1, max_retries)
        self.force = force
        self.retry_delay = retry_delay
        self._driver_config = {
            "max_transaction_retry_time": transaction_retry_time,
            "connection_timeout": connection_timeout,
        }
        self.background = background
        self.report = Neo4jReport()
        self._builder = RowBuilder(self.ontology)
        self._pool: ThreadPoolExecutor | None = None
        self._inflight: list[_InFlight] = []
        self._report_lock = threading.Lock()
        self._driver: Any = None
        self._bookmarks: Any = None  # one causal chain for all the writer's sessions
        self._sessions: dict[int, Any] = {}  # per thread
        self._schema_ready = False
        self._quiet = ExitStack()  # the driver's own logs are quiet while connected (quiet_driver_logs)
        self._pending: list[_Part] = []
        self._pending_rows = 0
        self._pending_docs: set[str] = set()
        self._queries = {
            "nodes": nodes_query(self.ontology),
            "evidence": evidence_query(self._builder.evidence_row_keys, self.ontology),
            "edges": edges_query(self.ontology),
        }
        self._types = {name: name for name in domain_rel_types(self.ontology)}
        self._retract = retract_queries(self.ontology)

    def __repr__(self) -> str:  # no password
        user = self._auth[0] if self._auth else None
        return f"Neo4jWriter({safe_uri(self.uri)!r}, database={self.database!r}, user={user!r})"

    @property
    def user(self) -> str | None:
        return self._auth[0] if self._auth else None

    # --- connection ---------------------------------------------------------------------

    def connect(self) -> Neo4jWriter:
        """Check that the server answers and the credentials work, then create the constraints and indexes."""
        if self._driver is not None:
            return self
        self._driver = _open_driver(self.uri, self._auth, **self._driver_config)
        self._quiet.enter_context(quiet_driver_logs())  # until _close_driver(): kg reports faults itself
        self._bookmarks = _driver_module().GraphDatabase.bookmark_manager()
        try:
            self._driver.verify_connectivity()
            with self._driver.session(database=self.database, bookmark_manager=self._bookmarks) as session:
                for statement in constraint_statements():
                    session.run(_literal(statement)).consume()
                session.run("CALL db.awaitIndexes(300)").consume()
            self._schema_ready = True
        except Exception as exc:
            self._close_driver()
            if isinstance(exc, KgError):
                raise
            raise self._error(exc) from None
        return self

    def _error(self, exc: BaseException) -> KgError:
        return _map_error(exc, self.uri, self._auth, self.database)

    def _session_for_work(self) -> Any:
        """This thread's session (each thread that sends batches has its own)."""
        if self._driver is None:
            self.connect()
        key = threading.get_ident()
        session = self._sessions.get(key)
        if session is None:
            session = self._sessions[key] = self._driver.session(database=self.database,
                                                                 bookmark_manager=self._bookmarks)
        return session

    def _drop_session(self) -> None:
        """Close this thread's session (after a lost connection: the driver's pool reconnects by itself)."""
        session = self._sessions.pop(threading.get_ident(), None)
        if session is not None:
            with suppress(Exception):  # a broken session has nothing useful left
                session.close()

    def _close_driver(self) -> None:
        sessions, self._sessions = self._sessions, {}
        for session in sessions.values():
            with suppress(Exception):
                session.close()
        if self._driver is not None:
            with suppress(Exception):
                self._driver.close()
            self._driver = None
        self._quiet.close()

    def _execute(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` in a write transaction; reconnect and retry when the server went away."""
        errors = _driver_module().exceptions
        attempt = 0
        while True:
            attempt += 1
            try:
                session = self._session_for_work()
                return cast(T, session.execute_write(work))
            except (errors.ServiceUnavailable, errors.SessionExpired) as exc:
                self._drop_session()
                if attempt >= self.max_retries:
                    raise TransientTargetError(
                        f"lost the connection to Neo4j at {safe_uri(self.uri)} and gave up after {attempt} "
                        f"attempts: {_reason(exc, self._auth[1] if self._auth else None)}",
                        hint="re-run the same command when the server is back: loading is idempotent",
                    ) from None
                delay = min(self.retry_delay * 2 ** (attempt - 1), 30.0)
                log.warning("Neo4j at %s unavailable (attempt %d of %d): %s; retrying in %.1f s",
                            safe_uri(self.uri), attempt, self.max_retries,
                            _reason(exc, self._auth[1] if self._auth else None), delay)
                self.report.retries += 1
                time.sleep(delay)
            except KgError:
                raise
            except Exception as exc:
                if isinstance(exc, errors.TransientError):  # retries used up inside the driver
                    secret = self._auth[1] if self._auth else None
                    raise TransientTargetError(
                        f"Neo4j at {safe_uri(self.uri)} kept failing: {_reason(exc, secret)}",
                        hint="re-run the same command: loading is idempotent",
                    ) from None
                raise self._error(exc) from None

    # --- writing ------------------------------------------------------------------------

    def write(self, doc: MappedDoc) -> None:
        """Buffer one document; sends a batch when ``batch_size`` rows are waiting.

        With ``background=True`` (the default) a full batch is sent by a helper thread while the next one is
        built, so an error of that batch (the server went away for good, say) is raised by a later
        ``write()``, ``flush()`` or ``close()``. At most ``IN_FLIGHT`` batches are in flight.
        """
        rows = self._builder.rows(doc)
        size = rows.size
        if doc.doc_iri in self._pending_docs or (self._pending and self._pending_rows + size > self.batch_size):
            self._dispatch()
        if size <= self.batch_size:
            self._pending.append(_Part(rows, rows.items, first=True, last=True, size=size))
            self._pending_rows += size
            self._pending_docs.add(doc.doc_iri)
            if self._pending_rows >= self.batch_size:
                self._dispatch()
            return
        self._wait()
        for part in _split(rows, self.batch_size):  # a document larger than a batch: its own batches
            if self._send([part]):
                break  # unchanged: the other slices are skipped too

    def flush(self) -> None:
        """Send the buffered rows now and wait until every batch is committed."""
        self._dispatch()
        self._wait()

    def _dispatch(self) -> None:
        """Send the buffered rows as one batch: by a helper thread when ``background`` (see :class:`_InFlight`)."""
        if not self._pending:
            return
        parts, self._pending, self._pending_rows = self._pending, [], 0
        docs, self._pending_docs = self._pending_docs, set()
        if not self.background:
            self._wait()
            self._send(parts)
            return
        if any(docs & batch.docs for batch in self._inflight):
            self._wait()  # a document again (listed twice): its first version commits first
        while len(self._inflight) >= IN_FLIGHT:
            self._wait_oldest()
        if self._driver is None:
            self.connect()  # here, not in the helper threads
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="kg-neo4j-writer")
        previous = self._inflight[-1].queried if self._inflight else None
        queried = threading.Event()
        future = self._pool.submit(self._send, parts, previous, queried)
        self._inflight.append(_InFlight(future, docs, queried))

    def _wait_oldest(self) -> None:
        self._inflight.pop(0).future.result()

    def _wait(self) -> None:
        """Wait for every batch in flight, oldest first; raise the first error."""
        try:
            while self._inflight:
                self._wait_oldest()
        finally:
            for batch in self._inflight:  # after an error: let the others finish, but report only the first
                with suppress(Exception):
                    batch.future.result()
            self._inflight = []

    def _send(self, parts: list[_Part], previous: threading.Event | None = None,
              queried: threading.Event | None = None) -> bool:
        """One transaction for these parts; True when every document in it was unchanged (skipped).

        With ``previous``, the transaction starts once the previous batch has run all its queries;
        ``queried`` is set once this one has (or has failed).
        """

        def work(tx: Any) -> tuple[dict[str, int], set[str], int]:
            result = self._write_work(tx, parts)
            if queried is not None:
                queried.set()  # this transaction holds every lock it needs: the next one may start
            return result

        try:
            if previous is not None:
                previous.wait()
            counts, skipped, replaced = self._execute(work)
        finally:
            if queried is not None:
                queried.set()
        with self._report_lock:
            self.report.add(counts)
            self.report.batches += 1
            self.report.documents_unchanged += len(skipped)
            self.report.documents_retracted += replaced
            self.report.documents_written += sum(1 for p in parts if p.last and p.rows.doc_iri not in skipped)
        return bool(skipped) and all(p.rows.doc_iri in skipped for p in parts)

    def _write_work(self, tx: Any, parts: list[_Part]) -> tuple[dict[str, int], set[str], int]:
        """The transaction function (may run more than once: it decides everything from the database)."""
        counts: dict[str, int] = {}
        first = {p.rows.doc_iri: p.rows.digest for p in parts if p.first}
        skipped: set[str] = set()
        replace: list[str] = []
        if first:
            stored = {rec["uri"]: rec["digest"] for rec in tx.run(_literal(check_query()), docs=_Rows(first))}
            for doc, digest in first.items():
                if doc not in stored:
                    continue
                if stored[doc] == digest and not self.force:
                    skipped.add(doc)
                else:
                    replace.append(doc)
        if replace:
            _add(counts, self._retract_work(tx, replace)[0])
        active = [p for p in parts if p.rows.doc_iri not in skipped]
        batch = _group(active)
        queries = self._queries
        # order matters: nodes before anything that matches them; domain edges before the provenance
        # relationships, so that a node new in this transaction still has no relationship when edges are written
        starting = [p.rows.doc_iri for p in active if p.first]
        if starting:
            _add(counts, _counts(tx.run(_literal(documents_query()), docs=_Rows(starting)).consume()))
        if batch.evidence:
            _add(counts, _counts(tx.run(_literal(queries["evidence"]), docs=_Rows(batch.evidence)).consume()))
        if batch.nodes:
            _add(counts, _counts(tx.run(_literal(queries["nodes"]), rows=_Rows(batch.nodes)).consume()))
        if batch.edges:
            edges = tx.run(_literal(queries["edges"]), rows=_Rows(batch.edges), types=self._types)
            _add(counts, _counts(edges.consume()))
        digests = [{"uri": p.rows.doc_iri, "digest": p.rows.digest} for p in active if p.last]
        if digests:
            _add(counts, _counts(tx.run(_literal(digest_query()), rows=_Rows(digests)).consume()))
        counts.pop("documents", None)
        return counts, skipped, len(replace)

    def _retract_work(self, tx: Any, docs: list[str]) -> tuple[dict[str, int], list[str]]:
        """The counts, and the IRIs of the documents that were there (their Document nodes are gone)."""
        counts: dict[str, int] = {}
        removed: list[str] = []
        for query in self._retract:
            result = tx.run(_literal(query), docs=_Rows(docs))
            records = list(result)
            _add(counts, _counts(result.consume()))
            found = records[0].get("documents") if records else None
            if found is not None:
                counts["documents"] = counts.get("documents", 0) + int(found)
                removed += records[0].get("found") or []
        return counts, removed

    # --- retraction ---------------------------------------------------------------------

    def retract(self, doc_iris: Iterable[str], *, found: list[str] | None = None) -> dict[str, int]:
        """Remove what these documents contributed; keep what other documents still support.

        Returns counts: ``documents`` (found and removed), ``nodes_deleted``, ``relationships_deleted``,
        ``properties_set`` (docs lists shortened), ... ``found``, when given, receives the IRIs of the
        documents that were there and are gone (each once committed).
        """
        self.flush()
        docs = list(dict.fromkeys(doc_iris))
        total: dict[str, int] = {"documents": 0}
        for start in range(0, len(docs), RETRACT_DOCS_PER_TX):
            chunk = docs[start:start + RETRACT_DOCS_PER_TX]
            counts, removed = self._execute(partial(self._retract_work, docs=chunk))
            _add(total, counts)
            if found is not None:
                found += removed
        self.report.documents_retracted += total["documents"]
        self.report.add({k: v for k, v in total.items() if k != "documents"})
        return total

    # --- lifecycle ----------------------------------------------------------------------

    def close(self, *, flush: bool = True) -> None:
        """Send what is buffered (unless ``flush=False``) and close the connection."""
        try:
            if flush:
                self.flush()
        finally:
            self._pending, self._pending_rows, self._pending_docs = [], 0, set()
            try:
                if self._inflight and not flush:
                    try:
                        self._wait()  # never close the connection under a running transaction
                    except Exception as exc:  # already failing: report this one in the log only
                        log.warning("Neo4j batch failed while closing: %s", exc)
            finally:
                self._inflight = []
                if self._pool is not None:
                    self._pool.shutdown(wait=True)
                    self._pool = None
                self._close_driver()

    def __enter__(self) -> Neo4jWriter:
        return self.connect()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(flush=exc_type is None)


def write_neo4j(docs: Iterable[MappedDoc], uri: str, **options: Any) -> Neo4jReport:
    """Write all documents; returns the report."""
    with Neo4jWriter(uri, **options) as writer:
        for doc in docs:
            writer.write(doc)
    return writer.report
