"""Reading a kg graph into a :class:`~kg.export.model.GraphBuilder`: from RDF files or from Neo4j.

From RDF: the files are loaded into pyoxigraph (:func:`kg.query.load_store`, in memory, or on disk in a
temporary folder with ``on_disk=True`` for graphs larger than memory should hold) and read with a few SPARQL
queries whose solutions are streamed one by one into the builder.

From Neo4j: the same facts with read-only Cypher through :func:`kg.sinks.neo4j.run_cypher`, one page of
``page`` nodes at a time (keyset pagination on the unique ``uri``), so neither side holds the whole graph in
one result. Labels and property keys in the Cypher text are the ontology's, fixed here; values are parameters.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.export.model import NODE_PROPERTIES, PROVENANCE, Evidence, GraphBuilder
from kg.ontology import KGO_NS, local_name
from kg.query import PREFIX_MAP

_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIX_MAP.items())


def _value(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        if datatype.endswith(("#integer", "#int", "#long")):
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if datatype.endswith(("#decimal", "#double", "#float")):
            try:
                return float(term.value)
            except ValueError:
                return term.value
        return term.value
    return term.value


def _rows(store: ox.Store, query: str) -> Iterator[list[Any]]:
    result = store.query(_PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        yield [_value(t) for t in solution]


def read_rdf(paths: Sequence[Path | str], builder: GraphBuilder, *, on_disk: bool = False) -> None:
    """Feed the builder from RDF files (the ontology is not loaded: classes are resolved in Python)."""
    from kg.query import load_store

    if on_disk:
        with tempfile.TemporaryDirectory(prefix="kg-export-") as folder:
            store = load_store(paths, with_ontology=False, store=ox.Store(folder))
            _read_store(store, builder)
            del store  # closes RocksDB before the folder goes
        return
    _read_store(load_store(paths, with_ontology=False), builder)


def _read_store(store: ox.Store, builder: GraphBuilder) -> None:
    kgo = KGO_NS
    for s, c in _rows(store, f"""SELECT ?s ?c WHERE {{ ?s a ?c . FILTER(STRSTARTS(STR(?c), "{kgo}"))
                                 FILTER(?c NOT IN (kgo:Evidence, kgo:Document)) }}"""):
        builder.add_class(s, c)
    values = " ".join(f"kgo:{p}" for p in ("name", *NODE_PROPERTIES))
    for s, p, v in _rows(store, f"SELECT ?s ?p ?v WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?v }}"):
        builder.add_property(s, p, v)
    for s, doc, published in _rows(store, """SELECT DISTINCT ?s ?id ?pub WHERE {
            ?s kgo:mentionedIn ?d . ?d kgo:docId ?id . OPTIONAL { ?d kgo:published ?pub } }"""):
        builder.add_mention(s, doc, published)
    properties = sorted(p for p in builder.ontology.object_properties if local_name(p) not in PROVENANCE)
    props = " ".join(f"<{p}>" for p in properties)
    for s, p, o in _rows(store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?o . FILTER(isIRI(?o)) }}"):
        builder.add_edge(s, p, o)
    evidence = """?ev kgo:quote ?quote ; kgo:document ?d ; kgo:charStart ?start . ?d kgo:docId ?id .
        OPTIONAL { ?ev kgo:sentenceText ?sentence } OPTIONAL { ?d kgo:title ?title }
        OPTIONAL { ?d kgo:published ?pub }"""
    for s, quote, start, doc, sentence, title, pub in _rows(store, f"""
            SELECT ?s ?quote ?start ?id ?sentence ?title ?pub WHERE {{ ?s kgo:evidence ?ev . {evidence} }}"""):
        builder.add_node_evidence(s, Evidence(doc=doc, start=int(start), quote=quote, sentence=sentence, title=title,
                                              published=pub))
    for s, p, o, quote, start, doc, sentence, title, pub in _rows(store, f"""
            SELECT ?s ?p ?o ?quote ?start ?id ?sentence ?title ?pub WHERE {{
                ?ev a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . {evidence} }}"""):
        builder.add_edge_evidence(s, p, o, Evidence(doc=doc, start=int(start), quote=quote, sentence=sentence,
                                                    title=title, published=pub))


# ------------------------------------------------------------------ Neo4j

_NODES = """
MATCH (n:Resource) WHERE (n:Actor OR n:Place OR n:Event) AND n.uri > $after
WITH n ORDER BY n.uri LIMIT $page
RETURN n.uri AS uri, labels(n) AS labels,
       n {.name, .date, .trigger, .modality, .killed, .injured, .wikidata, .timeText} AS props,
       COLLECT { MATCH (n)-[:mentionedIn]->(d:Document) RETURN DISTINCT [d.docId, d.published] } AS docs,
       COUNT { (n)-[:evidence]->(:Evidence) } AS evidenceCount,
       COLLECT { MATCH (n)-[:evidence]->(ev:Evidence)-[:document]->(d:Document)
                 WITH ev, d ORDER BY d.docId, ev.charStart LIMIT $keep
                 RETURN [d.docId, ev.charStart, ev.quote, ev.sentenceText, d.title, d.published] } AS evidence
