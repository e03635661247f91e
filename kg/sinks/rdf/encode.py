"""Every RDF format, streamed: a header, then each document as it comes, then a footer.

N-Triples and N-Quads are the lines of :func:`~kg.sinks.rdf.terms.doc_lines`. Turtle, TriG and JSON-LD are
pyoxigraph's serializers run on one document's lines at a time (parsed back by pyoxigraph's N-Triples/N-Quads
parser, all in Rust): a document's subjects come grouped, so each is written once with all its properties,
and nothing but the current document is ever held in memory. The pieces are joined as the formats allow:

- Turtle and TriG: the ``@prefix`` lines once at the top (each document's serialization starts with the same
  lines, which are dropped), then statements (Turtle) or one ``<doc> { ... }`` graph block per document (TriG).
- JSON-LD: one expanded JSON-LD array; each document's serialization is an array whose items are spliced in.
"""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox
from rdflib.namespace import RDF, XSD

from kg.mapping import MappedDoc
from kg.ontology import KGO
from kg.sinks.rdf.terms import doc_lines

PREFIXES = {"rdf": str(RDF), "xsd": str(XSD), "kgo": str(KGO._NS)}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
              "trig": ox.RdfFormat.TRIG, "json-ld": ox.RdfFormat.JSON_LD}
_PREFIXED = {"turtle", "trig"}


def prefix_header(fmt: str) -> bytes:
    """The ``@prefix`` lines pyoxigraph starts a Turtle/TriG serialization with (empty for other formats)."""
    if fmt not in _PREFIXED:
        return b""
    probe = ox.NamedNode("urn:kg:probe")
    if fmt == "trig":
        text = ox.serialize([ox.Quad(probe, probe, probe, probe)], format=OX_FORMATS[fmt], prefixes=PREFIXES)
    else:
        text = ox.serialize([ox.Triple(probe, probe, probe)], format=OX_FORMATS[fmt], prefixes=PREFIXES)
    assert text is not None
    lines = text.splitlines(keepends=True)
    return b"".join(line for line in lines if line.startswith((b"@prefix ", b"@base ")))


class Encoder:
    """Bytes for one file of format ``fmt``: :meth:`header`, :meth:`document` per document, :meth:`footer`."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        self.quads = fmt in {"nquads", "trig"}
        self._header = prefix_header(fmt)
        self._documents = 0

    def header(self) -> bytes:
        if self.format == "json-ld":
            return b"["
        return self._header

    def footer(self) -> bytes:
        return b"\n]\n" if self.format == "json-ld" else b""

    def document(self, doc: MappedDoc) -> tuple[bytes, int]:
        """One document's serialization and its number of triples."""
        lines = doc_lines(doc, doc.doc_iri if self.quads else None)
        data = "".join(lines).encode("utf-8")
        if self.format in {"nt", "nquads"} or not lines:
            return data, len(lines)
        source = ox.RdfFormat.N_QUADS if self.quads else ox.RdfFormat.N_TRIPLES
        # lenient: these lines are kg's own (terms checked by nt_term, as for .nt/.nq written as they are), so
        # the parser need not validate every IRI again; that is a third of the cost of these formats
        quads = ox.parse(data, format=source, lenient=True)
        text = ox.serialize(quads, format=OX_FORMATS[self.format], prefixes=PREFIXES)
        assert text is not None  # no output given: the bytes are returned
        if self.format == "json-ld":
            items = text.strip()[1:-1]  # the items of this document's array
            separator = b"\n" if self._documents == 0 else b",\n"
            self._documents += 1
            return separator + items, len(lines)
        return strip_header(text, self._header), len(lines)


def strip_header(text: bytes, header: bytes) -> bytes:
    """``text`` without the ``@prefix`` lines already written (kept if they differ: a directive may repeat)."""
    return text[len(header):] if header and text.startswith(header) else text


class SkipHeader:
    """A binary writer that passes everything to ``out`` except a leading copy of ``header``.

    For streaming a whole serialization (the graphs kept from an existing TriG file) into the middle of a file
    that already starts with the same prefixes.
    """

    def __init__(self, out: IO[bytes], header: bytes) -> None:
        self.out = out
        self.header = header
        self._pending: bytes | None = b"" if header else None

    def write(self, data: bytes) -> int:
        if self._pending is None:
            self.out.write(data)
            return len(data)
        self._pending += bytes(data)
        if len(self._pending) >= len(self.header) or not self.header.startswith(self._pending):
            pending, self._pending = self._pending, None
            self.out.write(strip_header(pending, self.header))
        return len(data)

    def flush(self) -> None:
        self.out.flush()

    def finish(self) -> None:
        """Write what is still held back (a serialization shorter than the header)."""
        if self._pending:
            self.out.write(self._pending)
        self._pending = None
