"""Event coreference within a document: mentions of one happening become one :class:`~kg.records.Event`.

Mentions are taken in text order; each either joins an event already open (a *cluster*) or opens a new one.
A mention may join a cluster only when they are **compatible**:

- class: the same class, or one an ancestor of the other (attack ~ bombing, not bombing ~ airstrike; the
  tree is the `parent` each event type of the trigger lexicon names; a type without one is compatible
  with itself only);
- modality: the same, and neither generic nor negated (a kind of event, or one that did not happen, is no
  particular happening to refer back to); a mention dated before the story (``Resolver.past``) joins only a
  happening that began so, which a later mention joins only without a day of its own (the extractor then
  makes that whole happening generic: background, not the story);
- arguments: for agent, target and place, when both sides name entities, some entity on one side is the
  entity on the other or related to it (the gazetteer's parents, or memberOf / subOrganizationOf /
  commands / leaderOf / locatedIn in the document); a state as place is compatible with any place, an
  entity named by a common noun only ("the militants", "the border") with any entity;
- time: no two different days named by the mentions' own time expressions (dates, weekdays, "the Monday
  attack");
- distance: the cluster was last mentioned at most :data:`WINDOW` sentences before.

and when the text says it is the same happening:

- the syntax says so: an event noun that is the subject of an event verb ("a drone strike hit the depot":
  the hitting is the strike), a statement noun that is where something was said ("said in a statement");
- a definite noun phrase refers back ("the attack", "this strike", "his visit", "Israel's offensive", "the
  second strike"): to a compatible cluster, preferring one it shares a participant or the word with, then
  the nearest, then the most mentioned (the most salient);
- a bare plural or mass noun ("airstrikes", "fighting") joins a compatible cluster of the same word or one
  it shares a participant with (the same entity, or a non-entity argument with the same head word);
- a verb joins a compatible cluster it shares a participant with, within :data:`VERB_WINDOW` sentences;
- an indefinite noun phrase ("an attack") opens a new event, and "another attack", "a second strike", "a
  separate bombing" always do; so does a mention that dates another ("three days after the first raid"),
  and two verbs or indefinites of one sentence are two events;
- the headline announces what the body reports: the first compatible mention of the body (not a bare noun)
  joins an event of the title or subtitle whatever its determiner; a headline event the body's first
  compatible mention does not take up is not waited for any longer;
- statements, threats and requests join only a cluster with the same speaker (agent); meetings are
  happenings like the others.

The merged event has every mention (the first is its trigger; each keeps the arguments found there), the most
specific class, the highest confidence, and the arguments of all its mentions: one per entity and role (the
best evidenced: attached before loose, then the higher confidence), one time (the best evidenced), the counts
of its best evidenced mention. The search looks back only over clusters mentioned within the window (and the
headline's), so the work per mention is bounded and the whole pass is linear in the length of the document.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Token

from kg.records import Argument, Event, EventMention

WINDOW = 12  # sentences between a cluster's last mention and a noun phrase referring back to it
VERB_WINDOW = 4  # the same for a verb (it needs a shared argument too)
ROLES = ("agent", "target", "place")
DEFINITE = frozenset({"the", "this", "that", "these", "those"})
NEW_WORDS = frozenset({"another", "other", "first", "second", "third", "fourth", "fifth", "separate", "different", "fresh",
                       "additional", "further", "subsequent", "similar", "earlier", "previous", "prior", "more"})
TEMPORAL_PREPS = frozenset({"after", "before", "since", "following", "until", "till", "ahead", "prior", "during"})
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_NON_MERGING = frozenset({"generic", "negated"})


def event_parents(lexicon_events: Mapping[str, object]) -> dict[str, str]:
    """The class tree (event type -> parent type): the ``parent`` each entry of the trigger lexicon names,
    which tests/test_extract_events_coref.py checks against the ontology and the mapping."""
    tree = {}
    for key, entry in lexicon_events.items():
        parent = getattr(entry, "parent", None)
        if isinstance(parent, str) and parent:
            tree[key] = parent
    return tree


def ancestors(event_type: str, tree: Mapping[str, str]) -> tuple[str, ...]:
    chain = [event_type]
    while chain[-1] in tree and len(chain) < 10:
        chain.append(tree[chain[-1]])
    return tuple(chain)


def compatible_classes(a: str, b: str, tree: Mapping[str, str]) -> bool:
    return a in ancestors(b, tree) or b in ancestors(a, tree)


def more_specific(a: str, b: str, tree: Mapping[str, str]) -> str:
    return a if len(ancestors(a, tree)) >= len(ancestors(b, tree)) else b


@dataclass(frozen=True, slots=True)
class Cue:
    """What the text says about one mention that bears on whether it names an event mentioned before."""

    lemma: str
    reference: str  # verb | definite | bare | indefinite | new
    headline: bool = False
    communication: bool = False
    days: frozenset[str] = frozenset()  # the day its own time expression names ("on Monday", "the Monday attack")
    anchor: int | None = None  # an event verb whose subject is an event noun ("a drone strike hit ..."): the
    # noun's offset relative to the verb's; the verb says what that event did, so it is that event
    relative: bool = False  # the time of another event: "three days after the first raid", "before the attack"


def cue_of(trigger: Token, is_verb: bool, headline: bool, communication: bool,
           days: frozenset[str] = frozenset()) -> Cue:
    """The reference a trigger makes: a verb, a definite, bare, indefinite or explicitly new noun phrase."""
    lemma = trigger.lemma_.lower()
    days = frozenset(c.lower_ for c in trigger.children
                     if c.lower_ in WEEKDAYS and c.dep_ in {"compound", "poss", "npadvmod", "nmod", "amod"}) | days
    if is_verb:
        return Cue(lemma, "verb", headline, communication, days)
    reference = "bare"
    new = False
    for child in trigger.children:
        word = child.lower_
        if word in NEW_WORDS and child.dep_ in {"det", "amod", "advmod", "nummod"}:
            new = True  # "another attack", "a second strike", "other bombings"
        if child.dep_ == "poss" or (child.dep_ == "det" and word in DEFINITE):
            reference = "definite"
        elif (child.dep_ == "det" and word in {"a", "an"}) or child.dep_ == "nummod":
            reference = "indefinite" if reference == "bare" else reference
    if new and reference != "definite":
        reference = "new"  # but "the second strike", "the other attack" refer back to one
    relative = trigger.dep_ == "pobj" and trigger.head.lower_ in TEMPORAL_PREPS
    return Cue(lemma, reference, headline, communication, days, relative=relative)


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a mention names, computed once per mention: entities and head words by role, days."""

    roles: dict[str, set[str]]
    heads: dict[str, set[str]]
    days: set[str]


