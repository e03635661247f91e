"""The extractor's data files: the actor gazetteer and the event trigger lexicon (both YAML in mappings/)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import ConfigError, yaml_syntax_error
from kg.records import ENTITY_TYPES, ROLES
from kg.resources import data_path


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


def _load_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise ConfigError("file not found", where=str(path)) from exc
    except yaml.YAMLError as exc:
        raise yaml_syntax_error(exc, path) from exc


def load_gazetteer(paths: Sequence[Path | str] = ()) -> Gazetteer:
    """The shipped gazetteer, then each user file in order (same id: the later entry replaces the earlier)."""
    actors: dict[str, Actor] = {}
    for path in [data_path("mappings") / "gazetteer.yaml", *map(Path, paths)]:
        data = _load_yaml(path)
        items = data.get("actors") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ConfigError("a gazetteer needs an 'actors:' list", where=str(path))
        for index, item in enumerate(items):
            where = f"{path}: actors[{index}]"
            if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
                raise ConfigError("each actor needs 'id' and 'name'", where=where)
            if item.get("type") not in ENTITY_TYPES:
                raise ConfigError(f"unknown type {item.get('type')!r}", where=where,
                                  hint=f"use one of {', '.join(ENTITY_TYPES)}")
            actors[str(item["id"])] = Actor(
                id=str(item["id"]), name=str(item["name"]), type=item["type"],
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
                demonyms=tuple(str(d) for d in item.get("demonyms") or ()),
                parent=item.get("parent"), wikidata=item.get("wikidata"),
            )
    by_demonym = {d.lower(): a.id for a in actors.values() for d in a.demonyms}
    return Gazetteer(actors, by_demonym)


def load_lexicon(path: Path | str | None = None, lemmatize: Any = None) -> Lexicon:
    """Read the trigger lexicon. ``lemmatize`` turns a phrase into lemmas (defaults to lower-cased words)."""
    path = Path(path) if path else data_path("mappings") / "triggers.yaml"
    data = _load_yaml(path)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, dict):
        raise ConfigError("a trigger lexicon needs an 'events:' mapping", where=str(path))
    verbs: dict[str, TriggerEntry] = {}
    nouns: dict[str, TriggerEntry] = {}
    phrases: dict[tuple[str, ...], TriggerEntry] = {}
    conditional: dict[str, list[TriggerEntry]] = {}
    split = lemmatize or (lambda text: tuple(text.lower().split()))
    for key, spec in events.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"event '{key}' must be a mapping", where=str(path))
        conf = float(spec.get("confidence", 0.7))
        passive = set(spec.get("passive_target") or ())
        subject_roles = spec.get("subject_role") or {}
        for role in subject_roles.values():
            if role not in ROLES:
                raise ConfigError(f"unknown role {role!r} in event '{key}'", where=str(path))
        for word in spec.get("verbs") or ():
            entry = TriggerEntry(key, conf, word in passive, subject_roles.get(word, "agent"))
            words = split(word)
            if len(words) > 1:
                phrases.setdefault(words, entry)
            else:
                verbs.setdefault(words[0], entry)
        for word in spec.get("nouns") or ():
            entry = TriggerEntry(key, conf)
            words = split(word)
            if len(words) > 1:
                phrases.setdefault(words, entry)
            else:
                nouns.setdefault(words[0], entry)
        for word in spec.get("reporting") or ():
            conditional.setdefault(split(word)[0], []).append(TriggerEntry(key, conf, condition="statement"))
        objects = spec.get("objects") or {}
        if not isinstance(objects, dict):
            raise ConfigError(f"event '{key}': 'objects' must map verbs to object nouns", where=str(path))
        for word, nouns_ in objects.items():
            entry = TriggerEntry(key, conf, condition="object", objects=frozenset(str(n).lower() for n in nouns_))
            conditional.setdefault(split(str(word))[0], []).append(entry)
    idioms = frozenset(split(str(i)) for i in (data.get("idioms") or ()))
    return Lexicon(verbs, nouns, phrases, max((len(p) for p in phrases), default=1),
                   {k: tuple(v) for k, v in conditional.items()}, idioms, max((len(i) for i in idioms), default=1),
                   frozenset(verbs) | frozenset(nouns) | frozenset(conditional))
