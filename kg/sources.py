"""Reading sources into :class:`~kg.records.Document` objects, and finding web boilerplate inside plain text.

:func:`iter_documents` turns command-line style paths (files, directories, ``-`` for stdin) into a lazy stream of
Documents. A document that cannot be read is *yielded* as an :class:`~kg.errors.InputError` so the caller can
count it and go on (``strict=True`` raises the first one instead).

Supported inputs:

- ``.txt`` / ``.md``: plain text, with optional YAML front matter between ``---`` lines at the very top
  (keys ``id``, ``title``, ``published``, ``url``, ``source``; other keys are ignored);
- ``.html`` / ``.htm``: main text extracted by trafilatura, title/date/url from its metadata;
- ``.jsonl``: one document per line, ``{"text": ...}`` plus optional ``id``, ``title``, ``published``, ``url``,
  ``source``;
- directories: searched recursively in sorted order, hidden entries skipped, unknown extensions ignored;
- ``-``: standard input, plain text (front matter allowed), id ``sha256:<16 hex>`` unless the front matter gives one.

Text is decoded as UTF-8, a BOM is dropped and line ends become ``\\n``; ``Document.sha256`` is the hex digest of
that normalised text, and all character offsets downstream refer to it.

:func:`boilerplate_spans` finds newsletter prompts, membership appeals, share lines, comment counters, copyright
notices and the like in plain text, as spans to ignore, so that offsets of the real text stay unchanged.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import yaml

from kg.errors import InputError
from kg.records import Document

TEXT_EXTENSIONS = (".md", ".txt")
HTML_EXTENSIONS = (".htm", ".html")
JSONL_EXTENSIONS = (".jsonl",)
SUPPORTED_EXTENSIONS = tuple(sorted(TEXT_EXTENSIONS + HTML_EXTENSIONS + JSONL_EXTENSIONS))
DEFAULT_MAX_BYTES = 5_000_000
META_KEYS = ("id", "title", "published", "url", "source")

_SUPPORTED_HINT = "supported: " + ", ".join(SUPPORTED_EXTENSIONS) + ", a directory, or - for stdin"
_SNIFF_BYTES = 8192  # how much of a JSONL file is checked for NUL bytes up front

Item = Document | InputError


# --------------------------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------------------------


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
            yield _read_stdin(stdin if stdin is not None else sys.stdin, max_bytes)
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
            if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
                shown = f"'{path.suffix}'" if path.suffix else "without an extension"
                yield InputError(f"unsupported file type {shown}", where=arg, hint=_SUPPORTED_HINT)
            else:
                yield from _read_file(path, path.stem, max_bytes)
        else:
            yield InputError("not a regular file or directory", where=arg, hint=_SUPPORTED_HINT)


def _walk(root: Path) -> Iterator[Path | InputError]:
    """Files with a supported extension under ``root``, depth first, entries sorted by name, hidden ones skipped.

    Only one directory listing (names, not contents) is held per level. Symlinked directories are followed once.
    """
    visited: set[str] = {os.path.realpath(root)}

    def walk(directory: Path) -> Iterator[Path | InputError]:
        try:
            with os.scandir(directory) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            yield InputError(f"cannot list directory: {exc.strerror or exc}", where=str(directory))
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    real = os.path.realpath(path)
                    if real not in visited:
                        visited.add(real)
                        yield from walk(path)
                elif entry.is_file() and path.suffix.lower() in SUPPORTED_EXTENSIONS:
                    yield path
            except OSError as exc:
                yield InputError(f"cannot read: {exc.strerror or exc}", where=str(path))

    yield from walk(root)


# --------------------------------------------------------------------------------------------------------------
# readers
# --------------------------------------------------------------------------------------------------------------


def _read_file(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_EXTENSIONS:
            yield from _read_jsonl(path, doc_id, max_bytes)
        elif suffix in HTML_EXTENSIONS:
            yield _read_html(path, doc_id, max_bytes)
        else:
            yield _read_text(path, doc_id, max_bytes)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", where=str(path))


def _read_text(path: Path, doc_id: str, max_bytes: int) -> Item:
    where = str(path)
    data = _read_limited(path, max_bytes)
    if isinstance(data, InputError):
        return data
    text = _decode(data, where)
    if isinstance(text, InputError):
        return text
    return _text_document(text, where=where, default_id=doc_id, source=where)


def _read_stdin(stream: TextIO, max_bytes: int) -> Item:
    where = "-"
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    if buffer is not None:
        data = buffer.read(max_bytes + 1)
    else:
        data = stream.read(max_bytes + 1).encode("utf-8", errors="surrogatepass")
    if len(data) > max_bytes:
        return _too_large(where, None, max_bytes)
    text = _decode(data, where)
    if isinstance(text, InputError):
        return text
    return _text_document(text, where=where, default_id=None, source=where)


def _text_document(text: str, *, where: str, default_id: str | None, source: str) -> Item:
    """A plain-text document, after splitting off its front matter. ``default_id=None`` means content hash."""
    split = _split_front_matter(text, where)
    if isinstance(split, InputError):
        return split
    meta, body, block = split
    if not body.strip():
        return InputError("empty document" if meta else "empty file", where=where, hint="give a file with text in it")
    return _make_document(
        body,
        meta,
        where=where,
        meta_where=lambda key: f"{where}:{_key_line(block, key)}",
        default_id=default_id,
        source=source,
    )


def _read_html(path: Path, doc_id: str, max_bytes: int) -> Item:
    where = str(path)
    data = _read_limited(path, max_bytes)
    if isinstance(data, InputError):
        return data
    html = _decode(data, where, fallback=_declared_charset(data))
    if isinstance(html, InputError):
        return html
    if not html.strip():
        return InputError("empty file", where=where, hint="give a file with text in it")
    import trafilatura  # heavy: only when HTML is read

    try:
        found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as exc:  # noqa: BLE001 - a third-party parser on arbitrary input; report, don't crash the run
        return InputError(f"HTML could not be parsed: {exc}", where=where)
    result: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    text = _normalise(result.get("text") or "")
    if not text.strip():
        return InputError(
            "no article text found in the HTML",
            where=where,
            hint="check that it is an article page, or save its text as .txt",
        )
    published = _iso_date(result.get("date")) if result.get("date") else None  # unparseable: dropped, not an error
    meta: dict[str, Any] = {"title": result.get("title"), "published": published, "url": result.get("url")}
    return _make_document(
        text,
        {k: v for k, v in meta.items() if v},
        where=where,
        meta_where=lambda _: where,
        default_id=doc_id,
        source=where,
    )


def _read_jsonl(path: Path, doc_id: str, max_bytes: int) -> Iterator[Item]:
    """One document per non-blank line. The file is read line by line; a line is never held beyond max_bytes+1."""
    with open(path, "rb") as handle:
        if b"\x00" in handle.read(_SNIFF_BYTES):
            yield _binary(str(path))
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
                yield _too_large(where, size, max_bytes)
                continue
            if not raw.strip():
                continue
            found = True
            yield _jsonl_document(raw, where=where, default_id=f"{doc_id}-{lineno}", first=lineno == 1)
    if not found:
        yield InputError("empty file", where=str(path), hint="give one JSON object per line, with a `text` key")


def _jsonl_document(raw: bytes, *, where: str, default_id: str, first: bool) -> Item:
    line = _decode(raw, where) if first else _decode(raw, where, bom=False)
    if isinstance(line, InputError):
        return line
    hint = 'each line must be one JSON object such as {"id": "a1", "text": "..."}'
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError(f"not valid JSON: {exc.msg} at column {exc.colno}", where=where, hint=hint)
    if not isinstance(obj, dict):
        return InputError(f"not a JSON object but {_json_kind(obj)}", where=where, hint=hint)
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        problem = "missing" if text is None else "empty" if isinstance(text, str) else f"{_json_kind(text)}, not text"
        return InputError(f"`text` is {problem}", where=where, hint="every line needs a non-empty string `text`")
    meta = {k: obj[k] for k in META_KEYS if obj.get(k) is not None}
    return _make_document(
        _normalise(text), meta, where=where, meta_where=lambda _: where, default_id=default_id, source=where
    )


# --------------------------------------------------------------------------------------------------------------
# bytes → text
# --------------------------------------------------------------------------------------------------------------


def _read_limited(path: Path, max_bytes: int) -> bytes | InputError:
    where = str(path)
    size = path.stat().st_size
    if size > max_bytes:
        return _too_large(where, size, max_bytes)
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    if len(data) > max_bytes:
        return _too_large(where, None, max_bytes)
    return data


def _too_large(where: str, size: int | None, max_bytes: int) -> InputError:
    shown = f"{size:,} bytes" if size is not None else f"more than {max_bytes:,} bytes"
    return InputError(
        f"document is too large: {shown}, the limit is {max_bytes:,} bytes",
        where=where,
        hint="raise the limit with --max-bytes, or split the document",
    )


def _binary(where: str) -> InputError:
    return InputError(
        "binary file (contains NUL bytes)",
        where=where,
        hint="give a UTF-8 text, Markdown, HTML or JSONL file; UTF-16 files must be converted to UTF-8",
    )


def _decode(data: bytes, where: str, *, fallback: str | None = None, bom: bool = True) -> str | InputError:
    """UTF-8 bytes → normalised text, or an InputError for NUL bytes / invalid UTF-8 (naming the byte offset)."""
    if b"\x00" in data:
        return _binary(where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if fallback is not None:
            try:
                return _normalise(data.decode(fallback))
            except (LookupError, UnicodeDecodeError):
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        return InputError(
            f"not valid UTF-8: byte {exc.start} (line {line}) is 0x{data[exc.start]:02x}",
            where=where,
            hint="convert the file to UTF-8, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8`",
        )
    return _normalise(text) if bom else _normalise(text, bom=False)


def _normalise(text: str, *, bom: bool = True) -> str:
    if bom and text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag near its top, if it is not UTF-8."""
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    name = match.group(1).decode("ascii").lower()
    return None if name.replace("-", "").replace("_", "") == "utf8" else name


