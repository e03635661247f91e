"""Named mentions of one document, with boundaries and types (before they are grouped into entities).

Steps:
- boundaries: NER and gazetteer spans minus boilerplate; leading determiners, titles, role words and
  demonyms are cut off a person's name ("French Interior Minister Christophe Castaner" -> "Christophe
  Castaner", with "French" a mention of France and "Minister" a title mention of the person); trailing
  possessives go;
- demonyms: "Iranian", "North Korean" are mentions of the state (or region) the gazetteer knows them for;
- repeated names: where NER missed a name it found elsewhere in the document, or a person's surname
  ("Maduro" after "Nicolás Maduro"), the words are a mention all the same;
- types: gazetteer first, then the NER label and the name's shape ("... Brigades" -> unit), country and
  region names (pycountry) over ORG/PERSON labels, a plural religion or ethnic noun ("Muslims") -> people,
  context corrections ("the town of X" -> place, a name with a facility's head noun -> facility, an
  ORG-labelled name whose surname is a person elsewhere or that a person noun names -> person), and
  finally one type per name in the document by vote.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Doc, Span

from kg.extract.arrays import words
from kg.extract.lexicon import Gazetteer

TITLES = frozenset("""gen. gen general lt. lt col. col maj. maj brig. brig capt. capt sgt. sgt adm. adm cmdr. cmdr
president ayatollah sheikh shaikh dr. dr mr. mr mrs. mrs ms. ms prime minister commander chief colonel
major lieutenant brigadier captain sergeant admiral king prince emir imam mullah hojatoleslam sen. rep.
gov. governor mayor agent secretary judge justice sir lord lady dame senator congressman congresswoman
ambassador chancellor premier spokesman spokeswoman spokesperson officer inspector detective constable
superintendent corporal marshal magistrate prosecutor attorney deputy vice special staff technical chairman
director defense defence interior foreign state cabinet supreme leader pope cardinal bishop rabbi cleric
ex- former late then acting self-styled""".split())
# Title words that make a mention of the person they precede ("Minister Christophe Castaner").
TITLE_HEADS = frozenset("""general colonel col col. major lieutenant brigadier captain sergeant admiral commander
president minister secretary agent judge justice sir senator governor mayor ambassador chancellor premier king
prince emir sheikh ayatollah imam officer inspector detective constable superintendent corporal marshal
magistrate prosecutor chief chairman director spokesman spokeswoman gen. gen lt. lt maj. maj brig. capt. sgt.
adm. cmdr. sen. rep. gov. dr. dr""".split())
UNIT_WORDS = re.compile(
    r"\b(forces?|corps|brigades?|division|regiment|battalion|army|guards?|navy|air force|command|squadron|"
    r"marines|battalions|units?|militar(y|ies))\b", re.I)
ARMED_GROUP_WORDS = re.compile(
    r"\b(front|militias?|rebels?|insurgents?|jihad|mujahideen|mujahedeen|brigades|movement|resistance|"
    r"fighters|group)\b", re.I)
ORG_WORDS = re.compile(
    r"\b(party|ministry|council|company|agency|department|office|police|court|bank|university|times|news|"
    r"corp|inc|ltd|association|committee|union|institute|foundation|organi[sz]ation|service|bureau|"
    r"administration|government|assembly|parliament|congress|senate|media|press|post|tribune|herald|"
    r"network|channel|television|radio|airlines?|group|club|school|college|hospital|church)\b", re.I)
# Head nouns of a facility's name: "Oxford Street", "Murrah Federal Building", "the Didsbury mosque".
FACILITY_HEADS = frozenset("""street st. st road rd. rd avenue ave. boulevard lane square bridge highway airport
airfield airbase station metro terminal depot hospital clinic motel hotel inn cafe café cafeteria restaurant
bakery bar pub nightclub mosque church cathedral chapel synagogue temple shrine building tower mall market markets
bazaar stadium arena prison jail embassy consulate palace museum theatre theater cinema""".split())
# Last words of a natural feature's name: "Geary Lake", "Golan Heights".
NATURE_HEADS = frozenset("""lake river mountain mountains valley desert sea gulf bay island islands peninsula hills
heights plain plains strait coast""".split())
PLACE_CUES = frozenset({"town", "city", "village", "province", "district", "region", "area", "governorate",
                        "capital", "neighborhood", "neighbourhood", "suburb", "camp", "border", "outskirts"})
LOCATIVE_PREPS = frozenset({"in", "near", "outside", "across", "throughout", "around", "inside"})
PERSON_CUES = frozenset({"who", "whom", "whose"})
PERSON_APPOSITIONS = frozenset("""man woman wife husband son daughter mother father brother sister friend leader
member student teacher driver owner officer official spokesman spokeswoman commander general minister
president activist journalist lawyer lawmaker attorney prosecutor judge doctor resident citizen playwright
writer author founder chief director suspect victim witness cleric preacher soldier worker pilot bomber
gunman attacker relative
cousin uncle aunt nephew niece grandson granddaughter widow""".split())
# Lower-case words inside personal names: "María del Carmen Nadal", "Tarek el Aissami".
NAME_PARTICLES = frozenset("de del della da das do dos di du la las le los van von der den bin ibn bint al el y".split())
NER_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
# Acronyms of things, not organisations; plural acronyms ("UAVs", "IEDs") are common nouns too.
NOT_NAMES = frozenset({"UTC", "GMT", "CCTV", "SIM", "GPS", "TV", "DNA", "HIV", "AIDS", "SMS", "PDF", "URL", "ID",
                       "CEO", "MP", "MPs", "AK-47", "RPG", "RPGs", "IED", "IEDs", "VBIED", "UAV", "UAVs", "SUV"})
_PLURAL_ACRONYM = re.compile(r"^[A-Z]{2,}s$")
_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_DEMONYM_LABEL = "NORP"


@dataclass(frozen=True)
class Candidate:
    """A typed mention before resolution."""

    span: Span
    type: str
    confidence: float
    key: str | None  # gazetteer actor id
    title: int | None = None  # token index of a title word naming the same person ("Minister")
    by_context: bool = False  # the type comes from the context ("the town of X"), not from the NER label


# ------------------------------------------------------------------ lookups


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@lru_cache(maxsize=4096)
def country_name(name: str) -> str | None:
    """Common name of the country ``name`` refers to, or None (pycountry lookup)."""
    import pycountry

    try:
        country = pycountry.countries.lookup(name)
    except LookupError:
        return None
    codes = {str(getattr(country, attr, "")).casefold() for attr in ("alpha_2", "alpha_3", "numeric")}
    if name.casefold() in codes and not name.isupper():
        return None  # "Col", "Per": a country code matched case-insensitively, not a country name
    return str(getattr(country, "common_name", None) or country.name)


@lru_cache(maxsize=1)
def _region_names() -> frozenset[str]:
    """Folded names of first-level subdivisions (provinces, states, governorates) of every country."""
    import pycountry

    names: set[str] = set()
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None):
            continue
        name = re.sub(r"\s*\(.*?\)|\[.*?\]", "", str(sub.name))
        for part in name.split(","):
            if part.strip() and len(part.strip()) > 3:
                names.add(_fold(part))
    return frozenset(names)


def region_name(text: str) -> bool:
    return _fold(text) in _region_names()


# ------------------------------------------------------------------ boundaries


def _strip(span: Span, gazetteer: Gazetteer) -> tuple[Span | None, int | None]:
    """Drop leading determiners/titles/demonyms, a photo caption's "FILE -" and a trailing possessive; (span,
    title token index)."""
    start, end = span.start, span.end
    doc = span.doc
    title: int | None = None
    person = span.label_ == "PERSON"
    while start < end:
        token = doc[start]
        word = token.lower_
        if word in {"the", "a", "an"} or token.is_space:
            start += 1
            continue
        if token.text == "FILE" and start + 2 < end and doc[start + 1].text in {"-", "–", "—", ":"}:
            start += 2  # a photo caption's marker: "FILE - Salman Abedi, ..."
            continue
        if not person:
            break
        if word in TITLES or word.rstrip(".") in TITLES or (
                start + 1 < end and gazetteer.by_demonym.get(word) and doc[start + 1].lower_ in TITLES):
            if word in TITLE_HEADS or word.rstrip(".") + "." in TITLE_HEADS:
                title = start
            start += 1
            continue
        if token.is_punct and start + 1 < end:
            start += 1
            continue
        break
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].text in {"'s", "’s", "'", "’"}
                           or doc[end - 1].is_space):
        end -= 1  # a possessive, or the line break NER takes into a name at the end of a line
    if start >= end:
        return None, None
    return doc[start:end], title


def _name_like(span: Span) -> bool:
    """False for what NER takes for a name but is not one: markup, common acronyms, "Bloody Sunday"."""
    text = span.text
    if not any(ch.isalpha() for ch in text) or any(ch in text for ch in "=|<>{}"):
        return False
    if text in NOT_NAMES or _PLURAL_ACRONYM.match(text):
        return False
    if not span.id_ and all(t.lower_ in TITLES or t.lower_.rstrip(".") in TITLES for t in span):
        return False  # "Supreme" in "Supreme Leader Ayatollah ...": a title, not a name
    return not (span.label_ == "ORG" and span[-1].lower_ in _WEEKDAYS)  # an event's name


def _title_before(doc: Doc, start: int, taken: set[int]) -> int | None:
    """A capitalised title word right before a person's name ("President", "Col.", "Special Agent")."""
    i = start - 1
    while i >= 0 and i not in taken and doc[i].text[:1].isupper():
        word = doc[i].lower_
        if word in TITLE_HEADS or word.rstrip(".") in TITLE_HEADS:
            return i
        if word not in TITLES and word.rstrip(".") not in TITLES:
            return None
        i -= 1
    return None


