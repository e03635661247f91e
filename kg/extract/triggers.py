"""Event triggers: which words of a parsed document start an event of which type (see
``mappings/triggers.yaml``).

Lexicon phrases first (longest first), then verbs and nouns; never a word inside a named entity or an
idiom ("under fire"), never a weapon or a person ("bomb", "bomber": those are arguments). Reporting verbs
("say", "tell") start a Statement only where the text is about a statement ("said in a statement", "told
reporters", "said it would ..."); object-bound verbs only with their object ("issued a statement", "called
him") and their particle ("called off the strike"), whose noun then starts no second event; "tried to" is no
trial; "seized two men" is an arrest; "attempted murder" is an attack; a violent word whose object is a scourge
("fight crime", "the war on drugs", "attack the virus") is a campaign, no violence, and so is a violent verb
whose "with" is a penalty ("hit the firms with sanctions"); "detonating caps" are things, not a bombing. A
trigger then takes the finer type its arguments call for (``refine`` in the lexicon: a seizure by an armed
group is a takeover, a shooting of protesters a crackdown, "blew himself up" a suicide bombing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.arrays import words
from kg.extract.entities import EntityIndex
from kg.extract.lexicon import Lexicon, NounClasses, Refinement, TriggerEntry, load_nouns

STATEMENT_VENUES = frozenset("""statement communique communiqué interview speech address conference briefing broadcast
message post tweet video letter television tv radio rally hearing parliament session debate programme program show
podcast appearance testimony twitter facebook telegram website newspaper op-ed editorial column""".split())
AUDIENCES = frozenset("""reporter journalist juror jury lawmaker legislator parliament audience crowd supporter rally
conference court media press committee senate congress assembly judge parliamentarian delegate gathering
congregation worshipper mourner""".split())
COMMITMENT_AUX = frozenset({"will", "would", "must", "should", "shall", "'ll", "'d", "wo"})
ATTEMPT_WORDS = frozenset({"attempt", "attempted", "failed", "foiled", "thwarted", "botched", "foil", "thwart"})
PERSONAL_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "you", "him", "her", "them", "us", "me",
                               "who", "whom"})
REFLEXIVES = frozenset({"himself", "herself", "themselves", "itself", "themself"})
# Quantities that stand for their "of" phrase as an object ("700 kg of medicine", "tons of grain").
MEASURES = frozenset({"kg", "kilogram", "ton", "tonne", "tons", "pound", "lb", "litre", "liter", "gallon", "barrel",
                      "million", "billion", "thousand", "hundred", "dozen", "bag", "box", "crate", "truckload",
                      "shipment", "load", "consignment", "batch", "worth", "amount", "quantity", "lot"})
DEONTIC = frozenset({"must", "should", "ought"})  # "X must withdraw": a demand
# Request verbs that also report what is so ("suggested that the plan had failed"); "demand", "urge" never do.
TELLING_OR_ASKING = frozenset({"suggest", "advise", "insist", "recommend"})
FUTURE = frozenset({"will", "would", "shall", "'ll", "wo"})
HOSTILE_TYPES = frozenset({"coercion", "sanction", "rejection", "threat", "withdrawal"})
MODIFIER_DEPS = frozenset({"compound", "amod", "nmod"})


@dataclass(frozen=True)
class Candidate:
    token: Token
    start: int  # token index of the trigger's first token
    end: int  # exclusive
    entry: TriggerEntry
    is_verb: bool
    rule: str


def find_triggers(doc: Doc, lexicon: Lexicon, index: EntityIndex,
                  ignore: Callable[[int, int], bool]) -> list[Candidate]:
    """Trigger candidates: lexicon phrases (longest first), then single verbs and nouns, minus idioms,
    words inside a named entity, reporting verbs outside a statement context and object-bound verbs
    without their object."""
    taken: set[int] = set()
    lowers, lemmas = words(doc)
    found: list[Candidate] = []
    # Multi-word phrases first, longest first.
    for i, size, key in _matches(lemmas, lowers, lexicon.phrases, lexicon.phrase_starts, lexicon.max_phrase):
        if any(j in taken or j in index.by_token for j in range(i, i + size)):
            continue
        head = doc[i: i + size].root
        is_verb = head.pos_ in {"VERB", "AUX"}
        if is_verb and key in lexicon.noun_phrases:
            continue  # "drones struck" is not the noun "drone strike"
        phrase = _refined(head, lexicon.phrases[key], is_verb, lexicon, index)
        if is_verb and _against_scourge(head, phrase, True):
            continue  # "the terror that has taken over the country"
        taken.update(range(i, i + size))
        found.append(Candidate(head, i, i + size, phrase, is_verb, f"phrase:{' '.join(key)}"))
    blocked = _idiom_tokens(lexicon, lemmas, lowers) - taken
    consumed: set[int] = set()  # objects of object-bound verbs ("issued a statement"): no second event
    keys, starts = lexicon.single_words, lexicon.phrase_starts
    for i, (lower, lemma) in enumerate(zip(lowers, lemmas, strict=True)):
        split = _split_phrase(doc[i], lemma, lexicon) if lemma in starts and i not in taken and i not in blocked \
            and i not in index.by_token else None
        if split is not None:  # "blew the bridge up", "took the town over"
            key, phrasal = split
            phrasal = _refined(doc[i], phrasal, True, lexicon, index)
            if not _against_scourge(doc[i], phrasal, True):
                found.append(Candidate(doc[i], i, i + 1, phrasal, True, f"phrase:{' '.join(key)}"))
            continue
        if lemma not in keys and lower not in keys and lemma[:-1] not in keys:
            if not (lower.endswith(("ed", "ing")) and lemma + "e" in keys):
                continue
            lemma += "e"  # the lemmatizer's slip: "raped" -> "rap", the lexicon's "rape"
        if i in taken or i in blocked:
            continue
        token = doc[i]
        if token.i in index.by_token or token.is_stop:
            continue
        if token.pos_ == "VERB":
            if _verb_as_modifier(token):
                continue
            entry, consumes = _verb_entry(token, lemma, lexicon, index)
            if entry is None or _against_scourge(token, entry, True) or _kind_of_weapon(token, entry) \
                    or _with_penalty(token, entry) or _describes_people(token, entry, index):
                continue
            consumed.update(consumes)
            found.append(Candidate(token, token.i, token.i + 1, entry, True, f"verb:{lemma}"))
        elif token.pos_ in {"NOUN", "PROPN"} or (token.pos_ == "ADJ" and lemma in {"dead", "wounded", "injured", "slain"}):
            entry = lexicon.nouns.get(lemma) or lexicon.nouns.get(token.lower_)
            if entry is None and lemma.endswith("s"):
                entry = lexicon.nouns.get(lemma[:-1])  # "Shootings" at the start of a sentence, as a name
            if entry is None or _against_scourge(token, entry, False) or _names_a_kind(token):
                continue
            if (token.dep_ == "compound" and not load_nouns().has("event_head", token.head.lemma_.lower())
                    and _has_verb(token.sent)):
                continue  # "surveillance cameras", "arrest warrants": a kind of thing, not an event (a
                # sentence without a verb is a headline whose verb was read as a noun: "Rebels attack army base")
            if entry.attempt and any(
                    c.dep_ in {"amod", "compound"} and c.lemma_.lower() in ATTEMPT_WORDS for c in token.children):
                entry = lexicon.entry(entry.attempt) or entry  # "attempted murder", "failed assassination"
            entry = _refined(token, entry, False, lexicon, index)
            found.append(Candidate(token, token.i, token.i + 1, entry, False, f"noun:{lemma}"))
    return [c for c in found if c.is_verb or c.token.i not in consumed]


def _against_scourge(token: Token, entry: TriggerEntry, is_verb: bool) -> bool:
    """A violent verb or noun aimed at an ill of society (nouns.yaml ``scourge``): "fight drug trafficking",
    "battled against terrorism", "the war on drugs". Its first object decides ("fought the rebels and crime"
    is a battle). Nor is an ill that does what a violent verb says ("the terror that has taken over the
    country"), unless the verb is a harm: a disease that kills people still kills them."""
    if "violent" not in entry.traits:
        return False
    nouns = load_nouns()
    if is_verb and "harm" not in entry.traits:
        for subject in token.children:
            if subject.dep_ == "nsubj":
                actor = token.head if subject.lower_ in {"that", "which"} and token.dep_ == "relcl" else subject
                # "a wave of terror", "the campaign of violence": what it is a wave of
                actors = [actor, *(g for c in actor.children if c.dep_ == "prep" and c.lower_ == "of"
                                   for g in c.children if g.dep_ == "pobj")]
                if any(nouns.has("scourge", a.lemma_.lower(), _modifiers(a)) for a in actors):
                    return True
    for child in token.children:
        target: Token | None = None
        if is_verb and child.dep_ == "dobj":
            target = child
        elif child.dep_ == "prep" and child.lower_ in {"against", "on"}:
            target = next((c for c in child.children if c.dep_ == "pobj"), None)
        if target is not None:
            return nouns.has("scourge", target.lemma_.lower(), _modifiers(target))
    return False


def _split_phrase(verb: Token, lemma: str, lexicon: Lexicon) -> tuple[tuple[str, ...], TriggerEntry] | None:
    """A phrasal verb of the lexicon whose particle comes after the object ("blew the bridge up"): the
    phrase matcher only sees "blew up" when the words are side by side."""
    if verb.pos_ != "VERB":
        return None
    for particle in verb.children:
        if particle.dep_ == "prt" and particle.i > verb.i + 1:
            key = (lemma, particle.lower_)
            entry = lexicon.phrases.get(key)
            if entry is not None and key not in lexicon.noun_phrases:
                return key, entry
    return None


def _names_a_kind(noun: Token) -> bool:
    """An event noun that names a kind of event, no happening: a bare one as the subject or field of a topic
    head (nouns.yaml ``topic``: "an expert in drone warfare", "a book on terrorism", "a law against torture"),
    or one in a weapon's "of" phrase ("weapons of mass destruction")."""
    if noun.dep_ != "pobj":
        return False
    prep, nouns = noun.head, load_nouns()
    owner = prep.head.lemma_.lower()
    if prep.lower_ == "of":
        return nouns.has("weapon", owner)
    if prep.lower_ not in {"in", "on", "about", "against"} or not nouns.has("topic", owner):
        return False
    return not any(c.dep_ in {"det", "poss", "nummod"} for c in noun.children)


def _with_penalty(verb: Token, entry: TriggerEntry) -> bool:
    """A violent verb whose "with" names a penalty, not a weapon (nouns.yaml ``penalty``): "hit the firms with
    sanctions", "was struck with a fine". The penalty noun is its own event where the lexicon has one."""
    if "violent" not in entry.traits:
        return False
    nouns = load_nouns()
    return any(obj.dep_ == "pobj" and nouns.has("penalty", obj.lemma_.lower(), _modifiers(obj))
               for child in verb.children if child.dep_ == "prep" and child.lower_ == "with"
               for obj in child.children)


def _kind_of_weapon(verb: Token, entry: TriggerEntry) -> bool:
    """A weapon verb's participle naming a kind of thing: "detonating caps", "exploding bullets". Not where it
    describes a vehicle, a building or a person: "an exploding car" is a bombing."""
    if "weapon" not in entry.traits or verb.tag_ != "VBG" or verb.dep_ not in {"amod", "compound"}:
        return False
    return load_nouns().entity_type(verb.head.lemma_.lower()) not in {"vehicle", "facility", "place", "person"}


def _verb_as_modifier(verb: Token) -> bool:
    """A verb form that only modifies a noun names a kind of thing or a property, not an event: a compound
    ("an MRTA hit squad") whose head is no event noun, or a participle inside a hyphenated adjective ("a
    slow-burning fuse", "a fast-spreading fire"). A sentence whose only verb is this one is a headline read
    wrongly, and keeps it."""
    if verb.dep_ == "compound":
        return not load_nouns().has("event_head", verb.head.lemma_.lower()) and any(
            t.pos_ in {"VERB", "AUX"} and t.i != verb.i for t in verb.sent)
    if verb.dep_ != "amod" or verb.i - verb.sent.start < 2:
        return False
    hyphen, word = verb.doc[verb.i - 1], verb.doc[verb.i - 2]
    return hyphen.text == "-" and not hyphen.whitespace_ and not word.whitespace_ and word.pos_ in {"ADV", "ADJ"}


def _describes_people(verb: Token, entry: TriggerEntry, index: EntityIndex) -> bool:
    """A violent verb's present participle on a noun for people says what they do or are, not that it happened
    here: "striking transporters" are on strike, "the fighting men" are soldiers. (A past participle is the
    event: "the murdered mayors".)"""
    if "violent" not in entry.traits or verb.tag_ != "VBG" or verb.dep_ != "amod":
        return False
    return _is_person(verb.head, index)


def _has_verb(sentence: Span) -> bool:
    return any(t.pos_ in {"VERB", "AUX"} for t in sentence)


def _matches(lemmas: list[str], lowers: list[str], table: Mapping[tuple[str, ...], object] | frozenset[tuple[str, ...]],
             starts: frozenset[str], longest: int) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, size, key) of every word sequence of ``table`` in the text (lemmas, else lower-cased words),
    longest first, then leftmost. Only positions whose word starts some sequence (``starts``) are tried."""
    found: list[tuple[int, int, tuple[str, ...]]] = []
    n = len(lemmas)
    for i in range(n):
        if lemmas[i] not in starts and lowers[i] not in starts:
            continue
        for size in range(min(longest, n - i), 0, -1):
            key = tuple(lemmas[i: i + size])
            if key not in table:
                key = tuple(lowers[i: i + size])
                if key not in table:
                    continue
            found.append((i, size, key))
    found.sort(key=lambda m: (-m[1], m[0]))
    return found


def _idiom_tokens(lexicon: Lexicon, lemmas: list[str], lowers: list[str]) -> set[int]:
    blocked: set[int] = set()
    for i, size, _ in _matches(lemmas, lowers, lexicon.idioms, lexicon.idiom_starts, lexicon.max_idiom):
        blocked.update(range(i, i + size))
    return blocked


def _verb_entry(token: Token, lemma: str, lexicon: Lexicon,
                index: EntityIndex) -> tuple[TriggerEntry | None, tuple[int, ...]]:
    """The lexicon entry a verb starts, with the tokens it consumes, or None."""
    for entry in lexicon.conditional.get(lemma, ()):
        if entry.condition == "statement" and _statement_context(token):
            return _by_complement(token, entry, lexicon), ()
        if entry.condition == "object":
            if any(c.dep_ in {"oprd", "ccomp", "xcomp"} for c in token.children):
                continue  # "called it an attack", "called on X to ..."
            if entry.particle and not any(c.dep_ == "prt" and c.lower_ == entry.particle for c in token.children):
                continue  # "called a strike" is no "called off a strike"
            objects = [c for c in token.children if c.dep_ in {"dobj", "nsubjpass"}
                       and _fits(c, entry.objects, index, load_nouns(), types=False)]
            if objects:
                return _refined(token, entry, True, lexicon, index), tuple(o.i for o in objects)
    plain = lexicon.verbs.get(lemma)
    if plain is None:
        return None, ()
    entry = plain
    if token.dep_ == "amod" and "report" in entry.traits:
        return None, ()  # "a reported air strike" reports nothing
    if "no-xcomp" in entry.traits and any(c.dep_ == "xcomp" for c in token.children):
        return None, ()  # "tried to flee" is an attempt, not a trial
    if entry.person_object and _person_object(token, index):
        entry = lexicon.entry(entry.person_object) or entry  # "seized two suspects" is an arrest
    if entry.type == "statement":
        entry = _by_complement(token, entry, lexicon)
    elif entry.type == "request" and lemma in TELLING_OR_ASKING and _states_a_fact(token):
        entry = lexicon.entry("statement") or entry
    return _refined(token, entry, True, lexicon, index), ()


def _states_a_fact(verb: Token) -> bool:
    """A request verb whose clause is in the indicative says what is so, not what should be done: "suggested that
    the army's position is what persuaded Russia" is a statement; "suggested that he resign" (or "should
    resign") a request."""
    for clause in verb.children:
        if clause.dep_ != "ccomp":
            continue
        auxes = [c for c in clause.children if c.dep_ in {"aux", "auxpass"}]
        if any(a.lower_ in DEONTIC | FUTURE or a.lower_ in {"could", "might", "may"} for a in auxes):
            return False
        # a plural present ("that its partners refuse") may be the subjunctive: only the unambiguous forms
        return clause.tag_ in {"VBD", "VBZ"} or any(a.tag_ in {"VBD", "VBZ"} for a in auxes)
    return False


