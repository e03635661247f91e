"""Extraction rules on sentences written for these tests: one test (at least) per rule family."""

from __future__ import annotations

import hashlib

import pytest

from kg.extract import Extractor
from kg.records import Argument, DocRecord, Document, Entity, Event
from kg.settings import ExtractSettings


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(ExtractSettings())


def run(extractor: Extractor, text: str, published: str | None = None) -> DocRecord:
    document = Document(id="t", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), published=published)
    return extractor.extract(document)


def events(record: DocRecord, trigger: str) -> list[Event]:
    return [e for e in record.events if e.trigger.lower() == trigger.lower()]


def event(record: DocRecord, trigger: str) -> Event:
    found = events(record, trigger)
    assert found, f"no event on {trigger!r}: {[(e.trigger, e.type) for e in record.events]}"
    return found[0]


def args(ev: Event, role: str) -> list[Argument]:
    return [a for a in ev.arguments if a.role == role]


def entity_named(record: DocRecord, text: str) -> Entity:
    for ent in record.entities:
        if any(m.text == text for m in ent.mentions):
            return ent
    raise AssertionError(f"no mention {text!r}: {[(e.name, e.type) for e in record.entities]}")


# ------------------------------------------------------------------ arguments


def test_passive_agent(extractor: Extractor) -> None:
    record = run(extractor, "The mayor of the town was killed by Taliban gunmen on Monday.")
    kill = event(record, "killed")
    assert kill.type == "killing"
    assert any("mayor" in a.text for a in args(kill, "target"))
    agents = args(kill, "agent")
    assert agents and "Taliban" in agents[0].text and agents[0].rule == "by-agent"


def test_by_agent_on_a_nominal(extractor: Extractor) -> None:
    record = run(extractor, "An offensive by Syrian troops began near the city of Hama.")
    offensive = event(record, "offensive")
    agents = args(offensive, "agent")
    assert agents and "Syrian" in agents[0].text
    assert record.entity(agents[0].entity or "").key == "syria"


def test_coordinated_arguments_share_the_role(extractor: Extractor) -> None:
    record = run(extractor, "Gunmen attacked a checkpoint and a police station in Kandahar.")
    attack = event(record, "attacked")
    targets = {a.text for a in args(attack, "target")}
    assert any("checkpoint" in t for t in targets) and any("station" in t for t in targets)
    assert [a.text for a in args(attack, "place")] == ["Kandahar"]


def test_relative_clause_subject(extractor: Extractor) -> None:
    record = run(extractor, "Police arrested the man who bombed the market in Mosul.")
    bomb = event(record, "bombed")
    assert any("man" in a.text for a in args(bomb, "agent"))


def test_weapon_is_an_instrument(extractor: Extractor) -> None:
    record = run(extractor, "A roadside bomb exploded near a convoy in Helmand province.")
    explosion = event(record, "exploded")
    assert explosion.type == "bombing"
    assert any("bomb" in a.text for a in args(explosion, "instrument"))
    assert not args(explosion, "agent")


# ------------------------------------------------------------------ modality


def test_negation_is_never_asserted(extractor: Extractor) -> None:
    record = run(extractor, "The rebels did not attack the airport.")
    attack = event(record, "attack")
    assert attack.modality == "negated"


@pytest.mark.parametrize("text, trigger", [
    ("The army plans to attack the rebel stronghold.", "attack"),
    ("Government forces will launch an offensive against the militants.", "offensive"),
    # a goal is no fact: after "be", and what is joined to it
    ("The main goal is to secure the highway and seize the rebel-held town of Jisr al-Shughour.", "seize"),
    ("The minister is to visit Kabul next week.", "visit"),
    ("The defeat opened the way for the rebels to threaten the coastal province.", "threaten"),
])
def test_planned_events(extractor: Extractor, text: str, trigger: str) -> None:
    assert event(run(extractor, text), trigger).modality == "planned"


def test_expected_event(extractor: Extractor) -> None:
    record = run(extractor, "The operation is expected to begin with an assault on the northern district.")
    assert event(record, "assault").modality == "expected"


def test_denied_event(extractor: Extractor) -> None:
    record = run(extractor, "The militia denied attacking the convoy.")
    assert event(record, "attacking").modality == "denied"


