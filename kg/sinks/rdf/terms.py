"""RDF terms and lines: what one mapped document contributes, as rdflib triples and as N-Triples/N-Quads lines.

Every format is written from these lines: N-Triples and N-Quads as they are, Turtle, TriG and JSON-LD through
pyoxigraph's serializers, one document at a time (:mod:`kg.sinks.rdf.encode`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node as RdfNode

from kg.errors import ConfigError, TargetError
from kg.mapping import Lit, MappedDoc
from kg.ontology import KGO

FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld"}
QUAD_FORMATS = {"nquads", "trig"}

Triple = tuple[RdfNode, RdfNode, RdfNode]


def rdf_format(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(
            f"cannot tell the RDF format of '{path}'", hint=f"use one of the extensions {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def _lit(lit: Lit) -> Literal:
    return Literal(lit.value, datatype=URIRef(lit.datatype)) if lit.datatype else Literal(lit.value)


def doc_triples(doc: MappedDoc) -> Iterator[Triple]:
    """All triples one document contributes: its nodes, edges and their evidence."""
    doc_iri = URIRef(doc.doc_iri)
    for node in doc.nodes:
        subject = URIRef(node.iri)
        for cls in node.classes:
            yield subject, RDF.type, URIRef(cls)
        for prop, value in node.props:
            yield subject, URIRef(prop), _lit(value)
        if node.iri != doc.doc_iri:
            yield subject, KGO.mentionedIn, doc_iri
    for edge in doc.edges:
        yield URIRef(edge.subject), URIRef(edge.predicate), URIRef(edge.object)
    for ev in doc.evidence:
        iri = URIRef(ev.iri)
        yield iri, RDF.type, KGO.Evidence
        yield iri, KGO.document, doc_iri
        yield iri, KGO.rule, Literal(ev.rule)
        yield iri, KGO.charStart, Literal(ev.start)
        yield iri, KGO.charEnd, Literal(ev.end)
        yield iri, KGO.quote, Literal(ev.quote)
        yield iri, KGO.sentenceIndex, Literal(ev.sentence)
        yield iri, KGO.confidence, Literal(round(ev.confidence, 4), datatype=XSD.decimal)
        if ev.sentence_text is not None:
            yield iri, KGO.sentenceText, Literal(ev.sentence_text)
        if ev.statement is None:
            yield URIRef(ev.about), KGO.evidence, iri
        else:
            s, p, o = ev.statement
            yield iri, RDF.type, RDF.Statement
            yield iri, RDF.subject, URIRef(s)
            yield iri, RDF.predicate, URIRef(p)
            yield iri, RDF.object, URIRef(o)


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def nt_term(term: RdfNode) -> str:
    """A term in N-Triples syntax. IRIs are minted percent-encoded; anything else is refused, not emitted."""
    if isinstance(term, URIRef):
        if _IRI_FORBIDDEN.search(term):
            raise TargetError(f"refusing to write an invalid IRI {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        lexical = (
            str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        )
        if term.language:
            return f'"{lexical}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{lexical}"^^{nt_term(term.datatype)}'
        return f'"{lexical}"'
    raise TargetError(f"cannot write RDF term {term!r}")


def doc_lines(doc: MappedDoc, graph: str | None = None) -> list[str]:
    """One document's triples as N-Triples lines (N-Quads lines in ``graph``), grouped by subject.

    Grouping (in the order subjects first appear) is what lets the Turtle, TriG and JSON-LD serializers write
    each subject of a document once, with all its properties; it needs only this document's triples.
    """
    tail = f" {nt_term(URIRef(graph))} .\n" if graph is not None else " .\n"
    groups: dict[RdfNode, list[str]] = {}
    for s, p, o in doc_triples(doc):
        rest = f"{nt_term(p)} {nt_term(o)}{tail}"
        group = groups.get(s)
        if group is None:
            groups[s] = [rest]
        else:
            group.append(rest)
    lines: list[str] = []
    for subject, rests in groups.items():
        head = nt_term(subject) + " "
        lines.extend(head + rest for rest in rests)
    return lines
