"""Sinks: where mapped documents go (RDF files, a Neo4j database), found by the target's scheme or extension.
May import kg.mapping, kg.ontology, kg.records, kg.settings, kg.files, kg.errors; never kg.extract or kg.sources.

``open_sink(target, settings, mapping)`` looks the target up in :data:`SINKS` (a URI scheme such as ``bolt``,
or a file extension such as ``.nq``) and imports the sink's module only then, the way rdflib's plugin registry
finds a serializer by name. Adding a sink is one module with an ``open_sink`` factory and one line here.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Protocol

from kg.errors import ConfigError

if TYPE_CHECKING:
    from kg.mapping import MappedDoc, Mapping
    from kg.settings import Settings

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")  # RFC 3986
_NEO4J = "kg.sinks.neo4j:open_sink"
_RDF = "kg.sinks.rdf:open_sink"

# target scheme ("bolt") or file extension (".nq") -> "module:factory"
SINKS: dict[str, str] = {
    "neo4j": _NEO4J, "neo4j+s": _NEO4J, "neo4j+ssc": _NEO4J,
    "bolt": _NEO4J, "bolt+s": _NEO4J, "bolt+ssc": _NEO4J,
    ".ttl": _RDF, ".nt": _RDF, ".nq": _RDF, ".trig": _RDF, ".jsonld": _RDF,
}


@dataclass
class Retraction:
    """What retracting documents from a target did."""

    found: list[str] = field(default_factory=list)  # document IRIs that were there and are gone
    missing: list[str] = field(default_factory=list)  # document IRIs that were not there
    counts: dict[str, int] = field(default_factory=dict)  # e.g. {"quads": 120} or {"nodes": 33, "relationships": 65}


class Sink(Protocol):
    """Where mapped documents are written. Nothing is visible to readers before ``commit()``."""

    def write(self, doc: MappedDoc) -> None:
        """Add (or replace) one document."""

    def commit(self) -> None:
        """Make everything written visible; after this the sink is closed."""

    def abort(self) -> None:
        """Drop everything not yet committed; the target stays as it was. After this the sink is closed."""

    def retract(self, doc_iris: Sequence[str]) -> Retraction:
        """Remove what only these documents supported (committed at once)."""

    def counts(self) -> dict[str, int]:
        """What the sink has written so far, in its own units ({"triples": n}, {"nodes": n, ...})."""


def scheme(target: str) -> str | None:
    """The URI scheme of a target (``bolt`` for ``bolt://host``), or None for a file path."""
    head, sep, _ = target.partition("://")
    return head.lower() if sep and _SCHEME.fullmatch(head) else None


def sink_key(target: str) -> str:
    """The key of :data:`SINKS` a target is looked up by; ConfigError when no sink takes it."""
    found = scheme(target)
    key = found if found is not None else PurePath(target).suffix.lower()
    if key not in SINKS:
        schemes = sorted(k + "://" for k in SINKS if not k.startswith("."))
        extensions = sorted(k for k in SINKS if k.startswith("."))
        what = f"scheme '{found}://'" if found is not None else (f"extension '{key}'" if key else "no extension")
        raise ConfigError(f"no sink for target '{target}' ({what})",
                          hint=f"known: {', '.join(extensions)} files, or {', '.join(schemes)}")
    return key


def is_database(target: str) -> bool:
    """Whether the target is a database URI rather than a file."""
    return scheme(target) is not None and sink_key(target) == scheme(target)


def open_sink(target: str, settings: Settings, mapping: Mapping) -> Sink:
    """The sink for ``target``, ready to write (a database is connected, a file's folder checked)."""
    module_name, _, factory = SINKS[sink_key(target)].partition(":")
    module = importlib.import_module(module_name)
    sink: Sink = getattr(module, factory)(target, settings, mapping)
    return sink