# ------------------------------------------------------------------ types


def _type_of(span: Span, gazetteer: Gazetteer) -> tuple[str | None, float, str | None]:
    """(entity type, confidence, gazetteer id) for a mention, before context corrections."""
    actor = gazetteer.get(span.id_)
    if actor is not None:
        return actor.type, 0.95, actor.id
    label, text = span.label_, span.text
    if label == "NORP":
        state = gazetteer.by_demonym.get(text.lower())
        if state:
            return gazetteer.actors[state].type, 0.8, state
        if _people(span):
            return "person", 0.7, None  # "Muslims", "Protestants": people, where no state is named
        return None, 0.0, None  # adjectives ("Islamist") are not actors unless the gazetteer knows them
    if label in {"ORG", "PERSON"} and country_name(text) and not UNIT_WORDS.search(text):
        return "state", 0.75, None
    if label == "ORG" and region_name(text):
        return "place", 0.7, None
    if label == "PERSON":
        return "person", 0.8, None
    if label == "ORG":
        if UNIT_WORDS.search(text):
            return "unit", 0.7, None
        if ARMED_GROUP_WORDS.search(text):
            return "armed_group", 0.65, None
        return "organization", 0.75, None
    if label == "GPE":
        return ("state", 0.85, None) if country_name(text) else ("place", 0.8, None)
    if label == "LOC":
        return "place", 0.8, None
    if label == "FAC":
        return "facility", 0.7, None
    return None, 0.0, None


