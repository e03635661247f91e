"""Event coreference: MUC, B-cubed, CEAF-e and CoNLL F1 over clusters of mentions, and the ``clusters`` gold format.

The metrics follow the reference scorer of CoNLL-2011/2012 (``conll-2012``, scorer v8; Pradhan et al. 2014,
"Scoring coreference partitions of predicted mentions: a reference implementation"). A clustering is a
sequence of clusters, a cluster a sequence of hashable mentions; key (gold) and response (system) may cover
different mentions. Mentions in only one of them ("twinless") are handled as that scorer does, by the
original definitions applied to the mentions as they are, without adding or removing any:

- MUC (Vilain et al. 1995): recall = sum over key clusters K of (|K| - |p(K)|) / sum of (|K| - 1), where
  p(K) is the partition of K by the response clusters and every mention of K in no response cluster is a
  part of its own; precision swaps key and response. Singletons add nothing to either.
- B-cubed (Bagga & Baldwin 1998): recall = sum over key K and response R of |K & R|^2 / |K|, over the number
  of key mentions; precision the same with / |R|, over the number of response mentions. A twinless key
  mention earns no recall, a twinless response mention no precision.
- CEAF-e (Luo 2005, phi4): phi4(K, R) = 2 |K & R| / (|K| + |R|); the best one-to-one alignment of key
  and response clusters (Kuhn-Munkres) gives Phi; recall = Phi / number of key clusters, precision =
  Phi / number of response clusters.
- CoNLL F1: the mean of the three F1 scores.

Over several documents the numerators and denominators are summed (as the reference scorer does), then
divided. Singletons are kept (events are mostly singletons; the reference scorer scores what it is given).

``--format clusters``: a JSONL file of our own articles, one document per line::

    {"id": "...", "text": "...", "events": [{"class": "Airstrike", "mentions": [[start, end], ...]}, ...]}

``class`` is the local name of an event class of the mapping (``Airstrike``, ``Killing``); spans are
character offsets into ``text`` (end exclusive). :func:`score_clusters` scores the extractor's events as
response clusters: an event's mentions are ``event.mentions`` when the extractor gives them (pairs
``(start, end)`` or objects with ``start``/``end``), else its one trigger span. Response mentions are first
aligned one-to-one to key mentions whose spans overlap theirs (greedy by overlap, as everywhere in
``kg eval``); the others stay twinless. Trigger identification and classification are scored on the
mentions too (each gold mention an event of its cluster's class).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.eval.classes import EventClasses
from kg.eval.goldsets import GoldDoc, GoldEvent, json_field, json_lines, unique_ids
from kg.eval.scoring import PRF, match, overlap, score
from kg.ontology import local_name
from kg.records import DocRecord, Event

Span = tuple[int, int]


@dataclass(slots=True)
class Ratio:
    """Recall and precision as summed numerators over summed denominators (floats: B-cubed, CEAF)."""

    r_num: float = 0.0
    r_den: float = 0.0
    p_num: float = 0.0
    p_den: float = 0.0

    @property
    def recall(self) -> float:
        return self.r_num / self.r_den if self.r_den else 0.0

    @property
    def precision(self) -> float:
        return self.p_num / self.p_den if self.p_den else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Ratio) -> None:
        self.r_num += other.r_num
        self.r_den += other.r_den
        self.p_num += other.p_num
        self.p_den += other.p_den


# ------------------------------------------------------------------ metrics


def _clusters(clustering: Iterable[Iterable[Hashable]], what: str) -> list[frozenset[Hashable]]:
    out: list[frozenset[Hashable]] = []
    seen: set[Hashable] = set()
    for cluster in clustering:
        members = frozenset(cluster)
        if seen & members:
            raise ValueError(f"{what}: mention {next(iter(seen & members))!r} is in two clusters")
        seen |= members
        if members:
            out.append(members)
    return out


def _muc_side(key: list[frozenset[Hashable]], response: list[frozenset[Hashable]]) -> tuple[float, float]:
    cluster_of = {m: i for i, cluster in enumerate(response) for m in cluster}
    num = den = 0
    for cluster in key:
        parts = {cluster_of.get(m, ("twinless", m)) for m in cluster}
        num += len(cluster) - len(parts)
        den += len(cluster) - 1
    return num, den


def muc(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> Ratio:
    k, r = _clusters(key, "key"), _clusters(response, "response")
    r_num, r_den = _muc_side(k, r)
    p_num, p_den = _muc_side(r, k)
    return Ratio(r_num, r_den, p_num, p_den)


def b_cubed(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> Ratio:
    k, r = _clusters(key, "key"), _clusters(response, "response")
    shared = [(len(a), len(b), len(a & b)) for a in k for b in r if a & b]
    return Ratio(sum(n * n / ka for ka, _, n in shared), sum(map(len, k)),
                 sum(n * n / rb for _, rb, n in shared), sum(map(len, r)))


def ceaf_e(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> Ratio:
    k, r = _clusters(key, "key"), _clusters(response, "response")
    weights = [[2 * len(a & b) / (len(a) + len(b)) for b in r] for a in k]
    best = sum(weights[i][j] for i, j in max_assignment(weights)) if k and r else 0.0
    return Ratio(best, len(k), best, len(r))


def coref_scores(key: Iterable[Iterable[Hashable]], response: Iterable[Iterable[Hashable]]) -> dict[str, Ratio]:
    """MUC, B-cubed and CEAF-e of one document (or of clusterings whose mentions never collide)."""
    key, response = [list(c) for c in key], [list(c) for c in response]
    return {"muc": muc(key, response), "bcub": b_cubed(key, response), "ceafe": ceaf_e(key, response)}


def conll_f1(scores: Mapping[str, Ratio]) -> float:
    return (scores["muc"].f1 + scores["bcub"].f1 + scores["ceafe"].f1) / 3


def max_assignment(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """The one-to-one (row, column) pairs of maximum total weight, by row (Kuhn-Munkres, O(n^2 m)), any shape."""
    rows, cols = len(weights), len(weights[0]) if weights else 0
    if not rows or not cols:
        return []
    transpose = rows > cols
    if transpose:
        weights = [[weights[i][j] for i in range(rows)] for j in range(cols)]
        rows, cols = cols, rows
    big = max(max(row) for row in weights)
    cost = [[big - w for w in row] for row in weights]  # minimise; rows <= cols
    inf = float("inf")
    u, v = [0.0] * (rows + 1), [0.0] * (cols + 1)
    owner, way = [0] * (cols + 1), [0] * (cols + 1)  # owner[j]: row (1-based) assigned to column j
    for i in range(1, rows + 1):
        owner[0], j0 = i, 0
        low, used = [inf] * (cols + 1), [False] * (cols + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            for j in range(1, cols + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < low[j]:
                        low[j], way[j] = reduced, j0
                    if low[j] < delta:
                        delta, j1 = low[j], j
            for j in range(cols + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    low[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    pairs = [(owner[j] - 1, j - 1) for j in range(1, cols + 1) if owner[j]]
    return sorted((c, r) for r, c in pairs) if transpose else sorted(pairs)


# ------------------------------------------------------------------ the clusters gold format


@dataclass(frozen=True, slots=True)
class GoldCluster:
    cls: str  # our event type key
    class_name: str  # as written in the gold file
    mentions: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    id: str
    text: str
    events: tuple[GoldCluster, ...]

    def gold_doc(self) -> GoldDoc:
        """The mentions as gold events of their cluster's class, for trigger scoring."""
        events = [GoldEvent(s, e, c.class_name, c.cls) for c in self.events for s, e in c.mentions]
        return GoldDoc(self.id, self.text, (), tuple(sorted(events, key=lambda g: (g.start, g.end))))


