"""The Cypher text of the Neo4j sink, and the whitelist of names it may contain. Pure: no driver, no server.

Only ontology terms ever become names in this text (checked against the ontology when a query is built);
every value is a query parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kg.errors import ConfigError
from kg.ontology import KGO, Ontology, load_ontology, neo4j_name

RESOURCE = "Resource"
DIGEST_KEY = "kgDigest"
# Keys every node or relationship may have; an ontology property may not use them.
RESERVED_KEYS = frozenset({"uri", "docs", "evidence", DIGEST_KEY})
# Evidence keys that are not ontology terms (the rdf:Statement parts).
STATEMENT_KEYS = ("subject", "predicate", "object")
PROVENANCE = frozenset({str(KGO.mentionedIn), str(KGO.document), str(KGO.evidence)})
# Every query of the sink starts with this. Their plans do not depend on statistics (unique index seeks;
# relationships merged by static type expand between two bound nodes), so a plan made on an empty database
# stays good. Without it the server replans them while the graph grows during a load, and a new plan runs
# slowly for a while (the JVM compiles it again): measured, about a third more time on a 200k-triple load.
PLAN_OPTIONS = "CYPHER replan=skip\n"

# ------------------------------------------------------------------ whitelist


def _names(iris: Iterable[str]) -> frozenset[str]:
    out = set()
    for iri in iris:
        try:
            out.add(neo4j_name(iri))
        except ConfigError:
            continue  # a term with no safe name can never be used, so it is simply not allowed
    return frozenset(out)


def allowed_labels(ontology: Ontology) -> frozenset[str]:
    return _names(ontology.classes)


def allowed_rel_types(ontology: Ontology) -> frozenset[str]:
    return _names(ontology.object_properties)


def allowed_keys(ontology: Ontology) -> frozenset[str]:
    return (_names(ontology.datatype_properties) | frozenset(STATEMENT_KEYS)) - RESERVED_KEYS


def domain_rel_types(ontology: Ontology) -> tuple[str, ...]:
    """Relationship types of the ontology's object properties other than the provenance ones, sorted."""
    return tuple(sorted(_names(set(ontology.object_properties) - PROVENANCE)))


def _check(names: Iterable[str], allowed: frozenset[str], what: str, ontology: Ontology) -> tuple[str, ...]:
    out = tuple(names)
    for name in out:
        if name not in allowed:
            raise ConfigError(
                f"refusing Neo4j {what} {name!r}: not a term of the ontology", where=str(ontology.path),
            )
    return out


def _sink_types(ontology: Ontology, *terms: str) -> tuple[str, ...]:
    """Relationship type names of the sink's own ontology terms (provenance), checked like any other."""
    return _check((neo4j_name(str(t)) for t in terms), allowed_rel_types(ontology), "relationship type", ontology)


def _q(name: str) -> str:
    """Backtick-quoted name; only ever called on whitelisted names (no backticks possible)."""
    return f"`{name}`"


# ------------------------------------------------------------------ Cypher builders (pure)


def constraint_statements() -> tuple[str, ...]:
    """Schema statements, idempotent (IF NOT EXISTS). Run each in its own auto-commit transaction."""
    document = neo4j_name(str(KGO.Document))
    doc_id = neo4j_name(str(KGO.docId))
    return (
        f"CREATE CONSTRAINT kg_resource_uri IF NOT EXISTS FOR (n:{RESOURCE}) REQUIRE n.uri IS UNIQUE",
        f"CREATE INDEX kg_document_docid IF NOT EXISTS FOR (n:{_q(document)}) ON (n.{_q(doc_id)})",
        f"CREATE INDEX kg_resource_name IF NOT EXISTS FOR (n:{RESOURCE}) ON (n.name)",
    )


def documents_query() -> str:
    """Create the Document nodes of the documents a batch starts (``$docs: [IRI]``), before anything else.

    ``CREATE``, not ``MERGE``: each of these documents was absent or has just been retracted, so when two
    writers load the same document at once, one of them fails on the unique constraint instead of both
    writing its relationships. The nodes query then gives them their labels and properties.
    """
    return (
        PLAN_OPTIONS + "UNWIND $docs AS doc\n"
        f"CREATE (:{RESOURCE} {{uri: doc}})"
    )


