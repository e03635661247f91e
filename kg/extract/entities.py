"""Entity mentions -> resolved entities within one document.

The typed mentions come from :mod:`kg.extract.mentions` (boundaries, demonyms, types). Here they are
grouped into entities: gazetteer id, same normalised name, surname -> full name, acronym -> the name it
abbreviates; a title word before a name ("Minister") is a mention of that person; and confident nominal
references ("the general") attach to the most recent compatible entity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.extract.arrays import words
from kg.extract.lexicon import Gazetteer
from kg.extract.mentions import collect_mentions
from kg.records import Entity, Mention

ACTOR_TYPES = frozenset({"person", "organization", "state", "unit", "armed_group"})
PLACE_TYPES = frozenset({"place", "state", "facility"})
ORG_TYPES = frozenset({"organization", "state", "unit", "armed_group"})

NOMINAL_PERSON = frozenset({"general", "commander", "president", "minister", "leader", "chief", "colonel",
                            "officer", "cleric", "spokesman", "envoy", "ayatollah"})
NOMINAL_ORG = frozenset({"group", "militia", "movement", "organization", "organisation", "force", "corps"})
NOMINAL_STATE = frozenset({"country", "government", "regime", "kingdom", "republic"})
NOMINAL_WORDS = NOMINAL_PERSON | NOMINAL_ORG | NOMINAL_STATE


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
    types: dict[str, str] = field(default_factory=dict)  # entity id -> entity type

    def entity_at(self, token: Token) -> str | None:
        return self.by_token.get(token.i)


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isupper()]
    return "".join(w[0] for w in words)


def _norm(text: str) -> str:
    text = re.sub(r"^(the|al|el)[\s-]+", "", text.strip(), flags=re.I)
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def extract_entities(doc: Doc, gazetteer: Gazetteer, sentence_of: Callable[[int], int],
                     ignore: Callable[[int, int], bool], id_prefix: str = "E") -> EntityIndex:
    cands = collect_mentions(doc, gazetteer, ignore)
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
    ordered = sorted(cands, key=lambda c: (-len(c.span.text.split()), c.span.start))
    for cand in ordered:
        span, etype, conf, key = cand.span, cand.type, cand.confidence, cand.key
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
        if cand.title is not None and cand.title not in token_owner:
            attach(draft, doc[cand.title: cand.title + 1], "nominal")  # "Minister" in "Minister X"

    _attach_nominals(doc, drafts, token_owner, token_span, sentence_of, ignore)

    # Stable order and ids: by first mention.
    for draft in drafts:
        draft.mentions.sort(key=lambda m: m.start)
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
    return EntityIndex(tuple(entities), by_token, token_span, {e.id: e.type for e in entities})


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
    lowers, _ = words(doc)
    for i, word in enumerate(lowers):
        if word not in NOMINAL_WORDS or i in token_owner or i == 0 or lowers[i - 1] != "the":
            continue
        token = doc[i]
        if token.pos_ != "NOUN":
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
