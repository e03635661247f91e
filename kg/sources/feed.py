"""RSS and Atom: feed bytes -> entries (feedparser), saved feed files (``.rss``, ``.atom``) -> Documents, and a
fetched article page's bytes -> a Document (main text by trafilatura).

No network here (a source reads what it is given): ``kg.sync`` fetches feeds and pages and hands the bytes to
:func:`parse_feed` and :func:`page_document`. A saved feed file is read like a JSONL file, one document per
entry, from the text the entry itself carries (``content``, else ``summary``); its id is the entry's id (guid),
else its link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.sources.common import Item, decode, iso_date, make_document, normalise, read_limited
from kg.sources.html import main_text

FEED_HINT = "give an RSS 2.0, RSS 1.0 or Atom feed"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed, as far as kg needs it."""

    id: str  # the entry's id (guid), else its link
    link: str | None  # the article page
    title: str | None = None
    published: str | None = None  # ISO 8601, when the feed gives a date kg can read
    updated: str | None = None  # the entry's own updated/published stamp as written (to notice edits)
    content: str | None = None  # HTML or text the entry carries (content, else summary)


def parse_feed(data: bytes, where: str) -> list[FeedEntry] | InputError:
    """The entries of an RSS/Atom document; an InputError when it is not a feed at all.

    feedparser is lenient (a "bozo" feed with a recoverable error still gives its entries); only a document
    with no feed element and no entries is refused.
    """
    import feedparser  # only when feeds are read

    parsed: Any = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        shown = f": {str(problem).splitlines()[0]}" if problem else ""
        return InputError(f"not an RSS or Atom feed{shown}", where=where, hint=FEED_HINT)
    entries: list[FeedEntry] = []
    for raw in parsed.entries:
        link = _text(raw.get("link"))
        ident = _text(raw.get("id")) or link
        if not ident:
            continue  # an entry with neither id nor link cannot be followed or told apart
        stamp = _text(dict.get(raw, "updated")) or _text(raw.get("published"))  # dict.get: no feedparser fallback
        published = iso_date(_text(raw.get("published")) or stamp) if (raw.get("published") or stamp) else None
        entries.append(FeedEntry(id=ident, link=link, title=_text(raw.get("title")), published=published,
                                 updated=stamp, content=_content(raw)))
    return entries


def read(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    """A saved feed file: one Document per entry that carries text."""
    where = str(path)
    data = read_limited(path, max_bytes)
    if isinstance(data, InputError):
        yield data
        return
    entries = parse_feed(data, where)
    if isinstance(entries, InputError):
        yield entries
        return
    if not entries:
        yield InputError("the feed has no entries", where=where, hint=FEED_HINT)
        return
    for number, entry in enumerate(entries, 1):
        entry_where = f"{where}#{number}"
        text = html_to_text(entry.content or "")
        if not text.strip():
            yield InputError("the entry carries no text", where=entry_where,
                             hint="kg sync fetches each entry's page; a saved feed is read from its entries' content")
            continue
        meta = {"id": entry.id, "title": entry.title, "published": entry.published, "url": entry.link}
        yield make_document(text, {k: v for k, v in meta.items() if v}, where=entry_where,
                            meta_where=_at(entry_where), default_id=f"{doc_id}-{number}", source=entry_where)


def page_document(data: bytes, *, where: str, doc_id: str, charset: str | None = None,
                  meta: dict[str, str | None] | None = None) -> Item:
    """An article page's bytes -> a Document with its main text; ``meta`` (from the feed entry) wins over what
    trafilatura finds in the page, except that a missing value is filled from the page."""
    html = decode(data, where, fallback=charset if charset and charset.lower().replace("-", "") != "utf8" else None)
    if isinstance(html, InputError):
        return html
    if not html.strip():
        return InputError("empty page", where=where)
    found = main_text(html, where, "page",
                      hint="the page may need JavaScript, or be an index page rather than an article")
    if isinstance(found, InputError):
        return found
    text, result = found
    given = {k: v for k, v in (meta or {}).items() if v}
    page_date = iso_date(result.get("date")) if result.get("date") else None
    merged: dict[str, Any] = {"title": result.get("title"), "published": page_date, **given, "id": doc_id}
    return make_document(text, {k: v for k, v in merged.items() if v}, where=where, meta_where=lambda _: where,
                         default_id=doc_id, source=where)


def html_to_text(content: str) -> str:
    """Text of an HTML fragment (an entry's content); plain text comes back as it is."""
    if "<" not in content:
        return normalise(content)
    from lxml import etree
    from lxml import html as lxml_html  # trafilatura's own parser

    try:
        root = lxml_html.fragment_fromstring(content, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for element in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in normalise(root.text_content()).split("\n"))
    return "\n".join(line for line in lines if line)


def _at(where: str) -> Callable[[str], str]:
    return lambda _key: where


def _content(raw: Any) -> str | None:
    for part in raw.get("content") or ():
        value = part.get("value") if isinstance(part, dict) else None
        if value:
            return str(value)
    summary = raw.get("summary")
    return str(summary) if summary else None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
