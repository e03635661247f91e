"""The RDF file writer: mapped documents streamed into a temporary file, merged and committed under a lock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from kg.errors import TargetError
from kg.files import AtomicFile, folder_of, locked, remove_stale_temps
from kg.mapping import MappedDoc
from kg.sinks import Retraction
from kg.sinks.rdf.encode import Encoder
from kg.sinks.rdf.quadfile import copy_other_graphs, retract_graphs, stamp
from kg.sinks.rdf.terms import QUAD_FORMATS, rdf_format


class RdfWriter:
    """Write mapped documents to one RDF file; the :class:`~kg.sinks.Sink` for RDF files.

    Documents are streamed into a temporary file beside the target as they come (every format; memory holds
    one document). :meth:`commit` then takes the output's lock (waiting up to ``lock_timeout`` seconds for
    another run), appends the graphs of the other documents from the file as it is *now* (quad formats; the
    existing file is parsed, so a corrupt one is an error at ``file:line`` and stays as it was, unless it is
    an .nq file kg wrote and nothing changed since: :func:`~kg.sinks.rdf.quadfile.stamp`) and renames the new
    file into place. Two runs writing the same quad file therefore both end up in it. A run that
    wrote no document changes nothing. Use as a context manager (or call ``commit()``/``abort()``).
    """

    def __init__(self, path: Path | str, *, lock_timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.format = rdf_format(self.path)
        self.lock_timeout = lock_timeout
        self.triples = 0
        self.documents = 0
        self._written_graphs: set[str] = set()
        self._out: AtomicFile | None = None
        self._encoder = Encoder(self.format)
        folder = folder_of(self.path)
        if not folder.is_dir():
            raise TargetError("output folder does not exist", where=str(folder), hint="create it first")
        remove_stale_temps(self.path)  # litter of runs that were killed

    def _begin(self) -> AtomicFile:
        """Start the new version of the file (at the first document: a run that writes none changes nothing)."""
        out = AtomicFile(self.path, "wb")
        out.handle.write(self._encoder.header())
        self._out = out
        return out

    def write(self, doc: MappedDoc) -> int:
        """Write one document's triples; returns how many."""
        out = self._out or self._begin()
        data, count = self._encoder.document(doc)
        out.handle.write(data)
        self.documents += 1
        if self._encoder.quads:
            self._written_graphs.add(doc.doc_iri)  # their old graphs are dropped at commit
        self.triples += count
        return count

    def counts(self) -> dict[str, int]:
        return {"triples": self.triples}

    def commit(self) -> None:
        """Replace the file with what was written (merged with the other documents' graphs of the file as it
        is at commit time); when no document was written, leave it as it was."""
        out, self._out = self._out, None
        if out is None:
            return
        try:
            out.handle.write(self._encoder.footer())
            with locked(self.path, self.lock_timeout):
                named = True  # every quad in a named graph: the new documents' are
                if self.format in QUAD_FORMATS and self.path.exists():
                    named = copy_other_graphs(self.path, self.format, out.handle, self._written_graphs,
                                              header_written=True)
                if self.format == "nquads" and named:
                    stamp(out.handle)  # kg's own file: the next run need not parse it again
                out.commit()
        except BaseException:
            out.abort()
            raise

    def abort(self) -> None:
        out, self._out = self._out, None
        if out is not None:
            out.abort()

    def retract(self, doc_iris: Sequence[str]) -> Retraction:
        """Remove the named graphs of these documents from the quad file (at once, atomically)."""
        self.abort()
        return retract_graphs(self.path, doc_iris, lock_timeout=self.lock_timeout)

    def __enter__(self) -> RdfWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_rdf(docs: Iterable[MappedDoc], path: Path | str, *, lock_timeout: float = 60.0) -> int:
    """Write all documents to ``path``; returns the number of triples written."""
    with RdfWriter(path, lock_timeout=lock_timeout) as writer:
        for doc in docs:
            writer.write(doc)
    return writer.triples


def retract_rdf(path: Path | str, doc_iris: Iterable[str]) -> int:
    """Remove the named graphs of these documents from a quad file; returns how many quads were removed."""
    return retract_graphs(path, doc_iris).counts["quads"]
