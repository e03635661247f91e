"""SPARQL over RDF files (with pyoxigraph), SHACL validation (with pyshacl), and result tables.

The query store holds every data file (quad files keep their named graphs; the default graph is queried as
the union of all graphs) plus the ontology, so ``?e a/rdfs:subClassOf* kgo:Attack`` works.

Loading and querying are separate so a long-lived process (``kg serve``) loads a store once and queries it many
times: :func:`load_store` builds a store from files, :func:`run_query` runs one query with kg's semantics (the
``kgo``/``rdf``/``rdfs``/``xsd``/``prov`` prefixes predeclared, a prefix the query declares itself wins; the
default graph is the union of all graphs unless a dataset is given), and :func:`sparql` does both for
``kg query``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ConfigError, InputError
from kg.ontology import load_ontology
from kg.resources import data_path
from kg.sinks.rdf import rdf_format
from kg.tables import Table

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "json-ld": ox.RdfFormat.JSON_LD,
}
PREFIX_MAP = {
    "kgo": "https://w3id.org/kg-news/ont#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
}
PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIX_MAP.items())

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def load_store(paths: Sequence[Path | str], *, with_ontology: bool = True, store: ox.Store | None = None) -> ox.Store:
    """The files (and the ontology) in a new in-memory store, or in ``store`` (e.g. an on-disk one)."""
    store = store if store is not None else ox.Store()
    files = [Path(p) for p in paths]
    if with_ontology:
        files.append(load_ontology().path)
    for path in files:
        fmt = _OX_FORMATS[rdf_format(path)]
        if not path.exists():
            raise InputError("no such file", where=str(path))
        try:
            with open(path, "rb") as handle:
                store.bulk_load(handle, format=fmt)
        except (SyntaxError, ValueError, OSError) as exc:
            raise InputError(f"cannot parse RDF: {exc}", where=str(path)) from exc
    return store


def _term(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        value = term.value
        datatype = term.datatype.value if term.datatype else ""
        if datatype.endswith(("#integer", "#int", "#long")):
            return int(value)
        if datatype.endswith(("#decimal", "#double", "#float")):
            return float(value)
        return value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


class QuerySyntaxError(ConfigError):
    """The SPARQL text does not parse; ``detail`` is the parser's message (with line:column)."""


def run_query(store: ox.Store, query: str, *, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] | None = None) -> QueryResult:
    """Run one SPARQL query on a loaded store with kg's semantics (see the module docstring).

    ``default_graphs``/``named_graphs`` are the SPARQL protocol's ``default-graph-uri``/``named-graph-uri``:
    when given, they replace the union default graph / the set of named graphs. Raises
    :class:`QuerySyntaxError` for text that does not parse. Solutions and triples are produced lazily while the
    result is iterated.
    """
    options: dict[str, object] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    try:
        return store.query(query, prefixes=PREFIX_MAP, **options)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None


def sparql(query: str, paths: Sequence[Path | str], *, with_ontology: bool = True) -> Table:
    """Run a SELECT (or ASK) query over the files; the kgo/rdf/rdfs/xsd/prov prefixes are predeclared."""
    store = load_store(paths, with_ontology=with_ontology)
    try:
        result = run_query(store, query)
    except QuerySyntaxError as exc:
        raise ConfigError(f"SPARQL syntax error: {exc.detail}") from exc
    if isinstance(result, ox.QueryBoolean):
        return Table(["ask"], [[bool(result)]])
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        return Table(columns, [[_term(solution[c]) for c in columns] for solution in result])
    raise ConfigError("only SELECT and ASK queries print a table; use CONSTRUCT with another tool")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str


def validate(paths: Sequence[Path | str], shapes: Path | None = None) -> list[Violation]:
    """SHACL-validate RDF files against the shipped shapes (with the ontology for class inference)."""
    import pyshacl
    import rdflib

    data = rdflib.Dataset()
    for path in paths:
        if not Path(path).exists():
            raise InputError("no such file", where=str(path))
        try:
            data.parse(path, format=rdf_format(path))
        except Exception as exc:  # rdflib raises many parser error types
            raise InputError(f"cannot parse RDF: {exc}", where=str(path)) from exc
    union = rdflib.Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    if len(union) == 0:
        raise InputError("no triples to validate", where=", ".join(map(str, paths)))
    shapes_graph = rdflib.Graph().parse(shapes or data_path("ontology") / "shapes.ttl", format="turtle")
    ontology = rdflib.Graph().parse(load_ontology().path, format="turtle")
    _, report, _ = pyshacl.validate(union, shacl_graph=shapes_graph, ont_graph=ontology, inference="rdfs",
                                    abort_on_first=False, allow_warnings=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    out = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        out.append(Violation(
            focus=str(report.value(result, sh.focusNode)),
            path=str(report.value(result, sh.resultPath) or ""),
            message=str(report.value(result, sh.resultMessage) or ""),
            severity=str(report.value(result, sh.resultSeverity)).rsplit("#", 1)[-1],
        ))
    return sorted(out, key=lambda v: (v.focus, v.path, v.message))
