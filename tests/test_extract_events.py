"""Event rules on texts written for these tests: sentence boundaries, event coreference (mentions merged, near
misses kept apart), the generic reading and each modality (kg.extract.sentences, coref_events, modality)."""

from __future__ import annotations

import hashlib

import pytest

from kg.extract import Extractor
from kg.records import DocRecord, Document, Event


def run(extractor: Extractor, text: str, published: str | None = None) -> DocRecord:
    document = Document(id="t", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), published=published)
    return extractor.extract(document)


def sentences(record: DocRecord) -> list[str]:
    return [record.document.text[s:e] for s, e in record.sentences]


def event_at(record: DocRecord, word: str) -> Event:
    """The event one of whose mentions is ``word``."""
    for event in record.events:
        if any(m.trigger.lower() == word.lower() for m in event.all_mentions()):
            return event
    raise AssertionError(f"no mention {word!r}: {[(e.trigger, e.type) for e in record.events]}")


def mentions(event: Event) -> list[str]:
    return [m.trigger.lower() for m in event.all_mentions()]


def modality(extractor: Extractor, text: str, word: str, published: str | None = None) -> str:
    return event_at(run(extractor, text, published), word).modality


# ------------------------------------------------------------------ sentences


def test_title_subtitle_and_paragraphs_are_sentences(extractor: Extractor) -> None:
    text = ("Rebels shell army base near Hama\nMortar fire hits barracks as talks stall in Geneva\n"
            "Rebel fighters shelled an army base near Hama on Tuesday. Two soldiers were wounded.\n\n"
            "The army said it would respond.")
    assert sentences(run(extractor, text)) == [
        "Rebels shell army base near Hama", "Mortar fire hits barracks as talks stall in Geneva",
        "Rebel fighters shelled an army base near Hama on Tuesday.", "Two soldiers were wounded.",
        "The army said it would respond."]


def test_a_hard_wrapped_sentence_stays_one_sentence(extractor: Extractor) -> None:
    text = "Rebel fighters shelled an army base near the city\nof Hama on Tuesday, officials said.\nNobody was hurt."
    assert sentences(run(extractor, text)) == [
        "Rebel fighters shelled an army base near the city\nof Hama on Tuesday, officials said.", "Nobody was hurt."]


def test_no_sentence_or_evidence_crosses_boilerplate(extractor: Extractor) -> None:
    text = ("Gunmen attacked a checkpoint in Kandahar on Monday\n"
            "Sign up for our newsletter by email and never miss a story Sign Up\n"
            "police said the attack killed two officers.")
    record = run(extractor, text)
    signup = text.index("Sign up")
    signup_end = text.index("\n", signup)
    assert text[slice(*record.sentences[1])] == text[signup:signup_end]  # the sign-up line is a sentence of its own
    for start, end in record.sentences:
        assert not (start < signup < end or start < signup_end < end), text[start:end]
    spans = [(m.start, m.end) for e in record.events for m in e.all_mentions()]
    spans += [(a.start, a.end) for e in record.events for m in e.all_mentions() for a in m.arguments]
    assert spans and all(end <= signup or start >= signup_end for start, end in spans)


# ------------------------------------------------------------------ coreference: merged


def test_definite_anaphors_join_the_event_they_refer_to(extractor: Extractor) -> None:
    record = run(extractor, "A car bomb exploded outside a police station in Mosul on Sunday, killing four people. "
                            "Nobody claimed the bombing. The blast damaged several shops.")
    bombing = event_at(record, "exploded")
    assert {"exploded", "bombing", "blast"} <= set(mentions(bombing))
    assert bombing.trigger == "exploded" and bombing.all_mentions()[0].start == bombing.trigger_start
    assert [m.sentence for m in bombing.all_mentions()] == sorted(m.sentence for m in bombing.all_mentions())
    assert event_at(record, "killing") is not bombing  # a killing is another class of event


def test_headline_and_body_are_one_event_with_the_most_specific_class(extractor: Extractor) -> None:
    record = run(extractor, "Drone strike hits fuel depot in Hodeidah\n"
                            "A drone strike hit a fuel depot in the port of Hodeidah on Monday, officials said.\n"
                            "The attack set two storage tanks on fire.")
    strike = event_at(record, "attack")
    assert mentions(strike)[0] == "drone strike" and len(mentions(strike)) >= 4
    assert strike.type == "airstrike"  # "the attack" is an attack; the event is the airstrike it refers to
    assert sum(1 for e in record.events if e.type in {"airstrike", "attack"}) == 1


