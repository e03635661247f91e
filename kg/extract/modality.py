"""Modality (asserted, negated, planned, expected, denied, threatened, hypothetical) of an event, and the
speaker an event is attributed to (reported speech, "according to X")."""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.entities import ACTOR_TYPES, EntityIndex
from kg.records import Entity

SPEECH_VERBS = frozenset({"say", "tell", "report", "claim", "announce", "state", "add", "confirm", "accuse",
                          "allege", "according", "write", "declare", "insist", "suggest", "believe"})
PLAN_VERBS = frozenset({"plan", "intend", "prepare", "aim", "want", "seek", "hope", "mean", "decide", "vow",
                        "pledge", "propose", "consider", "schedule", "set", "try", "attempt", "need"})
EXPECT_WORDS = frozenset({"expect", "likely", "poised", "due", "anticipate", "predict", "upcoming", "imminent"})
DENY_VERBS = frozenset({"deny", "reject", "dismiss", "refute"})
THREAT_VERBS = frozenset({"threaten", "warn"})
HYPOTHETICAL_AUX = frozenset({"could", "may", "might", "would", "should", "can"})
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
PLAN_MODIFIERS = {"planned": "planned", "proposed": "planned", "possible": "hypothetical",
                  "potential": "hypothetical", "future": "planned", "expected": "expected",
                  "upcoming": "expected", "imminent": "expected", "alleged": "asserted",
                  "threatened": "threatened"}


def event_modality(trigger: Token, is_verb: bool) -> str:
    """asserted unless the text negates, plans, expects, denies, threatens or supposes the event."""
    clause = trigger
    if not is_verb:
        for child in trigger.children:
            if child.dep_ == "amod" and child.lower_ in PLAN_MODIFIERS:
                return PLAN_MODIFIERS[child.lower_]
            if child.dep_ == "det" and child.lower_ == "no":
                return "negated"
        clause = trigger.head if trigger.dep_ in {"dobj", "nsubj", "nsubjpass", "pobj", "attr"} else trigger
        if clause.dep_ == "prep":
            clause = clause.head
    steps = 0
    current = clause
    while True:
        children = list(current.children)
        if any(c.dep_ == "neg" for c in children):
            return "negated"
        if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in children):
            return "planned"
        if any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_AUX for c in children):
            return "hypothetical"
        if any(c.dep_ == "mark" and c.lower_ in {"if", "unless"} for c in children):
            return "hypothetical"
        lemma = current.lemma_.lower()
        done = any(c.dep_ == "auxpass" for c in children) and current.tag_ == "VBN" and any(
            c.dep_ == "agent" for c in children)  # "was planned by X": it happened
        if (steps > 0 or not is_verb) and not done:
            if lemma in DENY_VERBS:
                return "denied"
            if lemma in THREAT_VERBS:
                return "threatened"
            if lemma in EXPECT_WORDS:
                return "expected"
            if lemma in PLAN_VERBS:
                return "planned"
        if current.dep_ not in {"xcomp", "ccomp", "conj", "acomp"} or current.head is current or steps >= 3:
            break
        if current.dep_ == "ccomp" and current.head.lemma_.lower() not in DENY_VERBS | THREAT_VERBS:
            break
        current = current.head
        steps += 1
    # "is expected to launch", "meant to help": the controlling verb of an infinitive.
    if current.dep_ == "xcomp" and current.head.lemma_.lower() in EXPECT_WORDS | PLAN_VERBS:
        return "expected" if current.head.lemma_.lower() in EXPECT_WORDS else "planned"
    return "asserted"


def event_speaker(trigger: Token, index: EntityIndex, entities: dict[str, Entity]) -> str | None:
    """Who the article attributes the event to: the subject of a speech verb governing it, or 'according to X'."""
    current = trigger
    for _ in range(6):
        for child in current.children:
            if child.dep_ == "prep" and child.lower_ == "according":
                for to in child.children:
                    for obj in to.children:
                        found = index.entity_at(obj)
                        if found:
                            return found
        if current.head is current:
            break
        parent = current.head
        if current.dep_ in {"ccomp", "parataxis"} and parent.lemma_.lower() in SPEECH_VERBS:
            for subj in parent.children:
                if subj.dep_ == "nsubj":
                    found = index.entity_at(subj)
                    if found and entities[found].type in ACTOR_TYPES:
                        return found
            return None
        current = parent
    return None
