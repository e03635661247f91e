"""Extraction on Dask distributed: a ``LocalCluster`` (``dask-local:N``) or an existing scheduler
(``dask://HOST:PORT``), behind :func:`kg.execution.executor`. Needs the ``dask`` extra (``pip install 'kg[dask]'``).
May import what kg.execution may (kg.extract, kg.records, kg.settings, kg.errors), plus kg.resources.

How a run goes:

- The client checks the run's lexicon and gazetteer files (one ``file:line`` error, as in-process) and takes a
  :class:`Fingerprint` of what extraction depends on: kg's extraction code, the spaCy pipeline's files, the
  trigger lexicon and noun classes, and the gazetteer.
- It registers an :class:`ExtractorPlugin` carrying the run's ExtractSettings and the contents of the user's
  lexicon/gazetteer files (so workers need no shared folder). Each worker takes its own fingerprint and refuses
  to set up when it differs (another kg, spaCy or model version), else builds one Extractor, which loads the
  model once per worker process (kept for later runs with the same settings). Workers that join later (a
  restarted one) set up the same way.
- Documents go out in shards of about ``shard_chars`` characters (``kg.yaml`` ``extract.shard_chars``), at
  most two shards per worker thread in flight, read from the sources only as the shards are submitted. Each
  result carries the fingerprint of the worker that made it, compared with the client's.
- Results come back in input order; InputErrors of the sources keep their place, and a document whose
  extraction fails on a worker comes back as the same per-document InputError as in-process.
- A worker that dies (SIGKILL, out of memory) loses its tasks to the scheduler, which runs them again on
  another worker (up to ``distributed.scheduler.allowed-failures`` times, 3 by default); the output is the same.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import dask
from distributed import Client, Future, LocalCluster, WorkerPlugin, get_worker
from distributed.scheduler import KilledWorker

import kg
from kg.errors import ConfigError, InputError, KgError, TargetError
from kg.extract import Extractor
from kg.extract.lexicon import load_gazetteer, load_lexicon
from kg.extract.pipeline import resolve_model_name
from kg.records import DocRecord, Document
from kg.resources import data_path
from kg.settings import ExecutorSpec, ExtractSettings

Item = Document | InputError
Result = DocRecord | InputError

SHARDS_PER_THREAD = 2  # shards in flight per worker thread: one running, one queued behind it
_KG = Path(kg.__file__).resolve().parent
_CODE_FILES = ("records.py", "settings.py", "extract", "execution_dask.py")  # what records and their transport depend on
_SCHEDULER_HINT = "start one with `dask scheduler` (workers: `dask worker HOST:PORT --nthreads 1`), or check --executor"


# ----------------------------------------------------------------------------------------------------------
# What extraction depends on, compared between the client and every worker


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Digests of what a record depends on. Two processes with equal fingerprints extract the same records."""

    code: str  # kg's version, spaCy's version, and the sources of extraction and of this module
    model: str  # the spaCy pipeline's name and the contents of its files
    lexicon: str  # the trigger lexicon in use and the noun classes the rules read (mappings/nouns.yaml)
    gazetteer: str  # the shipped gazetteer and the user's, in order

    def differences(self, other: Fingerprint) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


@dataclass(frozen=True, slots=True)
class RunFiles:
    """The user's lexicon and gazetteer files, shipped to the workers with the plugin."""

    gazetteers: tuple[tuple[str, bytes], ...] = ()  # (file name, contents), in order
    triggers: tuple[str, bytes] | None = None

    @classmethod
    def read(cls, settings: ExtractSettings) -> RunFiles:
        def read(path: str) -> tuple[str, bytes]:
            try:
                return Path(path).name, Path(path).read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read: {exc.strerror}", where=path) from exc

        return cls(tuple(read(p) for p in settings.gazetteers),
                   read(settings.triggers) if settings.triggers else None)

    def materialise(self, settings: ExtractSettings, folder: Path) -> ExtractSettings:
        """Write the files into ``folder`` (named by their digest) and point a copy of the settings at them."""
        def write(index: int, name: str, data: bytes) -> str:
            path = folder / hashlib.sha256(data).hexdigest()[:16] / f"{index}-{name}"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(path.name + f".{os.getpid()}.part")
                partial.write_bytes(data)
                partial.replace(path)
            return str(path)

        gazetteers = tuple(write(i, name, data) for i, (name, data) in enumerate(self.gazetteers))
        triggers = write(0, *self.triggers) if self.triggers else None
        return settings.model_copy(update={"gazetteers": gazetteers, "triggers": triggers})


