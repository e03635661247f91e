"""The YAML mapping: validation errors name file, line, term and nearest term; mapping output is safe and stable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import MappingError
from kg.mapping import load_mapping, map_record, slug
from kg.records import Argument, DocRecord, Document, Entity, Event, Mention, Relation

DEFAULT = (Path(__file__).resolve().parent.parent / "mappings" / "default.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_mapping_is_valid() -> None:
    mapping = load_mapping()
    assert mapping.entities["person"].term.endswith("#Person")
    assert mapping.events["airstrike"].term.endswith("#Airstrike")
    # every rule has a unique name
    names = [r.name for section in (mapping.entities, mapping.events, mapping.roles, mapping.relations)
             for r in section.values()]
    assert len(names) == len(set(names))


def test_unknown_class_names_file_line_term_and_nearest(tmp_path: Path) -> None:
    text = DEFAULT.replace("class: kgo:Airstrike}", "class: kgo:AirStrke}")
    path = _write(tmp_path, text)
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    message = str(err.value)
    assert f"{path}:{_line_of(text, 'kgo:AirStrke')}:" in message
    assert "kgo:AirStrke" in message and "kgo:Airstrike" in message
    assert err.value.exit_code == 2
    assert "\n" not in message


def test_unknown_property_is_reported(tmp_path: Path) -> None:
    text = DEFAULT.replace("property: kgo:commands}", "property: kgo:comands}")
    path = _write(tmp_path, text)
    with pytest.raises(MappingError, match=r"unknown object property 'kgo:comands'.*kgo:commands"):
        load_mapping(path)


def test_class_used_as_property_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, DEFAULT.replace("property: kgo:agent}", "property: kgo:Person}"))
    with pytest.raises(MappingError, match="unknown object property 'kgo:Person'"):
        load_mapping(path)


def test_wrong_field_type(tmp_path: Path) -> None:
    text = re.sub(r"(?s)roles:\n.*?\n\n", "roles: agent\n\n", DEFAULT)
    path = _write(tmp_path, text)
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    assert "field 'roles' must be a list, not str" in str(err.value)
    assert f":{_line_of(text, 'roles: agent')}:" in str(err.value)


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    text = DEFAULT.replace("base: https://w3id.org/kg-news/id/", "base: [https://w3id.org/kg-news/id/")
    path = _write(tmp_path, text)
    with pytest.raises(MappingError, match=r"YAML syntax error") as err:
        load_mapping(path)
    assert re.search(rf"{re.escape(str(path))}:\d+:", str(err.value))


def test_unknown_template_placeholder(tmp_path: Path) -> None:
    path = _write(tmp_path, DEFAULT.replace('entity: "{type}/{name}"', 'entity: "{kind}/{name}"'))
    with pytest.raises(MappingError, match=r"unknown placeholder \{kind\}"):
        load_mapping(path)


def test_duplicate_rule_name(tmp_path: Path) -> None:
    path = _write(tmp_path, DEFAULT.replace("rule: entity-unit,", "rule: entity-person,"))
    with pytest.raises(MappingError, match="rule name 'entity-person' is used twice"):
        load_mapping(path)


def test_kg_check_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["check"])
    assert ok.exit_code == 0, ok.output
    assert "is valid" in ok.output
    text = DEFAULT.replace("class: kgo:Person}", "class: kgo:Persn}")
    bad = _write(tmp_path, text)
    result = runner.invoke(app, ["check", "--mapping", str(bad)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert f"{bad}:{_line_of(text, 'kgo:Persn')}" in lines[0] and "kgo:Person" in lines[0]


def _record() -> DocRecord:
    text = "Gen. <Jo> \"Doe\" of the Fake Force was killed in Ville ÉtoilE on Monday."
    doc = Document(id="doc one/a b", text=text, sha256="0" * 64, published="2024-03-14")
    entities = (
        Entity("E1", "person", '<Jo> "Doe"', "PERSON", (Mention(5, 15, '<Jo> "Doe"', 0),), 0.8),
        Entity("E2", "unit", "Fake Force", "ORG", (Mention(23, 33, "Fake Force", 0),), 0.7),
        Entity("E3", "place", "Ville ÉtoilE", "GPE", (Mention(48, 60, "Ville ÉtoilE", 0),), 0.8),
    )
    event = Event("V1", "killing", 38, 44, "killed", 0, 0.8, "verb:kill", "asserted", (
        Argument("target", 5, 15, '<Jo> "Doe"', 0.8, "passive-subject", entity="E1"),
        Argument("place", 48, 60, "Ville ÉtoilE", 0.75, "prep-in", entity="E3"),
        Argument("time", 64, 70, "Monday", 0.5, "date-sentence", value="2024-03-11"),
    ), killed=1)
    relation = Relation("memberOf", "E1", "E2", 5, 33, 0, 0.7, "apposition")
    return DocRecord(doc, ((0, len(text)),), entities, (event,), (relation,))


def test_map_record_mints_safe_deterministic_iris() -> None:
    mapping = load_mapping()
    first = map_record(_record(), mapping)
    second = map_record(_record(), mapping)
    assert first == second
    iris = [n.iri for n in first.nodes] + [e.iri for e in first.evidence]
    for iri in iris:
        assert re.fullmatch(r"https://w3id\.org/kg-news/id/[A-Za-z0-9\-._~/%]+", iri), iri
    assert first.doc_iri == "https://w3id.org/kg-news/id/doc/doc%20one%2Fa%20b"
    assert "https://w3id.org/kg-news/id/place/ville-etoile" in iris
    assert slug("Revolutionary Guards’") == slug("revolutionary guards")


def test_map_record_provenance_and_rules() -> None:
    mapped = map_record(_record(), load_mapping())
    kgo = "https://w3id.org/kg-news/ont#"
    edges = {(e.predicate.removeprefix(kgo)) for e in mapped.edges}
    assert edges == {"target", "place", "memberOf"}
    statement_rules = {ev.rule for ev in mapped.evidence if ev.statement}
    assert "role-target/passive-subject" in statement_rules
    assert "relation-member-of/apposition" in statement_rules
    assert all(ev.document == mapped.doc_iri for ev in mapped.evidence)
    event = next(n for n in mapped.nodes if n.classes == (kgo + "Killing",))
    props = dict(event.props)
    assert props[kgo + "date"].value == "2024-03-11"
    assert props[kgo + "killed"].value == 1
    assert props[kgo + "modality"].value == "asserted"
