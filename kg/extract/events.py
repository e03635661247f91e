"""Event mentions: triggers (:mod:`kg.extract.triggers`), their arguments (:mod:`kg.extract.arguments`), modality
and attribution (:mod:`kg.extract.modality`), and the killed/injured counts, one :class:`~kg.records.Event` per
mention; a harm with no agent takes the agent of the attack it happened in. With each goes what event
coreference (:mod:`kg.extract.coref_events`) and the past-reference check need from the parse, so that both can
run on the whole document after its pieces are parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from kg.extract.arguments import RELATIVE_PRONOUNS, ArgumentBuilder
from kg.extract.coref_events import Cue, cue_of, day_keys
from kg.extract.dates import is_duration
from kg.extract.entities import EntityIndex
from kg.extract.lexicon import Lexicon
from kg.extract.modality import event_modality, event_speaker, kind_reference, past_reference
from kg.extract.triggers import Candidate, find_triggers
from kg.records import Event


@dataclass(frozen=True, slots=True)
class Found:
    """One event mention with the cues read from its parse."""

    event: Event
    cue: Cue
    year: int | None = None  # the year its own time expression dates it to
    long_past: bool = False  # "years ago", "last year", "in the 1980s", "the anniversary of ..."


def extract_events(doc: Doc, lexicon: Lexicon, index: EntityIndex, sentence_of: Callable[[int], int],
                   ignore: Callable[[int, int], bool], published: str | None, headline: int = 0) -> list[Found]:
    """The event mentions of a parsed text; ``headline``: how many of its first sentences are headline lines."""
    entities = {e.id: e for e in index.entities}
    found: list[Found] = []
    dates = [ent for ent in doc.ents if ent.label_ in {"DATE", "TIME"} and not ignore(ent.start_char, ent.end_char)
             and not is_duration(ent.text, ent.root.head.lower_ if ent.root.dep_ == "pobj" else None)]
    candidates = sorted(find_triggers(doc, lexicon, index, ignore), key=lambda c: c.start)
    nouns = {c.token.i: c for c in candidates if not c.is_verb}
    verbs = {c.token.i: c for c in candidates if c.is_verb}
    placed: dict[int, int] = {}  # trigger token -> its mention's place in ``found``
    for number, cand in enumerate(candidates, 1):
        trig = doc[cand.start: cand.end]
        if ignore(trig.start_char, trig.end_char):
            continue
        builder = ArgumentBuilder(doc, index, entities, cand)
        if cand.is_verb:
            builder.verb_arguments()
        else:
            builder.noun_arguments()
        builder.time_argument(dates, published)
        sentence = sentence_of(cand.start)
        in_headline = sentence < headline
        traits = cand.entry.traits
        modality = event_modality(cand.token, cand.is_verb, headline=in_headline,
                                  eventive="communication" not in traits)
        speaker = event_speaker(cand.token, index, entities)
        count = builder.count() if cand.entry.counts else None
        killed = count if cand.entry.counts == "killed" else None
        injured = count if cand.entry.counts == "injured" else None
        event = Event(
            id=f"V{number}", type=cand.entry.type,
            trigger_start=trig.start_char, trigger_end=trig.end_char, trigger=trig.text,
            sentence=sentence,
            confidence=round(cand.entry.confidence * (0.9 if modality != "asserted" else 1.0), 3),
            rule=cand.rule, modality=modality, arguments=tuple(builder.arguments),
            killed=killed, injured=injured,
            reported_by=speaker if "report" not in traits else None,
        )
        if modality == "asserted" and not in_headline and not event.arguments and kind_reference(cand.token):
            event = as_generic(event)
        time = next((a for a in event.arguments if a.role == "time"), None)
        own = time is not None and _governs(doc, cand.start, cand.end, time.start, time.end)
        year, long_past = past_reference(cand.token, time.text if time else None, own)
        days = frozenset(day_keys(time.text, time.value)) if time is not None and own else frozenset()
        # speech acts (statements, threats, requests) are told apart by their speaker; meetings are happenings
        cue = cue_of(cand.token, cand.is_verb, in_headline, "communication" in traits and "contact" not in traits,
                     days)
        anchor = _anchor(cand, nouns, verbs)
        if anchor is not None:
            cue = replace(cue, anchor=doc[anchor.start].idx - trig.start_char)
        found.append(Found(event, cue, year, long_past))
        placed[cand.token.i] = len(found) - 1
    return _caused_by(_what_it_did(found, candidates, placed, verbs), candidates, placed, nouns)


CAUSE_PREPS = frozenset({"in", "during", "by"})


def _caused_by(found: list[Found], candidates: list[Candidate], placed: dict[int, int],
               nouns: dict[int, Candidate]) -> list[Found]:
    """A harm with no agent takes the agent (and, if it has none, the instrument) of the violent event it
    happened in: "soldiers were killed in ISIS attacks", "wounded in a bombing by the militia", "an ISIS attack
    in which two soldiers were killed". Not of a battle: "wounded in a battle between troops and rebels" says
    neither side did it."""
    for cand in candidates:
        at = placed.get(cand.token.i)
        if at is None or "harm" not in cand.entry.traits or not cand.is_verb:
            continue
        event = found[at].event
        if any(a.role == "agent" for a in event.arguments):
            continue
        for prep in cand.token.children:
            if prep.dep_ not in {"prep", "agent"} or prep.lower_ not in CAUSE_PREPS:
                continue
            for obj in prep.children:
                if obj.dep_ != "pobj":
                    continue
                if obj.lower_ in RELATIVE_PRONOUNS and cand.token.dep_ == "relcl":
                    obj = cand.token.head  # "the attack in which ... were killed": the attack
                cause = nouns.get(obj.i)
                if cause is None or "violent" not in cause.entry.traits \
                        or "contact" in cause.entry.traits or obj.i not in placed:  # a battle's sides: not
                    continue
                source = found[placed[obj.i]].event.arguments
                wanted = {"agent"} | ({"instrument"} if not any(a.role == "instrument" for a in event.arguments)
                                      else set())
                taken = {(a.start, a.end) for a in event.arguments}
                extra = tuple(replace(a, rule=a.rule + "+cause", confidence=round(a.confidence * 0.8, 3))
                              for a in source if a.role in wanted and (a.start, a.end) not in taken)
                if extra:
                    found[at] = replace(found[at], event=replace(event, arguments=event.arguments + extra))
                    event = found[at].event
    return found


def _what_it_did(found: list[Found], candidates: list[Candidate], placed: dict[int, int],
                 verbs: dict[int, Candidate]) -> list[Found]:
    """A violent event noun that does what a violent verb says takes the verb's targets: "the explosion targeted
    a bakery", "the building was shattered by an explosion". Not a harm verb's victims: they are its own."""
    for cand in candidates:
        at = placed.get(cand.token.i)
        if at is None or cand.is_verb or "violent" not in cand.entry.traits:
            continue
        token = cand.token
        verb: Candidate | None = None
        if token.dep_ == "nsubj":
            verb = verbs.get(token.head.i)
        elif token.dep_ == "pobj" and token.head.dep_ == "agent":
            verb = verbs.get(token.head.head.i)
        if verb is None or verb.token.i not in placed or "violent" not in verb.entry.traits \
                or "harm" in verb.entry.traits:
            continue  # "the blast killed five": the five are the killing's victims
        event = found[at].event
        taken = {(a.start, a.end) for a in event.arguments}
        extra = tuple(replace(a, rule=a.rule + "+done", confidence=round(a.confidence * 0.8, 3))
                      for a in found[placed[verb.token.i]].event.arguments
                      if a.role == "target" and (a.start, a.end) not in taken)
        if extra:
            found[at] = replace(found[at], event=replace(event, arguments=event.arguments + extra))
    return found