def nodes_query(ontology: Ontology | None = None) -> str:
    """Merge a batch of nodes with their ``mentionedIn`` and ``evidence`` relationships.

    ``$rows: [{uri, labels: [label], props: {key: value}, docs: [doc IRI], evidence: [evidence IRI]}]``:
    labels and keys are parameters (checked against the ontology by :class:`RowBuilder`); a key missing from
    a row's props keeps the node's current value, labels are only ever added. ``docs`` are the documents of
    the batch that mention the node, ``evidence`` the evidence nodes of its assertion (both exist already);
    each gets a new relationship from the node.
    """
    onto = ontology or load_ontology()
    mentioned, evidence = _sink_types(onto, KGO.mentionedIn, KGO.evidence)
    return (
        PLAN_OPTIONS + "UNWIND $rows AS row\n"
        f"MERGE (n:{RESOURCE} {{uri: row.uri}})\n"
        "SET n:$(row.labels)\n"
        "SET n += row.props\n"
        "WITH n, row\n"
        "CALL (n, row) {\n"
        "    UNWIND row.docs AS doc\n"
        f"    MATCH (d:{RESOURCE} {{uri: doc}})\n"
        f"    CREATE (n)-[:{_q(mentioned)}]->(d)\n"
        "}\n"
        "CALL (n, row) {\n"
        "    UNWIND row.evidence AS e\n"
        f"    MATCH (ev:{RESOURCE} {{uri: e}})\n"
        f"    CREATE (n)-[:{_q(evidence)}]->(ev)\n"
        "}"
    )


def evidence_query(keys: Sequence[str], ontology: Ontology | None = None) -> str:
    """Create the Evidence nodes of a batch with their ``document`` relationships.

    ``$docs: [{uri: doc IRI, evidence: [{uri, <key>: value or null}]}]`` (a null value is not stored).
    ``CREATE``, not ``MERGE``: an evidence node belongs to one document, and a document is only written when
    its previous version is gone (see :func:`retract_queries`), so its evidence nodes are new. This query
    touches no node of an earlier transaction but the document's own, so it can run while the previous batch
    commits.
    """
    onto = ontology or load_ontology()
    keys = _check(keys, allowed_keys(onto), "property key", onto)
    (label,) = _check((neo4j_name(str(KGO.Evidence)),), allowed_labels(onto), "label", onto)
    (document,) = _sink_types(onto, KGO.document)
    props = ", ".join(["uri: row.uri", *(f"{_q(k)}: row.{_q(k)}" for k in keys)])
    return (
        PLAN_OPTIONS + "UNWIND $docs AS doc\n"
        f"MATCH (d:{RESOURCE} {{uri: doc.uri}})\n"
        "UNWIND doc.evidence AS row\n"
        f"CREATE (:{RESOURCE}:{_q(label)} {{{props}}})-[:{_q(document)}]->(d)"
    )


def edges_query(ontology: Ontology | None = None) -> str:
    """Write a batch of domain relationships: ``$rows: [{s, o, type, docs, evidence}]``, ``$types: {name: name}``.

    Rows are ``{s: IRI, o: IRI, type: name, docs: [doc IRI], evidence: [evidence IRI] or null}``; ``$types``
    maps every domain relationship type to itself (so that a row's type is compared with a parameter, never
    with text). Both endpoints are matched by uri through the unique constraint's index. When either
    endpoint has no domain relationship at all (like every event new in this transaction), the edge cannot
    exist and is created, its type a parameter. The others are merged by :func:`merge_edge_clause`, one
    subquery per type (a static type, so the planner expands between the two bound endpoints).
    """
    onto = ontology or load_ontology()
    domain = _check(domain_rel_types(onto), allowed_rel_types(onto), "relationship type", onto)
    types = "|".join(_q(t) for t in domain)
    merges = "".join(
        "CALL (s, o, row) {\n"
        f"    WITH s, o, row WHERE row.type = $types.{_q(rel)}\n"
        f"    {merge_edge_clause(rel, onto)}\n"
        "}\n"
        for rel in domain
    )
    return (
        PLAN_OPTIONS + "UNWIND $rows AS row\n"
        f"MATCH (s:{RESOURCE} {{uri: row.s}})\n"
        f"MATCH (o:{RESOURCE} {{uri: row.o}})\n"
        f"WITH s, o, row, NOT EXISTS {{ (s)-[:{types}]-() }} OR NOT EXISTS {{ (o)-[:{types}]-() }} AS new\n"
        "FOREACH (_ IN CASE WHEN new THEN [row] ELSE [] END |\n"
        "    CREATE (s)-[:$(row.type) {docs: row.docs, evidence: row.evidence}]->(o))\n"
        "WITH s, o, row WHERE NOT new\n" + merges.rstrip("\n")
    )


def merge_edge_clause(rel_type: str, ontology: Ontology | None = None) -> str:
    """``MERGE`` of one domain relationship of a static type between bound ``s`` and ``o`` (row as above).

    The documents and the evidence IRIs of the row are appended to the relationship's lists.
    """
    onto = ontology or load_ontology()
    (rel_type,) = _check((rel_type,), allowed_rel_types(onto), "relationship type", onto)
    if rel_type in _names(PROVENANCE):
        raise ConfigError(f"refusing Neo4j relationship type {rel_type!r}: it is the sink's provenance")
    return (
        f"MERGE (s)-[r:{_q(rel_type)}]->(o)\n"
        "    ON CREATE SET r.docs = row.docs, r.evidence = row.evidence\n"
        "    ON MATCH SET r.docs = coalesce(r.docs, []) + [d IN row.docs WHERE NOT d IN coalesce(r.docs, [])],\n"
        "        r.evidence = CASE WHEN row.evidence IS NULL THEN r.evidence\n"
        "            ELSE coalesce(r.evidence, []) + [e IN row.evidence WHERE NOT e IN coalesce(r.evidence, [])] END"
    )