def fingerprint(model: str, files: RunFiles) -> Fingerprint:
    """This process's fingerprint for a run of ``model`` with ``files`` (the model is located, not loaded)."""
    import spacy

    code = _digest([kg.__version__.encode(), spacy.__version__.encode(),
                    *(data for _, data in _files(*(_KG / name for name in _CODE_FILES)))])
    shipped = data_path("mappings")
    triggers = files.triggers[1] if files.triggers else (shipped / "triggers.yaml").read_bytes()
    gazetteer = _digest([(shipped / "gazetteer.yaml").read_bytes(), *(data for _, data in files.gazetteers)])
    lexicon = _digest([triggers, (shipped / "nouns.yaml").read_bytes()])
    return Fingerprint(code=code, model=_model_digest(model), lexicon=lexicon, gazetteer=gazetteer)


def _model_digest(name: str) -> str:
    resolved = resolve_model_name(name)  # ModelError (exit 2) when it is not installed
    if Path(resolved).exists():
        root = Path(resolved)
    else:
        spec = importlib.util.find_spec(resolved)
        locations = list(spec.submodule_search_locations or ()) if spec else []
        root = Path(locations[0]) if locations else Path(spec.origin if spec and spec.origin else resolved).parent
    # A pipeline package keeps its files in a folder named after it; digest those, by their path inside it,
    # so that the same pipeline installed under another package name has the same digest.
    data = next((p.parent for p in sorted(root.rglob("config.cfg"))), root)
    return _digest([f"{path}\0".encode() + content for path, content in _files(data, relative_to=data)])


def _files(*roots: Path, relative_to: Path | None = None) -> Iterator[tuple[str, bytes]]:
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" in path.parts or path.suffix in {".pyc", ".part"}:
                continue
            shown = path.relative_to(relative_to) if relative_to else path.relative_to(_KG)
            yield shown.as_posix(), path.read_bytes()


def _digest(parts: Iterable[bytes]) -> str:
    total = hashlib.sha256()
    for part in parts:
        total.update(hashlib.sha256(part).digest())
    return total.hexdigest()[:16]


# ----------------------------------------------------------------------------------------------------------
# The worker side


_EXTRACTION_FIELDS = {"model", "gazetteers", "triggers", "spacy_batch_size"}  # what an Extractor is built from
_EXTRACTORS: dict[str, Extractor] = {}  # per worker process: settings -> extractor, kept between runs
_BUILDS = 0  # Extractors built by this process (each loads the model once)
_LOCK = threading.Lock()  # one extraction at a time per worker process, whatever its number of threads


class ExtractorPlugin(WorkerPlugin):  # type: ignore[misc]
    """Builds the run's Extractor on each worker, once, after checking the worker's fingerprint."""

    def __init__(self, name: str, settings: ExtractSettings, files: RunFiles, expected: Fingerprint) -> None:
        self.name = name
        self.settings = settings
        self.files = files
        self.expected = expected
        self.extractor: Extractor | None = None
        self.fingerprint: Fingerprint | None = None
        self.error: str | None = None

    def setup(self, worker: Any) -> None:
        global _BUILDS
        try:
            settings = self.files.materialise(self.settings, Path(worker.local_directory) / "kg-files")
            self.fingerprint = fingerprint(settings.model, self.files)
            differing = self.fingerprint.differences(self.expected)
            if differing:
                raise ConfigError(
                    f"Dask worker {worker.address} would extract with another {' and '.join(differing)} "
                    f"than this client ({_shown(self.fingerprint, self.expected, differing)})",
                    hint="install the same kg, spaCy and model versions on the client and every worker")
            key = settings.model_dump_json(include=_EXTRACTION_FIELDS)
            with _LOCK:
                if key not in _EXTRACTORS:
                    _EXTRACTORS.clear()  # one pipeline kept per worker (a running plugin keeps its own)
                    _EXTRACTORS[key] = Extractor(settings)
                    _BUILDS += 1
                self.extractor = _EXTRACTORS[key]
        except KgError as exc:
            self.error = str(exc)
            raise
        except Exception as exc:  # noqa: BLE001 - reported to the client as one line
            self.error = f"Dask worker {worker.address} could not build the extractor: {type(exc).__name__}: {exc}"
            raise ConfigError(self.error) from exc


