"""Event classes are data: a class added in the ontology, the trigger lexicon and the mapping (no Python) is
extracted, mapped, written to RDF and loaded into Neo4j with its own label."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.resources import data_path

runner = CliRunner()

ARTICLE = """---
id: city-hack
published: 2024-05-02
---
Hackers breached the city computers in Kharkiv on Tuesday, officials said.
"""
NEW_CLASS = """
kgo:Cyberattack a owl:Class ; rdfs:subClassOf kgo:Conflict ; rdfs:label "Cyberattack" ;
    kgo:cameo "1711" .
"""
NEW_EVENT = """
  cyberattack:
    traits: [violent]
    verbs: [hack, breach]
    nouns: [cyberattack, cyber attack, hack]
    confidence: 0.75
"""


def _project_files(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    ontology = tmp_path / "kg.ttl"
    ontology.write_text((data_path("ontology") / "kg.ttl").read_text(encoding="utf-8") + NEW_CLASS, encoding="utf-8")
    triggers = tmp_path / "triggers.yaml"
    triggers.write_text((data_path("mappings") / "triggers.yaml").read_text(encoding="utf-8") + NEW_EVENT,
                        encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    default = (data_path("mappings") / "default.yaml").read_text(encoding="utf-8")
    anchor = "  - {rule: event-damage, type: damage, class: kgo:Damage}\n"
    assert anchor in default
    mapping.write_text(default.replace(anchor, anchor + "  - {rule: event-cyberattack, type: cyberattack, class: kgo:Cyberattack}\n"),
                       encoding="utf-8")
    config = tmp_path / "kg.yaml"
    config.write_text(f"mapping: {mapping}\nontology: {ontology}\nextract:\n  triggers: {triggers}\n", encoding="utf-8")
    article = tmp_path / "articles" / "city-hack.md"
    article.parent.mkdir()
    article.write_text(ARTICLE, encoding="utf-8")
    return config, article, ontology, mapping


def test_event_class_added_in_yaml_is_extracted_mapped_and_written(tmp_path: Path) -> None:
    config, article, _, _ = _project_files(tmp_path)
    checked = runner.invoke(app, ["check", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "out.nq"
    done = runner.invoke(app, ["ingest", str(article), "--to", str(out), "--config", str(config)])
    assert done.exit_code == 0, done.output
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query("""
        PREFIX kgo: <https://w3id.org/kg-news/ont#>
        SELECT ?trigger ?place ?rule WHERE {
          ?e a kgo:Cyberattack ; kgo:trigger ?trigger ; kgo:place/kgo:name ?place ; kgo:evidence/kgo:rule ?rule .
        }""", use_default_graph_as_union=True))
    assert [(r["trigger"].value, r["place"].value) for r in rows] == [("breached", "Kharkiv")]
    assert rows[0]["rule"].value.startswith("event-cyberattack/")  # the new mapping rule made it


@pytest.mark.neo4j
def test_event_class_added_in_yaml_is_loaded_into_neo4j_with_its_label(tmp_path: Path, clean_neo4j) -> None:  # type: ignore[no-untyped-def]
    config, article, _, _ = _project_files(tmp_path)
    done = runner.invoke(app, ["ingest", str(article), "--to", clean_neo4j.uri, "--config", str(config)])
    assert done.exit_code == 0, done.output
    with neo4j.GraphDatabase.driver(clean_neo4j.uri, auth=None) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (e:Cyberattack)-[:place]->(p) RETURN labels(e) AS labels, e.trigger AS trigger, p.name AS place")
    assert len(records) == 1
    assert {"Cyberattack", "Conflict", "Event", "Resource"} <= set(records[0]["labels"])
    assert records[0]["trigger"] == "breached" and records[0]["place"] == "Kharkiv"
