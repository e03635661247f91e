"""Events: triggers (:mod:`kg.extract.triggers`), their arguments (:mod:`kg.extract.arguments`), modality
and attribution (:mod:`kg.extract.modality`), and the killed/injured counts, as :class:`~kg.records.Event`s.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from kg.extract.arguments import ArgumentBuilder
from kg.extract.entities import EntityIndex
from kg.extract.lexicon import Lexicon
from kg.extract.modality import event_modality, event_speaker
from kg.extract.triggers import find_triggers
from kg.records import Event


def extract_events(doc: Doc, lexicon: Lexicon, index: EntityIndex, sentence_of: Callable[[int], int],
                   ignore: Callable[[int, int], bool], published: str | None) -> list[Event]:
    entities = {e.id: e for e in index.entities}
    events: list[Event] = []
    dates = [ent for ent in doc.ents if ent.label_ in {"DATE", "TIME"} and not ignore(ent.start_char, ent.end_char)]
    candidates = sorted(find_triggers(doc, lexicon, index, ignore), key=lambda c: c.start)
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
        modality = event_modality(cand.token, cand.is_verb)
        speaker = event_speaker(cand.token, index, entities)
        count = builder.count() if cand.entry.counts else None
        killed = count if cand.entry.counts == "killed" else None
        injured = count if cand.entry.counts == "injured" else None
        events.append(Event(
            id=f"V{number}", type=cand.entry.type,
            trigger_start=trig.start_char, trigger_end=trig.end_char, trigger=trig.text,
            sentence=sentence_of(cand.start),
            confidence=round(cand.entry.confidence * (0.9 if modality != "asserted" else 1.0), 3),
            rule=cand.rule, modality=modality, arguments=tuple(builder.arguments),
            killed=killed, injured=injured,
            reported_by=speaker if "report" not in cand.entry.traits else None,
        ))
    return [e for e in events]
