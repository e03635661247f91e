"""The ``kg`` command line. It only parses options and calls the library (kg.run, kg.query, ...).

Exit codes: 0 success; 1 some input could not be processed (the rest was); 2 configuration, mapping or
target errors (nothing written).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from kg import __version__
from kg.errors import ConfigError, KgError
from kg.records import RunReport
from kg.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="kg: news articles -> spaCy extraction -> YAML mapping -> RDF files or Neo4j.")

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="kg.yaml settings file (default: ./kg.yaml if present).")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="spaCy pipeline name or path (default en_core_web_sm).")]
MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="YAML mapping (default: the shipped mappings/default.yaml).")]
OntologyOpt = Annotated[Path | None, typer.Option("--ontology", help="OWL ontology in Turtle (default: the shipped one).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Stop at the first bad document instead of skipping it.")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", min=1, help="Extraction processes.")]
MaxBytesOpt = Annotated[int | None, typer.Option("--max-bytes", min=1, help="Largest document accepted, in bytes.")]
BatchOpt = Annotated[int | None, typer.Option("--batch-size", min=1, help="Neo4j rows per transaction.")]
DatabaseOpt = Annotated[str | None, typer.Option("--database", help="Neo4j database name.")]


def _config(path: Path | None, **options: Any) -> Settings:
    return load_settings(path).with_options(**options)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn kg errors into one line on stderr and their exit code."""
    try:
        yield
    except KgError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was committed", err=True)
        raise typer.Exit(code=130) from None


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress counter on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} documents"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


def _finish(report: RunReport, what: str) -> None:
    typer.echo(f"{what}: {report.summary()}", err=True)
    if report.failures:
        raise typer.Exit(code=1)


@app.command()
def extract(
    sources: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin (.txt .md .html .jsonl).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Records file to write (JSONL).")],
    config: ConfigOpt = None, model: ModelOpt = None, workers: WorkersOpt = None, strict: StrictOpt = False,
    max_bytes: MaxBytesOpt = None,
) -> None:
    """Extract entities, events and relations from documents into a records file."""
    from kg.run import run_extract

    with _errors():
        cfg = _config(config, model=model, workers=workers, max_bytes=max_bytes)
        with _progress("extracting") as progress:
            report = run_extract(sources, out, cfg, strict=strict, progress=progress, stdin=sys.stdin)
    _finish(report, "extracted")


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
    to: Annotated[str, typer.Option("--to", help="out.ttl|.nt|.nq|.trig|.jsonld, or neo4j://host:7687 (bolt:// too).")],
    config: ConfigOpt = None, model: ModelOpt = None, mapping: MappingOpt = None, ontology: OntologyOpt = None,
    workers: WorkersOpt = None, strict: StrictOpt = False, max_bytes: MaxBytesOpt = None,
    batch_size: BatchOpt = None, database: DatabaseOpt = None,
) -> None:
    """Extract, map and load documents into an RDF file or Neo4j in one go."""
    from kg.run import run_ingest

    with _errors():
        cfg = _config(config, model=model, mapping=_s(mapping), ontology=_s(ontology), workers=workers,
                      max_bytes=max_bytes, batch_size=batch_size, database=database)
        with _progress("ingesting") as progress:
            report = run_ingest(sources, to, cfg, strict=strict, progress=progress, stdin=sys.stdin)
    _finish(report, "ingested")


@app.command("map")
def map_(
    records: Annotated[Path, typer.Argument(help="Records file written by `kg extract`.")],
    to: Annotated[str, typer.Option("--to", help="out.ttl|.nt|.nq|.trig|.jsonld, or neo4j://host:7687.")],
    config: ConfigOpt = None, mapping: MappingOpt = None, ontology: OntologyOpt = None,
    batch_size: BatchOpt = None, database: DatabaseOpt = None,
) -> None:
    """Map a records file to the ontology and load it into an RDF file or Neo4j."""
    from kg.run import run_map

    with _errors():
        cfg = _config(config, mapping=_s(mapping), ontology=_s(ontology), batch_size=batch_size, database=database)
        with _progress("mapping") as progress:
            report = run_map(records, to, cfg, progress=progress)
    _finish(report, "mapped")


