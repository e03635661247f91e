"""Event arguments from the dependency parse: who did it (agent), to whom or what (target), where (place),
with what (instrument), when (time), and the count of victims.

- verbs: active subject (agent, or the lexicon's ``subject_role``), passive subject (target for
  ``passive_target`` verbs), "by" agent, direct object (target; for communication events only an actor),
  prepositions in/near/at/... (place), against/on (target), to (recipient of a communication), with
  (instrument of violence, partner of a contact); a subject shared by coordinated verbs, inherited from a
  controlling verb ("moved to attack") or from the clause a participle hangs on ("..., killing six");
  the antecedent of a relative clause ("the man who bombed"), "where" clauses (place);
- nouns: compound/adjective modifiers and possessives ("Russian airstrikes", "Israel's offensive"),
  "by" (agent), "on/against" (target), "of" (target), in/near/at (place), the subject of a light verb
  ("launched an offensive", "were given an ultimatum by"), "suffered injuries", "attacks carried out by",
  "claimed responsibility for", "a battle between X and Y", coordinated event nouns sharing "of";
- adjectives "dead"/"wounded": the noun they describe ("left 11 people dead");
- arguments spread to conjuncts, to the members after "including", and to a place's apposition;
- time: a date expression attached to the trigger, else the only one in the sentence.
Role constraints by entity type: a place must be a place (never a person), an agent must be an actor,
a weapon ("the bomb exploded") is an instrument.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from kg.extract.dates import resolve_date
from kg.extract.entities import ACTOR_TYPES, PLACE_TYPES, EntityIndex
from kg.extract.triggers import PERSONAL_PRONOUNS, Candidate
from kg.records import Argument, Entity

PLACE_PREPS = frozenset({"in", "near", "at", "outside", "inside", "across", "around", "into", "to", "from",
                         "throughout", "within", "along", "between", "over", "toward", "towards"})
TARGET_PREPS = frozenset({"against", "on", "upon"})
LIGHT_VERBS = frozenset({"launch", "carry", "conduct", "stage", "mount", "begin", "start", "wage", "make",
                         "pay", "hold", "lead", "order", "continue", "oversee", "announce", "execute",
                         "perform", "undertake", "step", "intensify", "escalate", "resume", "join"})
NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12})
PLACE_NOUNS = frozenset("""town city village province district region area border base highway road airport camp
front frontline capital checkpoint market mosque hospital school building compound station street square bridge
church synagogue temple shrine embassy consulate office headquarters barracks post outpost cafe restaurant hotel
bakery shop store mall stadium arena concert venue club bar university campus prison jail court courthouse
neighborhood neighbourhood suburb outskirts countryside desert territory village valley mountain port harbour
harbor airfield airbase base parliament palace ministry house home residence apartment farm field park
bus train metro subway terminal crossing line route convoy site scene""".split())
RELATIVE_PRONOUNS = frozenset({"who", "whom", "which", "that"})
RECIPIENT_PREPS = frozenset({"to"})
WEAPON_NOUNS = frozenset("""bomb explosive device ied grenade rocket missile mortar shell gun rifle pistol knife
vest drone weapon ammunition bullet landmine mine car-bomb truck artillery shrapnel""".split())
LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside"})
GIVING_VERBS = frozenset({"give", "issue", "send", "deliver", "make", "pass"})
SUFFER_VERBS = frozenset({"suffer", "sustain", "receive", "incur", "survive", "die"})
RESPONSIBILITY_VERBS = frozenset({"claim", "accept", "admit", "take", "bear", "deny", "assume"})
ACTOR_NOUNS = frozenset("""official officials troops soldiers forces fighters militants rebels insurgents army police
gunmen gunman attacker attackers militia militiamen jihadists group government regime authorities ministry
commander commanders general officer officers spokesman president leader leaders minister source sources
activists activist witnesses witness residents protesters protester demonstrators bomber bombers man men woman
women people security guards guard navy jets planes aircraft warplanes drones coalition unit units members
member agency observatory media he she they we who""".split())
NON_ARGUMENT_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


class ArgumentBuilder:
    def __init__(self, doc: Doc, index: EntityIndex, entities: dict[str, Entity], cand: Candidate) -> None:
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
        if head.pos_ == "PRON" and self.index.entity_at(head) is None and not (
                role in {"agent", "target"} and head.lower_ in PERSONAL_PRONOUNS):
            return
        if head.i in range(self.cand.start, self.cand.end):
            return
        if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            head = head.head.head  # "the man who bombed the market": the man
        entity_id, span = self._entity_for(head)
        etype = self.entities[entity_id].type if entity_id else None
        if entity_id is None and head.lemma_.lower() in WEAPON_NOUNS and "violent" in self.cand.entry.traits and (
                role == "agent" or (role == "target" and (rule.startswith("passive")
                                                          or "weapon" in self.cand.entry.traits))):
            role = "instrument"  # "the bomb exploded", "detonated a device"
        if role == "target" and etype in PLACE_TYPES - {"state"} and "movement" in self.cand.entry.traits:
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
        if role == "agent" and etype is None and not {head.lemma_.lower(), head.lower_} & ACTOR_NOUNS:
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
        # "Syrian and Hezbollah forces": coordinated arguments share the role; so do the members of a
        # group named after "including" / "such as", and a place's apposition ("Helmand Province, Afghanistan").
        for child in head.children:
            if child.dep_ == "conj" and child.pos_ in {"NOUN", "PROPN"}:
                self.add(role, child, rule + "+conj", confidence * 0.9)
            elif child.dep_ == "prep" and child.lower_ in {"including", "like"} and role in {"target", "agent"}:
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        self.add(role, obj, rule + "+including", confidence * 0.8)
            elif child.dep_ == "appos" and role == "place":
                self.add(role, child, rule + "+appos", confidence * 0.8)

    def _preps(self, token: Token) -> None:
        for prep in token.children:
            if prep.dep_ in {"prep", "agent"}:
                self._preps_one(prep)

    def _preps_one(self, prep: Token) -> None:
        word = prep.lower_
        for obj in prep.children:
            if obj.dep_ not in {"pobj", "pcomp"}:
                continue
            if prep.dep_ == "agent" or word == "by":
                self.add("agent", obj, "by-agent", 0.85)
            elif word in RECIPIENT_PREPS and "communication" in self.cand.entry.traits:
                self.add("target", obj, f"prep-{word}", 0.65)  # "warnings to the police"
            elif word in PLACE_PREPS:
                self.add("place", obj, f"prep-{word}", 0.75)
            elif word in TARGET_PREPS:
                role = "place" if self._is_place(obj) else "target"
                self.add(role, obj, f"prep-{word}", 0.7)
            elif word == "with" and "contact" in self.cand.entry.traits:
                self.add("target", obj, "prep-with", 0.6)
            elif word == "with" and "violent" in self.cand.entry.traits:
                self.add("instrument", obj, "prep-with", 0.5)  # not "charged with treason"
            elif word == "of" and not self.cand.is_verb:
                self.add("target", obj, "prep-of", 0.65)

    def _is_actor(self, token: Token) -> bool:
        entity_id, _ = self._entity_for(token)  # "a U.S. request" names the U.S.
        if entity_id is not None:
            return self.entities[entity_id].type in ACTOR_TYPES
        word = token.lemma_.lower()
        return word in ACTOR_NOUNS or token.lower_ in ACTOR_NOUNS or token.lower_ in PERSONAL_PRONOUNS

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
        # Shared subject of coordinated verbs, of a controlling verb ("began arriving"), or of the clause
        # a participle hangs on ("launched attacks, killing 130 people").
        via_participle = False
        for _ in range(4):
            if subjects or source.dep_ not in {"conj", "xcomp", "advcl"} or source.head is source:
                break
            via_participle = via_participle or source.dep_ == "advcl"
            source = source.head
            subjects = [c for c in source.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if via_participle and any(c.dep_ in {"auxpass", "nsubjpass"} for c in source.children):
            subjects = []  # "X was bombed, killing five": X is not the killer
        if verb.dep_ == "relcl" and any(c.dep_ == "advmod" and c.lower_ == "where" for c in verb.children):
            self.add("place", verb.head, "where-clause", 0.7)  # "the station, where six people were killed"
        elif not subjects and verb.dep_ in {"relcl", "acl"}:
            subjects = [verb.head]
            passive = verb.tag_ == "VBN" and verb.dep_ == "acl" or any(c.dep_ == "auxpass" for c in verb.children)
            role = "target" if passive and entry.passive_target else entry.subject_role
            self.add(role, verb.head, "relative-clause", 0.7)
            subjects = []
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in source.children)
        for subj in subjects:
            if subj.dep_ == "nsubjpass" or passive:
                role = "target" if entry.passive_target or "movement" not in entry.traits else "agent"
                self.add(role, subj, "passive-subject", 0.8)
            else:
                self.add(entry.subject_role, subj, "subject", 0.8)
        for child in verb.children:
            if child.dep_ in {"dobj", "obj"}:
                if "communication" in entry.traits and not self._is_actor(child):
                    continue  # "denied involvement", "announced plans": the topic, not a recipient
                self.add("target", child, "object", 0.8)
                if "movement" in entry.traits:  # "visited the front line near Aleppo": where the visit was
                    for prep in child.children:
                        if prep.dep_ == "prep" and prep.lower_ in PLACE_PREPS - {"to", "from", "toward", "towards"}:
                            self._preps_one(prep)
            elif child.dep_ == "npadvmod" and "movement" in entry.traits:
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
                    role = "target" if "harm" in entry.traits else "agent"
                    self.add(role, child, "modifier", 0.7)
                elif etype in PLACE_TYPES:
                    self.add("place", child, "modifier", 0.65)
            elif child.dep_ == "poss":
                role = "target" if "possessive-target" in entry.traits else "agent"
                self.add(role, child, "possessive", 0.75)
        self._preps(noun)
        head = noun.head
        light = head.lemma_.lower()
        # "launched an offensive", "carried out airstrikes": the light verb's subject is the agent;
        # "warnings were given to the police", "were given an ultimatum by their bosses".
        if noun.dep_ in {"dobj", "obj", "nsubjpass"} and light in LIGHT_VERBS | GIVING_VERBS:
            for subj in _subjects(head):
                if subj.dep_ in {"nsubj", "poss"}:
                    self.add("agent", subj, "light-verb", 0.7)
                elif subj.dep_ == "nsubjpass" and subj is not noun and "communication" in entry.traits:
                    self.add("target", subj, "light-verb", 0.65)
            self._preps(head)
        # "13 people suffered injuries": who suffers harm is its target.
        if noun.dep_ in {"dobj", "obj"} and light in SUFFER_VERBS and "suffered" in entry.traits:
            for subj in _subjects(head):
                self.add("target", subj, "suffered", 0.7)
        # "attacks carried out by X"
        for child in noun.children:
            if child.dep_ == "acl" and child.lemma_.lower() in LIGHT_VERBS:
                self._preps(child)
                for prt in child.children:
                    if prt.dep_ == "prt":
                        self._preps(prt)
            # "a battle between troops and terrorists"
            elif child.dep_ == "prep" and child.lower_ == "between" and "violent" in entry.traits:
                sides = [o for o in child.children if o.dep_ == "pobj"]
                for side in sides:
                    others = [c for c in side.children if c.dep_ == "conj"]
                    if others:
                        self.add("agent", side, "between", 0.6)
                        self.add("target", others[0], "between", 0.6)
        # "the slaughter and maiming of civilians": coordinated event nouns share their "of" object.
        if noun.dep_ == "conj" and head.pos_ == "NOUN" and not any(c.dep_ == "prep" for c in noun.children):
            for prep in head.children:
                if prep.dep_ == "prep" and prep.lower_ in {"of", "by", "on", "against"}:
                    self._preps_one(prep)
        # "claimed responsibility for the attack": who claims it is the agent.
        if noun.dep_ == "pobj" and head.lower_ == "for" and head.head.lemma_.lower() == "responsibility":
            claim = head.head.head
            if claim.lemma_.lower() in RESPONSIBILITY_VERBS:
                for subj in claim.children:
                    if subj.dep_ == "nsubj":
                        self.add("agent", subj, "claimed-responsibility", 0.75)
        # "the dead man", "left 11 people dead", "six were wounded": adjectives name their victims.
        if noun.pos_ == "ADJ":
            if noun.dep_ == "amod":
                self.add("target", noun.head, "adjective", 0.7)
            elif noun.dep_ in {"oprd", "acomp", "xcomp", "ccomp", "advcl"}:
                for other in noun.head.children:
                    if other.dep_ in {"dobj", "nsubj", "nsubjpass"}:
                        self.add("target", other, "adjective", 0.65)
                self._preps(noun.head)  # "shot dead by police"

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


def _subjects(verb: Token) -> list[Token]:
    """The verb's subjects, or those of the verb it is coordinated with or controlled by."""
    source = verb
    for _ in range(4):
        subjects = [c for c in source.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects or source.head is source:
            return subjects
        if source.dep_ == "acl":  # "the IRA's decision to carry out the attacks"
            return [c for c in source.head.children if c.dep_ == "poss"]
        if source.dep_ not in {"conj", "xcomp", "advcl"}:
            return []
        source = source.head
    return []


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
