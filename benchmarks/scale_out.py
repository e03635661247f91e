"""Scale-out: extraction throughput with the local pool and on Dask distributed, a fitted serial fraction,
and a projection to many workers capped by the single Neo4j writer.

    python benchmarks/scale_out.py [--docs 1000] [--repeat 3] [--engines local:1 dask-local:1 local:2 ...]
                                   [--shard-chars 40000] [--plot benchmarks/scale_out.png]
                                   [--writer-triples-per-s 232830] [--shared ../shared/eval]

Needs the ``bench`` extra (``pip install 'kg[bench]'``: Dask distributed and matplotlib).

Corpus: the first ``--docs`` texts of ``../shared/eval/rams/dev.jsonlines`` (each window's sentences, tokens
joined by spaces) then ``../shared/eval/muc4/{dev,train}.json`` (``doctext``), read at run time. Words are
whitespace-separated tokens.

Engines (``--engines``): ``local:1`` (in-process), ``local:2`` (the process pool), ``dask-local:N`` (a
LocalCluster of N worker processes started by the run) and ``tcp:2`` (``dask scheduler`` and two ``dask
worker`` processes on 127.0.0.1, up and warm as an existing cluster would be: started before each of its
runs, warmed by an untimed run of 20 documents so that every worker has loaded its extractor, and stopped
after it, so that it never idles beside the other engines). Every run goes through
``kg.execution.executor(...).run(documents, settings)`` and counts everything a user waits for: model
loading, pool or cluster start-up (not for ``tcp:2``: that cluster is already up), extraction, and results
back in order.
Rounds are interleaved (every engine once per round, each Dask engine right after the pool engine with the
same number of workers, and ``tcp:2`` right after ``dask-local:2``, before the engines that load the machine
beyond its cores) so that they all see the same machine load; the figures are medians over
``--repeat`` rounds. Each ratio is printed twice: from the medians, and as the median (and range) of the
per-round ratios, whose two runs are minutes apart and so see the same machine speed.

Output identity: every run's records are compared (SHA-256 of the records lines) with the first ``local:1``
run's, and for each engine's first run the records are mapped and written as N-Quads, whose sorted lines are
compared too.

Model: speed-up S(n) = T(dask-local:1) / T(dask-local:n); Amdahl's serial fraction s is fitted (least
squares over a grid) on the points with n <= the machine's cores (beyond them, workers share cores and the
curve says nothing about the code). Projection: X(n) = X(1) / (s + (1 - s) / n) documents/s, capped by what
the single Neo4j writer absorbs: ``--writer-triples-per-s`` (default: ``benchmarks/neo4j_load.py``'s
figure in the README, 200,235 triples in 0.86 s) divided by the corpus's triples per document.

Prints one row per engine (with the CPU seconds of the run: this process and the children it reaped, i.e.
the pool's and a LocalCluster's workers, not the TCP cluster's; and for Dask the CPU seconds of the
extraction tasks themselves, which other load on the machine barely changes), the ratios, the fit and the
projection; writes the PNG plot. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from kg.errors import InputError
from kg.execution import executor
from kg.mapping import load_mapping, map_record
from kg.records import DocRecord, Document, dumps
from kg.settings import ExtractSettings, Settings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
WRITER_TRIPLES_PER_S = 200_235 / 0.86  # README, benchmarks/neo4j_load.py on the 2-core machine
PROJECT = (8, 32, 128)


def corpus(count: int, shared: Path = SHARED) -> list[Document]:
    texts: list[tuple[str, str]] = []
    with open(shared / "rams" / "dev.jsonlines", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            window = json.loads(line)
            texts.append((f"rams-{number}", " ".join(" ".join(s) for s in window["sentences"])))
    for name in ("dev.json", "train.json"):
        with open(shared / "muc4" / name, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    doc = json.loads(line)
                    texts.append((f"muc4-{doc['docid']}", " ".join(doc["doctext"].split())))
    if len(texts) < count:
        raise SystemExit(f"only {len(texts)} texts in {shared}")
    return [Document(id=i, text=t, sha256=hashlib.sha256(t.encode()).hexdigest(), source=i) for i, t in texts[:count]]


@dataclass
class Engine:
    name: str  # local:1, local:2, dask-local:N, tcp:2
    workers: int
    seconds: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)  # time to the first result
    digests: list[str] = field(default_factory=list)
    quads: str = ""
    shard_seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU s of this process and its reaped children (pool, LocalCluster)
    task_cpu: list[float] = field(default_factory=list)  # Dask: CPU s of the extraction tasks' threads

    def settings(self, base: ExtractSettings, tcp_address: str | None) -> ExtractSettings:
        kind, _, n = self.name.partition(":")
        if kind == "local":
            return base.model_copy(update={"executor": "local", "workers": int(n)})
        if kind == "dask-local":
            return base.model_copy(update={"executor": self.name})
        assert tcp_address is not None
        return base.model_copy(update={"executor": "dask://" + tcp_address.removeprefix("tcp://")})


def run_once(engine: Engine, documents: list[Document], settings: ExtractSettings) -> list[DocRecord]:
    runner = executor(settings)
    cpu = _cpu()
    start = time.perf_counter()
    records: list[DocRecord] = []
    for result in runner.run(documents, settings):
        if not records:
            engine.first.append(time.perf_counter() - start)
        if isinstance(result, InputError):
            raise SystemExit(f"{engine.name}: {result}")
        records.append(result)
    engine.seconds.append(time.perf_counter() - start)
    engine.cpu.append(_cpu() - cpu)
    shards = getattr(runner, "shards", ())
    if shards:
        engine.task_cpu.append(sum(s.cpu for s in shards))
    engine.digests.append(hashlib.sha256("\n".join(dumps(r) for r in records).encode()).hexdigest())
    engine.shard_seconds.extend(s.seconds for s in getattr(runner, "shards", ()))
    return records


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def nquads_digest(records: list[DocRecord], folder: Path) -> tuple[str, int]:
    from kg.sinks import open_sink
    from kg.sinks.rdf import doc_triples

    mapping = load_mapping()
    path = folder / "out.nq"
    sink = open_sink(str(path), Settings(), mapping)
    triples = 0
    for record in records:
        mapped = map_record(record, mapping)
        triples += sum(1 for _ in doc_triples(mapped))
        sink.write(mapped)
    sink.commit()
    lines = sorted(path.read_bytes().splitlines())
    path.unlink()
    return hashlib.sha256(b"\n".join(lines)).hexdigest(), triples


def amdahl(points: dict[int, float]) -> float:
    """The serial fraction s in [0, 1] that best fits speed-ups {n: S(n)} (least squares over a grid)."""
    best, error = 0.0, float("inf")
    for step in range(10_001):
        s = step / 10_000
        e = sum((S - 1 / (s + (1 - s) / n)) ** 2 for n, S in points.items())
        if e < error:
            best, error = s, e
    return best


def plot(path: Path, engines: list[Engine], documents: int, base: float, serial: float, cap: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    families: dict[str, list[tuple[int, float]]] = {}
    for engine in engines:
        families.setdefault(engine.name.split(":")[0], []).append(
            (engine.workers, documents / statistics.median(engine.seconds)))
    markers = {"local": "s", "dask-local": "o", "tcp": "^"}
    for family, points in families.items():
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker=markers.get(family, "x"), linestyle="-",
                label=f"measured: {family}")
    ns = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128]
    amdahl_curve = [base / (serial + (1 - serial) / n) for n in ns]
    ax.plot(ns, amdahl_curve, linestyle="--", color="grey", label=f"Amdahl, serial fraction {serial:.3f}")
    ax.plot(ns, [min(x, cap) for x in amdahl_curve], linestyle="-", color="black", linewidth=1.5,
            label="projection, capped by the Neo4j writer")
    ax.axhline(cap, color="tab:red", linestyle=":", label=f"single Neo4j writer ≈ {cap:.0f} docs/s")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("extraction workers (processes, one thread each)")
    ax.set_ylabel("documents/s (end to end, start-up included)")
    ax.set_title(f"kg extraction scale-out ({documents} documents, 2-core shared machine)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def summary(engines: list[Engine], documents: list[Document], words: int, triples: int,
            args: argparse.Namespace) -> None:
    reference = engines[0]
    print(f"\n{'engine':>13} {'median s':>9} {'docs/s':>8} {'words/s':>8} {'range s':>13} {'same output':>12} "
          f"{'CPU s':>7} {'task CPU s':>10}")
    rate: dict[str, float] = {}
    for engine in engines:
        median = statistics.median(engine.seconds)
        rate[engine.name] = len(documents) / median
        same = set(engine.digests) == {reference.digests[0]} and engine.quads == reference.quads
        print(f"{engine.name:>13} {median:9.1f} {rate[engine.name]:8.2f} {words / median:8.0f} "
              f"{min(engine.seconds):6.1f}-{max(engine.seconds):<6.1f} {'yes' if same else 'NO':>12} "
              f"{statistics.median(engine.cpu):7.1f} "
              f"{statistics.median(engine.task_cpu) if engine.task_cpu else float('nan'):10.1f}")
    shards = [s for e in engines for s in e.shard_seconds]
    if shards:
        print(f"Dask shards: median {statistics.median(shards):.1f} s of extraction each "
              f"(min {min(shards):.1f} s), {statistics.median([len(d.text) for d in documents]):.0f} chars/doc")

    by_name = {e.name: e for e in engines}

    def ratio(a: str, b: str) -> str:
        """rate(a) / rate(b) from the medians, then per round (the two runs minutes apart, not rounds apart)."""
        if a not in rate or b not in rate:
            return "n/a"
        rounds = [tb / ta for ta, tb in zip(by_name[a].seconds, by_name[b].seconds, strict=True)]
        return (f"{rate[a] / rate[b]:.2f}x [per round: median {statistics.median(rounds):.2f}x, "
                f"{min(rounds):.2f}-{max(rounds):.2f}]")

    print(f"\ndask-local:2 / dask-local:1 = {ratio('dask-local:2', 'dask-local:1')} (target >= 1.6x)")
    print(f"local:2 / local:1 = {ratio('local:2', 'local:1')}")
    print(f"Dask vs the local pool: 1 worker {ratio('dask-local:1', 'local:1')}, 2 workers "
          f"{ratio('dask-local:2', 'local:2')} (target >= 0.9x), TCP 2 workers {ratio('tcp:2', 'local:2')}")

    cores = os.cpu_count() or 1
    dask_points = {e.workers: rate[e.name] / rate["dask-local:1"] for e in engines
                   if e.name.startswith("dask-local:") and e.workers <= cores and "dask-local:1" in rate}
    serial = amdahl(dask_points) if len(dask_points) > 1 else 0.0
    per_doc = triples / len(documents) if triples else 0.0
    cap = args.writer_triples_per_s / per_doc if per_doc else float("inf")
    print(f"\nAmdahl fit on dask-local n <= {cores}: serial fraction {serial:.3f} "
          f"(speed-ups {', '.join(f'{n}: {s:.2f}' for n, s in sorted(dask_points.items()))})")
    print(f"Neo4j writer: {args.writer_triples_per_s:,.0f} triples/s / {per_doc:.0f} triples per document "
          f"= {cap:,.0f} documents/s")
    one = rate.get("dask-local:1", 0.0)
    for n in PROJECT:
        projected = one / (serial + (1 - serial) / n)
        print(f"  {n:>3} workers: {projected:8.1f} docs/s extraction ({projected * words / len(documents):9.0f} "
              f"words/s) -> {min(projected, cap):8.1f} docs/s into Neo4j"
              f"{' (writer-bound)' if projected > cap else ''}")
    if one:
        plot(args.plot, engines, len(documents), one, serial, cap)
        print(f"plot: {args.plot}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the eval folder with rams/ and muc4/")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=["local:1", "dask-local:1", "local:2", "dask-local:2",
                                                         "tcp:2", "dask-local:3", "dask-local:4"])
    parser.add_argument("--shard-chars", type=int, default=ExtractSettings().shard_chars)
    parser.add_argument("--plot", type=Path, default=Path(__file__).resolve().parent / "scale_out.png")
    parser.add_argument("--writer-triples-per-s", type=float, default=WRITER_TRIPLES_PER_S)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a TERM still stops the TCP cluster it started

    import dask_support

    documents = corpus(args.docs, args.shared)
    words = sum(len(d.text.split()) for d in documents)
    chars = sum(len(d.text) for d in documents)
    print(f"corpus: {len(documents)} documents, {words} words, {chars} characters; cores: {os.cpu_count()}; "
          f"shard_chars {args.shard_chars}; load average {os.getloadavg()[0]:.1f}", flush=True)
    base = ExtractSettings(shard_chars=args.shard_chars)
    engines = [Engine(name, int(name.split(":")[1])) for name in args.engines]
    with tempfile.TemporaryDirectory(prefix="kg-scale-out-") as tmp:
        triples = 0
        for round_number in range(args.repeat):
            for engine in engines:
                if engine.name.startswith("tcp:"):
                    records = run_on_tcp(engine, documents, base, Path(tmp) / f"tcp-{round_number}", dask_support)
                else:
                    records = run_once(engine, documents, engine.settings(base, None))
                if not engine.quads:
                    engine.quads, triples = nquads_digest(records, Path(tmp))
                print(f"round {round_number + 1} {engine.name:>13}: {engine.seconds[-1]:7.1f} s "
                      f"(first result after {engine.first[-1]:5.1f} s), load average "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
            print(f"\n--- after round {round_number + 1} of {args.repeat} ---")
            summary(engines, documents, words, triples, args)


def run_on_tcp(engine: Engine, documents: list[Document], base: ExtractSettings, folder: Path,
               dask_support: Any) -> list[DocRecord]:
    """A timed run on a TCP cluster that is up and warm, as an existing cluster is: started for this run
    (so that it does not idle beside the other engines), warmed by an untimed run of a few documents (every
    worker loads its extractor), stopped afterwards."""
    tcp = dask_support.TcpCluster(folder)
    try:
        tcp.start_scheduler()
        for number in range(engine.workers):
            tcp.start_worker(f"w{number + 1}")
        tcp.wait_for_workers(engine.workers)
        settings = engine.settings(base, tcp.address)
        list(executor(settings).run(documents[:20], settings))
        return run_once(engine, documents, settings)
    finally:
        tcp.stop()


if __name__ == "__main__":
    main()
