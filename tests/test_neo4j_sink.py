"""The Neo4j sink: Cypher builders (no server) and writing/retracting against a real Neo4j 5.26 server."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kg.errors import ConfigError, TargetError, TransientTargetError
from kg.mapping import XSD, Edge, Evidence, Lit, MappedDoc, Mapping, Node, load_mapping, map_record
from kg.ontology import KGO, load_ontology
from kg.records import Argument, DocRecord, Document, Entity, Event, Mention, Relation
from kg.sinks.neo4j import (
    Neo4jWriter,
    RowBuilder,
    constraint_statements,
    credentials_from_env,
    domain_rel_types,
    edges_query,
    evidence_query,
    merge_edge_clause,
    nodes_query,
    retract_queries,
    run_cypher,
    safe_uri,
)
from kg.sinks.rdf import doc_triples

neo4j = pytest.importorskip("neo4j")

# tests/ has no __init__.py, so pytest puts it on sys.path
from neo4j_support import Neo4jServer, free_port  # noqa: E402

KGO_NS = str(KGO._NS)
INJECTION = '"}) DETACH DELETE n // `x` \'q\' MATCH (m) DETACH DELETE m; {`'

# ------------------------------------------------------------------ hand-built records


def _mention(text: str, needle: str, sentence: int = 0) -> Mention:
    start = text.index(needle)
    return Mention(start, start + len(needle), needle, sentence)


def _entity(text: str, eid: str, etype: str, name: str, needle: str, key: str | None = None,
            wikidata: str | None = None) -> Entity:
    return Entity(eid, etype, name, "ORG", (_mention(text, needle),), 0.9, key=key, wikidata=wikidata)


def _arg(text: str, role: str, needle: str, entity: str | None = None, value: str | None = None) -> Argument:
    start = text.index(needle)
    return Argument(role, start, start + len(needle), needle, 0.8, f"test-{role}", entity=entity, value=value)


def _doc(doc_id: str, text: str, title: str | None = None) -> Document:
    return Document(doc_id, text, hashlib.sha256(text.encode()).hexdigest(), title=title,
                    published="2024-03-05", url=f"https://news.example/{doc_id}")


def record_a(variant: int = 1) -> DocRecord:
    """Israel strikes Hezbollah in Lebanon; the Israeli Air Force is part of the IDF."""
    text = ("Israeli jets struck Hezbollah positions in Lebanon on Monday, the IDF said. "
            "The Israeli Air Force is part of the IDF.")
    if variant == 2:
        text = ("Israeli jets shelled Hezbollah positions in Syria on Monday, the IDF said. "
                "The Israeli Air Force is part of the IDF.")
    entities = [
        _entity(text, "E1", "state", "Israel", "Israeli", key="israel", wikidata="Q801"),
        _entity(text, "E2", "armed_group", "Hezbollah", "Hezbollah", key="hezbollah"),
        _entity(text, "E4", "unit", "Israel Defense Forces", "IDF", key="idf"),
        _entity(text, "E5", "unit", "Israeli Air Force", "Israeli Air Force", key="israeli-air-force"),
    ]
    place = "Lebanon" if variant == 1 else "Syria"
    entities.append(_entity(text, "E3", "state", place, place, key=place.lower()))
    trigger = "struck" if variant == 1 else "shelled"
    start = text.index(trigger)
    event = Event(
        "V1", "airstrike" if variant == 1 else "shelling", start, start + len(trigger), trigger, 0, 0.85,
        "trigger-verb", killed=3 if variant == 1 else None,
        arguments=(
            _arg(text, "agent", "Israeli", "E1"),
            _arg(text, "target", "Hezbollah", "E2"),
            _arg(text, "place", place, "E3"),
            _arg(text, "time", "Monday", value="2024-03-04"),
        ),
        reported_by="E4",
    )
    rel_start = text.index("The Israeli Air Force")
    relation = Relation("subOrganizationOf", "E5", "E4", rel_start, len(text), 1, 0.9, "dep-part-of")
    sentences = ((0, text.index("The Israeli")), (text.index("The Israeli"), len(text)))
    return DocRecord(_doc("a", text, "Strike in Lebanon"), sentences, tuple(entities), (event,), (relation,))


def record_b() -> DocRecord:
    """Shares Hezbollah, Lebanon, the IDF and the Air Force (and the subOrganizationOf edge) with A."""
    text = ("Hezbollah fired rockets from Lebanon at a base, Reuters reported. "
            "The Israeli Air Force is part of the IDF.")
    entities = (
        _entity(text, "E1", "armed_group", "Hezbollah", "Hezbollah", key="hezbollah"),
        _entity(text, "E2", "state", "Lebanon", "Lebanon", key="lebanon"),
        _entity(text, "E3", "organization", "Reuters", "Reuters", key="reuters"),
        _entity(text, "E4", "unit", "Israel Defense Forces", "IDF", key="idf"),
        _entity(text, "E5", "unit", "Israeli Air Force", "Israeli Air Force", key="israeli-air-force"),
    )
    start = text.index("fired")
    event = Event("V1", "shelling", start, start + 5, "fired", 0, 0.8, "trigger-verb",
                  arguments=(_arg(text, "agent", "Hezbollah", "E1"), _arg(text, "place", "Lebanon", "E2")),
                  reported_by="E3")
    rel_start = text.index("The Israeli Air Force")
    relation = Relation("subOrganizationOf", "E5", "E4", rel_start, len(text), 1, 0.7, "dep-part-of")
    sentences = ((0, text.index("The Israeli")), (text.index("The Israeli"), len(text)))
    return DocRecord(_doc("b", text, "Rockets"), sentences, entities, (event,), (relation,))


def record_c(index: int) -> DocRecord:
    text = f"Protesters gathered in Kabul number {index}. The Taliban arrested them."
    entities = (
        _entity(text, "E1", "place", "Kabul", "Kabul", key="kabul"),
        _entity(text, "E2", "armed_group", "Taliban", "Taliban", key="taliban"),
    )
    start = text.index("arrested")
    event = Event("V1", "arrest", start, start + 8, "arrested", 1, 0.8, "trigger-verb",
                  arguments=(_arg(text, "agent", "Taliban", "E2"), _arg(text, "place", "Kabul", "E1")))
    first = text.index("The Taliban")
    return DocRecord(_doc(f"c{index}", text, f"Kabul {index}"), ((0, first), (first, len(text))), entities, (event,))


def record_injection() -> DocRecord:
    text = f"Officials said {INJECTION} struck Hezbollah today. Hezbollah denied it."
    name = f"Group {INJECTION}"
    entities = (
        Entity("E1", "armed_group", name, "ORG", (_mention(text, INJECTION),), 0.9),
        _entity(text, "E2", "armed_group", "Hezbollah", "Hezbollah", key="hezbollah"),
    )
    start = text.index("struck")
    event = Event("V1", "attack", start, start + 6, "struck", 0, 0.8, "trigger-verb",
                  arguments=(_arg(text, "agent", INJECTION, "E1"), _arg(text, "target", "Hezbollah", "E2")))
    return DocRecord(_doc("inj`'\"", text, title=INJECTION), ((0, len(text)),), entities, (event,))


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    return load_mapping()


def mapped(record: DocRecord, mapping: Mapping) -> MappedDoc:
    return map_record(record, mapping)


# ------------------------------------------------------------------ builders (no server)


EVIDENCE_KEYS = ("rule", "charStart", "charEnd", "quote", "sentenceIndex", "confidence", "sentenceText",
                 "subject", "predicate", "object")


def test_builders_use_parameters_only() -> None:
    node_q = nodes_query()
    evidence_q = evidence_query(EVIDENCE_KEYS)
    edges_q = edges_query()
    for query in (node_q, evidence_q, edges_q):
        # plans do not depend on statistics
        assert query.startswith(("CYPHER replan=skip\nUNWIND $rows AS row", "CYPHER replan=skip\nUNWIND $docs AS doc"))
        assert "'" not in query and '"' not in query  # no string literals: every value is a parameter
        assert not re.findall(r"\b\d+\b", query)  # no numeric literals
    assert "MERGE (n:Resource {uri: row.uri})" in node_q
    assert "SET n:$(row.labels)" in node_q and "SET n += row.props" in node_q  # labels and keys: parameters
    assert "CREATE (n)-[:`mentionedIn`]->(d)" in node_q and "CREATE (n)-[:`evidence`]->(ev)" in node_q
    assert "MATCH (d:Resource {uri: doc.uri})" in evidence_q
    assert "CREATE (:Resource:`Evidence` {uri: row.uri, `rule`: row.`rule`," in evidence_q
    assert "-[:`document`]->(d)" in evidence_q
    assert "MATCH (s:Resource {uri: row.s})" in edges_q and "MATCH (o:Resource {uri: row.o})" in edges_q
    assert "CREATE (s)-[:$(row.type)" in edges_q
    assert "NOT EXISTS { (s)-[:`affiliatedWith`|`agent`|" in edges_q and "mentionedIn" not in edges_q
    assert "WHERE row.type = $types.`agent`\n    MERGE (s)-[r:`agent`]->(o)" in edges_q
    for query in retract_queries():
        assert query.startswith("CYPHER replan=skip\nUNWIND $docs AS doc")
        assert "'" not in query and '"' not in query
    assert any("REQUIRE n.uri IS UNIQUE" in s and "(n:Resource)" in s for s in constraint_statements())


@pytest.mark.parametrize("label", ["Foo", "Person`) DETACH DELETE n //", "Resource", "agent", ""])
def test_builder_refuses_labels_not_in_the_ontology(label: str) -> None:
    doc_iri = "https://example.org/doc/x"
    node = Node("https://example.org/e", (KGO_NS + "Person", KGO_NS + label))
    with pytest.raises(ConfigError, match="refusing Neo4j label"):
        RowBuilder(load_ontology()).rows(MappedDoc("x", doc_iri, (node,), (), ()))


@pytest.mark.parametrize("rel", ["knows", "Person", "agent]->(o) DETACH DELETE o //", "name", "mentionedIn"])
def test_builder_refuses_relationship_types_not_in_the_ontology(rel: str) -> None:
    with pytest.raises(ConfigError, match="refusing Neo4j relationship type"):
        merge_edge_clause(rel)


@pytest.mark.parametrize("key", ["uri", "docs", "kgDigest", "n.x = 1, n.y", "agent"])
def test_builder_refuses_property_keys_not_in_the_ontology(key: str) -> None:
    with pytest.raises(ConfigError, match="refusing Neo4j property key"):
        evidence_query(("rule", key))
    doc_iri = "https://example.org/doc/x"
    node = Node("https://example.org/e", (KGO_NS + "Person",), ((KGO_NS + key, Lit("v")),))
    with pytest.raises(ConfigError, match="refusing Neo4j property|clashes"):
        RowBuilder(load_ontology()).rows(MappedDoc("x", doc_iri, (node,), (), ()))


def test_row_builder_refuses_unknown_terms() -> None:
    builder = RowBuilder(load_ontology())
    doc_iri = "https://example.org/doc/x"

    def doc(nodes: tuple[Node, ...] = (), edges: tuple[Edge, ...] = ()) -> MappedDoc:
        return MappedDoc("x", doc_iri, nodes, edges, ())

    with pytest.raises(ConfigError, match="not a class of the ontology"):
        builder.rows(doc((Node("https://example.org/e", (KGO_NS + "Spaceship",)),)))
    with pytest.raises(ConfigError, match="not a datatype property"):
        builder.rows(doc((Node("https://example.org/e", (KGO_NS + "Person",), ((KGO_NS + "shoeSize", Lit(4)),)),)))
    with pytest.raises(ConfigError, match="not an object property"):
        builder.rows(doc(edges=(Edge("https://example.org/a", KGO_NS + "likes", "https://example.org/b"),)))
    with pytest.raises(ConfigError, match="provenance"):
        builder.rows(doc(edges=(Edge("https://example.org/a", str(KGO.mentionedIn), doc_iri),)))


def test_rows_carry_labels_with_superclasses(mapping: Mapping) -> None:
    rows = RowBuilder(mapping.ontology).rows(mapped(record_a(), mapping))
    labels = {row["uri"]: set(row["labels"]) for row in rows.nodes}
    event = next(u for u in labels if "/event/" in u)
    assert labels[event] == {"Airstrike", "Attack", "Conflict", "Event"}
    assert labels["https://w3id.org/kg-news/id/state/israel"] == {"State", "Organization", "Place", "Actor"}
    assert labels["https://w3id.org/kg-news/id/doc/a"] == {"Document"}


def test_credentials_from_env() -> None:
    assert credentials_from_env({}) is None
    assert credentials_from_env({"NEO4J_USERNAME": "bob"}) is None
    assert credentials_from_env({"NEO4J_PASSWORD": "pw"}) == ("neo4j", "pw")
    assert credentials_from_env({"NEO4J_USERNAME": "bob", "NEO4J_PASSWORD": "pw"}) == ("bob", "pw")
    assert safe_uri("bolt://bob:pw@host:7687") == "bolt://host:7687"


def test_unreachable_uri_is_a_target_error() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(TargetError) as info:
        Neo4jWriter(uri, max_retries=1).connect()
    assert time.monotonic() - started < 30
    assert info.value.exit_code == 2
    assert uri in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(TargetError) as info:
        run_cypher(uri, "RETURN 1")
    assert uri in str(info.value) and info.value.exit_code == 2


def test_bad_uri_is_a_target_error() -> None:
    with pytest.raises(TargetError) as info:
        Neo4jWriter("http://127.0.0.1:1", max_retries=1).connect()
    assert info.value.exit_code == 2


# ------------------------------------------------------------------ server fixtures


@pytest.fixture(scope="module")
def built(neo4j_server: Neo4jServer) -> None:
    """The launcher is built (the session server in conftest.py builds it, or fails in CI)."""


@pytest.fixture(scope="module")
def server(neo4j_server: Neo4jServer) -> Neo4jServer:
    """The session's Neo4j server (conftest.py)."""
    return neo4j_server


