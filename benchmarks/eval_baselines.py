"""Baseline figures on the development gold data: bare spaCy NER and the naive lemma-list extractor.

Usage: python benchmarks/eval_baselines.py [--eval-dir ../shared/eval] [--model en_core_web_sm]
Prints one table per gold set, the two baselines side by side. For information only; not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy

from kg.eval.baselines import baseline_naive, baseline_spacy
from kg.eval.goldsets import load_gold
from kg.eval.report import LABELS, format_report
from kg.eval.scoring import score
from kg.extract.pipeline import resolve_model_name

GOLD = {
    "wikievents": "wikievents/dev.jsonl",
    "rams": "rams/dev.jsonlines",
    "plover": "plover/PLOVER_GSR_CAMEO.json",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval")
    parser.add_argument("--model", default="en_core_web_sm")
    parser.add_argument("--formats", nargs="+", default=list(GOLD), choices=list(GOLD))
    args = parser.parse_args()
    nlp = spacy.load(resolve_model_name(args.model))
    for fmt in args.formats:
        gold = load_gold(args.eval_dir / GOLD[fmt], fmt)
        started = time.perf_counter()
        columns = {name: score(gold, baseline(nlp, gold), fmt=fmt)
                   for name, baseline in (("spacy NER", baseline_spacy), ("naive", baseline_naive))}
        title = f"{fmt}: baselines ({len(gold)} docs, {time.perf_counter() - started:.1f} s)"
        print(format_report(columns, title, labels=LABELS), end="\n\n")


if __name__ == "__main__":
    main()