def as_generic(event: Event) -> Event:
    """The event as a kind of event or a happening of the background, with the confidence of a non-asserted one."""
    return replace(event, modality="generic", confidence=round(event.confidence * 0.9, 3))


def _governs(doc: Doc, start: int, end: int, char_start: int, char_end: int, depth: int = 3) -> bool:
    """Whether the phrase at ``char_start:char_end`` hangs on the trigger (tokens ``start:end``) within ``depth``
    steps up the parse: it is the trigger's own expression ("on Monday", "the 2015 offensive")."""
    span = doc.char_span(char_start, char_end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    current = span.root
    for _ in range(depth):
        if current.head.i == current.i:
            return False
        current = current.head
        if start <= current.i < end:
            return True
    return False


def _anchor(cand: Candidate, nouns: dict[int, Candidate], verbs: dict[int, Candidate]) -> Candidate | None:
    """The event mention this one is the same event as by the syntax: the event noun subject of an event verb
    ("a drone strike hit the depot": the hitting is the strike) or the verb of a clause on an event noun ("a
    strike targeting X"), the venue of a statement ("said in a
    statement")."""
    token = cand.token
    if cand.is_verb:
        if token.dep_ == "acl" and token.head.i in nouns:
            return nouns[token.head.i]  # "an air strike targeting the convoy": the targeting is the strike
        return next((nouns[c.i] for c in token.children if c.dep_ == "nsubj" and c.i in nouns), None)
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "in" and head.head.i in verbs:
        verb = verbs[head.head.i]
        if "communication" in verb.entry.traits and "communication" in cand.entry.traits:
            return verb
    return None
