"""Event arguments from the dependency parse: who did it (agent), to whom or what (target), where (place),
with what (instrument), when (time), and the count of victims.

- verbs: active subject (agent, or the lexicon's ``subject_role``), passive subject (target for
  ``passive_target`` verbs), "by" agent, direct object (target; for communication events only an actor),
  prepositions in/near/at/... (place), against/on (target), to (recipient of a communication), with
  (instrument of violence, partner of a contact), the trigger's own preposition and an aimed weapon's "at"
  (target: "fired at X", "a grenade was thrown at X"), "including" after a verb with a target (more
  targets); a subject shared by coordinated verbs, inherited from a controlling verb ("moved to attack")
  or from the clause a participle hangs on ("..., killing six") or a gerund after "by"/"before"/"after" does
  ("they reacted by expelling", "run up and hug them before detonating the bomb"); the antecedent of a
  relative clause ("the man who bombed"), "where" clauses (place); a participle saying what became of an
  object ("left him wounded": the object is the target, not what left him so);
- nouns: compound/adjective modifiers and possessives ("Russian airstrikes", "Israel's offensive"),
  "by" (agent), "on/against" (target), "of" (target), in/near/at (place), the subject of a light verb
  ("launched an offensive", "were given an ultimatum by"; also through a run of events: "launched a series of
  attacks"), who takes part ("34 people were involved in the attempt", "took part in demonstrations", "the men
  involved in the bombing"), "suffered injuries", "attacks carried out by",
  "claimed responsibility for", "a battle between X and Y", coordinated event nouns sharing "of";
- adjectives "dead"/"wounded": the noun they describe ("left 11 people dead": the object, not the subject);
- a facility noun with an "of" owner is the facility ("the offices of X"); its owner is a target too;
- arguments spread to conjuncts, to the members after "including", to a place's apposition and to the named
  members a plural group's apposition lists ("two journalists, John Smith and Maria Lopez,");
- time: a date expression attached to the trigger, else the only one in the sentence.
Role constraints by entity type: a place must be a place (never a person), an agent must be an actor,
a weapon ("the bomb exploded") is an instrument.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from kg.extract.dates import resolve_date
from kg.extract.entities import ACTOR_TYPES, NUMBER_WORDS, PLACE_TYPES, EntityIndex
from kg.extract.lexicon import load_nouns
from kg.extract.syntax import joined_head
from kg.extract.triggers import PERSONAL_PRONOUNS, REFLEXIVES, Candidate
from kg.records import Argument, Entity

PLACE_PREPS = frozenset({"in", "near", "at", "outside", "inside", "across", "around", "into", "to", "from",
                         "throughout", "within", "along", "between", "over", "toward", "towards"})
TARGET_PREPS = frozenset({"against", "on", "upon"})
LIGHT_VERBS = frozenset({"launch", "carry", "conduct", "stage", "mount", "begin", "start", "wage", "make",
                         "pay", "hold", "lead", "order", "continue", "oversee", "announce", "execute",
                         "perform", "undertake", "step", "intensify", "escalate", "resume", "join", "impose",
                         "open", "declare", "commit", "unleash", "organize", "organise", "call", "perpetrate",
                         "inflict", "orchestrate", "mastermind"})
RELATIVE_PRONOUNS = frozenset({"who", "whom", "which", "that"})
RECIPIENT_PREPS = frozenset({"to"})
LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside"})
GIVING_VERBS = frozenset({"give", "issue", "send", "deliver", "make", "pass"})
SUFFER_VERBS = frozenset({"suffer", "sustain", "receive", "incur", "survive", "die"})
RESPONSIBILITY_VERBS = frozenset({"claim", "accept", "admit", "take", "bear", "deny", "assume"})
NON_ARGUMENT_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
INSTRUMENT_TYPES = frozenset({"weapon", "vehicle"})
RESULT_VERBS = frozenset({"leave", "find", "render", "keep"})  # "left him wounded", "found them injured"
# Verbs that send a weapon at something: "at X" is what it was aimed at ("a grenade was thrown at the post"),
# where with other verbs it is where it happened ("the bomb was placed at the entrance").
AIMED_VERBS = frozenset({"throw", "hurl", "lob", "toss", "fling", "fire", "shoot", "launch", "aim", "point"})
ACTOR_NOMINALS = ACTOR_TYPES - {"state"}
PARTITIVE_TAGS = frozenset({"CD", "DT", "PRP", "JJS", "PDT"})  # "two of", "some of", "most of"
# Verbs whose object is the subject of their infinitive ("sent troops to attack", "ordered police to arrest").
OBJECT_CONTROL = frozenset({"send", "order", "force", "urge", "ask", "allow", "help", "encourage", "train",
                            "deploy", "tell", "persuade", "instruct", "authorize", "authorise", "permit",
                            "enable", "recruit", "hire", "pay", "call", "dispatch", "mobilize", "mobilise"})
CLAUSE_LINKS = frozenset({"advcl", "conj", "xcomp", "ccomp", "relcl", "acl", "dobj", "obj", "nsubj", "nsubjpass",
                          "pobj", "prep", "attr", "appos", "pcomp"})
OCCURRENCE_VERBS = frozenset({"occur", "happen", "unfold", "erupt", "break", "start", "begin", "end", "continue"})
INTENT_NOUNS = frozenset({"attempt", "plan", "plot", "bid", "effort", "decision", "order", "threat", "campaign",
                          "intention", "scheme", "conspiracy", "try"})
PARTICIPATION_WORDS = frozenset({"involve", "participate", "implicate", "engage"})
# Nouns for a run of events that stand for them before a light verb: "launched a series of attacks".
SERIES_NOUNS = frozenset({"series", "spate", "wave", "string", "round", "flurry", "rash", "succession", "chain",
                          "cycle", "campaign", "number", "act", "couple", "handful"})
INVOLVEMENT_NOUNS = frozenset({"involvement", "participation", "role", "hand", "complicity", "part", "responsibility"})
AIM_VERBS = frozenset({"target", "aim", "direct"})
ATTRIBUTION_VERBS = frozenset({"attribute", "blame", "claim", "ascribe", "commit", "perpetrate"})
ADVERBIAL_PREPS = frozenset({"by", "after", "before", "while", "upon", "on", "since", "without"})
SHARED_PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout", "around", "within",
                                "on"})
PLACE_HEADS = frozenset({"town", "city", "village", "province", "district", "region", "area", "capital",
                         "governorate", "state", "county", "municipality", "neighborhood", "neighbourhood"})


class ArgumentBuilder:
    def __init__(self, doc: Doc, index: EntityIndex, entities: dict[str, Entity], cand: Candidate) -> None:
        self.doc = doc
        self.index = index
        self.entities = entities  # the named entities (nominal ones are looked up in the index)
        self.cand = cand
        self.nouns = load_nouns()
        self.arguments: list[Argument] = []
        self._used: set[tuple[int, int]] = set()
        self._victim: Token | None = None
        self._victim_count: int | None = None

    # -------------------------------------------------------------- helpers

    def _type(self, entity_id: str | None) -> str | None:
        return self.index.types.get(entity_id) if entity_id else None

    def _partitive_object(self, head: Token) -> Token | None:
        """The "of" object a partitive head stands for: "some of the soldiers", "a section of the pipeline"."""
        if not (self.nouns.has("partitive", head.lemma_.lower()) or head.tag_ in PARTITIVE_TAGS):
            return None
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        return obj
        return None

    def _entity_for(self, head: Token) -> tuple[str | None, Span]:
        """The entity an argument phrase refers to, and the span to report for it."""
        found = self.index.entity_at(head)
        if found is not None:
            start, end = self.index.spans[head.i]
            return found, self.doc[start:end]
        found = self.index.nominal_at(head)
        if found is not None and self._type(found) in INSTRUMENT_TYPES | {"facility"}:
            start, end = self.index.spans[head.i]  # "Israeli jets": the jets; "the offices of X": the offices
            return found, self.doc[start:end]
        # "six Hezbollah fighters", "Iranian troops", "hundreds of Iranian troops"
        queue = [c for c in head.children if c.dep_ in {"compound", "amod", "poss", "nmod", "appos"}]
        queue += [gc for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for gc in c.children
                  if gc.dep_ == "pobj"]
        for child in queue:
            found = self.index.entity_at(child)
            if found is not None:
                if child.i > head.i:  # "the town of Limbazi", "members of the army": the whole phrase
                    start = head.left_edge.i if head.left_edge.i >= head.i - 4 else head.i
                    return found, self.doc[start: self.index.spans[child.i][1]]
                start = min(child.left_edge.i, head.i)
                return found, self.doc[start: head.i + 1]
            for grandchild in child.children:
                if grandchild.dep_ in {"compound", "amod", "poss"}:
                    found = self.index.entity_at(grandchild)
                    if found is not None:
                        return found, self.doc[min(grandchild.i, head.i): max(grandchild.i, head.i) + 1]
        part = self._partitive_object(head)
        if part is not None:  # "two of the soldiers": the soldiers, over the whole phrase
            found, span = self._entity_for(part)
            start = head.left_edge.i if head.left_edge.i >= head.i - 4 else head.i
            return found, self.doc[min(start, span.start): max(span.end, head.i + 1)]
        found = self.index.nominal_at(head)
        if found is not None:
            start, end = self.index.spans[head.i]
            return found, self.doc[start:end]
        return None, self.doc[head.left_edge.i if head.left_edge.i >= head.i - 4 else head.i: head.i + 1]

    def _is_actor_word(self, head: Token) -> bool:
        lemma = head.lemma_.lower()
        return head.lower_ in PERSONAL_PRONOUNS or self.nouns.entity_type(lemma) in ACTOR_NOMINALS

    def add(self, role: str, head: Token, rule: str, confidence: float, spread: bool = True) -> None:
        if head.pos_ == "PRON" and self.index.entity_at(head) is None and self.index.nominal_at(head) is None \
                and not (role in {"agent", "target"} and head.lower_ in PERSONAL_PRONOUNS) \
                and self._partitive_object(head) is None:
            return  # "some of the protesters" stands for the protesters
        if head.i in range(self.cand.start, self.cand.end) or head.lower_ in REFLEXIVES:
            return  # "blew himself up": himself is the subject, already there
        if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            head = head.head.head  # "the man who bombed the market": the man
        entity_id, span = self._entity_for(head)
        etype = self._type(entity_id)
        traits = self.cand.entry.traits
        violent = "violent" in traits
        weaponish = etype in INSTRUMENT_TYPES or (entity_id is None and self.nouns.has("weapon", head.lemma_.lower()))
        if weaponish and role == "agent":
            if not violent:
                return  # a weapon or vehicle is never an agent
            self._owner_agent(head, rule, confidence)  # "Israeli jets struck": Israel is the agent
            role = "instrument"
        elif weaponish and role == "target" and violent and etype != "vehicle" and (
                rule.startswith("passive") or "weapon" in traits):
            role = "instrument"  # "the bomb was detonated", "detonated a device"
        if role == "target" and etype in PLACE_TYPES - {"state"} and "movement" in traits:
            role = "place"
        if role == "place":
            if etype is None and not (self.nouns.has("place", head.lemma_.lower())
                                      or self.nouns.has("facility", head.lemma_.lower())):
                return
            if etype is not None and etype not in PLACE_TYPES:
                return
        if role == "agent" and etype is not None and etype not in ACTOR_TYPES:
            return  # places, facilities, weapons do not act
        if etype is None and head.ent_type_ in NON_ARGUMENT_ENTS and not (role == "target" and head.like_num):
            return
        if role == "agent" and etype is None and not self._is_actor_word(head):
            return
        key = (span.start, span.end)
        if key in self._used:
            return
        self._used.add(key)
        if entity_id is not None:
            self.index.use(entity_id)
        if role == "target" and self._victim is None:
            self._victim = head
            nominal = self.index.nominals.get(entity_id or "")
            self._victim_count = nominal.count if nominal is not None else None
        self.arguments.append(Argument(
            role=role, start=span.start_char, end=span.end_char, text=span.text,
            confidence=round(confidence * (1.0 if entity_id else 0.7), 3), rule=rule, entity=entity_id,
        ))
        # "Syrian and Hezbollah forces": coordinated arguments share the role; so do the members of a
        # group named after "including" / "such as", and a place's apposition ("Helmand Province, Afghanistan").
        for child in head.children if spread else ():
            if child.dep_ == "conj" and child.pos_ in {"NOUN", "PROPN"}:
                self.add(role, child, rule + "+conj", confidence * 0.9)
            elif child.dep_ == "prep" and child.lower_ in {"including", "like"} and role in {"target", "agent"}:
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        self.add(role, obj, rule + "+including", confidence * 0.8)
            elif child.dep_ == "appos" and role == "place":
                self.add(role, child, rule + "+appos", confidence * 0.8)
            elif child.dep_ == "appos" and role in {"target", "agent"} and head.tag_ in {"NNS", "NNPS"} \
                    and self._names_someone(child):
                # "two journalists, John Smith and Maria Lopez,": the apposition lists the group's members
                self.add(role, child, rule + "+members", confidence * 0.8)
            elif role == "target" and etype in {"facility", "vehicle"} and child.dep_ in {"poss", "prep"}:
                # "the home of X", "X's residence", "the offices of a party": X is targeted too
                owners = [child] if child.dep_ == "poss" else (
                    [o for o in child.children if o.dep_ == "pobj"] if child.lower_ == "of" else [])
                for owner in owners:
                    owner_id = self.index.entity_at(owner) or self.index.nominal_at(owner)
                    if self._type(owner_id) in ACTOR_TYPES or (owner_id is None and owner.pos_ == "PROPN"):
                        self.add(role, owner, rule + "+owner", confidence * 0.8)
            elif child.dep_ == "prep" and child.lower_ in {"in", "of"} and role == "place" and entity_id is not None \
                    and entity_id in self.index.nominals:
                for obj in child.children:  # "a street in Lyon": Lyon too
                    if obj.dep_ == "pobj" and self._type(self.index.entity_at(obj)) in PLACE_TYPES:
                        self.add(role, obj, rule + "+in", confidence * 0.8)

    def _owner_agent(self, head: Token, rule: str, confidence: float) -> None:
        """The actor a weapon or vehicle belongs to is the agent: "Israeli jets", "Hezbollah's rockets"."""
        for child in head.children:
            if child.dep_ in {"compound", "amod", "nmod", "poss"}:
                found = self.index.entity_at(child)
                if found is not None and self._type(found) in ACTOR_TYPES:
                    start, end = self.index.spans[child.i]
                    key = (start, end)
                    if key not in self._used:
                        self._used.add(key)
                        span = self.doc[start:end]
                        self.arguments.append(Argument("agent", span.start_char, span.end_char, span.text,
                                                       round(confidence * 0.8, 3), rule + "+owner", entity=found))
                    return

    def _preps(self, token: Token) -> None:
        for prep in token.children:
            if prep.dep_ in {"prep", "agent"}:
                self._preps_one(prep)

    def _preps_one(self, prep: Token) -> None:
        word = prep.lower_
        for other in prep.children:  # "attacks on five offices ... and against one telephone exchange"
            if other.dep_ == "conj" and other.pos_ == "ADP":
                self._preps_one(other)
        for obj in prep.children:
            if obj.dep_ not in {"pobj", "pcomp"}:
                continue
            traits = self.cand.entry.traits
            if prep.dep_ == "agent" or word == "by":
                self.add("agent", obj, "by-agent", 0.85)
            elif word in RECIPIENT_PREPS and traits & {"communication", "giving"}:
                self.add("target", obj, f"prep-{word}", 0.65)  # "warnings to the police", "sold arms to X"
            elif word == "for" and "giving" in traits and self._is_actor(obj):
                self.add("target", obj, "prep-for", 0.55)  # "aid for the refugees"
            elif word == "from" and "giving" in traits and self._is_actor(obj):
                self.add("agent", obj, "prep-from", 0.6)  # "bought rifles from Russia": Russia gives
            elif word == "including" and prep.head.i == self.cand.token.i and any(
                    a.role == "target" for a in self.arguments):
                self.add("target", obj, "including", 0.6)  # "12 people were killed, including two children"
            elif prep.i in range(self.cand.start, self.cand.end) and "violent" in traits:
                self.add("target", obj, f"prep-{word}", 0.7)  # the trigger's own: "fired at", "fire into"
            elif word == "at" and "violent" in traits and self.cand.is_verb and any(
                    c.dep_ in {"dobj", "obj"} or (c.dep_ == "nsubjpass" and self._is_weapon(c)
                                                  and self.cand.token.lemma_.lower() in AIMED_VERBS)
                    for c in self.cand.token.children):
                self.add("target", obj, "prep-at", 0.7)  # "threw a grenade at a post", "a grenade was thrown at"
            elif word in PLACE_PREPS:
                self.add("place", obj, f"prep-{word}", 0.75)
            elif word in TARGET_PREPS:
                if "communication" in traits and not self._is_actor(obj):
                    continue  # "a statement on the economy": the topic
                # "the attack on the market" targets the market, "sanctions on Iran" target Iran; a verb's
                # "on the street" is where it happened
                role = "place" if self._is_place(obj) and (self.cand.is_verb or "violent" not in traits) else "target"
                self.add(role, obj, f"prep-{word}", 0.7)
            elif word == "with" and "contact" in traits:
                self.add("agent" if "symmetric" in traits else "target", obj, "prep-with", 0.6)
            elif word == "with" and "violent" in self.cand.entry.traits:
                self.add("instrument", obj, "prep-with", 0.5)  # not "charged with treason"
            elif word == "of" and not self.cand.is_verb:
                self.add("target", obj, "prep-of", 0.65)

    def _is_weapon(self, token: Token) -> bool:
        found = self.index.entity_at(token) or self.index.nominal_at(token)
        return self._type(found) == "weapon" or (found is None and self.nouns.has("weapon", token.lemma_.lower()))

    def _names_someone(self, token: Token) -> bool:
        """Whether a phrase or any of its conjuncts is a name ("Monsignor Romero and the Jesuit priests"), not
        a description ("members of an elite unit")."""
        for part in (token, *(c for c in token.children if c.dep_ == "conj")):
            entity_id = self.index.entity_at(part)
            if part.pos_ == "PROPN" or (entity_id is not None and entity_id not in self.index.nominals):
                return True
        return False

    def _is_actor(self, token: Token) -> bool:
        entity_id, _ = self._entity_for(token)  # "a U.S. request" names the U.S.
        if entity_id is not None:
            return self._type(entity_id) in ACTOR_TYPES
        return self._is_actor_word(token)

    def _is_place(self, token: Token) -> bool:
        entity_id = self.index.entity_at(token) or self.index.nominal_at(token)
        if entity_id is not None:
            return self._type(entity_id) in PLACE_TYPES - {"state"}
        lemma = token.lemma_.lower()
        return self.nouns.has("place", lemma) or self.nouns.has("facility", lemma)

    # -------------------------------------------------------------- verbs

    def verb_arguments(self) -> None:
        verb = self.cand.token
        entry = self.cand.entry
        if self._result_of(verb):
            return
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass", "csubj"}]
        source = verb
        # Shared subject of coordinated verbs, of a controlling verb ("began arriving"), or of the clause
        # a participle hangs on ("launched attacks, killing 130 people").
        via_participle = False
        if not subjects and verb.dep_ == "pcomp" and verb.head.dep_ == "prep" and verb.head.lower_ in ADVERBIAL_PREPS:
            # "by killing him, the criminals ...": the clause's subject acts, also where that clause shares
            # its subject with another ("they run up to the enemy and hug them before detonating the bomb")
            source = verb.head.head
            subjects = [c for c in source.children if c.dep_ == "nsubj"]
        for _ in range(4):
            if subjects or source.dep_ not in {"conj", "xcomp", "advcl"} or source.head.i == source.i:
                break
            via_participle = via_participle or source.dep_ == "advcl"
            controller = joined_head(source)
            objects = [c for c in controller.children if c.dep_ in {"dobj", "obj"}]
            infinitive = source.dep_ in {"xcomp", "advcl"} and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in source.children)
            source = controller
            if objects and infinitive and controller.lemma_.lower() in OBJECT_CONTROL:
                subjects = objects[:1]  # "sent troops to attack": the troops attack
                via_participle = False
                break
            subjects = [c for c in source.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if via_participle and any(c.dep_ in {"auxpass", "nsubjpass"} for c in source.children):
            subjects = []  # "X was bombed, killing five": X is not the killer
        if verb.dep_ == "relcl" and any(c.dep_ == "advmod" and c.lower_ == "where" for c in verb.children):
            self.add("place", verb.head, "where-clause", 0.7)  # "the station, where six people were killed"
        elif not subjects and verb.dep_ == "acl" and verb.head.lemma_.lower() in INTENT_NOUNS:
            # "an attempt by the FMLN to kidnap", "the rebels' plan to attack": who attempts acts
            for child in verb.head.children:
                if child.dep_ == "poss":
                    self.add(entry.subject_role, child, "intent", 0.65)
                elif child.dep_ == "prep" and child.lower_ == "by":
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            self.add(entry.subject_role, obj, "intent", 0.65)
        elif not subjects and verb.dep_ in {"relcl", "acl"}:
            subjects = [verb.head]
            passive = verb.tag_ == "VBN" and verb.dep_ == "acl" or any(c.dep_ == "auxpass" for c in verb.children)
            role = "target" if passive and entry.passive_target else entry.subject_role
            self.add(role, verb.head, "relative-clause", 0.7)
            subjects = []
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in source.children)
        if via_participle and verb.tag_ == "VBN" and not any(c.dep_ in {"aux", "auxpass"} for c in verb.children):
            passive = True  # "Soleimani arrived, escorted by guards": the clause's subject undergoes it
        if _absolute_participle(source):
            passive = True  # "with 160,000 soldiers killed or captured": the soldiers were killed
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
                # "met X": X takes part as much as the subject does
                self.add("agent" if "symmetric" in entry.traits else "target", child, "object", 0.8)
                if "movement" in entry.traits:  # "visited the front line near Aleppo": where the visit was
                    for prep in child.children:
                        if prep.dep_ == "prep" and prep.lower_ in PLACE_PREPS - {"to", "from", "toward", "towards"}:
                            self._preps_one(prep)
            elif child.dep_ == "npadvmod" and "movement" in entry.traits:
                self.add("place", child, "object", 0.6)
            elif child.dep_ == "dative" and "giving" in entry.traits:
                self.add("target", child, "dative", 0.7)  # "gave the Ivory Coast 5 million dollars"
        for word in self.doc[self.cand.start: self.cand.end]:
            if word.i != verb.i and word.pos_ == "NOUN" and "harm" in entry.traits:
                for prep in word.children:  # "claimed the life of a firefighter": whose life
                    if prep.dep_ == "prep" and prep.lower_ == "of":
                        for obj in prep.children:
                            if obj.dep_ == "pobj":
                                self.add("target", obj, "phrase-of", 0.75)
        self._preps(verb)
        for child in verb.children:
            if child.dep_ == "prt":
                self._preps(child)
        if passive and not any(a.role == "agent" for a in self.arguments):
            # "was killed and decapitated by the troops": the agent of the last passive is the first's too
            for other in verb.children:
                if other.dep_ == "conj" and other.tag_ == "VBN" and not any(
                        c.dep_ in {"nsubj", "nsubjpass"} for c in other.children):
                    for by in other.children:
                        if by.dep_ == "agent":
                            for obj in by.children:
                                if obj.dep_ == "pobj":
                                    self.add("agent", obj, "by-agent+conj", 0.7)  # as "by-agent" in _preps
        self._shared_place()

    def _result_of(self, verb: Token) -> bool:
        """A participle that says what became of a verb's object ("the blast left three soldiers injured", "left
        him badly wounded"): the object is its target, and what left them so is not."""
        if verb.tag_ != "VBN" or verb.dep_ not in {"oprd", "acomp", "xcomp", "ccomp", "advcl"} \
                or verb.head.lemma_.lower() not in RESULT_VERBS \
                or any(c.dep_ in {"nsubj", "nsubjpass", "aux", "auxpass"} for c in verb.children):
            return False
        objects = [c for c in verb.head.children if c.dep_ in {"dobj", "obj"}]
        if not objects:
            return False
        for obj in objects:
            self.add("target", obj, "result", 0.7)
        clause = verb.head.head if verb.head.dep_ == "conj" else verb.head  # "shot him and left him wounded"
        for subj in clause.children:
            if subj.dep_ == "nsubj" and self._is_actor(subj):
                self.add("agent", subj, "result", 0.6)
        self._preps(verb)
        self._shared_place()
        return True

    # -------------------------------------------------------------- nouns

    def noun_arguments(self) -> None:
        noun = self.cand.token
        entry = self.cand.entry
        for child in noun.children:
            if child.dep_ in {"compound", "amod", "nmod"}:
                entity_id = self.index.entity_at(child) or self.index.nominal_at(child)
                if entity_id is None:
                    continue
                etype = self._type(entity_id)
                if etype in INSTRUMENT_TYPES:
                    if "violent" in entry.traits:
                        self.add("instrument", child, "modifier", 0.65)  # "a bomb attack", "mortar fire"
                    continue
                if etype in {"facility"} and "violent" in entry.traits:
                    self.add("target", child, "modifier", 0.6)  # "a market attack"
                    continue
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
        # "warnings were given to the police", "were given an ultimatum by their bosses". A run of events
        # stands for them: "launched a series of attacks".
        outer = head.head if noun.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in SERIES_NOUNS \
            else noun
        if outer.dep_ in {"dobj", "obj", "nsubjpass"} and outer.head.lemma_.lower() in LIGHT_VERBS | GIVING_VERBS:
            for subj in _subjects(outer.head):
                if subj.dep_ in {"nsubj", "poss"}:
                    self.add("agent", subj, "light-verb", 0.7)
                elif subj.dep_ == "nsubjpass" and subj.i != outer.i and "communication" in entry.traits:
                    self.add("target", subj, "light-verb", 0.65)
            self._preps(outer.head)
        # "34 people were involved in the attempt", "officers who took part in the killing": who takes part acts;
        # "the men involved in the bombing"
        if noun.dep_ == "pobj" and head.lower_ == "in" and _takes_part(head.head):
            word = head.head
            if word.dep_ == "acl":
                self.add("agent", word.head, "participation", 0.6)
            else:
                for subj in _subjects(word.head if word.dep_ == "dobj" else word):
                    if subj.dep_ in {"nsubj", "nsubjpass"}:
                        self.add("agent", subj, "participation", 0.6)
        # "13 people suffered injuries": who suffers harm is its target.
        if noun.dep_ in {"dobj", "obj"} and light in SUFFER_VERBS and "suffered" in entry.traits:
            for subj in _subjects(head):
                self.add("target", subj, "suffered", 0.7)
        # "the dead included three children", "fatalities included two Iraqis": who they were
        if noun.dep_ == "nsubj" and "harm" in entry.traits and light == "include":
            for obj in head.children:
                if obj.dep_ in {"dobj", "obj"}:
                    self.add("target", obj, "included", 0.7)
        # "Hamas was behind the bombing": who is behind it did it
        if noun.dep_ == "pobj" and head.lower_ == "behind" and head.head.lemma_.lower() == "be" \
                and "violent" in entry.traits:
            for subj in head.head.children:
                if subj.dep_ == "nsubj" and self._is_actor(subj):
                    self.add("agent", subj, "behind", 0.65)
        # "involvement of the troops in the murder", "participation by the CIA in the death"
        if noun.dep_ == "pobj" and head.lower_ == "in" and head.head.lemma_.lower() in INVOLVEMENT_NOUNS:
            for child in head.head.children:
                if child.dep_ == "poss":
                    self.add("agent", child, "involvement", 0.65)
                elif child.dep_ == "prep" and child.lower_ in {"of", "by"}:
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            self.add("agent", obj, "involvement", 0.65)
        # "the attack occurred at 2200 in X", "the explosion took place in front of X"
        if noun.dep_ == "nsubj" and (light in OCCURRENCE_VERBS or (light == "take" and any(
                c.dep_ == "dobj" and c.lower_ == "place" for c in head.children))):
            self._preps(head)
        # "X was the target of a bomb attack"
        if noun.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in {"target", "victim", "object"}:
            role_noun = head.head
            if role_noun.dep_ in {"attr", "nsubj"}:
                for subj in role_noun.head.children:
                    if subj.dep_ in {"nsubj", "nsubjpass"} and subj.i != role_noun.i:
                        self.add("target", subj, "target-of", 0.7)
        # "bombings targeted at the military", "an attack aimed at the police", "the raids were directed against X"
        aims = [c for c in noun.children if c.dep_ == "acl" and c.lemma_.lower() in AIM_VERBS]
        if noun.dep_ == "nsubjpass" and light in AIM_VERBS:
            aims.append(head)
        if "violent" in entry.traits:
            for aim in aims:
                for prep in aim.children:
                    if prep.dep_ == "prep" and prep.lower_ in {"at", "against"}:
                        for obj in prep.children:
                            if obj.dep_ == "pobj":
                                self.add("target", obj, "aimed-at", 0.7)
        # "attacks carried out by X", "an action attributed to X", "the bombing blamed on X"
        for child in noun.children:
            if child.dep_ in {"acl", "relcl"} and child.lemma_.lower() in ATTRIBUTION_VERBS:
                for prep in child.children:
                    if prep.dep_ in {"prep", "agent"} and prep.lower_ in {"to", "on"}:
                        for obj in prep.children:
                            if obj.dep_ == "pobj":
                                self.add("agent", obj, "attributed", 0.7)
                self._preps(child)  # "perpetrated by X against the office"
            elif child.dep_ in {"acl", "relcl"} and child.lemma_.lower() in LIGHT_VERBS:
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
                # "left 11 people dead": the object; "was found dead", "six were wounded": the subject
                others = [c for c in noun.head.children if c.dep_ in {"dobj", "obj"}] or [
                    c for c in noun.head.children if c.dep_ in {"nsubj", "nsubjpass"}]
                for other in others:
                    self.add("target", other, "adjective", 0.65)
                self._preps(noun.head)  # "shot dead by police"
        self._shared_place()

    # -------------------------------------------------------------- places shared with the clause

    def _place_like(self, token: Token) -> bool:
        entity_id = self.index.entity_at(token) or self.index.nominal_at(token)
        if entity_id is not None:
            return self._type(entity_id) in PLACE_TYPES
        lemma = token.lemma_.lower()
        return self.nouns.has("place", lemma) or self.nouns.has("facility", lemma)

    def _shared_place(self) -> None:
        """A violent event with no place of its own takes the place of the clause it belongs to ("the monument
        in the town of Limbazi was destroyed", "exploded on Friday, wounding 13 people on a street in Lyon"),
        else the one place the sentence locates anything in. Only violent events: where violence happens is
        what a sentence about it locates; a statement or a meeting is often somewhere else than what it is about."""
        if "violent" not in self.cand.entry.traits or any(a.role == "place" for a in self.arguments):
            return
        trigger = self.cand.token
        anchors = [trigger]
        current = trigger
        for _ in range(4):
            if current.dep_ not in CLAUSE_LINKS or current.head.i == current.i:
                break
            current = current.head
            anchors.append(current)
        phrases = [c for t in anchors for c in t.children if c.dep_ in {"nsubj", "nsubjpass", "dobj", "obj"}]
        for token in (*anchors[1:], *phrases, *(c for c in trigger.children if c.dep_ in {"advcl", "conj"})):
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in SHARED_PLACE_PREPS:
                    for obj in prep.children:
                        if obj.dep_ == "pobj" and self._place_like(obj):
                            self.add("place", obj, "place-clause", 0.55, spread=False)
                            if any(a.role == "place" for a in self.arguments):
                                return
        used = {a.entity for a in self.arguments if a.entity}
        places = [p for p in self._sentence_places(trigger.sent) if self.index.entity_at(self.doc[p]) not in used]
        if len({self.index.entity_at(self.doc[p]) for p in places}) == 1:
            self.add("place", self.doc[places[0]], "place-sentence", 0.45, spread=False)

    def _sentence_places(self, sent: Span) -> list[int]:
        """Tokens of named places a sentence locates something in ("in Aleppo", "near the Syrian border"),
        computed once per sentence."""
        cache: dict[int, list[int]] = self.doc.user_data.setdefault("kg_sentence_places", {})
        found = cache.get(sent.start)
        if found is None:
            found = []
            for i in range(sent.start, sent.end):
                entity = self.index.by_token.get(i)
                if entity is None or self._type(entity) not in PLACE_TYPES or self.index.spans[i][1] != i + 1:
                    continue
                token = self.doc[i]
                first = token
                while first.dep_ in {"conj", "appos", "compound"} and first.head.i != first.i:
                    first = first.head
                if first.dep_ == "pobj" and first.head.lower_ == "of" and first.head.head.lemma_.lower() in PLACE_HEADS:
                    first = first.head.head  # "in the town of Limbazi"
                if first.dep_ == "pobj" and first.head.lower_ in SHARED_PLACE_PREPS:
                    found.append(i)
            cache[sent.start] = found
        return found

    # -------------------------------------------------------------- time and counts

    def time_argument(self, dates: list[Span], published: str | None) -> None:
        sent = self.cand.token.sent
        in_sentence = [d for d in dates if d.start >= sent.start and d.end <= sent.end]
        attached = [d for d in in_sentence if _governed_by(d.root, self.cand.token)]
        # else the sentence's only date, unless it dates another clause: in "seize the town, which the army lost
        # in April", April is when it was lost
        alone = in_sentence[0] if len(in_sentence) == 1 and _dates_the_clause_of(in_sentence[0].root,
                                                                                self.cand.token) else None
        chosen = attached[0] if attached else alone
        if chosen is None:
            return
        self.arguments.append(Argument(
            role="time", start=chosen.start_char, end=chosen.end_char, text=chosen.text,
            confidence=0.75 if attached else 0.5, rule="date-attached" if attached else "date-sentence",
            value=resolve_date(chosen.text, published),
        ))

    def count(self) -> int | None:
        """The number of victims: the first target's numeral ("killed six fighters", "13 people were
        wounded", "two of the soldiers"), or the count of the nominal entity it names."""
        head = self._victim
        if head is None:
            return None
        if head.like_num:
            return _number(head)
        for child in head.children:
            if child.dep_ == "nummod":
                return _number(child)
        part = self._partitive_object(head)
        if part is not None and head.tag_ == "CD":
            return _number(head)
        return self._victim_count


