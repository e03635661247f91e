"""One happening, several documents: events of different articles that report one strike share a happening key
(kgo:HappeningKey: coarse class, place, participant, a window of days), so queries count distinct happenings and
their sources, and retracting one article keeps the other's facts. Checked on articles written for this test, in
RDF (N-Quads, read by pyoxigraph and rdflib) and on the embedded Neo4j."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import rdflib
from typer.testing import CliRunner

from kg.cli import app
from kg.mapping import load_mapping, map_record
from kg.query import sparql
from kg.records import Argument, DocRecord, Document, Entity, Event, Mention

QUERIES = Path(__file__).resolve().parent.parent / "examples" / "queries"
KGO = "https://w3id.org/kg-news/ont#"
runner = CliRunner()

# Two reports of one strike (dated a day apart: Saturday by one, Sunday by the other), and a later strike.
ARTICLES = {
    "depot-wire.md": """---
id: depot-wire
title: Israeli jets strike fuel depot in Hodeidah
published: 2024-07-21
---
Israeli jets strike fuel depot in Hodeidah
Israeli warplanes struck a fuel depot in Hodeidah on Saturday, killing three workers, Houthi officials said.
The strike set two storage tanks on fire.
""",
    "depot-local.md": """---
id: depot-local
title: Fires burn at Hodeidah depot after Israeli raid
published: 2024-07-22
---
Fires burn at Hodeidah depot after Israeli raid
Israel carried out an air strike in Hodeidah on Sunday, residents said.
""",
    "depot-later.md": """---
