"""Taxonomy coverage: every ACLED event and sub-event type and every PLOVER type is reachable (an ontology
class with its annotation, a mapping rule, triggers), the alignment sends each to that class, and each ACLED
type is produced from a sentence written for this test."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS

from kg.eval.classes import default_classes
from kg.eval.goldsets import align_type, load_alignment
from kg.extract import Extractor
from kg.extract.lexicon import load_lexicon
from kg.mapping import load_mapping
from kg.records import DocRecord, Document
from kg.resources import data_path

KGO = Namespace("https://w3id.org/kg-news/ont#")

# ACLED codebook (2023): event type -> sub-event types.
ACLED = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"],
}
PLOVER = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
          "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]
# The KAIROS event families WikiEvents uses that fit news about conflict and politics.
KAIROS = ["ArtifactExistence.DamageDestroyDisableDismantle.Damage", "ArtifactExistence.ManufactureAssemble.Unspecified",
          "Conflict.Attack.DetonateExplode", "Conflict.Demonstrate.Unspecified", "Contact.Contact.Meet",
          "Control.ImpedeInterfereWith.Unspecified", "Disaster.Crash.Unspecified", "Disaster.DiseaseOutbreak.Unspecified",
          "GenericCrime.GenericCrime.GenericCrime", "Justice.ArrestJailDetain.Unspecified",
          "Justice.InvestigateCrime.Unspecified", "Life.Die.Unspecified", "Life.Injure.Unspecified",
          "Medical.Intervention.Unspecified", "Movement.Transportation.Unspecified", "Personnel.EndPosition.Unspecified",
          "Personnel.StartPosition.Unspecified", "Transaction.Donation.Unspecified",
          "Transaction.ExchangeBuySell.Unspecified", "Cognitive.Inspection.SensoryObserve"]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(data_path("ontology") / "kg.ttl", format="turtle")
    return graph


def _key_to_class() -> dict[str, str]:
    return {key: rule.term for key, rule in load_mapping().events.items()}


def _annotated(graph: Graph, prop: URIRef, value: str) -> list[URIRef]:
    return [s for s in graph.subjects(prop, Literal(value)) if isinstance(s, URIRef)]


def _has_trigger(key: str) -> bool:
    """The event type has words of its own, or is the refinement another type's words can reach."""
    lexicon = load_lexicon()
    entries = [*lexicon.verbs.values(), *lexicon.nouns.values(), *lexicon.phrases.values(),
               *(e for entries in lexicon.conditional.values() for e in entries)]
    if any(e.type == key for e in entries):
        return True
    return any(rule.type == key for e in lexicon.events.values() for rule in e.refine
               if any(x.type == e.type for x in entries))


@pytest.mark.parametrize("event_type, sub_type", [(t, s) for t, subs in ACLED.items() for s in subs])
def test_every_acled_sub_event_type_has_a_class_annotation_trigger_and_alignment(
        ontology: Graph, event_type: str, sub_type: str) -> None:
    aligned = align_type(load_alignment(), "acled", sub_type)
    assert aligned is not None, f"ACLED {sub_type!r} is not aligned"
    cls = URIRef(_key_to_class()[aligned])
    assert (cls, KGO.acled, Literal(sub_type)) in ontology, f"{cls} has no kgo:acled {sub_type!r}"
    assert (cls, KGO.acledEvent, Literal(event_type)) in ontology
    assert (cls, RDFS.subClassOf, None) in ontology
    assert _has_trigger(aligned), f"no trigger produces {aligned}"


@pytest.mark.parametrize("plover", PLOVER)
def test_every_plover_type_has_a_class_annotation_trigger_and_alignment(ontology: Graph, plover: str) -> None:
    aligned = align_type(load_alignment(), "plover", plover)
    assert aligned is not None, f"PLOVER {plover} is not aligned"
    cls = URIRef(_key_to_class()[aligned])
    values = {str(v).split(":")[0] for v in ontology.objects(cls, KGO.plover)}
    assert plover in values, f"{cls} has no kgo:plover {plover}"
    assert _has_trigger(aligned)


@pytest.mark.parametrize("kairos", KAIROS)
def test_kairos_families_of_the_news_domain_align(kairos: str) -> None:
    aligned = align_type(load_alignment(), "kairos", kairos)
    assert aligned is not None and aligned in default_classes().iri and _has_trigger(aligned)


def test_the_tree_is_shallow_and_every_event_class_is_mapped(ontology: Graph) -> None:
    classes = default_classes()
    mapped = set(_key_to_class().values())
    events = {s for s in ontology.transitive_subjects(RDFS.subClassOf, KGO.Event) if s != KGO.Event}
    assert {str(c) for c in events} == mapped  # no class without a rule, no rule without a class
    assert max(len(classes.ancestors(key)) for key in classes.iri) <= 4  # coarse > class > two refinements
    for key in classes.iri:
        assert _has_trigger(key), f"event type {key} has no trigger"