# ------------------------------------------------------------------ attribution


def test_reported_speech_names_the_speaker(extractor: Extractor) -> None:
    record = run(extractor, "Hassan Nasrallah said that Israeli jets bombed a village near the border.")
    bombing = event(record, "bombed")
    speaker = record.entity(bombing.reported_by or "")
    assert speaker.key == "hassan-nasrallah"


def test_reporting_verb_alone_is_no_statement_event(extractor: Extractor) -> None:
    record = run(extractor, "Police said the blast killed three people.")
    assert not events(record, "said")
    record = run(extractor, "The ministry said in a statement that it would not negotiate.")
    assert event(record, "said").type == "statement"


# ------------------------------------------------------------------ entities


def test_surname_joins_the_full_name(extractor: Extractor) -> None:
    record = run(extractor, "Ahmad Karimi, a local commander, fled the city. Karimi later returned with his men.")
    karimi = entity_named(record, "Ahmad Karimi")
    assert karimi.type == "person"
    assert {m.text for m in karimi.mentions} >= {"Ahmad Karimi", "Karimi"}
    assert sum(1 for e in record.entities if e.type == "person") == 1


def test_acronym_joins_the_gazetteer_entity(extractor: Extractor) -> None:
    record = run(extractor, "The Islamic Revolutionary Guard Corps sent advisers to Syria. The IRGC denied it.")
    irgc = entity_named(record, "Islamic Revolutionary Guard Corps")
    assert irgc.key == "irgc" and irgc.type == "unit"
    assert any(m.text == "IRGC" for m in irgc.mentions)
    assert sum(1 for e in record.entities if e.key == "irgc") == 1


def test_acronym_of_an_unknown_organisation(extractor: Extractor) -> None:
    record = run(extractor, "The Northern Liberation Front attacked a base. The NLF said it lost two men.")
    front = entity_named(record, "Northern Liberation Front")
    assert any(m.text == "NLF" for m in front.mentions)


def test_nominal_reference_to_a_titled_person(extractor: Extractor) -> None:
    text = "Iranian general Qassem Soleimani visited the front. The general met local commanders."
    record = run(extractor, text)
    soleimani = entity_named(record, "Qassem Soleimani")
    nominal = [m for m in soleimani.mentions if m.source == "nominal"]
    assert nominal and nominal[0].text == "The general"


@pytest.mark.parametrize(("text", "name"), [
    ("A bomb went off on Harwood Street, and the blast damaged the Melrose Cafe nearby.", "Melrose Cafe"),
    ("Two gunmen opened fire in the Carlton Hotel in Nairobi.", "Carlton Hotel"),
    ("The wounded were taken to the Rosewood General Hospital.", "Rosewood General Hospital"),
])
def test_a_name_with_a_facility_head_is_a_facility(extractor: Extractor, text: str, name: str) -> None:
    assert entity_named(run(extractor, text), name).type == "facility"  # NER: PERSON, ORG, ORG


def test_a_place_modifying_a_facility_noun_stays_a_place(extractor: Extractor) -> None:
    record = run(extractor, "The suspect parked his car on a Boston street before the attack.")
    assert entity_named(record, "Boston").type == "place"


def test_a_natural_feature_is_a_place(extractor: Extractor) -> None:
    record = run(extractor, "Witnesses said the truck was parked by Amberley Lake overnight.")
    assert entity_named(record, "Amberley Lake").type == "place"  # NER: PERSON


def test_a_plural_religion_noun_names_people(extractor: Extractor) -> None:
    record = run(extractor, "The cleric called on Muslims and Christians to stop the killing.")
    assert entity_named(record, "Muslims").type == "person"
    assert entity_named(record, "Christians").type == "person"


@pytest.mark.parametrize(("text", "name"), [
    ('"It was chaos," said Eva, a student.', "Eva"),
    ("The wounded included his cousin, Lidia Fuentes.", "Lidia Fuentes"),
    ("The driver Tomás Ibarra and his wife María de los Ángeles Soto were injured.", "María de los Ángeles Soto"),
    ("Last year the Trump administration imposed sanctions on the army chief.", "Trump"),
    ("Security chief Tarek el Sabri said the plot had failed. Later el Sabri said four men were arrested.",
     "el Sabri"),
])
def test_a_person_mistyped_by_ner_is_a_person(extractor: Extractor, text: str, name: str) -> None:
    assert entity_named(run(extractor, text), name).type == "person"  # NER: ORG, ORG, ORG, ORG, GPE


