"""HTML pages (``.html``, ``.htm``): the main text by trafilatura, title, date and URL from its metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.sources.common import Item, decode, iso_date, make_document, normalise, read_limited


def read(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    yield _read_html(path, doc_id, max_bytes)


def _read_html(path: Path, doc_id: str, max_bytes: int) -> Item:
    where = str(path)
    data = read_limited(path, max_bytes)
    if isinstance(data, InputError):
        return data
    html = decode(data, where, fallback=_declared_charset(data))
    if isinstance(html, InputError):
        return html
    if not html.strip():
        return InputError("empty file", where=where, hint="give a file with text in it")
    found = main_text(html, where, "HTML", hint="check that it is an article page, or save its text as .txt")
    if isinstance(found, InputError):
        return found
    text, result = found
    published = iso_date(result.get("date")) if result.get("date") else None  # unparseable: dropped, not an error
    meta: dict[str, Any] = {"title": result.get("title"), "published": published, "url": result.get("url")}
    return make_document(
        text,
        {k: v for k, v in meta.items() if v},
        where=where,
        meta_where=lambda _: where,
        default_id=doc_id,
        source=where,
    )


def main_text(html: str, where: str, what: str, hint: str) -> tuple[str, dict[str, Any]] | InputError:
    """(main text, trafilatura's metadata) of an HTML page, or the error naming ``what`` it was (the HTML of a
    file, a fetched page) with ``hint`` when it has no article text."""
    import trafilatura  # heavy: only when HTML is read

    try:
        found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as exc:  # noqa: BLE001 - a third-party parser on arbitrary input; report, don't crash the run
        return InputError(f"{what} could not be parsed: {exc}", where=where)
    result: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    text = normalise(result.get("text") or "")
    if not text.strip():
        return InputError(f"no article text found in the {what}", where=where, hint=hint)
    return text, result


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag near its top, if it is not UTF-8."""
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    name = match.group(1).decode("ascii").lower()
    return None if name.replace("-", "").replace("_", "") == "utf8" else name