def _people(span: Span) -> bool:
    """A plural noun ("Muslims", "Protestants", "Kumyks"), not a modifier ("Muslim peoples")."""
    last = span[-1]
    return last.tag_ in {"NNPS", "NNS"} and last.dep_ not in {"compound", "amod", "nmod"} and last.text.endswith("s")


def _person_context(span: Span) -> bool:
    """"X, who ...", "X, 23,", "X, a mother of three" (an apposition naming a person), "Mr X"."""
    doc = span.doc
    after = doc[span.end: span.end + 3]
    if len(after) >= 2 and after[0].text == "," and (after[1].lower_ in PERSON_CUES or after[1].like_num):
        return True
    for child in span.root.children:
        if child.dep_ == "appos" and child.lemma_.lower() in PERSON_APPOSITIONS:
            return True
    if span.root.dep_ == "appos" and span.root.head.lemma_.lower() in PERSON_APPOSITIONS:
        return True  # "her relatives, Lidia Falcón"
    return span.start > 0 and doc[span.start - 1].lower_.rstrip(".") in {"mr", "mrs", "ms", "dr", "miss", "sir"}


def _correct(cand: Candidate, person_tokens: set[str], person_words: set[str], full_names: set[str]) -> Candidate:
    """Fix NER types the context contradicts."""
    if cand.key is not None:
        return cand
    span, etype = cand.span, cand.type
    doc = span.doc
    before = doc[span.start - 2: span.start] if span.start >= 2 else doc[0: span.start]
    cue = {t.lower_ for t in before}
    new = etype
    first = span.root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head  # "in Badia al-Sukhnah and Badia al-Sham"
    in_place = first.dep_ == "pobj" and first.head.lower_ in LOCATIVE_PREPS  # "in Lyon"
    if etype in {"person", "organization", "place"} and _names_facility(span, compound=etype != "place"):
        new = "facility"
    elif etype in {"person", "organization"} and span[-1].lower_ in NATURE_HEADS and len(span) > 1:
        new = "place"
    elif etype == "person":
        if cue & PLACE_CUES and "of" in cue:  # "the town of X"
            new = "place"
        elif span.root.head.lower_ in PLACE_CUES and span.root.dep_ in {"compound", "pobj", "appos"}:
            new = "place"
        elif in_place and first.head.lower_ in {"in", "inside", "across", "throughout"}:
            new = "place"  # not "near X": people are found near people too
    elif etype in {"place", "state", "facility"} and (
            (len(span) == 1 and span.text in person_tokens) or _ends_full_name(span, full_names)):
        new = "person"  # a surname typed as a place
    elif etype == "organization":
        if span.root.head.lower_ in {"fighters", "militia", "militiamen", "rebels"}:
            new = "armed_group"
        elif _looks_like_person(span, person_words, full_names):
            new = "person"
        elif in_place and len(span) <= 2 and not (ORG_WORDS.search(span.text) or ARMED_GROUP_WORDS.search(span.text)):
            new = "place"
    if new == etype:
        return cand
    return replace(cand, type=new, confidence=cand.confidence * (0.9 if new == "armed_group" else 0.8),
                   by_context=True)


