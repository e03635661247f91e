"""The extractor's data files: the actor gazetteer and the event trigger lexicon (both YAML in mappings/)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError
from kg.records import ENTITY_TYPES, ROLES
from kg.resources import data_path
from kg.yamlio import Lined, line_of, load_yaml


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    parent: str | None = None
    wikidata: str | None = None


@dataclass(frozen=True)
class Gazetteer:
    actors: dict[str, Actor]
    by_demonym: dict[str, str] = field(default_factory=dict)  # lower-cased demonym -> actor id

    def get(self, actor_id: str | None) -> Actor | None:
        return self.actors.get(actor_id) if actor_id else None


# What an event type's triggers and arguments behave like; each event in triggers.yaml lists its own.
TRAITS = {
    "movement": "a place as object is where it went (visited the front); passive subjects are agents",
    "communication": "an object must be an actor (else it is the topic); 'to X' is the recipient",
    "contact": "'with X' is the other party",
    "violent": "weapon nouns are instruments; 'with X' is the instrument; 'a battle between X and Y'",
    "weapon": "a weapon as object is the instrument ('detonated a device')",
    "harm": "actor modifiers are victims ('Syrian deaths'), not agents",
    "suffered": "the subject of 'suffered/sustained X' is the target",
    "possessive-target": "a possessor is the target ('his arrest'), not the agent",
    "report": "the event is itself a report: no reported-by, and 'a reported X' starts none",
    "no-xcomp": "a verb with an open complement starts none ('tried to flee')",
}
COUNTS = ("killed", "injured")


@dataclass(frozen=True)
class TriggerEntry:
    type: str
    confidence: float
    passive_target: bool = False
    subject_role: str = "agent"
    # A conditional verb entry: "statement" = only where the text is about a statement (reporting verbs such
    # as "say"); "object" = only when the direct object's lemma is one of ``objects`` ("issue a statement").
    condition: str | None = None
    objects: frozenset[str] = frozenset()
    traits: frozenset[str] = frozenset()
    counts: str | None = None  # "killed"/"injured": the count of victims is stored as this
    attempt: str | None = None  # event type an attempted one is ("attempted murder": attack)
    person_object: str | None = None  # event type it is with a person as object ("seized two men": arrest)


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, TriggerEntry]  # verb lemma -> entry
    nouns: dict[str, TriggerEntry]  # noun lemma -> entry
    phrases: dict[tuple[str, ...], TriggerEntry]  # lemma sequence -> entry (multi-word, verbs and nouns)
    max_phrase: int
    conditional: dict[str, tuple[TriggerEntry, ...]] = field(default_factory=dict)  # verb lemma -> entries
    idioms: frozenset[tuple[str, ...]] = frozenset()  # lemma sequences whose words start no event
    max_idiom: int = 1
    single_words: frozenset[str] = frozenset()  # every one-word verb, noun and conditional verb
    events: dict[str, TriggerEntry] = field(default_factory=dict)  # event type -> its base entry (traits)
    where: dict[str, str] = field(default_factory=dict)  # event type -> "file:line" it is defined at

    def entry(self, event_type: str) -> TriggerEntry | None:
        return self.events.get(event_type)


def _load_yaml(path: Path) -> Any:
    return load_yaml(path)


def load_gazetteer(paths: Sequence[Path | str] = ()) -> Gazetteer:
    """The shipped gazetteer, then each user file in order (same id: the later entry replaces the earlier)."""
    actors: dict[str, Actor] = {}
    for path in [data_path("mappings") / "gazetteer.yaml", *map(Path, paths)]:
        data = _load_yaml(path)
        items = data.get("actors") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ConfigError("a gazetteer needs an 'actors:' list", where=f"{path}:{line_of(data)}")
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            line = line_of(items, index)
            where = f"{path}:{line}"
            if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
                raise ConfigError("each actor needs 'id' and 'name'", where=where)
            actor_id = str(item["id"])
            if actor_id in seen:
                raise ConfigError(f"duplicate actor id '{actor_id}' (first on line {seen[actor_id]})", where=where,
                                  hint="give each actor its own id; to replace a shipped actor, list it in your own file")
            seen[actor_id] = line
            if item.get("type") not in ENTITY_TYPES:
                raise ConfigError(f"unknown type {item.get('type')!r}", where=where,
                                  hint=f"use one of {', '.join(ENTITY_TYPES)}")
            actors[actor_id] = Actor(
                id=actor_id, name=str(item["name"]), type=item["type"],
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
                demonyms=tuple(str(d) for d in item.get("demonyms") or ()),
                parent=item.get("parent"), wikidata=item.get("wikidata"),
            )
    by_demonym = {d.lower(): a.id for a in actors.values() for d in a.demonyms}
    return Gazetteer(actors, by_demonym)


def load_lexicon(path: Path | str | None = None, lemmatize: Any = None) -> Lexicon:
    """Read the trigger lexicon. ``lemmatize`` turns a phrase into lemmas (defaults to lower-cased words).

    Every problem is one ConfigError at ``file:line`` (unknown trait or role, an ``attempt``/``person_object``
    naming no event of the file, a section of the wrong shape).
    """
    path = Path(path) if path else data_path("mappings") / "triggers.yaml"
    data = _load_yaml(path)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, Lined):
        raise ConfigError("a trigger lexicon needs an 'events:' mapping", where=f"{path}:{line_of(data)}")
    verbs: dict[str, TriggerEntry] = {}
    nouns: dict[str, TriggerEntry] = {}
    phrases: dict[tuple[str, ...], TriggerEntry] = {}
    conditional: dict[str, list[TriggerEntry]] = {}
    bases: dict[str, TriggerEntry] = {}
    split = lemmatize or (lambda text: tuple(text.lower().split()))
    for key, spec in events.items():
        where = f"{path}:{events.line_of(key)}"
        if not isinstance(spec, Lined):
            raise ConfigError(f"event '{key}' must be a mapping", where=where)
        base = _base_entry(key, spec, path)
        bases[key] = base
        passive = set(spec.get("passive_target") or ())
        subject_roles = spec.get("subject_role") or {}
        for role in subject_roles.values():
            if role not in ROLES:
                raise ConfigError(f"unknown role {role!r} in event '{key}'", where=f"{path}:{spec.line_of('subject_role')}",
                                  hint=f"use one of {', '.join(ROLES)}")
        for word in spec.get("verbs") or ():
            entry = replace(base, passive_target=word in passive, subject_role=subject_roles.get(word, "agent"))
            words = split(word)
            if len(words) > 1:
                phrases.setdefault(words, entry)
            else:
                verbs.setdefault(words[0], entry)
        for word in spec.get("nouns") or ():
            words = split(word)
            if len(words) > 1:
                phrases.setdefault(words, base)
            else:
                nouns.setdefault(words[0], base)
        for word in spec.get("reporting") or ():
            conditional.setdefault(split(word)[0], []).append(replace(base, condition="statement"))
        objects = spec.get("objects") or {}
        if not isinstance(objects, dict):
            raise ConfigError(f"event '{key}': 'objects' must map verbs to object nouns",
                              where=f"{path}:{spec.line_of('objects')}")
        for word, nouns_ in objects.items():
            entry = replace(base, condition="object", objects=frozenset(str(n).lower() for n in nouns_))
            conditional.setdefault(split(str(word))[0], []).append(entry)
    for key, base in bases.items():
        for field_name in ("attempt", "person_object"):
            other = getattr(base, field_name)
            if other is not None and other not in bases:
                spec = events[key]
                raise ConfigError(f"event '{key}': {field_name} '{other}' is not an event of this lexicon",
                                  where=f"{path}:{spec.line_of(field_name)}", hint=f"known: {', '.join(bases)}")
    idioms = frozenset(split(str(i)) for i in (data.get("idioms") or ()))
    return Lexicon(verbs, nouns, phrases, max((len(p) for p in phrases), default=1),
                   {k: tuple(v) for k, v in conditional.items()}, idioms, max((len(i) for i in idioms), default=1),
                   frozenset(verbs) | frozenset(nouns) | frozenset(conditional), bases,
                   {key: f"{path}:{events.line_of(key)}" for key in bases})


def _base_entry(key: str, spec: Lined, path: Path) -> TriggerEntry:
    """The entry every trigger of an event type starts from: its confidence, traits and rewrites."""
    traits = spec.get("traits") or []
    if not isinstance(traits, list):
        raise ConfigError(f"event '{key}': 'traits' must be a list", where=f"{path}:{spec.line_of('traits')}")
    for number, trait in enumerate(traits):
        if trait not in TRAITS:
            nearest = difflib.get_close_matches(str(trait), list(TRAITS), n=1)
            raise ConfigError(f"event '{key}': unknown trait '{trait}'", where=f"{path}:{line_of(traits, number)}",
                              hint=(f"did you mean '{nearest[0]}'? " if nearest else "") + f"known: {', '.join(TRAITS)}")
    counts = spec.get("counts")
    if counts is not None and counts not in COUNTS:
        raise ConfigError(f"event '{key}': counts must be one of {', '.join(COUNTS)}, not {counts!r}",
                          where=f"{path}:{spec.line_of('counts')}")
    try:
        confidence = float(spec.get("confidence", 0.7))
    except (TypeError, ValueError):
        raise ConfigError(f"event '{key}': confidence must be a number", where=f"{path}:{spec.line_of('confidence')}") from None
    return TriggerEntry(key, confidence, traits=frozenset(traits), counts=counts, attempt=spec.get("attempt"),
                        person_object=spec.get("person_object"))
