"""Plain text (``.txt``, ``.md``) and standard input, with optional YAML front matter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from kg.errors import InputError
from kg.sources.common import (
    Item,
    decode,
    key_line,
    make_document,
    read_limited,
    split_front_matter,
    too_large,
)


def read(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    yield read_text(path, doc_id, max_bytes)


def read_text(path: Path, doc_id: str, max_bytes: int) -> Item:
    where = str(path)
    data = read_limited(path, max_bytes)
    if isinstance(data, InputError):
        return data
    text = decode(data, where)
    if isinstance(text, InputError):
        return text
    return _text_document(text, where=where, default_id=doc_id, source=where)


def read_stdin(stream: TextIO, max_bytes: int) -> Item:
    where = "-"
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    if buffer is not None:
        data = buffer.read(max_bytes + 1)
    else:
        data = stream.read(max_bytes + 1).encode("utf-8", errors="surrogatepass")
    if len(data) > max_bytes:
        return too_large(where, None, max_bytes)
    text = decode(data, where)
    if isinstance(text, InputError):
        return text
    return _text_document(text, where=where, default_id=None, source=where)


def _text_document(text: str, *, where: str, default_id: str | None, source: str) -> Item:
    """A plain-text document, after splitting off its front matter. ``default_id=None`` means content hash."""
    split = split_front_matter(text, where)
    if isinstance(split, InputError):
        return split
    meta, body, block = split
    if not body.strip():
        return InputError("empty document" if meta else "empty file", where=where, hint="give a file with text in it")
    return make_document(
        body,
        meta,
        where=where,
        meta_where=lambda key: f"{where}:{key_line(block, key)}",
        default_id=default_id,
        source=source,
    )
