"""Acceptance: the example article becomes the graph a reader of it would expect, and nothing comes from
its boilerplate. Checked with SPARQL over the written RDF (pyoxigraph) and with the SHACL shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.mapping import map_record
from kg.query import sparql, validate
from kg.sinks.rdf import write_rdf

ARTICLE = Path(__file__).resolve().parent.parent / "examples" / "articles" / "front-visit.md"


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory, example_records, mapping) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("example") / "example.trig"
    write_rdf([map_record(r, mapping) for r in example_records], out)
    return out


def ask(query: str, data: Path) -> list[list[object]]:
    return sparql(query, [data]).rows


def test_commander_is_a_person(graph_file: Path) -> None:
    rows = ask("SELECT ?p WHERE { ?p a kgo:Person ; kgo:name 'Farhad Rostami' }", graph_file)
    assert len(rows) == 1


def test_force_is_a_unit_linked_to_its_parents(graph_file: Path) -> None:
    rows = ask("""SELECT ?corps ?state WHERE {
        ?force a kgo:Unit ; kgo:name 'Saberin Force' ; kgo:subOrganizationOf ?c .
        ?c kgo:name ?corps ; kgo:subOrganizationOf ?s . ?s a kgo:State ; kgo:name ?state }""", graph_file)
    assert rows == [["Islamic Revolutionary Guard Corps", "Iran"]]
    commands = ask("""ASK { ?p kgo:name 'Farhad Rostami' ; kgo:commands ?f . ?f kgo:name 'Saberin Force' }""",
                   graph_file)
    assert commands == [[True]]


def test_visit_has_the_commander_as_agent_and_a_place(graph_file: Path) -> None:
    rows = ask("""SELECT ?place WHERE {
        ?v a kgo:Visit ; kgo:agent ?p ; kgo:place ?pl ; kgo:modality 'asserted' .
        ?p kgo:name 'Farhad Rostami' . ?pl kgo:name ?place }""", graph_file)
    assert ["Aleppo"] in rows


def test_airstrike_and_deployment_have_agents(graph_file: Path) -> None:
    rows = ask("""SELECT DISTINCT ?cls ?agent WHERE {
        VALUES ?cls { kgo:Airstrike kgo:Deployment }
        ?e a ?cls ; kgo:agent ?a . ?a kgo:name ?agent }""", graph_file)
    found = {(str(cls).rsplit("#", 1)[1], agent) for cls, agent in rows}
    assert ("Airstrike", "Russia") in found
    assert ("Deployment", "Iran") in found


def test_offensive_killing_funeral_and_denial(graph_file: Path) -> None:
    classes = {str(r[0]).rsplit("#", 1)[1] for r in ask(
        "SELECT DISTINCT ?cls WHERE { ?e a ?cls ; kgo:mentionedIn ?d . ?d kgo:docId 'front-visit' }", graph_file)}
    assert {"Visit", "Deployment", "Airstrike", "Offensive", "Killing", "Funeral"} <= classes
    killed = ask("SELECT ?n WHERE { ?e a kgo:Killing ; kgo:killed ?n }", graph_file)
    assert [2] in killed
    denied = ask("SELECT ?t WHERE { ?e a kgo:Attack ; kgo:modality 'denied' ; kgo:trigger ?t }", graph_file)
    assert denied == [["attacked"]]


def test_every_event_and_entity_has_provenance(graph_file: Path) -> None:
    orphans = ask("""SELECT ?x WHERE {
        { ?x a/rdfs:subClassOf* kgo:Event } UNION { ?x a/rdfs:subClassOf* kgo:Actor } UNION { ?x a kgo:Place }
        FILTER NOT EXISTS { ?x kgo:mentionedIn ?d . ?d a kgo:Document }
        FILTER NOT EXISTS { ?x kgo:evidence/kgo:document ?d2 } }""", graph_file)
    assert orphans == []
    # "visited" is a mention of the visit the headline announces ("tours"): one of that event's evidence nodes
    sentence = ask("""SELECT ?s ?start ?end WHERE { ?v a kgo:Visit ; kgo:trigger 'tours' ;
        kgo:evidence [ kgo:quote 'visited' ; kgo:sentenceText ?s ; kgo:charStart ?start ; kgo:charEnd ?end ;
                       kgo:rule ?r ] }""", graph_file)
    text = ARTICLE.read_text(encoding="utf-8").split("---\n", 2)[2]
    (s, start, end), = sentence
    assert text[start:end] == "visited" and "Farhad Rostami" in s


def test_nothing_comes_from_the_boilerplate(graph_file: Path) -> None:
    text = ARTICLE.read_text(encoding="utf-8").split("---\n", 2)[2]
    boilerplate_start = text.index("Sign up for the Morning Dispatch")
    rows = ask("""SELECT ?start ?q WHERE { ?ev kgo:document ?d ; kgo:charStart ?start ; kgo:quote ?q .
        ?d kgo:docId 'front-visit' }""", graph_file)
    assert rows, "no evidence at all"
    late = [(start, quote) for start, quote in rows if start >= boilerplate_start]
    assert late == []
    names = {r[0] for r in ask("SELECT ?n WHERE { ?x kgo:name ?n }", graph_file)}
    assert not names & {"Jane Porter", "Morning Dispatch", "Dispatch Community"}


def test_output_conforms_to_the_shapes(graph_file: Path) -> None:
    assert validate([graph_file]) == []


def test_seed_article_boilerplate_yields_nothing(extractor) -> None:  # type: ignore[no-untyped-def]
    """The scraped seed article (../shared/seed) keeps its sign-up line, editor's appeal and sign-off."""
    from conftest import SEED

    from kg.sources import iter_documents

    (document,) = list(iter_documents([str(SEED)], strict=True))
    record = extractor.extract(document)
    text = document.text
    appeal = text.index("I’ll tell you the truth")
    signup = text.index("Get The Times of Israel")
    signup_end = text.index("\n", signup)
    spans = [(m.start, m.end) for e in record.entities for m in e.mentions]
    spans += [(v.trigger_start, v.trigger_end) for v in record.events]
    spans += [(a.start, a.end) for v in record.events for a in v.arguments]
    spans += [(r.start, r.end) for r in record.relations]
    assert spans
    assert [s for s in spans if s[0] >= appeal] == []
    assert [s for s in spans if signup <= s[0] < signup_end] == []
    assert "Sarah Tuttle Singer" not in {e.name for e in record.entities}
    assert {"Qassem Soleimani", "Quds Force", "Hezbollah"} <= {e.name for e in record.entities}


