"""The RDF file sink: mapped documents -> Turtle, N-Triples, N-Quads, TriG or JSON-LD, chosen by file extension.

- N-Triples and N-Quads are streamed: memory does not grow with the number of documents.
- Turtle, TriG and JSON-LD are built in an rdflib graph and serialised at the end.
- Every file is written to a temporary file beside the target and renamed into place on success, so a
  failed run never leaves a half-written output and never damages the previous one.
- Quad formats (.nq, .trig) hold one named graph per document (the document IRI). Writing into an existing
  quad file replaces the graphs of the documents written and keeps the others; ``retract`` drops graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node as RdfNode

from kg.errors import ConfigError, TargetError
from kg.files import AtomicFile, atomic_write, folder_of
from kg.mapping import Lit, MappedDoc
from kg.ontology import KGO
from kg.sinks import Retraction

if TYPE_CHECKING:
    from kg.mapping import Mapping
    from kg.settings import Settings

FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld"}
QUAD_FORMATS = {"nquads", "trig"}
STREAMED = {"nt", "nquads"}

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


# ------------------------------------------------------------------ N-Triples / N-Quads terms

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


_GRAPH_OF_LINE = re.compile(r"<([^>]*)>\s*\.\s*$")


def _graph_of(line: str) -> str | None:
    match = _GRAPH_OF_LINE.search(line)
    return match.group(1) if match else None


# ------------------------------------------------------------------ writer


class RdfWriter:
    """Write mapped documents to one RDF file; the :class:`~kg.sinks.Sink` for RDF files.

    Use as a context manager (or call ``commit()``/``abort()``): the file appears only on success.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.format = rdf_format(self.path)
        self.triples = 0
        self.documents = 0
        self._written_graphs: set[str] = set()
        self._out: AtomicFile | None = None
        self._dataset: Dataset | None = None
        folder = folder_of(self.path)
        if not folder.is_dir():
            raise TargetError("output folder does not exist", where=str(folder), hint="create it first")

    def _begin(self) -> None:
        """Start the new version of the file (at the first document: a run that writes none changes nothing)."""
        if self.format in STREAMED:
            self._out = AtomicFile(self.path)
        else:
            self._dataset = Dataset()
            if self.format == "trig" and self.path.exists():
                self._dataset.parse(self.path, format="trig")
            self._dataset.bind("kgo", str(KGO._NS))
            self._dataset.bind("prov", "http://www.w3.org/ns/prov#")

    def write(self, doc: MappedDoc) -> int:
        """Write one document's triples; returns how many."""
        if self._out is None and self._dataset is None:
            self._begin()
        self.documents += 1
        count = 0
        if self.format == "nquads":
            self._written_graphs.add(doc.doc_iri)  # one IRI per document, to drop their old graphs at commit
        if self._out is not None:
            graph = f" <{doc.doc_iri}>" if self.format == "nquads" else ""
            lines = []
            for s, p, o in doc_triples(doc):
                lines.append(f"{nt_term(s)} {nt_term(p)} {nt_term(o)}{graph} .\n")
            self._out.handle.writelines(lines)
            count = len(lines)
        else:
            assert self._dataset is not None
            if self.format in QUAD_FORMATS:
                self._dataset.remove_graph(URIRef(doc.doc_iri))
                target: Graph = self._dataset.graph(URIRef(doc.doc_iri))
            else:
                target = self._dataset.default_graph
            for triple in doc_triples(doc):
                target.add(triple)
                count += 1
        self.triples += count
        return count

    def counts(self) -> dict[str, int]:
        return {"triples": self.triples}

    def commit(self) -> None:
        """Replace the file with what was written; when no document was written, leave it as it was."""
        if self._out is not None:
            if self.format == "nquads" and self.path.exists():
                self._keep_other_graphs(self._out.handle, self._written_graphs)
            self._out.commit()
            self._out = None
        elif self._dataset is not None:
            _serialize(self._dataset, self.path, self.format)
            self._dataset = None

    def _keep_other_graphs(self, out: IO[str], replaced: set[str]) -> None:
        with open(self.path, encoding="utf-8") as old:
            out.writelines(line for line in old if line.strip() and _graph_of(line) not in replaced)

    def abort(self) -> None:
        if self._out is not None:
            self._out.abort()
            self._out = None
        self._dataset = None

    def retract(self, doc_iris: Sequence[str]) -> Retraction:
        """Remove the named graphs of these documents from the quad file (at once, atomically)."""
        self.abort()
        return retract_graphs(self.path, doc_iris)

    def __enter__(self) -> RdfWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def open_sink(target: str, settings: Settings, mapping: Mapping) -> RdfWriter:
    """The sink registry's factory for RDF files (see :data:`kg.sinks.SINKS`)."""
    return RdfWriter(target)


def _serialize(dataset: Dataset, path: Path, fmt: str) -> None:
    with atomic_write(path, "wb") as out:
        if fmt in QUAD_FORMATS:
            dataset.serialize(destination=out, format=fmt, encoding="utf-8")
        else:
            graph = Graph()
            for prefix, ns in dataset.namespaces():
                graph.bind(prefix, ns)
            for triple in dataset.triples((None, None, None)):
                graph.add(triple)
            graph.serialize(destination=out, format=fmt, encoding="utf-8")


def write_rdf(docs: Iterable[MappedDoc], path: Path | str) -> int:
    """Write all documents to ``path``; returns the number of triples written."""
    with RdfWriter(path) as writer:
        for doc in docs:
            writer.write(doc)
    return writer.triples


def retract_graphs(path: Path | str, doc_iris: Iterable[str]) -> Retraction:
    """Remove the named graphs of these documents from a quad file: which were found, and how many quads went."""
    path = Path(path)
    fmt = rdf_format(path)
    if fmt not in QUAD_FORMATS:
        raise ConfigError(
            f"cannot retract from '{path}': only .nq and .trig keep one graph per document",
            hint="write quads (.nq/.trig) when you need retraction",
        )
    if not path.exists():
        raise TargetError("no such file", where=str(path))
    drop = list(dict.fromkeys(doc_iris))
    wanted = set(drop)
    found: set[str] = set()
    removed = 0
    if fmt == "nquads":
        with atomic_write(path) as out, open(path, encoding="utf-8") as old:
            for line in old:
                graph = _graph_of(line)
                if graph in wanted:
                    removed += 1
                    found.add(graph)
                else:
                    out.write(line)
    else:
        dataset = Dataset()
        dataset.parse(path, format="trig")
        before = len(dataset)
        for iri in drop:
            if len(dataset.graph(URIRef(iri))):
                found.add(iri)
            dataset.remove_graph(URIRef(iri))
        removed = before - len(dataset)
        _serialize(dataset, path, fmt)
    return Retraction(found=[d for d in drop if d in found], missing=[d for d in drop if d not in found],
                      counts={"quads": removed})


def retract_rdf(path: Path | str, doc_iris: Iterable[str]) -> int:
    """Remove the named graphs of these documents from a quad file; returns how many quads were removed."""
    return retract_graphs(path, doc_iris).counts["quads"]