@dataclass(frozen=True, slots=True)
class Failure:
    """A per-document InputError, as data (it crosses the wire whole: message, where and hint)."""

    detail: str
    where: str | None
    hint: str | None

    def error(self) -> InputError:
        return InputError(self.detail, where=self.where, hint=self.hint)


@dataclass(frozen=True, slots=True)
class ShardResult:
    results: list[DocRecord | Failure]
    fingerprint: Fingerprint
    worker: str
    pid: int
    builds: int  # Extractors this worker process has built so far
    seconds: float  # extraction time on the worker
    cpu: float  # CPU seconds of the task's thread


def extract_shard(plugin_name: str, documents: list[Document]) -> ShardResult:
    """The task: extract a shard of documents with the worker's Extractor, in order."""
    worker = get_worker()
    plugin = worker.plugins.get(plugin_name)
    if not isinstance(plugin, ExtractorPlugin) or plugin.extractor is None:
        reason = plugin.error if isinstance(plugin, ExtractorPlugin) and plugin.error else "it has no kg extractor"
        raise ConfigError(f"Dask worker {worker.address} cannot extract: {reason}")
    assert plugin.fingerprint is not None
    start, cpu = time.perf_counter(), time.thread_time()
    with _LOCK:
        results = [Failure(r.detail, r.where, r.hint) if isinstance(r, InputError) else r
                   for r in plugin.extractor.records(documents)]
    return ShardResult(results, plugin.fingerprint, worker.address, os.getpid(), _BUILDS,
                       time.perf_counter() - start, time.thread_time() - cpu)


# ----------------------------------------------------------------------------------------------------------
# The client side


@dataclass(frozen=True, slots=True)
class ShardDone:
    """What the client knows of a finished shard (for tests and benchmarks)."""

    index: int
    key: str
    documents: int
    chars: int
    worker: str
    pid: int
    builds: int
    seconds: float
    cpu: float


@dataclass
class DaskExecutor:
    """Extraction on a Dask cluster: a LocalCluster of ``spec.workers`` processes, or the scheduler at
    ``spec.address``. ``shards`` lists the finished shards of the last run."""

    spec: ExecutorSpec
    shards: list[ShardDone] = field(default_factory=list)

    def run(self, items: Iterable[Item], settings: ExtractSettings) -> Iterator[Result]:
        # Everything the client can check is checked before a cluster is started or reached.
        load_gazetteer(settings.gazetteers)
        load_lexicon(settings.triggers)
        files = RunFiles.read(settings)
        expected = fingerprint(settings.model, files)
        key = settings.model_dump_json(include=_EXTRACTION_FIELDS)
        # One plugin per run (a run ending unregisters only its own); the extractor it builds is shared.
        name = f"kg-extract-{_digest([key.encode(), repr(expected).encode()])}-{uuid.uuid4().hex[:8]}"
        plugin = ExtractorPlugin(name, settings, files, expected)
        self.shards = []
        with ExitStack() as stack:
            stack.enter_context(_quiet_logs())
            client = stack.enter_context(_connect(self.spec, settings))
            _register(client, plugin)
            stack.callback(_unregister, client, name)
            yield from self._stream(client, name, items, settings, expected)

    def _stream(self, client: Client, name: str, items: Iterable[Item], settings: ExtractSettings,
                expected: Fingerprint) -> Iterator[Result]:
        run = uuid.uuid4().hex[:8]
        pending: deque[tuple[int, list[Item], Future | None]] = deque()
        stream = iter(items)
        index = 0
        try:
            while True:
                limit = SHARDS_PER_THREAD * max(1, sum(client.nthreads().values()))
                while len(pending) < limit:
                    slots = _take_shard(stream, settings.shard_chars)
                    if not slots:
                        break
                    documents = [item for item in slots if isinstance(item, Document)]
                    future = client.submit(extract_shard, name, documents, key=f"kg-shard-{run}-{index}",
                                           pure=False) if documents else None
                    pending.append((index, slots, future))
                    index += 1
                if not pending:
                    return
                number, slots, future = pending.popleft()
                results: Iterator[DocRecord | Failure] = iter(())
                if future is not None:
                    results = iter(self._result(number, future, slots, expected))
                for item in slots:
                    if isinstance(item, InputError):
                        yield item
                    else:
                        result = next(results)
                        yield result.error() if isinstance(result, Failure) else result
        finally:
            futures = [f for _, _, f in pending if f is not None]
            if futures:
                with suppress(Exception):
                    client.cancel(futures)

    def _result(self, index: int, future: Future, slots: list[Item], expected: Fingerprint) -> list[DocRecord | Failure]:
        documents = [item for item in slots if isinstance(item, Document)]
        try:
            shard: ShardResult = future.result()
        except KilledWorker as exc:
            raise TargetError(f"Dask workers died every time they extracted the shard of {len(documents)} "
                              f"documents from {_where(documents[0])} to {_where(documents[-1])}: {exc}",
                              hint="look for a document too large for a worker's memory") from None
        except (CancelledError, OSError) as exc:
            raise TargetError(f"lost the Dask scheduler while extracting: {type(exc).__name__}: {exc}",
                              hint=_SCHEDULER_HINT) from None
        differing = shard.fingerprint.differences(expected)
        if differing:
            raise ConfigError(f"Dask worker {shard.worker} extracted with another {' and '.join(differing)} than "
                              f"this client ({_shown(shard.fingerprint, expected, differing)})",
                              hint="install the same kg, spaCy and model versions on the client and every worker")
        if len(shard.results) != len(documents):
            raise TargetError(f"Dask worker {shard.worker} returned {len(shard.results)} results for "
                              f"{len(documents)} documents")
        self.shards.append(ShardDone(index, str(future.key), len(documents), sum(len(d.text) for d in documents),
                                     shard.worker, shard.pid, shard.builds, shard.seconds, shard.cpu))
        return shard.results


