"""Existing quad files (.nq, .trig): read them streamed and checked, keep the graphs of other documents,
retract graphs. Nothing here holds more than one quad at a time.

The file is parsed with pyoxigraph's streaming parser, so what is kept is checked, not copied blindly: a line
that is not valid N-Quads (or TriG) is a :class:`TargetError` naming ``file:line``, and the file is left as it
was (the caller discards the new file it was writing).
"""

from __future__ import annotations

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


def copy_other_graphs(path: Path, fmt: str, out: IO[bytes], replaced: set[str], *, header_written: bool) -> None:
    """Append to ``out`` every quad of the file at ``path`` whose graph is not one of ``replaced``.

    For TriG, the ``@prefix`` lines are dropped when ``out`` already starts with them (``header_written``).
    """
    skip = {ox.NamedNode(iri) for iri in replaced}
    kept = (quad for quad in read_quads(path, fmt) if quad.graph_name not in skip)
    if fmt == "trig" and header_written:
        target = SkipHeader(out, prefix_header(fmt))
        ox.serialize(kept, target, format=OX_FORMATS[fmt], prefixes=PREFIXES)  # type: ignore[arg-type]
        target.finish()
    else:
        ox.serialize(kept, out, format=OX_FORMATS[fmt], prefixes=PREFIXES)


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
    wanted = {ox.NamedNode(iri): iri for iri in drop}
    found: set[str] = set()
    removed = 0

    def kept() -> Iterator[ox.Quad]:
        nonlocal removed
        for quad in read_quads(path, fmt):
            iri = wanted.get(quad.graph_name) if isinstance(quad.graph_name, ox.NamedNode) else None
            if iri is None:
                yield quad
            else:
                removed += 1
                found.add(iri)

    with locked(path, lock_timeout):
        out = AtomicFile(path, "wb")
        try:
            ox.serialize(kept(), out.handle, format=OX_FORMATS[fmt], prefixes=PREFIXES)
        except BaseException:
            out.abort()
            raise
        if removed:
            out.commit()
        else:
            out.abort()  # nothing to remove: the file stays as it was, byte for byte
    return Retraction(found=[d for d in drop if d in found], missing=[d for d in drop if d not in found],
                      counts={"quads": removed})
