"""MUC-4 scoring (kg.eval.muc4) on a small MUC-style file written here, checked against hand counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ConfigError, InputError
from kg.eval.classes import default_classes
from kg.eval.muc4 import MucDoc, MucEntity, load_muc4, load_muc4_alignment, score_muc4
from kg.eval.run import extract_gold
from kg.eval.scoring import PRF
from kg.records import Argument, DocRecord, Document, Entity, Event, Mention
from kg.resources import data_path
from kg.settings import Settings

# Four short lower-case documents in the MUC-4 style: two report an incident, two do not.
# Fillers are (role, [mentions]); a mention is its text, found in the document, or (text, offset) as given.
DOCS: list[dict[str, Any]] = [
    {
        "docid": "DEV-A1",
        "doctext": "gunmen shot and killed judge carlos valencia outside the courthouse in bogota. "
                   "the bomb destroyed two trucks.",
        "fillers": [
            ("PerpInd", ["gunmen", ("rebels", 3)]),  # "rebels" is not in the text: dropped, counted missing
            ("Victim", ["carlos valencia"]),
            ("Target", ["the courthouse"]),  # the place of a shooting, and a building: a Target (alignment.yaml)
            ("Target", [("two trucks", 5)]),  # wrong offset: moved to the only "two trucks", counted repaired
            ("Weapon", ["the bomb"]),
        ],
    },
    {
        "docid": "DEV-A2",
        "doctext": "the taliban killed two policemen and attacked a police station with rockets. "
                   "a driver was wounded.",
        "fillers": [  # the annotator left out the driver: predicting him is a false positive
            ("PerpOrg", ["the taliban"]),
            ("Victim", ["two policemen"]),
            ("Target", ["a police station"]),
            ("Weapon", ["rockets"]),
        ],
    },
    {
        "docid": "DEV-N1",
        "doctext": "president cristiani met union leaders in san salvador on monday. "
                   "the army said it might attack rebel camps.",
        "fillers": [],
    },
    {
        "docid": "DEV-N2",
        "doctext": "two soldiers died in a traffic accident on the highway near la paz.",
        "fillers": [],
    },
]


def _line(spec: dict[str, Any]) -> dict[str, Any]:
    text = spec["doctext"]
    extracts: dict[str, list[Any]] = {role: [] for role in ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")}
    for role, mentions in spec["fillers"]:
        extracts[role].append([[m, text.index(m)] if isinstance(m, str) else list(m) for m in mentions])
    return {"docid": spec["docid"], "doctext": text, "extracts": extracts}


@pytest.fixture(scope="module")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("muc4") / "dev.json"
    path.write_text("".join(json.dumps(_line(d)) + "\n" for d in DOCS), encoding="utf-8")
    return path


def _row(report: str, label: str) -> list[str]:
    line = next(line for line in report.splitlines() if line.startswith(label))
    return line[len(label):].split()


def _counts(report: str, label: str) -> tuple[int, int, int]:
    tp, fp, fn = _row(report, label)[-1].split("/")
    return int(tp), int(fp), int(fn)


def _prf(results: dict[str, PRF | float], key: str) -> tuple[int, int, int]:
    prf = results[key]
    assert isinstance(prf, PRF)
    return prf.tp, prf.fp, prf.fn


# ------------------------------------------------------------------ gold file


def test_loader_offsets_and_incidents(gold_file: Path) -> None:
    docs = load_muc4(gold_file)
    assert [(d.id, d.incident) for d in docs] == [("DEV-A1", True), ("DEV-A2", True), ("DEV-N1", False),
                                                  ("DEV-N2", False)]
    a1 = docs[0]
    assert (a1.repaired, a1.missing) == (1, 1)
    assert [(e.role, [a1.text[start:end] for start, end in e.mentions]) for e in a1.entities] == [
        ("PerpInd", ["gunmen"]), ("Target", ["the courthouse"]), ("Target", ["two trucks"]),
        ("Victim", ["carlos valencia"]), ("Weapon", ["the bomb"]),
    ]  # in the order of `extracts`
    assert sum(d.repaired + d.missing for d in docs[1:]) == 0


def test_bad_gold_files_name_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(_line(DOCS[2]))
    cases = {
        "{not json": r"bad\.json:2: not JSON",
        json.dumps({"docid": "X", "doctext": "a b", "extracts": {"Killer": []}}): r"bad\.json:2: unknown MUC-4 role",
        json.dumps({"docid": "X", "doctext": "a b", "extracts": {"Victim": [[["a", "0"]]]}}): r"bad\.json:2: .*\[mention, offset\]",
        json.dumps({"docid": "X", "extracts": {}}): r"bad\.json:2: field 'doctext'",
    }  # fmt: skip
    for line, message in cases.items():
        path = tmp_path / "bad.json"
        path.write_text(good + "\n" + line + "\n", encoding="utf-8")
        with pytest.raises(InputError, match=message):
            load_muc4(path)


def test_alignment_section_and_its_errors(tmp_path: Path) -> None:
    classes = default_classes()
    alignment = load_muc4_alignment(classes)
    assert {"attack", "bombing", "offensive", "killing", "kidnapping", "damage"} <= alignment.incident
    assert not {"meeting", "arrest", "protest", "statement"} & alignment.incident
    assert "conflict" not in alignment.incident  # "the war", "the insurgency": a state of conflict, not an act
    assert [r.muc for r in alignment.fillers][:2] == ["PerpOrg", "PerpInd"]
    text = (data_path("mappings") / "alignment.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "alignment.yaml"
    bad.write_text(text.replace("incident: [attack,", "incident: [atack,"), encoding="utf-8")
    line = next(n for n, t in enumerate(bad.read_text().splitlines(), 1) if "atack" in t)
    with pytest.raises(ConfigError, match=rf"alignment\.yaml:{line}: muc4: unknown name 'atack'"):
        load_muc4_alignment(classes, bad)
    bad.write_text(text.replace("{muc: Weapon, role: instrument}", "{muc: Weapon, role: weapon}"), encoding="utf-8")
    line = next(n for n, t in enumerate(bad.read_text().splitlines(), 1) if "role: weapon" in t)
    with pytest.raises(ConfigError, match=rf"alignment\.yaml:{line}: muc4: `role` must be one of"):
        load_muc4_alignment(classes, bad)


# ------------------------------------------------------------------ rules, on records written here


def _find(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _entities(text: str, fillers: list[tuple[str, list[str]]]) -> tuple[MucEntity, ...]:
    return tuple(MucEntity(role, tuple(_find(text, m) for m in mentions), mentions[0]) for role, mentions in fillers)


def test_score_rules_by_hand() -> None:
    text = "the fmln attacked the bank. fmln rebels burned a car. police will raid the fmln camp."
    fmln = Entity("E1", "armed_group", "FMLN", "ORG", (Mention(*_find(text, "fmln"), "fmln", 0),
                                                       Mention(*_find(text, "fmln rebels"), "fmln rebels", 1)), 1.0)

    def arg(role: str, part: str, entity: str | None = None) -> Argument:
        return Argument(role, *_find(text, part), part, 1.0, "test", entity=entity)

    def event(trigger: str, etype: str, *args: Argument, modality: str = "asserted") -> Event:
        return Event("V", etype, *_find(text, trigger), trigger, 0, 1.0, "test", modality=modality, arguments=args)

    record = DocRecord(Document("m", text, "0" * 64), ((0, len(text)),), (fmln,), (
        event("attacked", "attack", arg("agent", "the fmln", "E1"), arg("target", "the bank")),
        event("burned", "damage", arg("agent", "fmln rebels", "E1"), arg("target", "a car")),
        event("raid", "attack", arg("target", "the fmln camp"), modality="planned"),
    ))  # fmt: skip
    alignment = load_muc4_alignment(default_classes())
    results = score_muc4([MucDoc("m", text, ())], {"m": record}, alignment)  # the gold reports no incident
    assert _prf(results, "muc4_incident") == (0, 1, 0) and results["muc4_incident_fpr"] == 1.0
    # the two agents are one entity (E1, an armed group): one PerpOrg filler; the planned raid reports nothing
    assert _prf(results, "muc4_role:PerpOrg") == (0, 1, 0)
    assert _prf(results, "muc4_role:PerpInd") == (0, 0, 0)
    assert _prf(results, "muc4_role:Target") == (0, 2, 0)  # the bank, a car
    assert _prf(results, "muc4_roles") == (0, 3, 0)

    gold = MucDoc("m", text, _entities(text, [("PerpOrg", ["fmln rebels", "the fmln"]), ("Target", ["the bank"]),
                                              ("Target", ["a car"]), ("Target", ["the fmln camp"])]))
    results = score_muc4([gold], {"m": record}, alignment)
    assert _prf(results, "muc4_incident") == (1, 0, 0) and results["muc4_incident_fpr"] == 0.0
    assert _prf(results, "muc4_role:PerpOrg") == (1, 0, 0)
    assert _prf(results, "muc4_role:Target") == (2, 0, 1)  # the camp belongs to a planned event only
    results = score_muc4([gold], {}, alignment)  # no record: nothing predicted
    assert _prf(results, "muc4_incident") == (0, 0, 1) and _prf(results, "muc4_roles") == (0, 0, 4)


def test_fillers_by_entity_credit_a_resolved_pronoun() -> None:
    text = "the shining path claimed the attack. it killed mayor pedro ruiz in the square."
    group = Entity("E1", "armed_group", "Shining Path", "ORG", (Mention(*_find(text, "shining path"), "shining path", 0),
                                                                 Mention(*_find(text, "it"), "it", 1, "pronoun")), 1.0)
    mayor = Entity("E2", "person", "Pedro Ruiz", "PERSON", (Mention(*_find(text, "mayor pedro ruiz"),
                                                                    "mayor pedro ruiz", 1),), 1.0)
    killing = Event("V1", "killing", *_find(text, "killed"), "killed", 1, 1.0, "test", arguments=(
        Argument("agent", *_find(text, "it"), "it", 1.0, "test", entity="E1"),
        Argument("target", *_find(text, "mayor pedro ruiz"), "mayor pedro ruiz", 1.0, "test", entity="E2")))
    record = DocRecord(Document("m", text, "0" * 64), ((0, 36), (37, len(text))), (group, mayor), (killing,))
    gold = MucDoc("m", text, _entities(text, [("PerpOrg", ["the shining path"]), ("Victim", ["pedro ruiz"])]))
    results = score_muc4([gold], {"m": record}, load_muc4_alignment(default_classes()))
    # by span, the agent "it" overlaps no gold mention: a missed PerpOrg and a false positive
    assert _prf(results, "muc4_role:PerpOrg") == (0, 1, 1)
    assert _prf(results, "muc4_roles") == (1, 1, 1)
    # by entity, "it" is the Shining Path, whose other mention is the gold's
    assert _prf(results, "muc4_roles_entity") == (2, 0, 0)


# ------------------------------------------------------------------ end to end, real spaCy


def test_extractor_output_the_hand_counts_assume(gold_file: Path) -> None:
    records, _ = extract_gold(load_muc4(gold_file), Settings())

    def summary(doc_id: str) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
        record = records[doc_id]
        roles = {"agent", "target", "instrument"}
        return [(e.trigger, e.type, e.modality, [(a.role, a.text) for a in e.arguments if a.role in roles])
                for e in record.events]

    assert summary("DEV-A1") == [
        ("shot", "shooting", "asserted", [("agent", "gunmen")]),
        ("killed", "killing", "asserted", [("agent", "gunmen"), ("target", "carlos valencia")]),
        ("destroyed", "damage", "asserted", [("instrument", "the bomb"), ("target", "two trucks")]),
    ]
    assert summary("DEV-A2") == [
        ("killed", "killing", "asserted", [("agent", "taliban"), ("target", "two policemen")]),
        ("attacked", "shelling", "asserted", [("agent", "taliban"), ("target", "a police station"),
                                              ("instrument", "rockets")]),  # rockets make an attack a shelling
        ("wounded", "injury", "asserted", [("target", "a driver")]),
    ]
    assert summary("DEV-N1") == [
        ("met", "meeting", "asserted", [("agent", "cristiani"), ("agent", "union leaders")]),
        ("attack", "attack", "hypothetical", [("agent", "it"), ("target", "rebel camps")]),  # it: the army
    ]
    assert summary("DEV-N2") == [("died", "killing", "asserted", [("target", "two soldiers")]),
                                 ("accident", "accident", "asserted", [])]  # an accident is no incident class
    # named entities, then the nominal ones the arguments use
    assert [(e.type, [m.text for m in e.mentions]) for e in records["DEV-A2"].entities] == [
        ("armed_group", ["taliban"]), ("person", ["two policemen"]), ("facility", ["a police station"]),
        ("weapon", ["rockets"]), ("person", ["a driver"])]
    assert {e.type for e in records["DEV-A1"].entities if not e.nominal} == {"person", "place"}  # valencia, bogota


def test_kg_eval_muc4_prints_the_hand_counts(gold_file: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold_file), "--format", "muc4"])
    assert result.exit_code == 0, result.output
    report = result.output
    assert "(4 documents, 2 with an incident;" in report.splitlines()[0]
    # A1, A2 report an incident and are predicted to; N2's traffic death is an asserted killing: a false
    # positive; N1 has a meeting and a hypothetical attack only.
    assert _counts(report, "incident detection (per doc)") == (2, 1, 0)
    assert _row(report, "incident detection (per doc)")[:3] == ["0.667", "1.000", "0.800"]
    assert _row(report, "  FP rate, docs w/o incident") == ["0.500"]
    # A1: gunmen (agent of shot and killed: one filler, no entity: PerpInd); A2: taliban (an organization
    # entity: PerpOrg, agent of two events: one filler)
    assert _counts(report, "  role PerpInd") == (1, 0, 0)
    assert _counts(report, "  role PerpOrg") == (1, 0, 0)
    # targets of the killing, the injury: Victim. carlos valencia, two policemen found; a driver (A2) and
    # two soldiers (N2) are not gold victims
    assert _counts(report, "  role Victim") == (2, 2, 0)
    # two trucks (damage), a police station (attack) found; so is the courthouse: the place of the shooting is
    # a building, and the alignment makes a building where an attack happened its target
    assert _counts(report, "  role Target") == (3, 0, 0)
    assert _counts(report, "  role Weapon") == (2, 0, 0)  # the bomb, rockets
    assert _counts(report, "role fillers (all roles)") == (9, 2, 0)
    assert _row(report, "role fillers (all roles)")[:3] == ["0.818", "1.000", "0.900"]
    assert _counts(report, "role fillers, by entity") == (9, 2, 0)  # no filler here is known by another mention
    assert _row(report, "gold offsets repaired") == ["1"]
    assert _row(report, "gold mentions not in the text") == ["1"]
    assert report.rstrip().splitlines()[-1].startswith("incident:")


def test_kg_eval_muc4_baseline_columns(gold_file: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold_file), "--format", "muc4", "--baseline"])
    assert result.exit_code == 0, result.output
    row = _row(result.output, "incident detection (per doc)")
    assert len(row) == 3 * 3 + 1 and row[3:6] == ["0.000", "0.000", "0.000"]  # bare NER predicts no events

