"""JSON Lines (``.jsonl``): one document per line, ``{"text": ...}`` plus optional metadata keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.sources.common import META_KEYS, Item, binary, decode, json_kind, make_document, normalise, too_large

_SNIFF_BYTES = 8192  # how much of a JSONL file is checked for NUL bytes up front


def read(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    yield from _read_jsonl(path, doc_id, max_bytes)


def _read_jsonl(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    """One document per non-blank line. The file is read line by line; a line is never held beyond max_bytes+1."""
    with open(path, "rb") as handle:
        if b"\x00" in handle.read(_SNIFF_BYTES):
            yield binary(str(path))
            return
        handle.seek(0)
        lineno = 0
        found = False
        while True:
            raw = handle.readline(max_bytes + 2)  # room for the line end
            if not raw:
                break
            lineno += 1
            where = f"{path}:{lineno}"
            if len(raw.rstrip(b"\r\n")) > max_bytes:
                size = len(raw.rstrip(b"\r\n"))
                while not raw.endswith(b"\n"):  # skip the rest of the over-long line without keeping it
                    raw = handle.readline(1 << 20)
                    if not raw:
                        break
                    size += len(raw.rstrip(b"\r\n"))
                found = True
                yield too_large(where, size, max_bytes)
                continue
            if not raw.strip():
                continue
            found = True
            yield _jsonl_document(raw, where=where, default_id=f"{doc_id}-{lineno}", first=lineno == 1)
    if not found:
        yield InputError("empty file", where=str(path), hint="give one JSON object per line, with a `text` key")


def _jsonl_document(raw: bytes, *, where: str, default_id: str, first: bool) -> Item:
    line = decode(raw, where) if first else decode(raw, where, bom=False)
    if isinstance(line, InputError):
        return line
    hint = 'each line must be one JSON object such as {"id": "a1", "text": "..."}'
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError(f"not valid JSON: {exc.msg} at column {exc.colno}", where=where, hint=hint)
    if not isinstance(obj, dict):
        return InputError(f"not a JSON object but {json_kind(obj)}", where=where, hint=hint)
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        problem = "missing" if text is None else "empty" if isinstance(text, str) else f"{json_kind(text)}, not text"
        return InputError(f"`text` is {problem}", where=where, hint="every line needs a non-empty string `text`")
    meta = {k: obj[k] for k in META_KEYS if obj.get(k) is not None}
    return make_document(
        normalise(text), meta, where=where, meta_where=lambda _: where, default_id=default_id, source=where
    )
