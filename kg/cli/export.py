"""``kg export``: the graph as GEXF, GraphML, Cytoscape.js JSON or a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import DatabaseOpt, OntologyOpt, app, errors


@app.command()
def export(
    graph: Annotated[list[str], typer.Argument(metavar="GRAPH", help="RDF files written by kg, or neo4j://host:7687 (credentials from NEO4J_USERNAME/NEO4J_PASSWORD).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="File to write.")],
    fmt: Annotated[str | None, typer.Option("--format", help="gexf, graphml, cyjs or html (default: from the extension).")] = None,
    view: Annotated[str, typer.Option("--view", help="all (actors, places, events), events (events and their participants), actors (actor-actor links).")] = "all",
    max_nodes: Annotated[int, typer.Option("--max-nodes", min=1, help="Nodes the HTML page draws at most (the most connected).")] = 1000,
    max_edges: Annotated[int, typer.Option("--max-edges", min=0, help="Edges the HTML page draws at most.")] = 4000,
    on_disk: Annotated[bool, typer.Option("--on-disk", help="Load RDF into a temporary on-disk store instead of memory.")] = False,
    title: Annotated[str | None, typer.Option("--title", help="Title of the HTML page.")] = None,
    database: DatabaseOpt = None,
    ontology: OntologyOpt = None,
) -> None:
    """Export the graph for Gephi (GEXF 1.3, GraphML), Cytoscape (cyjs) or a browser (one HTML file)."""
    from kg.export import export as run_export

    with errors():
        report = run_export(graph, out, fmt=fmt, view=view, database=database, max_nodes=max_nodes,
                            max_edges=max_edges, on_disk=on_disk, title=title, ontology=ontology)
    typer.echo(f"exported: {report.summary()}", err=True)