id: depot-later
title: Israel bombs Hodeidah again
published: 2024-07-25
---
Israel bombs Hodeidah again
Israeli aircraft bombed a fuel depot in Hodeidah on Wednesday, officials said.
""",
}
# (date, trigger of the happening's first event, documents, events): the strike of 20/21 July told twice, the
# killing of its workers (another class: its own happening) told once
BOTH = [("2024-07-20", "killing", 1, 1), ("2024-07-21", "raid", 2, 2), ("2024-07-24", "bombs", 1, 1)]
AFTER_RETRACTION = [("2024-07-21", "raid", 1, 1), ("2024-07-24", "bombs", 1, 1)]


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def happenings_rdf(data: Path) -> list[tuple[Any, ...]]:
    query = (QUERIES / "happenings_and_sources.rq").read_text(encoding="utf-8")
    return [tuple(row) for row in sparql(query, [data]).rows]


# ------------------------------------------------------------------ the key windows


def _record(doc_id: str, day: str, place: str = "Hodeidah", agent: str = "Israel") -> DocRecord:
    text = f"{agent} struck {place}."
    entities = (
        Entity("E1", "state", agent, "GPE", (Mention(0, len(agent), agent, 0),), 0.9),
        Entity("E2", "place", place, "GPE", (Mention(len(agent) + 8, len(text) - 1, place, 0),), 0.9),
    )
    arguments = (
        Argument("agent", 0, len(agent), agent, 0.8, "subject", entity="E1"),
        Argument("place", len(agent) + 8, len(text) - 1, place, 0.8, "prep-in", entity="E2"),
        Argument("time", 0, 0, "", 0.7, "date-attached", value=day),
    )
    event = Event("V1", "airstrike", len(agent) + 1, len(agent) + 7, "struck", 0, 0.8, "verb:strike",
                  arguments=arguments)
    document = Document(doc_id, text, "0" * 64, published=day)
    return DocRecord(document, ((0, len(text)),), entities, (event,))


def _keys(record: DocRecord) -> set[str]:
    mapped = map_record(record, load_mapping())
    return {e.object for e in mapped.edges if e.predicate == KGO + "happeningKey"}


@pytest.mark.parametrize("first", ["2024-07-20", "2023-12-31", "2024-02-28", "2024-02-29"])
def test_events_share_a_key_exactly_when_their_dates_are_at_most_a_day_apart(first: str) -> None:
    """Whatever the day (month and year ends, leap days), not a bucket boundary: d and d+1 share, d and d+2 not."""
    day = datetime.date.fromisoformat(first)
    keys = [_keys(_record(f"doc{n}", (day + datetime.timedelta(days=n)).isoformat())) for n in range(3)]
    assert all(len(k) == 2 for k in keys)  # windows [d-1, d] and [d, d+1]
    assert len(keys[0] & keys[1]) == 1 and len(keys[1] & keys[2]) == 1
    assert keys[0] & keys[2] == set()
    assert _keys(_record("same-day", first)) == keys[0]  # minted from the values alone: the same in any document


def test_no_key_without_a_shared_place_and_participant_or_for_what_did_not_happen() -> None:
    base = _keys(_record("a", "2024-07-20"))
    assert _keys(_record("b", "2024-07-20", place="Sanaa")).isdisjoint(base)
    assert _keys(_record("c", "2024-07-20", agent="Iran")).isdisjoint(base)
    record = _record("d", "2024-07-20")
    (event,) = record.events
    assert _keys(replace(record, events=(replace(event, arguments=event.arguments[:2]),))) == set()  # no date
    for modality in ("planned", "generic", "denied"):
        assert _keys(replace(record, events=(replace(event, modality=modality),))) == set()


# ------------------------------------------------------------------ RDF


def test_rdf_counts_happenings_and_sources_and_retraction_keeps_the_other_report(tmp_path: Path, articles: Path) -> None:
    out = tmp_path / "graph.nq"
    result = runner.invoke(app, ["ingest", str(articles), "--to", str(out)])
    assert result.exit_code == 0, result.output
    assert happenings_rdf(out) == BOTH
    # the shared key is asserted in both documents' graphs, so each document supports it on its own
    dataset = rdflib.Dataset()
    dataset.parse(out, format="nquads")
    shared = {str(o) for _, p, o, _ in dataset.quads((None, rdflib.URIRef(KGO + "happeningKey"), None, None))}
    graphs_of = {key: {str(g.identifier) for g in dataset.graphs() if (rdflib.URIRef(key), None, None) in g}
                 for key in shared}
    assert any(len(graphs) == 2 for graphs in graphs_of.values())
    # keys name only entities other documents can name: no nominal one ("a fuel depot"), local to its document
    assert shared and not any("depot-wire-" in key or "depot-local-" in key for key in shared)

    gone = runner.invoke(app, ["retract", "depot-wire", "--from", str(out)])
    assert gone.exit_code == 0, gone.output
    assert happenings_rdf(out) == AFTER_RETRACTION
    remaining = sparql("SELECT ?d WHERE { ?e a kgo:Airstrike ; kgo:mentionedIn/kgo:docId ?d }", [out]).rows
    assert remaining == [["depot-local"]]
    assert "depot-wire" not in out.read_text(encoding="utf-8")


# ------------------------------------------------------------------ Neo4j


def cypher_rows(uri: str, query: str) -> list[tuple[Any, ...]]:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        records, _, _ = driver.execute_query(query)
        return [tuple(r.values()) for r in records]


@pytest.mark.neo4j
def test_neo4j_counts_the_same_and_retraction_keeps_the_other_report(clean_neo4j, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                      articles: Path) -> None:
    uri = clean_neo4j.uri
    assert runner.invoke(app, ["ingest", str(articles), "--to", uri]).exit_code == 0
    query = (QUERIES / "happenings_and_sources.cypher").read_text(encoding="utf-8")
    assert cypher_rows(uri, query) == BOTH
    rdf = tmp_path / "graph.nq"
    assert runner.invoke(app, ["ingest", str(articles), "--to", str(rdf)]).exit_code == 0
    assert cypher_rows(uri, query) == happenings_rdf(rdf)  # the query pair agrees

    gone = runner.invoke(app, ["retract", "depot-wire", "--from", uri])
    assert gone.exit_code == 0, gone.output
    assert cypher_rows(uri, query) == AFTER_RETRACTION
    strikes = cypher_rows(uri, "MATCH (e:Airstrike)-[:mentionedIn]->(d:Document) RETURN d.docId")
    assert strikes == [("depot-local",)]
    keys = cypher_rows(uri, """MATCH (k:HappeningKey) OPTIONAL MATCH (k)-[:mentionedIn]->(d:Document)
                               RETURN k.uri, collect(d.docId)""")
    assert keys and all(docs and "depot-wire" not in docs for _, docs in keys)