@dataclass(eq=False)
class _Cluster:
    events: list[Event]
    cues: list[Cue]
    type: str
    modality: str
    last_sentence: int
    roles: dict[str, set[str]] = field(default_factory=dict)  # role -> entity ids
    heads: dict[str, set[str]] = field(default_factory=dict)  # role -> head words of arguments that are no entity
    days: set[str] = field(default_factory=set)  # resolved dates and weekday names
    lemmas: set[str] = field(default_factory=set)

    introduced: bool = False  # the body has had its one chance to take up what the headline announced
    past: bool = False  # its first mention is dated before the story: a happening of the background

    @property
    def waiting(self) -> bool:
        """Announced by the headline and not yet taken up by the body."""
        return not self.introduced and any(c.headline for c in self.cues)

    def add(self, event: Event, cue: Cue, tree: Mapping[str, str]) -> None:
        self.events.append(event)
        self.cues.append(cue)
        self.type = more_specific(self.type, event.type, tree) if self.events[:-1] else event.type
        self.last_sentence = max(self.last_sentence, event.sentence)
        for role, ids in _roles(event).items():
            self.roles.setdefault(role, set()).update(ids)
        for role, words in _heads(event).items():
            self.heads.setdefault(role, set()).update(words)
        self.days |= _days(event) | cue.days
        self.lemmas.add(cue.lemma)


def _roles(event: Event) -> dict[str, set[str]]:
    roles: dict[str, set[str]] = {}
    for arg in event.arguments:
        if arg.role in ROLES and arg.entity is not None:
            roles.setdefault(arg.role, set()).add(arg.entity)
    return roles


def _heads(event: Event) -> dict[str, set[str]]:
    """Head words (the last word) of the arguments that are no entity: "the three workers" -> workers."""
    heads: dict[str, set[str]] = {}
    for arg in event.arguments:
        if arg.role in ROLES and arg.entity is None and arg.text.split():
            heads.setdefault(arg.role, set()).add(arg.text.split()[-1].lower())
    return heads


def day_keys(text: str, value: str | None) -> set[str]:
    """What a time expression says of the day: its date, month and day, weekday (only those it names)."""
    if value:
        try:
            resolved = date.fromisoformat(value[:10])
        except ValueError:
            return set()
        return {resolved.isoformat(), f"{resolved.strftime('%b').lower()}-{resolved.day}",
                resolved.strftime("%A").lower()}
    word = re.sub(r"^(on|last|this|early|late)\s+|('s)?(\s+(night|morning|evening|afternoon))?$", "", text.strip().lower())
    if word in WEEKDAYS:
        return {word}
    if match := _MONTH_DAY.match(word):
        month, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        return {f"{month}-{int(number)}"}
    return set()


def _days(event: Event) -> set[str]:
    """The days an event's own time expression names (a date found only in its sentence does not count)."""
    days: set[str] = set()
    for arg in event.arguments:
        if arg.role == "time" and not arg.rule.startswith("date-sentence"):
            days |= day_keys(arg.text, arg.value)
    return days