def load_clusters(path: Path | str, classes: EventClasses) -> list[ClusterDoc]:
    """Read a ``clusters`` gold file; a malformed line is an InputError naming ``file:line``."""
    path = Path(path)
    key_of = {local_name(iri): key for key, iri in reversed(list(classes.iri.items()))}
    try:
        docs = [_cluster_doc(record, key_of, f"{path}:{line}") for line, record in json_lines(path)]
    except FileNotFoundError as exc:
        raise InputError("gold file not found", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"gold file is not UTF-8: {exc}", where=str(path)) from exc
    return unique_ids(docs)


def _cluster_doc(record: dict[str, Any], key_of: dict[str, str], where: str) -> ClusterDoc:
    doc_id = str(json_field(record, "id", str, where))
    text = str(json_field(record, "text", str, where))
    clusters, seen = [], set()
    for n, event in enumerate(json_field(record, "events", list, where), 1):
        if not isinstance(event, dict):
            raise InputError(f"event {n}: expected an object with `class` and `mentions`", where=where)
        name = json_field(event, "class", str, where)
        if name not in key_of:
            raise InputError(f"event {n}: unknown event class {name!r}", where=where,
                             hint=f"use a class of the mapping: {', '.join(sorted(key_of))}")
        spans = []
        mentions = json_field(event, "mentions", list, where)
        if not mentions:
            raise InputError(f"event {n}: no mentions", where=where)
        for span in mentions:
            if (not isinstance(span, list) or len(span) != 2 or not all(type(x) is int for x in span)
                    or not 0 <= span[0] < span[1] <= len(text)):
                raise InputError(f"event {n}: mention {span!r} is not a [start, end] span of the text", where=where)
            if tuple(span) in seen:
                raise InputError(f"event {n}: mention {span!r} is in two events", where=where)
            seen.add(tuple(span))
            spans.append((span[0], span[1]))
        clusters.append(GoldCluster(key_of[name], name, tuple(spans)))
    return ClusterDoc(doc_id, text, tuple(clusters))


