"""Public gold data (WikiEvents, RAMS, PLOVER) read into one plain shape, with exact character offsets.

``load_gold(path, fmt)`` returns one :class:`GoldDoc` per document (WikiEvents, RAMS) or per record
(PLOVER). Every span is a character span into ``GoldDoc.text``, which is rebuilt from the gold tokens or
markup so that ``text[start:end]`` is exactly the annotated text:

- WikiEvents: each token is placed at its character offset from ``sentences``; gaps are filled with spaces,
  and with a newline between sentences (the ``text`` field of the file does not match the offsets and is
  not used). Entity mentions carry the KAIROS entity type (PER, ORG, GPE, LOC, FAC, WEA, VEH, ...);
  event arguments are resolved from entity ids to the mention spans.
- RAMS: tokens joined by spaces, sentences by newlines. The only gold "entities" are the argument spans
  (typed with their role name); there is no NER gold.
- PLOVER: the text is the ``textInfo.markup`` with its ``(TAG: ...)`` brackets removed (it sometimes
  differs from the ``text`` field). One event per record: its trigger is the EVT span, or the stretch from
  the first to the last EVT span when there are several; SRC, TAR, SRC/TAR and LOC spans are its
  arguments (and its gold entities, typed with the tag).

Gold event types and roles are aligned to our classes and coarse roles with ``mappings/alignment.yaml``
(see its header); ``GoldEvent.cls`` / ``GoldArg.role`` is None when the type or role fits none of ours.
Document ids are made unique (a repeated id gets a ``#2``, ``#3`` suffix). A malformed gold file raises
:class:`InputError` naming ``file:line``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kg.errors import ConfigError, InputError
from kg.resources import data_path
from kg.yamlio import Lined, line_of, load_yaml

FORMATS = ("wikievents", "rams", "plover")
Alignment = dict[str, dict[str, dict[str, str | None]]]
# Alignment sections that are not event taxonomies (read by their own scorer, skipped by load_alignment).
DOCUMENT_SECTIONS = ("muc4",)


class TextDoc(Protocol):
    """What extraction needs of a gold document, whatever its format."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class GoldSpan:
    start: int
    end: int
    type: str
    text: str


@dataclass(frozen=True, slots=True)
class GoldArg:
    start: int
    end: int
    role_raw: str
    role: str | None  # coarse role, None when the gold role fits none of ours


@dataclass(frozen=True, slots=True)
class GoldEvent:
    start: int  # trigger span
    end: int
    type: str  # the gold's own event type
    cls: str | None  # our event type key (class), None when unaligned
    args: tuple[GoldArg, ...] = ()


@dataclass(frozen=True, slots=True)
class GoldDoc:
    id: str
    text: str
    entities: tuple[GoldSpan, ...]
    events: tuple[GoldEvent, ...]


# ------------------------------------------------------------------ alignment


def load_alignment(path: Path | str | None = None) -> Alignment:
    """The parsed alignment file: {section: {"types": {...}, "roles": {...}}}, values str or None.

    By default ``alignment.yaml`` of the shipped mappings (:func:`kg.resources.data_path`, so an installed
    wheel finds it too). Every problem is a :class:`ConfigError` naming ``file:line``.
    """
    path = Path(path) if path else data_path("mappings") / "alignment.yaml"
    data = load_yaml(path, what="alignment file")
    if not isinstance(data, Lined):
        raise ConfigError("alignment must be a mapping of sections", where=f"{path}:{getattr(data, 'line', 1)}")
    alignment: Alignment = {}
    for section, body in data.items():
        if section in DOCUMENT_SECTIONS:
            continue
        if not isinstance(body, Lined) or not isinstance(body.get("types", {}), dict):
            raise ConfigError(f"section {section!r} must be a mapping with `types`",
                              where=f"{path}:{line_of(data, section)}")
        alignment[str(section)] = {}
        for part in ("types", "roles"):
            table = body.get(part) or {}
            if not isinstance(table, dict):
                raise ConfigError(f"{section}.{part} must be a mapping", where=f"{path}:{line_of(data, section, part)}")
            for key, value in table.items():
                if value is not None and not isinstance(value, str):
                    raise ConfigError(f"{section}.{part}.{key}: expected a name or null, got {value!r}",
                                      where=f"{path}:{line_of(data, section, part, key)}")
            alignment[str(section)][part] = {str(k): v for k, v in table.items()}
    return alignment


def align_type(alignment: Alignment, section: str, gold_type: str) -> str | None:
    """Our class for a gold event type: exact entry, else the longest listed dotted (or digit) prefix."""
    table = alignment.get(section, {}).get("types", {})
    key = gold_type
    while key:
        if key in table:
            return table[key]
        if "." in key:
            key = key.rsplit(".", 1)[0]
        elif key.isdigit() and len(key) > 2:  # CAMEO codes: 0841 -> 084 -> 08
            key = key[:-1]
        else:
            break
    return None


def align_role(alignment: Alignment, section: str, role: str) -> str | None:
    return alignment.get(section, {}).get("roles", {}).get(role)