def _extract(extractor: Extractor, text: str) -> DocRecord:
    document = Document(id="t", text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    return extractor.extract(document)


# One sentence per ACLED sub-event type (written for this test), with the trigger that must produce it.
ACLED_SENTENCES = [
    ("Armed clash", "Government troops clashed with rebels near the river on Sunday.", "clashed"),
    ("Government regains territory", "The army recaptured the town after two days of fighting.", "recaptured"),
    ("Non-state actor overtakes territory", "Rebels seized the provincial capital on Friday.", "seized"),
    ("Chemical weapon", "A chemical attack on the suburb left dozens of people choking.", "chemical attack"),
    ("Air/drone strike", "A drone strike hit a convoy on the highway.", "drone strike"),
    ("Suicide bomb", "A suicide bomber blew himself up outside the ministry.", "blew"),
    ("Shelling/artillery/missile attack", "Artillery units shelled the village overnight.", "shelled"),
    ("Remote explosive/landmine/IED", "A roadside bomb exploded under a police truck.", "exploded"),
    ("Grenade", "Two men threw a grenade at a police checkpoint.", "threw"),
    ("Sexual violence", "Soldiers raped three women in the village.", "raped"),
    ("Attack", "Gunmen attacked a bus carrying pilgrims.", "attacked"),
    ("Abduction/forced disappearance", "Militants abducted two aid workers from their car.", "abducted"),
    ("Peaceful protest", "Thousands of teachers protested outside parliament.", "protested"),
    ("Protest with intervention", "Police fired tear gas to disperse the protesters.", "disperse"),
    ("Excessive force against protesters", "Soldiers opened fire on protesters in the square.", "opened fire"),
    ("Violent demonstration", "Youths rioted in the capital after the verdict.", "rioted"),
    ("Mob violence", "A mob lynched a man accused of theft.", "lynched"),
    ("Agreement", "The two factions signed a ceasefire in Geneva.", "signed"),
    ("Arrests", "Police arrested the mayor on Tuesday.", "arrested"),
    ("Change to group/activity", "Two rebel factions merged into a single movement.", "merged"),
    ("Disrupted weapons use", "Engineers defused a bomb found near the school.", "defused"),
    ("Headquarters or base established", "The militia established a base in the hills.", "established"),
    ("Looting/property destruction", "Armed men looted the central market.", "looted"),
    ("Non-violent transfer of territory", "The army handed over control of the district to the police.", "handed"),
    ("Other", "The navy staged a military exercise off the coast.", "military exercise"),
]


@pytest.mark.parametrize("sub_type, text, trigger", ACLED_SENTENCES)
def test_each_acled_type_is_produced_from_a_sentence(extractor: Extractor, sub_type: str, text: str,
                                                     trigger: str) -> None:
    wanted = align_type(load_alignment(), "acled", sub_type)
    record = _extract(extractor, text)
    found = [e.type for e in record.events if e.trigger.lower() == trigger]
    assert found == [wanted], f"{text!r}: {[(e.trigger, e.type) for e in record.events]}"


def test_acled_sentences_cover_every_sub_event_type() -> None:
    assert {s for s, _, _ in ACLED_SENTENCES} == {s for subs in ACLED.values() for s in subs}


@pytest.mark.parametrize("text, trigger, wanted", [
    ("The United States praised Haiti's efforts on human rights.", "praised", "support"),
    ("Serbia lifted the night curfew in Montenegro.", "lifted", "concession"),
    ("France and Egypt held joint exercises in the Mediterranean.", "joint exercises", "cooperation"),
    ("The European Union donated medicine to the hospital.", "donated", "aid"),
    ("The rebels withdrew from the port city.", "withdrew", "withdrawal"),
    ("The minister accused the opposition of fraud.", "accused", "accusation"),
    ("Yemen rejected the request to interrogate the detainees.", "rejected", "rejection"),
    ("Italy suspended aid to Serbia.", "suspended", "sanction"),
    ("The government banned the opposition newspaper.", "banned", "coercion"),
    ("The government declared that the rebels must lay down their arms.", "declared", "request"),
    ("The army announced that it would impose a curfew on the city.", "announced", "threat"),
])
def test_plover_types_from_sentences(extractor: Extractor, text: str, trigger: str, wanted: str) -> None:
    record = _extract(extractor, text)
    found = [e.type for e in record.events if e.trigger.lower() == trigger]
    assert wanted in found, f"{text!r}: {[(e.trigger, e.type) for e in record.events]}"


def test_refinement_rules_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kg.errors import ConfigError

    path = tmp_path / "triggers.yaml"
    path.write_text("version: 1\nevents:\n  attack:\n    verbs: [attack]\n    refine:\n"
                    "      - {type: nosuchtype, agent: [armed_group]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"triggers\.yaml:\d+: event 'attack': refine type 'nosuchtype'"):
        load_lexicon(path)
    path.write_text("version: 1\nevents:\n  attack:\n    verbs: [attack]\n    refine:\n"
                    "      - {type: attack, agent: ['@nosuchclass']}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown noun class '@nosuchclass'"):
        load_lexicon(path)
    path.write_text("version: 1\nevents:\n  attack:\n    verbs: [attack]\n    refine:\n"
                    "      - {type: attack, when: [x]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"triggers\.yaml:6: event 'attack': unknown refine condition 'when'"):
        load_lexicon(path)
