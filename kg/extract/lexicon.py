"""The extractor's data files (YAML in mappings/): the actor gazetteer, the event trigger lexicon and the noun
classes the argument rules consult."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
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
    "giving": "'to X' and 'for X' are recipients (targets); a thing given is a target too ('sold arms to X')",
    "symmetric": "the other party ('met X', 'with X') takes part like the subject: an agent, not a target",
    "ongoing": "names a state of affairs that holds many happenings ('the war', 'the violence'), none of them: "
               "its mentions are never one event with a mention of a finer type",
}
COUNTS = ("killed", "injured")


@dataclass(frozen=True)
class Refinement:
    """A finer event type an event takes when its arguments fit (``refine`` in triggers.yaml).

    Each condition is None (not checked) or the set of what fits: entity types, ``@class`` noun classes,
    noun lemmas and "modifier lemma" pairs.
    """

    type: str
    agent: frozenset[str] | None = None
    target: frozenset[str] | None = None
    instrument: frozenset[str] | None = None
    reflexive: bool = False


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
    particle: str | None = None  # an "object" verb's particle, which must be there: "call off" a strike
    traits: frozenset[str] = frozenset()
    counts: str | None = None  # "killed"/"injured": the count of victims is stored as this
    attempt: str | None = None  # event type an attempted one is ("attempted murder": attack)
    person_object: str | None = None  # event type it is with a person as object ("seized two men": arrest)
    refine: tuple[Refinement, ...] = ()  # finer types decided by the arguments, first that fits wins
    parent: str | None = None  # the event type this one refines (its class's superclass in the ontology)


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
    noun_phrases: frozenset[tuple[str, ...]] = frozenset()  # phrases listed as nouns: only with a noun head

    @property
    def phrase_starts(self) -> frozenset[str]:
        """First words of the phrases (where a phrase match can begin)."""
        return _starts(self.phrases)

    @property
    def idiom_starts(self) -> frozenset[str]:
        return _starts(self.idioms)

    def entry(self, event_type: str) -> TriggerEntry | None:
        return self.events.get(event_type)


_STARTS: dict[int, tuple[object, frozenset[str]]] = {}


def _starts(table: dict[tuple[str, ...], TriggerEntry] | frozenset[tuple[str, ...]]) -> frozenset[str]:
    """First words of a table's word sequences, computed once per table (kept with the table itself)."""
    cached = _STARTS.get(id(table))
    if cached is None or cached[0] is not table:
        cached = _STARTS[id(table)] = (table, frozenset(key[0] for key in table if key))
    return cached[1]


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
    noun_phrases: set[tuple[str, ...]] = set()
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
                if words not in phrases:
                    noun_phrases.add(words)
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
            verb = split(str(word))
            if len(verb) > 2:
                raise ConfigError(f"event '{key}': objects verb '{word}' must be one lemma, or a lemma and its "
                                  "particle ('call off')", where=f"{path}:{line_of(objects, word)}")
            entry = replace(base, condition="object", objects=frozenset(str(n).lower() for n in nouns_),
                            particle=verb[1] if len(verb) == 2 else None)
            conditional.setdefault(verb[0], []).append(entry)
    classes = load_nouns()
    for key, base in bases.items():
        spec = events[key]
        for field_name in ("attempt", "person_object", "parent"):
            other = getattr(base, field_name)
            if other is not None and other not in bases:
                raise ConfigError(f"event '{key}': {field_name} '{other}' is not an event of this lexicon",
                                  where=f"{path}:{spec.line_of(field_name)}", hint=f"known: {', '.join(bases)}")
        seen_parents = [key]
        while (up := bases[seen_parents[-1]].parent) is not None and up in bases:
            if up in seen_parents:
                raise ConfigError(f"event '{key}': parent '{base.parent}' leads back to '{up}'",
                                  where=f"{path}:{spec.line_of('parent')}", hint="the parents must form a tree")
            seen_parents.append(up)
        for rule in base.refine:
            if rule.type not in bases:
                raise ConfigError(f"event '{key}': refine type '{rule.type}' is not an event of this lexicon",
                                  where=f"{path}:{spec.line_of('refine')}", hint=f"known: {', '.join(bases)}")
        words = [w for rule in base.refine for c in (rule.agent, rule.target, rule.instrument) for w in c or ()]
        words += [w for nouns_ in (spec.get("objects") or {}).values() for w in nouns_]
        for word in words:
            if str(word).startswith("@") and str(word)[1:] not in classes.members:
                raise ConfigError(f"event '{key}': unknown noun class '{word}'",
                                  where=f"{path}:{spec.line_of('refine' if 'refine' in spec else 'objects')}",
                                  hint=f"known (mappings/nouns.yaml): {', '.join('@' + c for c in classes.members)}")
    idioms = frozenset(split(str(i)) for i in (data.get("idioms") or ()))
    return Lexicon(verbs, nouns, phrases, max((len(p) for p in phrases), default=1),
                   {k: tuple(v) for k, v in conditional.items()}, idioms, max((len(i) for i in idioms), default=1),
                   frozenset(verbs) | frozenset(nouns) | frozenset(conditional), bases,
                   {key: f"{path}:{events.line_of(key)}" for key in bases}, frozenset(noun_phrases))


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
                        person_object=spec.get("person_object"), refine=_refinements(key, spec, path),
                        parent=spec.get("parent"))