@app.command()
def retract(
    doc_ids: Annotated[list[str], typer.Argument(help="Document ids to remove.")],
    from_: Annotated[str, typer.Option("--from", help="A .nq/.trig file or neo4j://host:7687.")],
    config: ConfigOpt = None, mapping: MappingOpt = None, database: DatabaseOpt = None,
) -> None:
    """Remove what only these documents supported (other documents' facts stay)."""
    from kg.run import run_retract

    with _errors():
        done = run_retract(doc_ids, from_, _config(config, mapping=_s(mapping), database=database))
    target = from_
    if "://" in target:  # a database URI: never echo a user:password@ part
        from kg.sinks.neo4j import safe_uri

        target = safe_uri(target)
    removed = ", ".join(f"{n} {what}" for what, n in done.counts.items())
    line = f"retracted {len(done.found)} of {len(done.found) + len(done.missing)} documents from {target}: "
    typer.echo(line + f"{removed} removed" + (f"; not found: {', '.join(done.missing)}" if done.missing else ""),
               err=True)
    if done.missing:
        raise typer.Exit(code=1)


@app.command()
def check(
    mapping: MappingOpt = None, ontology: OntologyOpt = None, config: ConfigOpt = None,
) -> None:
    """Validate a mapping against the ontology without running anything."""
    from kg.mapping import load_mapping

    with _errors():
        cfg = _config(config, mapping=_s(mapping), ontology=_s(ontology))
        loaded = load_mapping(cfg.mapping, cfg.ontology)
    rules = len(loaded.entities) + len(loaded.events) + len(loaded.roles) + len(loaded.relations) + 1
    typer.echo(f"ok: {loaded.path} ({rules} rules) is valid against {loaded.ontology.path}")


@app.command()
def query(
    sparql_query: Annotated[str, typer.Argument(metavar="QUERY", help="A .rq file or SPARQL text.")],
    data: Annotated[list[Path], typer.Option("--data", help="RDF files to query (repeatable).")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    no_ontology: Annotated[bool, typer.Option("--no-ontology", help="Do not load the ontology with the data.")] = False,
) -> None:
    """Run a SPARQL 1.1 SELECT/ASK query over RDF files and print the result."""
    from kg.query import format_table, sparql

    with _errors():
        text = _read_query(sparql_query, ".rq")
        table = sparql(text, data, with_ontology=not no_ontology)
        typer.echo(format_table(table, fmt), nl=False)


@app.command()
def cypher(
    cypher_query: Annotated[str, typer.Argument(metavar="QUERY", help="A .cypher file or Cypher text.")],
    to: Annotated[str, typer.Option("--to", help="neo4j://host:7687 (credentials from NEO4J_USERNAME/NEO4J_PASSWORD).")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    database: DatabaseOpt = None,
) -> None:
    """Run a read-only Cypher query against Neo4j and print the result."""
    from kg.query import Table, format_table
    from kg.sinks.neo4j import credentials_from_env, run_cypher

    with _errors():
        text = _read_query(cypher_query, ".cypher")
        columns, rows = run_cypher(to, text, {}, database=database, auth=credentials_from_env())
        typer.echo(format_table(Table(list(columns), [list(r) for r in rows]), fmt), nl=False)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="RDF files written by kg.")],
    shapes: Annotated[Path | None, typer.Option("--shapes", help="SHACL shapes (default: the shipped ones).")] = None,
) -> None:
    """Check RDF output against the SHACL shapes and list violations."""
    from kg.query import validate as run_validate

    with _errors():
        violations = run_validate(files, shapes)
    for v in violations:
        typer.echo(f"{v.severity}: {v.focus} {v.path}: {v.message}")
    if violations:
        typer.echo(f"{len(violations)} violations", err=True)
        raise typer.Exit(code=1)
    typer.echo("conforms")


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Option("--gold", help="Gold file.")],
    fmt: Annotated[str, typer.Option("--format", help="wikievents, rams or plover.")],
    baseline: Annotated[bool, typer.Option("--baseline", help="Also score bare spaCy NER and a naive baseline.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Score only the first N gold documents.")] = None,
    config: ConfigOpt = None, model: ModelOpt = None,
) -> None:
    """Score the extractor on gold data (precision, recall, F1)."""
    from kg.evaluate import run_eval

    with _errors():
        cfg = _config(config, model=model)
        typer.echo(run_eval(gold, fmt, cfg, baseline=baseline, limit=limit), nl=False)


def _read_query(text: str, suffix: str) -> str:
    path = Path(text)
    if text.endswith(suffix) or (len(text) < 4096 and "\n" not in text and path.is_file()):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read query file: {exc.strerror}", where=str(path)) from exc
    return text


def _s(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """kg: news articles -> knowledge graph."""


if __name__ == "__main__":  # pragma: no cover
    app()
