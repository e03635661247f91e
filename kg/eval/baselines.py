"""Two baselines to compare the extractor with, scored by the same rules: bare spaCy NER, and spaCy NER
plus events from a naive lemma list (:data:`NAIVE_TRIGGERS`) with nsubj/dobj as agent/target.

Both return :class:`~kg.records.DocRecord` objects keyed by document id, over exactly the given texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from kg.eval.goldsets import TextDoc
from kg.records import Argument, DocRecord, Document, Entity, Event, Mention

# spaCy NER label -> our entity type, for the baselines.
LABEL_TYPE: dict[str, str] = {
    "PERSON": "person",
    "NORP": "state",
    "ORG": "organization",
    "GPE": "state",
    "LOC": "place",
    "FAC": "facility",
}

# Naive trigger lexicon: lemma -> event type key (nouns and verbs).
NAIVE_TRIGGERS: dict[str, str] = {
    "attack": "attack", "strike": "attack", "raid": "attack", "assault": "attack", "ambush": "attack",
    "airstrike": "airstrike", "bomb": "bombing", "bombing": "bombing", "explode": "bombing",
    "explosion": "bombing", "blast": "bombing", "detonate": "bombing", "shell": "shelling",
    "shoot": "shooting", "shooting": "shooting", "fight": "conflict", "clash": "conflict",
    "invade": "offensive", "offensive": "offensive", "seize": "seizure", "capture": "seizure",
    "kill": "killing", "die": "killing", "death": "killing", "murder": "killing", "assassinate": "killing",
    "injure": "injury", "wound": "injury", "hurt": "injury",
    "arrest": "arrest", "detain": "arrest", "trial": "trial", "release": "release",
    "kidnap": "kidnapping", "abduct": "kidnapping", "funeral": "funeral",
    "protest": "protest", "demonstration": "protest", "rally": "protest",
    "damage": "damage", "destroy": "damage",
    "visit": "visit", "deploy": "deployment", "withdraw": "withdrawal", "travel": "movement",
    "meet": "meeting", "meeting": "meeting", "talk": "meeting",
    "say": "statement", "announce": "statement", "claim": "statement", "tell": "statement",
    "threaten": "threat", "warn": "threat", "ask": "request", "demand": "request", "urge": "request",
    "agree": "agreement", "agreement": "agreement",
}  # fmt: skip


def baseline_spacy(nlp: Any, docs: Iterable[TextDoc]) -> dict[str, DocRecord]:
    """Bare spaCy NER as records: one entity per NER span of a known label, no events."""
    return _baseline(nlp, docs, events=False)


def baseline_naive(nlp: Any, docs: Iterable[TextDoc]) -> dict[str, DocRecord]:
    """spaCy NER plus events from the :data:`NAIVE_TRIGGERS` lemma list; for a verb trigger, agent = its
    nsubj and target = its dobj (the NER span containing that token, else the token's subtree)."""
    return _baseline(nlp, docs, events=True)


def _baseline(nlp: Any, docs: Iterable[TextDoc], events: bool) -> dict[str, DocRecord]:
    docs = list(docs)
    model = f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}-{nlp.meta.get('version', '')}"
    records: dict[str, DocRecord] = {}
    for source, doc in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
        sents = list(doc.sents)
        sent_of = {tok.i: index for index, sent in enumerate(sents) for tok in sent}
        entities: list[Entity] = []
        entity_of: dict[int, tuple[Entity, Any]] = {}  # token index -> (entity, span)
        for span in doc.ents:
            if span.label_ not in LABEL_TYPE:
                continue
            mention = Mention(span.start_char, span.end_char, span.text, sent_of[span.start])
            ent = Entity(f"E{len(entities) + 1}", LABEL_TYPE[span.label_], span.text, span.label_, (mention,), 1.0)
            entities.append(ent)
            for tok in span:
                entity_of[tok.i] = (ent, span)
        found: list[Event] = []
        for tok in doc if events else ():
            key = NAIVE_TRIGGERS.get(tok.lemma_.lower())
            if key is None or tok.pos_ not in ("VERB", "NOUN"):
                continue
            arguments = []
            if tok.pos_ == "VERB":
                for child in tok.children:
                    role = {"nsubj": "agent", "dobj": "target"}.get(child.dep_)
                    if role is None:
                        continue
                    ent_span = entity_of.get(child.i)
                    if ent_span:
                        ent, span = ent_span
                        start, end, ent_id = span.start_char, span.end_char, ent.id
                    else:
                        start, end, ent_id = child.left_edge.idx, child.right_edge.idx + len(child.right_edge), None
                    arguments.append(
                        Argument(role, start, end, doc.text[start:end], 0.5, f"naive:{child.dep_}", entity=ent_id)
                    )
            found.append(
                Event(
                    f"V{len(found) + 1}", key, tok.idx, tok.idx + len(tok), tok.text, sent_of[tok.i], 0.5,
                    "naive:lemma", arguments=tuple(arguments),
                )
            )  # fmt: skip
        document = Document(source.id, doc.text, hashlib.sha256(doc.text.encode("utf-8")).hexdigest())
        records[source.id] = DocRecord(
            document=document,
            sentences=tuple((s.start_char, s.end_char) for s in sents),
            entities=tuple(entities),
            events=tuple(found),
            model=model,
        )
    return records
