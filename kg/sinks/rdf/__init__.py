"""The RDF file sink: mapped documents -> Turtle, N-Triples, N-Quads, TriG or JSON-LD, chosen by file extension.

- Every format is streamed: each document is serialized as it comes (Turtle, TriG and JSON-LD by pyoxigraph's
  serializers, one document at a time, its subjects grouped), so memory does not grow with the number of
  documents and a corpus of any size can be written in any format (:mod:`~kg.sinks.rdf.encode`).
- Every file is written to a temporary file beside the target and renamed into place on success, so a
  failed run never leaves a half-written output and never damages the previous one; a run that wrote no
  document leaves the file as it was.
- Quad formats (.nq, .trig) hold one named graph per document (the document IRI). Writing into an existing
  quad file replaces the graphs of the documents written and keeps the others, read from the file as it is
  at commit time, under an exclusive lock on the output (``kg.files.locked``): concurrent runs all end up in
  the file. The kept part is parsed, streamed, and a corrupt file is an error at ``file:line``
  (:mod:`~kg.sinks.rdf.quadfile`; an .nq file kg wrote and nobody changed since is copied unparsed);
  ``retract`` drops graphs the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.sinks.rdf.quadfile import retract_graphs
from kg.sinks.rdf.terms import FORMATS, QUAD_FORMATS, Triple, doc_lines, doc_triples, nt_term, rdf_format
from kg.sinks.rdf.writer import RdfWriter, retract_rdf, write_rdf

if TYPE_CHECKING:
    from kg.mapping import Mapping
    from kg.settings import Settings

__all__ = ["FORMATS", "QUAD_FORMATS", "RdfWriter", "Triple", "doc_lines", "doc_triples", "nt_term", "open_sink",
           "rdf_format", "retract_graphs", "retract_rdf", "write_rdf"]


def open_sink(target: str, settings: Settings, mapping: Mapping) -> RdfWriter:
    """The sink registry's factory for RDF files (see :data:`kg.sinks.SINKS`)."""
    return RdfWriter(target, lock_timeout=settings.rdf.lock_timeout)