def test_a_photo_caption_marker_is_not_part_of_a_name(extractor: Extractor) -> None:
    record = run(extractor, "FILE - Omar Haddad, the bomber behind the market attack, is seen in this undated photo.")
    assert entity_named(record, "Omar Haddad").type == "person"  # NER: "FILE - Omar Haddad", ORG
    assert not any("FILE" in m.text for e in record.entities for m in e.mentions)


def test_a_surname_ner_missed_is_a_mention_of_the_person(extractor: Extractor) -> None:
    record = run(extractor, "Opposition leader Freddy Ocampo spoke on Monday. Ocampo rejected the claim.")
    person = entity_named(record, "Freddy Ocampo")
    assert any(m.text == "Ocampo" for m in person.mentions)  # NER: only "Freddy Ocampo"


def test_a_surname_that_is_also_an_adjective_is_not_repeated(extractor: Extractor) -> None:
    record = run(extractor, "Officer Paul Young was wounded. Young officers guarded the gate, and Young said he was fine.")
    young = [m for e in record.entities for m in e.mentions if m.text == "Young"]
    assert len(young) == 1  # the second "Young"; the first is an adjective


def test_town_mistyped_as_person_is_a_place(extractor: Extractor) -> None:
    record = run(extractor, "Rebels seized the town of Jisr al-Shughour last spring.")
    town = entity_named(record, "Jisr al-Shughour")
    assert town.type == "place"


def test_demonym_is_a_mention_of_the_state(extractor: Extractor) -> None:
    record = run(extractor, "Venezuelan troops crossed the border.")
    assert entity_named(record, "Venezuelan").key == "venezuela"


def test_title_and_demonym_are_cut_off_a_name(extractor: Extractor) -> None:
    record = run(extractor, "French Interior Minister Jean Dupont visited the scene.")
    person = entity_named(record, "Jean Dupont")
    assert person.type == "person"
    assert entity_named(record, "French").key == "france"


def test_boilerplate_is_ignored(extractor: Extractor) -> None:
    appeal = ("Get The Daily Brief by email and never miss our top stories Free Sign Up\n"
              "Your support, through membership in our Community, enables us to continue our work. "
              "Would you join our Community today?\n")
    text = "Syrian troops attacked Idlib on Monday.\n" + appeal
    record = run(extractor, text)
    cut = text.index("Get The")
    assert all(m.start < cut for e in record.entities for m in e.mentions)
    assert all(e.trigger_start < cut for e in record.events)
    assert record.events and record.entities


# ------------------------------------------------------------------ role constraints


def test_place_role_never_a_person(extractor: Extractor) -> None:
    record = run(extractor, "Ahmad Karimi said gunmen fired at Ahmad Karimi in Kunduz.")
    assert entity_named(record, "Ahmad Karimi").type == "person"
    attack = next(e for e in record.events if e.type == "shooting")
    places = args(attack, "place")
    assert [a.text for a in places] == ["Kunduz"]
    for arg in places:
        assert arg.entity is None or record.entity(arg.entity).type != "person"


def test_reporting_object_is_not_a_target(extractor: Extractor) -> None:
    record = run(extractor, "The group denied any involvement in the kidnapping.")
    deny = event(record, "denied")
    assert not args(deny, "target")


# ------------------------------------------------------------------ dates, relations, counts, triggers


def test_relative_date_from_publication(extractor: Extractor) -> None:
    record = run(extractor, "Jets struck a depot on Wednesday.", published="2015-10-08")
    strike = event(record, "struck")
    times = args(strike, "time")
    assert times and times[0].value == "2015-10-07"
    undated = run(extractor, "Jets struck a depot on Wednesday.")
    assert args(event(undated, "struck"), "time")[0].value is None