Related = Callable[[str, str], bool]
_MONTH_DAY = re.compile(r"^(?:on\s+)?([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?$|^(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?"
                        r"\s+(?:of\s+)?([a-z]{3})[a-z]*\.?$")


@dataclass
class Resolver:
    """Clusters the mentions of one document (see the module docstring). ``related(a, b)``: whether two
    entity ids may stand for the same participant (the same entity, or a part of it); ``states``: ids of
    the entities that are states (as a place, a state contains any other place); ``nominal``: ids of the
    entities named by common nouns only ("the militants", "the border"), which may be any entity of the
    kind and so never keep two mentions apart."""

    related: Related
    states: frozenset[str] = frozenset()
    nominal: frozenset[str] = frozenset()
    tree: Mapping[str, str] = field(default_factory=dict)  # event type -> parent type
    ongoing: frozenset[str] = frozenset()  # types naming a state of affairs ("the war"): they join only each other
    pairs: int = 0  # candidate pairs compared (for the linear-time check)
    # where the mentions dated before the story start: such a mention only starts or joins a happening of the
    # background, which a later mention without a day of its own may join ("the January 18 strike ... the strike")
    past: frozenset[int] = frozenset()

    def resolve(self, events: Sequence[Event], cues: Sequence[Cue]) -> list[Event]:
        open_: OrderedDict[int, _Cluster] = OrderedDict()  # by last mention, oldest first
        clusters: list[_Cluster] = []
        at: dict[int, _Cluster] = {}  # mention start -> its cluster, for anchored verbs
        for event, cue in sorted(zip(events, cues, strict=True), key=lambda pair: pair[0].trigger_start):
            cluster = None
            if cue.anchor is not None:  # the mention the syntax says it is the same event as
                anchored = at.get(event.trigger_start + cue.anchor)
                facts = _Facts(_roles(event), _heads(event), _days(event) | cue.days)
                if anchored is not None and id(anchored) in open_ and self._compatible(event, facts, anchored,
                                                                                       anchored=True):
                    cluster = anchored
            if cluster is None:
                cluster = self._antecedent(event, cue, open_)
            if cluster is None:
                cluster = _Cluster([], [], event.type, event.modality, event.sentence,
                                   past=event.trigger_start in self.past)
                clusters.append(cluster)
            else:
                del open_[id(cluster)]
            cluster.add(event, cue, self.tree)
            open_[id(cluster)] = cluster
            at[event.trigger_start] = cluster
            self._forget(open_, event.sentence)
        return [_merged(c.events, c.type, f"V{number}") for number, c in enumerate(clusters, 1)]

    @staticmethod
    def _forget(open_: OrderedDict[int, _Cluster], sentence: int) -> None:
        """Drop clusters last mentioned before the window; a headline cluster waits for the body."""
        for key in list(open_):
            cluster = open_[key]
            if cluster.waiting:
                continue
            if sentence - cluster.last_sentence <= WINDOW:
                break
            del open_[key]

    def _antecedent(self, event: Event, cue: Cue, open_: OrderedDict[int, _Cluster]) -> _Cluster | None:
        if cue.reference == "new" or event.modality in _NON_MERGING:
            return None
        mention = _Facts(_roles(event), _heads(event), _days(event) | cue.days)
        best: tuple[int, int, int, int, int, int] | None = None
        chosen: _Cluster | None = None
        announced: list[_Cluster] = []
        for rank, cluster in enumerate(reversed(open_.values())):
            distance = event.sentence - cluster.last_sentence
            waiting = cluster.waiting and not cue.headline and cue.reference != "bare"
            if distance > WINDOW and not cluster.waiting:
                continue
            self.pairs += 1
            # a headline's places are unreliable (its words are few, its parse often wrong: "X tours front as
            # offensive on Y begins"): between headline and body only the participants must agree
            if not self._compatible(event, mention, cluster, places=not (waiting or cue.headline)):
                continue
            shared = self._shared(mention, cluster, self.same)
            if waiting:
                announced.append(cluster)
                shared |= self._shared(mention, cluster, self.related)
            if cue.communication and "agent" not in shared:
                ok = False  # statements are told apart by who made them
            elif waiting:
                ok = True  # the body's first compatible mention takes up what the headline announced
            elif cue.headline:
                ok = bool(shared) or cue.lemma in cluster.lemmas
            elif cue.reference == "verb":
                ok = bool(shared) and distance <= VERB_WINDOW
            elif cue.reference == "definite":
                ok = True
            elif cue.reference == "bare":
                ok = bool(shared) or cue.lemma in cluster.lemmas
            else:  # indefinite: a new event
                ok = False
            if ok and distance == 0 and (cue.relative or (cue.reference != "definite" and not waiting)):
                ok = False  # two verbs (or indefinites) of one sentence are two events; so is "X after Y"
            if not ok:
                continue
            # what it shares, the same word, the nearest sentence, the most salient (most mentioned), the same
            # class, the most recent
            score = (len(shared), int(cue.lemma in cluster.lemmas), -distance, len(cluster.events),
                     int(event.type == cluster.type), -rank)
            if best is None or score > best:
                best, chosen = score, cluster
        for cluster in announced:
            cluster.introduced = True  # one chance: a headline event the lede does not take up is not waited for
        return chosen

    def _compatible(self, event: Event, mention: _Facts, cluster: _Cluster, anchored: bool = False,
                    places: bool = True) -> bool:
        """Whether the mention may join the cluster; one the syntax ties to it (``anchored``) need not agree
        on its participants (a slip in either one's arguments must not split what the sentence joins)."""
        if event.modality != cluster.modality or event.modality in _NON_MERGING:
            return False
        dated_before = event.trigger_start in self.past
        if dated_before != cluster.past and (dated_before or mention.days):
            return False  # the background and the story are different happenings
        if not compatible_classes(cluster.type, event.type, self.tree) or \
                (cluster.type in self.ongoing) != (event.type in self.ongoing):
            return False  # "the conflict" holds the bombing and is not it
        if mention.days and cluster.days and not mention.days & cluster.days:
            return False
        if anchored:
            return True
        for role, named in mention.roles.items():
            ids, theirs = named - self.nominal, cluster.roles.get(role, set()) - self.nominal
            if not ids or not theirs:
                continue
            if role == "place" and (not places or ids & self.states or theirs & self.states):
                continue
            if not any(self.related(a, b) for a in ids for b in theirs):
                return False
        return True

    @staticmethod
    def same(a: str, b: str) -> bool:
        return a == b

    @staticmethod
    def _shared(mention: _Facts, cluster: _Cluster, match: Related) -> set[str]:
        """The roles in which the mention names an entity the cluster names (``match``: the same, or related)."""
        shared: set[str] = set()
        for role, ids in mention.roles.items():
            theirs = cluster.roles.get(role, set())
            if any(match(a, b) for a in ids for b in theirs):
                shared.add(role)
        for role, words in mention.heads.items():
            if words & cluster.heads.get(role, set()):
                shared.add(role)  # "three workers were killed ... the three workers died"
        return shared


