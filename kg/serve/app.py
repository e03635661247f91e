"""The HTTP side of ``kg serve``: SPARQL 1.1 Protocol routes on Starlette, ``/documents/{id}``, ``/health``.

- ``/sparql`` and ``/query`` (the same endpoint): a query by ``GET ?query=``, by ``POST`` of an
  ``application/x-www-form-urlencoded`` form, or by ``POST`` of ``application/sparql-query`` text, with
  optional ``default-graph-uri`` / ``named-graph-uri`` (they replace the union default graph).
- Results by content negotiation (q-values, python-mimeparse): SELECT/ASK as SPARQL JSON (the default), XML,
  CSV, TSV; CONSTRUCT/DESCRIBE as Turtle (the default), N-Triples, JSON-LD, RDF/XML.
- 400 with the parser's message for a query that does not parse (or a missing / repeated ``query``), 406 when
  no offered format is acceptable, 415 for another POST body type, 405 for other methods, 403 for updates
  (``update=`` or ``application/sparql-update``: this server is read-only), 413 for a body over the cap, 414
  for a query string over it, 503 past the time limit or when every query thread stays busy.
- A result over the row cap is cut to the cap and says so in the ``KG-Truncated: true`` and ``KG-Max-Rows``
  headers (SPARQL result formats have no place for it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

import mimeparse
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg.query import PREFIX_MAP, QuerySyntaxError
from kg.serve import results
from kg.serve.limits import Limits, Outcome, QueryRunner, QueryTimeout, ServerBusy
from kg.serve.live import LiveStore

log = logging.getLogger("kg.serve")

KGO_DOC_ID = ox.NamedNode("https://w3id.org/kg-news/ont#docId")
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _error(exc: ProtocolError) -> PlainTextResponse:
    return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)


def negotiate(accept: str | None, offered: Sequence[results.ResultFormat]) -> results.ResultFormat:
    """The offered format the Accept header prefers (q-values, specificity; ties go to the later one)."""
    if not accept or not accept.strip():
        return offered[-1]
    by_type: dict[str, results.ResultFormat] = {}
    for fmt in offered:  # aliases first, so a format's own media type is the more preferred of equals
        for alias in fmt.aliases:
            by_type.setdefault(alias, fmt)
    for fmt in offered:
        by_type.pop(fmt.media_type, None)
        by_type[fmt.media_type] = fmt
    try:
        best = mimeparse.best_match(list(by_type), accept)
    except (ValueError, IndexError):
        raise ProtocolError(400, f"malformed Accept header: {accept!r}") from None
    if not best:
        names = ", ".join(f.media_type for f in reversed(offered))
        raise ProtocolError(406, f"none of the accepted types ({accept}) can be produced; offered: {names}")
    return by_type[best]


def _media_type(header: str | None) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    try:
        kind, sub, params = mimeparse.parse_mime_type(header)
    except (ValueError, IndexError):
        return header.strip().lower(), {}
    return f"{kind}/{sub}".lower(), {k.lower(): v for k, v in params.items()}


def _decode(body: bytes, params: dict[str, str]) -> str:
    charset = params.get("charset", "utf-8")
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        raise ProtocolError(400, f"request body is not valid {charset}") from None


class Endpoint:
    """The routes, bound to one live store, one query runner and the limits."""

    def __init__(self, live: LiveStore, limits: Limits) -> None:
        self.live = live
        self.limits = limits
        self.runner = QueryRunner(limits)
        self.served = 0
        self.restarts = 0  # how many times the supervisor started a new server process after a crash

    # ------------------------------------------------------------ /sparql

    async def sparql(self, request: Request) -> Response:
        try:
            query, default_graphs, named_graphs = await self._parse(request)
            snapshot = self.live.current()
            try:
                outcome = await self.runner.run(snapshot.store, query, default_graphs, named_graphs)
            except QuerySyntaxError as exc:
                raise ProtocolError(400, f"SPARQL syntax error: {exc.detail}") from None
            except QueryTimeout as exc:
                raise ProtocolError(503, str(exc), {"Retry-After": "5"}) from None
            except ServerBusy as exc:
                raise ProtocolError(503, str(exc), {"Retry-After": "5"}) from None
            response = self._render(outcome, request.headers.get("accept"))
            response.headers["KG-Generation"] = str(snapshot.generation)
            self.served += 1
            return response
        except ProtocolError as exc:
            return _error(exc)

    async def _parse(self, request: Request) -> tuple[str, list[str], list[str] | None]:
        method = request.method
        if method not in ("GET", "HEAD", "POST"):
            raise ProtocolError(405, f"{method} is not allowed here: query with GET or POST",
                                {"Allow": "GET, HEAD, POST"})
        if len(request.url.query) > self.limits.max_request_bytes:
            raise ProtocolError(414, f"query string over {self.limits.max_request_bytes} bytes")
        params = request.query_params
        if method in ("GET", "HEAD"):
            if "update" in params:
                raise ProtocolError(403, "updates are refused: this endpoint is read-only")
            return _one_query(params.getlist("query")), params.getlist("default-graph-uri"), \
                params.getlist("named-graph-uri") or None
        kind, type_params = _media_type(request.headers.get("content-type"))
        if kind == _UPDATE:
            raise ProtocolError(403, "updates are refused: this endpoint is read-only")
        body = await request.body()  # Starlette's max_body_size has already capped it (413)
        if kind == _FORM:
            form = parse_qs(_decode(body, type_params), keep_blank_values=True, max_num_fields=1000)
            if "update" in form:
                raise ProtocolError(403, "updates are refused: this endpoint is read-only")
            return _one_query(form.get("query", [])), form.get("default-graph-uri", []), \
                form.get("named-graph-uri") or None
        if kind == _QUERY:
            return _decode(body, type_params), params.getlist("default-graph-uri"), \
                params.getlist("named-graph-uri") or None
        raise ProtocolError(415, f"cannot take a POST body of type {kind or '(none)'!r}: send {_QUERY} "
                                 f"or {_FORM}")

    def _render(self, outcome: Outcome, accept: str | None) -> Response:
        headers = {"Vary": "Accept"}
        if outcome.truncated:
            headers["KG-Truncated"] = "true"
            headers["KG-Max-Rows"] = str(self.limits.max_rows)
        if outcome.kind == "graph":
            fmt = negotiate(accept, results.GRAPH_FORMATS)
            body = results.serialize_graph(outcome.triples, fmt, PREFIX_MAP)
        else:
            fmt = negotiate(accept, results.SOLUTION_FORMATS)
            body = results.serialize_boolean(outcome.boolean, fmt) if outcome.kind == "boolean" else \
                results.serialize_solutions(outcome.variables, outcome.rows, fmt)
        return Response(body, media_type=f"{fmt.media_type}; charset=utf-8", headers=headers)

    # ------------------------------------------------------------ /documents/{id}, /health, /update

    async def document(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        try:
            fmt = negotiate(request.headers.get("accept"), results.DATASET_FORMATS)
        except ProtocolError as exc:
            return _error(exc)
        store = self.live.current().store
        found = [q.subject for q in store.quads_for_pattern(None, KGO_DOC_ID, ox.Literal(doc_id), None)]
        if not found:
            return PlainTextResponse(f"no document with id {doc_id!r}\n", status_code=404)
        iri = found[0]
        if not isinstance(iri, ox.NamedNode):
            return PlainTextResponse(f"document {doc_id!r} has no IRI\n", status_code=404)
        quads = list(store.quads_for_pattern(None, None, None, iri))
        if not quads:
            return PlainTextResponse(f"document {doc_id!r} has no named graph: the served files hold triples "
                                     "only (serve a .nq or .trig file)\n", status_code=404)
        body = results.serialize_graph(quads, fmt, PREFIX_MAP)
        return Response(body, media_type=f"{fmt.media_type}; charset=utf-8",
                        headers={"Vary": "Accept", "Content-Location": iri.value})

    async def health(self, request: Request) -> Response:
        info = self.live.health()
        info["queries_served"] = self.served
        info["process_restarts"] = self.restarts
        info["queries_running"] = self.runner.running
        info["limits"] = {"timeout_seconds": self.limits.timeout, "max_rows": self.limits.max_rows,
                          "workers": self.limits.workers, "max_request_bytes": self.limits.max_request_bytes}
        return JSONResponse(info)

    async def update(self, request: Request) -> Response:
        return PlainTextResponse("updates are refused: this endpoint is read-only\n", status_code=403)

    async def index(self, request: Request) -> Response:
        return PlainTextResponse(json.dumps({
            "sparql": "/sparql", "query": "/query", "documents": "/documents/{id}", "health": "/health",
        }, indent=2) + "\n", media_type="application/json")


def _one_query(values: Sequence[str]) -> str:
    if not values:
        raise ProtocolError(400, "missing 'query' parameter")
    if len(values) > 1:
        raise ProtocolError(400, "more than one 'query' parameter")
    if not values[0].strip():
        raise ProtocolError(400, "empty 'query' parameter")
    return values[0]


def build_app(live: LiveStore, limits: Limits) -> Starlette:
    """The ASGI app; starts the live store's watcher on startup and stops it (and the threads) on shutdown."""
    endpoint = Endpoint(live, limits)
    every = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        live.start()
        try:
            yield
        finally:
            live.stop()

    routes: list[Any] = [
        Route("/sparql", endpoint.sparql, methods=every),
        Route("/query", endpoint.sparql, methods=every),
        Route("/update", endpoint.update, methods=every),
        Route("/documents/{doc_id:path}", endpoint.document, methods=["GET", "HEAD"]),
        Route("/health", endpoint.health, methods=["GET", "HEAD"]),
        Route("/", endpoint.index, methods=["GET", "HEAD"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, max_body_size=limits.max_request_bytes)
    app.state.endpoint = endpoint
    return app