def _names_facility(span: Span, compound: bool) -> bool:
    """A name whose head is a facility noun ("Oxford Street", "Central Hospital of Maracay") or, with
    ``compound``, that modifies one ("the Didsbury mosque", "Bellecour metro stations"); not a name with an
    organisation's word. A place name modifying one stays a place: "a Boston street"."""
    if FACILITY_HEADS & {span[-1].lower_, span.root.lower_}:
        return True
    if ORG_WORDS.search(span.text):
        return False
    head = span.root
    while compound and head.dep_ == "compound" and head.head.i != head.i and head.head.i >= span.end:
        head = head.head
        if head.lower_ in FACILITY_HEADS and head.text.islower():
            return True
    return False


def _ends_full_name(span: Span, full_names: set[str]) -> bool:
    """"el Aissami" after "Tarek el Aissami": the end of a person's fuller name."""
    return any(name.endswith(" " + span.text) for name in full_names)


def _looks_like_person(span: Span, person_tokens: set[str], full_names: set[str]) -> bool:
    """An ORG-labelled span shaped like a personal name ("María del Carmen Nadal") that the document treats
    as a person: its surname is a person's elsewhere, it ends a person's fuller name ("el Aissami" after
    "Tarek el Aissami"), or a person noun is next to it ("Eva, a student", "the preacher Anjem Choudary")."""
    words = [t for t in span if not t.is_punct and t.lower_ not in NAME_PARTICLES]
    if not 1 <= len(words) <= 4 or ORG_WORDS.search(span.text) or UNIT_WORDS.search(span.text):
        return False
    if not all(t.text[:1].isupper() and t.text[1:].islower() and t.is_alpha for t in words):
        return False
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    named_by_noun = before is not None and before.text.islower() and before.lemma_ in PERSON_APPOSITIONS
    if span.root.dep_ == "compound" and span.root.head.lower_ == "administration" and len(words) == 1:
        return True  # "the Trump administration"
    surname = (len(words) > 1 and words[-1].text in person_tokens) or _ends_full_name(span, full_names)
    return surname or named_by_noun or _person_context(span)


def _vote(cands: list[Candidate]) -> list[Candidate]:
    """One type per name: mentions with the same text (outside the gazetteer) take the majority type; a type
    read from the context counts three times."""
    votes: dict[str, Counter[str]] = {}
    for cand in cands:
        if cand.key is None:
            votes.setdefault(_fold(cand.span.text), Counter())[cand.type] += 3 if cand.by_context else 1
    out = []
    for cand in cands:
        counter = votes.get(_fold(cand.span.text)) if cand.key is None else None
        if counter and len(counter) > 1:
            (best, n), *rest = counter.most_common()
            if best != cand.type and n > rest[0][1]:
                cand = replace(cand, type=best, confidence=cand.confidence * 0.9)
        out.append(cand)
    return out


# ------------------------------------------------------------------ collection