def test_verbs_sharing_a_participant_are_one_event_and_arguments_merge(extractor: Extractor) -> None:
    record = run(extractor, "Israeli jets struck Hezbollah positions in southern Lebanon on Tuesday. "
                            "The strike destroyed a weapons depot, the army said. "
                            "Hezbollah said Israel struck the positions with missiles.")
    strike = event_at(record, "strike")
    assert len([m for m in mentions(strike) if m in {"struck", "strike"}]) == 3
    agents = {record.entity(a.entity).name for a in strike.arguments if a.role == "agent" and a.entity}
    assert agents == {"Israel"}
    assert len([a for a in strike.arguments if a.role == "agent" and a.entity]) == 1  # one per entity and role
    targets = {a.text for a in strike.arguments if a.role == "target"}
    assert "the positions" in targets and any("Hezbollah" in t for t in targets)  # from the first and third mention
    # the second mention's own argument is what it destroyed ("The strike destroyed a weapons depot")
    assert [[a.text for a in m.arguments if a.role == "target"] for m in strike.all_mentions()][1] == ["a weapons depot"]


# ------------------------------------------------------------------ coreference: kept apart


def test_a_state_of_conflict_holds_the_attacks_and_is_none_of_them(extractor: Extractor) -> None:
    record = run(extractor, "Rebels attacked an army post near the border on Monday. The violence spread to the capital, "
                            "and the war went on. The attack killed two soldiers.")
    attack = event_at(record, "attacked")
    assert "attack" in mentions(attack) and "violence" not in mentions(attack) and "war" not in mentions(attack)
    assert event_at(record, "violence").type == "conflict"


def test_another_attack_is_another_event(extractor: Extractor) -> None:
    record = run(extractor, "Gunmen attacked a bus in Peshawar on Monday. "
                            "Hours later, another attack hit a market. The second attack killed three people.")
    attacks = [e for e in record.events if e.type == "attack"]
    assert len(attacks) == 2  # "another attack" and "the second attack" are one, the first attack another
    assert event_at(record, "attack") is not event_at(record, "attacked")


def test_attacks_at_different_places_or_days_are_different_events(extractor: Extractor) -> None:
    record = run(extractor, "A suicide bombing in Kabul killed five people on Sunday. "
                            "Gunmen opened fire in Jalalabad hours later. "
                            "The Kabul attack happened during the morning rush hour.")
    assert event_at(record, "attack") is event_at(record, "suicide bombing")
    assert event_at(record, "opened fire") is not event_at(record, "suicide bombing")
    days = run(extractor, "Government forces shelled Kafr Nabl on Monday. Artillery shelled Kafr Nabl on Wednesday.")
    assert len([e for e in days.events if e.type == "shelling"]) == 2


def test_coordinated_verbs_and_different_speakers_stay_apart(extractor: Extractor) -> None:
    record = run(extractor, "Militants attacked a checkpoint and attacked a police station in Kandahar.")
    assert len([e for e in record.events if e.type == "attack"]) == 2
    speech = run(extractor, "The army said in a statement that the raid had ended. "
                            "The rebels said in a statement that fighting went on.")
    assert len([e for e in speech.events if e.type == "statement"]) == 2


def test_an_event_dated_by_another_is_not_that_event(extractor: Extractor) -> None:
    record = run(extractor, "Israeli aircraft bombed Hodeidah on Wednesday, three days after the first raid.")
    assert event_at(record, "raid") is not event_at(record, "bombed")


# ------------------------------------------------------------------ generic, habitual, past reference


@pytest.mark.parametrize(("text", "word"), [
    ("Bombings are common in the city.", "bombings"),
    ("Attacks on convoys have become routine in the province.", "attacks"),
    ("Militants often attack convoys on the highway.", "attack"),
    ("Insurgents attack convoys on this road every week.", "attack"),
    ("Civilians suffer most from such attacks.", "attacks"),
    ("There have been 40 kidnappings in the region so far this year.", "kidnappings"),
    ("Troops used to raid the village at night.", "raid"),
    ("Residents live in fear of daily bombings.", "bombings"),
    ("Gangs that commit murders in the capital go unpunished.", "murders"),
    ("Does a war kill more people than hunger?", "kill"),
])
def test_generic_and_habitual_mentions_are_not_asserted(extractor: Extractor, text: str, word: str) -> None:
    assert modality(extractor, text, word) == "generic"


@pytest.mark.parametrize(("text", "word"), [
    ("The city has been rebuilt since the 2003 invasion.", "invasion"),
    ("Veterans of the 2015 offensive met in Aleppo on Monday.", "offensive"),
    ("The militia seized the town years ago.", "seized"),
    ("Thousands marked the anniversary of the massacre.", "massacre"),
])
def test_past_reference_beyond_the_story_is_not_asserted(extractor: Extractor, text: str, word: str) -> None:
    assert modality(extractor, text, word, published="2024-03-14") == "generic"


