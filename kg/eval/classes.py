"""The event class tree of the scorer, as event type keys, read from the ontology and the mapping.

An event type key (``airstrike``) is what the extractor writes and what ``mappings/alignment.yaml`` aligns
gold types to; the mapping's ``events`` section gives its class (``kgo:Airstrike``), and the ontology's
``rdfs:subClassOf`` gives the tree. The coarse class of a key is the key of the class directly under
``kgo:Event`` above it (:meth:`kg.ontology.Ontology.coarse`). Adding an event class to the ontology and the
mapping is therefore all the scorer needs; nothing here lists classes.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass
from functools import lru_cache

from kg.mapping import Mapping, load_mapping
from kg.ontology import local_name


@dataclass(frozen=True)
class EventClasses:
    iri: dict[str, str]  # event type key -> class IRI
    parent: dict[str, str]  # key -> the key of its nearest mapped superclass (none for coarse classes)
    coarse: dict[str, str]  # every key -> the key of its coarse class
    lineage: dict[str, tuple[str, ...]]  # key -> itself and the keys of its mapped superclasses, nearest first

    @property
    def coarse_classes(self) -> tuple[str, ...]:
        """The keys of the classes directly under kgo:Event, in mapping order."""
        return tuple(key for key in self.iri if self.coarse[key] == key)

    def ancestors(self, key: str) -> tuple[str, ...]:
        """The key and the keys of its superclasses below Event, nearest first (an unknown key: itself)."""
        return self.lineage.get(key, (key,))

    def compatible(self, a: str, b: str) -> bool:
        """Same class, or one an ancestor of the other (attack ~ bombing, not attack ~ offensive)."""
        return a in self.ancestors(b) or b in self.ancestors(a)

    def under(self, keys: set[str] | frozenset[str]) -> frozenset[str]:
        """The given keys and every key below one of them."""
        return frozenset(key for key, chain in self.lineage.items() if keys & set(chain))


def from_mapping(mapping: Mapping) -> EventClasses:
    """The tree of the event classes the mapping's ``events`` section names (classes under kgo:Event only)."""
    onto = mapping.ontology
    key_of: dict[str, str] = {}
    for key, rule in mapping.events.items():
        key_of.setdefault(rule.term, key)
    iri: dict[str, str] = {}
    lineage: dict[str, tuple[str, ...]] = {}
    coarse: dict[str, str] = {}
    for key, rule in mapping.events.items():
        top = onto.coarse(rule.term)
        if top is None:  # not an event class
            continue
        iri[key] = rule.term
        chain = [key_of[c] for c in onto.ancestors(rule.term) if c in key_of and onto.coarse(c) is not None]
        lineage[key] = tuple(dict.fromkeys([key, *chain]))
        coarse[key] = key_of.get(top, local_name(top).lower())
    parent = {key: chain[1] for key, chain in lineage.items() if len(chain) > 1}
    return EventClasses(iri, parent, coarse, lineage)


@lru_cache(maxsize=1)
def default_classes() -> EventClasses:
    """The tree from the shipped ontology and mapping (``ontology/kg.ttl``, ``mappings/default.yaml``)."""
    return from_mapping(load_mapping())


class _DefaultCoarse(AbcMapping[str, str]):
    """Every event type key -> its coarse key, for the shipped mapping, read when first used."""

    def __getitem__(self, key: str) -> str:
        return default_classes().coarse[key]

    def __iter__(self) -> Iterator[str]:
        return iter(default_classes().coarse)

    def __len__(self) -> int:
        return len(default_classes().coarse)


COARSE: AbcMapping[str, str] = _DefaultCoarse()
