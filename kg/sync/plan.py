"""Deciding, source by source, which documents a pass must extract, which it skips, and which it retracts.

:class:`Planner` holds the job's items in memory for the pass (read from the state at its start). ``prepare()``
lists folders and drops (waiting once for files to settle) and fetches feeds and pages; ``documents()`` is the
lazy stream of Documents to extract, fed to the executor: it reads files one at a time and skips, before
extraction, every document whose text, metadata and digest (model + lexicon + mapping) are unchanged. It
touches no database and no network, so an executor may pull it from another thread.

Decisions, per document (a file, a JSONL line or a feed entry, keyed by source and locator):

- same fingerprint (id, sha256, title, date, url) and same digest as last ingested: unchanged, skipped;
- the same text (sha256) as another document already there: a *duplicate*, recorded as another source of that
  document and not ingested again (a syndicated copy under a second URL);
- an id already supplied by another file with other text: refused (dead-lettered), as ``kg ingest`` refuses it;
- otherwise extracted: new, or changed (replacing its previous version in every target).

A document whose last item is gone (deleted from a completely listed folder, tombstoned, or now a duplicate of
another) is retracted at the end of the pass; one that merely falls off a feed is kept.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.records import Document
from kg.reporting import Reporter, RunReport
from kg.sources import KINDS
from kg.sources.feed import FeedEntry, page_document, parse_feed
from kg.sync import scan
from kg.sync.job import Job, Source
from kg.sync.report import SourceCounts
from kg.sync.state import DEAD, DUPLICATE, GONE, OK, PENDING, RETRY, Changes, FileRow, Item, State

if TYPE_CHECKING:
    from kg.sync.fetch import Fetched, Fetcher

PAGE_THREADS = 4  # pages fetched at once
MULTI = frozenset({"jsonl", "feed"})  # reader kinds that give several documents per file


@dataclass
class Work:
    """A document on its way to extraction, and what its item was before (restored if extraction fails)."""

    item: Item
    doc: Document
    before: Item
    change: str  # new | changed


@dataclass
class _Candidate:
    source: Source
    locator: str
    doc: Document
    file: str | None = None
    url: str | None = None
    stamp: str | None = None
    store: bool = False


def fingerprint(doc: Document) -> str:
    """What must be unchanged for a document to be skipped: its id, text and metadata."""
    data = json.dumps([doc.id, doc.sha256, doc.title, doc.published, doc.url], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class Planner:
    def __init__(self, job: Job, state: State, digest: str, now: float, max_bytes: int, report: RunReport,
                 reporter: Reporter, fetcher: Fetcher | None = None) -> None:
        self.job = job
        self.state = state
        self.digest = digest
        self.now = now
        self.max_bytes = max_bytes
        self.report = report
        self.reporter = reporter
        self.fetcher = fetcher
        self.items = state.items()
        self.changes = Changes.empty()
        self.counts: dict[str, SourceCounts] = {s.key: SourceCounts() for s in job.sources}
        self.released: dict[str, str] = {}  # doc id -> source key that released it
        self.queue: deque[Work] = deque()
        self.by_sha: dict[str, str] = {}  # sha256 -> doc id, for the items that supply a document
        self.by_id: dict[str, tuple[str, str]] = {}  # doc id -> the item that supplies it
        self.by_file: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for key, item in self.items.items():
            if item.status == OK and item.doc_id is not None and item.doc_id == item.own_id:
                self._supply(item)
            if item.file is not None and item.status != GONE:
                self.by_file.setdefault((item.source, item.file), []).append(key)
        self._reads: dict[str, list[str]] = {}  # source key -> files to read
        self._candidates: list[_Candidate] = []
        self._work_ahead: Callable[[], object] | None = None

    # --- bookkeeping -----------------------------------------------------------------------------------------

    def _supply(self, item: Item) -> None:
        assert item.doc_id is not None
        if item.sha256:
            self.by_sha[item.sha256] = item.doc_id
        self.by_id[item.doc_id] = item.key

    def _unsupply(self, item: Item) -> None:
        if item.doc_id is not None and self.by_id.get(item.doc_id) == item.key:
            del self.by_id[item.doc_id]
            if item.sha256 and self.by_sha.get(item.sha256) == item.doc_id:
                del self.by_sha[item.sha256]

    def touch(self, item: Item) -> Item:
        item.updated = self.now
        self.items[item.key] = item
        self.changes.items[item.key] = item
        return item

    def item(self, source: Source, locator: str) -> Item:
        found = self.items.get((source.key, locator))
        return found if found is not None else Item(source.key, locator, first_seen=self.now)

    def release(self, item: Item) -> None:
        """The item no longer supports its document (the document is retracted if nothing else does)."""
        if item.doc_id is not None:
            self._unsupply(item)
            self.released.setdefault(item.doc_id, item.source)
            item.doc_id = None

    def gone(self, item: Item) -> None:
        self.release(item)
        item.status = GONE
        item.next_retry = None
        self.touch(item)

    def fail(self, item: Item, error: InputError, *, transient: bool, retry_after: float | None = None) -> None:
        """A failed attempt: retried later with backoff, or dead-lettered (permanent, or max attempts reached)."""
        retry = self.job.retry
        item.attempts += 1
        item.last_error = str(error)
        counts = self.counts[item.source]
        counts.failed += 1
        if not transient or item.attempts >= retry.max_attempts:
            item.status = DEAD
            item.next_retry = None
            counts.dead += 1
        else:
            item.status = RETRY
            delay = retry_after if retry_after is not None else retry.backoff * 2 ** (item.attempts - 1)
            item.next_retry = self.now + min(delay, max(retry.max_backoff, retry_after or 0))
        self.touch(item)
        self.report.failures.append(str(error))
        self.reporter.failure(error)

    def source_failed(self, source: Source, error: str) -> None:
        self.counts[source.key].error = error
        self.changes.sources[source.key] = (self.now, error)
        self.report.failures.append(f"{source.name}: {error}")
        self.reporter.failure(InputError(error, where=source.name))

    # --- prepare: listings, settling, feeds ------------------------------------------------------------------

    def prepare(self, work_ahead: Callable[[], object] | None = None) -> None:
        """List, settle, fetch. ``work_ahead`` is called (once or more) before waiting for new files to settle or
        fetching pages: there is likely something to extract (the runner loads the pipeline meanwhile)."""
        self._work_ahead = work_ahead
        waiting: list[tuple[Source, dict[str, scan.Stat], dict[str, FileRow]]] = []
        for source in self.job.sources:
            if source.kind == "feed":
                self._prepare_feed(source)
            else:
                found = self._prepare_files(source)
                if found is not None:
                    waiting.append(found)
        wait = max((s.settle for s, candidates, _ in waiting if candidates), default=0.0)
        if wait > 0 and work_ahead is not None:
            work_ahead()
        for index, (source, candidates, known) in enumerate(waiting):
            stable, moving = scan.settle(source.path, candidates, wait if index == 0 else 0.0)
            for rel, stat in moving.items():
                self._pending_file(source, rel, stat, known.get(rel))
            self._reads[source.key] = sorted([*self._reads.get(source.key, ()), *stable])

    def _prepare_files(self, source: Source) -> tuple[Source, dict[str, scan.Stat], dict[str, FileRow]] | None:
        extensions = (".jsonl",) if source.kind == "jsonl" else None
        listing = scan.list_files(source.path, extensions)
        for error in listing.errors:
            self.source_failed(source, str(error))
        known = self.state.files(source.key)
        candidates: dict[str, scan.Stat] = {}
        reads: list[str] = []
        counts = self.counts[source.key]
        for rel, stat in listing.files.items():
            row = known.get(rel)
            if row is not None and (row.size, row.mtime_ns) == stat:
                if row.status in ("read", "retry") and row.digest == self.digest:
                    keys = self.by_file.get((source.key, rel), ())
                    due = [k for k in keys if self.items[k].status == RETRY and (self.items[k].next_retry or 0) <= self.now]
                    if row.status == "read" or not due:
                        counts.unchanged += sum(1 for k in keys if self.items[k].status in (OK, DUPLICATE))
                        counts.waiting += sum(1 for k in keys if self.items[k].status == RETRY)
                        continue
                reads.append(rel)  # unchanged since the last scan: settled (or only the digest changed)
            else:
                candidates[rel] = stat
        self._reads[source.key] = reads
        if source.kind == "folder" and listing.complete:
            for rel in known.keys() - listing.files.keys():
                for key in self.by_file.pop((source.key, rel), ()):
                    if self.items[key].status != GONE:
                        self.gone(self.items[key])
                self.changes.files_gone.append((source.key, rel))
        if source.kind == "jsonl":
            self._stored(source, present=set(listing.files))
        if not listing.errors:
            self.changes.sources[source.key] = (self.now, None)
        return source, candidates, known

    def _pending_file(self, source: Source, rel: str, stat: scan.Stat, row: FileRow | None) -> None:
        """A file whose size or mtime moved between the two scans: still being written, read in a later pass."""
        self.changes.files[(source.key, rel)] = FileRow(source.key, rel, stat[0], stat[1], None, "pending", self.now)
        self.counts[source.key].pending += 1
        message = f"{source.name}: {rel} is still being written; it will be read once it stops changing"
        self.report.notes.append(message)
        self.reporter.note(message)

    def _stored(self, source: Source, present: set[str] | None = None) -> None:
        """Documents kept in the state (feeds, drops) to ingest again: under a new digest, or released duplicates."""
        for item in list(self.items.values()):
            if item.source != source.key or item.document is None or item.status not in (OK, DUPLICATE, PENDING):
                continue
            if item.status != PENDING and item.digest == self.digest:
                continue
            if present is not None and item.file in present:
                continue  # its drop file is read again in this pass
            doc = Document(**json.loads(item.document))
            self._candidates.append(_Candidate(source, item.locator, doc, item.file, item.url, item.stamp, True))

    def _prepare_feed(self, source: Source) -> None:
        from kg.sync.fetch import FetchError

        assert self.fetcher is not None
        self._stored(source)
        counts = self.counts[source.key]
        url = source.location
        etag, modified = self.state.feed(url)
        entries: list[FeedEntry] = []
        try:
            fetched = self.fetcher.feed(url, etag, modified)
        except FetchError as exc:
            self.changes.feeds.append((url, etag, modified, self.now, exc.status, str(exc)))
            self.source_failed(source, f"feed {url}: {exc}")
        else:
            parsed = parse_feed(fetched.content, url) if fetched.status == 200 else []
            if isinstance(parsed, InputError):
                self.changes.feeds.append((url, etag, modified, self.now, fetched.status, str(parsed)))
                self.source_failed(source, str(parsed))  # its ETag is not kept: parsed again next time
            else:
                entries = parsed
                self.changes.feeds.append((url, fetched.etag or etag, fetched.last_modified or modified, self.now,
                                           fetched.status, None))
                if source.key not in self.changes.sources:
                    self.changes.sources[source.key] = (self.now, None)
        listed: set[str] = set()
        due: list[tuple[FeedEntry, Item | None]] = []
        for entry in entries:
            listed.add(entry.id)
            item = self.items.get((source.key, entry.id))
            if item is not None and item.stamp == entry.updated and item.status in (OK, DUPLICATE, DEAD, GONE):
                counts.unchanged += item.status in (OK, DUPLICATE)
                continue
            if item is not None and item.status == RETRY and (item.next_retry or 0) > self.now:
                counts.waiting += 1
                continue
            due.append((entry, item))
        for item in list(self.items.values()):  # due for retry, whether or not still in the feed
            if item.source == source.key and item.status == RETRY and item.locator not in listed:
                if (item.next_retry or 0) > self.now:
                    counts.waiting += 1
                    continue
                entry = FeedEntry(id=item.locator, link=item.url, updated=item.stamp)
                due.append((entry, item))
        pages = self._fetch_pages([entry.link for entry, _ in due] if source.content == "page" else [])
        for entry, item in due:
            self._fetch_entry(source, entry, item, pages.get(entry.link or ""))

    def _fetch_pages(self, links: list[str | None]) -> dict[str, Fetched | Exception]:
        """Pages fetched PAGE_THREADS at a time (one slow site does not hold up the others); errors as values."""
        from concurrent.futures import ThreadPoolExecutor

        fetcher = self.fetcher
        assert fetcher is not None
        wanted = sorted({link for link in links if link})

        def get(link: str) -> Fetched | Exception:
            try:
                return fetcher.page(link)
            except Exception as exc:  # noqa: BLE001 - handed back to the main thread, which reports it
                return exc

        if not wanted:
            return {}
        if self._work_ahead is not None:
            self._work_ahead()
        with ThreadPoolExecutor(max_workers=min(PAGE_THREADS, len(wanted)), thread_name_prefix="kg-sync-fetch") as pool:
            return dict(zip(wanted, pool.map(get, wanted), strict=True))

    def _fetch_entry(self, source: Source, entry: FeedEntry, item: Item | None,
                     page: Fetched | Exception | None) -> None:
        from kg.sync.fetch import FetchError

        item = item if item is not None else self.item(source, entry.id)
        item.url, item.stamp = entry.link, entry.updated
        meta = {"title": entry.title, "published": entry.published, "url": entry.link}
        if source.content == "entry":
            from kg.sources.common import make_document
            from kg.sources.feed import html_to_text

            text = html_to_text(entry.content or "")
            where = entry.link or entry.id
            doc: Document | InputError = (
                make_document(text, {k: v for k, v in {**meta, "id": entry.id}.items() if v}, where=where,
                              meta_where=lambda _: where, default_id=entry.id, source=where)
                if text.strip() else InputError("the entry carries no text", where=where))
        elif not entry.link:
            doc = InputError("the entry has no link to fetch", where=entry.id)
        elif isinstance(page, FetchError):
            self.fail(item, InputError(str(page), where=entry.link), transient=page.transient,
                      retry_after=page.retry_after)
            return
        elif isinstance(page, Exception) or page is None:
            raise page if page is not None else RuntimeError(f"{entry.link} was not fetched")
        else:
            doc = page_document(page.content, where=entry.link, doc_id=entry.id, charset=page.charset, meta=meta)
        if isinstance(doc, InputError):
            self.fail(item, doc, transient=False)
            return
        self._candidates.append(_Candidate(source, entry.id, doc, url=entry.link, stamp=entry.updated, store=True))

    # --- the stream of documents to extract -------------------------------------------------------------------

    def documents(self) -> Iterator[Document]:
        """Documents to extract, in source order (see the module docstring). Appends each to ``queue``."""
        for candidate in self._candidates:
            yield from self._consider(candidate)
        for source in self.job.sources:
            for rel in self._reads.get(source.key, ()):
                yield from self._read(source, rel)

    def _read(self, source: Source, rel: str) -> Iterator[Document]:
        path = scan.file_path(source.path, rel)
        try:
            st = path.stat()
        except OSError:
            return  # gone since the listing: the next pass retracts it
        kind = KINDS.get(path.suffix.lower(), "")
        graves = scan.tombstones(path) if kind == "jsonl" else {}
        before = set(self.by_file.get((source.key, rel), ()))
        seen: set[tuple[str, str]] = set()
        for found in scan.read_file(source.path, rel, self.max_bytes):
            if isinstance(found, InputError):
                where = found.where or str(path)
                if where in graves:
                    self._tombstone(source, graves[where])
                    continue
                # a line of a JSONL/feed file is its own item; any error of a one-document file is the file's
                locator = rel + where[len(str(path)):] if kind in MULTI and where.startswith(str(path)) else rel
                item = self.item(source, locator)
                item.file = rel
                seen.add(item.key)
                self.fail(item, found, transient=False)
                continue
            if source.kind == "jsonl":
                locator = found.id
            elif kind in MULTI:
                locator = f"{rel}#{found.id}"
            else:
                locator = rel
            seen.add((source.key, locator))
            yield from self._consider(_Candidate(source, locator, found, file=rel, url=found.url,
                                                 store=source.kind == "jsonl"))
        self.changes.files[(source.key, rel)] = FileRow(source.key, rel, st.st_size, st.st_mtime_ns, self.digest,
                                                        "read", self.now)
        self.by_file[(source.key, rel)] = sorted(before | seen)
        for key in before - seen:
            old = self.items[key]
            if old.status == GONE:
                continue
            if source.kind == "folder":  # the file is the complete listing of its documents
                self.gone(old)
            elif old.doc_id is None and old.status == DEAD:
                self.gone(old)  # a drop's bad line that is no longer there: not a dead letter any more

    def _tombstone(self, source: Source, grave: scan.Tombstone) -> None:
        hits = [i for i in self.items.values()
                if i.source == source.key and i.status != GONE and grave.doc_id in (i.own_id, i.doc_id, i.locator)]
        if not hits:
            message = f"{grave.where}: tombstone for '{grave.doc_id}', which this source never supplied"
            self.report.notes.append(message)
            self.reporter.note(message)
        for item in hits:
            self.gone(item)

    def _consider(self, c: _Candidate) -> Iterator[Document]:
        doc = c.doc
        item = self.item(c.source, c.locator)
        item.file = c.file if c.file is not None else item.file
        item.url = c.url if c.url is not None else item.url
        item.stamp = c.stamp if c.stamp is not None else item.stamp
        if c.store:
            item.document = json.dumps(asdict(doc), ensure_ascii=False)
        counts = self.counts[c.source.key]
        print_ = fingerprint(doc)
        if item.status in (OK, DUPLICATE) and item.fingerprint == print_ and item.digest == self.digest:
            counts.unchanged += 1
            return
        before = replace(item)
        owner = self.by_sha.get(doc.sha256)
        if owner is not None and owner != doc.id and self.by_id.get(owner) != item.key:
            if item.doc_id != owner:
                self.release(item)
            item.doc_id, item.own_id, item.status = owner, doc.id, DUPLICATE
            item.sha256, item.fingerprint, item.digest = doc.sha256, print_, self.digest
            item.attempts, item.next_retry, item.last_error = 0, None, None
            self.touch(item)
            counts.duplicates += 1
            message = f"{c.source.name}: {c.locator} has the same text as document '{owner}': recorded as its source"
            self.report.notes.append(message)
            self.reporter.note(message)
            return
        holder = self.by_id.get(doc.id)
        if holder is not None and holder != item.key:
            other = self.items[holder]
            self.fail(item, InputError(f"duplicate document id '{doc.id}' (already used by {other.locator})",
                                       where=doc.source or c.locator,
                                       hint="give each document its own `id` or rename one of the files"),
                      transient=False)
            return
        change = "new" if item.doc_id is None and item.status != OK else "changed"
        if item.doc_id is not None and item.doc_id != doc.id:
            self.release(item)  # renamed (front matter id), or no longer a duplicate
        elif item.doc_id is not None:
            self._unsupply(item)
        self._release_aliases(item, doc)
        self.released.pop(doc.id, None)
        item.doc_id, item.own_id, item.status = doc.id, doc.id, OK
        item.sha256, item.fingerprint, item.digest = doc.sha256, print_, self.digest
        item.attempts, item.next_retry, item.last_error = 0, None, None
        self._supply(item)
        self.touch(item)
        self.queue.append(Work(item, doc, before, change))
        yield doc

    def _release_aliases(self, owner: Item, doc: Document) -> None:
        """An owner's text changed: its duplicates are re-read in the next pass as documents of their own."""
        if owner.doc_id is None or owner.sha256 == doc.sha256:
            return
        for alias in self.items.values():
            if alias.status == DUPLICATE and alias.doc_id == owner.doc_id and alias.key != owner.key:
                alias.status, alias.fingerprint = PENDING, None
                if alias.file is not None:
                    self.changes.files_gone.append((alias.source, alias.file))  # re-read it
                self.touch(alias)

    def extracted(self, work: Work) -> None:
        counts = self.counts[work.item.source]
        if work.change == "new":
            counts.new += 1
        else:
            counts.changed += 1

    def extraction_failed(self, work: Work, error: InputError) -> None:
        item = work.item
        self._unsupply(item)
        for name in ("doc_id", "own_id", "sha256", "fingerprint", "digest", "status", "attempts"):
            setattr(item, name, getattr(work.before, name))
        if item.doc_id is not None and item.status == OK:
            self._supply(item)
        self.fail(item, error, transient=True)

    def finish(self) -> None:
        """Files with a document waiting for retry are read again once it is due (not skipped as unchanged)."""
        for item in self.changes.items.values():
            if item.status == RETRY and item.file is not None:
                row = self.changes.files.get((item.source, item.file))
                if row is not None:
                    row.status = "retry"

    def retractions(self) -> dict[str, str]:
        """Released documents that no item supports any more: doc id -> the source that released it."""
        supported = {i.doc_id for i in self.items.values() if i.doc_id is not None and i.status != GONE}
        return {doc_id: source for doc_id, source in self.released.items() if doc_id not in supported}
