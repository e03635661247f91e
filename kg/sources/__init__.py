"""Sources: files, folders and standard input read into :class:`~kg.records.Document` objects (stage 1).
May import kg.records and kg.errors only: a source knows nothing of extraction, mapping or sinks.

:func:`iter_documents` turns command-line style paths (files, directories, ``-`` for stdin) into a lazy stream of
Documents. A document that cannot be read is *yielded* as an :class:`~kg.errors.InputError` so the caller can
count it and go on (``strict=True`` raises the first one instead).

Supported inputs:

- ``.txt`` / ``.md``: plain text, with optional YAML front matter between ``---`` lines at the very top
  (keys ``id``, ``title``, ``published``, ``url``, ``source``; other keys are ignored);
- ``.html`` / ``.htm``: main text extracted by trafilatura, title/date/url from its metadata;
- ``.jsonl``: one document per line, ``{"text": ...}`` plus optional ``id``, ``title``, ``published``, ``url``,
  ``source``;
- ``.rss`` / ``.atom``: a saved feed, one document per entry from the text the entry carries (``kg sync``
  fetches live feeds and their pages);
- directories: searched recursively in sorted order, hidden entries skipped, unknown extensions ignored;
- ``-``: standard input, plain text (front matter allowed), id ``sha256:<16 hex>`` unless the front matter gives one.

Text is decoded as UTF-8, a BOM is dropped and line ends become ``\\n``; ``Document.sha256`` is the hex digest of
that normalised text, and all character offsets downstream refer to it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from kg.errors import InputError
from kg.records import Document
from kg.sources import feed, html, jsonl, text
from kg.sources.common import DEFAULT_MAX_BYTES, META_KEYS, Item

Reader = Callable[[Path, str, int], Iterator[Item]]

# The readers, by kind; a file's kind comes from its extension. A new source kind is one module with a
# ``read(path, doc_id, max_bytes)`` generator and a line in each table.
READERS: dict[str, Reader] = {"text": text.read, "html": html.read, "jsonl": jsonl.read, "feed": feed.read}
KINDS: dict[str, str] = {".txt": "text", ".md": "text", ".htm": "html", ".html": "html", ".jsonl": "jsonl",
                         ".rss": "feed", ".atom": "feed"}
SUPPORTED_EXTENSIONS = tuple(sorted(KINDS))

_SUPPORTED_HINT = "supported: " + ", ".join(SUPPORTED_EXTENSIONS) + ", a directory, or - for stdin"

__all__ = ["DEFAULT_MAX_BYTES", "KINDS", "META_KEYS", "READERS", "SUPPORTED_EXTENSIONS", "iter_documents"]


def iter_documents(
    paths: Sequence[str],
    *,
    strict: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: TextIO | None = None,
) -> Iterator[Document | InputError]:
    """Yield one Document per document found under ``paths``, or an InputError for each one that is bad.

    Files are opened one at a time, so memory does not grow with the number of files. Two documents with the
    same id in one run are an error for the second one (ids key the graph, so they must be unique).
    With ``strict=True`` the first InputError is raised instead of yielded.
    """
    seen: dict[str, str] = {}
    for item in _iter_items(paths, max_bytes, stdin):
        if isinstance(item, Document):
            first = seen.get(item.id)
            if first is not None:
                item = InputError(
                    f"duplicate document id {item.id!r} (already used by {first})",
                    where=item.source or "-",
                    hint="give each document its own `id` or rename one of the files",
                )
            else:
                seen[item.id] = item.source or "-"
        if strict and isinstance(item, InputError):
            raise item
        yield item


def _iter_items(paths: Sequence[str], max_bytes: int, stdin: TextIO | None) -> Iterator[Item]:
    for arg in paths:
        if arg == "-":
            yield text.read_stdin(stdin if stdin is not None else sys.stdin, max_bytes)
            continue
        path = Path(arg)
        if not arg or not path.exists():  # Path("") would be the current directory
            yield InputError("no such file or directory", where=arg)
        elif path.is_dir():
            for found in _walk(path):
                if isinstance(found, InputError):
                    yield found
                else:
                    rel = found.relative_to(path).with_suffix("").as_posix()
                    yield from _read_file(found, rel, max_bytes)
        elif path.is_file():
            if path.suffix.lower() not in KINDS:
                shown = f"'{path.suffix}'" if path.suffix else "without an extension"
                yield InputError(f"unsupported file type {shown}", where=arg, hint=_SUPPORTED_HINT)
            else:
                yield from _read_file(path, path.stem, max_bytes)
        else:
            yield InputError("not a regular file or directory", where=arg, hint=_SUPPORTED_HINT)


def _walk(root: Path) -> Iterator[Path | InputError]:
    """Files with a supported extension under ``root``, depth first, entries sorted by name, hidden ones skipped.

    Iterative (a folder nested thousands of levels deep is fine); one directory listing (names, not contents)
    is held per level. Symlinked directories are followed once.
    """
    visited: set[str] = {os.path.realpath(root)}
    stack: list[Iterator[os.DirEntry[str]]] = []

    def listing(directory: Path) -> Iterator[os.DirEntry[str]] | InputError:
        try:
            with os.scandir(directory) as it:
                return iter(sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name))
        except OSError as exc:
            return InputError(f"cannot list directory: {exc.strerror or exc}", where=str(directory))

    first = listing(root)
    if isinstance(first, InputError):
        yield first
        return
    stack.append(first)
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir():
                real = os.path.realpath(path)
                if real in visited:
                    continue
                visited.add(real)
                found = listing(path)
                if isinstance(found, InputError):
                    yield found
                else:
                    stack.append(found)
            elif entry.is_file() and path.suffix.lower() in KINDS:
                yield path
        except OSError as exc:
            yield InputError(f"cannot read: {exc.strerror or exc}", where=str(path))


def _read_file(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    try:
        yield from READERS[KINDS[path.suffix.lower()]](path, doc_id, max_bytes)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", where=str(path))
