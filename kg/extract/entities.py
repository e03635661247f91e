"""Entity mentions -> typed, resolved entities within one document.

Steps: collect NER and gazetteer mentions (minus boilerplate), strip titles and possessives, type them
(gazetteer first, then NER label and name shape, then context corrections), group mentions that name the
same entity (gazetteer id, surname -> full name, acronym -> full name, same normalised name), and attach
confident nominal references ("the general") to the most recent compatible entity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from kg.extract.lexicon import Gazetteer
from kg.records import Entity, Mention

ACTOR_TYPES = frozenset({"person", "organization", "state", "unit", "armed_group"})
PLACE_TYPES = frozenset({"place", "state", "facility"})
ORG_TYPES = frozenset({"organization", "state", "unit", "armed_group"})

TITLES = frozenset("""gen. gen general lt. lt col. col maj. maj brig. brig capt. capt sgt. sgt adm. adm cmdr. cmdr
president ayatollah sheikh shaikh dr. dr mr. mr mrs. mrs ms. ms prime minister commander chief colonel
major lieutenant brigadier captain sergeant admiral king prince emir imam mullah hojatoleslam sen. rep.
gov. governor mayor""".split())
UNIT_WORDS = re.compile(
    r"\b(forces?|corps|brigades?|division|regiment|battalion|army|guards?|navy|air force|command|squadron|"
    r"marines|battalions|units?|militar(y|ies))\b", re.I)
ARMED_GROUP_WORDS = re.compile(
    r"\b(front|militias?|rebels?|insurgents?|jihad|mujahideen|mujahedeen|brigades|movement|resistance|"
    r"fighters|group)\b", re.I)
PLACE_CUES = frozenset({"town", "city", "village", "province", "district", "region", "area", "governorate",
                        "capital", "neighborhood", "neighbourhood", "suburb", "camp", "border", "outskirts"})
NOMINAL_PERSON = frozenset({"general", "commander", "president", "minister", "leader", "chief", "colonel",
                            "officer", "cleric", "spokesman", "envoy", "ayatollah"})
NOMINAL_ORG = frozenset({"group", "militia", "movement", "organization", "organisation", "force", "corps"})
NOMINAL_STATE = frozenset({"country", "government", "regime", "kingdom", "republic"})
NER_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})


@lru_cache(maxsize=4096)
def country_name(name: str) -> str | None:
    """Common name of the country ``name`` refers to, or None (pycountry lookup)."""
    import pycountry

    try:
        country = pycountry.countries.lookup(name)
    except LookupError:
        return None
    return str(getattr(country, "common_name", None) or country.name)


@dataclass(eq=False)
class _Draft:
    type: str
    name: str
    label: str
    mentions: list[Mention]
    confidence: float
    key: str | None = None
    wikidata: str | None = None
    heads: list[int] = field(default_factory=list)  # token index of each mention's last token


@dataclass(frozen=True)
class EntityIndex:
    """The document's entities and a token -> entity id lookup used by events and relations."""

    entities: tuple[Entity, ...]
    by_token: dict[int, str]  # token index -> entity id
    spans: dict[int, tuple[int, int]]  # token index -> (first token, end token) of its mention

    def entity_at(self, token: Token) -> str | None:
        return self.by_token.get(token.i)