def _argument_rank(arg: Argument) -> tuple[int, float]:
    return (0 if arg.rule.startswith("date-sentence") else 1, arg.confidence)


def _merged(events: list[Event], event_type: str, event_id: str) -> Event:
    """One event from the mentions of a cluster (in text order; see the module docstring)."""
    first = events[0]
    mentions = tuple(EventMention(e.trigger_start, e.trigger_end, e.trigger, e.sentence, e.rule, e.confidence,
                                  e.arguments) for e in events)
    if len(events) == 1:
        return replace(first, id=event_id, mentions=mentions)
    best: dict[tuple[str, str], Argument] = {}
    order: list[tuple[str, str]] = []
    times: list[Argument] = []
    for event in events:
        for arg in event.arguments:
            if arg.role == "time":
                times.append(arg)
                continue
            key = (arg.role, arg.entity or f"{arg.start}-{arg.end}")
            if key not in best:
                order.append(key)
                best[key] = arg
            elif _argument_rank(arg) > _argument_rank(best[key]):
                best[key] = arg
    arguments = [best[key] for key in order]
    if times:
        arguments.append(max(times, key=lambda a: (a.value is not None, *_argument_rank(a))))
    counted = max(events, key=lambda e: (e.killed is not None or e.injured is not None, e.confidence))
    return replace(
        first, id=event_id, type=event_type, confidence=max(e.confidence for e in events),
        arguments=tuple(arguments), killed=counted.killed, injured=counted.injured,
        reported_by=next((e.reported_by for e in events if e.reported_by), None), mentions=mentions,
    )


def related_entities(parents: dict[str, str], links: Iterable[tuple[str, str]],
                     same: Mapping[str, str] | None = None) -> Related:
    """``related(a, b)`` for entity ids: equal (after ``same``: entity id -> the id it is taken for), or
    linked by ``links`` (pairs of ids, either direction), or one an ancestor of the other in ``parents``
    (entity id -> parent entity id)."""
    same = same or {}
    linked: dict[str, set[str]] = {}
    for a, b in links:
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)

    def chain(entity: str) -> list[str]:
        out = [entity]
        while out[-1] in parents and len(out) < 8:
            out.append(parents[out[-1]])
        return out

    def related(a: str, b: str) -> bool:
        if a == b or same.get(a, a) == same.get(b, b) or b in linked.get(a, ()):
            return True
        return a in chain(b) or b in chain(a)

    return related