@pytest.mark.parametrize("text", [
    "Port workers began a two-day strike at the terminal.",
    "Gunmen kidnapped a five-year-old boy in the market.",
    "Rebels shelled the town for three days.",
])
def test_a_length_of_time_is_no_time_argument(extractor: Extractor, text: str) -> None:
    record = run(extractor, text)
    assert record.events and not [a for e in record.events for a in args(e, "time")]


def test_a_day_next_to_a_length_still_dates_the_event(extractor: Extractor) -> None:
    record = run(extractor, "Port workers began a two-day strike on Monday.", published="2015-10-08")
    assert [a.value for e in record.events for a in args(e, "time")] == ["2015-10-05"]


def test_apposition_commands(extractor: Extractor) -> None:
    record = run(extractor, "Qassem Soleimani, the commander of the Quds Force, visited Damascus.")
    soleimani = entity_named(record, "Qassem Soleimani")
    quds = entity_named(record, "Quds Force")
    assert any(r.type == "commands" and r.head == soleimani.id and r.tail == quds.id for r in record.relations)


def test_possessive_unit_is_sub_organisation(extractor: Extractor) -> None:
    record = run(extractor, "Hezbollah's Radwan Force moved south.")
    radwan = entity_named(record, "Radwan Force")
    hezbollah = entity_named(record, "Hezbollah")
    assert any(r.type == "subOrganizationOf" and r.head == radwan.id and r.tail == hezbollah.id
               for r in record.relations)


def test_killed_count(extractor: Extractor) -> None:
    record = run(extractor, "The air strike killed six fighters and wounded 12 civilians.")
    assert event(record, "killed").killed == 6
    assert event(record, "wounded").injured == 12


def test_weapon_nouns_and_idioms_start_no_event(extractor: Extractor) -> None:
    record = run(extractor, "The bomb squad photographed an IED. The minister came under fire for the decision.")
    assert not record.events


def test_a_weapon_verbs_participle_can_name_a_thing(extractor: Extractor) -> None:
    things = run(extractor, "Police recovered 40 detonating caps and six exploding shells.")
    assert not [e for e in things.events if e.type == "bombing"]
    assert event(run(extractor, "Witnesses saw an exploding van near the gate."), "exploding").type == "bombing"


def test_attempted_killing_is_an_attack(extractor: Extractor) -> None:
    record = run(extractor, "He survived an attempted assassination in the capital.")
    assert [e.type for e in record.events if "assassination" in e.trigger] == ["attack"]


@pytest.mark.parametrize("text", [
    "The new governor has pledged to fight drug smuggling along the coast.",
    "Police in the port city are battling organised crime.",
    "The senator defended the war on drugs.",
    "Ministers discussed the battle against corruption.",
])
def test_violence_aimed_at_a_scourge_is_no_event(extractor: Extractor, text: str) -> None:
    assert not [e for e in run(extractor, text).events if e.type in {"armedclash", "conflict", "attack"}]


def test_the_first_object_decides_a_scourge(extractor: Extractor) -> None:
    record = run(extractor, "Soldiers fought the rebels and banditry in the hills.")
    assert event(record, "fought").type == "armedclash"


def test_a_disease_is_a_scourge(extractor: Extractor) -> None:
    record = run(extractor, "Doctors in the province said they must attack the virus early.")
    assert not [e for e in record.events if e.type == "attack"]


@pytest.mark.parametrize("text", [
    "James Rogers, an expert in drone warfare, said the threat was growing.",
    "Sloggett has written a book on urban warfare.",
    "He faces charges of using a weapon of mass destruction.",
])
def test_a_field_of_study_or_a_kind_of_weapon_names_no_event(extractor: Extractor, text: str) -> None:
    assert not [e for e in run(extractor, text).events if e.type in {"conflict", "damage"}]


def test_a_book_on_a_particular_war_still_names_it(extractor: Extractor) -> None:
    assert event(run(extractor, "He wrote a book on the war in Syria."), "war").type == "conflict"


@pytest.mark.parametrize("text, trigger, kind", [
    ("Two aides lost their jobs after the video was published.", "lost", "dismissal"),
    ("Police are hunting a gunman who opened fire at a school.", "hunting", "investigation"),
    ("The explosion tore through the waiting room.", "tore through", "damage"),
])
def test_an_object_or_a_particle_makes_the_event(extractor: Extractor, text: str, trigger: str, kind: str) -> None:
    assert event(run(extractor, text), trigger).type == kind