@pytest.fixture(scope="module")
def seed_record(extractor):  # type: ignore[no-untyped-def]
    from conftest import SEED

    from kg.sources import iter_documents

    (document,) = list(iter_documents([str(SEED)], strict=True))
    return extractor.extract(document)


def test_seed_article_each_happening_once(seed_record) -> None:  # type: ignore[no-untyped-def]
    """One visit to the Golan (title, subtitle, lede and "his visit"), one Russian air campaign, one funeral."""
    names = {e.id: e.name for e in seed_record.entities}

    def places(event):  # type: ignore[no-untyped-def]
        return {names.get(a.entity or "") for a in event.arguments if a.role == "place"}

    visits = [e for e in seed_record.events if e.type == "visit" and e.modality == "asserted"]
    golan = [e for e in visits if "Golan Heights" in places(e)]
    assert len(golan) == 1 and len(golan[0].all_mentions()) >= 4
    assert {m.sentence for m in golan[0].all_mentions()} >= {0, 1, 2}  # title, subtitle, first sentence
    assert len(visits) == 2  # and the visit to the graves in Lebanon
    russian = [e for e in seed_record.events if e.type == "airstrike"
               and "Russia" in {names.get(a.entity or "") for a in e.arguments if a.role == "agent"}]
    assert len(russian) == 1 and len(russian[0].all_mentions()) >= 3
    assert len([e for e in seed_record.events if e.type == "funeral"]) == 1
    mentions = sum(len(e.all_mentions()) for e in seed_record.events)
    assert len(seed_record.events) <= mentions - 10  # 54 mentions make 42 events when this was written


def test_seed_article_sentences_and_evidence_free_of_boilerplate(seed_record, mapping) -> None:  # type: ignore[no-untyped-def]
    text = seed_record.document.text
    title, subtitle = text.split("\n")[:2]
    assert [text[s:e] for s, e in seed_record.sentences[:2]] == [title, subtitle]
    mapped = map_record(seed_record, mapping)
    quoted = [ev.sentence_text for ev in mapped.evidence if ev.sentence_text is not None]
    assert quoted
    for sentence in quoted:
        assert "Get The Times of Israel" not in sentence and "Sign Up" not in sentence
        assert "\n" not in sentence
    event_evidence = [ev for ev in mapped.evidence if ev.statement is None and "/event/" in ev.about]
    assert len(event_evidence) == sum(len(e.all_mentions()) for e in seed_record.events)
