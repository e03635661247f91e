"""One document from the pieces it was parsed and extracted in: offsets, sentence numbers and entity ids made
document-wide, entities of different pieces that are one entity merged, then the document-level steps
(past reference against the story's date, event coreference).

A long text is parsed in line-aligned pieces (:func:`kg.extract.split_text`) and the rules run on each
piece while its parse is in memory; nothing ever holds the parse of the whole text. Entities are merged
across pieces by hash lookups (gazetteer id; normalised name; a surname to the one full name ending in
it; an acronym to the one name it abbreviates), and event coreference looks back over a window of
sentences, so the work after parsing is linear in the length of the text. A short text is one piece and
passes through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from kg.extract.coref_events import Related, Resolver, related_entities
from kg.extract.events import Found, as_generic
from kg.extract.lexicon import Gazetteer
from kg.records import Argument, DocRecord, Document, Entity, Event, Mention, Relation

PAST_DAYS = 183  # an event dated more than this many days before publication is background, not the story
RELATED = frozenset({"memberOf", "subOrganizationOf", "commands", "leaderOf", "locatedIn"})
_HEADLINE_END = frozenset(".!?:;\"”’")


@dataclass
class Piece:
    """What the rules found in one piece; offsets and sentence numbers relative to the piece."""

    offset: int
    sentences: list[tuple[int, int]]
    entities: tuple[Entity, ...]
    found: list[Found]
    relations: tuple[Relation, ...]
    years: list[int] = field(default_factory=list)  # years named by the piece's DATE expressions


@dataclass
class Stats:
    """How a document was processed (for tests and benchmarks)."""

    pieces: int = 0
    longest_piece: int = 0  # characters
    entity_lookups: int = 0
    coref_pairs: int = 0


def headline_count(text: str, sentences: list[tuple[int, int]], limit: int = 3) -> int:
    """How many of the first sentences are headline lines: a line of its own that does not end like a
    sentence (the title, a subtitle)."""
    count = 0
    for start, end in sentences[:limit]:
        line = text[start:end]
        if not line or line[-1] in _HEADLINE_END or "\n" in line or len(line) > 300:
            break
        if end < len(text) and text[end:end + 1] not in {"\n", "\r"}:
            break
        count += 1
    return count


def _norm(text: str) -> str:
    text = re.sub(r"^(the|al|el)[\s-]+", "", text.strip(), flags=re.I)
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w and w[0].isupper())


@dataclass(eq=False)
class _Entity:
    type: str
    name: str
    label: str
    key: str | None
    wikidata: str | None
    confidence: float
    mentions: list[Mention]


class Assembler:
    """Collects the pieces of one document, in order, and builds its :class:`DocRecord`."""

    def __init__(self, document: Document, gazetteer: Gazetteer, model: str,
                 tree: Mapping[str, str] | None = None, ongoing: frozenset[str] = frozenset()) -> None:
        self.document = document
        self.gazetteer = gazetteer
        self.model = model
        self.tree = dict(tree) if tree is not None else {}
        self.ongoing = ongoing  # event types that name a state of affairs ("the war"), not one happening
        self.stats = Stats()
        self.sentences: list[tuple[int, int]] = []
        self.entities: list[_Entity] = []
        self.found: list[Found] = []
        self.relations: list[tuple[str, _Entity, _Entity, Relation]] = []
        self.years: list[int] = []
        self._single: Piece | None = None
        self._by_key: dict[str, _Entity] = {}
        self._by_name: dict[tuple[str, str], _Entity] = {}
        self._by_norm: dict[str, _Entity] = {}
        self._by_tail: dict[str, list[_Entity]] = {}  # last word of a multi-word person name -> persons
        self._by_initials: dict[str, list[_Entity]] = {}

    def add(self, piece: Piece, length: int) -> None:
        self.stats.pieces += 1
        self.stats.longest_piece = max(self.stats.longest_piece, length)
        self.years.extend(piece.years)
        if self.stats.pieces == 1:
            self._single = piece
            return
        if self._single is not None:
            first, self._single = self._single, None
            self._merge(first)
        self._merge(piece)

    # ------------------------------------------------------------------ pieces -> document

    def _merge(self, piece: Piece) -> None:
        offset, base = piece.offset, len(self.sentences)
        self.sentences.extend((s + offset, e + offset) for s, e in piece.sentences)
        owners: dict[str, _Entity] = {}
        for entity in piece.entities:
            mentions = [replace(m, start=m.start + offset, end=m.end + offset, sentence=m.sentence + base)
                        for m in entity.mentions]
            owner = self._find(entity)
            if owner is None:
                owner = _Entity(entity.type, entity.name, entity.label, entity.key, entity.wikidata,
                                entity.confidence, [])
                self.entities.append(owner)
            elif len(entity.name) > len(owner.name) and entity.type == owner.type == "person" and not owner.key:
                owner.name = entity.name  # "Soleimani" first, "Qassem Soleimani" later
            owner.mentions.extend(mentions)
            owner.confidence = max(owner.confidence, entity.confidence)
            owners[entity.id] = owner
            self._index(owner, entity)
        for rel in piece.relations:
            head, tail = owners.get(rel.head), owners.get(rel.tail)
            if head is not None and tail is not None and head is not tail:
                self.relations.append((rel.type, head, tail, replace(
                    rel, start=rel.start + offset, end=rel.end + offset, sentence=rel.sentence + base)))
        keys = {k: str(id(v)) for k, v in owners.items()}
        for found in piece.found:
            self.found.append(replace(found, event=_shifted(found.event, offset, base, keys)))

    def _find(self, entity: Entity) -> _Entity | None:
        self.stats.entity_lookups += 1
        if entity.key:
            return self._by_key.get(entity.key)
        norm = _norm(entity.name)
        found = self._by_name.get((entity.type, norm)) or self._by_norm.get(norm)
        if found is not None:
            return found
        words = entity.name.split()
        if entity.type == "person" and len(words) <= 2:
            persons = [p for p in self._by_tail.get(words[-1].lower(), []) if len(p.name.split()) > len(words)]
            if len(persons) == 1:
                return persons[0]
        if entity.type in {"organization", "state", "unit", "armed_group"} and entity.name.isupper():
            named = self._by_initials.get(entity.name, [])
            if len(named) == 1:
                return named[0]
        return None

    def _index(self, owner: _Entity, entity: Entity) -> None:
        if owner.key:
            self._by_key.setdefault(owner.key, owner)
        for name in {owner.name, entity.name}:
            self._by_name.setdefault((owner.type, _norm(name)), owner)
            if not owner.key:
                self._by_norm.setdefault(_norm(name), owner)
        words = owner.name.split()
        if owner.type == "person" and len(words) > 1:
            tail = self._by_tail.setdefault(words[-1].lower(), [])
            if owner not in tail:
                tail.append(owner)
        if owner.type in {"organization", "state", "unit", "armed_group"} and len(words) > 1:
            same = self._by_initials.setdefault(_initials(owner.name), [])
            if owner not in same:
                same.append(owner)

    # ------------------------------------------------------------------ the document

    def finish(self) -> DocRecord:
        if self._single is not None:
            piece = self._single
            sentences, entities = list(piece.sentences), piece.entities
            relations, found = piece.relations, piece.found
        else:
            sentences = self.sentences
            entities, relations, found = self._numbered()
        past = self._past_mentions(found)
        resolver = Resolver(self._related(entities, relations), tree=self.tree, ongoing=self.ongoing,
                            states=frozenset(e.id for e in entities if e.type == "state"),
                            nominal=frozenset(e.id for e in entities if e.nominal), past=past)
        events = [as_generic(event) if event.modality == "asserted" and any(m.start in past for m in event.mentions)
                  else event for event in resolver.resolve([f.event for f in found], [f.cue for f in found])]
        self.stats.coref_pairs = resolver.pairs
        return DocRecord(document=self.document, sentences=tuple(sentences), entities=tuple(entities),
                         events=tuple(events), relations=tuple(relations), model=self.model)

    def _numbered(self) -> tuple[tuple[Entity, ...], tuple[Relation, ...], list[Found]]:
        """Document-wide entity ids (by first mention, as within a piece) and everything renumbered to them."""
        ordered = sorted(self.entities, key=lambda e: min(m.start for m in e.mentions))
        ids = {str(id(e)): f"E{number}" for number, e in enumerate(ordered, 1)}
        entities = tuple(
            Entity(id=ids[str(id(e))], type=e.type, name=e.name, label=e.label,
                   mentions=tuple(sorted(e.mentions, key=lambda m: m.start)), confidence=round(e.confidence, 3),
                   key=e.key, wikidata=e.wikidata)
            for e in ordered)
        seen: set[tuple[str, str, str]] = set()
        relations: list[Relation] = []
        for rel_type, head, tail, rel in self.relations:
            key = (rel_type, ids[str(id(head))], ids[str(id(tail))])
            if key not in seen:
                seen.add(key)
                relations.append(replace(rel, head=key[1], tail=key[2]))
        found = [replace(f, event=_renamed(f.event, ids)) for f in self.found]
        return entities, tuple(relations), found

    def _related(self, entities: tuple[Entity, ...], relations: tuple[Relation, ...]) -> Related:
        keys = {e.id: e.key for e in entities if e.key}
        by_key = {key: entity_id for entity_id, key in keys.items()}
        parents: dict[str, str] = {}
        for entity_id, key in keys.items():
            actor = self.gazetteer.get(key)
            while actor is not None and actor.parent:  # the nearest ancestor named in this document
                if actor.parent in by_key:
                    parents[entity_id] = by_key[actor.parent]
                    break
                actor = self.gazetteer.get(actor.parent)
        links = [(r.head, r.tail) for r in relations if r.type in RELATED]
        # nominal entities of one name may be one thing ("fuel depot" in the headline, "a fuel depot" below)
        first: dict[tuple[str, str], str] = {}
        same = {e.id: first.setdefault((e.type, e.name.lower()), e.id) for e in entities if e.nominal}
        return related_entities(parents, links, same)

    def _past_mentions(self, found: list[Found]) -> frozenset[int]:
        """Where the asserted mentions dated before the story start. A happening with one of them is background,
        not the story's (see kg.extract.modality): it becomes generic once its mentions are one event, so that
        "the January 18 strike" and "the strike" later on stay one happening."""
        published = _iso_date(self.document.published)
        story_year = published.year if published else (max(self.years) if self.years else None)
        return frozenset(item.event.trigger_start for item in found
                         if item.event.modality == "asserted" and self._before_story(item, published, story_year))

    @staticmethod
    def _before_story(item: Found, published: date | None, story_year: int | None) -> bool:
        if item.long_past:
            return True
        if item.year is not None and story_year is not None and item.year < story_year:
            return True
        if published is None:
            return False
        for arg in item.event.arguments:
            if arg.role == "time" and arg.value and arg.rule == "date-attached":
                day = _iso_date(arg.value)
                if day is not None and (published - day).days > PAST_DAYS:
                    return True
        return False


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _shifted(event: Event, offset: int, base: int, owners: dict[str, str]) -> Event:
    """An event of a piece with document offsets and sentence numbers; entity ids become owner keys."""
    arguments = tuple(replace(a, start=a.start + offset, end=a.end + offset,
                              entity=owners.get(a.entity) if a.entity else None) for a in event.arguments)
    return replace(event, trigger_start=event.trigger_start + offset, trigger_end=event.trigger_end + offset,
                   sentence=event.sentence + base, arguments=arguments,
                   reported_by=owners.get(event.reported_by) if event.reported_by else None)


def _renamed(event: Event, ids: dict[str, str]) -> Event:
    arguments: tuple[Argument, ...] = tuple(
        replace(a, entity=ids.get(a.entity)) if a.entity else a for a in event.arguments)
    return replace(event, arguments=arguments,
                   reported_by=ids.get(event.reported_by) if event.reported_by else None)
