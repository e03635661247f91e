"""``kg eval``: run the extractor on public gold data and print precision, recall and F1.

The gold texts (:mod:`kg.eval.goldsets`) become :class:`~kg.records.Document` objects (published date None:
none of the gold sets gives one), go through :class:`kg.extract.Extractor` with the configured model,
gazetteers and trigger lexicon, and the records are scored with :func:`kg.eval.scoring.score`. With
``baseline=True`` bare spaCy NER and the naive lemma-list baseline are scored in the same run, with the
same model, and printed side by side with our figures.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

from kg.eval.baselines import baseline_naive, baseline_spacy
from kg.eval.classes import from_mapping
from kg.eval.goldsets import GoldDoc, load_gold
from kg.eval.report import Results, format_report, labels_for
from kg.eval.scoring import score
from kg.mapping import load_mapping
from kg.records import DocRecord, Document
from kg.settings import Settings

FOOTER = (
    "matching: spans overlap (exact: same span), one-to-one; NE: named PER/ORG/GPE/LOC/FAC, same type; "
    "triggers, args: coarse class, role; args end to end; unaligned gold types count as misses"
)


def gold_documents(gold: Sequence[GoldDoc]) -> list[Document]:
    """One Document per gold document, over exactly the gold text (offsets then agree)."""
    return [
        Document(id=g.id, text=g.text, sha256=hashlib.sha256(g.text.encode("utf-8")).hexdigest(), source=g.id)
        for g in gold
    ]


def extract_gold(gold: Sequence[GoldDoc], cfg: Settings) -> tuple[dict[str, DocRecord], object]:
    """Our records for the gold documents, by id, and the Extractor that made them."""
    from kg.extract import Extractor

    extractor = Extractor(cfg.extract)
    records = {r.document.id: r for r in extractor.extract_many(gold_documents(gold))}
    return records, extractor


def run_eval(gold: Path, fmt: str, cfg: Settings, baseline: bool = False, limit: int | None = None) -> str:
    """Score the extractor (and, with ``baseline``, the two baselines) on a gold file; the report text."""
    classes = from_mapping(load_mapping(cfg.mapping, cfg.ontology))  # the event class tree, checked first
    docs = load_gold(gold, fmt)
    if limit is not None:
        docs = docs[:limit]
    started = time.perf_counter()
    records, extractor = extract_gold(docs, cfg)
    seconds = time.perf_counter() - started
    columns: dict[str, Results] = {"kg": score(docs, records, fmt=fmt, classes=classes)}
    if baseline:
        nlp = extractor.nlp  # type: ignore[attr-defined]
        disabled = [name for name in nlp.pipe_names if name == "gazetteer"]
        with nlp.select_pipes(disable=disabled):
            columns["spacy NER"] = score(docs, baseline_spacy(nlp, docs), fmt=fmt, classes=classes)
            columns["naive"] = score(docs, baseline_naive(nlp, docs), fmt=fmt, classes=classes)
    n_events = sum(len(g.events) for g in docs)
    title = (f"{fmt}: {gold} ({len(docs)} documents, {n_events} gold events; model "
             f"{extractor.model_name}; extraction {seconds:.1f} s)")  # type: ignore[attr-defined]
    return format_report(columns, title, labels=labels_for(*columns.values())) + "\n" + FOOTER + "\n"