@pytest.fixture()
def db(server: Neo4jServer) -> Iterator[Any]:
    """A driver on an empty database (the one module server, wiped before each test)."""
    if not server.running:
        server.start()
    with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
        yield driver


def write(server: Neo4jServer, docs: list[MappedDoc], **options: Any) -> Neo4jWriter:
    with Neo4jWriter(server.uri, auth=server.auth, **options) as writer:
        for doc in docs:
            writer.write(doc)
    return writer


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(sorted(_norm(v) for v in value))
    return value


def snapshot(driver: Any) -> tuple[frozenset[Any], frozenset[Any]]:
    """The whole graph, independent of internal ids and list order."""
    nodes, _, _ = driver.execute_query("MATCH (n) RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS p")
    rels, _, _ = driver.execute_query(
        "MATCH (s)-[r]->(o) RETURN s.uri AS s, type(r) AS t, o.uri AS o, properties(r) AS p"
    )
    node_set = frozenset(
        (r["uri"], tuple(sorted(r["labels"])), tuple(sorted((k, _norm(v)) for k, v in r["p"].items())))
        for r in nodes
    )
    rel_list = [(r["s"], r["t"], r["o"], tuple(sorted((k, _norm(v)) for k, v in r["p"].items()))) for r in rels]
    assert len(rel_list) == len(set(rel_list)), "duplicate relationships"
    assert len(node_set) == len(nodes), "duplicate nodes"
    return node_set, frozenset(rel_list)