def test_a_phrasal_verb_whose_particle_follows_the_object(extractor: Extractor) -> None:
    record = run(extractor, "Rebels blew the bridge up overnight, and the army took the town over.")
    assert event(record, "blew").type == "bombing" and event(record, "took").type == "seizure"
    assert not run(extractor, "The winds of peace now blowing will help the region.").events  # no "up"


def test_an_ill_that_takes_over_seizes_nothing(extractor: Extractor) -> None:
    assert not run(extractor, "The wave of terror that has taken over the country must end.").events
    assert event(run(extractor, "Militants took over the town."), "took over").type == "takeover"


def test_releasing_a_report_is_a_statement_and_releasing_prisoners_a_release(extractor: Extractor) -> None:
    assert event(run(extractor, "The ministry released its report on Monday."), "released").type == "statement"
    assert event(run(extractor, "The army released two prisoners."), "released").type == "release"


def test_losing_a_game_or_hunting_deer_is_no_event(extractor: Extractor) -> None:
    assert not run(extractor, "The team lost the game, and later the men went hunting deer.").events


def test_a_violent_verb_with_a_penalty_names_no_violence(extractor: Extractor) -> None:
    record = run(extractor, "The government hit three oil firms with new sanctions on Monday.")
    assert not events(record, "hit")
    assert [e.type for e in events(record, "sanctions")] == ["sanction"]
    weapons = run(extractor, "Rebels hit the convoy with rockets near the border.")
    assert event(weapons, "hit").type == "shelling"


@pytest.mark.parametrize(("text", "trigger"), [
    ("Dock workers began a 48-hour strike at the port on Monday.", "hour strike"),
    ("Unions called a two-day strike against the pension reform.", "day strike"),
])
def test_a_strike_that_lasts_hours_or_days_is_a_labour_strike(extractor: Extractor, text: str, trigger: str) -> None:
    record = run(extractor, text)
    assert [e.type for e in record.events] == ["strike"]
    assert event(record, trigger).type == "strike"


def test_calling_off_needs_its_particle(extractor: Extractor) -> None:
    off = run(extractor, "The union called off the strike on Sunday.")
    assert event(off, "called").type == "concession"
    called = run(extractor, "The opposition called a general strike for Friday.")
    assert not events(called, "called")
    assert event(called, "general strike").type == "strike"


def test_object_bound_verb(extractor: Extractor) -> None:
    record = run(extractor, "The army issued a statement. Officials issued new passports.")
    issued = events(record, "issued")
    assert len(issued) == 1 and issued[0].type == "statement"
    assert not events(record, "statement")  # the verb's object starts no second event


def test_tried_to_is_not_a_trial(extractor: Extractor) -> None:
    record = run(extractor, "The suspect tried to flee. He was tried in a military court.")
    tried = events(record, "tried")
    assert len(tried) == 1 and tried[0].type == "trial"


def _mentioned(record: DocRecord, word: str) -> list[str]:
    """The types of the events with a mention whose trigger is ``word``."""
    return [e.type for e in record.events if any(m.trigger.lower() == word.lower() for m in e.mentions)]


@pytest.mark.parametrize(("text", "word"), [
    ("Police said an MRTA hit squad would murder the novelist.", "hit"),
    ("The car carried 100 kg of explosives and a slow-burning fuse.", "burning"),
    ("The border was closed after clashes between striking transporters and the police.", "striking"),
    ("The extradition law was struck down by the supreme court on Monday.", "struck"),
])
def test_a_verb_form_that_only_describes_names_no_event(extractor: Extractor, text: str, word: str) -> None:
    assert not _mentioned(run(extractor, text), word)


def test_a_participle_that_is_the_event_stays(extractor: Extractor) -> None:
    record = run(extractor, "Gunmen attacked the bus on Monday, killing two passengers.")
    assert _mentioned(record, "killing") == ["killing"]
    burning = run(extractor, "Rebels set fire to the market, and the burning stalls collapsed.")
    assert "damage" in _mentioned(burning, "fire") + _mentioned(burning, "set fire")


