"""MUC-4 (``kg eval --format muc4``): incident detection per document and role-filler recall/precision.

Gold (GRIT's processing of MUC-4): one JSON object per line with ``docid``, ``doctext`` (lower case) and
``extracts``: for each role of :data:`MUC_ROLES` a list of entities, each a list of ``[mention, char
offset]`` pairs. A document with no filler reports no incident. A mention whose offset does not point at
its text is moved to the nearest occurrence of its text (counted in ``muc4_offsets_repaired``); a mention
whose text does not occur at all is dropped (``muc4_mentions_missing``; an entity left without mentions
can only be missed).

What counts as an incident and which of our arguments fill which MUC-4 role is data: the ``muc4`` section
of ``mappings/alignment.yaml`` (:func:`load_muc4_alignment`). An event "reports" when it is asserted
(modality ``asserted``; an event marked ``generic`` does not count either, once the extractor marks any)
and its type is an incident class or below one.

Measures (every predicted record is scored; a missing record predicts nothing):

- ``muc4_incident``: per document, predicted = some reporting event of an incident class, gold = some
  filler; tp/fp/fn over documents. ``muc4_incident_fpr``: false positives / documents without an incident.
- ``muc4_role:<Role>`` and ``muc4_roles`` (all roles): the fillers of a role are the arguments of the
  reporting incident events that fill it (first fitting rule); arguments with the same span or the same
  entity are one predicted filler. A gold entity is found (tp) when one of its mentions overlaps a
  predicted filler of its role, else it is missed (fn); a predicted filler that overlaps no gold entity of
  that role is a false positive. Several predicted fillers on one gold entity count once.
- ``muc4_roles_entity``: the same, with each filler that is an entity matched by all of that entity's
  mentions, not only by its arguments' spans: an argument "he" or "the group" resolved to the gold entity
  is found. The graph states the entity, so this reads the graph; ``muc4_roles`` reads the argument spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.errors import ConfigError, InputError
from kg.eval.classes import EventClasses
from kg.eval.goldsets import json_field, json_lines, unique_ids
from kg.eval.scoring import PRF, overlap
from kg.records import ENTITY_TYPES, ROLES, DocRecord, Event
from kg.resources import data_path
from kg.yamlio import Lined, LinedList, line_of, load_yaml

MUC_ROLES = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")


@dataclass(frozen=True, slots=True)
class MucEntity:
    role: str
    mentions: tuple[tuple[int, int], ...]  # character spans into MucDoc.text
    text: str  # the first mention as written in the gold


@dataclass(frozen=True, slots=True)
class MucDoc:
    id: str
    text: str
    entities: tuple[MucEntity, ...]
    repaired: int = 0  # mentions moved to the nearest occurrence of their text
    missing: int = 0  # mentions whose text does not occur in the document

    @property
    def incident(self) -> bool:
        return bool(self.entities)


@dataclass(frozen=True, slots=True)
class FillerRule:
    muc: str  # MUC-4 role
    role: str  # our argument role
    classes: frozenset[str] | None  # event type keys (with everything below them), None: any incident class
    entity_types: frozenset[str] | None  # entity types of the argument, None: any argument


@dataclass(frozen=True, slots=True)
class MucAlignment:
    incident: frozenset[str]  # event type keys that report an incident, with every key below them
    fillers: tuple[FillerRule, ...]


# ------------------------------------------------------------------ alignment


def load_muc4_alignment(classes: EventClasses, path: Path | str | None = None) -> MucAlignment:
    """The ``muc4`` section of the alignment file, checked against our classes, roles and entity types."""
    path = Path(path) if path else data_path("mappings") / "alignment.yaml"
    data = load_yaml(path, what="alignment file")

    def fail(message: str, *keys: str | int) -> ConfigError:
        return ConfigError(message, where=f"{path}:{line_of(data, *keys)}")

    if not isinstance(data, Lined) or not isinstance(data.get("muc4"), Lined):
        raise fail("no `muc4:` section (a mapping with `incident` and `fillers`)")
    section = data["muc4"]

    def keys(value: object, what: str, known: Iterable[str], *at: str | int) -> frozenset[str]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise fail(f"muc4: `{what}` must be a non-empty list of names", *at)
        allowed = tuple(known)
        for v in value:
            if v not in allowed:
                raise ConfigError(f"muc4: unknown name {v!r} in `{what}`", where=f"{path}:{line_of(data, *at)}",
                                  hint=f"known: {', '.join(allowed)}")
        return frozenset(value)

    incident = classes.under(keys(section.get("incident"), "incident", classes.iri, "muc4", "incident"))
    rules_raw = section.get("fillers")
    if not isinstance(rules_raw, LinedList) or not rules_raw:
        raise fail("muc4: `fillers` must be a list of rules", "muc4", "fillers")
    rules = []
    for index, rule in enumerate(rules_raw):
        at = ("muc4", "fillers", index)
        if not isinstance(rule, Lined):
            raise fail("muc4: each filler rule must be a mapping", *at)
        unknown = set(rule) - {"muc", "role", "classes", "entity_types"}
        if unknown:
            raise fail(f"muc4: unknown field {sorted(unknown)[0]!r} in a filler rule", *at)
        muc, role = rule.get("muc"), rule.get("role")
        if muc not in MUC_ROLES:
            raise fail(f"muc4: `muc` must be one of {', '.join(MUC_ROLES)}, not {muc!r}", *at)
        if role not in ROLES:
            raise fail(f"muc4: `role` must be one of {', '.join(ROLES)}, not {role!r}", *at)
        limit = keys(rule["classes"], "classes", classes.iri, *at) if "classes" in rule else None
        types = keys(rule["entity_types"], "entity_types", ENTITY_TYPES, *at) if "entity_types" in rule else None
        rules.append(FillerRule(str(muc), str(role), classes.under(limit) if limit else None, types))
    return MucAlignment(incident, tuple(rules))


# ------------------------------------------------------------------ gold


def load_muc4(path: Path | str) -> list[MucDoc]:
    """Read a MUC-4 gold file (GRIT's JSON lines); a malformed line is an InputError naming ``file:line``."""
    path = Path(path)
    try:
        docs = [_muc_doc(record, f"{path}:{line}") for line, record in json_lines(path)]
    except FileNotFoundError as exc:
        raise InputError("gold file not found", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"gold file is not UTF-8: {exc}", where=str(path)) from exc
    return unique_ids(docs)


def _muc_doc(record: dict[str, object], where: str) -> MucDoc:
    doc_id = str(json_field(record, "docid", str, where))
    text = str(json_field(record, "doctext", str, where))
    extracts = json_field(record, "extracts", dict, where)
    entities: list[MucEntity] = []
    repaired = missing = 0
    for role, items in extracts.items():
        if role not in MUC_ROLES:
            raise InputError(f"unknown MUC-4 role {role!r}", where=where, hint=f"known: {', '.join(MUC_ROLES)}")
        if not isinstance(items, list):
            raise InputError(f"extracts.{role} must be a list of entities", where=where)
        for entity in items:
            if not isinstance(entity, list) or not entity:
                raise InputError(f"extracts.{role}: an entity must be a non-empty list of [mention, offset]", where=where)
            spans = []
            for pair in entity:
                if (not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str) or not pair[0]
                        or not isinstance(pair[1], int) or isinstance(pair[1], bool)):
                    raise InputError(f"extracts.{role}: expected [mention, offset], got {pair!r}", where=where)
                mention, offset = pair
                start = _locate(text, mention, offset)
                if start is None:
                    missing += 1
                    continue
                repaired += start != offset
                spans.append((start, start + len(mention)))
            entities.append(MucEntity(role, tuple(spans), entity[0][0]))
    return MucDoc(doc_id, text, tuple(entities), repaired, missing)


