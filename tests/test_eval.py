"""``kg eval`` end to end on a tiny WikiEvents-format gold file written here, checked against hand counts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.eval.goldsets import load_gold
from kg.eval.run import extract_gold
from kg.records import Event
from kg.settings import Settings

# Two short documents; every sentence is followed by one newline in the rebuilt gold text.
DOCS: list[dict[str, Any]] = [
    {
        "id": "a",
        "sentences": [
            "Syrian troops attacked the town of Idlib on Monday.",
            "A spokesman later met reporters.",
        ],
        # (entity id, sentence, token text, KAIROS type); token text is found in its sentence
        "entities": [("T1", 0, "Syrian", "GPE"), ("T2", 0, "troops", "PER"), ("T3", 0, "town", "GPE"),
                     ("T4", 0, "Idlib", "GPE"), ("T5", 1, "spokesman", "PER"), ("T6", 1, "reporters", "PER")],
        # (trigger sentence, trigger text, event type, [(entity id, role)])
        "events": [(0, "attacked", "Conflict.Attack.Unspecified", [("T2", "Attacker"), ("T3", "Target")]),
                   (1, "met", "Contact.Contact.Meet", [("T5", "Participant"), ("T6", "Participant")])],
    },
    {
        "id": "b",
        "sentences": [
            "Police arrested Ahmad Karimi in Kabul.",
            "Three people died in a blast near the airport.",
        ],
        "entities": [("T1", 0, "Police", "ORG"), ("T2", 0, "Ahmad Karimi", "PER"), ("T3", 0, "Kabul", "GPE"),
                     ("T4", 1, "people", "PER"), ("T5", 1, "airport", "FAC")],
        "events": [(0, "arrested", "Justice.ArrestJailDetain.Unspecified",
                    [("T1", "Jailer"), ("T2", "Detainee"), ("T3", "Place")]),
                   (1, "died", "Life.Die.Unspecified", [("T4", "Victim"), ("T5", "Place")]),
                   (1, "blast", "Conflict.Attack.DetonateExplode", [("T5", "Place")])],
    },
]


def _tokens(sentence: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", sentence)


def _wikievents_line(spec: dict[str, Any]) -> dict[str, Any]:
    """A WikiEvents record: token offsets into the sentences joined by one character."""
    sentences: list[Any] = []
    tokens: list[str] = []
    base = 0
    sentence_start: list[int] = []  # index of each sentence's first token
    for text in spec["sentences"]:
        sentence_start.append(len(tokens))
        placed, cursor = [], 0
        for tok in _tokens(text):
            at = text.index(tok, cursor)
            placed.append([tok, base + at, base + at + len(tok)])
            cursor = at + len(tok)
        sentences.append([placed, text])
        tokens += [t[0] for t in placed]
        base += len(text) + 1

    def span(sentence: int, text: str) -> tuple[int, int]:
        words = _tokens(text)
        first = sentence_start[sentence]
        last = sentence_start[sentence + 1] if sentence + 1 < len(sentence_start) else len(tokens)
        for i in range(first, last - len(words) + 1):
            if tokens[i: i + len(words)] == words:
                return i, i + len(words)
        raise AssertionError(text)

    mentions = []
    for ent_id, sentence, text, etype in spec["entities"]:
        start, end = span(sentence, text)
        mentions.append({"id": f"{spec['id']}-{ent_id}", "start": start, "end": end, "entity_type": etype,
                         "mention_type": "UNK", "text": text})
    events = []
    for n, (sentence, trigger, etype, arguments) in enumerate(spec["events"], 1):
        start, end = span(sentence, trigger)
        events.append({
            "id": f"{spec['id']}-E{n}", "event_type": etype,
            "trigger": {"start": start, "end": end, "text": trigger, "sent_idx": sentence},
            "arguments": [{"entity_id": f"{spec['id']}-{e}", "role": r, "text": ""} for e, r in arguments],
        })
    return {"doc_id": spec["id"], "tokens": tokens, "text": " ".join(spec["sentences"]), "sentences": sentences,
            "entity_mentions": mentions, "relation_mentions": [], "event_mentions": events}


@pytest.fixture(scope="module")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gold") / "tiny.jsonl"
    path.write_text("".join(json.dumps(_wikievents_line(d)) + "\n" for d in DOCS), encoding="utf-8")
    return path


def _row(report: str, label: str) -> list[str]:
    line = next(line for line in report.splitlines() if line.startswith(label))
    return line[len(label):].split()


def _counts(report: str, label: str) -> tuple[int, int, int]:
    tp, fp, fn = _row(report, label)[-1].split("/")
    return int(tp), int(fp), int(fn)


def test_extractor_output_the_hand_counts_assume(gold_file: Path) -> None:
    """What the extractor finds in the two documents; the hand counts below are made from it."""
    records, _ = extract_gold(load_gold(gold_file, "wikievents"), Settings())
    a, b = records["a"], records["b"]
    # nominal entities (arguments without a name) are entities too: "A spokesman", "reporters", "Police", ...
    assert sorted((m.text, e.type) for e in a.entities for m in e.mentions) == [
        ("A spokesman", "person"), ("Idlib", "place"), ("Syrian", "state"), ("reporters", "person")]
    assert sorted((m.text, e.type) for e in b.entities for m in e.mentions) == [
        ("Ahmad Karimi", "person"), ("Kabul", "place"), ("Police", "unit"), ("Three people", "person"),
        ("the airport", "facility")]
    roles = {"agent", "target", "place", "instrument"}
    def summary(events: tuple[Event, ...]) -> list[tuple[str, str, list[tuple[str, str]]]]:
        return [(e.trigger, e.type, sorted((x.role, x.text) for x in e.arguments if x.role in roles)) for e in events]

    assert summary(a.events) == [
        ("attacked", "attack", [("agent", "Syrian troops"), ("target", "the town of Idlib")]),
        ("met", "meeting", [("agent", "A spokesman"), ("agent", "reporters")]),  # both take part in a meeting
    ]
    assert summary(b.events) == [
        ("arrested", "arrest", [("agent", "Police"), ("place", "Kabul"), ("target", "Ahmad Karimi")]),
        ("died", "killing", [("target", "Three people")]),
        ("blast", "bombing", [("place", "the airport")]),
    ]


def test_kg_eval_prints_the_hand_counts(gold_file: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold_file), "--format", "wikievents"])
    assert result.exit_code == 0, result.output
    report = result.output
    # Named gold mentions: Syrian, Idlib | Police, Ahmad Karimi, Kabul (5); "troops", "town", ... are not names.
    # Predicted named mentions: Syrian (state -> GPE), Idlib, Police (a nominal unit -> ORG), Ahmad Karimi, Kabul:
    # 5 matches; "Three people" opens its sentence with a capital, so the rule takes it for a name: 1 fp.
    assert _counts(report, "NE mentions (overlap+type)") == (5, 1, 0)
    assert _counts(report, "NE mentions (exact+type)") == (5, 1, 0)
    assert _row(report, "NE mentions (overlap+type)")[:3] == ["0.833", "1.000", "0.909"]
    # 5 gold events, 5 predicted, each on the gold trigger with the same coarse class.
    assert _counts(report, "trigger identification") == (5, 0, 0)
    assert _counts(report, "trigger classification") == (5, 0, 0)
    # 10 gold arguments; 9 predicted, all right (troops~"Syrian troops", town, spokesman, reporters | Police,
    # Karimi, Kabul, people~"Three people", airport for the blast); missed: "airport" (died).
    assert _counts(report, "argument identification") == (9, 0, 1)
    assert _counts(report, "argument role (end to end)") == (9, 0, 1)
    assert _row(report, "argument role (end to end)")[:3] == ["1.000", "0.900", "0.947"]
    assert report.rstrip().splitlines()[-1].startswith("matching:")


def test_kg_eval_baseline_prints_both_baselines(gold_file: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold_file), "--format", "wikievents", "--baseline"])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "kg" in line and "naive" in line)
    assert "spacy NER" in header
    ne = _row(result.output, "NE mentions (overlap+type)")
    assert len(ne) == 3 * 3 + 1  # P R F1 for kg, spacy NER and naive, then kg's counts
    triggers = _row(result.output, "trigger classification")
    assert triggers[3:6] == ["0.000", "0.000", "0.000"]  # bare NER predicts no events
    assert float(triggers[8]) > 0  # the naive baseline finds some ("attacked", "arrested", "died", ...)


def test_kg_eval_limit_and_bad_format(gold_file: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold_file), "--format", "wikievents", "--limit", "1"])
    assert result.exit_code == 0 and "(1 documents" in result.output
    assert _counts(result.output, "trigger identification") == (2, 0, 0)
    bad = CliRunner().invoke(app, ["eval", "--gold", str(gold_file), "--format", "nope"])
    assert bad.exit_code == 2
