"""Event coreference measured: the gold set of articles written for kg (tests/data/event_clusters.jsonl, rebuilt
from event_clusters.md) scored with kg eval's coreference metrics, and the extractor's class tree checked against
the ontology and the mapping."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kg.eval.classes import default_classes
from kg.eval.coref import load_clusters, score_clusters
from kg.eval.run import gold_documents
from kg.extract import Extractor
from kg.extract.coref_events import event_parents
from kg.extract.lexicon import load_lexicon
from kg.records import DocRecord

DATA = Path(__file__).resolve().parent / "data"
GOLD = DATA / "event_clusters.jsonl"


def test_the_gold_file_is_built_from_its_marked_up_source() -> None:
    built = subprocess.run([sys.executable, str(DATA / "event_clusters.py"), "--check"], capture_output=True)
    assert built.returncode == 0, "tests/data/event_clusters.jsonl is stale: run python tests/data/event_clusters.py"


def test_the_class_tree_agrees_with_the_ontology_and_the_mapping() -> None:
    classes = default_classes()
    lexicon = load_lexicon()
    tree = event_parents(lexicon.events)
    assert tree and set(tree) <= set(lexicon.events)
    for key in lexicon.events:  # each type's parent is its class's superclass, and none is left out
        assert tree.get(key) == (classes.parent.get(key) if classes.parent.get(key) in lexicon.events else None), key
    assert event_parents({}) == {}
    assert event_parents({"suicide_bombing": type("Entry", (), {"parent": "bombing"})()})["suicide_bombing"] == "bombing"


@pytest.fixture(scope="module")
def scored(extractor: Extractor) -> tuple[dict[str, object], dict[str, object]]:
    classes = default_classes()
    docs = load_clusters(GOLD, classes)
    records = {r.document.id: r for r in extractor.extract_many(gold_documents(docs))}
    # the same mentions with every mention its own event: what the extractor gave before coreference
    singletons = {doc_id: _singletons(record) for doc_id, record in records.items()}
    return score_clusters(docs, records, classes), score_clusters(docs, singletons, classes)


def _singletons(record: DocRecord) -> DocRecord:
    events = []
    for event in record.events:
        for mention in event.all_mentions():
            events.append(replace(event, id=f"V{len(events) + 1}", trigger_start=mention.start,
                                  trigger_end=mention.end, trigger=mention.trigger, sentence=mention.sentence,
                                  arguments=mention.arguments, mentions=()))
    return replace(record, events=tuple(events))


def test_coreference_on_the_gold_set(scored) -> None:  # type: ignore[no-untyped-def]
    merged, alone = scored
    assert merged["coref_conll"] >= 0.75  # 0.79 when this test was written; mentions alone score 0.30
    assert merged["coref_conll"] > alone["coref_conll"] + 0.3
    assert merged["coref_muc"].precision >= 0.85  # type: ignore[attr-defined]
    assert 0.7 <= merged["events_per_gold"] <= 1.2 < alone["events_per_gold"]
