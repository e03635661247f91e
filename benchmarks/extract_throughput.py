"""Extraction throughput: bare spaCy ``nlp.pipe`` vs kg extraction (1 and 2 worker processes), same texts.

Usage: python benchmarks/extract_throughput.py [--gold ../shared/eval/wikievents/dev.jsonl] [--docs 200]
                                               [--model en_core_web_sm] [--workers 1 2]

The texts are the WikiEvents dev texts (rebuilt from their tokens) repeated up to ``--docs`` documents, or,
without that file, generated conflict-news paragraphs. Words are the non-space tokens of the bare parse.
Bare runs with spaCy's default batch size and with the extractor's (the faster is the reference). Each
run starts in a fresh interpreter; each setting runs ``--repeat`` times and the fastest run counts (other
work on the machine only slows runs down). The settings run in rounds, each once per round, and the kg/bare
ratio at 1 worker is also given per round (median and range), from runs minutes apart.
Prints words/s for each run, the ratios (kg / bare, kg N workers / kg 1 worker), the CPU seconds of each
run and, at 1 worker, the ratio of CPU seconds (bare / kg: the speed ratio other load on the machine cannot
blur), the CPU seconds of each kg run (with N workers: of the workers, and the speed-up N free cores would give at that CPU cost), and checks
that every run returns the records in input order and that 2 workers give the same records as 1.
For information only; not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import multiprocessing
import resource
import statistics
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


def time_bare(model: str, docs: list[Document], batch_size: int | None) -> tuple[float, int, float]:
    """Seconds, words and CPU seconds for bare ``nlp.pipe`` (spaCy's default batch size when ``batch_size`` is
    None)."""
    nlp = spacy.load(resolve_model_name(model))
    cpu = _cpu(1)
    started = time.perf_counter()
    parsed = nlp.pipe((d.text for d in docs), batch_size=batch_size)
    words = sum(1 for doc in parsed for token in doc if not token.is_space)
    return time.perf_counter() - started, words, _cpu(1) - cpu


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
    parser.add_argument("--repeat", type=int, default=2, help="rounds: runs of each setting; the fastest counts")
    args = parser.parse_args()
    texts = gold_texts(args.gold) if args.gold.exists() else generated_texts(50)
    docs = documents(texts, args.docs)
    source = args.gold.name if args.gold.exists() else "generated texts"
    print(f"{len(docs)} documents from {source}, {sum(len(d.text) for d in docs):,} characters, model {args.model}")

    # Rounds: every setting runs once per round, one after the other, so that the runs a per-round ratio
    # compares are minutes apart, not a whole benchmark apart (this machine's speed drifts).
    batch_sizes = (None, ExtractSettings().spacy_batch_size)
    worker_counts = sorted(set(args.workers))
    bare_runs: dict[int | None, list[tuple[float, int, float]]] = {b: [] for b in batch_sizes}
    kg_runs: dict[int, list[tuple[float, list[str], float]]] = {w: [] for w in worker_counts}
    for _ in range(args.repeat):
        for batch_size in batch_sizes:
            bare_runs[batch_size].append(fresh(time_bare, args.model, docs, batch_size))
        for workers in worker_counts:
            kg_runs[workers].append(fresh(time_kg, args.model, docs, workers))

    bare_s, bare_cpu, words = float("inf"), float("inf"), 0
    for batch_size in batch_sizes:
        seconds, words, cpu = min(bare_runs[batch_size])
        label = f"bare nlp.pipe, batch {batch_size or 'default'}"
        print(f"{label:<30}{seconds:>8.1f} s{words / seconds:>12,.0f} words/s; CPU {cpu:.1f} s", flush=True)
        bare_s = min(bare_s, seconds)  # the faster bare run is the reference
        bare_cpu = min(bare_cpu, cpu)
    base: tuple[float, list[str], float] | None = None
    for workers in worker_counts:
        seconds, digests, cpu = min(kg_runs[workers], key=lambda run: run[0])
        in_order = [d.split(":")[0] for d in digests] == [d.id for d in docs]
        line = f"{f'kg extract, {workers} worker(s)':<30}{seconds:>8.1f} s{words / seconds:>12,.0f} words/s"
        line += f"   x{bare_s / seconds:.2f} of the faster bare run"
        if base is not None:
            line += f", x{base[0] / seconds:.2f} of 1 worker"
            line += ", same records" if digests == base[1] else ", RECORDS DIFFER"
        line += ", in input order" if in_order else ", OUT OF ORDER"
        line += f"; CPU {cpu:.1f} s"
        if workers == 1:  # CPU time does not count the other work on a shared machine
            line += f" (x{bare_cpu / cpu:.2f} of the bare run's CPU)"
        if base is not None and workers > 1:
            # what the wall time would be with a free core per worker: a bound that other load cannot blur
            line += f" (x{base[2] / (cpu / workers):.2f} of 1 worker with {workers} free cores)"
        print(line, flush=True)
        if base is None:
            base = (seconds, digests, cpu)
    if 1 in kg_runs and args.repeat > 1:
        # kg at 1 worker against the faster bare run of the same round
        wall = [min(bare_runs[b][r][0] for b in batch_sizes) / kg_runs[1][r][0] for r in range(args.repeat)]
        cpu_ = [min(bare_runs[b][r][2] for b in batch_sizes) / kg_runs[1][r][2] for r in range(args.repeat)]
        print(f"per round, kg 1 worker / faster bare run: x{statistics.median(wall):.2f} "
              f"({min(wall):.2f}-{max(wall):.2f}); CPU x{statistics.median(cpu_):.2f} "
              f"({min(cpu_):.2f}-{max(cpu_):.2f}); {args.repeat} rounds")


if __name__ == "__main__":
    main()
