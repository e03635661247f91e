"""Modality (asserted, negated, planned, expected, denied, threatened, hypothetical, generic) of an event, and
the speaker an event is attributed to (reported speech, "according to X").

``generic`` marks mentions that are not a happening of the story's time (:func:`generic_reading`):
- kind reference: a bare plural or mass event noun (no article, possessor, number or actor modifier) as the
  subject of a characterising predicate ("bombings are common", "attacks on convoys have become routine"),
  or as the object of a non-eventive verb ("they glorify violence"); "such attacks", "any attack", "this
  kind of attack", "attacks like these";
- habitual aspect: a frequency adverb or "every day/week ..." on the clause ("militants often attack ..."), a
  frequency adjective on the noun ("daily bombings"), "used to" / "tend to", and the simple present outside the
  headline, of an event verb ("they attack convoys", "does a war kill more people?") or of a verb whose object
  is the event ("people who commit murders");
- counts over a period: a counted plural event noun or a perfect-tense event with a period ("700
  assassinations so far this year", "1,000 members have been murdered since ...");
- practices: what people know how to do ("people who know how to fight") or are ordered to stop doing ("Stop
  bombing civilian targets", "Cease the attacks");
- past reference beyond the story: an event dated by its own time expression to a year before the story's,
  or "years ago", "last year", "in the 1980s", "the anniversary of ..." (:func:`past_reference`, decided
  for the whole document by the extractor, which knows the story's date).
Conditionals, "must" and modal nouns ("if they attack", "they must attack", "in case of an attack", "the risk
of an attack", "rumours of an attack", "to prevent attacks") are ``hypothetical``; what is demanded is
``planned`` ("called for the assassination of", "urged the army to attack"). An infinitive as a subject, a
purpose, a noun's goal, after "be" or with an adjective of readiness is not a happening either ("to bomb the
town would be a crime", "moved in to attack", "orders to attack", "the goal is to seize the town", "ready to
strike"), nor is what such an infinitive carries out or is joined to ("came to take part in night bombings",
"to rob the banks and kill the guards");
An infinitive that is a sentence of its own is ``planned`` ("Army to attack the city"). "about to explode" is
``expected``, and a report the sentence calls false is ``denied`` ("the report that the mayor was wounded is
unfounded", "the erroneous report on her injury"). A verb joined by "and" to a denying, threatening or
planning verb is not in its scope ("rejected the talks and said ...").
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from kg.extract.entities import ACTOR_TYPES, EntityIndex
from kg.extract.syntax import joined_head
from kg.records import Entity

SPEECH_VERBS = frozenset({"say", "tell", "report", "claim", "announce", "state", "add", "confirm", "accuse",
                          "allege", "according", "write", "declare", "insist", "suggest", "believe"})
PLAN_VERBS = frozenset({"plan", "intend", "prepare", "aim", "want", "seek", "hope", "mean", "decide", "vow",
                        "pledge", "propose", "consider", "schedule", "set", "try", "attempt", "need",
                        "demand", "urge", "request", "advocate"})
# What is asked for has not happened: "called for the assassination of", "calls for a strike", "appealed for".
DEMAND_FOR = frozenset({"call", "ask", "appeal", "press", "push", "clamor", "clamour", "campaign", "lobby", "plead"})
EXPECT_WORDS = frozenset({"expect", "likely", "poised", "due", "anticipate", "predict", "upcoming", "imminent"})
DENY_VERBS = frozenset({"deny", "reject", "dismiss", "refute"})
THREAT_VERBS = frozenset({"threaten", "warn"})
HYPOTHETICAL_AUX = frozenset({"could", "may", "might", "would", "should", "can", "must", "ought"})
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
PLAN_MODIFIERS = {"planned": "planned", "proposed": "planned", "possible": "hypothetical",
                  "potential": "hypothetical", "future": "planned", "expected": "expected",
                  "upcoming": "expected", "imminent": "expected", "alleged": "asserted",
                  "threatened": "threatened"}
# Closed classes for the generic, habitual and hypothetical readings (see the module docstring).
FREQUENCY_ADVERBS = frozenset({"often", "frequently", "regularly", "routinely", "usually", "typically", "generally",
                               "always", "sometimes", "occasionally", "commonly", "habitually", "normally", "rarely",
                               "seldom", "constantly", "periodically", "customarily", "traditionally"})
# ... and adjectives of frequency on an event noun: "daily bombings", "frequent attacks", "sporadic shelling".
FREQUENCY_ADJECTIVES = frozenset({"daily", "nightly", "weekly", "monthly", "frequent", "constant", "continual",
                                  "incessant", "regular", "routine", "periodic", "occasional", "sporadic", "recurrent",
                                  "recurring", "habitual", "customary"})
GENERIC_DETERMINERS = frozenset({"such", "any", "every"})
INSTANCE_NOUNS = frozenset({"case", "incident", "act", "instance", "episode", "occurrence", "number"})
KIND_NOUNS = frozenset({"kind", "type", "sort", "form", "category", "style", "pattern", "manner"})
CHARACTERISING = frozenset({"common", "frequent", "rare", "routine", "commonplace", "widespread", "prevalent",
                            "typical", "usual", "regular", "normal", "familiar", "uncommon", "unusual", "endemic",
                            "rife", "rampant", "daily", "everyday", "occurrence", "phenomenon", "tactic", "norm",
                            "fact", "way", "feature", "hallmark", "part"})
COPULAS = frozenset({"be", "become", "remain", "seem", "appear", "grow"})
SKILL_VERBS = frozenset({"know", "learn", "teach", "train"})  # "know how to fight"
CESSATION_VERBS = frozenset({"stop", "cease", "quit", "halt", "end"})  # "Stop bombing the villages" (an order)
HABIT_VERBS = frozenset({"use", "tend"})  # "used to attack", "tend to strike"
TIME_NOUNS = frozenset({"day", "week", "night", "month", "year", "morning", "evening", "time", "weekend"})
MODAL_NOUNS = {"risk": "hypothetical", "fear": "hypothetical", "danger": "hypothetical",
               "possibility": "hypothetical", "prospect": "hypothetical", "chance": "hypothetical",
               "likelihood": "hypothetical", "spectre": "hypothetical", "specter": "hypothetical",
               "threat": "threatened", "case": "hypothetical", "event": "hypothetical",
               "rumor": "hypothetical", "rumour": "hypothetical"}
# Verbs whose object is an event that happens when they do ("launched an attack"), and verbs of happening.
OCCURRENCE_VERBS = frozenset({"launch", "carry", "conduct", "stage", "mount", "make", "hold", "execute", "perform",
                              "undertake", "commit", "perpetrate", "begin", "start", "order",
                              "wage", "unleash", "step", "intensify", "escalate", "suffer", "sustain", "receive",
                              "cause", "plan", "prepare", "attempt"})
OCCURRING = frozenset({"happen", "occur", "take", "begin", "start", "unfold", "come", "go", "break", "proceed"})
GOING_ON = frozenset({"continue", "resume", "end", "last", "stop", "persist", "intensify", "escalate", "subside"})
MEANS_PREPS = frozenset({"with", "by", "through", "via", "in", "during", "amid"})
NEGATIVE_WORDS = frozenset({"nobody", "none", "nothing", "noone", "neither"})
INTENT_NOUNS = {"plot": "planned", "plan": "planned", "scheme": "planned", "conspiracy": "planned", "bid": "planned",
                "intention": "planned", "intent": "planned", "preparation": "planned", "threat": "threatened",
                "warning": "threatened", "ultimatum": "threatened"}
FEAR_VERBS = frozenset({"fear", "dread", "risk", "imagine", "envisage", "envision", "suppose"})
PREVENTION_VERBS = frozenset({"prevent", "avert", "deter", "avoid", "forestall", "preempt", "pre-empt"})
ASPECTUAL = frozenset({"begin", "start", "happen", "occur", "take", "launch", "come", "continue", "resume", "end",
                       "last", "finish", "go", "get", "be", "commence", "unfold"})
PERIOD_PREPS = frozenset({"since", "between", "during", "throughout", "over"})
PERIOD_WORDS = re.compile(r"\b(year|years|month|months|decade|decades|since|so far|past|recent|weeks)\b", re.I)
_YEAR = re.compile(r"(?<![\d,.])(1[89]\d\d|20\d\d)(?![\d,])")
_LONG_AGO = re.compile(r"\b(years|decades|centuries|a century|a decade|a year)\s+ago\b|\blast\s+year\b|"
                       r"\bprevious\s+year\b|\bin\s+the\s+past\b|\b(1[89]|20)?\d0['’]?s\b|['’]\d0s\b", re.I)
BACKGROUND_NOUNS = frozenset({"anniversary", "commemoration", "centenary", "centennial", "jubilee"})
REPORT_NOUNS = frozenset({"report", "rumor", "rumour", "claim", "news", "version", "allegation", "story"})
FALSE_WORDS = frozenset({"unfounded", "false", "untrue", "baseless", "groundless", "incorrect", "inaccurate",
                         "fabricated", "lie", "fabrication", "invention", "erroneous", "mistaken", "bogus"})
# Adjectives of readiness or will with an infinitive: "ready to attack", "unwilling to withdraw".
READINESS = {"ready": "hypothetical", "willing": "hypothetical", "eager": "hypothetical", "prepared": "hypothetical",
             "determined": "planned", "keen": "hypothetical", "poised": "expected", "reluctant": "hypothetical",
             "unwilling": "negated", "unable": "negated", "afraid": "hypothetical", "anxious": "hypothetical",
             "desperate": "hypothetical", "free": "hypothetical"}
# Nouns an infinitive can qualify without being a purpose or a goal: "the first to arrive", "the last unit to leave".
ORDINAL_HEADS = frozenset({"first", "last", "only", "next", "second", "third", "latest"})


def event_modality(trigger: Token, is_verb: bool, headline: bool = False, eventive: bool = True) -> str:
    """asserted unless the text negates, plans, expects, denies, threatens or supposes the event, or speaks of
    it generically. ``headline``: the trigger is in the document's headline (the simple present there
    reports what happened); ``eventive``: the event is not itself a statement (a present-tense "says" is no
    habit)."""
    if generic_reading(trigger, is_verb, headline, eventive):
        return "generic"
    context = _modal_context(trigger, is_verb)
    if context is not None:
        return context
    if is_verb and _negative_participant(trigger):
        return "negated"  # "nobody was hurt", "killing no one"
    clause = trigger
    negation = modal = True  # the clause's negation / its auxiliaries and "if" apply to the event
    climb = True  # and so do the verbs above the clause ("vowed to launch an attack")
    lexical = not is_verb  # the clause's verb (plan, deny, threaten, expect) says what became of the event
    if trigger.dep_ in {"compound", "acl"} and trigger.head.lemma_.lower() in INTENT_NOUNS:
        return INTENT_NOUNS[trigger.head.lemma_.lower()]  # "a bombing plot", "a plot to bomb", "a kidnap threat"
    if is_verb:
        unrealised = _infinitive_reading(trigger)
        if unrealised is not None:
            return unrealised
    elif (trigger.dep_ == "dobj" and trigger.head.lemma_.lower() in OCCURRENCE_VERBS
          or trigger.dep_ == "pobj" and trigger.head.lower_ in MEANS_PREPS):
        carrier = _clause_of(trigger, False)  # the verb that carries the event out
        unrealised = _infinitive_reading(carrier) if carrier.pos_ == "VERB" else None
        if unrealised is not None:
            return unrealised  # "came to take part in night bombings", "moved in to launch an attack"
    if not is_verb:
        report = trigger.head.head if trigger.dep_ == "pobj" and trigger.head.lower_ in {"on", "of", "about"} \
            else None
        if report is not None and report.lemma_.lower() in REPORT_NOUNS and any(
                c.dep_ == "amod" and c.lower_ in FALSE_WORDS for c in report.children):
            return "denied"  # "the erroneous report on her injury"
        for child in trigger.children:
            if child.dep_ == "amod" and child.lower_ in PLAN_MODIFIERS:
                return PLAN_MODIFIERS[child.lower_]
            if child.dep_ == "det" and child.lower_ == "no":
                return "negated"
        clause = trigger.head if trigger.dep_ in {"dobj", "nsubj", "nsubjpass", "pobj", "attr"} else trigger
        if clause.dep_ == "prep":
            clause = clause.head
        verb = clause.lemma_.lower()
        # Whose modality is it? "did not launch an attack", "the attack did not happen", "an attack would kill
        # hundreds": the event's; "did not comment on the attack", "the attack did not kill anyone", "will
        # investigate the attack": not.
        if trigger.dep_ in {"dobj", "nsubjpass", "obj"}:
            negation = modal = verb in OCCURRENCE_VERBS
        elif trigger.dep_ == "nsubj":
            negation = verb in OCCURRING
            modal = verb not in GOING_ON  # "the offensive would continue": it is under way already
            lexical = False  # "the attack set the depot ablaze": the event acts
        elif trigger.dep_ == "pobj" and trigger.head.lower_ not in MEANS_PREPS:
            # "vowed to respond to the attack", "did not comment on the attack": what the clause says is about
            # something else; but "is expected to begin with an assault", "killed in an attack" are about it
            negation = modal = climb = False
        if trigger.dep_ == "nsubjpass":
            # "his visit was intended to boost morale": what is intended is its purpose, not the visit
            lexical = not any(c.dep_ == "xcomp" and c.lemma_.lower() not in ASPECTUAL for c in clause.children)
    steps = 0
    current = clause
    joined = False  # reached through "and": a verb beside the event's, whose own meaning is not its context
    while True:
        children = list(current.children)
        if (negation or steps > 0) and any(c.dep_ == "neg" for c in children):
            return "negated"
        if modal or steps > 0:
            if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in children):
                return "planned"
            if any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_AUX for c in children):
                return "hypothetical"
            if any(c.dep_ == "mark" and c.lower_ in {"if", "unless"} for c in children):
                return "hypothetical"
        lemma = current.lemma_.lower()
        done = any(c.dep_ == "auxpass" for c in children) and current.tag_ == "VBN" and any(
            c.dep_ == "agent" for c in children)  # "was planned by X": it happened
        if (steps > 0 and not joined or steps == 0 and lexical) and not done:
            if lemma in DENY_VERBS:
                return "denied"
            if lemma in THREAT_VERBS:
                return "threatened"
            if lemma in EXPECT_WORDS:
                return "expected"
            if lemma in PLAN_VERBS:
                return "planned"
            if lemma in FEAR_VERBS:
                return "hypothetical"  # "residents fear an attack"
        if not climb:
            break
        if current.dep_ == "acl" and current.head.pos_ == "NOUN" and current.head.dep_ in {"dobj", "nsubjpass"} \
                and current.head.head.lemma_.lower() in DENY_VERBS and steps < 3:
            current = current.head.head  # "denied reports that a unit was attacked"
            steps += 1
            continue
        if current.dep_ in {"acl", "relcl"} and _said_false(current.head):
            return "denied"  # "the report that the mayor was wounded is unfounded"
        if current.dep_ not in {"xcomp", "ccomp", "conj", "acomp"} or current.head.i == current.i or steps >= 3:
            break
        if current.dep_ == "ccomp" and current.head.lemma_.lower() not in DENY_VERBS | THREAT_VERBS and not (
                current.head.lemma_.lower() in PLAN_VERBS and current.tag_ in {"VB", "VBP"}):
            break  # "said that troops left" is theirs to tell; "demanded that troops leave" is no fact yet
        joined = current.dep_ == "conj"  # "rejected the talks and said ...": the saying is not rejected
        current = joined_head(current)
        steps += 1
    # "is expected to launch", "meant to help": the controlling verb of an infinitive.
    if climb and current.dep_ == "xcomp" and current.head.lemma_.lower() in EXPECT_WORDS | PLAN_VERBS:
        return "expected" if current.head.lemma_.lower() in EXPECT_WORDS else "planned"
    return "asserted"


def _said_false(noun: Token) -> bool:
    """A report noun that the sentence calls false: "the report ... is unfounded", "the rumour is untrue"."""
    if noun.lemma_.lower() not in REPORT_NOUNS or noun.dep_ != "nsubj" or noun.head.lemma_.lower() not in COPULAS:
        return False
    return any(c.dep_ in {"acomp", "attr"} and c.lemma_.lower() in FALSE_WORDS for c in noun.head.children)


def _infinitive_reading(verb: Token) -> str | None:
    """What a to-infinitive says of its event where no verb above decides it: a subject ("to bomb the town
    would be a crime"), a purpose ("troops moved in to attack the camp"), what a noun wants ("orders to
    attack", "a decision to strike") or an adjective of readiness ("ready to attack") is not a happening. A bare
    verb joined to an infinitive shares its reading ("bought rifles to rob the banks and kill the guards")."""
    if verb.dep_ == "conj" and verb.tag_ == "VB" and not any(
            c.dep_ in {"aux", "nsubj", "nsubjpass"} for c in verb.children):
        head = verb.head  # the verb it is joined to (the parser may hang it on that verb's object)
        for _ in range(3):
            if head.pos_ in {"VERB", "AUX"} or head.head.i == head.i:
                break
            head = head.head
        if head.tag_ == "VB":
            verb = head
    if verb.tag_ != "VB" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return None
    head = verb.head
    if verb.dep_ == "ROOT":
        return "planned"  # a sentence that is an infinitive: "Army to attack the city", "To massacre the people."
    if verb.dep_ == "csubj":
        return "hypothetical"
    if verb.dep_ == "advcl":
        return "planned"  # a purpose: what the clause is for, not what it did
    if verb.dep_ in {"acl", "relcl"} and head.pos_ in {"NOUN", "PROPN"} and head.lower_ not in ORDINAL_HEADS \
            and not any(c.dep_ == "amod" and c.lower_ in ORDINAL_HEADS for c in head.children):
        return "planned"  # "orders to attack", "opened the way for rebels to threaten the coast"
    if verb.dep_ == "xcomp" and head.lemma_.lower() == "be":
        return "planned"  # "the main goal is to seize the town", "the minister is to visit Kabul"
    if verb.dep_ == "xcomp" and head.pos_ == "ADJ" and head.lower_ in READINESS:
        return READINESS[head.lower_]
    if verb.dep_ == "xcomp" and head.lower_ == "about":
        return "expected"  # "a bomb about to explode"
    return None


def _negative_participant(verb: Token) -> bool:
    """A subject or object that is nobody: "nobody was hurt", "no one was injured", "killing no one"."""
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass", "dobj"}:
            if child.lower_ in NEGATIVE_WORDS or any(c.dep_ == "det" and c.lower_ == "no" for c in child.children):
                return True
    return False


# ------------------------------------------------------------------ generic, habitual, counted over a period


def _bare(noun: Token) -> bool:
    """A plural or mass noun (or gerund) with no article, possessor, number or named modifier: it names a kind."""
    if noun.tag_ not in {"NNS", "NN", "NNPS", "VBG"}:
        return False
    for child in noun.children:
        if child.dep_ in {"det", "poss", "nummod", "predet"} and child.lower_ not in GENERIC_DETERMINERS:
            return False
        if child.dep_ in {"compound", "amod", "nmod"} and (child.ent_type_ or child.pos_ == "PROPN"):
            return False  # "Russian airstrikes", "Hezbollah attacks": whose they are makes them specific
        if child.dep_ == "prep" and child.lower_ in {"by", "in", "at", "near", "on", "against"} and any(
                g.ent_type_ for g in child.subtree):
            return False  # "attacks by the group", "bombings in Kabul": anchored
    return noun.tag_ in {"NNS", "NNPS", "VBG"} or not any(c.dep_ == "det" for c in noun.children)


def _practice(trigger: Token, is_verb: bool) -> bool:
    """A practice, no happening: what people know how to do ("people who know how to fight") or are told to stop
    doing ("Stop bombing civilian targets", "Cease the attacks")."""
    head = trigger.head
    if is_verb and trigger.dep_ == "xcomp" and head.lemma_.lower() in SKILL_VERBS and any(
            c.lower_ == "how" for c in trigger.children):
        return True
    ordered = head.tag_ == "VB" and head.dep_ == "ROOT" and not any(c.dep_ in {"nsubj", "aux"} for c in head.children)
    return ordered and head.lemma_.lower() in CESSATION_VERBS and (
        (is_verb and trigger.dep_ == "xcomp" and trigger.tag_ == "VBG") or (not is_verb and trigger.dep_ == "dobj"))


def _clause_of(trigger: Token, is_verb: bool) -> Token:
    if is_verb:
        return trigger
    head = trigger.head
    if trigger.dep_ == "pobj" and head.dep_ == "prep":
        head = head.head
    return head if head.pos_ in {"VERB", "AUX"} else trigger


def _habitual(clause: Token) -> bool:
    """A frequency adverb or "every day" on the clause, or "used to" / "tend to" above it."""
    for child in clause.children:
        if child.dep_ in {"advmod", "npadvmod"} and child.lower_ in FREQUENCY_ADVERBS:
            return True
        if child.dep_ in {"npadvmod", "advmod", "pobj"} and child.lemma_.lower() in TIME_NOUNS and any(
                g.dep_ == "det" and g.lower_ in {"every", "each"} for g in child.children):
            return True
    head = clause.head
    return clause.dep_ == "xcomp" and head.lemma_.lower() in HABIT_VERBS and head.tag_ in {"VBD", "VBZ", "VBP"} \
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)


def _period(clause: Token) -> bool:
    """The clause is about a stretch of time: "since ...", "so far this year", "between January and May"."""
    for child in clause.children:
        if child.dep_ == "prep" and child.lower_ in PERIOD_PREPS:
            return True
        if child.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "since" for c in child.children):
            return True
        if child.ent_type_ == "DATE" and PERIOD_WORDS.search(" ".join(t.lower_ for t in child.subtree)):
            return True
    return False


def _many(noun: Token) -> bool:
    """A vague large quantity: "many judges", "hundreds of people", "countless victims"."""
    words = {noun.lower_, *(c.lower_ for c in noun.children if c.dep_ in {"amod", "nummod", "det", "quantmod"})}
    return bool(words & {"many", "numerous", "countless", "hundreds", "thousands", "dozens", "scores", "millions"})


def kind_reference(trigger: Token) -> bool:
    """A bare singular noun with nothing to anchor it, as an object or in a prepositional phrase: the kind of
    event, not one of them ("because of violence", "promoters of violence", "they glorify war"). The caller
    checks that no argument (agent, target, place, time) anchors it either."""
    if trigger.tag_ != "NN" or trigger.dep_ not in {"pobj", "dobj", "conj"}:
        return False
    if trigger.dep_ == "conj" and trigger.head.dep_ not in {"pobj", "dobj"}:
        return False
    return not any(c.dep_ not in {"cc", "conj", "punct"} for c in trigger.children)


def _counted(noun: Token) -> bool:
    return any(c.dep_ == "nummod" and (c.like_num and c.lower_ not in {"one", "1", "a"}) for c in noun.children)


def generic_reading(trigger: Token, is_verb: bool, headline: bool = False, eventive: bool = True) -> bool:
    """Whether the mention speaks of a kind of event, a habit or a count over a period (module docstring)."""
    if _practice(trigger, is_verb):
        return True
    if is_verb and trigger.tag_ == "VBG" and trigger.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj"}:
        is_verb = False  # a gerund used as a noun: "shelling of villages has become routine"
    clause = _clause_of(trigger, is_verb)
    if _habitual(clause) or (not is_verb and _habitual(trigger)):
        return True
    if clause.dep_ in {"xcomp", "pcomp", "advcl"} and _habitual(clause.head):
        return True  # "they always end up killing each other"
    if is_verb:
        aux = {c.lower_ for c in trigger.children if c.dep_ in {"aux", "auxpass"}}
        subordinate = any(c.dep_ == "mark" for c in trigger.children)  # "if they attack", "when it ends"
        do_support = trigger.tag_ == "VB" and bool(aux) and aux <= {"do", "does"}  # "does a war kill people?"
        present = (trigger.tag_ in {"VBZ", "VBP"} and not aux) or do_support
        if eventive and not headline and not subordinate and present:
            return True  # the simple present of an event verb in running text: a habit ("they attack convoys")
        perfect = bool(aux & {"has", "have", "'ve"})
        subjects = [c for c in trigger.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if perfect and any(c.dep_ == "dobj" and _many(c) for c in trigger.children):
            return True  # "the murderers who have killed many judges": a tally, not a happening
        return perfect and _period(trigger) and any(_counted(s) or s.like_num for s in subjects)
    if any(c.dep_ in {"det", "amod"} and c.lower_ in GENERIC_DETERMINERS for c in trigger.children):
        return True  # "such attacks", "any attack", "every bombing"
    if any(c.dep_ == "amod" and c.lower_ in FREQUENCY_ADJECTIVES for c in trigger.children):
        return True  # "daily bombings", "sporadic shelling"
    head = trigger.head
    if trigger.dep_ == "dobj" and not headline and head.lemma_.lower() in OCCURRENCE_VERBS and \
            head.tag_ in {"VBZ", "VBP"} and not any(c.dep_ in {"aux", "auxpass", "mark"} for c in head.children):
        return True  # "people who commit murders", "the rebels carry out attacks": the simple present, a habit
    if trigger.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in INSTANCE_NOUNS:
        trigger = head.head  # "9 cases of torture", "acts of violence": the count is on the instance noun
        head = trigger.head
        clause = _clause_of(trigger, False)
    if trigger.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in KIND_NOUNS:
        return True  # "this kind of attack"
    if any(c.dep_ == "prep" and c.lower_ == "like" and any(
            g.dep_ == "pobj" and g.lower_ in {"this", "these", "that", "those", "it", "them"} for g in c.children)
           for c in trigger.children):
        return True  # "attacks like these"
    if _counted(trigger) and trigger.tag_ in {"NNS", "NNPS"} and (_period(clause) or _period(trigger)):
        return True  # "600 clashes between January and September", "700 assassinations so far this year"
    existential = clause.lemma_.lower() == "be" and any(c.dep_ == "expl" for c in clause.children)
    if existential and _counted(trigger) and any(c.dep_ == "aux" and c.lower_ in {"has", "have"}
                                                  for c in clause.children):
        return True  # "there have been 4 murders"
    if existential and clause.tag_ in {"VBZ", "VBP"} and not headline:
        return True  # "there are only some bombings and shootings": what there is, not what happened
    if not _bare(trigger):
        return False
    if trigger.dep_ in {"nsubj", "nsubjpass"} and head.lemma_.lower() in COPULAS:
        predicate = [c for c in head.children if c.dep_ in {"acomp", "attr", "oprd", "xcomp"}]
        if any(p.lemma_.lower() in CHARACTERISING or any(g.lemma_.lower() in CHARACTERISING for g in p.children)
               for p in predicate):
            return True  # "bombings are common", "attacks have become routine", "... a daily occurrence"
    return False


def _modal_context(trigger: Token, is_verb: bool) -> str | None:
    """hypothetical or threatened from the words around a mention: "in case of an attack", "the risk of
    attacks", "the threat of a strike", "to prevent attacks", "whether they attack"."""
    if is_verb:
        if any(c.dep_ == "mark" and c.lower_ == "whether" for c in trigger.children):
            return "hypothetical"
        return None
    head = trigger.head
    if trigger.dep_ == "pobj" and head.lower_ == "for" and head.head.lemma_.lower() in DEMAND_FOR:
        return "planned"  # "called for the assassination of", "a call for a general strike"
    if trigger.dep_ == "pobj" and head.lower_ == "of":
        noun = head.head
        modal = MODAL_NOUNS.get(noun.lemma_.lower())
        if modal is not None and (noun.lemma_.lower() not in {"case", "event"} or noun.head.lower_ == "in"):
            return modal
    if trigger.dep_ in {"dobj", "nsubjpass"} and head.lemma_.lower() in PREVENTION_VERBS:
        return "hypothetical"
    for child in trigger.children:  # "the damage that terrorism can cause": what could happen
        if child.dep_ == "relcl" and any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_AUX for c in child.children):
            return "hypothetical"
    return None