def check_query() -> str:
    """Stored digests of the documents in ``$docs`` (absent documents give no row)."""
    return (
        PLAN_OPTIONS + "UNWIND $docs AS doc\n"
        f"MATCH (d:{RESOURCE} {{uri: doc}})\n"
        f"RETURN d.uri AS uri, d.{DIGEST_KEY} AS digest"
    )


def digest_query() -> str:
    """Store ``$rows: [{uri, digest}]`` on the Document nodes (the last step of writing a document)."""
    return (
        PLAN_OPTIONS + "UNWIND $rows AS row\n"
        f"MATCH (d:{RESOURCE} {{uri: row.uri}})\n"
        f"SET d.{DIGEST_KEY} = row.digest"
    )


def retract_queries(ontology: Ontology | None = None) -> tuple[str, ...]:
    """Queries that remove the support of the documents in ``$docs``; run them in this order, in one tx.

    1. domain relationships starting at a node the document mentions: drop the document from ``docs`` and its
       evidence IRIs from ``evidence``; delete the relationship when ``docs`` becomes empty. Only the
       relationship types of domain properties are expanded, so a node mentioned by many documents is not
       scanned through its (many) ``mentionedIn``/``evidence`` relationships.
    2. nodes the document mentions: delete the ``mentionedIn`` relationships, then ``DETACH DELETE`` the
       nodes left without any ``mentionedIn`` or ``document`` relationship (and without a ``kgDigest``: a
       loaded Document node supports itself).
    3. the document's Evidence nodes the same way (through ``document``), then its Document node
       (``DETACH DELETE``); returns ``documents`` (how many were there) and ``found`` (their IRIs).
    """
    onto = ontology or load_ontology()
    mentioned, document = (_q(name) for name in _sink_types(onto, KGO.mentionedIn, KGO.document))
    support = f"{mentioned}|{document}"
    domain = _check(domain_rel_types(onto), allowed_rel_types(onto), "relationship type", onto)
    queries = []
    if domain:
        types = "|".join(_q(t) for t in domain)
        queries.append(
            PLAN_OPTIONS + "UNWIND $docs AS doc\n"
            f"MATCH (d:{RESOURCE} {{uri: doc}})\n"
            f"OPTIONAL MATCH (d)<-[:{document}]-(ev:{RESOURCE})\n"
            "WITH d, doc, collect(ev.uri) AS evs\n"
            f"MATCH (d)<-[:{mentioned}]-(n:{RESOURCE})-[r:{types}]->()\n"
            "WHERE doc IN r.docs\n"
            "WITH r, doc, [e IN coalesce(r.evidence, []) WHERE NOT e IN evs] AS keep\n"
            "SET r.docs = [x IN r.docs WHERE x <> doc],\n"
            "    r.evidence = CASE WHEN size(keep) = 0 THEN null ELSE keep END\n"
            "WITH r WHERE size(r.docs) = 0\n"
            "DELETE r"
        )
    queries.append(
        PLAN_OPTIONS + "UNWIND $docs AS doc\n"
        f"MATCH (d:{RESOURCE} {{uri: doc}})<-[m:{mentioned}]-(n:{RESOURCE})\n"
        "DELETE m\n"
        "WITH collect(DISTINCT n) AS nodes\n"
        "UNWIND nodes AS n\n"
        f"WITH n WHERE n.{DIGEST_KEY} IS NULL AND NOT EXISTS {{ (n)-[:{support}]->() }}\n"
        "DETACH DELETE n"
    )
    queries.append(
        PLAN_OPTIONS + "UNWIND $docs AS doc\n"
        f"MATCH (d:{RESOURCE} {{uri: doc}})\n"
        f"OPTIONAL MATCH (d)<-[k:{document}]-(ev:{RESOURCE})\n"
        "DELETE k\n"
        "WITH d, doc, collect(ev) AS evs\n"
        "CALL (evs) {\n"
        "    UNWIND evs AS ev\n"
        f"    WITH ev WHERE NOT EXISTS {{ (ev)-[:{support}]->() }}\n"
        "    DETACH DELETE ev\n"
        "}\n"
        "DETACH DELETE d\n"
        "RETURN count(*) AS documents, collect(doc) AS found"
    )
    return tuple(queries)
