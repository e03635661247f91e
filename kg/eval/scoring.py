"""Score extraction records against gold data (:mod:`kg.eval.goldsets`): precision, recall and F1.

Pure functions: ``score(gold_docs, predicted, fmt=...)`` takes gold documents and the predicted
:class:`DocRecord` of each document (by id; a missing document counts as predicting nothing) and returns
precision/recall/F1 counts (:class:`PRF`) and a few plain numbers. Predicted offsets must be offsets into
``GoldDoc.text``, i.e. the extractor must be run on exactly that text (a record whose document text
differs is an :class:`InputError`).

Matching rules
--------------
Spans match when they overlap by at least one character (``*_exact`` variants: same start and end).
Matching is one-to-one: candidate pairs are taken greedily by decreasing overlap, and each gold and each
predicted item is used at most once. tp = matched pairs, fp = unmatched predictions, fn = unmatched gold.

Entities (``entities``, ``entities_exact``; WikiEvents only, RAMS and PLOVER have no NER gold).
  Only NAMED mentions of the coarse types PER, ORG, GPE, LOC, FAC are scored. WikiEvents annotates names,
  nominals and pronouns alike (mention_type is always UNK), so "named" is decided from the text, with the
  same rule for gold and predicted mentions (:func:`is_named`): a mention is named when one of its words
  starts with a capital letter, is not a closed-class word (determiner, pronoun, preposition, conjunction:
  "The", "He", "Its", ...; an all-capitals word such as "US" is never closed-class), and, if it is the
  first word of a sentence, does not also occur in lower case in the document (so "Russia" at a sentence
  start is a name, "Police" is not when "police" occurs too).
  Gold types: the KAIROS entity type. Predicted types: from our entity ``type`` (person -> PER;
  organization, unit, armed_group -> ORG; state -> GPE; facility -> FAC; place -> GPE or LOC, because our
  place does not tell them apart, so a GPE/LOC confusion counts as a match for it); when the type is not
  one of those, from the NER ``label`` (PERSON -> PER, ORG, GPE, LOC, FAC as such, NORP -> GPE, since
  KAIROS types nationality words such as "Russian" as GPE). Every named mention of every entity is
  scored, whatever its source (NER, gazetteer, coreference).

Event triggers.
  Gold events are mentions (one per trigger), so each mention of a predicted event is scored as a
  prediction of its own, with the event's class and the arguments found at that mention
  (:func:`mention_events`); ``events_per_gold`` counts the predicted events themselves.
  ``triggers_id``: trigger spans overlap; all gold events count, also those whose type is unaligned.
  ``triggers_cls``: overlap and the same COARSE class (the direct child of Event above the predicted type
  key and above the gold's aligned class; the class tree is read from the ontology and the mapping, see
  :mod:`kg.eval.classes`). Gold events whose type is unaligned (``cls`` None) are scored like the others:
  in ``triggers_cls`` they are always misses, since no predicted class can match them; predictions on
  their triggers are scored like any other prediction. Their number is ``events_unaligned``.

  ``triggers_fine``: overlap and the same fine class (the gold's aligned key is the predicted type key).
  Per class: ``coarse:<key>`` splits ``triggers_cls`` by coarse class (tp: matched pairs of that class;
  fp: predictions of that class not matched; fn: gold events of that class not matched), ``fine:<key>``
  splits ``triggers_fine`` by fine class; only classes with gold or predicted events appear.
  ``events_per_gold``: predicted events / gold events over the whole set; ``events_per_gold_doc``: the
  same ratio per document with gold events, averaged (more than 1: the extractor splits or over-reports).

Arguments (end to end: predicted triggers, never gold ones).
  ``args_id``: a predicted argument matches a gold argument when the spans overlap and the predicted
  event's trigger overlaps the gold event's trigger. ``args_cls``: also the same coarse role. Scored are
  the arguments of all gold events (aligned or not) whose role aligns to a coarse role the scheme
  annotates (WikiEvents and RAMS: agent, target, place, instrument; PLOVER: agent, target, place; no scheme
  annotates time), and the predicted arguments with those roles of all predicted events. A gold argument
  whose role aligns to none of ours is not scored.

Per-format extras: RAMS annotates one event per window (other events in the text are not annotated, so
trigger precision is not meaningful there); ``rams_arg_recall_per_event`` is the mean over gold
events with scored arguments of the share of their arguments matched by ``args_cls``. PLOVER (one event
per sentence, many of its types fall under Contact): ``plover_type_accuracy`` is the share of gold
records (an unaligned one is a miss) for which some predicted event overlapping the trigger span has a
compatible class (the gold's class, an ancestor or a descendant: bombing ~ attack, not offensive ~
attack, not meeting ~ agreement); ``plover_coarse_accuracy`` the same with the coarse class only; ``plover_source_recall`` /
``plover_target_recall`` are the recall of ``args_cls`` on agent (SRC, SRC/TAR) / target (TAR) gold
arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from kg.errors import InputError
from kg.eval.classes import EventClasses, default_classes
from kg.eval.goldsets import GoldDoc, GoldEvent
from kg.records import Argument, DocRecord, Entity, Event


@dataclass(frozen=True, slots=True)
class Scheme:
    """What a gold format annotates."""

    entities: bool  # named-entity gold
    roles: frozenset[str]  # coarse roles it has arguments for


_ROLES4 = frozenset({"agent", "target", "place", "instrument"})
SCHEMES: dict[str, Scheme] = {
    "wikievents": Scheme(entities=True, roles=_ROLES4),
    "rams": Scheme(entities=False, roles=_ROLES4),
    "plover": Scheme(entities=False, roles=frozenset({"agent", "target", "place"})),
    "clusters": Scheme(entities=False, roles=frozenset()),  # event mentions only (kg.eval.coref)
}

# ------------------------------------------------------------------ counts


@dataclass(slots=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def __str__(self) -> str:
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} (tp={self.tp} fp={self.fp} fn={self.fn})"


# ------------------------------------------------------------------ matching

G = TypeVar("G")
P = TypeVar("P")


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def match(
    gold: Sequence[G],
    pred: Sequence[P],
    fits: Callable[[G, P], int],
) -> list[tuple[int, int]]:
    """One-to-one greedy matching: ``fits`` gives a pair's weight (0 = no match); (gold index, pred index)."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            weight = fits(g, p)
            if weight > 0:
                candidates.append((-weight, gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    return pairs


def _prf(n_gold: int, n_pred: int, n_matched: int) -> PRF:
    return PRF(tp=n_matched, fp=n_pred - n_matched, fn=n_gold - n_matched)


# ------------------------------------------------------------------ named entities

NE_TYPES = frozenset({"PER", "ORG", "GPE", "LOC", "FAC"})
LABEL_NE: dict[str, frozenset[str]] = {
    "PERSON": frozenset({"PER"}),
    "ORG": frozenset({"ORG"}),
    "GPE": frozenset({"GPE"}),
    "NORP": frozenset({"GPE"}),
    "LOC": frozenset({"LOC"}),
    "FAC": frozenset({"FAC"}),
}
TYPE_NE: dict[str, frozenset[str]] = {
    "person": frozenset({"PER"}),
    "organization": frozenset({"ORG"}),
    "unit": frozenset({"ORG"}),
    "armed_group": frozenset({"ORG"}),
    "state": frozenset({"GPE"}),
    "place": frozenset({"GPE", "LOC"}),
    "facility": frozenset({"FAC"}),
}
_CLOSED_CLASS_WORDS = """
    a an the this that these those some any all both each every either neither no another other such
    i you he she it we they me him her us them my your his its our their mine yours hers ours theirs
    who whom whose which what one
    in on at of for from to by with about after before during into over under as
    and but or nor so yet if when while
"""
CLOSED_CLASS = frozenset(_CLOSED_CLASS_WORDS.split())
_WORD = re.compile("[^\\W\\d_][\\w\u2019'.-]*")  # a word starting with a letter
_SENTENCE_END = ".!?\n"
_OPENERS = " \t\"'\u201c\u2018([\u2014-"  # may stand between a sentence end and its first word


def is_named(text: str, start: int, end: int) -> bool:
    """Whether the mention text[start:end] is a name (see the module docstring)."""
    for word in _WORD.finditer(text, start, end):
        token = word.group()
        acronym = len(token) > 1 and token.isupper()  # "US" is a name, "Us" is not
        if not token[0].isupper() or (not acronym and token.lower().rstrip(".") in CLOSED_CLASS):
            continue
        if _sentence_initial(text, word.start()) and re.search(rf"(?<!\w){re.escape(token.lower())}(?!\w)", text):
            continue
        return True
    return False


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(_OPENERS)
    return not before or before[-1] in _SENTENCE_END


def _entity_types(entity: Entity) -> frozenset[str]:
    return TYPE_NE.get(entity.type) or LABEL_NE.get(entity.label, frozenset())


def _score_entities(gold: GoldDoc, record: DocRecord | None) -> tuple[PRF, PRF]:
    text = gold.text
    gold_mentions = [
        (span.start, span.end, span.type)
        for span in gold.entities
        if span.type in NE_TYPES and is_named(text, span.start, span.end)
    ]
    pred_mentions = [
        (m.start, m.end, types)
        for ent in (record.entities if record else ())
        if (types := _entity_types(ent))
        for m in ent.mentions
        if is_named(text, m.start, m.end)
    ]

    def fits(g: tuple[int, int, str], p: tuple[int, int, frozenset[str]]) -> int:
        return overlap(g[0], g[1], p[0], p[1]) if g[2] in p[2] else 0

    def fits_exact(g: tuple[int, int, str], p: tuple[int, int, frozenset[str]]) -> int:
        return 1 if g[:2] == p[:2] and g[2] in p[2] else 0

    n_gold, n_pred = len(gold_mentions), len(pred_mentions)
    return (
        _prf(n_gold, n_pred, len(match(gold_mentions, pred_mentions, fits))),
        _prf(n_gold, n_pred, len(match(gold_mentions, pred_mentions, fits_exact))),
    )


# ------------------------------------------------------------------ events and arguments


def _trigger_overlap(g: GoldEvent, p: Event) -> int:
    return overlap(g.start, g.end, p.trigger_start, p.trigger_end)


@dataclass(slots=True)
class _DocEvents:
    """Event and argument scores of one document, with what the per-format extras need."""

    triggers_id: PRF
    triggers_cls: PRF
    args_id: PRF
    args_cls: PRF
    triggers_fine: PRF
    per_class: dict[str, PRF]  # "coarse:<key>" / "fine:<key>" -> trigger classification of that class
    unaligned: int
    # per gold event: (event, [(gold arg role, matched by args_cls)], types of overlapping predictions)
    per_event: list[tuple[GoldEvent, list[tuple[str, bool]], set[str]]]


def mention_events(record: DocRecord | None) -> list[Event]:
    """Each mention of each event as an event of its own (its trigger, sentence and the arguments found there,
    the event's class): gold triggers are mentions, so a merged event is scored by every mention it holds."""
    if record is None:
        return []
    return [replace(event, trigger_start=m.start, trigger_end=m.end, trigger=m.trigger, sentence=m.sentence,
                    confidence=event.confidence if m.confidence is None else m.confidence, arguments=m.arguments, mentions=())
            for event in record.events for m in event.all_mentions()]


def _score_events(gold: GoldDoc, record: DocRecord | None, roles: frozenset[str],
                  classes: EventClasses) -> _DocEvents:
    coarse_of = classes.coarse
    pred_events = mention_events(record)
    gold_events = list(gold.events)
    triggers_id = _prf(len(gold_events), len(pred_events), len(match(gold_events, pred_events, _trigger_overlap)))

    unaligned = sum(g.cls is None for g in gold_events)

    def same_class(g: GoldEvent, p: Event) -> int:
        coarse = coarse_of.get(p.type)
        return _trigger_overlap(g, p) if coarse is not None and coarse == coarse_of.get(g.cls or "") else 0

    cls_matches = match(gold_events, pred_events, same_class)
    triggers_cls = _prf(len(gold_events), len(pred_events), len(cls_matches))

    def same_fine(g: GoldEvent, p: Event) -> int:
        return _trigger_overlap(g, p) if g.cls is not None and p.type == g.cls else 0

    fine_matches = match(gold_events, pred_events, same_fine)
    triggers_fine = _prf(len(gold_events), len(pred_events), len(fine_matches))
    per_class = _per_class("coarse:", [coarse_of.get(g.cls or "") for g in gold_events],
                           [coarse_of.get(p.type) for p in pred_events], cls_matches)
    per_class.update(_per_class("fine:", [g.cls if g.cls in coarse_of else None for g in gold_events],
                                [p.type if p.type in coarse_of else None for p in pred_events], fine_matches))

    # arguments: (event index, arg) on both sides
    gold_args = [(gi, a) for gi, g in enumerate(gold_events) for a in g.args if a.role in roles]
    pred_args = [(pi, a) for pi, p in enumerate(pred_events) for a in p.arguments if a.role in roles]

    def arg_fits(g: tuple[int, Any], p: tuple[int, Argument]) -> int:
        if not _trigger_overlap(gold_events[g[0]], pred_events[p[0]]):
            return 0
        return overlap(g[1].start, g[1].end, p[1].start, p[1].end)

    def arg_fits_role(g: tuple[int, Any], p: tuple[int, Argument]) -> int:
        return arg_fits(g, p) if g[1].role == p[1].role else 0

    n_gold, n_pred = len(gold_args), len(pred_args)
    args_id = _prf(n_gold, n_pred, len(match(gold_args, pred_args, arg_fits)))
    cls_pairs = match(gold_args, pred_args, arg_fits_role)
    args_cls = _prf(n_gold, n_pred, len(cls_pairs))

    matched = {gi for gi, _ in cls_pairs}
    per_event: list[tuple[GoldEvent, list[tuple[str, bool]], set[str]]] = [
        (g, [], {p.type for p in pred_events if p.type in coarse_of and _trigger_overlap(g, p)})
        for g in gold_events
    ]
    for index, (gi, arg) in enumerate(gold_args):
        per_event[gi][1].append((arg.role or "", index in matched))
    return _DocEvents(triggers_id, triggers_cls, args_id, args_cls, triggers_fine, per_class, unaligned, per_event)


def _per_class(prefix: str, gold: list[str | None], pred: list[str | None],
               pairs: list[tuple[int, int]]) -> dict[str, PRF]:
    """PRF per class from the class of each gold and predicted item and the matched (gold, pred) pairs."""
    out: dict[str, PRF] = {}
    for cls in gold:
        if cls is not None:
            out.setdefault(prefix + cls, PRF()).fn += 1
    for cls in pred:
        if cls is not None:
            out.setdefault(prefix + cls, PRF()).fp += 1
    for gi, _ in pairs:
        prf = out[prefix + str(gold[gi])]
        prf.tp, prf.fp, prf.fn = prf.tp + 1, prf.fp - 1, prf.fn - 1
    return out


# ------------------------------------------------------------------ score


def score(
    gold_docs: Iterable[GoldDoc],
    predicted: Mapping[str, DocRecord],
    fmt: str = "wikievents",
    classes: EventClasses | None = None,
) -> dict[str, PRF | float]:
    """All metrics for one gold set; see the module docstring for the rules.

    ``classes`` is the event class tree (default: from the shipped ontology and mapping).
    """
    scheme = SCHEMES[fmt]
    classes = classes or default_classes()
    totals = {key: PRF() for key in ("triggers_id", "triggers_cls", "triggers_fine", "args_id", "args_cls")}
    entities, entities_exact = PRF(), PRF()
    unaligned = n_gold = n_pred = 0
    ratios: list[float] = []  # predicted events / gold events, per document with gold events
    per_class: dict[str, PRF] = {}
    per_event: list[tuple[GoldEvent, list[tuple[str, bool]], set[str]]] = []
    for gold in gold_docs:
        record = predicted.get(gold.id)
        if record is not None and record.document.text != gold.text:
            raise InputError(
                "the predicted record was made from a different text than the gold document",
                where=gold.id,
                hint="run the extractor on GoldDoc.text",
            )
        if scheme.entities:
            overlap_prf, exact_prf = _score_entities(gold, record)
            entities.add(overlap_prf)
            entities_exact.add(exact_prf)
        doc = _score_events(gold, record, scheme.roles, classes)
        for key, prf in totals.items():
            prf.add(getattr(doc, key))
        unaligned += doc.unaligned
        per_event.extend(doc.per_event)
        for key, prf in doc.per_class.items():
            per_class.setdefault(key, PRF()).add(prf)
        doc_pred = len(record.events) if record else 0
        n_gold, n_pred = n_gold + len(gold.events), n_pred + doc_pred
        if gold.events:
            ratios.append(doc_pred / len(gold.events))

    results: dict[str, PRF | float] = {}
    if scheme.entities:
        results["entities"] = entities
        results["entities_exact"] = entities_exact
    results.update(totals)
    if not scheme.roles:  # no argument gold
        del results["args_id"], results["args_cls"]
    results["events_unaligned"] = unaligned  # a count
    results["events_per_gold"] = n_pred / n_gold if n_gold else 0.0
    results["events_per_gold_doc"] = sum(ratios) / len(ratios) if ratios else 0.0
    if fmt == "rams":
        shares = [sum(ok for _, ok in args) / len(args) for _, args, _ in per_event if args]
        results["rams_arg_recall_per_event"] = sum(shares) / len(shares) if shares else 0.0
    if fmt == "plover":
        coarse_of = classes.coarse
        exact = [g.cls is not None and any(classes.compatible(g.cls, c) for c in found) for g, _, found in per_event]
        coarse = [g.cls is not None and coarse_of.get(g.cls) in {coarse_of[c] for c in found}
                  for g, _, found in per_event]
        results["plover_type_accuracy"] = sum(exact) / len(exact) if exact else 0.0
        results["plover_coarse_accuracy"] = sum(coarse) / len(coarse) if coarse else 0.0
        for name, role in (("plover_source_recall", "agent"), ("plover_target_recall", "target")):
            found = [ok for _, args, _ in per_event for r, ok in args if r == role]
            results[name] = sum(found) / len(found) if found else 0.0
    order = [f"coarse:{c}" for c in classes.coarse_classes] + [f"fine:{c}" for c in classes.iri]
    for key in sorted(per_class, key=lambda k: order.index(k) if k in order else len(order)):
        results[key] = per_class[key]
    return results