@pytest.mark.parametrize(("text", "trigger", "agent"), [
    # a gerund after "before"/"by" acts with the subject its clause shares with a coordinated verb
    ("Some of these fighters run up to the soldiers and hug them before detonating the bomb.", "detonating",
     "Some of these fighters"),
    ("Saudi Arabia has perpetrated a mass execution of prisoners.", "execution", "Saudi Arabia"),  # light verb
    ("The two countries reacted by expelling each other's diplomats.", "expelling", "The two countries"),
    ("The delegates will convene in Cleveland on Monday.", "convene", "The delegates"),
])
def test_agents_of_shared_subjects_light_verbs_and_nominal_actors(extractor: Extractor, text: str, trigger: str,
                                                                  agent: str) -> None:
    record = run(extractor, text)
    assert [text[a.start:a.end] for a in args(event(record, trigger), "agent")] == [agent]


@pytest.mark.parametrize(("text", "trigger", "agent"), [
    ("Since then the Islamic State group launched a series of attacks across Paris.", "attacks", "Islamic State group"),
    ("The investigators say that 34 people are involved in the failed assassination attempt.",
     "assassination attempt", "34 people"),
    ("Two officers participated in the killing of the journalist.", "killing", "Two officers"),
    ("The men involved in the bombing were arrested on Monday.", "bombing", "The men"),
    ("Scores of civilians who have taken part in demonstrations were sent to military courts.", "demonstrations",
     "civilians"),
])
def test_who_takes_part_or_launches_a_run_of_events_is_its_agent(extractor: Extractor, text: str, trigger: str,
                                                                agent: str) -> None:
    record = run(extractor, text)
    assert [text[a.start:a.end] for a in args(event(record, trigger), "agent")] == [agent]


def test_an_ordinal_with_an_infinitive_is_what_happened(extractor: Extractor) -> None:
    assert event(run(extractor, "The attack was the first to hit the capital this year."), "hit").modality == "asserted"


def test_a_date_on_the_trigger_dates_it_among_several(extractor: Extractor) -> None:
    """With two dates in a sentence the one that hangs on the trigger dates the event, not the other."""
    record = run(extractor, "Police said on Monday that gunmen had killed two farmers on Sunday.")
    assert [a.text for a in args(event(record, "killed"), "time")] == ["Sunday"]


def test_a_date_of_another_clause_is_not_the_events(extractor: Extractor) -> None:
    record = run(extractor, "The main goal is to seize the key town, which the army lost in April.")
    assert not args(event(record, "seize"), "time")
    told = run(extractor, "Syria will win in coming days, said the general, speaking on Monday at the funeral.")
    assert not args(event(told, "said"), "time")  # the quote's date is not when it was said


def test_a_happening_of_the_background_stays_one_event(extractor: Extractor) -> None:
    """Dated long before the story, its mentions are still one happening, and the whole of it is background."""
    text = ("On January 18, an Israeli air strike targeting a Hezbollah cell on the Golan killed six fighters. "
            "The next day Nasrallah visited the graves of the fighters killed in the strike.")
    record = run(extractor, text, published="2015-10-14")
    strikes = [e for e in record.events if e.type == "airstrike"]
    assert [(e.modality, [m.trigger for m in e.mentions]) for e in strikes] == [
        ("generic", ["air strike", "targeting", "strike"])]
    assert [e.modality for e in record.events if e.type == "visit"] == ["asserted"]


@pytest.mark.parametrize(("text", "kind"), [
    ("The official suggested the army's tenacious position is what persuaded Russia to join the war.", "statement"),
    ("Experts suggested that the attack was planned months ago.", "statement"),
    ("The minister suggested that the police should withdraw from the square.", "request"),
    ("Greece demanded that its partners refuse to recognize the republic.", "request"),
])
def test_a_request_verb_with_a_fact_is_a_statement(extractor: Extractor, text: str, kind: str) -> None:
    verb = "demanded" if "demanded" in text else "suggested"
    assert event(run(extractor, text), verb).type == kind


def test_what_is_demanded_has_not_happened(extractor: Extractor) -> None:
    record = run(extractor, "The rebels demanded that the troops withdraw from the town.")
    assert event(record, "withdraw").modality == "planned"
    told = run(extractor, "Police said that the troops withdrew from the town.")
    assert event(told, "withdrew").modality == "asserted"