def _absolute_participle(verb: Token) -> bool:
    """A participle with its own subject after "with"/"without": "with 20 soldiers killed" (the parser may tag
    it as a past tense)."""
    return verb.dep_ == "pcomp" and verb.head.lower_ in {"with", "without"} and verb.tag_ in {"VBN", "VBD"} \
        and not any(c.dep_ in {"aux", "auxpass"} for c in verb.children)


def _takes_part(word: Token) -> bool:
    """"involved", "participated", "implicated", "engaged", "took part" (the "in" may hang on "part" or "took")."""
    lemma = word.lemma_.lower()
    if lemma in PARTICIPATION_WORDS:
        return True
    return (lemma == "part" and word.dep_ == "dobj" and word.head.lemma_.lower() == "take") or (
        lemma == "take" and any(c.dep_ == "dobj" and c.lower_ == "part" for c in word.children))


def _subjects(verb: Token) -> list[Token]:
    """The verb's subjects, or those of the verb it is coordinated with or controlled by."""
    source = verb
    for _ in range(4):
        subjects = [c for c in source.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects or source.head.i == source.i:
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
    if text in {"a", "an"}:
        return None
    return NUMBER_WORDS.get(text)


def _dates_the_clause_of(date: Token, trigger: Token) -> bool:
    """Whether a date hangs on the trigger's own clause: its nearest verb is the trigger or one of the trigger's
    heads ("on Monday, police said the attack killed five"), not a clause beside or below it ("..., which the
    army lost in April")."""
    verb = date.head
    while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
        verb = verb.head
    if verb.pos_ not in {"VERB", "AUX"}:
        return True  # a sentence without a verb (a headline): the date is the event's
    return verb.i == trigger.i or verb.is_ancestor(trigger)


def _governed_by(token: Token, trigger: Token, depth: int = 3) -> bool:
    """Whether a date hangs on the trigger itself, through prepositions and nouns but no other verb ("killed
    in Syria in recent days"; not "said: 'we will win in coming days'"), or on the verb whose subject or object
    the event noun is ("on January 18, an air strike killed six"), or in a relative clause on the event noun
    ("the bombing, which happened on Friday")."""
    current = token
    for _ in range(depth):
        if current.head.i == current.i:
            return False
        current = current.head
        if current.i == trigger.i:
            return True
        if current.pos_ in {"VERB", "AUX"}:
            if current.dep_ in {"relcl", "acl"} and current.head.i == trigger.i:
                return True  # "the bombing, which happened on Friday"
            return trigger.head.i == current.i and trigger.dep_ in {"nsubj", "nsubjpass", "dobj"}
    return False