def test_a_story_event_stays_asserted(extractor: Extractor) -> None:
    # the same constructions about the story's own time
    assert modality(extractor, "Militants attacked a convoy on the highway on Monday.", "attacked",
                    published="2024-03-14") == "asserted"
    assert modality(extractor, "The 2024 offensive began in Aleppo on Monday.", "offensive",
                    published="2024-03-14") == "asserted"
    assert modality(extractor, "Russian airstrikes hit Idlib on Tuesday.", "airstrikes") == "asserted"
    headline = run(extractor, "Rebels attack army base near Hama\nRebels attacked an army base on Monday.")
    assert event_at(headline, "attack").modality == "asserted"  # the present of a headline reports


# ------------------------------------------------------------------ each modality


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("The rebels did not attack the town.", "attack", "negated"),
    ("Nobody was hurt in the blast.", "hurt", "negated"),
    ("There was no attack on the convoy.", "attack", "negated"),
    ("The president will visit Kabul next week.", "visit", "planned"),
    ("Rebels plan to attack the airport.", "attack", "planned"),
    ("The plot to attack the embassy was uncovered.", "attack", "planned"),
    ("Police uncovered a bombing plot.", "bombing", "planned"),
    ("The minister is expected to visit Basra.", "visit", "expected"),
    ("What is the army used for? To massacre the people.", "massacre", "planned"),  # an infinitive sentence
    ("They are brave people who know how to fight.", "fight", "generic"),  # what they can do
    ("Stop bombing civilian targets.", "bombing", "generic"),  # a practice they are told to stop
    ("Cease the attacks on the villages.", "attacks", "generic"),
    ("The army stopped shelling the town on Monday.", "shelling", "asserted"),
    ("The army denied attacking the village.", "attacking", "denied"),
    ("The army denied attacking the village and killing civilians.", "killing", "denied"),  # both denied
    ("The president rejected the talks and said the war would go on.", "said", "asserted"),  # a verb beside
    ("The rebels threatened to attack the town and kill the mayor.", "kill", "threatened"),
    ("The group threatened to attack the embassy.", "attack", "threatened"),
    ("The rebels could attack the city.", "attack", "hypothetical"),
    ("If the rebels attack the city, the army will respond.", "attack", "hypothetical"),
    ("Residents fear an attack on the dam.", "attack", "hypothetical"),
    ("Officials warned of the risk of an attack on the dam.", "attack", "hypothetical"),
    ("Troops were sent to prevent attacks on the pipeline.", "attacks", "hypothetical"),
    ("The army attacked the village on Monday.", "attacked", "asserted"),
    ("To bomb the villages would be a crime, the minister said.", "bomb", "hypothetical"),
    ("Troops moved into the valley to attack the rebel camp.", "attack", "planned"),
    ("The commander gave orders to attack the bridge.", "attack", "planned"),
    ("The militia says it is ready to attack the city.", "attack", "hypothetical"),
    ("The army is unwilling to withdraw from the border.", "withdraw", "negated"),
    ("The rebels managed to capture the airport.", "capture", "asserted"),
    ("The battalion was the first unit to enter the town.", "enter", "asserted"),
    ("The army must attack the rebel camp tonight.", "attack", "hypothetical"),
    ("The opposition called for the assassination of the dictator.", "assassination", "planned"),
    ("The leaders urged the army to attack the rebels.", "attack", "planned"),
    ("There were rumors of an attack on the garrison.", "attack", "hypothetical"),
    ("The gang bought rifles to rob the banks and kill the guards.", "kill", "planned"),  # joined to a purpose
    ("Engineers say the old dam is about to collapse and the reservoir about to explode.", "explode", "expected"),
    ("The rumour that the consul was kidnapped is false.", "kidnapped", "denied"),
    ("The erroneous report on her injury was carried by a news agency.", "injury", "denied"),
    ("Mercenaries flew in to take part in night bombings.", "bombings", "planned"),  # what a purpose carries out
])
def test_each_modality(extractor: Extractor, text: str, word: str, expected: str) -> None:
    assert modality(extractor, text, word) == expected


@pytest.mark.parametrize(("text", "word"), [
    ("The coalition did not comment on the attack.", "attack"),  # the comment is negated, not the attack
    ("The attack did not kill anyone.", "attack"),
    ("His visit was intended to boost morale.", "visit"),  # the purpose is intended, the visit happened
    ("The strike set the depot on fire.", "strike"),
    ("The army said the offensive would continue.", "offensive"),  # it is under way
    ("The rebels vowed to respond to the attack.", "attack"),
    ("Gangs that committed murders in the capital were arrested.", "murders"),  # the past: it happened
    ("The opposition called for an inquiry into the assassination.", "assassination"),  # not asked for
    ("Residents were killed by a bomb on Monday.", "killed"),
    ("A suspect was arrested for the attack on the ministry.", "attack"),  # arrests follow the story's events
    ("The report that the convoy was ambushed reached the capital.", "ambushed"),  # a report not called false
])
def test_the_clause_around_an_event_noun_is_not_always_about_it(extractor: Extractor, text: str, word: str) -> None:
    assert modality(extractor, text, word) == "asserted"