def _by_complement(verb: Token, entry: TriggerEntry, lexicon: Lexicon) -> TriggerEntry:
    """What a statement says it is: "declared that China must drop barriers" is a demand; "announced that it
    would impose restrictions" (or "withdraw ... unless") a threat of the hostile act it announces."""
    for clause in verb.children:
        if clause.dep_ != "ccomp":
            continue
        auxes = {c.lower_ for c in clause.children if c.dep_ == "aux"}
        if auxes & DEONTIC or (clause.lemma_.lower() == "have" and any(c.dep_ == "xcomp" for c in clause.children)):
            return lexicon.entry("request") or entry
        if auxes & FUTURE:
            lemma = clause.lemma_.lower()
            acts = [e for e in (lexicon.verbs.get(lemma), *lexicon.conditional.get(lemma, ())) if e is not None]
            conditional = any(c.dep_ == "advcl" and any(m.lower_ in {"unless", "if"} for m in c.children)
                              for c in clause.children)
            if any("violent" in a.traits or a.type in HOSTILE_TYPES for a in acts) or (acts and conditional):
                return lexicon.entry("threat") or entry
    return entry


def _statement_context(verb: Token) -> bool:
    """Whether a reporting verb reports a statement as such, not just the source of a report: "said in a
    statement", "told reporters", "speaking on television", "said it would withdraw"."""
    for child in verb.children:
        if child.dep_ == "prep":
            for obj in child.children:
                if obj.dep_ == "pobj" and (obj.lemma_.lower() in STATEMENT_VENUES
                                           or (child.lower_ == "to" and obj.lemma_.lower() in AUDIENCES)):
                    return True
        elif child.dep_ in {"dobj", "dative"} and child.lemma_.lower() in AUDIENCES:
            return True
        elif child.dep_ == "ccomp" and any(
                c.dep_ == "aux" and c.lower_ in COMMITMENT_AUX for c in child.children):
            return True
    return False


