"""A MappedDoc as property-graph rows for the Neo4j sink's batch queries, its digest, and the batch helpers.

Every class, property and predicate is checked against the ontology here (:class:`RowBuilder`), so the rows
carry only whitelisted labels, keys and relationship types.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from kg.errors import ConfigError
from kg.mapping import Lit, MappedDoc
from kg.ontology import KGO, Ontology, neo4j_name
from kg.sinks.neo4j.cypher import PROVENANCE, RESERVED_KEYS, RESOURCE, STATEMENT_KEYS

SCHEMA_VERSION = "kg-neo4j-2"

# ------------------------------------------------------------------ rows: a MappedDoc as property-graph rows


Value = str | int | float | list[str] | list[int] | list[float]


@dataclass(slots=True)
class _NodeRow:
    uri: str
    labels: list[str]
    props: dict[str, list[str | int | float]]
    evidence: list[str] = field(default_factory=list)


# The kinds of item a document is made of, in the order they are written. Each item is written whole in one
# batch: a node with its mentionedIn relationship, an evidence node with its document relationship and the
# evidence relationship from the node it is about.
NODE, EVIDENCE, EDGE = "node", "evidence", "edge"


@dataclass(slots=True)
class DocRows:
    """What one document contributes, as rows ready for the batch queries.

    ``items`` are ``(kind, row, size)`` in write order: the Document node first, then the other nodes
    (row ``{uri, labels, props}``, written with their ``mentionedIn``), the evidence nodes (``{uri, props,
    about}``, written with their ``document`` relationship and, for a node assertion, the ``evidence``
    relationship from the node ``about``) and the domain edges (``{s, type, o, evidence}``). ``size`` counts
    the nodes and relationships an item writes.
    """

    doc_iri: str
    digest: str
    items: list[tuple[str, dict[str, Any], int]]

    @property
    def size(self) -> int:
        return sum(size for _, _, size in self.items)

    @property
    def nodes(self) -> list[dict[str, Any]]:
        return [row for kind, row, _ in self.items if kind == NODE]


def _value(values: list[str | int | float]) -> Value:
    if len(values) == 1:
        return values[0]
    kinds = {type(v) for v in values}
    if kinds <= {int}:
        return cast(list[int], values)
    if kinds <= {int, float}:
        return [float(v) for v in values]
    if kinds <= {str}:
        return cast(list[str], values)
    return [str(v) for v in values]  # Neo4j lists are homogeneous


def _scalar(lit: Lit) -> str | int | float:
    value = lit.value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return value
    return str(value)


class RowBuilder:
    """Turns MappedDocs into rows, checking every class, property and predicate against the ontology."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self._labels: dict[str, tuple[str, ...]] = {}
        self._keys: dict[str, str] = {}
        self._types: dict[str, str] = {}
        self.document_class = self._need_class(str(KGO.Document))
        self._need_class(str(KGO.Evidence))
        for term in (KGO.mentionedIn, KGO.document, KGO.evidence):  # the provenance types the queries use
            self._need_property(str(term))
        self.evidence_keys = {  # in this order (rows() relies on it)
            term: self.key(str(term))
            for term in (KGO.rule, KGO.charStart, KGO.charEnd, KGO.quote, KGO.sentenceIndex,
                         KGO.confidence, KGO.sentenceText)
        }
        # every key an evidence row has (None when absent), in a fixed order
        self.evidence_row_keys = (*self.evidence_keys.values(), *STATEMENT_KEYS)

    def _need_class(self, iri: str) -> str:
        if iri not in self.ontology.classes:
            raise ConfigError(f"the ontology does not define {iri}, which the Neo4j sink needs",
                              where=str(self.ontology.path))
        return iri

    def _need_property(self, iri: str) -> None:
        if iri not in self.ontology.object_properties:
            raise ConfigError(f"the ontology does not define {iri}, which the Neo4j sink needs",
                              where=str(self.ontology.path))

    def labels(self, cls: str) -> tuple[str, ...]:
        found = self._labels.get(cls)
        if found is None:
            if cls not in self.ontology.classes:
                raise ConfigError(f"refusing Neo4j label for {cls!r}: not a class of the ontology",
                                  where=str(self.ontology.path))
            found = tuple(neo4j_name(c) for c in self.ontology.ancestors(cls))
            if RESOURCE in found:
                raise ConfigError(f"ontology class {cls!r} clashes with the Neo4j sink's own label {RESOURCE!r}")
            self._labels[cls] = found
        return found

    def key(self, prop: str) -> str:
        found = self._keys.get(prop)
        if found is None:
            if prop not in self.ontology.datatype_properties:
                raise ConfigError(f"refusing Neo4j property for {prop!r}: not a datatype property of the ontology",
                                  where=str(self.ontology.path))
            found = neo4j_name(prop)
            if found in RESERVED_KEYS or found in STATEMENT_KEYS:
                raise ConfigError(f"ontology property {prop!r} clashes with the Neo4j sink's own key {found!r}")
            self._keys[prop] = found
        return found

    def rel_type(self, prop: str) -> str:
        found = self._types.get(prop)
        if found is None:
            if prop not in self.ontology.object_properties:
                raise ConfigError(f"refusing Neo4j relationship type for {prop!r}: not an object property "
                                  "of the ontology", where=str(self.ontology.path))
            if prop in PROVENANCE:
                raise ConfigError(f"edges with predicate {prop!r} are refused: the Neo4j sink uses that "
                                  "relationship type for provenance")
            found = neo4j_name(prop)
            self._types[prop] = found
        return found

    def rows(self, doc: MappedDoc) -> DocRows:
        doc_iri = doc.doc_iri
        nodes: dict[str, _NodeRow] = {}

        def node(iri: str) -> _NodeRow:
            row = nodes.get(iri)
            if row is None:
                row = nodes[iri] = _NodeRow(iri, [], {})
            return row

        def add_labels(row: _NodeRow, cls: str) -> None:
            for label in self.labels(cls):
                if label not in row.labels:
                    row.labels.append(label)

        node(doc_iri)  # the Document node first: a document split across batches writes it first
        add_labels(nodes[doc_iri], self.document_class)
        for item in doc.nodes:
            row = node(item.iri)
            for cls in item.classes:
                add_labels(row, cls)
            for prop, lit in item.props:
                values = row.props.setdefault(self.key(prop), [])
                value = _scalar(lit)
                if value not in values:
                    values.append(value)

        edges: dict[tuple[str, str, str], list[str]] = {}
        for edge in doc.edges:
            rel = self.rel_type(edge.predicate)
            node(edge.subject)
            node(edge.object)
            evs = edges.setdefault((edge.subject, rel, edge.object), [])
            if edge.evidence is not None and edge.evidence not in evs:
                evs.append(edge.evidence)

        k_rule, k_start, k_end, k_quote, k_sentence, k_confidence, k_text = self.evidence_keys.values()
        k_subject, k_predicate, k_object = STATEMENT_KEYS
        evidence: dict[str, dict[str, Any]] = {}
        evidence_prefix = doc_iri + "/"
        for ev in doc.evidence:
            if not ev.iri.startswith(evidence_prefix):
                raise ConfigError(f"evidence {ev.iri} is not under the IRI of its document {doc_iri}: an evidence "
                                  "node belongs to the one document its offsets are in")
            statement = ev.statement or (None, None, None)
            evidence[ev.iri] = {
                "uri": ev.iri, k_rule: ev.rule, k_start: ev.start, k_end: ev.end, k_quote: ev.quote,
                k_sentence: ev.sentence, k_confidence: round(ev.confidence, 4), k_text: ev.sentence_text,
                k_subject: statement[0], k_predicate: statement[1], k_object: statement[2],
            }
            if ev.statement is None:
                row = node(ev.about)
                if ev.iri not in row.evidence:
                    row.evidence.append(ev.iri)

        # the Document node, the evidence nodes, the other nodes (with relationships to both), the edges
        items: list[tuple[str, dict[str, Any], int]] = []
        for row in nodes.values():
            labels = sorted(row.labels)
            props = {k: _value(v) for k, v in row.props.items()}
            size = 1 + len(row.evidence) + (row.uri != doc_iri)
            items.append((NODE, {"uri": row.uri, "labels": labels, "props": props, "evidence": row.evidence}, size))
            if row.uri == doc_iri:
                items += [(EVIDENCE, ev, 2) for ev in evidence.values()]
        items += [
            (EDGE, {"s": s, "type": rel, "o": o, "evidence": evs or None}, 1) for (s, rel, o), evs in edges.items()
        ]
        payload = json.dumps([SCHEMA_VERSION, doc_iri, items], separators=(",", ":"), check_circular=False)
        digest = hashlib.sha256(payload.encode("ascii")).hexdigest()
        return DocRows(doc_iri, digest, items)


