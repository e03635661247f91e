"""Events: triggers from the lexicon, arguments from the dependency parse, modality, counts, attribution.

Roles (agent, target, place, time, instrument) come from grammatical relations of the trigger:
- verbs: active subject (agent, or the lexicon's ``subject_role``), passive subject (target for
  ``passive_target`` verbs), "by" agent, direct object (target), prepositions in/near/at/... (place),
  against/on (target), with (instrument); a subject shared by coordinated verbs or inherited from a
  controlling verb ("moved to attack") counts too;
- nouns: compound/adjective modifiers and possessives ("Russian airstrikes", "Israel's offensive"),
  "by" (agent), "on/against" (target), "of" (target), in/near/at (place), and the subject of a light
  verb ("launched an offensive");
- time: a date expression attached to the trigger, else the only one in the sentence.
Role constraints by entity type: a place must be a place, an agent must be an actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.extract.dates import resolve_date
from kg.extract.entities import ACTOR_TYPES, PLACE_TYPES, EntityIndex
from kg.extract.lexicon import Lexicon, TriggerEntry
from kg.records import Argument, Entity, Event

PLACE_PREPS = frozenset({"in", "near", "at", "outside", "inside", "across", "around", "into", "to", "from",
                         "throughout", "within", "along", "between", "over", "toward", "towards"})
TARGET_PREPS = frozenset({"against", "on", "upon"})
LIGHT_VERBS = frozenset({"launch", "carry", "conduct", "stage", "mount", "begin", "start", "wage", "make",
                         "pay", "hold", "lead", "order", "continue", "oversee", "announce", "execute",
                         "perform", "undertake", "step", "intensify", "escalate", "resume", "join"})
SPEECH_VERBS = frozenset({"say", "tell", "report", "claim", "announce", "state", "add", "confirm", "accuse",
                          "allege", "according", "write", "declare", "insist", "suggest", "believe"})
PLAN_VERBS = frozenset({"plan", "intend", "prepare", "aim", "want", "seek", "hope", "mean", "decide", "vow",
                        "pledge", "propose", "consider", "schedule", "set", "try", "attempt", "need"})
EXPECT_WORDS = frozenset({"expect", "likely", "poised", "due", "anticipate", "predict", "upcoming", "imminent"})
DENY_VERBS = frozenset({"deny", "reject", "dismiss", "refute"})
THREAT_VERBS = frozenset({"threaten", "warn"})
HYPOTHETICAL_AUX = frozenset({"could", "may", "might", "would", "should", "can"})
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
PLAN_MODIFIERS = {"planned": "planned", "proposed": "planned", "possible": "hypothetical",
                  "potential": "hypothetical", "future": "planned", "expected": "expected",
                  "upcoming": "expected", "imminent": "expected", "alleged": "asserted",
                  "threatened": "threatened"}
POSSESSIVE_TARGET = frozenset({"killing", "injury", "arrest", "funeral", "kidnapping", "release", "trial"})
MOVEMENT_TYPES = frozenset({"visit", "movement", "deployment", "withdrawal"})
NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12})
PLACE_NOUNS = frozenset({"town", "city", "village", "province", "district", "region", "area", "border",
                         "base", "highway", "road", "airport", "camp", "front", "frontline", "capital",
                         "checkpoint", "market", "mosque", "hospital", "school", "building", "compound"})
HARM_TYPES = frozenset({"killing", "injury"})
CONTACT_TYPES = frozenset({"meeting", "agreement", "contact", "visit"})
ACTOR_NOUNS = frozenset("""official officials troops soldiers forces fighters militants rebels insurgents army police
gunmen gunman attacker attackers militia militiamen jihadists group government regime authorities ministry
commander commanders general officer officers spokesman president leader leaders minister source sources
activists activist witnesses witness residents protesters protester demonstrators bomber bombers man men woman
women people security guards guard navy jets planes aircraft warplanes drones coalition unit units members
member agency observatory media he she they we who""".split())
NON_ARGUMENT_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


@dataclass(frozen=True)
class _Candidate:
    token: Token
    start: int  # token index of the trigger's first token
    end: int  # exclusive
    entry: TriggerEntry
    is_verb: bool
    rule: str


def find_triggers(doc: Doc, lexicon: Lexicon, index: EntityIndex,
                  ignore: Callable[[int, int], bool]) -> Iterator[_Candidate]:
    taken: set[int] = set()
    lemmas = [t.lemma_.lower() for t in doc]
    # Multi-word phrases first, longest first.
    for size in range(lexicon.max_phrase, 1, -1):
        for i in range(len(doc) - size + 1):
            key = tuple(lemmas[i: i + size])
            entry = lexicon.phrases.get(key) or lexicon.phrases.get(tuple(t.lower_ for t in doc[i: i + size]))
            if entry is None or any(j in taken for j in range(i, i + size)):
                continue
            span = doc[i: i + size]
            head = span.root
            if any(j in index.by_token for j in range(i, i + size)):
                continue
            taken.update(range(i, i + size))
            yield _Candidate(head, i, i + size, entry, head.pos_ in {"VERB", "AUX"}, f"phrase:{' '.join(key)}")
    for token in doc:
        if token.i in taken or token.i in index.by_token or token.is_stop and token.lower_ not in {"fire"}:
            continue
        lemma = lemmas[token.i]
        if token.pos_ == "VERB":
            entry = lexicon.verbs.get(lemma)
            if entry is None or (token.dep_ == "amod" and entry.type == "statement"):
                continue  # "a reported air strike" reports nothing
            yield _Candidate(token, token.i, token.i + 1, entry, True, f"verb:{lemma}")
        elif token.pos_ in {"NOUN", "PROPN"} or (token.pos_ == "ADJ" and lemma in {"dead", "wounded", "injured"}):
            entry = lexicon.nouns.get(lemma) or lexicon.nouns.get(token.lower_)
            if entry is None:
                continue
            yield _Candidate(token, token.i, token.i + 1, entry, False, f"noun:{lemma}")


def extract_events(doc: Doc, lexicon: Lexicon, index: EntityIndex, sentence_of: Callable[[int], int],
                   ignore: Callable[[int, int], bool], published: str | None) -> list[Event]:
    entities = {e.id: e for e in index.entities}
    events: list[Event] = []
    dates = [ent for ent in doc.ents if ent.label_ in {"DATE", "TIME"} and not ignore(ent.start_char, ent.end_char)]
    candidates = sorted(find_triggers(doc, lexicon, index, ignore), key=lambda c: c.start)
    for number, cand in enumerate(candidates, 1):
        trig = doc[cand.start: cand.end]
        if ignore(trig.start_char, trig.end_char):
            continue
        builder = _ArgumentBuilder(doc, index, entities, cand)
        if cand.is_verb:
            builder.verb_arguments()
        else:
            builder.noun_arguments()
        builder.time_argument(dates, published)
        modality = _modality(cand.token, cand.is_verb)
        speaker = _speaker(cand.token, index, entities)
        killed = injured = None
        count = builder.count()
        if cand.entry.type == "killing":
            killed = count
        elif cand.entry.type == "injury":
            injured = count
        events.append(Event(
            id=f"V{number}", type=cand.entry.type,
            trigger_start=trig.start_char, trigger_end=trig.end_char, trigger=trig.text,
            sentence=sentence_of(cand.start), confidence=round(cand.entry.confidence * (0.9 if modality != "asserted" else 1.0), 3),
            rule=cand.rule, modality=modality, arguments=tuple(builder.arguments),
            killed=killed, injured=injured,
            reported_by=speaker if cand.entry.type != "statement" else None,
        ))
    return [e for e in events]


class _ArgumentBuilder:
    def __init__(self, doc: Doc, index: EntityIndex, entities: dict[str, Entity], cand: _Candidate) -> None:
        self.doc = doc
        self.index = index
        self.entities = entities
        self.cand = cand
        self.arguments: list[Argument] = []
        self._used: set[tuple[int, int]] = set()
        self._victim: Token | None = None

    # -------------------------------------------------------------- helpers

    def _entity_for(self, head: Token) -> tuple[str | None, Span]:
        """The entity an argument phrase refers to, and the span to report for it."""
        found = self.index.entity_at(head)
        if found is not None:
            start, end = self.index.spans[head.i]
            return found, self.doc[start:end]
        # "six Hezbollah fighters", "Iranian troops", "hundreds of Iranian troops"
        queue = [c for c in head.children if c.dep_ in {"compound", "amod", "poss", "nmod", "appos"}]
        queue += [gc for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for gc in c.children
                  if gc.dep_ == "pobj"]
        for child in queue:
            found = self.index.entity_at(child)
            if found is not None:
                start = min(child.left_edge.i, head.i)
                return found, self.doc[start: head.i + 1] if head.i >= start else self.doc[start: child.i + 1]
            for grandchild in child.children:
                if grandchild.dep_ in {"compound", "amod", "poss"}:
                    found = self.index.entity_at(grandchild)
                    if found is not None:
                        return found, self.doc[min(grandchild.i, head.i): max(grandchild.i, head.i) + 1]
        return None, self.doc[head.left_edge.i if head.left_edge.i >= head.i - 4 else head.i: head.i + 1]

    def add(self, role: str, head: Token, rule: str, confidence: float) -> None:
        if head.pos_ == "PRON" and self.index.entity_at(head) is None:
            return
        if head.i in range(self.cand.start, self.cand.end):
            return
        entity_id, span = self._entity_for(head)
        etype = self.entities[entity_id].type if entity_id else None
        if role == "target" and etype in PLACE_TYPES - {"state"} and self.cand.entry.type in MOVEMENT_TYPES:
            role = "place"
        if role == "place":
            if etype is None and head.lemma_.lower() not in PLACE_NOUNS:
                return
            if etype is not None and etype not in PLACE_TYPES:
                return
        if role == "agent" and etype is not None and etype not in ACTOR_TYPES:
            if etype in PLACE_TYPES:
                return
        if etype is None and head.ent_type_ in NON_ARGUMENT_ENTS and not (role == "target" and head.like_num):
            return
        if role == "agent" and etype is None and head.lemma_.lower() not in ACTOR_NOUNS and head.lower_ not in ACTOR_NOUNS:
            return
        key = (span.start, span.end)
        if key in self._used:
            return
        self._used.add(key)
        if role == "target":
            self._victim = self._victim or head
        self.arguments.append(Argument(
            role=role, start=span.start_char, end=span.end_char, text=span.text,
            confidence=round(confidence * (1.0 if entity_id else 0.7), 3), rule=rule, entity=entity_id,
        ))
        # "Syrian and Hezbollah forces": coordinated arguments share the role.
        for conj in head.children:
            if conj.dep_ == "conj" and conj.pos_ in {"NOUN", "PROPN"}:
                self.add(role, conj, rule + "+conj", confidence * 0.9)

    def _preps(self, token: Token) -> None:
        for prep in token.children:
            if prep.dep_ not in {"prep", "agent"}:
                continue
            word = prep.lower_
            for obj in prep.children:
                if obj.dep_ not in {"pobj", "pcomp"}:
                    continue
                if prep.dep_ == "agent" or word == "by":
                    self.add("agent", obj, "by-agent", 0.85)
                elif word in PLACE_PREPS:
                    self.add("place", obj, f"prep-{word}", 0.75)
                elif word in TARGET_PREPS:
                    role = "place" if self._is_place(obj) else "target"
                    self.add(role, obj, f"prep-{word}", 0.7)
                elif word == "with":
                    contact = self.cand.entry.type in CONTACT_TYPES
                    self.add("target" if contact else "instrument", obj, "prep-with", 0.6 if contact else 0.5)
                elif word == "of" and not self.cand.is_verb:
                    self.add("target", obj, "prep-of", 0.65)

    def _is_place(self, token: Token) -> bool:
        entity_id = self.index.entity_at(token)
        if entity_id is not None:
            return self.entities[entity_id].type in PLACE_TYPES - {"state"}
        return token.lemma_.lower() in PLACE_NOUNS

    # -------------------------------------------------------------- verbs

    def verb_arguments(self) -> None:
        verb = self.cand.token
        entry = self.cand.entry
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass", "csubj"}]
        source = verb
        # Shared subject of coordinated verbs, or subject of a controlling verb ("began arriving").
        while not subjects and source.dep_ in {"conj", "xcomp", "advcl", "ccomp"} and source.head is not source:
            source = source.head
            subjects = [c for c in source.children if c.dep_ in {"nsubj", "nsubjpass"}]
            if source.dep_ not in {"conj", "xcomp"}:
                break
        if not subjects and verb.dep_ in {"relcl", "acl"}:
            subjects = [verb.head]
            passive = verb.tag_ == "VBN" and verb.dep_ == "acl" or any(c.dep_ == "auxpass" for c in verb.children)
            role = "target" if passive and entry.passive_target else entry.subject_role
            self.add(role, verb.head, "relative-clause", 0.7)
            subjects = []
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in source.children)
        for subj in subjects:
            if subj.dep_ == "nsubjpass" or passive:
                role = "target" if entry.passive_target or entry.type not in MOVEMENT_TYPES else "agent"
                self.add(role, subj, "passive-subject", 0.8)
            else:
                self.add(entry.subject_role, subj, "subject", 0.8)
        for child in verb.children:
            if child.dep_ in {"dobj", "obj"}:
                self.add("target", child, "object", 0.8)
            elif child.dep_ == "npadvmod" and entry.type in MOVEMENT_TYPES:
                self.add("place", child, "object", 0.6)
        self._preps(verb)
        for child in verb.children:
            if child.dep_ == "prt":
                self._preps(child)

    # -------------------------------------------------------------- nouns

    def noun_arguments(self) -> None:
        noun = self.cand.token
        entry = self.cand.entry
        for child in noun.children:
            if child.dep_ in {"compound", "amod", "nmod"}:
                entity_id = self.index.entity_at(child)
                if entity_id is None:
                    continue
                etype = self.entities[entity_id].type
                if etype in ACTOR_TYPES:
                    role = "target" if entry.type in HARM_TYPES else "agent"
                    self.add(role, child, "modifier", 0.7)
                elif etype in PLACE_TYPES:
                    self.add("place", child, "modifier", 0.65)
            elif child.dep_ == "poss":
                role = "target" if entry.type in POSSESSIVE_TARGET else "agent"
                self.add(role, child, "possessive", 0.75)
        self._preps(noun)
        head = noun.head
        # "launched an offensive", "carried out airstrikes": the light verb's subject is the agent.
        if noun.dep_ in {"dobj", "obj"} and head.lemma_.lower() in LIGHT_VERBS:
            for subj in head.children:
                if subj.dep_ == "nsubj":
                    self.add("agent", subj, "light-verb", 0.7)
            self._preps(head)
        # "X suffered/was hit by an attack"
        if noun.dep_ == "pobj" and head.lower_ in {"in", "during", "amid"} and entry.type in HARM_TYPES | {"attack"}:
            pass

    # -------------------------------------------------------------- time and counts

    def time_argument(self, dates: list[Span], published: str | None) -> None:
        sent = self.cand.token.sent
        in_sentence = [d for d in dates if d.start >= sent.start and d.end <= sent.end]
        attached = [d for d in in_sentence if _governed_by(d.root, self.cand.token)]
        chosen = attached[0] if attached else (in_sentence[0] if len(in_sentence) == 1 else None)
        if chosen is None:
            return
        self.arguments.append(Argument(
            role="time", start=chosen.start_char, end=chosen.end_char, text=chosen.text,
            confidence=0.75 if attached else 0.5, rule="date-attached" if attached else "date-sentence",
            value=resolve_date(chosen.text, published),
        ))

    def count(self) -> int | None:
        head = self._victim
        if head is None:
            return None
        if head.like_num:
            return _number(head)
        for child in head.children:
            if child.dep_ == "nummod":
                return _number(child)
        return None


def _number(token: Token) -> int | None:
    text = token.lower_.replace(",", "")
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS.get(text)


def _governed_by(token: Token, trigger: Token, depth: int = 3) -> bool:
    current = token
    for _ in range(depth):
        if current.head is current:
            return False
        current = current.head
        if current is trigger:
            return True
    return False


def _modality(trigger: Token, is_verb: bool) -> str:
    """asserted unless the text negates, plans, expects, denies, threatens or supposes the event."""
    clause = trigger
    if not is_verb:
        for child in trigger.children:
            if child.dep_ == "amod" and child.lower_ in PLAN_MODIFIERS:
                return PLAN_MODIFIERS[child.lower_]
            if child.dep_ == "det" and child.lower_ == "no":
                return "negated"
        clause = trigger.head if trigger.dep_ in {"dobj", "nsubj", "nsubjpass", "pobj", "attr"} else trigger
        if clause.dep_ == "prep":
            clause = clause.head
    steps = 0
    current = clause
    while True:
        children = list(current.children)
        if any(c.dep_ == "neg" for c in children):
            return "negated"
        if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in children):
            return "planned"
        if any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_AUX for c in children):
            return "hypothetical"
        if any(c.dep_ == "mark" and c.lower_ in {"if", "unless"} for c in children):
            return "hypothetical"
        lemma = current.lemma_.lower()
        done = any(c.dep_ == "auxpass" for c in children) and current.tag_ == "VBN" and any(
            c.dep_ == "agent" for c in children)  # "was planned by X": it happened
        if (steps > 0 or not is_verb) and not done:
            if lemma in DENY_VERBS:
                return "denied"
            if lemma in THREAT_VERBS:
                return "threatened"
            if lemma in EXPECT_WORDS:
                return "expected"
            if lemma in PLAN_VERBS:
                return "planned"
        if current.dep_ not in {"xcomp", "ccomp", "conj", "acomp"} or current.head is current or steps >= 3:
            break
        if current.dep_ == "ccomp" and current.head.lemma_.lower() not in DENY_VERBS | THREAT_VERBS:
            break
        current = current.head
        steps += 1
    # "is expected to launch", "meant to help": the controlling verb of an infinitive.
    if current.dep_ == "xcomp" and current.head.lemma_.lower() in EXPECT_WORDS | PLAN_VERBS:
        return "expected" if current.head.lemma_.lower() in EXPECT_WORDS else "planned"
    return "asserted"


def _speaker(trigger: Token, index: EntityIndex, entities: dict[str, Entity]) -> str | None:
    """Who the article attributes the event to: the subject of a speech verb governing it, or 'according to X'."""
    current = trigger
    for _ in range(6):
        for child in current.children:
            if child.dep_ == "prep" and child.lower_ == "according":
                for to in child.children:
                    for obj in to.children:
                        found = index.entity_at(obj)
                        if found:
                            return found
        if current.head is current:
            break
        parent = current.head
        if current.dep_ in {"ccomp", "parataxis"} and parent.lemma_.lower() in SPEECH_VERBS:
            for subj in parent.children:
                if subj.dep_ == "nsubj":
                    found = index.entity_at(subj)
                    if found and entities[found].type in ACTOR_TYPES:
                        return found
            return None
        current = parent
    return None