def _is_person(token: Token, index: EntityIndex) -> bool:
    if token.lower_ in PERSONAL_PRONOUNS - {"it"} or load_nouns().has("person", token.lemma_.lower()):
        return True
    entity = index.entity_at(token)
    return entity is not None and index.types.get(entity) == "person"


def _person_object(verb: Token, index: EntityIndex) -> bool:
    nouns = load_nouns()
    for child in verb.children:
        if child.dep_ in {"dobj", "nsubjpass"}:
            if nouns.has("person", child.lemma_.lower()) and index.entity_at(child) is None:
                return True
            entity = index.entity_at(child)
            if entity is not None and index.types.get(entity) == "person":
                return True
    return False


def _modifiers(token: Token) -> list[str]:
    return [c.lemma_.lower() for c in token.children if c.dep_ in MODIFIER_DEPS]


def _fits(token: Token, wanted: frozenset[str], index: EntityIndex, nouns: NounClasses, types: bool = True) -> bool:
    """Whether a word fits a condition: its lemma, a "modifier lemma" pair, one of its noun classes
    ("@protester") or (with ``types``) its entity type is in ``wanted``; a measure stands for its "of" phrase."""
    lemma = token.lemma_.lower()
    if lemma in MEASURES or token.like_num:
        of = [o for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for o in c.children
              if o.dep_ == "pobj"]
        if of:
            return _fits(of[0], wanted, index, nouns, types)
    if lemma in wanted or token.lower_ in wanted:
        return True
    modifiers = _modifiers(token)
    if any(f"{m} {lemma}" in wanted for m in modifiers):
        return True
    if types:
        entity = index.entity_at(token)
        etype = index.types.get(entity) if entity else nouns.entity_type(lemma, modifiers)
        if etype in wanted:
            return True
    for item in wanted:
        if item.startswith("@"):
            cls = item[1:]
            if cls == "person" and _is_person(token, index):
                return True
            if nouns.has(cls, lemma, modifiers) or nouns.has(cls, token.lower_, modifiers):
                return True
    return False


