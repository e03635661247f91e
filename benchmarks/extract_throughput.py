"""Extraction throughput: bare spaCy ``nlp.pipe`` vs kg extraction (1 and 2 worker processes), same texts.

Usage: python benchmarks/extract_throughput.py [--gold ../shared/eval/wikievents/dev.jsonl] [--docs 200]
                                               [--model en_core_web_sm] [--workers 1 2]

The texts are the WikiEvents dev texts (rebuilt from their tokens) repeated up to ``--docs`` documents, or,
without that file, generated conflict-news paragraphs. Words are the non-space tokens of the bare parse.
Bare runs with spaCy's default batch size and with the extractor's (the faster is the reference). Each
run starts in a fresh interpreter; each setting runs ``--repeat`` times and the fastest run counts (other
work on the machine only slows runs down).
Prints words/s for each run, the ratios (kg / bare, kg N workers / kg 1 worker), the CPU seconds of each
kg run (with N workers: of the workers, and the speed-up N free cores would give at that CPU cost), and checks
that every run returns the records in input order and that 2 workers give the same records as 1.
For information only; not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy

from kg.execution import executor
from kg.extract import Extractor
from kg.extract.pipeline import resolve_model_name
from kg.records import DocRecord, Document, dumps
from kg.settings import ExtractSettings

T = TypeVar("T")

DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "wikievents" / "dev.jsonl"
_TEMPLATES = (
    "{a} forces launched an offensive against {b} fighters near the town of {t} on Tuesday, officials said. "
    "At least {n} people were killed and dozens wounded when an air strike hit a market in {t}.",
    "The commander of the {b} militia, {p}, was arrested by {a} troops in {t}. A spokesman for the group "
    "denied that it had planned to attack the airport and said it would not withdraw from the province.",
    "A car bomb exploded outside a police station in {t}, killing {n} officers. Nobody claimed responsibility "
    "for the bombing, which {a} officials blamed on {b} insurgents. {p} condemned the attack in a statement.",
)
_FILL = {
    "a": ("Syrian", "Iraqi", "Russian", "Turkish", "Afghan"),
    "b": ("Hezbollah", "Taliban", "Houthi", "Kurdish", "Islamic State"),
    "t": ("Idlib", "Mosul", "Kandahar", "Aleppo", "Hodeidah"),
    "p": ("Ahmad Karimi", "Omar Haddad", "Yusuf Bakr", "Hassan Nouri", "Ali Rahimi"),
    "n": ("six", "12", "three", "20", "five"),
}


def gold_texts(path: Path) -> list[str]:
    from kg.eval.goldsets import load_gold

    return [doc.text for doc in load_gold(path, "wikievents")]


def generated_texts(count: int) -> list[str]:
    texts = []
    for i in range(count):
        parts = []
        for j in range(12):
            template = _TEMPLATES[(i + j) % len(_TEMPLATES)]
            parts.append(template.format(**{k: v[(i * 7 + j * 3) % len(v)] for k, v in _FILL.items()}))
        texts.append("\n".join(parts))
    return texts


def documents(texts: list[str], count: int) -> list[Document]:
    cycled = list(itertools.islice(itertools.cycle(texts), count))
    return [Document(id=f"doc{i}", text=t, sha256=hashlib.sha256(t.encode()).hexdigest()) for i, t in enumerate(cycled)]


def time_bare(model: str, docs: list[Document], batch_size: int | None) -> tuple[float, int]:
    """Seconds and words for bare ``nlp.pipe`` (spaCy's default batch size when ``batch_size`` is None)."""
    nlp = spacy.load(resolve_model_name(model))
    started = time.perf_counter()
    parsed = nlp.pipe((d.text for d in docs), batch_size=batch_size)
    words = sum(1 for doc in parsed for token in doc if not token.is_space)
    return time.perf_counter() - started, words


def time_kg(model: str, docs: list[Document], workers: int) -> tuple[float, list[str], float]:
    """Seconds for the local executor, a digest of each record in output order, and the CPU seconds spent (by
    this process with one worker, by the worker processes otherwise). One worker uses a pipeline loaded
    before the clock starts; with more, the time includes starting the pool and loading the pipeline in
    each worker, as ``kg extract --workers N`` does."""
    config = ExtractSettings(model=model, workers=workers)
    extractor = Extractor(config) if workers == 1 else None
    cpu = _cpu(workers)
    started = time.perf_counter()
    records = [r for r in executor(config, extractor).run(docs, config) if isinstance(r, DocRecord)]
    seconds = time.perf_counter() - started
    digests = [f"{r.document.id}:{hashlib.sha256(dumps(r).encode()).hexdigest()}" for r in records]
    return seconds, digests, _cpu(workers) - cpu


def _cpu(workers: int) -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF if workers == 1 else resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fresh(function: Callable[..., T], *args: object) -> T:
    """Run one measurement in a new interpreter, so that no run inherits the state another run left behind
    (a process that has run large spaCy batches forks into workers that run slower)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="WikiEvents file whose texts to use")
    parser.add_argument("--docs", type=int, default=200, help="documents per run")
    parser.add_argument("--model", default="en_core_web_sm")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each setting; the fastest counts")
    args = parser.parse_args()
    texts = gold_texts(args.gold) if args.gold.exists() else generated_texts(50)
    docs = documents(texts, args.docs)
    source = args.gold.name if args.gold.exists() else "generated texts"
    print(f"{len(docs)} documents from {source}, {sum(len(d.text) for d in docs):,} characters, model {args.model}")

    bare_s, words = float("inf"), 0
    for batch_size in (None, ExtractSettings().spacy_batch_size):
        seconds, words = min(fresh(time_bare, args.model, docs, batch_size) for _ in range(args.repeat))
        label = f"bare nlp.pipe, batch {batch_size or 'default'}"
        print(f"{label:<30}{seconds:>8.1f} s{words / seconds:>12,.0f} words/s", flush=True)
        bare_s = min(bare_s, seconds)  # the faster bare run is the reference
    base: tuple[float, list[str], float] | None = None
    for workers in sorted(set(args.workers)):
        seconds, digests, cpu = min((fresh(time_kg, args.model, docs, workers) for _ in range(args.repeat)),
                                    key=lambda run: run[0])
        in_order = [d.split(":")[0] for d in digests] == [d.id for d in docs]
        line = f"{f'kg extract, {workers} worker(s)':<30}{seconds:>8.1f} s{words / seconds:>12,.0f} words/s"
        line += f"   x{bare_s / seconds:.2f} of the faster bare run"
        if base is not None:
            line += f", x{base[0] / seconds:.2f} of 1 worker"
            line += ", same records" if digests == base[1] else ", RECORDS DIFFER"
        line += ", in input order" if in_order else ", OUT OF ORDER"
        line += f"; CPU {cpu:.1f} s"
        if base is not None and workers > 1:
            # what the wall time would be with a free core per worker: a bound that other load cannot blur
            line += f" (x{base[2] / (cpu / workers):.2f} of 1 worker with {workers} free cores)"
        print(line, flush=True)
        if base is None:
            base = (seconds, digests, cpu)


if __name__ == "__main__":
    main()
