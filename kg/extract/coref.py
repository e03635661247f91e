"""In-document coreference of pronouns and definite nominals: "he", "they", "its", "the soldiers" -> the entity
mentioned before them.

Resolution is one left-to-right pass over the mentions (named, nominal, and pronouns resolved so far), so it
is linear in the length of the document: each pronoun looks back over the mentions of its own sentence and
the ``WINDOW`` sentences before it. A candidate must agree with the pronoun:

- person and number: he/she -> one person; they -> several people (a plural nominal: "the soldiers"), an
  organisation, armed group, unit or state (collectives take "they" as often as "it"), or several things of
  the same or the previous sentence ("two bombs ... they exploded"); it/its -> an
  organisation, armed group, unit or state, or a thing (weapon, vehicle, facility) in the same or the
  previous sentence;
- gender: "she" never takes a mention known to be male ("the man", a person "he" already resolved to), and
  the other way round;
- binding: a pronoun is never an argument of the same verb as its antecedent ("X killed him" is not X),
  nor the possessor inside the phrase it modifies ("his brother" is not the brother).

Among agreeing candidates the most salient wins: subjects over other positions, a subject pronoun prefers a
subject antecedent, names over common nouns, entities mentioned often, and nearer sentences and nearer
words. A pronoun that fits nothing stays unresolved. Pleonastic "it" ("it is unclear", "it seems"), "it" other
than as a subject (as an object it mostly stands for an event: "denied it") and first and second person
pronouns are never resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from kg.extract.arrays import words

WINDOW = 2  # previous sentences a pronoun looks back over
GROUP_TYPES = frozenset({"organization", "armed_group", "unit", "state"})
THING_TYPES = frozenset({"weapon", "vehicle", "facility"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "obj", "dative", "iobj", "attr"})
PLEONASTIC_HEADS = frozenset({"be", "seem", "appear", "remain", "become", "happen", "take", "rain", "matter"})

# pronoun -> (kind, number, gender): kind person | plural | neuter
PRONOUNS: dict[str, tuple[str, str, str | None]] = {
    "he": ("person", "sing", "male"), "him": ("person", "sing", "male"), "his": ("person", "sing", "male"),
    "himself": ("person", "sing", "male"),
    "she": ("person", "sing", "female"), "her": ("person", "sing", "female"), "hers": ("person", "sing", "female"),
    "herself": ("person", "sing", "female"),
    "they": ("plural", "plur", None), "them": ("plural", "plur", None), "their": ("plural", "plur", None),
    "theirs": ("plural", "plur", None), "themselves": ("plural", "plur", None),
    "it": ("neuter", "sing", None), "its": ("neuter", "sing", None), "itself": ("neuter", "sing", None),
}


@dataclass(slots=True)
class Referent:
    """What the resolver knows of an entity (named or nominal) it may resolve pronouns to."""

    key: Hashable  # the caller's handle for the entity
    type: str  # entity type
    plural: bool  # a plural nominal ("the soldiers"); names are singular
    named: bool
    gender: str | None = None
    mentions: int = 0


@dataclass(frozen=True, slots=True)
class MentionAt:
    """One mention of a referent: its head token, sentence and whether it is a subject."""

    token: int
    sentence: int
    subject: bool
    referent: Referent


def resolve_pronouns(doc: Doc, mentions: Sequence[MentionAt], sentence_of: Callable[[int], int],
                     ignore: Callable[[int, int], bool]) -> dict[int, Referent]:
    """Token index of each resolved pronoun -> its referent. ``mentions`` are the named and nominal mentions,
    in any order; they are not changed (their ``mentions`` counts are)."""
    lowers, _ = words(doc)
    pronouns = [i for i, word in enumerate(lowers) if word in PRONOUNS]
    if not pronouns:
        return {}
    ordered = sorted(mentions, key=lambda m: m.token)
    resolved: dict[int, Referent] = {}
    history: list[MentionAt] = []  # mentions and resolved pronouns before the current position
    next_mention = 0
    for i in pronouns:
        while next_mention < len(ordered) and ordered[next_mention].token < i:
            mention = ordered[next_mention]
            mention.referent.mentions += 1
            history.append(mention)
            next_mention += 1
        token = doc[i]
        if token.pos_ not in {"PRON", "DET"} or ignore(token.idx, token.idx + len(token)):
            continue
        if lowers[i] == "it" and (token.dep_ not in SUBJECT_DEPS or _pleonastic(token)):
            continue  # "denied it", "it is unclear": an event or nothing, not an actor
        sentence = sentence_of(i)
        choice = _best(token, PRONOUNS[lowers[i]], sentence, history)
        if choice is None:
            continue
        resolved[i] = choice
        kind, _, gender = PRONOUNS[lowers[i]]
        if kind == "person" and choice.gender is None:
            choice.gender = gender
        history.append(MentionAt(i, sentence, token.dep_ in SUBJECT_DEPS, choice))
    return resolved


def _pleonastic(token: Token) -> bool:
    """'It is unclear whether', 'it seems', 'it took hours': an 'it' that refers to nothing."""
    head = token.head
    if token.dep_ not in SUBJECT_DEPS or head.lemma_.lower() not in PLEONASTIC_HEADS:
        return False
    return any(c.dep_ in {"ccomp", "xcomp", "acomp", "attr", "csubj", "advcl"} for c in head.children)


def _agrees(features: tuple[str, str, str | None], ref: Referent, distance: int) -> bool:
    kind, _, gender = features
    if kind == "person":
        return ref.type == "person" and not ref.plural and (ref.gender is None or ref.gender == gender)
    if kind == "plural":  # people, collectives, or things just mentioned ("two bombs ... they exploded")
        return (ref.type == "person" and ref.plural) or ref.type in GROUP_TYPES or (
            ref.plural and ref.type in THING_TYPES and distance <= 1)
    # it / its: a collective or a thing, and only close by
    if ref.plural:
        return False
    return ref.type in GROUP_TYPES or (ref.type in THING_TYPES and distance <= 1)


def _best(token: Token, features: tuple[str, str, str | None], sentence: int,
          history: list[MentionAt]) -> Referent | None:
    if token.lower_.endswith(("self", "selves")):  # a reflexive means the subject of its own verb
        subjects = {c.i for c in token.head.children if c.dep_ in SUBJECT_DEPS}
        for mention in reversed(history):
            if mention.token in subjects and _agrees(features, mention.referent, 0):
                return mention.referent
        return None
    subject = token.dep_ in SUBJECT_DEPS
    co_arguments = _co_arguments(token)
    best: tuple[float, int] | None = None
    choice: Referent | None = None
    seen: set[int] = set()
    for mention in reversed(history):
        distance = sentence - mention.sentence
        if distance > WINDOW:
            break
        ref = mention.referent
        if id(ref) in seen:
            continue  # the most recent mention of each referent speaks for it
        seen.add(id(ref))
        if not _agrees(features, ref, distance):
            continue
        if distance == 0 and mention.token in co_arguments:
            continue
        score = -1.2 * distance
        score += 1.0 if mention.subject else 0.0
        score += 0.8 if subject and mention.subject else 0.0
        score += 0.6 if ref.named else 0.0
        score += 0.2 * min(ref.mentions, 3)
        if features[0] == "plural" and ref.type == "person":
            score += 0.4  # "they" most often means the people just named
        key = (score, mention.token)  # ties: the nearer mention
        if best is None or key > best:
            best, choice = key, ref
    return choice


def _co_arguments(token: Token) -> set[int]:
    """Tokens a pronoun cannot corefer with: the other arguments of its own verb (binding), and the noun
    its possessive modifies, with that noun's own modifiers."""
    out: set[int] = set()
    head = token.head
    if token.dep_ in ARGUMENT_DEPS or token.dep_ == "pobj":
        verb = head.head if token.dep_ == "pobj" else head
        for child in verb.children:
            if child.dep_ in ARGUMENT_DEPS:
                out.add(child.i)
                out.update(c.i for c in child.children if c.dep_ in {"compound", "amod", "poss"})
            elif child.dep_ in {"prep", "agent"}:
                out.update(c.i for c in child.children if c.dep_ == "pobj")
    elif token.dep_ == "poss":
        out.add(head.i)
        out.update(c.i for c in head.children if c.dep_ in {"compound", "amod"})
    out.discard(token.i)
    return out