def _refined(token: Token, entry: TriggerEntry, is_verb: bool, lexicon: Lexicon, index: EntityIndex) -> TriggerEntry:
    """The finer entry the trigger's arguments call for (the first refine rule that holds), else ``entry``."""
    if not entry.refine:
        return entry
    nouns = load_nouns()
    slots = _slots(token, is_verb, entry)
    for rule in entry.refine:
        if _holds(rule, slots, index, nouns):
            return lexicon.entry(rule.type) or entry
    return entry


def _holds(rule: Refinement, slots: dict[str, list[Token]], index: EntityIndex, nouns: NounClasses) -> bool:
    if rule.reflexive and not any(t.lower_ in REFLEXIVES for t in slots["target"]):
        return False
    for name, wanted in (("agent", rule.agent), ("target", rule.target), ("instrument", rule.instrument)):
        if wanted is not None and not any(_fits(t, wanted, index, nouns) for t in slots[name]):
            return False
    return True


def _slots(token: Token, is_verb: bool, entry: TriggerEntry) -> dict[str, list[Token]]:
    """The words that may fill agent, target and instrument of a trigger, read off the parse (a rough cut of
    what :mod:`kg.extract.arguments` does; enough to decide a type)."""
    agent: list[Token] = []
    target: list[Token] = []
    instrument: list[Token] = []
    children = list(token.children)
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in children)
    for child in children:
        dep = child.dep_
        if dep == "nsubj" and not passive:
            agent.append(token.head if child.lower_ in {"who", "that", "which"} and token.dep_ == "relcl" else child)
        elif dep in {"dobj", "nsubjpass"}:
            target.append(child)
        elif dep == "poss":
            (target if "possessive-target" in entry.traits else agent).append(child)
        elif dep in MODIFIER_DEPS and not is_verb:
            (target if "harm" in entry.traits else agent).append(child)
            instrument.append(child)
        elif dep in {"prep", "agent"}:
            for obj in child.children:
                if obj.dep_ != "pobj":
                    continue
                word = child.lower_
                if dep == "agent" or word == "by":
                    agent.append(obj)
                    instrument.append(obj)
                elif word in {"on", "against", "at", "upon", "of"}:
                    target.append(obj)
                elif word == "with":
                    instrument.append(obj)
    if is_verb and not agent and token.dep_ in {"relcl", "acl"} and not passive:
        agent.append(token.head)  # "the militants who seized the town"
    if is_verb and not agent and token.dep_ in {"conj", "xcomp"}:
        agent += [c for c in token.head.children if c.dep_ == "nsubj"]
    if not is_verb and token.dep_ in {"dobj", "obj"}:
        agent += [c for c in token.head.children if c.dep_ == "nsubj"]  # "the mob launched an attack"
    if "weapon" in entry.traits:
        instrument += target + agent
    return {"agent": agent, "target": target, "instrument": instrument}
