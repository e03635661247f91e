"""The ontology as data: which classes and properties exist, the class tree, and local names.

This is the whitelist every sink uses: Neo4j labels and relationship types are the local names of the
classes and properties defined here, and nothing else.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, DefinedNamespace, Namespace
from rdflib.term import URIRef

from kg.errors import ConfigError
from kg.resources import data_path

KGO_NS = "https://w3id.org/kg-news/ont#"


class KGO(DefinedNamespace):
    """The ontology terms the code itself uses (a mistyped term is an AttributeError, not a wrong IRI)."""

    _NS = Namespace(KGO_NS)
    _fail = True
    Document: URIRef
    Evidence: URIRef
    Event: URIRef
    evidence: URIRef
    document: URIRef
    mentionedIn: URIRef
    rule: URIRef
    charStart: URIRef
    charEnd: URIRef
    quote: URIRef
    sentenceIndex: URIRef
    sentenceText: URIRef
    confidence: URIRef
    docId: URIRef

_SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Ontology:
    iri: str
    classes: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    parents: dict[str, tuple[str, ...]]  # class IRI -> direct superclasses (any namespace)
    path: Path

    @property
    def properties(self) -> frozenset[str]:
        return self.object_properties | self.datatype_properties

    def ancestors(self, cls: str) -> tuple[str, ...]:
        """The class and all its superclasses defined in this ontology, nearest first, without repeats."""
        seen: list[str] = []
        todo = [cls]
        while todo:
            current = todo.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.append(current)
            todo.extend(self.parents.get(current, ()))
        return tuple(seen)

    def coarse(self, cls: str) -> str | None:
        """The ancestor of an event class that sits directly under kgo:Event (its coarse type)."""
        event = str(KGO.Event)
        chain = self.ancestors(cls)
        if event not in chain:
            return None
        for current in chain:
            if event in self.parents.get(current, ()):
                return current
        return None

    def nearest(self, term: str, candidates: frozenset[str]) -> str | None:
        names = sorted(candidates)
        match = difflib.get_close_matches(term, names, n=1, cutoff=0.6)
        if match:
            return match[0]
        short = difflib.get_close_matches(local_name(term), [local_name(n) for n in names], n=1, cutoff=0.6)
        if short:
            return next(n for n in names if local_name(n) == short[0])
        return None


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def neo4j_name(iri: str) -> str:
    """Label or relationship type for an ontology term; refuses anything that is not a plain identifier."""
    name = local_name(iri)
    if not _SAFE_NAME.match(name):
        raise ConfigError(f"ontology term {iri!r} has no safe local name for Neo4j")
    return name


@lru_cache(maxsize=8)
def load_ontology(path: Path | None = None) -> Ontology:
    path = Path(path) if path else data_path("ontology") / "kg.ttl"
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise ConfigError("ontology file not found", where=str(path)) from exc
    except Exception as exc:  # rdflib raises several parser error types
        raise ConfigError(f"ontology is not valid Turtle: {exc}", where=str(path)) from exc
    onto_iris = [str(s) for s in graph.subjects(RDF.type, OWL.Ontology)]
    classes = frozenset(str(s) for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, rdflib.URIRef))
    parents = {
        cls: tuple(sorted(str(o) for o in graph.objects(rdflib.URIRef(cls), RDFS.subClassOf))) for cls in classes
    }
    return Ontology(
        iri=onto_iris[0] if onto_iris else KGO_NS,
        classes=classes,
        object_properties=frozenset(str(s) for s in graph.subjects(RDF.type, OWL.ObjectProperty)),
        datatype_properties=frozenset(str(s) for s in graph.subjects(RDF.type, OWL.DatatypeProperty)),
        parents=parents,
        path=path,
    )