def _repeated_names(doc: Doc, cands: list[Candidate], lowers: list[str], caseless: bool,
                    ignore: Callable[[int, int], bool]) -> list[Candidate]:
    """Where NER missed a name it found elsewhere in the document: the same words again, and a person's
    surname alone ("Maduro" after "Nicolás Maduro"), as written, outside other names and dates, not inside
    a longer name; a single word only when tagged a proper noun; a sentence's first word only when the
    document does not also write it in lower case ("Police"); in a document all in lower case, only names of
    two words or more."""
    taken = {i for c in cands for i in range(c.span.start, c.span.end)}
    taken.update(c.title for c in cands if c.title is not None)
    taken.update(i for ent in doc.ents if ent.label_ in {"DATE", "TIME"}  # "May" in a date stays a date
                 for i in range(ent.start, ent.end))
    names: dict[tuple[str, ...], Candidate] = {}
    for cand in cands:
        if cand.span.label_ == _DEMONYM_LABEL:
            continue
        names.setdefault(tuple(t.text for t in cand.span), cand)
        last = cand.span[-1]
        if cand.type == "person" and len(cand.span) > 1 and not caseless and last.is_alpha and last.is_title:
            names.setdefault((last.text,), cand)
    if caseless:
        names = {k: v for k, v in names.items() if len(k) > 1}
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for words_ in sorted(names, key=len, reverse=True):
        by_first.setdefault(words_[0], []).append(words_)
    lower_words = {t.text for t in doc if t.text.islower()}  # words the document writes in lower case
    found: list[Candidate] = []
    i = 0
    while i < len(doc):
        match = None
        for words_ in by_first.get(doc[i].text, ()):
            end = i + len(words_)
            if end <= len(doc) and all(doc[j].text == w and j not in taken
                                       for j, w in zip(range(i, end), words_, strict=True)):
                match = end
                break
        if match is None:
            i += 1
            continue
        span = doc[i:match]
        source = names[tuple(t.text for t in span)]
        before = doc[i - 1] if i > 0 else None
        after = doc[match] if match < len(doc) else None
        skip = (
            any(t is not None and t.is_title and t.pos_ == "PROPN" for t in (before, after))  # in a longer name
            or (doc[i].is_sent_start and lowers[i] in lower_words)  # "Police said", with "police" elsewhere
            or (len(span) == 1 and span[0].pos_ != "PROPN")  # "Young officers", after "Paul Young"
            or ignore(span.start_char, span.end_char)
        )
        if not skip:
            found.append(Candidate(Span(doc, i, match, label=source.span.label_), source.type,
                                   source.confidence * 0.8, source.key))
            taken.update(range(i, match))
        i = match
    return found


def collect_mentions(doc: Doc, gazetteer: Gazetteer, ignore: Callable[[int, int], bool]) -> list[Candidate]:
    """Typed named mentions (NER, gazetteer, demonyms) of a parsed document, outside boilerplate."""
    stripped: list[tuple[Span, int | None]] = []
    for ent in doc.ents:
        if ent.label_ not in NER_LABELS or ignore(ent.start_char, ent.end_char):
            continue
        span, title = _strip(ent, gazetteer)
        if span is None or not _name_like(span):
            continue
        stripped.append((Span(doc, span.start, span.end, label=ent.label_, span_id=ent.ent_id_), title))
    in_entity = {i for span, _ in stripped if span.label_ != _DEMONYM_LABEL for i in range(span.start, span.end)}
    cands: list[Candidate] = []
    lowers, _ = words(doc)
    caseless = bool(doc.user_data.get("kg_caseless"))  # a text in lower case: no capital to ask for
    for i, lower in enumerate(lowers):  # demonyms outside names: "Iranian troops", and those cut off a name
        state = gazetteer.by_demonym.get(lower)
        if state is None or i in in_entity:
            continue
        token = doc[i]
        if (caseless or token.text[:1].isupper()) and not ignore(token.idx, token.idx + len(token)):
            span = Span(doc, token.i, token.i + 1, label=_DEMONYM_LABEL, span_id=state)
            cands.append(Candidate(span, gazetteer.actors[state].type, 0.8, state))
    demonym_tokens = {c.span.start for c in cands}
    for span, title in stripped:
        if span.label_ == _DEMONYM_LABEL and len(span) == 1 and span.start in demonym_tokens:
            continue  # taken above
        etype, conf, key = _type_of(span, gazetteer)
        if etype is None:
            continue
        if etype == "person" and title is None:
            title = _title_before(doc, span.start, in_entity)
        cands.append(Candidate(span, etype, conf, key, title if etype == "person" else None))
    cands += _repeated_names(doc, cands, lowers, caseless, ignore)
    persons = [c.span for c in cands if c.type == "person"]
    person_tokens = {t.text for s in persons if len(s) > 1 for t in s}
    person_words = person_tokens | {s.text for s in persons if len(s) == 1}
    full_names = {s.text for s in persons if len(s) > 1}
    return _vote([_correct(c, person_tokens, person_words, full_names) for c in cands])

