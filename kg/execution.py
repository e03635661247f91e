"""Execution: how extraction work is spread over processes, chosen by the run (:func:`executor`).
May import kg.extract, kg.records, kg.settings and kg.errors; the stages themselves never import it.

An executor turns a stream of Documents (and InputErrors, which pass through) into DocRecords in input
order. ``local`` runs in this process with one worker, else on a pool of worker processes, each of which
loads its own pipeline. ``dask-local:N`` and ``dask://HOST:PORT`` run on Dask distributed
(:mod:`kg.execution_dask`, imported only then: it needs the ``dask`` extra).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Protocol

from kg.errors import ConfigError, InputError
from kg.extract import Extractor
from kg.records import DocRecord, Document
from kg.settings import EXECUTOR_FORMS, ExtractSettings, parse_executor

Item = Document | InputError
Result = DocRecord | InputError

# Workers are forked where the platform allows it (spaCy is then imported once, in the parent), else spawned.
_START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
# Documents per task sent to a worker: small tasks keep the workers evenly loaded up to the end of the input.
WORKER_CHUNK = 4


class Executor(Protocol):
    def run(self, items: Iterable[Item], settings: ExtractSettings) -> Iterator[Result]:
        """Extract every Document of ``items`` (InputErrors pass through), in input order."""


class InProcess:
    """Extraction in this process, with an extractor given or built from the settings on first use."""

    def __init__(self, extractor: Extractor | None = None) -> None:
        self.extractor = extractor

    def run(self, items: Iterable[Item], settings: ExtractSettings) -> Iterator[Result]:
        if self.extractor is None:
            self.extractor = Extractor(settings)
        yield from self.extractor.records(items)


class ProcessPool:
    """A pool of ``workers`` processes; documents go out in small tasks and come back in input order.

    Each worker loads its own pipeline (a forked copy of a pipeline the parent has already run was found to
    run much slower).
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(self, items: Iterable[Item], settings: ExtractSettings) -> Iterator[Result]:
        context = multiprocessing.get_context(_START_METHOD)
        with context.Pool(self.workers, initializer=_init_worker, initargs=(settings,)) as pool:
            chunks = _chunks(items, max(1, min(settings.spacy_batch_size, WORKER_CHUNK)))
            for result in pool.imap(_work, chunks):
                yield from result


def executor(settings: ExtractSettings, extractor: Extractor | None = None) -> Executor:
    """The executor the settings name (``settings.executor``): ``local`` is in-process with one worker and a
    process pool with more (``settings.workers``); ``dask-local:N`` a Dask LocalCluster of N processes;
    ``dask://HOST:PORT`` the Dask scheduler there. ``extractor`` is used only in-process."""
    try:
        spec = parse_executor(settings.executor)
    except ValueError:
        raise ConfigError(f"unknown executor '{settings.executor}'", hint=f"use {EXECUTOR_FORMS}") from None
    if spec.kind == "local":
        return InProcess(extractor) if settings.workers <= 1 else ProcessPool(settings.workers)
    try:
        from kg.execution_dask import DaskExecutor
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in {"dask", "distributed"}:
            raise
        raise ConfigError(f"executor '{settings.executor}' needs Dask distributed, which is not installed",
                          hint="pip install 'kg[dask]'") from None
    return DaskExecutor(spec)


_WORKER: Extractor | None = None


def _init_worker(settings: ExtractSettings) -> None:
    global _WORKER
    _WORKER = Extractor(settings)


def _work(chunk: Sequence[Item]) -> list[Result]:
    assert _WORKER is not None
    return list(_WORKER.records(chunk))


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