# ------------------------------------------------------------------ loading


def load_gold(path: Path | str, fmt: str, alignment: Alignment | None = None) -> list[GoldDoc]:
    """Read a gold file of format ``wikievents``, ``rams`` or ``plover``."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown gold format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    path = Path(path)
    alignment = alignment if alignment is not None else load_alignment()
    try:
        if fmt == "plover":
            docs = [_plover_doc(rec, alignment, f"{path}:{line}") for line, rec in _json_array(path)]
        else:
            reader = _wikievents_doc if fmt == "wikievents" else _rams_doc
            docs = [reader(rec, alignment, f"{path}:{line}") for line, rec in json_lines(path)]
    except FileNotFoundError as exc:
        raise InputError("gold file not found", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"gold file is not UTF-8: {exc}", where=str(path)) from exc
    return unique_ids(docs)


D = TypeVar("D", bound=TextDoc)


def unique_ids(docs: list[D]) -> list[D]:
    """Give a repeated id a suffix (``ID#2``, ``ID#3``; the PLOVER GSR uses one id twice); docs are dataclasses."""
    seen: dict[str, int] = {}
    unique = []
    for doc in docs:
        seen[doc.id] = seen.get(doc.id, 0) + 1
        unique.append(doc if seen[doc.id] == 1 else replace(doc, id=f"{doc.id}#{seen[doc.id]}"))  # type: ignore[type-var]
    return unique


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not JSON: {exc.msg}", where=f"{path}:{lineno}") from exc
            if not isinstance(record, dict):
                raise InputError("expected a JSON object", where=f"{path}:{lineno}")
            yield lineno, record


def _json_array(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records of a JSON array with the line each starts on (the first, documentation record skipped)."""
    raw = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    pos = _skip_ws(raw, 0)
    if raw[pos : pos + 1] != "[":
        raise InputError("expected a JSON array", where=f"{path}:{raw.count(chr(10), 0, pos) + 1}")
    pos = _skip_ws(raw, pos + 1)
    first = True
    while raw[pos : pos + 1] != "]":
        line = raw.count("\n", 0, pos) + 1
        try:
            record, pos = decoder.raw_decode(raw, pos)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", where=f"{path}:{exc.lineno}") from exc
        if not isinstance(record, dict):
            raise InputError("expected a JSON object", where=f"{path}:{line}")
        if not (first and record.get("event") == "DOCUMENT"):
            yield line, record
        first = False
        pos = _skip_ws(raw, pos)
        if raw[pos : pos + 1] == ",":
            pos = _skip_ws(raw, pos + 1)
        elif raw[pos : pos + 1] != "]":
            raise InputError("expected `,` or `]`", where=f"{path}:{raw.count(chr(10), 0, pos) + 1}")


def _skip_ws(raw: str, pos: int) -> int:
    while pos < len(raw) and raw[pos] in " \t\r\n":
        pos += 1
    return pos


def json_field(record: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = record.get(key)
    if not isinstance(value, kind):
        raise InputError(f"field {key!r} missing or not a {kind.__name__}", where=where)
    return value


# ---------------------------------------------------------------- WikiEvents


def _wikievents_doc(record: dict[str, Any], alignment: Alignment, where: str) -> GoldDoc:
    try:
        doc_id = str(json_field(record, "doc_id", str, where))
        text, offsets = _place_tokens(json_field(record, "sentences", list, where), where)
        mentions: dict[str, GoldSpan] = {}
        for m in json_field(record, "entity_mentions", list, where):
            start, end = _token_span(offsets, int(m["start"]), int(m["end"]) - 1, where)
            mentions[str(m["id"])] = GoldSpan(start, end, str(m["entity_type"]), text[start:end])
        events = []
        for e in json_field(record, "event_mentions", list, where):
            trig = e["trigger"]
            start, end = _token_span(offsets, int(trig["start"]), int(trig["end"]) - 1, where)
            args = []
            for a in e.get("arguments", ()):
                span = mentions.get(str(a["entity_id"]))
                if span is None:
                    raise InputError(f"argument names unknown entity {a['entity_id']!r}", where=where)
                role = str(a["role"])
                args.append(GoldArg(span.start, span.end, role, align_role(alignment, "kairos", role)))
            etype = str(e["event_type"])
            events.append(GoldEvent(start, end, etype, align_type(alignment, "kairos", etype), tuple(args)))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(f"not a WikiEvents document: {exc!r}", where=where) from exc
    return GoldDoc(doc_id, text, tuple(mentions.values()), tuple(events))


def _place_tokens(sentences: list[Any], where: str) -> tuple[str, list[tuple[int, int]]]:
    """Text with every token at its stated character offset; token offsets in document order."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    length = 0
    for sent_idx, sentence in enumerate(sentences):
        for tok_idx, (word, start, end) in enumerate(sentence[0]):
            word, start, end = str(word), int(start), int(end)
            if start < length or end - start != len(word):
                raise InputError(f"token {word!r} has bad offsets {start}-{end}", where=where)
            gap = start - length
            if gap:
                sep = "\n" if tok_idx == 0 and sent_idx > 0 else " "
                parts.append(sep + " " * (gap - 1))
            parts.append(word)
            offsets.append((start, end))
            length = end
    return "".join(parts), offsets


def _token_span(offsets: list[tuple[int, int]], first: int, last: int, where: str) -> tuple[int, int]:
    if not 0 <= first <= last < len(offsets):
        raise InputError(f"token span {first}-{last} is outside the document", where=where)
    return offsets[first][0], offsets[last][1]


# ---------------------------------------------------------------- RAMS

_RAMS_ROLE = re.compile(r"^evt\d+arg\d+")


def _rams_doc(record: dict[str, Any], alignment: Alignment, where: str) -> GoldDoc:
    try:
        doc_id = str(json_field(record, "doc_key", str, where))
        parts: list[str] = []
        offsets: list[tuple[int, int]] = []
        length = 0
        for sent_idx, sentence in enumerate(json_field(record, "sentences", list, where)):
            for tok_idx, word in enumerate(sentence):
                if sent_idx or tok_idx:
                    parts.append("\n" if tok_idx == 0 else " ")
                    length += 1
                parts.append(str(word))
                offsets.append((length, length + len(str(word))))
                length += len(str(word))
        text = "".join(parts)
        entities = []
        for first, last, labels in record.get("ent_spans", ()):
            start, end = _token_span(offsets, int(first), int(last), where)
            entities.append(GoldSpan(start, end, _RAMS_ROLE.sub("", str(labels[0][0])), text[start:end]))
        links = record.get("gold_evt_links", ())
        events = []
        for first, last, labels in json_field(record, "evt_triggers", list, where):
            start, end = _token_span(offsets, int(first), int(last), where)
            args = []
            for (t_first, t_last), (a_first, a_last), role_name in links:
                if (int(t_first), int(t_last)) != (int(first), int(last)):
                    continue
                a_start, a_end = _token_span(offsets, int(a_first), int(a_last), where)
                role = _RAMS_ROLE.sub("", str(role_name))
                args.append(GoldArg(a_start, a_end, role, align_role(alignment, "rams", role)))
            etype = str(labels[0][0])
            events.append(GoldEvent(start, end, etype, align_type(alignment, "rams", etype), tuple(args)))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(f"not a RAMS document: {exc!r}", where=where) from exc
    return GoldDoc(doc_id, text, tuple(entities), tuple(events))


# ---------------------------------------------------------------- PLOVER

_TAG = re.compile(r"\(([A-Z]+(?:/[A-Z]+)*):\s*")


def parse_markup(markup: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Plain text and (tag, start, end) spans from PLOVER markup such as ``(SRC: Libya) (EVT: offered)``.

    Tags may nest and may contain ordinary parentheses. Two typos of the PLOVER GSR are tolerated: a ``}``
    closes an open tag when the innermost open bracket is a tag, and a tag never closed gives no span (the
    text stays exact either way).
    """
    out: list[str] = []
    spans: list[tuple[str, int, int]] = []
    stack: list[tuple[str | None, int]] = []  # open brackets: (tag or None for a plain "(", start offset)
    length = 0
    i = 0
    while i < len(markup):
        tag = _TAG.match(markup, i)
        if tag:
            stack.append((tag.group(1), length))
            i = tag.end()
            continue
        char = markup[i]
        i += 1
        if char == "(":
            stack.append((None, length))
        elif char in ")}" and stack and (char == ")" or stack[-1][0] is not None):
            name, start = stack.pop()
            if name is not None:
                # trailing spaces inside the brackets are not part of the span
                end = length
                while end > start and out[-1 - (length - end)] == " ":
                    end -= 1
                spans.append((name, start, end))
                continue
        out.append(char)
        length += 1
    return "".join(out), spans


def _plover_doc(record: dict[str, Any], alignment: Alignment, where: str) -> GoldDoc:
    doc_id = str(json_field(record, "id", str, where))
    info = record.get("textInfo")
    markup = info.get("markup") if isinstance(info, dict) else info  # one GSR record has a bare string
    if not isinstance(markup, str):
        raise InputError("record has no textInfo.markup", where=where)
    text, spans = parse_markup(markup)
    triggers = sorted((start, end) for tag, start, end in spans if tag == "EVT")
    if not triggers:
        raise InputError(f"record {doc_id} has no (EVT: ...) span", where=where)
    etype = str(json_field(record, "event", str, where))
    args = tuple(
        GoldArg(start, end, tag, align_role(alignment, "plover", tag)) for tag, start, end in spans if tag != "EVT"
    )
    entities = tuple(GoldSpan(start, end, tag, text[start:end]) for tag, start, end in spans if tag != "EVT")
    event = GoldEvent(
        triggers[0][0], max(end for _, end in triggers), etype, align_type(alignment, "plover", etype), args
    )
    return GoldDoc(doc_id, text, entities, (event,))
