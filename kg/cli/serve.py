"""``kg serve``: a read-only SPARQL 1.1 endpoint over RDF files, reloaded when they change."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import app


@app.command()
def serve(
    files: Annotated[list[Path], typer.Argument(help="RDF files written by kg (.nq .trig .nt .ttl .jsonld).")],
    host: Annotated[str, typer.Option("--host", help="Address to bind; other hosts reach it only if you say so.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 7878,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds a query may take (503 after).")] = 30.0,
    max_rows: Annotated[int, typer.Option("--max-rows", min=1, help="Solutions or triples returned at most.")] = 10_000,
    max_request_bytes: Annotated[int, typer.Option("--max-request-bytes", min=256, help="Largest request body / query string.")] = 1_000_000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Query threads (queries running at once).")] = 4,
    poll: Annotated[float, typer.Option("--poll", min=0, help="Seconds between looks at the files (0: never reload).")] = 1.0,
    no_ontology: Annotated[bool, typer.Option("--no-ontology", help="Do not load the ontology with the data.")] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level: warning, info, debug.")] = "info",
) -> None:
    """Serve RDF files as a read-only SPARQL 1.1 Protocol endpoint at /sparql (also /query)."""
    from kg.serve import Limits, supervise

    limits = Limits(timeout=timeout, max_rows=max_rows, workers=workers, max_request_bytes=max_request_bytes)
    code = supervise(files, host=host, port=port, limits=limits, with_ontology=not no_ontology, poll=poll,
                     log_level=log_level)
    if code:
        raise typer.Exit(code=code)