def _locate(text: str, mention: str, offset: int) -> int | None:
    """Where the mention is: at its offset, else its occurrence nearest to it, else None."""
    if text[offset : offset + len(mention)] == mention and offset >= 0:
        return offset
    starts = []
    at = text.find(mention)
    while at >= 0:
        starts.append(at)
        at = text.find(mention, at + 1)
    return min(starts, key=lambda s: abs(s - offset)) if starts else None


# ------------------------------------------------------------------ scoring


def reports(event: Event) -> bool:
    """Whether an event is stated as having happened: asserted, and not marked generic."""
    return event.modality == "asserted" and not getattr(event, "generic", False)


def _fillers(record: DocRecord | None, alignment: MucAlignment,
             by_entity: bool = False) -> dict[str, list[list[tuple[int, int]]]]:
    """MUC role -> predicted fillers, each the spans of one entity or one span: the arguments' spans, and with
    ``by_entity`` every mention of the entity too."""
    out: dict[str, dict[object, list[tuple[int, int]]]] = {}
    if record is None:
        return {}
    types = {entity.id: entity.type for entity in record.entities}
    mentions = {e.id: [(m.start, m.end) for m in e.mentions] for e in record.entities} if by_entity else {}
    for event in record.events:
        if event.type not in alignment.incident or not reports(event):
            continue
        for arg in event.arguments:
            for rule in alignment.fillers:
                if arg.role != rule.role or (rule.classes is not None and event.type not in rule.classes):
                    continue
                if rule.entity_types is not None and types.get(arg.entity or "") not in rule.entity_types:
                    continue
                key: object = ("entity", arg.entity) if arg.entity else ("span", arg.start, arg.end)
                spans = out.setdefault(rule.muc, {}).setdefault(key, [])
                for span in ((arg.start, arg.end), *mentions.get(arg.entity or "", ())):
                    if span not in spans:
                        spans.append(span)
                break
    return {role: list(found.values()) for role, found in out.items()}


