"""Running one query under the server's limits: a time limit, a row cap, and a fixed number of query threads.

What pyoxigraph can and cannot interrupt: it has no timeout or cancellation API. A query runs in Rust (with the
GIL released, so the event loop keeps answering other requests). SELECT and CONSTRUCT solutions are produced
lazily, one per ``next()``: between two rows Python gets control back, checks the deadline and the row cap, and
stops iterating (which drops the rest of the evaluation). But one ``next()`` (or, for ASK and for operators that
need all their input first - ORDER BY, GROUP BY and aggregates, DISTINCT over large inputs - the ``query()``
call itself) cannot be interrupted from Python: it returns when Rust is done.

So the time limit is enforced on the *response*: at the deadline the client gets ``503`` with a message while
the evaluation, if it is inside such an uninterruptible step, goes on in its worker thread and is dropped at its
next row. Worker threads are a fixed pool (``workers``); a request waits for a free one until its own deadline,
then gets ``503`` as well, so runaway queries cannot pile up more than ``workers`` threads (or CPU cores' worth
of work) however many clients retry them. The threads are daemon threads, started per query: a runaway one
never holds up the server's exit.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.query import run_query
from kg.serve.results import Term


class QueryTimeout(Exception):
    """The time limit passed before the answer was complete."""


class ServerBusy(Exception):
    """No query thread became free before the request's deadline."""


@dataclass
class Outcome:
    """A finished query: solutions, a boolean or triples, at most ``max_rows`` of them."""

    kind: str  # "solutions" | "boolean" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool = False
    truncated: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0  # seconds from the request's arrival to the end of evaluation
    max_rows: int = 10_000  # solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) returned at most
    workers: int = 4  # query threads
    max_request_bytes: int = 1_000_000  # request body, and query string


class QueryRunner:
    """Runs queries on worker threads under :class:`Limits` (see the module docstring)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._slots: asyncio.Semaphore | None = None
        self.running = 0

    async def run(self, store: ox.Store, query: str, default_graphs: Sequence[str] = (),
                  named_graphs: Sequence[str] | None = None) -> Outcome:
        """Evaluate on a worker thread; QueryTimeout / ServerBusy past the deadline; QuerySyntaxError as raised."""
        loop = asyncio.get_running_loop()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limits.workers)
        slots = self._slots
        started = time.monotonic()
        deadline = started + self.limits.timeout
        try:
            await asyncio.wait_for(slots.acquire(), timeout=self.limits.timeout)
        except TimeoutError:
            raise ServerBusy(f"all {self.limits.workers} query threads stayed busy for "
                             f"{self.limits.timeout:g} s") from None
        self.running += 1
        future: asyncio.Future[Outcome] = loop.create_future()

        def work() -> None:
            try:
                outcome = evaluate(store, query, default_graphs, named_graphs, deadline, self.limits.max_rows)
                _call(loop, _settle, future, outcome, None)
            except BaseException as exc:  # handed to the request (or dropped, if it has given up)
                _call(loop, _settle, future, None, exc)
            finally:
                _call(loop, self._release, slots)

        threading.Thread(target=work, name="kg-query", daemon=True).start()
        try:
            outcome = await asyncio.wait_for(asyncio.shield(future), timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise QueryTimeout(f"query time limit of {self.limits.timeout:g} s exceeded") from None
        outcome.seconds = time.monotonic() - started
        return outcome

    def _release(self, slots: asyncio.Semaphore) -> None:
        self.running -= 1
        slots.release()


def _call(loop: asyncio.AbstractEventLoop, func: object, *args: object) -> None:
    try:
        loop.call_soon_threadsafe(func, *args)  # type: ignore[arg-type]
    except RuntimeError:  # the loop has closed (server shut down): nobody is waiting any more
        pass


def _settle(future: asyncio.Future[Outcome], outcome: Outcome | None, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        assert outcome is not None
        future.set_result(outcome)
    if future.done() and exc is not None:
        future.add_done_callback(lambda f: f.exception())


def evaluate(store: ox.Store, query: str, default_graphs: Sequence[str], named_graphs: Sequence[str] | None,
             deadline: float, max_rows: int) -> Outcome:
    """Run the query and collect at most ``max_rows`` results, checking the deadline between rows."""
    result = run_query(store, query, default_graphs=default_graphs, named_graphs=named_graphs)
    if time.monotonic() > deadline:
        raise QueryTimeout("deadline passed during evaluation")
    if isinstance(result, ox.QueryBoolean):
        return Outcome("boolean", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        outcome = Outcome("solutions", variables=[v.value for v in result.variables])
        for solution in result:
            if len(outcome.rows) >= max_rows:
                outcome.truncated = True
                break
            outcome.rows.append(tuple(solution))
            if time.monotonic() > deadline:
                raise QueryTimeout("deadline passed while reading results")
        return outcome
    outcome = Outcome("graph")
    for triple in result:
        if len(outcome.triples) >= max_rows:
            outcome.truncated = True
            break
        outcome.triples.append(triple)
        if time.monotonic() > deadline:
            raise QueryTimeout("deadline passed while reading results")
    return outcome
