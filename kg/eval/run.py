"""``kg eval``: run the extractor on public gold data and print precision, recall and F1.

The gold texts (:mod:`kg.eval.goldsets`, :mod:`kg.eval.muc4`) become :class:`~kg.records.Document` objects
(published date None: none of the gold sets gives one), go through :class:`kg.extract.Extractor` with the
configured model, gazetteers and trigger lexicon, and the records are scored by the format's scorer
(:func:`kg.eval.scoring.score`, :func:`kg.eval.muc4.score_muc4`, :func:`kg.eval.coref.score_clusters`) with the event class tree of the configured
ontology and mapping. With ``baseline=True`` bare spaCy NER and the naive lemma-list baseline are scored in
the same run, with the same model, and printed side by side with our figures.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import ConfigError
from kg.eval.baselines import baseline_naive, baseline_spacy
from kg.eval.classes import EventClasses, from_mapping
from kg.eval.coref import ClusterDoc, load_clusters, score_clusters
from kg.eval.goldsets import FORMATS as EVENT_FORMATS
from kg.eval.goldsets import TextDoc, load_gold
from kg.eval.muc4 import MucDoc, load_muc4, load_muc4_alignment, score_muc4
from kg.eval.report import Results, format_report, labels_for
from kg.eval.scoring import score
from kg.mapping import load_mapping
from kg.records import DocRecord, Document
from kg.settings import Settings

FORMATS = (*EVENT_FORMATS, "muc4", "clusters")
FOOTER = (
    "matching: spans overlap (exact: same span), one-to-one; NE: named PER/ORG/GPE/LOC/FAC, same type; "
    "triggers, args: coarse class, role; args end to end; unaligned gold types count as misses"
)
CLUSTERS_FOOTER = (
    "triggers: mentions, spans overlap, coarse class; coreference: MUC, B-cubed, CEAF-e (phi4) and their mean F1 "
    "(CoNLL), response mentions aligned one-to-one to overlapping gold mentions, the others twinless"
)
MUC4_FOOTER = (
    "incident: an asserted event of an incident class (alignment.yaml muc4); role fillers: arguments of such "
    "events, a gold entity found when a mention overlaps a filler of its role; fillers on one entity count once; "
    "by entity: a filler that is an entity overlaps through any of its mentions"
)


def gold_documents(gold: Sequence[TextDoc]) -> list[Document]:
    """One Document per gold document, over exactly the gold text (offsets then agree)."""
    return [
        Document(id=g.id, text=g.text, sha256=hashlib.sha256(g.text.encode("utf-8")).hexdigest(), source=g.id)
        for g in gold
    ]


def extract_gold(gold: Sequence[TextDoc], cfg: Settings) -> tuple[dict[str, DocRecord], object]:
    """Our records for the gold documents, by id, and the Extractor that made them."""
    from kg.extract import Extractor

    extractor = Extractor(cfg.extract)
    records = {r.document.id: r for r in extractor.extract_many(gold_documents(gold))}
    return records, extractor


@dataclass(frozen=True)
class _Task:
    docs: Sequence[Any]
    score: Callable[[Sequence[Any], Mapping[str, DocRecord]], Results]
    describe: Callable[[Sequence[Any]], str]  # what the gold holds, for the title
    footer: str


def _task(gold: Path, fmt: str, classes: EventClasses) -> _Task:
    if fmt == "muc4":
        alignment = load_muc4_alignment(classes)

        def muc_described(docs: Sequence[MucDoc]) -> str:
            return f"{sum(d.incident for d in docs)} with an incident"

        return _Task(load_muc4(gold), lambda docs, recs: score_muc4(docs, recs, alignment), muc_described,
                     MUC4_FOOTER)
    if fmt == "clusters":

        def clusters_described(docs: Sequence[ClusterDoc]) -> str:
            return f"{sum(len(d.events) for d in docs)} gold events"

        return _Task(load_clusters(gold, classes), lambda docs, recs: score_clusters(docs, recs, classes),
                     clusters_described, CLUSTERS_FOOTER)
    return _Task(load_gold(gold, fmt), lambda docs, recs: score(docs, recs, fmt=fmt, classes=classes),
                 lambda docs: f"{sum(len(g.events) for g in docs)} gold events", FOOTER)


def run_eval(gold: Path, fmt: str, cfg: Settings, baseline: bool = False, limit: int | None = None) -> str:
    """Score the extractor (and, with ``baseline``, the two baselines) on a gold file; the report text."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown gold format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    classes = from_mapping(load_mapping(cfg.mapping, cfg.ontology))  # the event class tree, checked first
    task = _task(gold, fmt, classes)
    docs = task.docs[:limit] if limit is not None else task.docs
    started = time.perf_counter()
    records, extractor = extract_gold(docs, cfg)
    seconds = time.perf_counter() - started
    columns: dict[str, Results] = {"kg": task.score(docs, records)}
    if baseline:
        nlp = extractor.nlp  # type: ignore[attr-defined]
        disabled = [name for name in nlp.pipe_names if name == "gazetteer"]
        with nlp.select_pipes(disable=disabled):
            columns["spacy NER"] = task.score(docs, baseline_spacy(nlp, docs))
            columns["naive"] = task.score(docs, baseline_naive(nlp, docs))
    title = (f"{fmt}: {gold} ({len(docs)} documents, {task.describe(docs)}; model "
             f"{extractor.model_name}; extraction {seconds:.1f} s)")  # type: ignore[attr-defined]
    return format_report(columns, title, labels=labels_for(*columns.values())) + "\n" + task.footer + "\n"