def _take_shard(stream: Iterator[Item], chars: int) -> list[Item]:
    """The next items of the stream, up to the first Document that brings the shard to ``chars`` characters."""
    slots: list[Item] = []
    size = 0
    for item in stream:
        slots.append(item)
        if isinstance(item, Document):
            size += len(item.text)
            if size >= chars:
                break
    return slots


@contextmanager
def _connect(spec: ExecutorSpec, settings: ExtractSettings) -> Iterator[Client]:
    if spec.kind == "dask-local":
        # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which makes glibc hand memory back
        # after nearly every document: 5x the page faults and 28% more CPU for spaCy's allocations. Our
        # workers keep glibc's own (adaptive) threshold. No dashboard: a cluster that lives for one run, on a
        # port nobody is told, is not watched (and Bokeh is not installed). The scheduler's HTTP server,
        # which serves its health check, listens on 127.0.0.1 and a free port: ":0" would be every
        # interface. For the same reason no statistical profiler in the workers (it samples their stacks
        # every 10 ms for the dashboard's profile page).
        quiet = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                 "distributed.worker.profile.enabled": False}
        with dask.config.set(quiet), \
                LocalCluster(n_workers=spec.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                             silence_logs=logging.ERROR) as cluster, \
                Client(cluster, set_as_default=False) as client:
            yield client
        return
    assert spec.address is not None
    try:
        client = Client(spec.address, timeout=settings.connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise TargetError(f"Dask scheduler {spec.address} unreachable within {settings.connect_timeout:g} s "
                          f"({type(exc).__name__})", hint=_SCHEDULER_HINT) from None
    with client:
        yield client


def _register(client: Client, plugin: ExtractorPlugin) -> None:
    try:
        client.register_plugin(plugin, name=plugin.name)
    except KgError:
        raise
    except (OSError, TimeoutError) as exc:
        raise TargetError(f"lost the Dask scheduler: {type(exc).__name__}: {exc}", hint=_SCHEDULER_HINT) from None
    except Exception as exc:  # noqa: BLE001 - a worker's setup error, as one line
        raise ConfigError(f"a Dask worker could not set up kg's extractor: {type(exc).__name__}: {exc}") from None


def _unregister(client: Client, name: str) -> None:
    with suppress(Exception):
        client.unregister_worker_plugin(name)


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Dask logs a lot at INFO and WARNING (workers starting, a worker lost); kg reports what matters itself."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _shown(worker: Fingerprint, client: Fingerprint, names: list[str]) -> str:
    return ", ".join(f"{n} digest {getattr(worker, n)} on the worker, {getattr(client, n)} here" for n in names)


def _where(document: Document) -> str:
    return document.source or document.id