def score_muc4(
    docs: Iterable[MucDoc], predicted: Mapping[str, DocRecord], alignment: MucAlignment
) -> dict[str, PRF | float]:
    """Incident detection and role-filler scores (see the module docstring); counts are ints."""
    incident = PRF()
    roles = {role: PRF() for role in MUC_ROLES}
    by_entity = PRF()
    n_docs = n_none = repaired = missing = 0
    for doc in docs:
        record = predicted.get(doc.id)
        if record is not None and record.document.text != doc.text:
            raise InputError("the predicted record was made from a different text than the gold document",
                             where=doc.id, hint="run the extractor on MucDoc.text")
        n_docs += 1
        n_none += not doc.incident
        repaired += doc.repaired
        missing += doc.missing
        said = record is not None and any(e.type in alignment.incident and reports(e) for e in record.events)
        incident.tp += said and doc.incident
        incident.fp += said and not doc.incident
        incident.fn += doc.incident and not said
        for role, prf in _score_roles(doc, _fillers(record, alignment)).items():
            roles[role].add(prf)
        for prf in _score_roles(doc, _fillers(record, alignment, by_entity=True)).values():
            by_entity.add(prf)
    results: dict[str, PRF | float] = {"muc4_incident": incident,
                                       "muc4_incident_fpr": incident.fp / n_none if n_none else 0.0}
    overall = PRF()
    for role, prf in roles.items():
        results[f"muc4_role:{role}"] = prf
        overall.add(prf)
    results["muc4_roles"] = overall
    results["muc4_roles_entity"] = by_entity
    results["muc4_docs_incident"] = n_docs - n_none
    results["muc4_docs_none"] = n_none
    results["muc4_offsets_repaired"] = repaired
    results["muc4_mentions_missing"] = missing
    return results


def _score_roles(doc: MucDoc, fillers: dict[str, list[list[tuple[int, int]]]]) -> dict[str, PRF]:
    """Per MUC role: gold entities found by some filler (tp), missed (fn), fillers that overlap none (fp)."""
    def hits(g: tuple[tuple[int, int], ...], p: list[tuple[int, int]]) -> bool:
        return any(overlap(*gm, *pm) for gm in g for pm in p)

    scores = {}
    for role in MUC_ROLES:
        gold = [e.mentions for e in doc.entities if e.role == role]
        pred = fillers.get(role, [])
        found = sum(any(hits(g, p) for p in pred) for g in gold)
        scores[role] = PRF(tp=found, fp=sum(not any(hits(g, p) for g in gold) for p in pred), fn=len(gold) - found)
    return scores