def _strip(span: Span) -> Span | None:
    """Drop leading determiners/titles and a trailing possessive from a mention span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in TITLES or doc[start].lower_ in {"the", "a", "an"}):
        if span.label_ != "PERSON" and doc[start].lower_ not in {"the", "a", "an"}:
            break
        start += 1
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].text in {"'s", "’s", "'", "’"}):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _type_of(span: Span, gazetteer: Gazetteer) -> tuple[str | None, float, str | None]:
    """(entity type, confidence, gazetteer id) for a mention, before context corrections."""
    actor = gazetteer.get(span.id_)
    if actor is not None:
        return actor.type, 0.95, actor.id
    label, text = span.label_, span.text
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
    if label == "NORP":
        return None, 0.0, None  # nationalities and religions are not actors unless the gazetteer knows them
    return None, 0.0, None


def _correct(span: Span, etype: str, key: str | None, person_tokens: set[str]) -> tuple[str, float]:
    """Fix NER types the context contradicts. Returns (type, confidence factor)."""
    if key is not None:
        return etype, 1.0
    doc = span.doc
    before = doc[span.start - 2: span.start] if span.start >= 2 else doc[0: span.start]
    cue = {t.lower_ for t in before}
    if etype == "person":
        if cue & PLACE_CUES and "of" in cue:  # "the town of X"
            return "place", 0.8
        if span.root.head.lower_ in PLACE_CUES and span.root.dep_ in {"compound", "pobj", "appos"}:
            return "place", 0.8
    if etype in {"place", "state", "facility"} and len(span) == 1 and span.text in person_tokens:
        return "person", 0.75  # a surname typed as a place
    if etype == "organization" and span.root.head.lower_ in {"fighters", "militia", "militiamen", "rebels"}:
        return "armed_group", 0.9
    return etype, 1.0


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isupper()]
    return "".join(w[0] for w in words)


def _norm(text: str) -> str:
    text = re.sub(r"^(the|al|el)[\s-]+", "", text.strip(), flags=re.I)
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def extract_entities(doc: Doc, gazetteer: Gazetteer, sentence_of: Callable[[int], int],
                     ignore: Callable[[int, int], bool], id_prefix: str = "E") -> EntityIndex:
    spans: list[tuple[Span, str, float, str | None]] = []
    in_entity = {i for ent in doc.ents for i in range(ent.start, ent.end) if ent.label_ != "NORP"}
    for token in doc:
        state = gazetteer.by_demonym.get(token.text.lower()) if token.text[:1].isupper() else None
        if state and token.i not in in_entity and not ignore(token.idx, token.idx + len(token)):
            spans.append((Span(doc, token.i, token.i + 1, label="NORP", span_id=state), "state", 0.8, state))
    for ent in doc.ents:
        if ent.label_ not in NER_LABELS or ignore(ent.start_char, ent.end_char):
            continue
        if ent.label_ == "NORP" and len(ent) == 1 and gazetteer.by_demonym.get(ent.text.lower()):
            continue  # taken above
        stripped = _strip(ent)
        if stripped is None or not any(ch.isalpha() for ch in stripped.text):
            continue
        span = Span(doc, stripped.start, stripped.end, label=ent.label_, span_id=ent.ent_id_)
        etype, conf, key = _type_of(span, gazetteer)
        if etype is None:
            continue
        spans.append((span, etype, conf, key))

    person_tokens = {t.text for s, etype, _, _ in spans if etype == "person" and len(s) > 1 for t in s}
    drafts: list[_Draft] = []
    by_key: dict[str, _Draft] = {}
    by_name: dict[tuple[str, str], _Draft] = {}
    by_norm: dict[str, _Draft] = {}  # any type: "Jisr al-Shughour" typed once as a place, once as a person
    token_owner: dict[int, _Draft] = {}
    token_span: dict[int, tuple[int, int]] = {}

    def attach(draft: _Draft, span: Span, source: str) -> None:
        draft.mentions.append(Mention(span.start_char, span.end_char, span.text, sentence_of(span.start), source))
        draft.heads.append(span.end - 1)
        for tok in span:
            token_owner[tok.i] = draft
            token_span[tok.i] = (span.start, span.end)

    # Longer names first so that "Soleimani" can join "Qassem Soleimani" wherever it appears.
    ordered = sorted(spans, key=lambda item: (-len(item[0].text.split()), item[0].start))
    for span, etype, conf, key in ordered:
        etype, factor = _correct(span, etype, key, person_tokens)
        conf *= factor
        actor = gazetteer.get(key)
        draft = by_key.get(key) if key else None
        if draft is None and key is None:
            draft = by_name.get((etype, _norm(span.text))) or by_norm.get(_norm(span.text))
        if draft is None and key is None and (etype == "person" or len(span) == 1) and len(span) <= 2:
            draft = _find_full_name(span, drafts)
        if draft is None and key is None and etype in ORG_TYPES and span.text.isupper() and len(span.text) >= 2:
            draft = next((d for d in drafts if d.type in ORG_TYPES and _initials(d.name) == span.text), None)
        if draft is None:
            name = actor.name if actor else span.text
            draft = _Draft(etype, name, span.label_, [], conf, key, actor.wikidata if actor else None)
            drafts.append(draft)
            if key:
                by_key[key] = draft
            by_name[(etype, _norm(name))] = draft
        by_name.setdefault((etype, _norm(span.text)), draft)
        if key is None and draft.key is None:
            by_norm.setdefault(_norm(span.text), draft)
        source = "gazetteer" if key else ("ner" if span.text == draft.name else "resolved")
        attach(draft, span, source)

    _attach_nominals(doc, drafts, token_owner, token_span, sentence_of, ignore)

    # Stable order and ids: by first mention.
    for draft in drafts:
        order = sorted(range(len(draft.mentions)), key=lambda i: draft.mentions[i].start)
        draft.mentions = [draft.mentions[i] for i in order]
    drafts.sort(key=lambda d: d.mentions[0].start)
    entities = []
    ids: dict[int, str] = {}
    for number, draft in enumerate(drafts, 1):
        ids[id(draft)] = f"{id_prefix}{number}"
        entities.append(Entity(
            id=f"{id_prefix}{number}", type=draft.type, name=draft.name, label=draft.label,
            mentions=tuple(draft.mentions), confidence=round(draft.confidence, 3),
            key=draft.key, wikidata=draft.wikidata,
        ))
    by_token = {i: ids[id(d)] for i, d in token_owner.items()}
    return EntityIndex(tuple(entities), by_token, token_span)


def _find_full_name(span: Span, drafts: Sequence[_Draft]) -> _Draft | None:
    """A surname (or given+surname) mention joins the one person whose full name ends with it."""
    words = span.text.split()
    candidates = [
        d for d in drafts
        if d.type == "person" and len(d.name.split()) > len(words)
        and [w.lower() for w in re.split(r"[\s]+", d.name)[-len(words):]] == [w.lower() for w in words]
    ]
    if not candidates:
        tail = words[-1].lower()
        candidates = [d for d in drafts if d.type == "person" and re.split(r"[\s-]", d.name)[-1].lower() == tail]
    return candidates[0] if len(candidates) == 1 else None


def _attach_nominals(doc: Doc, drafts: list[_Draft], token_owner: dict[int, _Draft],
                     token_span: dict[int, tuple[int, int]], sentence_of: Callable[[int], int],
                     ignore: Callable[[int, int], bool]) -> None:
    """'the general' / 'the group' / 'the country' -> the most recent compatible entity, when unambiguous.

    A person nominal links only to a person mentioned in the same or previous two sentences, and only
    when exactly one such person carried that title word next to a mention, or exactly one person is there.
    """
    mention_starts = sorted(
        (tok_i, draft) for tok_i, draft in token_owner.items() if token_span[tok_i][0] == tok_i
    )
    for token in doc:
        word = token.lower_
        if token.i in token_owner or token.pos_ != "NOUN" or token.i == 0:
            continue
        if doc[token.i - 1].lower_ != "the" or ignore(token.idx, token.idx + len(token)):
            continue
        if word in NOMINAL_PERSON:
            wanted = {"person"}
        elif word in NOMINAL_ORG:
            wanted = {"organization", "unit", "armed_group"}
        elif word in NOMINAL_STATE:
            wanted = {"state"}
        else:
            continue
        if any(child.dep_ in {"prep", "poss"} or child.dep_ == "compound" for child in token.children):
            continue  # "the commander of X" is a description, not a reference
        sentence = sentence_of(token.i)
        recent = [d for start, d in mention_starts if start < token.i and d.type in wanted
                  and sentence - sentence_of(start) <= 2]
        if not recent:
            continue
        distinct = list(dict.fromkeys(reversed(recent)))
        if wanted == {"person"}:
            titled = [d for d in distinct if any(
                word in {t.lower_ for t in doc[max(0, h - 6): h + 6]} for h in d.heads)]
            choice = titled[0] if len(titled) == 1 else (distinct[0] if len(distinct) == 1 else None)
        else:
            choice = distinct[0] if len(distinct) == 1 else None
        if choice is None:
            continue
        span = doc[token.i - 1: token.i + 1]
        choice.mentions.append(Mention(span.start_char, span.end_char, span.text, sentence, "nominal"))
        choice.heads.append(token.i)
        token_owner[token.i] = choice
        token_span[token.i] = (token.i - 1, token.i + 1)
