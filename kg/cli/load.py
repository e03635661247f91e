"""``kg extract``, ``kg ingest``, ``kg map``, ``kg retract``: the loading jobs of :mod:`kg.run`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import (
    BatchOpt,
    ConfigOpt,
    ConsoleReporter,
    DatabaseOpt,
    MappingOpt,
    MaxBytesOpt,
    ModelOpt,
    OntologyOpt,
    StrictOpt,
    WorkersOpt,
    app,
    errors,
    finish,
    settings,
)

LockTimeoutOpt = Annotated[float | None, typer.Option(
    "--lock-timeout", min=0, help="Seconds to wait for another run writing the same RDF file (default 60).")]
ExecutorOpt = Annotated[str | None, typer.Option(
    "--executor", help="local (default: --workers processes), dask-local:N (a Dask LocalCluster of N processes) "
                       "or dask://HOST:PORT (a Dask scheduler); Dask needs kg's dask extra.")]
TargetOpt = Annotated[str, typer.Option("--to", help="out.ttl|.nt|.nq|.trig|.jsonld, or neo4j://host:7687 (bolt:// too).")]


@app.command()
def extract(
    sources: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin (.txt .md .html .jsonl).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Records file to write (JSONL).")],
    config: ConfigOpt = None, model: ModelOpt = None, workers: WorkersOpt = None, strict: StrictOpt = False,
    max_bytes: MaxBytesOpt = None, executor: ExecutorOpt = None,
) -> None:
    """Extract entities, events and relations from documents into a records file."""
    from kg.run import run_extract

    with errors(), ConsoleReporter("extracting") as reporter:
        cfg = settings(config, model=model, workers=workers, max_bytes=max_bytes, executor=executor)
        report = run_extract(sources, out, cfg, strict=strict, reporter=reporter, stdin=sys.stdin)
    finish(report, "extracted")


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    to: TargetOpt,
    config: ConfigOpt = None, model: ModelOpt = None, mapping: MappingOpt = None, ontology: OntologyOpt = None,
    workers: WorkersOpt = None, strict: StrictOpt = False, max_bytes: MaxBytesOpt = None,
    batch_size: BatchOpt = None, database: DatabaseOpt = None, lock_timeout: LockTimeoutOpt = None,
    executor: ExecutorOpt = None,
) -> None:
    """Extract, map and load documents into an RDF file or Neo4j in one go."""
    from kg.run import run_ingest

    with errors(), ConsoleReporter("ingesting") as reporter:
        cfg = settings(config, model=model, mapping=mapping, ontology=ontology, workers=workers,
                       max_bytes=max_bytes, batch_size=batch_size, database=database, lock_timeout=lock_timeout,
                       executor=executor)
        report = run_ingest(sources, to, cfg, strict=strict, reporter=reporter, stdin=sys.stdin)
    finish(report, "ingested")


@app.command("map")
def map_(
    records: Annotated[Path, typer.Argument(help="Records file written by `kg extract`.")],
    to: TargetOpt,
    config: ConfigOpt = None, mapping: MappingOpt = None, ontology: OntologyOpt = None,
    batch_size: BatchOpt = None, database: DatabaseOpt = None, lock_timeout: LockTimeoutOpt = None,
) -> None:
    """Map a records file to the ontology and load it into an RDF file or Neo4j."""
    from kg.run import run_map

    with errors(), ConsoleReporter("mapping") as reporter:
        cfg = settings(config, mapping=mapping, ontology=ontology, batch_size=batch_size, database=database,
                       lock_timeout=lock_timeout)
        report = run_map(records, to, cfg, reporter=reporter)
    finish(report, "mapped")


@app.command()
def retract(
    doc_ids: Annotated[list[str], typer.Argument(help="Document ids to remove.")],
    from_: Annotated[str, typer.Option("--from", help="A .nq/.trig file or neo4j://host:7687.")],
    config: ConfigOpt = None, mapping: MappingOpt = None, database: DatabaseOpt = None,
    lock_timeout: LockTimeoutOpt = None,
) -> None:
    """Remove what only these documents supported (other documents' facts stay)."""
    from kg.run import run_retract

    with errors():
        done = run_retract(doc_ids, from_, settings(config, mapping=mapping, database=database,
                                                     lock_timeout=lock_timeout))
    target = from_
    if "://" in target:  # a database URI: never echo a user:password@ part
        from kg.sinks.neo4j import safe_uri

        target = safe_uri(target)
    removed = ", ".join(f"{n} {what}" for what, n in done.counts.items()) or "nothing"
    line = f"retracted {len(done.found)} of {len(done.found) + len(done.missing)} documents from {target}: {removed} removed"
    typer.echo(line + (f"; not found: {', '.join(done.missing)}" if done.missing else ""), err=True)
    if done.missing:
        raise typer.Exit(code=1)
