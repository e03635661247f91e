"""``kg query``, ``kg cypher``, ``kg validate``, ``kg check``: reading and checking what kg wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import ConfigOpt, DatabaseOpt, MappingOpt, OntologyOpt, app, errors, read_query, settings

FormatOpt = Annotated[str, typer.Option("--format", help="table, csv or json.")]


@app.command()
def check(
    mapping: MappingOpt = None, ontology: OntologyOpt = None, config: ConfigOpt = None,
) -> None:
    """Validate a mapping against the ontology without running anything."""
    from kg.mapping import load_mapping

    with errors():
        cfg = settings(config, mapping=mapping, ontology=ontology)
        loaded = load_mapping(cfg.mapping, cfg.ontology)
    rules = len(loaded.entities) + len(loaded.events) + len(loaded.roles) + len(loaded.relations) + 1
    typer.echo(f"ok: {loaded.path} ({rules} rules) is valid against {loaded.ontology.path}")


@app.command()
def query(
    sparql_query: Annotated[str, typer.Argument(metavar="QUERY", help="A .rq file or SPARQL text.")],
    data: Annotated[list[Path], typer.Option("--data", help="RDF files to query (repeatable).")],
    fmt: FormatOpt = "table",
    no_ontology: Annotated[bool, typer.Option("--no-ontology", help="Do not load the ontology with the data.")] = False,
) -> None:
    """Run a SPARQL 1.1 SELECT/ASK query over RDF files and print the result."""
    from kg.query import sparql
    from kg.tables import format_table

    with errors():
        text = read_query(sparql_query, ".rq")
        table = sparql(text, data, with_ontology=not no_ontology)
        typer.echo(format_table(table, fmt), nl=False)


@app.command()
def cypher(
    cypher_query: Annotated[str, typer.Argument(metavar="QUERY", help="A .cypher file or Cypher text.")],
    to: Annotated[str, typer.Option("--to", help="neo4j://host:7687 (credentials from NEO4J_USERNAME/NEO4J_PASSWORD).")],
    fmt: FormatOpt = "table",
    database: DatabaseOpt = None,
) -> None:
    """Run a read-only Cypher query against Neo4j and print the result."""
    from kg.sinks.neo4j import credentials_from_env, run_cypher
    from kg.tables import Table, format_table

    with errors():
        text = read_query(cypher_query, ".cypher")
        columns, rows = run_cypher(to, text, {}, database=database, auth=credentials_from_env())
        typer.echo(format_table(Table(list(columns), [list(r) for r in rows]), fmt), nl=False)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="RDF files written by kg.")],
    shapes: Annotated[Path | None, typer.Option("--shapes", help="SHACL shapes (default: the shipped ones).")] = None,
) -> None:
    """Check RDF output against the SHACL shapes and list violations."""
    from kg.query import validate as run_validate

    with errors():
        violations = run_validate(files, shapes)
    for v in violations:
        typer.echo(f"{v.severity}: {v.focus} {v.path}: {v.message}")
    if violations:
        typer.echo(f"{len(violations)} violations", err=True)
        raise typer.Exit(code=1)
    typer.echo("conforms")