# ------------------------------------------------------------------ past reference


def past_reference(trigger: Token, time_text: str | None, time_attached: bool) -> tuple[int | None, bool]:
    """What dates a mention before the story: (a year the mention is dated to, or None; whether it is said to
    be long past). The year comes from the mention's own time expression ("the 2015 offensive", "in 1988",
    "since the 2003 invasion") and is compared with the story's year by the caller; "years ago", "last
    year", "in the 1980s" and "the anniversary of ..." are long past whatever the story's date."""
    year: int | None = None
    for child in trigger.children:
        if child.dep_ in {"nummod", "compound", "amod", "npadvmod", "poss"} and _YEAR.fullmatch(child.text.rstrip("'’s")):
            year = int(_YEAR.fullmatch(child.text.rstrip("'’s")).group(1))  # type: ignore[union-attr]
    long_past = False
    if time_text and time_attached:
        years = [int(y) for y in _YEAR.findall(time_text)]
        if years and year is None:
            year = max(years)
        long_past = bool(_LONG_AGO.search(time_text))
    head = trigger.head
    if trigger.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in BACKGROUND_NOUNS:
        long_past = True
    return year, long_past


def event_speaker(trigger: Token, index: EntityIndex, entities: dict[str, Entity]) -> str | None:
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
        if current.head.i == current.i:
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