_CONDITIONS = ("agent", "target", "instrument")


def _refinements(key: str, spec: Lined, path: Path) -> tuple[Refinement, ...]:
    rules = spec.get("refine") or []
    where = f"{path}:{spec.line_of('refine')}" if "refine" in spec else str(path)
    if not isinstance(rules, list):
        raise ConfigError(f"event '{key}': 'refine' must be a list of rules", where=where)
    out = []
    for number, rule in enumerate(rules):
        at = f"{path}:{line_of(rules, number)}"
        if not isinstance(rule, dict) or not isinstance(rule.get("type"), str):
            raise ConfigError(f"event '{key}': each refine rule needs a 'type'", where=at)
        unknown = set(rule) - {"type", "reflexive", *_CONDITIONS}
        if unknown:
            raise ConfigError(f"event '{key}': unknown refine condition '{sorted(unknown)[0]}'", where=at,
                              hint=f"use {', '.join(_CONDITIONS)} or reflexive")
        conditions: dict[str, frozenset[str] | None] = {}
        for name in _CONDITIONS:
            value = rule.get(name)
            if value is not None and (not isinstance(value, list) or not value):
                raise ConfigError(f"event '{key}': refine condition '{name}' must be a non-empty list", where=at)
            conditions[name] = frozenset(str(v).lower() for v in value) if value else None
        if not any(conditions.values()) and not rule.get("reflexive"):
            raise ConfigError(f"event '{key}': a refine rule needs a condition", where=at)
        out.append(Refinement(rule["type"], reflexive=bool(rule.get("reflexive")), **conditions))
    return tuple(out)


# ------------------------------------------------------------------ noun classes


@dataclass(frozen=True)
class NounClasses:
    """The noun classes of mappings/nouns.yaml: lemma sets, modifier+head pairs, and entity types."""

    members: dict[str, frozenset[str]]  # class -> one-word lemmas
    pairs: dict[str, frozenset[tuple[str, str]]]  # class -> (modifier lemma, head lemma)
    types: dict[str, str] = field(default_factory=dict)  # one-word lemma -> entity type (first class wins)
    pair_types: dict[tuple[str, str], str] = field(default_factory=dict)
    heads: frozenset[str] = frozenset()  # every head lemma of a pair

    def has(self, cls: str, lemma: str, modifiers: Sequence[str] = ()) -> bool:
        """Whether a noun (its lemma and the lemmas of its compound/adjective modifiers) is in a class."""
        if lemma in self.members.get(cls, ()):
            return True
        pairs = self.pairs.get(cls) or frozenset()
        return any((m, lemma) in pairs for m in modifiers)

    def entity_type(self, lemma: str, modifiers: Sequence[str] = ()) -> str | None:
        """The entity type a nominal phrase with this head makes (a modifier+head pair first), or None."""
        if lemma in self.heads:
            for modifier in modifiers:
                found = self.pair_types.get((modifier, lemma))
                if found:
                    return found
        return self.types.get(lemma)


@lru_cache(maxsize=4)
def load_nouns(path: Path | str | None = None) -> NounClasses:
    """Read the noun classes (mappings/nouns.yaml); a problem is a ConfigError at ``file:line``."""
    path = Path(path) if path else data_path("mappings") / "nouns.yaml"
    data = _load_yaml(path)
    classes = data.get("classes") if isinstance(data, dict) else None
    if not isinstance(classes, Lined):
        raise ConfigError("a noun class file needs a 'classes:' mapping", where=f"{path}:{line_of(data)}")
    members: dict[str, frozenset[str]] = {}
    pairs: dict[str, frozenset[tuple[str, str]]] = {}
    types: dict[str, str] = {}
    pair_types: dict[tuple[str, str], str] = {}
    for name, spec in classes.items():
        where = f"{path}:{classes.line_of(name)}"
        if not isinstance(spec, Lined) or not isinstance(spec.get("nouns"), list):
            raise ConfigError(f"noun class '{name}' needs a 'nouns:' list", where=where)
        etype = spec.get("type")
        if etype is not None and etype not in ENTITY_TYPES:
            raise ConfigError(f"noun class '{name}': unknown entity type {etype!r}", where=where,
                              hint=f"use one of {', '.join(ENTITY_TYPES)}")
        single: set[str] = set()
        double: set[tuple[str, str]] = set()
        for number, noun in enumerate(spec["nouns"]):
            words = str(noun).lower().split()
            if len(words) == 1:
                single.add(words[0])
                if etype:
                    types.setdefault(words[0], etype)
            elif len(words) == 2:
                double.add((words[0], words[1]))
                if etype:
                    pair_types.setdefault((words[0], words[1]), etype)
            else:
                raise ConfigError(f"noun class '{name}': '{noun}' has more than two words",
                                  where=f"{path}:{line_of(spec['nouns'], number)}", hint="write a modifier and a head")
        members[str(name)] = frozenset(single)
        pairs[str(name)] = frozenset(double)
    heads = frozenset(head for found in pairs.values() for _, head in found)
    return NounClasses(members, pairs, types, pair_types, heads)
