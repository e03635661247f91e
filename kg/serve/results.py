"""SPARQL results as bytes: SELECT/ASK in JSON, XML, CSV and TSV (the W3C result formats), graphs through
pyoxigraph's RDF serializers.

Written here rather than with ``QuerySolutions.serialize`` because that call consumes the whole iterator in
Rust: the row cap and the deadline (see :mod:`kg.serve.limits`) act between rows, so the server collects at most
``max_rows`` solutions itself and then serialises that list. rdflib has JSON/XML/CSV writers but no TSV one.
The tests read every format back with pyoxigraph's and rdflib's parsers and with SPARQLWrapper.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class ResultFormat:
    """One negotiable serialisation: its media type (sent as Content-Type) and the accepted aliases."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()


JSON = ResultFormat("json", "application/sparql-results+json", ("application/json",))
XML = ResultFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml"))
CSV = ResultFormat("csv", "text/csv")
TSV = ResultFormat("tsv", "text/tab-separated-values")
# least preferred first: on a tie (``*/*``) the last one wins
SOLUTION_FORMATS = (TSV, CSV, XML, JSON)

TURTLE = ResultFormat("turtle", "text/turtle", ("application/x-turtle",))
NTRIPLES = ResultFormat("nt", "application/n-triples", ("text/plain",))
JSONLD = ResultFormat("jsonld", "application/ld+json", ("application/json",))
RDFXML = ResultFormat("rdfxml", "application/rdf+xml", ("application/xml",))
NQUADS = ResultFormat("nquads", "application/n-quads")
TRIG = ResultFormat("trig", "application/trig")
GRAPH_FORMATS = (RDFXML, JSONLD, NTRIPLES, TURTLE)
DATASET_FORMATS = (RDFXML, JSONLD, NTRIPLES, TURTLE, NQUADS, TRIG)

_OX_RDF = {
    "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML, "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
}


def serialize_graph(triples: Sequence[ox.Triple] | Sequence[ox.Quad], fmt: ResultFormat,
                    prefixes: dict[str, str] | None = None) -> bytes:
    """Triples (or quads, for N-Quads/TriG) in one of the RDF formats, by pyoxigraph."""
    target = _OX_RDF[fmt.name]
    items: Sequence[Any] = triples
    if not target.supports_datasets and triples and isinstance(triples[0], ox.Quad):
        items = [q.triple for q in triples]  # type: ignore[union-attr]
    out = ox.serialize(items, format=target, prefixes=prefixes if fmt.name in ("turtle", "trig") else None)
    return out or b""


def serialize_boolean(value: bool, fmt: ResultFormat) -> bytes:
    if fmt is JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt is XML:
        out = io.StringIO()
        xml = _xml_start(out, [])
        xml.startElement("boolean", _attrs({}))
        xml.characters("true" if value else "false")
        xml.endElement("boolean")
        xml.endElement("sparql")
        xml.endDocument()
        return out.getvalue().encode()
    # the CSV/TSV result formats define no boolean form; like pyoxigraph's own writer: the bare word
    return b"true" if value else b"false"


def serialize_solutions(variables: Sequence[str], rows: Sequence[Sequence[Term | None]], fmt: ResultFormat) -> bytes:
    """Solutions (one sequence of terms per row, None where unbound) in a W3C result format."""
    if fmt is JSON:
        return _json(variables, rows)
    if fmt is XML:
        return _xml(variables, rows)
    if fmt is CSV:
        return _csv(variables, rows)
    return _tsv(variables, rows)


# ------------------------------------------------------------------ JSON (SPARQL 1.1 Query Results JSON Format)

def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _json(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode()


# ------------------------------------------------------------------ XML (SPARQL Query Results XML Format)

def _attrs(values: dict[str, str]) -> AttributesImpl[str]:
    return AttributesImpl(values)


def _xml_start(out: io.StringIO, variables: Sequence[str]) -> XMLGenerator:
    xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("sparql", _attrs({"xmlns": SPARQL_RESULTS_NS}))
    xml.startElement("head", _attrs({}))
    for name in variables:
        xml.startElement("variable", _attrs({"name": name}))
        xml.endElement("variable")
    xml.endElement("head")
    return xml


def _xml_term(xml: XMLGenerator, term: Term) -> None:
    attrs: dict[str, str] = {}
    if isinstance(term, ox.NamedNode):
        tag, text = "uri", term.value
    elif isinstance(term, ox.BlankNode):
        tag, text = "bnode", term.value
    elif isinstance(term, ox.Literal):
        tag, text = "literal", term.value
        attrs = {"xml:lang": term.language} if term.language else (
            {"datatype": term.datatype.value} if term.datatype.value != XSD_STRING else {})
    else:
        xml.startElement("triple", _attrs({}))
        for part, value in (("subject", term.subject), ("predicate", term.predicate), ("object", term.object)):
            xml.startElement(part, _attrs({}))
            _xml_term(xml, value)
            xml.endElement(part)
        xml.endElement("triple")
        return
    xml.startElement(tag, _attrs(attrs))
    xml.characters(text)
    xml.endElement(tag)


def _xml(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    out = io.StringIO()
    xml = _xml_start(out, variables)
    xml.startElement("results", _attrs({}))
    for row in rows:
        xml.startElement("result", _attrs({}))
        for name, term in zip(variables, row, strict=True):
            if term is None:
                continue
            xml.startElement("binding", _attrs({"name": name}))
            _xml_term(xml, term)
            xml.endElement("binding")
        xml.endElement("result")
    xml.endElement("results")
    xml.endElement("sparql")
    xml.endDocument()
    return out.getvalue().encode()


# ------------------------------------------------------------------ CSV and TSV (SPARQL 1.1 Query Results CSV/TSV)

def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _csv(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_value(t) for t in row] for row in rows)
    return out.getvalue().encode()


def _tsv_value(term: Term | None) -> str:
    if term is None:
        return ""
    # N-Triples syntax is valid TSV-results syntax; a tab inside a literal must be written as \t
    return str(term).replace("\t", "\\t")


def _tsv(variables: Sequence[str], rows: Sequence[Sequence[Term | None]]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines.extend("\t".join(_tsv_value(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()
