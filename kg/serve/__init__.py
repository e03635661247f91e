"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the RDF files kg writes.
May import kg.query, kg.ontology, kg.errors; never the extraction or loading stages.

One long-lived pyoxigraph store (:mod:`kg.serve.live`) is loaded from the files and swapped for a new one when
they change; queries run on worker threads under a time limit and a row cap (:mod:`kg.serve.limits`); the
routes, content negotiation and status codes are in :mod:`kg.serve.app`; the result formats in
:mod:`kg.serve.results`. Starlette for routing and request handling, uvicorn (h11) for HTTP: no HTTP is parsed
here. The query semantics are ``kg query``'s (:func:`kg.query.run_query`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.serve.limits import Limits

if TYPE_CHECKING:
    from kg.serve.live import LiveStore

__all__ = ["Limits", "serve"]


def serve(paths: Sequence[Path | str], *, host: str = "127.0.0.1", port: int = 7878, limits: Limits | None = None,
          with_ontology: bool = True, poll: float = 1.0, log_level: str = "info",
          on_ready: Callable[[LiveStore], None] | None = None) -> None:
    """Load the files and serve them until interrupted (Ctrl-C / SIGTERM stop uvicorn cleanly)."""
    import uvicorn

    from kg.serve.app import build_app
    from kg.serve.live import LiveStore

    limits = limits or Limits()
    live = LiveStore(paths, with_ontology=with_ontology, poll=poll)
    if on_ready is not None:
        on_ready(live)
    app = build_app(live, limits)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug",
                            lifespan="on", server_header=False,
                            h11_max_incomplete_event_size=max(16 * 1024, limits.max_request_bytes + 8192))
    uvicorn.Server(config).run()