# --------------------------------------------------------------------------------------------------------------
# front matter and metadata
# --------------------------------------------------------------------------------------------------------------

_FM_OPEN = re.compile(r"---[ \t]*\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def _split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str, str] | InputError:
    """(front matter, body, front matter's YAML text) — an empty dict and block when there is none."""
    opened = _FM_OPEN.match(text)
    if opened is None:
        return {}, text, ""
    closed = _FM_CLOSE.search(text, opened.end())
    hint = "front matter is YAML between a first line '---' and a closing line '---'"
    if closed is None:
        return InputError("front matter opened on line 1 is never closed", where=f"{where}:1", hint=hint)
    block = text[opened.end() : closed.start()]
    body = text[closed.end() + 1 :]
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2  # +1: 0-based, +1: the opening '---'
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return InputError(f"malformed front matter: {problem}", where=f"{where}:{line}", hint=hint)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return InputError("front matter is not a set of `key: value` lines", where=f"{where}:2", hint=hint)
    meta = {str(k): v for k, v in data.items() if str(k) in META_KEYS and v is not None}
    for key, value in meta.items():
        if isinstance(value, (list, dict)):
            return InputError(
                f"front matter `{key}` must be a single value, not {_json_kind(value)}",
                where=f"{where}:{_key_line(block, key)}",
                hint=hint,
            )
    return meta, body, block


def _key_line(block: str, key: str) -> int:
    """The file line number of ``key:`` in the front matter (which starts on line 2); 2 when not found."""
    for number, line in enumerate(block.split("\n"), 2):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return number
    return 2


def _make_document(
    text: str,
    meta: dict[str, Any],
    *,
    where: str,
    meta_where: Callable[[str], str],
    default_id: str | None,
    source: str,
) -> Item:
    """A Document from normalised text and its metadata; ``meta_where(key)`` says where a bad value was given."""
    try:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    except UnicodeEncodeError as exc:  # lone surrogates, e.g. from a JSON "\ud800" escape
        return InputError(
            f"text contains an invalid character at {exc.start}", where=where, hint="fix the \\u escapes in the source"
        )
    fields: dict[str, str | None] = {}
    for key in META_KEYS:
        value = meta.get(key)
        if value is None:
            fields[key] = None
        elif key == "published":
            iso = _iso_date(value)
            if iso is None:
                return InputError(
                    f"`published` is not a date: {value!r}",
                    where=meta_where(key),
                    hint="write it as YYYY-MM-DD or an ISO 8601 date-time",
                )
            fields[key] = iso
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            fields[key] = str(value).strip() or None
        else:
            return InputError(f"`{key}` must be text, not {_json_kind(value)}", where=meta_where(key))
    doc_id = fields["id"] or default_id or f"sha256:{digest[:16]}"
    return Document(
        id=doc_id,
        text=text,
        sha256=digest,
        title=fields["title"],
        published=fields["published"],
        url=fields["url"],
        source=fields["source"] or source,
    )


_DATE_FORMATS = ("%Y/%m/%d", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y")


def _iso_date(value: object) -> str | None:
    """A date or date-time (object or string) as an ISO 8601 string; None when it is not recognisably a date."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            return parse(text).isoformat()
        except ValueError:
            pass
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()  # RFC 2822, as in RSS
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    return None


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


# --------------------------------------------------------------------------------------------------------------
# boilerplate
# --------------------------------------------------------------------------------------------------------------
#
# A line (= paragraph) is boilerplate on its own when it is short and matches one of _LINE_RULES, or when it is
# an appeal: it asks for money/membership (_APPEAL) while addressing the reader (_ADDRESS) and is not reported
# speech. At the end of a document, the block from the first appeal/editor-letter line on is boilerplate when
# every line after it is appeal-like, a sign-off, addresses the reader, or is short.

_I = re.IGNORECASE
_MAX_LINE = 300  # single-line rules only fire on lines up to this long; navigation lines are short
_SHORT_LINE = 60  # inside an end-of-article appeal, a line this short (sign-off, name, button) goes with it
_APOS = "['’]"

_LINE_RULES: tuple[re.Pattern[str], ...] = (
    # newsletter sign-up prompts
    re.compile(r"^(?:get|receive)\b.*\b(?:by|via|in\s+your)\s+e-?mail\b.*\b(?:sign\s?up|subscribe)\W*$", _I),
    re.compile(r"\b(?:newsletters?|e-?mail|inbox)\b.*\b(?:sign\s?up|subscribe)\W*$", _I),
    re.compile(r"\b(?:subscribe|sign\s?up)\s+(?:to|for)\s+(?:our|the)\b.{0,40}\bnewsletters?\b", _I),
    # reading meters
    re.compile(rf"\byou{_APOS}ve\s+read\b.{{0,60}}\barticles?\b|\byou\s+have\s+read\b.{{0,60}}\barticles?\b", _I),
    re.compile(r"\b(?:free\s+)?articles?\s+(?:left|remaining)\s+this\s+(?:month|week)\b", _I),
    # comment counters and buttons
    re.compile(r"^(?:\d[\d,.]*k?\s+)?comments?\s*(?:[(\[]\d+[)\]]|\d+)?$", _I),
    re.compile(r"^(?:view|show|read|load|add|post|leave|hide|see)\s+(?:all\s+|the\s+|a\s+)?(?:\d+\s+)?comments?\b", _I),
    re.compile(r"^(?:join|start)\s+the\s+(?:conversation|discussion)\W*$", _I),
    # link lists and ads
    re.compile(
        r"^(?:read\s+more|related(?:\s+(?:articles?|stories|coverage|content|posts?))?|see\s+also|more\s+on\s+this"
        r"(?:\s+story)?|recommended(?:\s+for\s+you)?|most\s+(?:read|popular)|you\s+may\s+also\s+like)"
        r"(?:\s*[:»›|–—-].*)?$",
        _I,
    ),
    re.compile(
        r"^(?:advertisement|sponsored(?:\s+content)?|paid\s+content|story\s+continues\s+below"
        r"(?:\s+advertisement)?)\W*$",
        _I,
    ),
    # share / follow
    re.compile(
        r"^(?:share|tweet|pin|e-?mail|print)(?:\s+(?:this(?:\s+(?:article|story|page|post))?|on|via|to)\b.*)?$", _I
    ),
    re.compile(r"^(?:follow|like)\s+(?:us|me)\b", _I),
    # cookie notices
    re.compile(
        r"\b(?:we\s+use\s+cookies|(?:this|our)\s+(?:web)?site\s+uses\s+cookies|cookie\s+(?:policy|settings|"
        r"preferences|consent)|accept\s+(?:all\s+)?cookies)\b",
        _I,
    ),
    # copyright
    re.compile(r"^(?:©|\(c\)\s|copyright\s*(?:©|\(c\))?\s*(?:\d{4}|by\b))|\ball\s+rights\s+reserved\b", _I),
)

# Asking for money or membership.
_APPEAL = re.compile(
    r"\b(?:donat(?:e|es|ing|ion|ions)|become\s+an?\s+(?:member|subscriber|supporter|patron)|join\s+(?:our|the)\s+"
    r"\w*\s*community|membership|paywall|subscribe\s+(?:today|now)|(?:your|reader)\s+support|support\s+(?:our|us|"
    r"independent|quality)\b)|[$€£]\s?\d+(?:\.\d\d)?\s+(?:a|per)\s+(?:month|week|year)\b",
    _I,
)
# Speaking to the reader ("our correspondent ... membership" in a news sentence is not an appeal).
_ADDRESS = re.compile(r"\b(?:you|your|readers?)\b|^(?:please\s+)?(?:support|donate|become|join|subscribe)\b", _I)
# Quotes or attribution: a news sentence reporting what someone asked for, not an appeal.
_REPORTED = re.compile(r"[\"“”]|\b(?:said|says|told|according\s+to|stated)\b", _I)
# How an editor's letter to the reader opens.
_LETTER_OPENER = re.compile(
    rf"^(?:I{_APOS}ll\s+(?:tell\s+you\s+the\s+truth|be\s+honest)|I{_APOS}m\s+proud\s+to\s+(?:work|write)\s+(?:at|for)|"
    rf"we{_APOS}re\s+(?:really\s+|so\s+)?(?:pleased|glad|delighted|happy)\s+(?:that\s+)?you|dear\s+(?:reader|friend)s?\b|"
    rf"(?:so\s+)?(?:now\s+)?we\s+have\s+a\s+(?:small\s+)?(?:request|favou?r)\b|before\s+you\s+go\b|"
    rf"if\s+you\s+(?:value|like|enjoy|appreciate)\s+(?:our|this|what)\b)",
    _I,
)
# First person or the publication speaking about itself: continues an appeal block, never starts one.
_FIRST_PERSON = re.compile(
    rf"^(?:I|I{_APOS}(?:m|ll|ve|d)|we|we{_APOS}(?:re|ve|ll)|our|that{_APOS}s\s+why\s+we)\b|"
    r"\bour\s+(?:team|reporting|journalism|journalists|work|newsroom|readers|coverage|mission)\b",
    _I,
)
_SIGNOFF = re.compile(
    r"^(?:thank\s+you(?:\s+for\s+reading)?|thanks|sincerely|(?:best|kind|warm)\s+regards|regards|yours"
    r"(?:\s+(?:truly|sincerely))?|with\s+gratitude)\s*[,.!—–-]?$",
    _I,
)
_NAME_TITLE = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,4}\s*,\s+\w.{0,80}$")


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of web boilerplate in ``text``, sorted and non-overlapping.

    Works line by line (a line is a paragraph) and is conservative: ordinary news sentences, including ones that
    quote a spokesman or mention "air support", are never flagged. The text itself is not changed, so offsets
    computed on it stay valid; callers skip sentences that fall inside a span.
    """
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    flagged = [_is_boilerplate_line(line) for _, _, line in lines]
    for i, (_, _, line) in enumerate(lines):
        if _SIGNOFF.match(line):
            j = _next_nonblank(lines, i)
            if j is not None and _NAME_TITLE.match(lines[j][2]):
                flagged[i] = flagged[j] = True

    spans: list[tuple[int, int]] = []
    tail = _appeal_tail(lines)
    for i, (start, end, line) in enumerate(lines[:tail]):
        if flagged[i] and line:
            spans.append((start, end))
    if tail < len(lines):
        spans.append((lines[tail][0], len(text)))
    return _merge(spans, text)


def _is_boilerplate_line(line: str) -> bool:
    if not line or len(line) > _MAX_LINE * 2:
        return False
    if len(line) <= _MAX_LINE and any(rule.search(line) for rule in _LINE_RULES):
        return True
    return _is_appeal(line)


def _is_appeal(line: str) -> bool:
    return bool(_APPEAL.search(line) and _ADDRESS.search(line) and not _REPORTED.search(line))


def _appeal_tail(lines: list[tuple[int, int, str]]) -> int:
    """Index of the first line of the closing appeal block, or len(lines) when the document has none."""
    start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i][2]
        if not _continues_appeal(line):
            break
        if line and (_is_appeal(line) or _LETTER_OPENER.match(line)):
            start = i
    return start


def _continues_appeal(line: str) -> bool:
    if len(line) <= _SHORT_LINE or _is_boilerplate_line(line) or _LETTER_OPENER.match(line):
        return True
    if _REPORTED.search(line):
        return False
    return bool(_FIRST_PERSON.search(line) or re.search(r"\b(?:you|your)\b", line, _I))


def _next_nonblank(lines: list[tuple[int, int, str]], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j][2]:
            return j
    return None


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join spans separated only by whitespace."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
