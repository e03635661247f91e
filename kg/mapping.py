"""The YAML mapping: load it, validate it against the ontology, and apply it to extraction records.

``load_mapping`` returns a checked :class:`Mapping` or raises :class:`MappingError` with ``file:line``, the
offending term and the nearest known one. ``map_record`` turns one :class:`DocRecord` into a
:class:`MappedDoc` (nodes, edges, evidence) that every sink writes in its own way, with the same IRIs.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import quote

import yaml

from kg.errors import MappingError, yaml_syntax_error
from kg.ontology import Ontology, load_ontology, local_name
from kg.records import ENTITY_TYPES, ROLES, DocRecord, Event
from kg.resources import data_path

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# ------------------------------------------------------------------ mapped data (what sinks consume)


@dataclass(frozen=True, slots=True)
class Lit:
    value: str | int | float
    datatype: str | None = None  # XSD datatype IRI; None is a plain string


@dataclass(frozen=True, slots=True)
class Node:
    iri: str
    classes: tuple[str, ...]
    props: tuple[tuple[str, Lit], ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    subject: str
    predicate: str
    object: str
    evidence: str | None = None  # IRI of the Evidence that supports this edge


@dataclass(frozen=True, slots=True)
class Evidence:
    """The span of a document that supports one assertion, and the rule that made it."""

    iri: str
    document: str  # document IRI
    rule: str
    start: int
    end: int
    quote: str
    sentence: int
    confidence: float
    about: str  # the node the assertion is about (subject of the edge for edge assertions)
    statement: tuple[str, str, str] | None = None  # (s, p, o) for edge assertions
    sentence_text: str | None = None


@dataclass(frozen=True, slots=True)
class MappedDoc:
    doc_id: str
    doc_iri: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    evidence: tuple[Evidence, ...]
    skipped: tuple[str, ...] = ()  # what the mapping did not cover, for the run report


# ------------------------------------------------------------------ the mapping itself


@dataclass(frozen=True)
class Rule:
    name: str
    key: str  # entity type / event type / role / relation type
    term: str  # class or property IRI


@dataclass(frozen=True)
class HappeningRule:
    """How events are linked to the happening keys they share with events of other documents (see
    kgo:HappeningKey in the ontology): asserted events with a date, a place and a participant get a key per
    (place, participant) for each window of ``days`` + 1 days that contains their date."""

    name: str
    term: str  # the key class
    property: str  # event -> key
    window_start: str  # datatype property: the window's first day
    days: int  # tolerance: events whose dates are at most this many days apart share a key


@dataclass(frozen=True)
class Mapping:
    path: Path
    ontology: Ontology
    base: str
    iris: dict[str, str]
    document_rule: str
    document_class: str
    document_properties: dict[str, str]
    entities: dict[str, Rule]
    events: dict[str, Rule]
    entity_properties: dict[str, str]
    event_properties: dict[str, str]
    roles: dict[str, Rule]
    relations: dict[str, Rule]
    prefixes: dict[str, str] = field(default_factory=dict)
    happenings: HappeningRule | None = None

    def document_iri(self, doc_id: str) -> str:
        return self._iri("document", doc=_encode(doc_id))

    def entity_iri(self, cls: str, name: str) -> str:
        return self._iri("entity", type=_encode(local_name(cls).lower()), name=slug(name))

    def event_iri(self, doc_id: str, start: int, end: int) -> str:
        return self._iri("event", doc=_encode(doc_id), start=start, end=end)

    def happening_iri(self, cls: str, place: str, participant: str, day: str) -> str:
        return self._iri("happening", **{"class": slug(local_name(cls)), "place": slug(self._local(place)),
                                         "participant": slug(self._local(participant)), "day": _encode(day)})

    def _local(self, iri: str) -> str:
        return iri[len(self.base):] if iri.startswith(self.base) else iri

    def _iri(self, kind: str, **values: Any) -> str:
        return self.base + self.iris[kind].format(**values)


_TEMPLATE_FIELDS = {
    "document": {"doc"},
    "entity": {"type", "name"},
    "event": {"doc", "start", "end"},
}
_OPTIONAL_TEMPLATES = {"happening": {"class", "place", "participant", "day"}}
_ALL_RULE_KEYS = {
    "entities": ("type", "class", ENTITY_TYPES),
    "events": ("type", "class", None),
    "roles": ("role", "property", (*ROLES, "reported_by")),
    "relations": ("type", "property", None),
}
_DOC_FIELDS = ("id", "title", "published", "url", "sha256")
_ENTITY_FIELDS = ("name", "wikidata", "count", "nominal")
_EVENT_FIELDS = ("trigger", "modality", "confidence", "date", "time_text", "killed", "injured")


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping key and sequence item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    data = _Lined({str(k): v for k, v in loader.construct_mapping(node, deep=True).items()})
    data.line = node.start_mark.line + 1
    data.lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return data


class _Lined(dict[str, Any]):
    line: int = 0
    lines: dict[str, int] = {}


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Checker:
    def __init__(self, path: Path, ontology: Ontology, prefixes: dict[str, str]) -> None:
        self.path = path
        self.ontology = ontology
        self.prefixes = prefixes

    def fail(self, line: int, message: str, hint: str | None = None) -> MappingError:
        return MappingError(message, where=f"{self.path}:{line}", hint=hint)

    def section(self, data: _Lined, key: str, kind: type, required: bool = True) -> Any:
        if key not in data:
            if required:
                raise self.fail(data.line, f"missing field '{key}'", hint=f"add a '{key}:' section")
            return kind()
        value = data[key]
        if not isinstance(value, kind):
            raise self.fail(
                data.lines.get(key, data.line),
                f"field '{key}' must be a {kind.__name__}, not {type(value).__name__}",
            )
        return value

    def string(self, data: _Lined, key: str) -> str:
        value = self.section(data, key, str)
        if not value.strip():
            raise self.fail(data.lines.get(key, data.line), f"field '{key}' is empty")
        return value

    def term(self, data: _Lined, key: str, known: frozenset[str], what: str) -> str:
        written = self.string(data, key)
        line = data.lines.get(key, data.line)
        iri = self.expand(written, line)
        if iri not in known:
            nearest = self.ontology.nearest(iri, known)
            hint = f"did you mean {self.compact(nearest)}?" if nearest else f"define it in {self.ontology.path}"
            raise self.fail(line, f"unknown {what} '{written}'", hint=hint)
        return iri

    def field_map(self, data: _Lined, key: str, fields: tuple[str, ...], what: str) -> dict[str, str]:
        """A section mapping record fields to datatype properties."""
        raw = self.section(data, key, dict)
        out = {}
        for name in raw:
            if name not in fields:
                raise self.fail(raw.lines.get(name, raw.line), f"unknown {what} field '{name}'",
                                hint=f"known fields: {', '.join(fields)}")
            out[name] = self.term(raw, name, self.ontology.datatype_properties, "datatype property")
        return out

    def expand(self, written: str, line: int) -> str:
        if written.startswith(("http://", "https://", "urn:")):
            return written
        prefix, sep, rest = written.partition(":")
        if not sep or prefix not in self.prefixes:
            raise self.fail(line, f"term '{written}' has no known prefix", hint=f"use one of {sorted(self.prefixes)}")
        return self.prefixes[prefix] + rest

    def compact(self, iri: str) -> str:
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri


def load_mapping(path: Path | str | None = None, ontology: Ontology | Path | str | None = None) -> Mapping:
    """Read and validate a mapping file; raise MappingError (exit code 2) on the first problem."""
    path = Path(path) if path else data_path("mappings") / "default.yaml"
    onto = ontology if isinstance(ontology, Ontology) else load_ontology(Path(ontology) if ontology else None)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"cannot read mapping: {exc}", where=str(path)) from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise yaml_syntax_error(exc, path, MappingError) from exc
    if not isinstance(data, _Lined):
        raise MappingError("mapping must be a YAML mapping (key: value)", where=f"{path}:1")
    prefixes_raw = data.get("prefixes", {})
    check = _Checker(path, onto, {})
    prefixes = check.section(data, "prefixes", dict)
    for key, value in prefixes_raw.items():
        if not isinstance(value, str):
            raise check.fail(prefixes.lines.get(key, prefixes.line), f"prefix '{key}' must map to an IRI string")
    check.prefixes = dict(prefixes)

    version = data.get("version")
    if version != 1:
        raise check.fail(data.lines.get("version", 1), f"unsupported mapping version {version!r}", hint="use version: 1")
    base = check.string(data, "base")
    iris_raw = check.section(data, "iris", dict)
    iris: dict[str, str] = {}
    templates = {**_TEMPLATE_FIELDS, **{k: v for k, v in _OPTIONAL_TEMPLATES.items() if k in iris_raw}}
    for kind, allowed in templates.items():
        template = check.string(iris_raw, kind)
        used = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
        unknown = used - allowed
        if unknown:
            raise check.fail(
                iris_raw.lines.get(kind, iris_raw.line),
                f"IRI template '{kind}' uses unknown placeholder {{{sorted(unknown)[0]}}}",
                hint=f"allowed: {', '.join('{' + a + '}' for a in sorted(allowed))}",
            )
        iris[kind] = template

    doc = check.section(data, "document", dict)
    doc_props = check.field_map(doc, "properties", _DOC_FIELDS, "document")

    entity_props = check.field_map(data, "entity_properties", _ENTITY_FIELDS, "entity")
    event_props = check.field_map(data, "event_properties", _EVENT_FIELDS, "event")

    sections: dict[str, dict[str, Rule]] = {}
    seen_rules: set[str] = {check.string(doc, "rule")}
    for section, (key_field, term_field, allowed_keys) in _ALL_RULE_KEYS.items():
        items = check.section(data, section, list)
        known = onto.classes if term_field == "class" else onto.object_properties
        rules: dict[str, Rule] = {}
        for item in items:
            if not isinstance(item, _Lined):
                raise check.fail(data.lines.get(section, data.line), f"each item of '{section}' must be a mapping")
            name = check.string(item, "rule")
            if name in seen_rules:
                raise check.fail(item.lines.get("rule", item.line), f"rule name '{name}' is used twice")
            seen_rules.add(name)
            key = check.string(item, key_field)
            if allowed_keys is not None and key not in allowed_keys:
                raise check.fail(item.lines.get(key_field, item.line), f"unknown {key_field} '{key}' in rule '{name}'",
                                 hint=f"known: {', '.join(allowed_keys)}")
            if key in rules:
                raise check.fail(item.lines.get(key_field, item.line), f"{key_field} '{key}' is mapped twice")
            what = "class" if term_field == "class" else "object property"
            rules[key] = Rule(name, key, check.term(item, term_field, known, what))
        sections[section] = rules

    happenings = _happening_rule(check, data, iris, seen_rules) if "happenings" in data else None

    return Mapping(
        path=path,
        ontology=onto,
        base=base,
        iris=iris,
        document_rule=doc["rule"],
        document_class=check.term(doc, "class", onto.classes, "class"),
        document_properties=doc_props,
        entities=sections["entities"],
        events=sections["events"],
        entity_properties=entity_props,
        event_properties=event_props,
        roles=sections["roles"],
        relations=sections["relations"],
        prefixes=check.prefixes,
        happenings=happenings,
    )


def _happening_rule(check: _Checker, data: _Lined, iris: dict[str, str], seen_rules: set[str]) -> HappeningRule:
    section = check.section(data, "happenings", dict)
    line = data.lines.get("happenings", data.line)
    if "happening" not in iris:
        raise check.fail(line, "a 'happenings' rule needs an IRI template 'happening' under 'iris'",
                         hint="add e.g. happening: happening/{class}/{place}/{participant}/{day}")
    name = check.string(section, "rule")
    if name in seen_rules:
        raise check.fail(section.lines.get("rule", section.line), f"rule name '{name}' is used twice")
    days = section.get("days", 1)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 30:
        raise check.fail(section.lines.get("days", section.line), "field 'days' must be a whole number from 0 to 30")
    return HappeningRule(
        name=name,
        term=check.term(section, "class", check.ontology.classes, "class"),
        property=check.term(section, "property", check.ontology.object_properties, "object property"),
        window_start=check.term(section, "window_start", check.ontology.datatype_properties, "datatype property"),
        days=days,
    )


# ------------------------------------------------------------------ IRIs


def slug(name: str) -> str:
    """Normalised, IRI-safe form of a name: NFKD, no accents, case-folded, runs of other chars -> '-'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[’']s\b", "", text)
    text = re.sub(r"[\W_]+", "-", text).strip("-")
    if not text:
        return "_" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return _encode(text)


def _encode(value: str) -> str:
    """One IRI component, percent-encoded so that it stays one path segment of its own.

    Everything but RFC 3986's unreserved characters (ASCII letters, digits, ``-._~``) is encoded, ``/`` and
    every other reserved character included. A component that is ``.`` or ``..`` would be a dot-segment,
    which normalisation resolves against the path, and so would ``%2E``/``%2E%2E`` (RFC 3986 decodes
    unreserved characters first; the WHATWG URL standard treats ``%2e`` as a dot): those two become ``%FF.``
    and ``%FF..`` instead, and an empty value (no segment at all) ``%FF``, which nothing else encodes to (no
    UTF-8 text has the byte FF). The encoding is
    one-to-one and already normalised (``%`` itself is encoded; a lone surrogate, from a file name that was not
    UTF-8, keeps bytes of its own), so distinct values give distinct components, before and after
    normalisation. Thus no document id reaches another document's IRIs (``<doc IRI>/...``) nor climbs out of
    the base.
    """
    if value in {"", ".", ".."}:
        return "%FF" + value
    return quote(value, safe="-._~", errors="surrogatepass")


def _evidence_iri(doc_iri: str, *parts: object) -> str:
    """``<document IRI>/ev/<hash>``: under the document's own IRI (the Neo4j sink relies on that prefix)."""
    digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{doc_iri}/ev/{digest}"


def _date_lit(value: str) -> Lit:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Lit(value, XSD + "date")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?", value):
        return Lit(value, XSD + "dateTime")
    return Lit(value)


# ------------------------------------------------------------------ applying the mapping


def map_record(record: DocRecord, mapping: Mapping) -> MappedDoc:
    """Apply the mapping to one document's records. Pure: the same record gives the same output."""
    doc = record.document
    doc_iri = mapping.document_iri(doc.id)
    text = doc.text
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    evidence: list[Evidence] = []
    skipped: list[str] = []

    def sentence_text(index: int) -> str | None:
        if 0 <= index < len(record.sentences):
            start, end = record.sentences[index]
            return text[start:end]
        return None

    doc_props = []
    for field_name, prop in mapping.document_properties.items():
        value = getattr(doc, field_name)
        if value:
            lit = _date_lit(value) if field_name == "published" else Lit(value, XSD + "anyURI" if field_name == "url" else None)
            doc_props.append((prop, lit))
    nodes[doc_iri] = Node(doc_iri, (mapping.document_class,), tuple(doc_props))

    entity_iris: dict[str, str] = {}
    for ent in record.entities:
        rule = mapping.entities.get(ent.type)
        if rule is None:
            skipped.append(f"entity type {ent.type}")
            continue
        # A nominal entity ("two soldiers") is local to its document: its IRI names the document and mention.
        name = f"{doc.id}/{ent.mentions[0].start}" if ent.nominal else (ent.key or ent.name)
        iri = mapping.entity_iri(rule.term, name)
        entity_iris[ent.id] = iri
        values: dict[str, Any] = {"name": ent.name, "wikidata": ent.wikidata, "count": ent.count,
                                  "nominal": True if ent.nominal else None}
        props = tuple((prop, Lit(value)) for key, prop in mapping.entity_properties.items()
                      if (value := values[key]) is not None)
        if iri not in nodes:
            nodes[iri] = Node(iri, (rule.term,), props)
        first = ent.mentions[0]
        evidence.append(Evidence(
            iri=_evidence_iri(doc_iri, "entity", iri, first.start, first.end),
            document=doc_iri, rule=rule.name, start=first.start, end=first.end, quote=first.text,
            sentence=first.sentence, confidence=ent.confidence, about=iri,
        ))

    def add_edge(subject: str, rule: Rule, obj: str, start: int, end: int, sentence: int, conf: float) -> None:
        ev = _statement_evidence(doc_iri, subject, rule, obj, start, end, sentence, conf, text, sentence_text(sentence))
        edges.append(Edge(subject, rule.term, obj, ev.iri))
        evidence.append(ev)

    starts = [start for start, _ in record.sentences]
    places_by_id = {e.id: e.type in {"place", "facility"} for e in record.entities}
    # happening keys name only entities another document can name too (a nominal one is local to this one)
    shared_iris = {e.id: entity_iris[e.id] for e in record.entities if not e.nominal and e.id in entity_iris}

    def sentence_at(offset: int, default: int) -> int:
        """The sentence an offset is in (arguments of a merged event come from the sentences of its mentions)."""
        i = bisect.bisect_right(starts, offset) - 1
        return i if i >= 0 and offset < record.sentences[i][1] else default

    for event in record.events:
        rule = mapping.events.get(event.type)
        if rule is None:
            skipped.append(f"event type {event.type}")
            continue
        iri = mapping.event_iri(doc.id, event.trigger_start, event.trigger_end)
        nodes[iri] = Node(iri, (rule.term,), tuple(_event_props(event, mapping)))
        mentions = event.all_mentions()
        for number, mention in enumerate(mentions):
            # the first mention keeps the evidence IRI an event of one mention always had
            parts: tuple[object, ...] = ("event", iri) if number == 0 else ("event", iri, mention.start, mention.end)
            evidence.append(Evidence(
                iri=_evidence_iri(doc_iri, *parts), document=doc_iri, rule=f"{rule.name}/{mention.rule or event.rule}",
                start=mention.start, end=mention.end, quote=mention.trigger, sentence=mention.sentence,
                confidence=event.confidence if mention.confidence is None else mention.confidence, about=iri,
                sentence_text=sentence_text(mention.sentence),
            ))
        edge_keys: set[tuple[str, str]] = set()
        for arg in event.arguments:
            role_rule = mapping.roles.get(arg.role)
            if arg.role == "time" or arg.entity is None:
                continue
            if role_rule is None:
                skipped.append(f"role {arg.role}")
                continue
            target = entity_iris.get(arg.entity)
            if target is None:
                continue
            edge_keys.add((arg.role, arg.entity))
            add_edge(iri, Rule(f"{role_rule.name}/{arg.rule}", arg.role, role_rule.term), target,
                     arg.start, arg.end, sentence_at(arg.start, event.sentence), arg.confidence)
        if len(mentions) > 1:  # what each mention says of the event's participants is evidence too
            for mention in mentions:
                for arg in mention.arguments:
                    role_rule = mapping.roles.get(arg.role)
                    target = entity_iris.get(arg.entity) if arg.entity else None
                    if role_rule is None or target is None or (arg.role, arg.entity) not in edge_keys:
                        continue
                    evidence.append(_statement_evidence(
                        doc_iri, iri, Rule(f"{role_rule.name}/{arg.rule}", arg.role, role_rule.term), target,
                        arg.start, arg.end, mention.sentence, arg.confidence, text, sentence_text(mention.sentence)))
        if event.reported_by and "reported_by" in mapping.roles and event.reported_by in entity_iris:
            add_edge(iri, mapping.roles["reported_by"], entity_iris[event.reported_by],
                     event.trigger_start, event.trigger_end, event.sentence, event.confidence)
        if mapping.happenings is not None:
            keys = _happening_keys(event, rule.term, shared_iris, places_by_id, mapping, mapping.happenings)
            for key, window_start in keys:
                nodes.setdefault(key, Node(key, (mapping.happenings.term,), (
                    (mapping.happenings.window_start, Lit(window_start, XSD + "date")),)))
                edges.append(Edge(iri, mapping.happenings.property, key))

    for rel in record.relations:
        rule = mapping.relations.get(rel.type)
        if rule is None:
            skipped.append(f"relation {rel.type}")
            continue
        head, tail = entity_iris.get(rel.head), entity_iris.get(rel.tail)
        if head is None or tail is None or head == tail:
            continue
        add_edge(head, Rule(f"{rule.name}/{rel.rule}", rel.type, rule.term), tail,
                 rel.start, rel.end, rel.sentence, rel.confidence)

    return MappedDoc(
        doc_id=doc.id,
        doc_iri=doc_iri,
        nodes=tuple(nodes.values()),
        edges=tuple(_unique(edges)),
        evidence=tuple(_unique(evidence)),
        skipped=tuple(skipped),
    )


def _statement_evidence(doc_iri: str, subject: str, rule: Rule, obj: str, start: int, end: int, sentence: int,
                        conf: float, text: str, sentence_text: str | None) -> Evidence:
    return Evidence(
        iri=_evidence_iri(doc_iri, "edge", subject, rule.term, obj, start, end), document=doc_iri, rule=rule.name,
        start=start, end=end, quote=text[start:end], sentence=sentence, confidence=conf, about=subject,
        statement=(subject, rule.term, obj), sentence_text=sentence_text,
    )


def _happening_keys(event: Event, cls: str, entity_iris: dict[str, str], places_by_id: dict[str, bool],
                    mapping: Mapping, rule: HappeningRule) -> list[tuple[str, str]]:
    """(key IRI, window start) for each (place, participant) of an asserted, dated event and each window of
    ``rule.days`` + 1 days containing its date: two events share a key exactly when their coarse class, a place
    and a participant agree and their dates are at most ``rule.days`` apart. ``entity_iris`` holds only the
    entities another document can name too (not the nominal ones, local to theirs)."""
    time = next((a for a in event.arguments if a.role == "time" and a.value), None)
    if event.modality != "asserted" or time is None or time.value is None:
        return []
    try:
        day = date.fromisoformat(time.value[:10])
    except ValueError:
        return []
    coarse = mapping.ontology.coarse(cls) or cls
    # where: its places, and a place or facility it was done to ("bombed Hodeidah")
    places = sorted({entity_iris[a.entity] for a in event.arguments if a.entity in entity_iris and (
        a.role == "place" or (a.role == "target" and places_by_id.get(a.entity, False)))})
    participants = sorted({entity_iris[a.entity] for a in event.arguments
                           if a.role in {"agent", "target"} and a.entity in entity_iris})
    keys = []
    for back in range(rule.days, -1, -1):
        start = (day - timedelta(days=back)).isoformat()
        for place in places:
            for participant in participants:
                if participant != place:
                    keys.append((mapping.happening_iri(coarse, place, participant, start), start))
    return keys


def _event_props(event: Event, mapping: Mapping) -> Iterable[tuple[str, Lit]]:
    props = mapping.event_properties
    time = next((a for a in event.arguments if a.role == "time"), None)
    values: dict[str, Lit | None] = {
        "trigger": Lit(event.trigger),
        "modality": Lit(event.modality),
        "confidence": Lit(round(event.confidence, 4), XSD + "decimal"),
        "date": _date_lit(time.value) if time and time.value else None,
        "time_text": Lit(time.text) if time else None,
        "killed": Lit(event.killed, XSD + "integer") if event.killed is not None else None,
        "injured": Lit(event.injured, XSD + "integer") if event.injured is not None else None,
    }
    for key, prop in props.items():
        lit = values.get(key)
        if lit is not None:
            yield prop, lit


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for item in items:
        key = item.iri if isinstance(item, Evidence) else item
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