# ------------------------------------------------------------------ batches


@dataclass(slots=True)
class _Part:
    """All or a slice of one document's items; ``first``/``last`` mark where the document starts and ends."""

    rows: DocRows
    items: list[tuple[str, dict[str, Any], int]]
    first: bool
    last: bool
    size: int = 0


def _split(rows: DocRows, size: int) -> Iterator[_Part]:
    """Slices of at most ``size`` (an item is never cut: a slice holds at least one item)."""
    chunk: list[tuple[str, dict[str, Any], int]] = []
    used = 0
    first = True
    for item in rows.items:
        if chunk and used + item[2] > size:
            yield _Part(rows, chunk, first, False, used)
            chunk, used, first = [], 0, False
        chunk.append(item)
        used += item[2]
    yield _Part(rows, chunk, first, True, used)


@dataclass(slots=True)
class _Batch:
    """The rows of one transaction, merged across documents."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)


def _group(parts: Sequence[_Part]) -> _Batch:
    """Rows of a batch: nodes merged per uri (labels united, props updated, the documents that mention them
    gathered), evidence per document, domain edges per (subject, type, object) with their documents and
    evidence gathered."""
    nodes: dict[str, dict[str, Any]] = {}
    evidence: dict[str, list[dict[str, Any]]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for part in parts:
        doc = part.rows.doc_iri
        for kind, row, _ in part.items:
            if kind == NODE:
                uri = row["uri"]
                seen = nodes.get(uri)
                if seen is None:
                    seen = nodes[uri] = {"uri": uri, "labels": row["labels"], "props": row["props"], "docs": [],
                                         "evidence": row["evidence"]}
                else:
                    if row["labels"] != seen["labels"]:
                        seen["labels"] = sorted(set(seen["labels"]) | set(row["labels"]))
                    if row["props"]:
                        seen["props"] = {**seen["props"], **row["props"]}
                    if row["evidence"]:
                        seen["evidence"] = seen["evidence"] + row["evidence"]
                if uri != doc and doc not in seen["docs"]:
                    seen["docs"].append(doc)
            elif kind == EVIDENCE:
                evidence.setdefault(doc, []).append(row)
            else:
                key = (row["s"], row["type"], row["o"])
                seen = edges.get(key)
                if seen is None:
                    edges[key] = {"s": row["s"], "type": row["type"], "o": row["o"], "docs": [doc],
                                  "evidence": list(row["evidence"]) if row["evidence"] else None}
                else:
                    if doc not in seen["docs"]:
                        seen["docs"].append(doc)
                    if row["evidence"]:
                        have = seen["evidence"] or []
                        seen["evidence"] = have + [e for e in row["evidence"] if e not in have]
    return _Batch(list(nodes.values()), [{"uri": d, "evidence": rows} for d, rows in evidence.items()],
                  list(edges.values()))

