"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the RDF files kg writes.
May import kg.query, kg.ontology, kg.errors; never the extraction or loading stages.

One long-lived pyoxigraph store (:mod:`kg.serve.live`) is loaded from the files and swapped for a new one when
they change; queries run on worker threads under a time limit and a row cap (:mod:`kg.serve.limits`); the
routes, content negotiation and status codes are in :mod:`kg.serve.app`; the result formats in
:mod:`kg.serve.results`. Starlette for routing and request handling, uvicorn (h11) for HTTP: no HTTP is parsed
here. The query semantics are ``kg query``'s (:func:`kg.query.run_query`).

:func:`supervise` (what ``kg serve`` runs) keeps the server in a child process and starts a new one when it
dies of a signal: pyoxigraph is built to abort the process on a Rust panic, and some queries trigger one (an
ORDER BY over terms its sort cannot order totally, in 0.5.13), so one query could otherwise take the endpoint
down. Requests in flight in the dead process are lost; the new one loads the files afresh.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.serve.limits import Limits

if TYPE_CHECKING:
    from kg.serve.live import LiveStore

__all__ = ["Limits", "serve", "supervise"]

log = logging.getLogger("kg.serve")
MAX_CRASHES = 5  # in CRASH_WINDOW seconds: then give up rather than restart forever
CRASH_WINDOW = 60.0


def serve(paths: Sequence[Path | str], *, host: str = "127.0.0.1", port: int = 7878, limits: Limits | None = None,
          with_ontology: bool = True, poll: float = 1.0, log_level: str = "info",
          on_ready: Callable[[LiveStore], None] | None = None, restarts: int = 0) -> None:
    """Load the files and serve them in this process until interrupted (Ctrl-C / SIGTERM stop uvicorn cleanly)."""
    import uvicorn

    from kg.serve.app import build_app
    from kg.serve.live import LiveStore

    limits = limits or Limits()
    live = LiveStore(paths, with_ontology=with_ontology, poll=poll)
    if on_ready is not None:
        on_ready(live)
    app = build_app(live, limits)
    app.state.endpoint.restarts = restarts
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug",
                            lifespan="on", server_header=False,
                            h11_max_incomplete_event_size=max(16 * 1024, limits.max_request_bytes + 8192))
    uvicorn.Server(config).run()


def _child(options: dict[str, Any], restarts: int) -> None:
    """The server process: errors kg raises on purpose end it with their exit code and one line on stderr."""
    from kg.errors import KgError

    announce = options.pop("announce", False)

    def ready(live: LiveStore) -> None:
        if announce:
            health = live.health()
            host = options["host"]
            shown = "localhost" if host in ("127.0.0.1", "::1") else host
            print(f"serving {health['quads']} quads ({health['documents']} documents) from "
                  f"{', '.join(map(str, options['paths']))} at http://{shown}:{options['port']}/sparql",
                  file=sys.stderr, flush=True)

    try:
        serve(on_ready=ready, restarts=restarts, **options)
    except KgError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(exc.exit_code)


def supervise(paths: Sequence[Path | str], **options: Any) -> int:
    """Run :func:`serve` in a child process, start a new one when it dies of a signal; returns the exit code.

    SIGTERM and Ctrl-C stop the child cleanly and then the supervisor. A child that exits with a code (a bad
    file: 1, a bad option: 2) is not restarted: its code is returned.
    """
    context = multiprocessing.get_context("spawn")
    crashes: list[float] = []
    stopping = False
    child: Any = None

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.is_alive():
            child.terminate()  # SIGTERM: uvicorn finishes what it is answering and exits

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        restarts = 0
        first = True
        while True:
            child = context.Process(target=_child, args=({"paths": list(paths), "announce": first, **options},
                                                         restarts), name="kg-serve")
            child.start()
            try:
                child.join()
            except KeyboardInterrupt:  # Ctrl-C reached the child too; let it finish
                stopping = True
                child.join()
            code = child.exitcode
            if stopping or code is None or code >= 0 and code != 134:
                return 0 if stopping else int(code or 0)
            now = time.monotonic()
            crashes = [t for t in crashes if now - t < CRASH_WINDOW] + [now]
            reason = f"signal {-code}" if code < 0 else f"exit code {code}"
            if len(crashes) > MAX_CRASHES:
                print(f"error: the server process died {len(crashes)} times in {CRASH_WINDOW:g} s ({reason}); "
                      "giving up", file=sys.stderr, flush=True)
                return 1
            print(f"warning: the server process died ({reason}: a query crashed the query engine); "
                  "restarting it", file=sys.stderr, flush=True)
            restarts += 1
            first = False
            time.sleep(min(0.2 * 2 ** (len(crashes) - 1), 5.0))
    finally:
        signal.signal(signal.SIGTERM, previous)
