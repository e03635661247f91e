"""Neo4j sink: mapped documents -> a property graph, written in batches of parameterised ``UNWIND`` queries.
May import kg.mapping, kg.ontology, kg.records, kg.settings, kg.errors, kg.sinks; never kg.extract, kg.sources or the RDF writer.

The property graph carries the same information as the RDF sink (:func:`kg.sinks.rdf.doc_triples`), with the same
IRIs. Schema (``<Class>`` / ``<property>`` are ontology local names, see below)::

    // constraints and indexes (created by Neo4jWriter.connect(), idempotent)
    CREATE CONSTRAINT kg_resource_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE;
    CREATE INDEX kg_document_docid IF NOT EXISTS FOR (n:Document) ON (n.docId);
    CREATE INDEX kg_resource_name  IF NOT EXISTS FOR (n:Resource) ON (n.name);

    // every node
    (:Resource:<Class>:<SuperClass>... {
        uri: STRING,                   // the IRI, as in the RDF output; unique
        <datatypeProperty>: value | LIST<value>  // e.g. name, wikidata, trigger, modality, date, killed
    })
    //   labels: the node's ontology class and all its superclasses defined in the ontology
    //   (kgo:Airstrike -> :Airstrike:Attack:Conflict:Event; kgo:State -> :State:Organization:Place:Actor).
    //   Values are Lit.value as Python gives it: str, int or float. Dates and dateTimes stay ISO strings
    //   ("2024-03-01"), so they compare and sort lexicographically, which for ISO 8601 is chronological.
    //   A property with several values in one document is a list.

    (:Resource:Document {uri, docId, title, published, url, sha256,
                         kgDigest})    // kgDigest: fingerprint of what this sink wrote for the document

    (:Resource:Evidence {uri, rule, charStart, charEnd, quote, sentenceIndex,
                         confidence, sentenceText,          // sentenceText only when known
                         subject, predicate, object})       // IRI strings, only for edge assertions

    // provenance: one relationship per (node, document); these are what a node's support is made of
    (n:Resource)-[:mentionedIn]->(d:Document)   // every entity/event node of a document (and any IRI its
                                                // edges/evidence name without listing it: such a node
                                                // has only :Resource)
    (ev:Evidence)-[:document]->(d:Document)     // every evidence
    (n:Resource)-[:evidence]->(ev:Evidence)     // node assertions (an entity/event exists)

    // domain relationships: one per (subject, type, object), however many documents assert it
    (s:Resource)-[:<objectProperty> {docs: LIST<STRING>, evidence: LIST<STRING>}]->(o:Resource)
        // agent, target, place, instrument, reportedBy, memberOf, subOrganizationOf, commands, ...
        // docs: IRIs of the documents that assert the edge (for retraction)
        // evidence: IRIs of the Evidence nodes that support the edge (absent when none)

A node's documents are the ends of its ``mentionedIn`` (or, for evidence, ``document``) relationships:
``MATCH (n {uri: $u})-[:mentionedIn]->(d:Document) RETURN d.uri``. Nodes carry no list of documents, so a
node mentioned by every article (a country) costs one relationship per article and is never rewritten.

Safety: labels, relationship types and property keys are only ever ontology terms, turned into names by
:func:`kg.ontology.neo4j_name` (which refuses anything but ``[A-Za-z][A-Za-z0-9_]*``) and checked against
``ontology.classes`` / ``ontology.object_properties`` / ``ontology.datatype_properties`` (plus the fixed keys
above) by :class:`RowBuilder`. The names that appear in Cypher text (the types of merged domain
relationships, the evidence keys, the sink's own label and types) are checked again when the query is built;
node labels, node property keys and the types of created relationships travel as parameters
(``SET n:$(row.labels)``, ``SET n += row.props``, ``CREATE (s)-[:$(row.type)]->(o)``). Every value - IRIs,
names, quotes, sentences from articles - is sent as a query parameter. Article text never reaches Cypher
text.

Writing: each document becomes rows; they are buffered and sent ``batch_size`` rows (nodes and relationships;
default 10,000) at a time, one transaction per batch (``session.execute_write``), with the same few queries
whatever the batch holds, in this order: the digest check (below); ``CREATE`` of the Document nodes of the
documents the batch starts; ``CREATE`` of the evidence nodes with their ``document`` relationships (grouped
per document, so each Document node is looked up once); every other node (``MERGE`` on the unique
constraint's index, labels and properties as parameters) with its ``mentionedIn`` and ``evidence``
relationships; the domain relationships; the digests. Evidence nodes and provenance relationships are
``CREATE``d: they belong to one document (an evidence IRI must lie under its document's IRI, as the mapping
mints it), and the digest check guarantees that the document's previous version is gone (retracted in the
same transaction). A domain relationship with an endpoint that has no domain relationship yet (like every
event new in this transaction) cannot exist and is ``CREATE``d too; the others are ``MERGE``d, in the same
query, by one subquery per type (a static type: the plan expands between the two bound endpoints), and get
the document and evidence IRIs appended to their lists.
Every query starts with ``CYPHER replan=skip``: the plans do not depend on statistics, and replanning while
the graph grows would only cost time.

By default (``background=True``) helper threads send the batches while the next one is built, two at a time:
a batch's transaction starts once the previous batch has run all its queries, so the server creates the new
batch's documents and evidence nodes (nothing the previous batch touches) while the previous one commits,
and the new batch's nodes query then waits on the locks of the nodes both write until that commit is done.
Locks are thus always taken batch after batch (no deadlock between the two), and a batch never acts on half
of the previous one. A document is never in flight twice.

Re-ingest replaces: each Document node stores ``kgDigest``, a SHA-256 over exactly what this sink writes
for the document (labels, properties, relationships, evidence). At the start of the batch that writes a
document, in the same transaction, the stored digest is read: equal -> the document is skipped (loading the
same input twice writes nothing, so no count changes); different or missing -> the document's previous
support is retracted and its new rows are written, all in one transaction (readers never see it half
replaced). ``sha256`` of the text alone would not do: a changed mapping or ontology changes the graph
without changing the text. The digest is written in the document's last batch, so a document split across
batches that failed half-way is retracted and rewritten on the next run (a node and its ``mentionedIn``, an
evidence node and its ``document`` relationship, always go in the same batch, so what a failed run left
is reachable from the Document node).

Retraction of a document D deletes D's ``mentionedIn`` and ``document`` relationships and every node left
with neither (a Document node with a ``kgDigest`` is its own support); removes D from the ``docs`` list (and
D's evidence from the ``evidence`` list) of the domain relationships of the nodes D mentions, deleting those
whose ``docs`` becomes empty; and deletes D's Document node. It starts from D's Document node and walks
``mentionedIn`` / ``document`` relationships and the domain relationships of the nodes D mentions, so it
never scans the whole graph. Properties of nodes that other documents still support keep their last written
values (entity names and Wikidata ids are the same in every document; event and evidence nodes belong to
one document), and so do their labels. A property a document does not give is left as it is on a node that
already exists.

Cost to know about: ``docs`` and ``evidence`` on a domain relationship grow with the number of documents
that assert that same edge (a unit's ``subOrganizationOf`` its army, say), and such a list is rewritten
whenever a batch asserts the edge again. Nodes have no such list.

Concurrency: writers loading different documents may run at the same time (the unique constraint serialises
node creation, ``MERGE`` locks both endpoints of a shared relationship, and a writer sees another's new node
only once that one has committed it with its relationships). The same document loaded by two writers at once
makes one of them fail on the unique constraint (``CREATE`` of its Document node) rather than duplicate
anything.

Edges whose predicate is a provenance property (kgo:mentionedIn, kgo:document, kgo:evidence) are refused:
those relationship types are the sink's own bookkeeping.

Modules: :mod:`.cypher` (the Cypher text and the name whitelist, pure), :mod:`.rows` (a MappedDoc as rows, its
digest, batches), :mod:`.driver` (the driver, its errors, credentials), :mod:`.writer` (:class:`Neo4jWriter`),
:mod:`.read` (``kg cypher``). :func:`open_sink` gives the writer as a :class:`kg.sinks.Sink`
(:class:`Neo4jSink`), which is what runs use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from kg.sinks import Retraction
from kg.sinks.neo4j.cypher import (
    PLAN_OPTIONS,
    allowed_keys,
    allowed_labels,
    allowed_rel_types,
    check_query,
    constraint_statements,
    digest_query,
    documents_query,
    domain_rel_types,
    edges_query,
    evidence_query,
    merge_edge_clause,
    nodes_query,
    retract_queries,
)
from kg.sinks.neo4j.driver import URI_SCHEMES, credentials_from_env, safe_uri
from kg.sinks.neo4j.read import run_cypher
from kg.sinks.neo4j.rows import DocRows, RowBuilder
from kg.sinks.neo4j.writer import DEFAULT_BATCH_SIZE, Neo4jReport, Neo4jWriter, write_neo4j

if TYPE_CHECKING:
    from kg.mapping import MappedDoc, Mapping
    from kg.settings import Settings

__all__ = [
    "DEFAULT_BATCH_SIZE", "PLAN_OPTIONS", "URI_SCHEMES", "DocRows", "Neo4jReport", "Neo4jSink", "Neo4jWriter",
    "RowBuilder", "open_sink",
    "allowed_keys", "allowed_labels", "allowed_rel_types", "check_query", "constraint_statements",
    "credentials_from_env", "digest_query", "documents_query", "domain_rel_types", "edges_query", "evidence_query",
    "merge_edge_clause", "nodes_query", "retract_queries", "run_cypher", "safe_uri", "write_neo4j",
]


class Neo4jSink:
    """The Neo4j writer seen as a :class:`kg.sinks.Sink`: commit flushes the last batch, abort drops unsent rows."""

    def __init__(self, target: str, settings: Settings, mapping: Mapping) -> None:
        # Bounded retries: a server that stays away ends the run in well under a minute, cleanly.
        self.writer = Neo4jWriter(target, database=settings.neo4j.database, auth=credentials_from_env(),
                                  batch_size=settings.neo4j.batch_size, ontology=mapping.ontology,
                                  max_retries=4, retry_delay=1.0, transaction_retry_time=5.0)
        self.writer.connect()

    def __repr__(self) -> str:  # no password
        return f"Neo4jSink({self.writer!r})"

    def write(self, doc: MappedDoc) -> None:
        self.writer.write(doc)

    def commit(self) -> None:
        self.writer.close(flush=True)

    def abort(self) -> None:
        self.writer.close(flush=False)

    def retract(self, doc_iris: Sequence[str]) -> Retraction:
        """Remove these documents (committed at once); counts are the server's: nodes and relationships deleted."""
        docs = list(dict.fromkeys(doc_iris))
        removed: list[str] = []
        counts = self.writer.retract(docs, found=removed)
        gone = set(removed)
        return Retraction(
            found=[d for d in docs if d in gone],
            missing=[d for d in docs if d not in gone],
            counts={"nodes": counts.get("nodes_deleted", 0), "relationships": counts.get("relationships_deleted", 0)},
        )

    def counts(self) -> dict[str, int]:
        """What the writer did so far, from the server's counters (:class:`Neo4jReport`); deletions (documents
        replaced by a changed version) only when there were any."""
        report = asdict(self.writer.report)
        shown = ["documents_written", "documents_unchanged", "nodes_created", "relationships_created",
                 "properties_set"]
        shown += [key for key in ("documents_retracted", "nodes_deleted", "relationships_deleted") if report[key]]
        return {key: int(report[key]) for key in shown}


def open_sink(target: str, settings: Settings, mapping: Mapping) -> Neo4jSink:
    """A connected Neo4j sink for ``target`` (``bolt://`` or ``neo4j://``; credentials from the environment)."""
    return Neo4jSink(target, settings, mapping)