# ------------------------------------------------------------------ scoring the extractor


def event_mentions(event: Event) -> tuple[Span, ...]:
    """An event's mention spans: ``event.mentions`` when the extractor gives them, else its trigger."""
    mentions = getattr(event, "mentions", None)
    if not mentions:
        return ((event.trigger_start, event.trigger_end),)
    return tuple((m[0], m[1]) if isinstance(m, tuple | list) else (m.start, m.end) for m in mentions)


def response_clusters(key: Sequence[Sequence[Span]], events: Sequence[Event]) -> list[list[Hashable]]:
    """The events as clusters, each response mention replaced by the key mention it is aligned to."""
    key_mentions = [m for cluster in key for m in cluster]
    response = [(index, m) for index, event in enumerate(events) for m in event_mentions(event)]
    aligned = dict(match(key_mentions, [m for _, m in response], lambda k, r: overlap(*k, *r)))
    to_key = {ri: key_mentions[ki] for ki, ri in aligned.items()}
    clusters: list[list[Hashable]] = [[] for _ in events]
    for ri, (index, mention) in enumerate(response):
        clusters[index].append(to_key.get(ri, ("twinless", index, *mention)))
    return clusters


def score_clusters(docs: Sequence[ClusterDoc], predicted: Mapping[str, DocRecord],
                   classes: EventClasses) -> dict[str, PRF | Ratio | float]:
    """Trigger scores on the mentions, and MUC / B-cubed / CEAF-e / CoNLL F1 of the events as clusters."""
    results: dict[str, PRF | Ratio | float] = dict(score([d.gold_doc() for d in docs], predicted, "clusters", classes))
    totals = {name: Ratio() for name in ("muc", "bcub", "ceafe")}
    n_gold = n_pred = 0
    ratios = []
    for doc in docs:
        record = predicted.get(doc.id)
        events = list(record.events) if record else []
        key = [list(c.mentions) for c in doc.events]
        for name, ratio in coref_scores(key, response_clusters(key, events)).items():
            totals[name].add(ratio)
        n_gold, n_pred = n_gold + len(doc.events), n_pred + len(events)
        if doc.events:
            ratios.append(len(events) / len(doc.events))
    # an event is a cluster on both sides here
    results["events_per_gold"] = n_pred / n_gold if n_gold else 0.0
    results["events_per_gold_doc"] = sum(ratios) / len(ratios) if ratios else 0.0
    for name, ratio in totals.items():
        results[f"coref_{name}"] = ratio
    results["coref_conll"] = conll_f1(totals)
    results["coref_gold_mentions"] = sum(len(c.mentions) for d in docs for c in d.events)
    return results
