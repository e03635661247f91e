"""An event of several mentions in the graph: one node (its IRI minted from the first mention, as an event of
one mention always was), one evidence per mention under the document's IRI, argument evidence in the sentence
the argument is in, and every mention's own arguments as evidence of the merged edges. Records 1.0 (no
mentions) map as before."""

from __future__ import annotations

import json

from kg.mapping import load_mapping, map_record
from kg.records import Argument, DocRecord, Document, Entity, Event, EventMention, Mention, dumps, record_from_json

KGO = "https://w3id.org/kg-news/ont#"
TEXT = "A drone strike hit Hodeidah on Monday. Israel said the attack was a reply."
#       0         1         2         3         4         5         6         7


def _record(mentions: bool) -> DocRecord:
    hodeidah = Argument("place", 19, 27, "Hodeidah", 0.75, "prep-in", entity="E1")
    israel = Argument("agent", 39, 45, "Israel", 0.6, "subject", entity="E2")
    first = EventMention(8, 14, "strike", 0, "phrase:drone strike", 0.8, (hodeidah,))
    second = EventMention(55, 61, "attack", 1, "noun:attack", 0.7, (israel,))
    event = Event("V1", "airstrike", 8, 14, "strike", 0, 0.8, "phrase:drone strike",
                  arguments=(hodeidah, israel), mentions=(first, second) if mentions else ())
    entities = (Entity("E1", "place", "Hodeidah", "GPE", (Mention(19, 27, "Hodeidah", 0),), 0.9),
                Entity("E2", "state", "Israel", "GPE", (Mention(39, 45, "Israel", 1),), 0.9))
    document = Document("doc-a", TEXT, "0" * 64)
    return DocRecord(document, ((0, 38), (39, len(TEXT))), entities, (event,))


def test_one_node_one_evidence_per_mention() -> None:
    mapping = load_mapping()
    merged, single = map_record(_record(True), mapping), map_record(_record(False), mapping)
    event_iri = mapping.event_iri("doc-a", 8, 14)
    assert [n.iri for n in merged.nodes if (KGO + "Airstrike",) == n.classes] == [event_iri]
    node_evidence = [ev for ev in merged.evidence if ev.about == event_iri and ev.statement is None]
    assert [(ev.quote, ev.sentence) for ev in node_evidence] == [("strike", 0), ("attack", 1)]
    assert node_evidence[1].sentence_text == TEXT[39:]
    assert all(ev.iri.startswith(merged.doc_iri + "/") for ev in merged.evidence)
    # the first mention's evidence is the one a single-mention event had
    assert node_evidence[0].iri == next(ev.iri for ev in single.evidence if ev.about == event_iri)
    agent = next(ev for ev in merged.evidence if ev.statement and ev.statement[1] == KGO + "agent")
    assert (agent.quote, agent.sentence) == ("Israel", 1)  # the argument's own sentence, not the trigger's


def test_records_keep_the_mentions_and_old_records_still_read() -> None:
    record = _record(True)
    again = record_from_json(json.loads(dumps(record)))
    assert again == record and again.events[0].all_mentions()[1].arguments[0].text == "Israel"
    old = json.loads(dumps(_record(False)))
    old["kg_records"] = "1.0"
    for event in old["events"]:
        event.pop("mentions")
    (event,) = record_from_json(old).events
    assert [(m.start, m.end, m.trigger) for m in event.all_mentions()] == [(8, 14, "strike")]