def counts(driver: Any) -> dict[str, int]:
    (n,), _, _ = driver.execute_query(
        "MATCH (n) RETURN count(n) AS nodes, sum(size(keys(n))) AS props, sum(size(labels(n))) AS labels"
    )
    (r,), _, _ = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS rels, sum(size(keys(r))) AS props")
    return {"nodes": n["nodes"], "labels": n["labels"], "node_props": n["props"] or 0,
            "rels": r["rels"], "rel_props": r["props"] or 0}


def labels_of(driver: Any, uri: str) -> set[str]:
    records, _, _ = driver.execute_query("MATCH (n:Resource {uri: $uri}) RETURN labels(n) AS l", uri=uri)
    assert len(records) == 1, uri
    return set(records[0]["l"])


# ------------------------------------------------------------------ server tests


@pytest.mark.neo4j
def test_labels_constraint_and_model(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    Neo4jWriter(server.uri, auth=server.auth).connect().close()  # the constraint, on an empty database
    # the queries use the constraint's index, and the plans made on an empty database (no statistics)
    # expand between the two endpoints instead of scanning relationships (which would grow with the graph)
    db.execute_query("CALL db.clearQueryCaches()")
    onto = mapping.ontology
    plans = {
        "nodes": nodes_query(onto),
        "evidence": evidence_query(EVIDENCE_KEYS, onto),
        "edges": edges_query(onto),
    }
    for name, query in plans.items():
        plan = repr(db.execute_query("EXPLAIN " + query, rows=[], docs=[], types={}).summary.plan)
        assert "NodeUniqueIndexSeek" in plan, name
        assert "RelationshipsScan" not in plan and "RelationshipTypeScan" not in plan, name
    edges_plan = repr(db.execute_query("EXPLAIN " + plans["edges"], rows=[], types={}).summary.plan)
    assert edges_plan.count("Expand(Into)") >= len(domain_rel_types(onto))  # one per merged type

    doc = mapped(record_a(), mapping)
    writer = write(server, [doc])
    assert writer.report.documents_written == 1 and writer.report.nodes_created > 0

    event = next(n.iri for n in doc.nodes if "/event/" in n.iri)
    assert labels_of(db, event) == {"Resource", "Airstrike", "Attack", "Conflict", "Event"}
    assert labels_of(db, "https://w3id.org/kg-news/id/state/israel") == {"Resource", "State", "Organization",
                                                                           "Place", "Actor"}
    assert labels_of(db, doc.doc_iri) == {"Resource", "Document"}
    ev = doc.evidence[0].iri
    assert labels_of(db, ev) == {"Resource", "Evidence"}
    (unlabelled,), _, _ = db.execute_query("MATCH (n) WHERE NOT n:Resource RETURN count(n) AS c")
    assert unlabelled["c"] == 0

    constraints, _, _ = db.execute_query("SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties")
    assert any(c["type"] == "UNIQUENESS" and c["labelsOrTypes"] == ["Resource"] and c["properties"] == ["uri"]
               for c in constraints)
    # properties: document, event (ISO date stays a string; integers stay integers); nodes have no docs list
    (d,), _, _ = db.execute_query("MATCH (d:Document {uri: $u}) RETURN properties(d) AS p", u=doc.doc_iri)
    assert d["p"]["docId"] == "a" and d["p"]["title"] == "Strike in Lebanon"
    assert d["p"]["published"] == "2024-03-05" and "docs" not in d["p"]
    assert d["p"]["url"] == "https://news.example/a" and len(d["p"]["sha256"]) == 64
    assert len(d["p"]["kgDigest"]) == 64
    (e,), _, _ = db.execute_query("MATCH (e:Event) RETURN properties(e) AS p")
    assert e["p"]["date"] == "2024-03-04" and e["p"]["killed"] == 3 and e["p"]["trigger"] == "struck"
    assert "docs" not in e["p"]
    (n,), _, _ = db.execute_query("MATCH (n) WHERE n.docs IS NOT NULL RETURN count(n) AS c")
    assert n["c"] == 0

    # every edge of the mapped doc is a relationship with docs and evidence; the evidence node names it
    for edge in doc.edges:
        rel = edge.predicate.rsplit("#", 1)[1]
        records, _, _ = db.execute_query(
            f"MATCH (:Resource {{uri: $s}})-[r:`{rel}`]->(:Resource {{uri: $o}}) RETURN properties(r) AS p",
            s=edge.subject, o=edge.object,
        )
        assert len(records) == 1
        assert records[0]["p"]["docs"] == [doc.doc_iri]
        if edge.evidence is None:  # a happening key is derived from the event's values, not quoted
            assert rel == "happeningKey" and "evidence" not in records[0]["p"]
            continue
        assert edge.evidence in records[0]["p"]["evidence"]
        (ev,), _, _ = db.execute_query(
            "MATCH (ev:Evidence {uri: $u})-[:document]->(d:Document) RETURN properties(ev) AS p, d.uri AS d",
            u=edge.evidence,
        )
        assert (ev["p"]["subject"], ev["p"]["predicate"], ev["p"]["object"]) == (edge.subject, edge.predicate,
                                                                                  edge.object)
        assert ev["d"] == doc.doc_iri
        assert {"rule", "charStart", "charEnd", "quote", "sentenceIndex", "confidence", "sentenceText"} <= set(ev["p"])
    # node assertions: (node)-[:evidence]->(ev); entities/events: (n)-[:mentionedIn]->(doc)
    node_evs = [ev for ev in doc.evidence if ev.statement is None]
    records, _, _ = db.execute_query("MATCH (n)-[:evidence]->(ev:Evidence) RETURN n.uri AS n, ev.uri AS ev")
    assert {(r["n"], r["ev"]) for r in records} == {(ev.about, ev.iri) for ev in node_evs}
    records, _, _ = db.execute_query("MATCH (n)-[:mentionedIn]->(d:Document) RETURN n.uri AS n, d.uri AS d")
    assert {(r["n"], r["d"]) for r in records} == {(n.iri, doc.doc_iri) for n in doc.nodes if n.iri != doc.doc_iri}


@pytest.mark.neo4j
def test_same_iris_as_the_rdf_sink(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    docs = [mapped(record_a(), mapping), mapped(record_b(), mapping)]
    write(server, docs)
    records, _, _ = db.execute_query("MATCH (n) RETURN n.uri AS u")
    uris = {r["u"] for r in records}
    rels, _, _ = db.execute_query("MATCH (s)-[r]->(o) RETURN s.uri AS s, type(r) AS t, o.uri AS o")
    rel_set = {(r["s"], r["t"], r["o"]) for r in rels}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    ontology = mapping.ontology
    for doc in docs:
        for s, p, o in doc_triples(doc):
            if str(p) == rdf_type:
                if str(s) in uris:  # rdf:Statement has no label; all classes of the ontology are labels
                    assert str(o) not in ontology.classes or str(o).rsplit("#", 1)[1] in labels_of(db, str(s))
                continue
            assert str(s) in uris
            if str(p) in ontology.object_properties:
                assert (str(s), str(p).rsplit("#", 1)[1], str(o)) in rel_set


@pytest.mark.neo4j
def test_injection_text_is_stored_verbatim(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    write(server, [mapped(record_b(), mapping)])
    before = counts(db)
    doc = mapped(record_injection(), mapping)
    write(server, [doc])
    after = counts(db)
    assert after["nodes"] > before["nodes"]  # nothing was deleted: B's graph is all still there
    b_only, _, _ = db.execute_query(
        "MATCH (n)-[:mentionedIn]->(:Document {uri: $b}) WHERE COUNT { (n)-[:mentionedIn]->() } = 1 "
        "RETURN count(n) AS c", b="https://w3id.org/kg-news/id/doc/b")
    assert b_only[0]["c"] > 0

    (d,), _, _ = db.execute_query("MATCH (d:Document {uri: $u}) RETURN d.title AS t, d.docId AS i", u=doc.doc_iri)
    assert d["t"] == INJECTION and d["i"] == "inj`'\""
    names, _, _ = db.execute_query("MATCH (g:ArmedGroup) RETURN g.name AS n")
    assert f"Group {INJECTION}" in {r["n"] for r in names}
    quotes, _, _ = db.execute_query("MATCH (e:Evidence) WHERE e.quote = $q RETURN count(e) AS c", q=INJECTION)
    assert quotes[0]["c"] >= 1
    # a fresh load of both gives exactly this graph: the injection changed nothing else
    state = snapshot(db)
    db.execute_query("MATCH (n) DETACH DELETE n")
    write(server, [mapped(record_b(), mapping), doc])
    assert snapshot(db) == state


@pytest.mark.neo4j
def test_loading_twice_changes_nothing(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    docs = [mapped(r, mapping) for r in (record_a(), record_b(), *(record_c(i) for i in range(5)))]
    write(server, docs)
    first, state = counts(db), snapshot(db)
    writer = write(server, docs)
    assert counts(db) == first and snapshot(db) == state
    report = writer.report
    assert report.documents_unchanged == len(docs) and report.documents_written == 0
    assert report.nodes_created == report.relationships_created == report.properties_set == 0
    # forcing a rewrite (retract and write again) also ends with the same graph
    writer = write(server, docs, force=True)
    assert writer.report.documents_retracted == len(docs)
    assert counts(db) == first and snapshot(db) == state


@pytest.mark.neo4j
def test_changed_document_leaves_nothing_stale(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    a1, a2, b = mapped(record_a(1), mapping), mapped(record_a(2), mapping), mapped(record_b(), mapping)
    write(server, [a1, b])
    writer = write(server, [a2])
    assert writer.report.documents_retracted == 1 and writer.report.documents_written == 1
    state = snapshot(db)
    # no trace of version 1: the airstrike event, its killed count and its evidence are gone
    (n,), _, _ = db.execute_query("MATCH (n:Airstrike) RETURN count(n) AS c")
    assert n["c"] == 0
    (n,), _, _ = db.execute_query("MATCH (e:Evidence) WHERE e.quote = 'struck' RETURN count(e) AS c")
    assert n["c"] == 0
    # exactly the graph of loading version 2 (and B) into an empty database
    db.execute_query("MATCH (n) DETACH DELETE n")
    write(server, [b, a2])
    assert snapshot(db) == state


@pytest.mark.neo4j
def test_retract_keeps_what_other_documents_support(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    a, b = mapped(record_a(), mapping), mapped(record_b(), mapping)
    write(server, [b])
    only_b = snapshot(db)
    db.execute_query("MATCH (n) DETACH DELETE n")
    write(server, [a, b])
    shared = "https://w3id.org/kg-news/id/armedgroup/hezbollah"
    (h,), _, _ = db.execute_query("MATCH (n {uri: $u})-[:mentionedIn]->(d) RETURN collect(d.uri) AS d", u=shared)
    assert sorted(h["d"]) == [a.doc_iri, b.doc_iri]
    (r,), _, _ = db.execute_query("MATCH ()-[r:subOrganizationOf]->() RETURN r.docs AS d, r.evidence AS e")
    assert sorted(r["d"]) == [a.doc_iri, b.doc_iri] and len(r["e"]) == 2

    with Neo4jWriter(server.uri, auth=server.auth) as writer:
        result = writer.retract([a.doc_iri, "https://w3id.org/kg-news/id/doc/never-loaded"])
    assert result["documents"] == 1 and result["nodes_deleted"] > 0 and result["relationships_deleted"] > 0
    assert snapshot(db) == only_b  # shared nodes/edges keep B's support only; A's own nodes are gone
    (israel,), _, _ = db.execute_query("MATCH (n {uri: $u}) RETURN count(n) AS c",
                                       u="https://w3id.org/kg-news/id/state/israel")
    assert israel["c"] == 0

    with Neo4jWriter(server.uri, auth=server.auth) as writer:
        assert writer.retract([a.doc_iri])["documents"] == 0  # idempotent
        writer.retract([b.doc_iri])
    assert counts(db)["nodes"] == 0


@pytest.mark.neo4j
def test_small_batches_give_the_same_graph(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    docs = [mapped(r, mapping) for r in (record_a(), record_b(), *(record_c(i) for i in range(4)))]
    write(server, docs, batch_size=2000)
    state = snapshot(db)
    db.execute_query("MATCH (n) DETACH DELETE n")
    writer = write(server, docs, batch_size=3)
    assert writer.report.batches > len(docs)
    assert snapshot(db) == state
    writer = write(server, docs, batch_size=3)  # and re-loading in small batches changes nothing
    assert writer.report.documents_unchanged == len(docs) and snapshot(db) == state
    a2 = mapped(record_a(2), mapping)
    write(server, [a2], batch_size=3)
    changed = snapshot(db)
    db.execute_query("MATCH (n) DETACH DELETE n")
    write(server, [a2, *docs[1:]], batch_size=500)
    assert snapshot(db) == changed


@pytest.mark.neo4j
def test_edge_asserted_again_by_a_later_batch_is_one_relationship(db: Any, server: Neo4jServer,
                                                                   mapping: Mapping) -> None:
    """A and B both say the Air Force is part of the IDF; B comes in a later transaction (the MERGE path)."""
    a, b = mapped(record_a(), mapping), mapped(record_b(), mapping)
    write(server, [a])
    write(server, [b])
    (r,), _, _ = db.execute_query("MATCH ()-[r:subOrganizationOf]->() RETURN r.docs AS d, r.evidence AS e")
    assert sorted(r["d"]) == [a.doc_iri, b.doc_iri] and len(r["e"]) == 2
    state = snapshot(db)
    db.execute_query("MATCH (n) DETACH DELETE n")
    write(server, [a, b])  # one transaction (merged in Python) gives the same graph
    assert snapshot(db) == state
    with Neo4jWriter(server.uri, auth=server.auth) as writer:
        writer.retract([b.doc_iri])
    (r,), _, _ = db.execute_query("MATCH ()-[r:subOrganizationOf]->() RETURN r.docs AS d, r.evidence AS e")
    assert r["d"] == [a.doc_iri] and len(r["e"]) == 1


@pytest.mark.neo4j
def test_split_document_that_failed_half_way_is_rewritten(db: Any, server: Neo4jServer, mapping: Mapping,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A document split across transactions whose third one failed leaves nothing unreachable behind: the
    next run replaces it (here by a changed version) and no node of the failed version is left over."""
    b, a1, a2 = mapped(record_b(), mapping), mapped(record_a(1), mapping), mapped(record_a(2), mapping)
    write(server, [b])
    write(server, [a2], batch_size=7)
    clean = snapshot(db)
    db.execute_query("MATCH (n) DETACH DELETE n")
    write(server, [b])

    calls = {"n": 0}
    real = Neo4jWriter._write_work

    def failing(self: Neo4jWriter, tx: Any, parts: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise TargetError("injected failure")
        return real(self, tx, parts)

    monkeypatch.setattr(Neo4jWriter, "_write_work", failing)
    with pytest.raises(TargetError, match="injected"):
        write(server, [a1], batch_size=7)
    monkeypatch.undo()
    (d,), _, _ = db.execute_query("MATCH (d:Document {uri: $u}) RETURN d.kgDigest AS k", u=a1.doc_iri)
    assert d["k"] is None  # two slices committed, no digest
    (n,), _, _ = db.execute_query("MATCH (:Evidence)-[:document]->(:Document {uri: $u}) RETURN count(*) AS c",
                                  u=a1.doc_iri)
    assert n["c"] > 0  # some of the failed version was written
    writer = write(server, [a2], batch_size=7)
    assert writer.report.documents_retracted == 1
    assert snapshot(db) == clean


@pytest.mark.neo4j
def test_batches_in_flight_build_the_same_graph_as_one_at_a_time(db: Any, server: Neo4jServer,
                                                                 mapping: Mapping) -> None:
    """Two transactions in flight (the default) share nodes and edges across batches: same graph as sending
    one batch at a time, and a document listed again while its first copy is in flight is not written twice."""
    a, b = mapped(record_a(), mapping), mapped(record_b(), mapping)
    docs = [a, a, *(mapped(record_c(i), mapping) for i in range(4)), b, b, a]
    serial = write(server, docs, batch_size=50, background=False)  # about one document per batch
    expected = snapshot(db)
    db.execute_query("MATCH (n) DETACH DELETE n")
    piped = write(server, docs, batch_size=50)
    assert piped.report.batches == serial.report.batches >= 6
    assert piped.report.documents_unchanged == serial.report.documents_unchanged == 3
    assert snapshot(db) == expected
    (r,), _, _ = db.execute_query("MATCH ()-[r:subOrganizationOf]->() RETURN count(r) AS c, collect(r.docs) AS d")
    assert r["c"] == 1 and sorted(r["d"][0]) == sorted([a.doc_iri, b.doc_iri])


@pytest.mark.neo4j
def test_retracting_many_documents_at_once(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    """Documents sharing nodes and an edge, retracted in one transaction; one of them twice."""
    docs = [mapped(r, mapping) for r in (record_a(), record_b(), *(record_c(i) for i in range(3)))]
    write(server, docs)
    shared = min({n.iri for n in docs[0].nodes} & {n.iri for n in docs[1].nodes} - {docs[0].doc_iri})
    (n,), _, _ = db.execute_query("MATCH ({uri: $u})-[:mentionedIn]->(d) RETURN count(d) AS c", u=shared)
    assert n["c"] >= 2
    with Neo4jWriter(server.uri, auth=server.auth) as writer:
        writer.retract([docs[0].doc_iri])
    (n2,), _, _ = db.execute_query("MATCH ({uri: $u})-[:mentionedIn]->(d) RETURN count(d) AS c", u=shared)
    assert n2["c"] == n["c"] - 1  # still supported by the others
    with Neo4jWriter(server.uri, auth=server.auth) as writer:
        result = writer.retract([d.doc_iri for d in docs])
    assert result["documents"] == len(docs) - 1  # the first one was already gone
    assert counts(db)["nodes"] == 0


def test_evidence_of_another_document_is_refused(mapping: Mapping) -> None:
    """An evidence node belongs to the document its offsets are in (the sink creates it with that document)."""
    doc = mapped(record_a(), mapping)
    z = "https://w3id.org/kg-news/id/doc/z"
    odd = MappedDoc("z", z, (Node(z, (str(KGO.Document),)),), (), (replace(doc.evidence[0], document=z),))
    with pytest.raises(ConfigError, match=r"evidence .* is not under the IRI of its document"):
        RowBuilder(load_ontology()).rows(odd)


@pytest.mark.neo4j
def test_same_new_document_from_two_writers_fails_instead_of_duplicating(
    db: Any, server: Neo4jServer, mapping: Mapping
) -> None:
    """Another writer creates the same document while this one loads it: this one fails, cleanly."""
    doc = mapped(record_a(), mapping)
    Neo4jWriter(server.uri, auth=server.auth).connect().close()
    errors: list[BaseException] = []
    with db.session() as session:
        other = session.begin_transaction()
        other.run("CREATE (:Resource {uri: $u})", u=doc.doc_iri).consume()  # not committed yet

        def load() -> None:
            try:
                write(server, [doc], max_retries=1, transaction_retry_time=1)
            except BaseException as exc:  # noqa: BLE001 - checked below
                errors.append(exc)

        loader = threading.Thread(target=load)
        loader.start()
        time.sleep(2)  # the loader read "absent" and now waits for the uniqueness lock
        other.commit()
        loader.join(60)
    assert not loader.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], TargetError), errors
    assert "already exists" in str(errors[0])
    (n,), _, _ = db.execute_query("MATCH (n) RETURN count(n) AS c")
    (r,), _, _ = db.execute_query("MATCH ()-[r]->() RETURN count(r) AS c")
    assert n["c"] == 1 and r["c"] == 0  # the other writer's node only: nothing of this load was committed


@pytest.mark.neo4j
def test_hand_built_doc_and_multivalued_props(db: Any, server: Neo4jServer) -> None:
    base = "https://example.org/"
    doc_iri = base + "doc/h"
    person, org = base + "person/x", base + "org/y"
    ev = Evidence(base + "doc/h/ev/1", doc_iri, "hand", 0, 4, "X Y", 0, 0.5, person,
                  statement=(person, KGO_NS + "memberOf", org))
    doc = MappedDoc(
        "h", doc_iri,
        nodes=(
            Node(doc_iri, (str(KGO.Document),), (
                (KGO_NS + "docId", Lit("h")),
                (KGO_NS + "published", Lit("2024-01-02T03:04:05Z", XSD + "dateTime")),
            )),
            Node(person, (KGO_NS + "Person",), ((KGO_NS + "name", Lit("X")), (KGO_NS + "name", Lit("Mr X")))),
        ),
        edges=(Edge(person, KGO_NS + "memberOf", org, ev.iri),),  # org is not among the nodes
        evidence=(ev,),
    )
    write(server, [doc])
    (p,), _, _ = db.execute_query("MATCH (p:Person) RETURN p.name AS n")
    assert p["n"] == ["X", "Mr X"]
    assert labels_of(db, org) == {"Resource"}
    (d,), _, _ = db.execute_query("MATCH (d:Document) RETURN d.published AS p")
    assert d["p"] == "2024-01-02T03:04:05Z"
    with Neo4jWriter(server.uri, auth=server.auth) as writer:
        writer.retract([doc_iri])
    assert counts(db)["nodes"] == 0


@pytest.mark.neo4j
def test_run_cypher_reads(db: Any, server: Neo4jServer, mapping: Mapping) -> None:
    write(server, [mapped(record_a(), mapping)])
    columns, rows = run_cypher(server.uri, "MATCH (n:State) RETURN n.name AS name, n ORDER BY name", {}, None,
                               server.auth)
    assert columns == ["name", "n"]
    assert [r[0] for r in rows] == ["Israel", "Lebanon"]
    assert rows[0][1]["_labels"] == ["Actor", "Organization", "Place", "Resource", "State"]
    columns, rows = run_cypher(server.uri, "MATCH (n {uri: $u}) RETURN n.docId AS id", {"u": mapped(
        record_a(), mapping).doc_iri}, None, server.auth)
    assert rows == [["a"]]
    columns, rows = run_cypher(server.uri, "MATCH p = (:Event)-[r:agent]->(a) RETURN r, a.uri AS a, p", {}, None,
                               server.auth)
    assert columns == ["r", "a", "p"] and len(rows) == 1
    rel, agent, path = rows[0]
    assert rel["_type"] == "agent" and rel["_end"] == agent == "https://w3id.org/kg-news/id/state/israel"
    assert rel["docs"] == ["https://w3id.org/kg-news/id/doc/a"] and len(rel["evidence"]) == 1
    assert [item.get("_type") for item in path] == [None, "agent", None]
    with pytest.raises(ConfigError, match="read-only"):
        run_cypher(server.uri, "CREATE (n:X) RETURN n", {}, None, server.auth)
    with pytest.raises(ConfigError, match="syntax"):
        run_cypher(server.uri, "MATCH (n RETURN n", {}, None, server.auth)
    (c,), _, _ = db.execute_query("MATCH (n:X) RETURN count(n) AS c")
    assert c["c"] == 0


@pytest.mark.neo4j
def test_wrong_password_is_a_target_error(built: None, tmp_path: Path, mapping: Mapping) -> None:
    password = "Sekr1t-pw-42!"
    with Neo4jServer(tmp_path / "neo4j", password=password) as srv:
        wrong = "not-the-Sekr1t-42"
        with pytest.raises(TargetError) as info:
            Neo4jWriter(srv.uri, auth=("neo4j", wrong)).connect()
        message = str(info.value)
        assert info.value.exit_code == 2
        assert "authentication failed for user 'neo4j'" in message and srv.uri in message
        assert wrong not in message and password not in message and "\n" not in message
        with pytest.raises(TargetError) as info:
            Neo4jWriter(srv.uri, auth=None).connect()
        assert "authentication failed" in str(info.value) and info.value.exit_code == 2
        with pytest.raises(TargetError) as info:
            run_cypher(srv.uri, "RETURN 1", {}, None, ("neo4j", wrong))
        assert wrong not in str(info.value) and "authentication failed" in str(info.value)
        time.sleep(5.5)  # the server locks the user for 5 s after 3 failed attempts
        writer = Neo4jWriter(srv.uri, auth=credentials_from_env({"NEO4J_PASSWORD": password}))
        assert password not in repr(writer)
        with writer:
            writer.write(mapped(record_a(), mapping))
        assert writer.report.documents_written == 1


@pytest.mark.neo4j
def test_survives_a_server_restart_and_gives_up_cleanly(built: None, tmp_path: Path, mapping: Mapping) -> None:
    docs = [mapped(record_c(i), mapping) for i in range(6)]
    with Neo4jServer(tmp_path / "neo4j") as srv:
        writer = Neo4jWriter(srv.uri, batch_size=20, retry_delay=0.5, max_retries=8, transaction_retry_time=0.5)
        with writer:
            writer.write(docs[0])
            writer.flush()
            srv.kill()
            def restart() -> None:
                time.sleep(1)
                srv.start()

            restarter = threading.Thread(target=restart)
            restarter.start()
            try:
                for doc in docs[1:]:
                    writer.write(doc)
                writer.flush()
            finally:
                restarter.join()
        assert writer.report.retries >= 1
        assert writer.report.documents_written == len(docs)
        with neo4j.GraphDatabase.driver(srv.uri, auth=None) as driver:
            (c,), _, _ = driver.execute_query("MATCH (d:Document) RETURN count(d) AS c")
            assert c["c"] == len(docs)

        writer = Neo4jWriter(srv.uri, batch_size=20, retry_delay=0.1, max_retries=2, transaction_retry_time=1)
        writer.connect()
        srv.kill()  # and it stays down
        started = time.monotonic()
        with pytest.raises(TransientTargetError) as info:
            writer.write(mapped(record_c(99), mapping))
            writer.flush()
        assert time.monotonic() - started < 30
        assert info.value.exit_code == 2 and srv.uri in str(info.value) and "\n" not in str(info.value)
        writer.close(flush=False)
