"""``kg export``: the graph for graph visualisation tools - GEXF 1.3 (Gephi), GraphML (Gephi, networkx, yEd),
Cytoscape.js JSON (Cytoscape desktop, cytoscape.js) and one self-contained HTML page.
May import kg.query, kg.ontology, kg.sinks.neo4j (to read Neo4j), kg.files, kg.errors.

Reading (:mod:`kg.export.read`) feeds facts from RDF files or a Neo4j database into a builder
(:mod:`kg.export.model`), which keeps counts and a few evidence records per node and edge; a view (``all``,
``events`` or ``actors``) is built from it, laid out (ForceAtlas2 from networkx, per connected component), and
written (:mod:`kg.export.writers`, :mod:`kg.export.html`) through :func:`kg.files.atomic_write`, so a failed
export never leaves half a file.

The HTML page draws at most ``max_nodes`` nodes (default 1,000: cytoscape.js stays responsive with a
precomputed layout up to about a thousand nodes, and slows past that) - the most connected ones, with the
edges among them (at most ``max_edges``); the page says how many it shows out of how many. The other formats
hold the whole view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import ConfigError
from kg.export.model import VIEWS, GraphBuilder, View, build_view, cap, layout
from kg.files import atomic_write
from kg.ontology import load_ontology

FORMATS = ("gexf", "graphml", "cyjs", "html")
HTML_MAX_NODES = 1000
HTML_MAX_EDGES = 4000

__all__ = ["FORMATS", "VIEWS", "ExportReport", "export", "read_graph"]


@dataclass(frozen=True)
class ExportReport:
    format: str
    view: str
    nodes: int
    edges: int
    total_nodes: int
    total_edges: int
    laid_out: bool
    path: Path

    def summary(self) -> str:
        shown = f"{self.nodes} nodes, {self.edges} edges"
        if self.nodes < self.total_nodes or self.edges < self.total_edges:
            shown += f" (of {self.total_nodes} nodes, {self.total_edges} edges: capped for the page)"
        return f"{shown}, {self.view} view, {self.format}{', laid out' if self.laid_out else ''} -> {self.path}"


def is_neo4j(source: str) -> bool:
    from kg.sinks import is_database

    try:
        return is_database(source)
    except ConfigError:
        return False


def read_graph(sources: Sequence[str], *, database: str | None = None, on_disk: bool = False,
               evidence_per_item: int = 5, ontology: Path | None = None) -> GraphBuilder:
    """Facts from RDF files, or from one Neo4j URI, into a builder."""
    from kg.export.read import read_neo4j, read_rdf

    builder = GraphBuilder(load_ontology(ontology), evidence_per_item=evidence_per_item)
    databases = [s for s in sources if is_neo4j(s)]
    if databases:
        if len(sources) != 1:
            raise ConfigError("export from one Neo4j database at a time, or from RDF files only")
        read_neo4j(databases[0], builder, database=database)
    else:
        read_rdf(list(sources), builder, on_disk=on_disk)
    return builder


def export(sources: Sequence[str], out: Path, *, fmt: str | None = None, view: str = "all",
           database: str | None = None, max_nodes: int = HTML_MAX_NODES, max_edges: int = HTML_MAX_EDGES,
           on_disk: bool = False, title: str | None = None, ontology: Path | None = None) -> ExportReport:
    """Read, build the view, lay it out and write it to ``out`` (format from ``fmt`` or the extension)."""
    fmt = fmt or {".gexf": "gexf", ".graphml": "graphml", ".cyjs": "cyjs", ".json": "cyjs", ".html": "html",
                  ".htm": "html"}.get(out.suffix.lower())
    if fmt not in FORMATS:
        raise ConfigError(f"cannot tell the export format of '{out}'", hint=f"use --format {'|'.join(FORMATS)}")
    if view not in VIEWS:
        raise ConfigError(f"unknown view '{view}'", hint=f"use --view {'|'.join(VIEWS)}")
    builder = read_graph(sources, database=database, on_disk=on_disk, ontology=ontology)
    graph: View = build_view(builder, view)
    del builder
    if fmt == "html":
        graph = cap(graph, max_nodes, max_edges)
    laid_out = layout(graph)
    if fmt == "gexf":
        from kg.export.writers import write_gexf

        with atomic_write(out, "wb") as handle:
            write_gexf(graph, handle, description=f"kg {view} view of {', '.join(sources)}")
    elif fmt == "graphml":
        from kg.export.writers import write_graphml

        with atomic_write(out, "wb") as handle:
            write_graphml(graph, handle)
    elif fmt == "cyjs":
        from kg.export.writers import write_cyjs

        with atomic_write(out) as handle:
            write_cyjs(graph, handle)
    else:
        from kg.export.html import write_html

        with atomic_write(out) as handle:
            write_html(graph, handle, title=title or f"kg graph: {', '.join(Path(s).name for s in sources)}")
    return ExportReport(fmt, view, len(graph.nodes), len(graph.edges), graph.total_nodes, graph.total_edges,
                        laid_out, out)

