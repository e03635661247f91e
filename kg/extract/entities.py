"""Entity mentions -> resolved entities within one document.

The typed mentions come from :mod:`kg.extract.mentions` (boundaries, demonyms, types). Here they are
grouped into entities: gazetteer id, same normalised name, surname -> full name, acronym -> the name it
abbreviates; a title word before a name ("Minister") is a mention of that person; and confident nominal
references ("the general") attach to the most recent compatible entity.

Nominal entities: a noun phrase whose head is in a typed noun class of mappings/nouns.yaml ("two soldiers",
"the militants", "a car bomb", "the market") and that names no named entity becomes a nominal entity of the
class's type (label NOMINAL, ``nominal`` true, the count its numeral gives; a single person counts one). A
definite phrase with the same head as an earlier one within ``NOMINAL_WINDOW`` sentences is the same entity
("two soldiers ... the soldiers"). A phrase with a named modifier ("Hezbollah fighters") is a mention of that
name. Nominal entities are candidates: only those an argument uses (:meth:`EntityIndex.use`) are part of
the record, so the graph gets "the militants" as the agent of an attack but no node for every "people".

Pronouns ("he", "they", "its") are resolved by :mod:`kg.extract.coref` to a named or nominal entity and
become its mentions (source "pronoun").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.extract.arrays import words
from kg.extract.coref import MentionAt, Referent, resolve_pronouns
from kg.extract.lexicon import Gazetteer, NounClasses, load_nouns
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
NOMINAL_WINDOW = 4  # sentences within which "the soldiers" is the same as an earlier "two soldiers"
NOMINAL_LABEL = "NOMINAL"
DEFINITE = frozenset({"the", "these", "those", "this", "that"})
PHRASE_DEPS = frozenset({"det", "nummod", "amod", "compound", "nmod", "quantmod", "predet", "poss"})
NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                     "ninety": 90, "hundred": 100, "dozen": 12, "a": 1, "an": 1})


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
    nominal: bool = False
    count: int | None = None
    referent: Referent | None = None  # what pronoun resolution knows of it


class EntityIndex:
    """The document's entities and token -> entity lookups used by triggers, events and relations.

    ``by_token`` holds named entities and the pronouns resolved to them (what :meth:`entity_at` answers);
    nominal entities are looked up separately (:meth:`nominal_at`) and become part of ``entities`` only
    once an argument uses them (:meth:`use`).
    """

    def __init__(self, named: tuple[Entity, ...], by_token: dict[int, str], spans: dict[int, tuple[int, int]],
                 nominals: tuple[Entity, ...] = (), nominal_by_token: dict[int, str] | None = None) -> None:
        self.named = named
        self.by_token = by_token
        self.spans = spans  # token index -> (first token, end token) of its mention (named or nominal)
        self.nominals = {e.id: e for e in nominals}
        self.nominal_by_token = nominal_by_token or {}
        self.types = {e.id: e.type for e in (*named, *nominals)}  # entity id -> entity type
        self.used: set[str] = set()

    @property
    def entities(self) -> tuple[Entity, ...]:
        """The named entities, then the nominal entities some argument uses, by first mention."""
        return self.named + tuple(e for e in self.nominals.values() if e.id in self.used)

    def entity_at(self, token: Token) -> str | None:
        return self.by_token.get(token.i)

    def nominal_at(self, token: Token) -> str | None:
        return self.nominal_by_token.get(token.i)

    def use(self, entity_id: str) -> None:
        if entity_id in self.nominals:
            self.used.add(entity_id)


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
    nouns = load_nouns()
    nominal_owner: dict[int, _Draft] = {}
    mentions = _named_mentions(doc, drafts, token_span, sentence_of)
    nominals = _nominal_entities(doc, nouns, token_owner, token_span, nominal_owner, sentence_of, ignore, mentions)
    _attach_pronouns(doc, [*drafts, *nominals], mentions, token_owner, nominal_owner, token_span, sentence_of, ignore)

    # Stable order and ids: by first mention (named entities first, then the nominal ones).
    ids: dict[int, str] = {}
    built: list[list[Entity]] = [[], []]
    number = 0
    for group, items in enumerate((drafts, nominals)):
        for draft in items:
            draft.mentions.sort(key=lambda m: m.start)
        items.sort(key=lambda d: d.mentions[0].start)
        for draft in items:
            number += 1
            ids[id(draft)] = f"{id_prefix}{number}"
            built[group].append(Entity(
                id=f"{id_prefix}{number}", type=draft.type, name=draft.name, label=draft.label,
                mentions=tuple(draft.mentions), confidence=round(draft.confidence, 3),
                key=draft.key, wikidata=draft.wikidata, count=draft.count, nominal=draft.nominal,
            ))
    by_token = {i: ids[id(d)] for i, d in token_owner.items()}
    nominal_by_token = {i: ids[id(d)] for i, d in nominal_owner.items()}
    return EntityIndex(tuple(built[0]), by_token, token_span, tuple(built[1]), nominal_by_token)


# ------------------------------------------------------------------ nominal entities and pronouns


def _gender(doc: Doc, start: int) -> str | None:
    before = doc[start - 1].lower_.rstrip(".") if start > 0 else ""
    return {"mr": "male", "mrs": "female", "ms": "female", "miss": "female", "sir": "male"}.get(before)


def _named_mentions(doc: Doc, drafts: list[_Draft], token_span: dict[int, tuple[int, int]],
                    sentence_of: Callable[[int], int]) -> list[MentionAt]:
    """One MentionAt per named mention (its syntactic head), with a Referent per entity."""
    out: list[MentionAt] = []
    for draft in drafts:
        first = min(draft.heads) if draft.heads else 0
        draft.referent = Referent(draft, draft.type, False, True,
                                  _gender(doc, token_span.get(first, (first, first))[0]))
        for last in draft.heads:
            start, end = token_span.get(last, (last, last + 1))
            head = doc[start:end].root
            out.append(MentionAt(head.i, sentence_of(head.i), head.dep_ in {"nsubj", "nsubjpass"}, draft.referent))
    return out


def _nominal_entities(doc: Doc, nouns: NounClasses, token_owner: dict[int, _Draft],
                      token_span: dict[int, tuple[int, int]], nominal_owner: dict[int, _Draft],
                      sentence_of: Callable[[int], int], ignore: Callable[[int, int], bool],
                      mentions: list[MentionAt]) -> list[_Draft]:
    """Nominal entities of the typed noun classes (see the module docstring); their mentions are added to
    ``nominal_owner``/``token_span`` and, for coreference, to ``mentions``."""
    lowers, lemmas = words(doc)
    heads = nouns.heads
    typed = nouns.types
    drafts: list[_Draft] = []
    recent: dict[tuple[str, str], tuple[_Draft, int]] = {}  # (type, head lemma) -> (draft, sentence)
    named_referents = {id(d): d.referent for d in token_owner.values()}
    for i, lemma in enumerate(lemmas):
        if lemma not in typed and lemma.endswith("s") and lemma[:-1] in typed and doc[i].tag_ in {"NNP", "NNPS"}:
            lemma = lemma[:-1]  # "Guerrillas blew up a pylon": a capitalised plural the tagger took for a name
        if (lemma not in typed and lemma not in heads and lowers[i] not in typed) or i in token_owner:
            continue
        token = doc[i]
        if token.pos_ not in {"NOUN", "PROPN"}:
            continue
        if token.dep_ == "compound" and (token.head.i in token_owner or nouns.entity_type(
                token.head.lemma_.lower(), [c.lemma_.lower() for c in token.head.children if c.dep_ == "compound"])):
            continue  # "police station": the station is the phrase; "bomb attack": the bomb is one
        modifiers = [c for c in token.children if c.dep_ in {"compound", "amod", "nmod"}]
        etype = nouns.entity_type(lemma, [m.lemma_.lower() for m in modifiers]) or typed.get(lowers[i])
        if etype is None or ignore(token.idx, token.idx + len(token)):
            continue
        sentence = sentence_of(i)
        subject = token.dep_ in {"nsubj", "nsubjpass"}
        owner = next((token_owner[m.i] for m in (*modifiers, *(c for c in token.children if c.dep_ == "poss"))
                      if m.i in token_owner and m.dep_ != "poss"), None)
        if owner is not None and etype not in {"weapon", "vehicle"}:
            # "Hezbollah fighters", "Iranian troops": a mention of the name, for pronouns
            referent = named_referents.get(id(owner))
            if referent is not None:
                mentions.append(MentionAt(i, sentence, subject, referent))
            continue
        left = [c for c in token.lefts if c.dep_ in PHRASE_DEPS and c.i not in token_owner]
        start = min((c.left_edge.i for c in left), default=i)
        start = max(start, i - 6)
        span = doc[start: i + 1]
        plural = token.tag_ in {"NNS", "NNPS"} or lemma in {"people", "police", "troop", "crowd"}
        count = _count(token, plural, etype)
        det = next((c.lower_ for c in token.children if c.dep_ == "det"), None)
        draft = None
        previous = recent.get((etype, lemma))
        if previous is not None and det in DEFINITE and sentence - previous[1] <= NOMINAL_WINDOW:
            draft = previous[0]  # "two soldiers ... the soldiers"
        if draft is None:
            name = " ".join(t.text for t in span if t.dep_ not in {"det", "nummod", "predet", "poss", "quantmod"}
                            or t.i == i)
            gender = "male" if nouns.has("male", lemma) else "female" if nouns.has("female", lemma) else None
            draft = _Draft(etype, name, NOMINAL_LABEL, [], 0.55, nominal=True, count=count)
            draft.referent = Referent(draft, etype, plural, False, gender)
            drafts.append(draft)
        elif draft.count is None:
            draft.count = count
        draft.mentions.append(Mention(span.start_char, span.end_char, span.text, sentence, "nominal"))
        draft.heads.append(i)
        recent[(etype, lemma)] = (draft, sentence)
        nominal_owner[i] = draft
        token_span[i] = (start, i + 1)
        if draft.referent is not None:
            mentions.append(MentionAt(i, sentence, subject, draft.referent))
    return drafts


def _count(token: Token, plural: bool, etype: str) -> int | None:
    """How many a nominal phrase names: its numeral ("two soldiers", "13 people"), one for a single person."""
    for child in token.children:
        if child.dep_ == "nummod":
            text = child.lower_.replace(",", "")
            if text.isdigit():
                return int(text)
            if text in NUMBER_WORDS:
                return NUMBER_WORDS[text]
            return None
    return 1 if etype == "person" and not plural else None


def _attach_pronouns(doc: Doc, drafts: list[_Draft], mentions: list[MentionAt], token_owner: dict[int, _Draft],
                     nominal_owner: dict[int, _Draft], token_span: dict[int, tuple[int, int]],
                     sentence_of: Callable[[int], int], ignore: Callable[[int, int], bool]) -> None:
    """Resolve pronouns and make each a mention of its entity."""
    for i, referent in resolve_pronouns(doc, mentions, sentence_of, ignore).items():
        draft = referent.key
        if not isinstance(draft, _Draft) or i in token_owner or i in nominal_owner:
            continue
        token = doc[i]
        draft.mentions.append(Mention(token.idx, token.idx + len(token), token.text, sentence_of(i), "pronoun"))
        (nominal_owner if draft.nominal else token_owner)[i] = draft
        token_span[i] = (i, i + 1)


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
