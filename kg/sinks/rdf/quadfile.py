"""Existing quad files (.nq, .trig): read them streamed and checked, keep the graphs of other documents,
retract graphs. Nothing here holds more than one quad at a time.

The file is parsed with pyoxigraph's streaming parser, so what is kept is checked, not copied blindly: a line
that is not valid N-Quads (or TriG) is a :class:`TargetError` naming ``file:line``, and the file is left as it
was (the caller discards the new file it was writing).

One exception, for speed: an N-Quads file that kg itself wrote, and that has not changed since, is not parsed
again. When kg commits an .nq file whose every quad is in a named graph, it stamps the file with an extended
attribute (``user.kg.nquads``: the file's size and modification time as written). A later run finds the stamp
matching the file's size and mtime, so the file is exactly what kg wrote and checked: its lines are copied or
dropped by their graph (the last term of each line) without parsing them, about three times faster. Any other
write to the file changes its mtime (and a copy or an edit by another program loses or mismatches the stamp),
so that file is parsed and checked in full; on a filesystem without extended attributes nothing is stamped.
(The one change this cannot see is an edit that keeps the size and lands within the file system's timestamp
granularity, a few milliseconds, of kg's own commit.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import ConfigError, TargetError
from kg.files import AtomicFile, locked
from kg.sinks import Retraction
from kg.sinks.rdf.encode import OX_FORMATS, PREFIXES, SkipHeader, prefix_header
from kg.sinks.rdf.terms import QUAD_FORMATS, rdf_format

_FORMAT_NAMES = {"nquads": "N-Quads", "trig": "TriG"}
_PARSER_PREFIX = re.compile(r"^Parser error[^:]*:\s*")
_LINE_SUFFIX = re.compile(r"\s*\(line \d+\)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def read_quads(path: Path, fmt: str) -> Iterator[ox.Quad]:
    """The quads of an existing file, streamed; a syntax error is a TargetError at ``file:line``."""
    try:
        yield from ox.parse(path=str(path), format=OX_FORMATS[fmt])
    except SyntaxError as exc:
        raise _syntax_error(path, fmt, exc) from None
    except OSError as exc:
        raise TargetError(f"cannot read the existing output: {exc.strerror}", where=str(path)) from None


def _syntax_error(path: Path, fmt: str, exc: SyntaxError) -> TargetError:
    reason = _LINE_SUFFIX.sub("", _PARSER_PREFIX.sub("", str(exc.msg or exc)))
    reason = _CONTROL.sub(lambda m: repr(m.group())[1:-1], reason)  # one line, whatever the file holds
    line, column = exc.lineno or 1, exc.offset
    if fmt == "nquads" and "line jump" in reason and column == 1 and line > 1:
        # one statement per line: the parser noticed at the start of the next line that this one was cut short
        line, column, reason = line - 1, None, f"the line ends in the middle of a statement ({reason})"
    where_column = f" (column {column})" if column else ""
    return TargetError(f"the existing output is not valid {_FORMAT_NAMES.get(fmt, fmt)}{where_column}: {reason}",
                       where=f"{path}:{line}",
                       hint="nothing was changed; repair or move that file, or write to another one")


_STAMP = "user.kg.nquads"


def _fingerprint(status: os.stat_result) -> bytes:
    return f"{status.st_size} {status.st_mtime_ns}".encode("ascii")


def stamp(handle: IO[bytes]) -> None:
    """Mark the N-Quads file open in ``handle`` (fully written, every quad in a named graph) as kg's own.

    Called after the last write, so the size and mtime recorded are the final ones (renaming the file into
    place changes neither). Without extended attributes (another OS, a filesystem that refuses them) the file
    is simply not stamped and will be parsed in full next time.
    """
    handle.flush()
    try:
        os.setxattr(handle.fileno(), _STAMP, _fingerprint(os.fstat(handle.fileno())))
    except (AttributeError, OSError):
        pass


def stamped(path: Path) -> bool:
    """Whether ``path`` is an N-Quads file kg wrote (see :func:`stamp`) and nothing changed since."""
    try:
        return os.getxattr(path, _STAMP) == _fingerprint(os.stat(path))
    except (AttributeError, OSError):
        return False


class GraphFilter:
    """Copy a quad file's quads to ``out`` except those in the named graphs ``drop``, streamed, and note what
    was dropped (``found``: the IRIs of those graphs, ``removed``: their quads) and whether every quad kept
    is in a named graph (``named``: the new file may then be stamped).

    A stamped N-Quads file (see :func:`stamp`) is copied line by line, unparsed: kg writes one quad per line
    ending in `` <graph> .``, and a graph IRI has no space, so the graph is what follows the line's last
    `` <``. Any other file is parsed (a syntax error is a TargetError at ``file:line``) and serialized again.
    """

    def __init__(self, path: Path, fmt: str, drop: Iterable[str]) -> None:
        self.path = path
        self.format = fmt
        self.drop = set(drop)
        self.found: set[str] = set()
        self.removed = 0
        self.named = True

    def write(self, out: IO[bytes], *, header_written: bool = False) -> None:
        """Append the kept quads to ``out``; for TriG without the ``@prefix`` lines when ``out`` already
        starts with them (``header_written``)."""
        if self.format == "nquads" and stamped(self.path):
            out.writelines(self._kept_lines())
        elif self.format == "trig" and header_written:
            target = SkipHeader(out, prefix_header(self.format))
            ox.serialize(self._kept_quads(), target, format=OX_FORMATS[self.format],  # type: ignore[arg-type]
                         prefixes=PREFIXES)
            target.finish()
        else:
            ox.serialize(self._kept_quads(), out, format=OX_FORMATS[self.format], prefixes=PREFIXES)

    def _kept_lines(self) -> Iterator[bytes]:
        terms = {f"<{iri}>".encode(): iri for iri in self.drop}
        with open(self.path, "rb") as lines:
            for line in lines:
                end = len(line) - 3  # " .\n"
                iri = terms.get(line[line.rfind(b" <", 0, end) + 1:end])
                if iri is None:
                    yield line
                else:
                    self._dropped(iri)

    def _kept_quads(self) -> Iterator[ox.Quad]:
        wanted = {ox.NamedNode(iri): iri for iri in self.drop}
        for quad in read_quads(self.path, self.format):
            graph = quad.graph_name
            iri = wanted.get(graph) if isinstance(graph, ox.NamedNode) else None
            if iri is None:
                self.named = self.named and isinstance(graph, ox.NamedNode)
                yield quad
            else:
                self._dropped(iri)

    def _dropped(self, iri: str) -> None:
        self.removed += 1
        self.found.add(iri)


def copy_other_graphs(path: Path, fmt: str, out: IO[bytes], replaced: set[str], *,
                      header_written: bool) -> bool:
    """Append to ``out`` every quad of the file at ``path`` whose graph is not one of ``replaced``; whether
    every quad kept is in a named graph (so that the new file may be stamped)."""
    kept = GraphFilter(path, fmt, replaced)
    kept.write(out, header_written=header_written)
    return kept.named


def retract_graphs(path: Path | str, doc_iris: Iterable[str], *, lock_timeout: float = 60.0) -> Retraction:
    """Remove the named graphs of these documents from a quad file: which were found, and how many quads went.

    Streamed (the file is read once, quad by quad) and done under the output's lock, so that a run committing
    to the same file waits for it, or it for the run. When no graph was found the file is not rewritten.
    """
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
    kept = GraphFilter(path, fmt, drop)
    with locked(path, lock_timeout):
        out = AtomicFile(path, "wb")
        try:
            kept.write(out.handle)
        except BaseException:
            out.abort()
            raise
        if kept.removed:
            if fmt == "nquads" and kept.named:
                stamp(out.handle)
            out.commit()
        else:
            out.abort()  # nothing to remove: the file stays as it was, byte for byte
    return Retraction(found=[d for d in drop if d in kept.found], missing=[d for d in drop if d not in kept.found],
                      counts={"quads": kept.removed})
