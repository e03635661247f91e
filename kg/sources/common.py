"""What every reader shares: bytes to normalised text, size limits, front matter and metadata, Documents."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError
from kg.records import Document

DEFAULT_MAX_BYTES = 5_000_000
META_KEYS = ("id", "title", "published", "url", "source")

Item = Document | InputError

# bytes → text
# --------------------------------------------------------------------------------------------------------------


def read_limited(path: Path, max_bytes: int) -> bytes | InputError:
    where = str(path)
    size = path.stat().st_size
    if size > max_bytes:
        return too_large(where, size, max_bytes)
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    if len(data) > max_bytes:
        return too_large(where, None, max_bytes)
    return data


def too_large(where: str, size: int | None, max_bytes: int) -> InputError:
    shown = f"{size:,} bytes" if size is not None else f"more than {max_bytes:,} bytes"
    return InputError(
        f"document is too large: {shown}, the limit is {max_bytes:,} bytes",
        where=where,
        hint="raise the limit with --max-bytes, or split the document",
    )


def binary(where: str) -> InputError:
    return InputError(
        "binary file (contains NUL bytes)",
        where=where,
        hint="give a UTF-8 text, Markdown, HTML or JSONL file; UTF-16 files must be converted to UTF-8",
    )


def decode(data: bytes, where: str, *, fallback: str | None = None, bom: bool = True) -> str | InputError:
    """UTF-8 bytes → normalised text, or an InputError for NUL bytes / invalid UTF-8 (naming the byte offset)."""
    if b"\x00" in data:
        return binary(where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if fallback is not None:
            try:
                return normalise(data.decode(fallback))
            except (LookupError, UnicodeDecodeError):
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        return InputError(
            f"not valid UTF-8: byte {exc.start} (line {line}) is 0x{data[exc.start]:02x}",
            where=where,
            hint="convert the file to UTF-8, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8`",
        )
    return normalise(text) if bom else normalise(text, bom=False)


def normalise(text: str, *, bom: bool = True) -> str:
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

class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text: ``published`` is checked by :func:`iso_date`, so an impossible date
    (2024-02-30) is this document's error with its line, not a ValueError from the YAML parser."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FM_OPEN = re.compile(r"---[ \t]*\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str, str] | InputError:
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
        data = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader
    except RecursionError:
        return InputError("front matter is nested too deeply", where=f"{where}:2", hint=hint)
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
                f"front matter `{key}` must be a single value, not {json_kind(value)}",
                where=f"{where}:{key_line(block, key)}",
                hint=hint,
            )
    return meta, body, block


def key_line(block: str, key: str) -> int:
    """The file line number of ``key:`` in the front matter (which starts on line 2); 2 when not found."""
    for number, line in enumerate(block.split("\n"), 2):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return number
    return 2


def make_document(
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
            iso = iso_date(value)
            if iso is None:
                return InputError(
                    f"published is not a valid date: {value!r}",
                    where=meta_where(key),
                    hint="write it as YYYY-MM-DD or an ISO 8601 date-time",
                )
            fields[key] = iso
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            fields[key] = str(value).strip() or None
        else:
            return InputError(f"`{key}` must be text, not {json_kind(value)}", where=meta_where(key))
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


def iso_date(value: object) -> str | None:
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


def json_kind(value: object) -> str:
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
