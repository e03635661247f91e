"""The store a long-lived server queries, reloaded when its files change.

:class:`LiveStore` holds one immutable :class:`Snapshot` (a pyoxigraph store loaded from the files, plus what
was loaded and when). A watcher thread looks at the files' ``stat`` every ``poll`` seconds; when it changes (a
``kg ingest`` or ``kg sync`` renamed a new version into place), it loads a *new* store from the files and swaps
the reference. A query takes the snapshot once and runs on it to the end, so queries in flight finish on the old
store, which is freed when the last of them lets go of it. The old and the new store are both in memory while
the new one loads.

A load that fails (the file is missing or does not parse) keeps the old snapshot; ``/health`` reports the error
until a later version loads. If the file changes while it is being read (a writer that does not rename into
place), the loaded store is thrown away and the file is read again at the next poll.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.query import load_store

log = logging.getLogger("kg.serve")

Stamp = tuple[int, int, int, int]  # (device, inode, size, mtime in ns): a renamed-in file changes its inode


def stamp(path: Path) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Snapshot:
    """One loaded version of the files. Never changes once made."""

    store: ox.Store
    stamps: tuple[Stamp | None, ...]
    generation: int
    loaded_at: str
    load_seconds: float
    quads: int
    graphs: int
    documents: int


@dataclass
class _State:
    checks: int = 0
    reloads: int = 0
    last_error: str | None = None
    failed_stamps: tuple[Stamp | None, ...] | None = None
    last_check: str | None = None


class LiveStore:
    """The current snapshot of ``paths``, swapped for a new one when the files change (see the module docstring)."""

    def __init__(self, paths: Sequence[Path | str], *, with_ontology: bool = True, poll: float = 1.0) -> None:
        self.paths = [Path(p) for p in paths]
        self.with_ontology = with_ontology
        self.poll = poll
        self._state = _State()
        self._lock = threading.Lock()  # one load at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snapshot = self._load(generation=1)  # errors here are the caller's: nothing to serve yet

    # ------------------------------------------------------------ reading

    def current(self) -> Snapshot:
        """The snapshot to run one query on (hold on to it for the whole query)."""
        return self._snapshot

    def health(self) -> dict[str, Any]:
        snap = self._snapshot
        state = self._state
        files = []
        for path, loaded in zip(self.paths, snap.stamps, strict=True):
            now = stamp(path)
            files.append({
                "path": str(path),
                "size": loaded[2] if loaded else None,
                "modified": datetime.fromtimestamp(loaded[3] / 1e9, UTC).isoformat(timespec="milliseconds")
                if loaded else None,
                "changed_since_load": now != loaded,
            })
        return {
            "status": "ok" if state.last_error is None else "stale",
            "generation": snap.generation,
            "loaded_at": snap.loaded_at,
            "load_seconds": round(snap.load_seconds, 3),
            "quads": snap.quads,
            "named_graphs": snap.graphs,
            "documents": snap.documents,
            "files": files,
            "ontology_loaded": self.with_ontology,
            "reloads": state.reloads,
            "last_check": state.last_check,
            "last_error": state.last_error,
            "poll_seconds": self.poll,
        }

    # ------------------------------------------------------------ loading

    def _stamps(self) -> tuple[Stamp | None, ...]:
        return tuple(stamp(p) for p in self.paths)

    def _load(self, generation: int) -> Snapshot:
        before = self._stamps()
        started = time.monotonic()
        store = load_store(self.paths, with_ontology=self.with_ontology)
        seconds = time.monotonic() - started
        documents = store.query("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/kg-news/ont#Document> }",
                                use_default_graph_as_union=True)
        count = next(iter(documents))[0]  # type: ignore[index, arg-type]
        return Snapshot(store=store, stamps=before, generation=generation, loaded_at=_now(), load_seconds=seconds,
                        quads=len(store), graphs=sum(1 for _ in store.named_graphs()), documents=int(count.value))

    def check(self) -> bool:
        """Look at the files once; load and swap in a new snapshot if they changed. True when it swapped."""
        with self._lock:
            self._state.checks += 1
            self._state.last_check = _now()
            current = self._stamps()
            if current == self._snapshot.stamps or current == self._state.failed_stamps:
                return False
            if any(s is None for s in current):
                missing = [str(p) for p, s in zip(self.paths, current, strict=True) if s is None]
                self._fail(current, f"{', '.join(missing)}: no such file (still serving the version loaded at "
                                    f"{self._snapshot.loaded_at})")
                return False
            try:
                fresh = self._load(self._snapshot.generation + 1)
            except KgError as exc:
                if self._stamps() != current:  # rewritten while we read it: try again at the next poll
                    return False
                self._fail(current, f"{exc} (still serving the version loaded at {self._snapshot.loaded_at})")
                return False
            if self._stamps() != fresh.stamps:  # changed while loading: what we read may be half a file
                return False
            self._snapshot = fresh  # one reference assignment: queries already running keep the old store
            self._state.reloads += 1
            self._state.last_error = None
            self._state.failed_stamps = None
            log.info("reloaded %s: generation %d, %d quads in %.2f s", ", ".join(map(str, self.paths)),
                     fresh.generation, fresh.quads, fresh.load_seconds)
            return True

    def _fail(self, stamps: tuple[Stamp | None, ...], message: str) -> None:
        self._state.last_error = message
        self._state.failed_stamps = stamps
        log.error("reload failed: %s", message)

    # ------------------------------------------------------------ watching

    def start(self) -> None:
        """Start the watcher thread (a daemon: it never keeps the process alive)."""
        if self._thread is None and self.poll > 0:
            self._thread = threading.Thread(target=self._watch, name="kg-serve-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.check()
            except Exception as exc:  # never let the watcher die: report and go on
                self._state.last_error = f"reload failed: {exc}"
                log.exception("reload failed")