ORDER BY uri
"""

_PAGE_END = """
MATCH (s:Resource) WHERE (s:Actor OR s:Place OR s:Event) AND s.uri > $after
WITH s ORDER BY s.uri LIMIT $page
RETURN max(s.uri) AS last
"""

_EDGES = """
MATCH (s:Resource) WHERE (s:Actor OR s:Place OR s:Event) AND s.uri > $after AND s.uri <= $upto
MATCH (s)-[r]->(o:Resource) WHERE type(r) IN $types
RETURN s.uri AS source, type(r) AS type, o.uri AS target, size(coalesce(r.evidence, [])) AS evidenceCount,
       COLLECT { MATCH (ev:Resource) WHERE ev.uri IN coalesce(r.evidence, []) MATCH (ev)-[:document]->(d:Document)
                 RETURN DISTINCT d.docId } AS docs,
       COLLECT { MATCH (ev:Resource) WHERE ev.uri IN coalesce(r.evidence, []) MATCH (ev)-[:document]->(d:Document)
                 WITH ev, d ORDER BY d.docId, ev.charStart LIMIT $keep
                 RETURN [d.docId, ev.charStart, ev.quote, ev.sentenceText, d.title, d.published] } AS evidence
ORDER BY source, type, target
"""


def _evidence_row(row: Sequence[Any]) -> Evidence:
    doc, start, quote, sentence, title, published = row
    return Evidence(doc=str(doc), start=int(start or 0), quote=str(quote or ""), sentence=sentence, title=title,
                    published=published)


def read_neo4j(uri: str, builder: GraphBuilder, *, database: str | None = None, page: int = 2000) -> None:
    """Feed the builder from a Neo4j database written by kg (read-only queries, credentials from the env)."""
    from kg.sinks.neo4j import credentials_from_env, run_cypher

    auth = credentials_from_env()
    classes = {local_name(c): c for c in builder.ontology.classes}
    after = ""
    while True:
        columns, rows = run_cypher(uri, _NODES, {"after": after, "page": page, "keep": builder.limit},
                                   database=database, auth=auth)
        if not rows:
            break
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            iri = record["uri"]
            for label in record["labels"]:
                if label in classes:
                    builder.add_class(iri, classes[label])
            for key, value in (record["props"] or {}).items():
                builder.add_property(iri, KGO_NS + key, value)
            for doc, published in record["docs"]:
                builder.add_mention(iri, str(doc), published)
            kept = [_evidence_row(r) for r in record["evidence"]]
            for ev in kept:
                builder.add_node_evidence(iri, ev)
            node = builder.nodes[iri]
            node.evidence_count = max(node.evidence_count, int(record["evidenceCount"]))
            after = iri
        if len(rows) < page:
            break
    types = sorted(local_name(p) for p in builder.ontology.object_properties if local_name(p) not in PROVENANCE)
    after = ""
    while True:  # one page of source nodes at a time: find where the page ends, then read its edges
        _, ends = run_cypher(uri, _PAGE_END, {"after": after, "page": page}, database=database, auth=auth)
        upto = ends[0][0] if ends else None
        if upto is None:
            break
        columns, rows = run_cypher(uri, _EDGES, {"after": after, "upto": upto, "keep": builder.limit,
                                                 "types": types}, database=database, auth=auth)
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            source, kind, target = record["source"], record["type"], record["target"]
            builder.add_edge(source, KGO_NS + kind, target)
            for ev in (_evidence_row(r) for r in record["evidence"]):
                builder.add_edge_evidence(source, KGO_NS + kind, target, ev)
            edge = builder.edges[(source, kind, target)]
            edge.docs.update(str(d) for d in record["docs"])
            edge.evidence_count = max(edge.evidence_count, int(record["evidenceCount"]))
        after = upto
