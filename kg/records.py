"""Plain, frozen data passed between the stages, and the records file (JSONL) that joins extraction to loading.

One line of a records file is one :class:`DocRecord`: the document, its sentences, the entities found in it
(with every mention), its events (trigger, type key, arguments with roles) and the relations between its
entities, each with evidence (character offsets, sentence index) and a confidence. ``schemas/records.schema.json``
documents the format; ``RECORDS_VERSION`` is written into every line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError

RECORDS_VERSION = "1.1"  # 1.1: Event.mentions, the generic modality (1.0 records still read)

# Entity type keys the extractor produces; the mapping turns them into ontology classes.
ENTITY_TYPES = ("person", "organization", "state", "unit", "armed_group", "place", "facility", "weapon", "vehicle")
# Coarse argument roles.
ROLES = ("agent", "target", "place", "time", "instrument")
# Whether an event is stated as having happened (only "asserted" is). "generic": not a happening of the story's
# time: a kind of event ("bombings are common"), a habit ("militants often attack ..."), a count over a period,
# or background from long before the story ("the 2003 invasion").
MODALITIES = ("asserted", "negated", "planned", "expected", "denied", "threatened", "hypothetical", "generic")


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    text: str
    sha256: str
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) or datetime, as given by the source
    url: str | None = None
    source: str | None = None  # where it was read from: path, path:line, or "-"


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    sentence: int
    source: str = "ner"  # ner | gazetteer | resolved | nominal | pronoun


@dataclass(frozen=True, slots=True)
class Entity:
    id: str  # local to the document: E1, E2, ...
    type: str  # one of ENTITY_TYPES
    name: str  # canonical name
    label: str  # NER label it came from (PERSON, ORG, GPE, NORP, LOC, FAC, ...)
    mentions: tuple[Mention, ...]
    confidence: float
    key: str | None = None  # gazetteer id: stable across documents
    wikidata: str | None = None
    count: int | None = None  # how many a nominal entity names ("two soldiers": 2)
    nominal: bool = False  # named only by common nouns ("the militants"): local to its document


@dataclass(frozen=True, slots=True)
class Argument:
    role: str  # one of ROLES
    start: int
    end: int
    text: str
    confidence: float
    rule: str  # the extraction rule that found it
    entity: str | None = None  # Entity.id when the argument is an entity
    value: str | None = None  # normalised value (ISO date for time)


@dataclass(frozen=True, slots=True)
class EventMention:
    """One place in the text where the document speaks of an event: its trigger, and the arguments found there
    (the event's own ``arguments`` are those of all its mentions, merged)."""

    start: int
    end: int
    trigger: str
    sentence: int
    rule: str = ""  # the extraction rule that found this mention
    confidence: float | None = None
    arguments: tuple[Argument, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    id: str  # local to the document: V1, V2, ...
    type: str  # event type key from the trigger lexicon (visit, airstrike, ...)
    trigger_start: int
    trigger_end: int
    trigger: str
    sentence: int
    confidence: float
    rule: str
    modality: str = "asserted"
    arguments: tuple[Argument, ...] = ()
    killed: int | None = None
    injured: int | None = None
    reported_by: str | None = None  # Entity.id of the speaker when the event is reported speech
    # Every mention of this happening in the document, in text order; the first is the trigger above. Empty in
    # records older than 1.1 (then the trigger is the only mention): use all_mentions().
    mentions: tuple[EventMention, ...] = ()

    def all_mentions(self) -> tuple[EventMention, ...]:
        return self.mentions or (EventMention(self.trigger_start, self.trigger_end, self.trigger, self.sentence,
                                              self.rule, self.confidence, self.arguments),)


@dataclass(frozen=True, slots=True)
class Relation:
    type: str  # memberOf, subOrganizationOf, commands, leaderOf, nationality, locatedIn
    head: str  # Entity.id
    tail: str  # Entity.id
    start: int  # evidence span
    end: int
    sentence: int
    confidence: float
    rule: str


@dataclass(frozen=True, slots=True)
class DocRecord:
    document: Document
    sentences: tuple[tuple[int, int], ...]
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    relations: tuple[Relation, ...] = ()
    model: str | None = None  # spaCy pipeline name and version that produced it

    def entity(self, entity_id: str) -> Entity:
        for ent in self.entities:
            if ent.id == entity_id:
                return ent
        raise KeyError(entity_id)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"kg_records": RECORDS_VERSION, **data}


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


def record_from_json(data: dict[str, Any]) -> DocRecord:
    """Build a DocRecord from one parsed JSON line. Raises KeyError/TypeError/ValueError on bad shape."""
    version = data.get("kg_records")
    if version is None or str(version).split(".")[0] != RECORDS_VERSION.split(".")[0]:
        raise ValueError(f"records version {version!r} is not supported (expected {RECORDS_VERSION})")
    entities = _tuple(
        Entity(**{**e, "mentions": _tuple(Mention(**m) for m in e["mentions"])}) for e in data.get("entities", ())
    )
    events = _tuple(
        Event(**{**v, "arguments": _tuple(Argument(**a) for a in v.get("arguments", ())),
                 "mentions": _tuple(EventMention(**{**m, "arguments": _tuple(Argument(**a) for a in m.get("arguments", ()))})
                                    for m in v.get("mentions", ()))})
        for v in data.get("events", ())
    )
    return DocRecord(
        document=Document(**data["document"]),
        sentences=_tuple((int(s), int(e)) for s, e in data["sentences"]),
        entities=entities,
        events=events,
        relations=_tuple(Relation(**r) for r in data.get("relations", ())),
        model=data.get("model"),
    )


def dumps(record: DocRecord) -> str:
    return json.dumps(record.to_json(), ensure_ascii=False, sort_keys=False)


def read_records(path: Path) -> Iterator[DocRecord]:
    """Stream DocRecords from a records JSONL file; a bad line is an InputError naming file and line."""
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield record_from_json(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise InputError(
                    f"not a kg records line: {exc}", where=f"{path}:{lineno}", hint="re-create it with `kg extract`"
                ) from exc
