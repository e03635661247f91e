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
from collections.abc import Mapping, Sequence
from pathlib import Path

from kg.eval.goldsets import GoldDoc, load_gold
from kg.eval.scoring import PRF, baseline_naive, baseline_spacy, score
from kg.records import DocRecord, Document
from kg.settings import Settings

# Metric key -> label printed in the report, in report order.
LABELS: dict[str, str] = {
    "entities": "NE mentions (overlap+type)",
    "entities_exact": "NE mentions (exact+type)",
    "triggers_id": "trigger identification",
    "triggers_cls": "trigger classification",
    "args_id": "argument identification",
    "args_cls": "argument role (end to end)",
    "rams_arg_recall_per_event": "RAMS mean arg recall/event",
    "plover_type_accuracy": "PLOVER event type accuracy",
    "plover_coarse_accuracy": "PLOVER coarse type accuracy",
    "plover_source_recall": "PLOVER source recall",
    "plover_target_recall": "PLOVER target recall",
    "events_unaligned": "gold events unaligned",
}
FOOTER = (
    "matching: spans overlap (exact: same span), one-to-one; NE: named PER/ORG/GPE/LOC/FAC, same type; "
    "triggers, args: coarse class, role; args end to end; unaligned gold types left out"
)
_LABEL_WIDTH = 30
_COLUMN_WIDTH = 22


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
    docs = load_gold(gold, fmt)
    if limit is not None:
        docs = docs[:limit]
    started = time.perf_counter()
    records, extractor = extract_gold(docs, cfg)
    seconds = time.perf_counter() - started
    columns: dict[str, Mapping[str, PRF | float]] = {"kg": score(docs, records, fmt=fmt)}
    if baseline:
        nlp = extractor.nlp  # type: ignore[attr-defined]
        disabled = [name for name in nlp.pipe_names if name == "gazetteer"]
        with nlp.select_pipes(disable=disabled):
            columns["spacy NER"] = score(docs, baseline_spacy(nlp, docs), fmt=fmt)
            columns["naive"] = score(docs, baseline_naive(nlp, docs), fmt=fmt)
    n_events = sum(len(g.events) for g in docs)
    title = (f"{fmt}: {gold} ({len(docs)} documents, {n_events} gold events; model "
             f"{extractor.model_name}; extraction {seconds:.1f} s)")  # type: ignore[attr-defined]
    return format_columns(columns, title) + "\n" + FOOTER + "\n"


def _cell(value: PRF | float | None) -> str:
    if value is None:
        return f"{'-':>{_COLUMN_WIDTH}}"
    if isinstance(value, PRF):
        return f"{value.precision:>7.3f}{value.recall:>7.3f}{value.f1:>7.3f} "
    if isinstance(value, int):
        return f"{value:>{_COLUMN_WIDTH - 1}} "
    return f"{value:>{_COLUMN_WIDTH - 1}.3f} "


def format_columns(columns: Mapping[str, Mapping[str, PRF | float]], title: str) -> str:
    """A fixed-width table: one row per metric, one column group (P, R, F1 or a value) per system.

    PRF rows of the first system are followed by their counts (tp/fp/fn) at the end of the line.
    """
    names = list(columns)
    first = columns[names[0]]
    head = f"{'':<{_LABEL_WIDTH}}" + "".join(f"{name:^{_COLUMN_WIDTH}}" for name in names) + f"  {names[0]} counts"
    sub = f"{'metric':<{_LABEL_WIDTH}}" + f"{'P':>7}{'R':>7}{'F1':>7} " * len(names) + "  tp/fp/fn"
    lines = [title, head, sub, "-" * len(sub)]
    keys = [k for k in LABELS if any(k in c for c in columns.values())]
    keys += [k for k in first if k not in LABELS]
    for key in keys:
        if key == "events_unaligned":
            continue
        row = f"{LABELS.get(key, key):<{_LABEL_WIDTH}}" + "".join(_cell(columns[n].get(key)) for n in names)
        value = first.get(key)
        if isinstance(value, PRF):
            row += f"  {value.tp}/{value.fp}/{value.fn}"
        lines.append(row)
    if "events_unaligned" in first:
        lines.append(f"{LABELS['events_unaligned']:<{_LABEL_WIDTH}}{first['events_unaligned']:>{_COLUMN_WIDTH - 1}}")
    return "\n".join(lines)
