"""`kg export` of a 1,000-document graph: time, peak memory and output size per format, and how memory grows.

The input is built here from texts outside the repository (used for this benchmark only, never copied in):
the 924 RAMS dev windows (../shared/eval/rams/dev.jsonlines) and the 20 WikiEvents dev documents
(../shared/eval/wikievents/dev.jsonl) cut into pieces of 150 tokens, 1,000 documents in all.
They are ingested once into an N-Quads file (cached in the work folder), then ``kg export`` runs as a
subprocess per format on the first 250, 500 and 1,000 documents, and its peak RSS is read from
``resource.getrusage(RUSAGE_CHILDREN)`` / psutil.

    python benchmarks/export_memory.py [--work /tmp/kg-export-bench] [--sizes 250,500,1000]

Figures are from one run on whatever machine runs it; compare the rows with each other, not with another run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "eval"
FORMATS = ("gexf", "graphml", "cyjs", "html")


def build_corpus(out: Path, total: int = 1000) -> int:
    """RAMS windows + WikiEvents pieces as kg JSONL documents; returns how many were written."""
    docs: list[dict[str, str]] = []
    with open(SHARED / "rams" / "dev.jsonlines", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            text = " ".join(" ".join(sentence) for sentence in item["sentences"])
            docs.append({"id": f"rams-{len(docs):04d}", "text": text})
    with open(SHARED / "wikievents" / "dev.jsonl", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            tokens = item["tokens"]
            step = 150
            for part, start in enumerate(range(0, len(tokens), step)):
                piece = " ".join(tokens[start:start + step])
                docs.append({"id": f"wikievents-{item['doc_id']}-{part}", "text": piece})
    docs = docs[:total]
    with open(out, "w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc) + "\n")
    return len(docs)


def run(args: list[str]) -> tuple[float, float]:
    """Run a kg command; (seconds, peak RSS of the child in MiB, sampled every 20 ms, children included)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    proc = psutil.Popen([sys.executable, "-m", "kg", *args], env=env, stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return seconds, peak / 2**20


def subset(graph: Path, docs: int, out: Path) -> None:
    """The first ``docs`` named graphs of an N-Quads file (kg writes each document's quads together)."""
    seen: list[str] = []
    with open(graph, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            name = line.rsplit("<", 1)[-1]
            if not seen or seen[-1] != name:
                if name not in seen:
                    seen.append(name)
                if len(seen) > docs:
                    continue
            if seen.index(name) < docs:
                dst.write(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-export-bench"))
    parser.add_argument("--sizes", default="250,500,1000")
    parser.add_argument("--prepare-only", action="store_true", help="Build and ingest the corpus, export nothing.")
    opts = parser.parse_args()
    work: Path = opts.work
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus.jsonl"
    graph = work / "graph.nq"
    if not graph.exists():
        count = build_corpus(corpus)
        print(f"corpus: {count} documents; ingesting (spaCy, once) ...", flush=True)
        seconds, peak = run(["ingest", str(corpus), "--to", str(graph), "--workers", "2"])
        print(f"ingest: {seconds:.1f} s, peak RSS {peak:.0f} MiB", flush=True)
    if opts.prepare_only:
        return
    sizes = [int(s) for s in opts.sizes.split(",")]
    print(f"{'docs':>5} {'quads':>8} {'format':>16} {'seconds':>8} {'peak MiB':>9} {'output KiB':>11}")
    for size in sizes:
        part = work / f"graph-{size}.nq"
        if not part.exists():
            subset(graph, size, part)
        quads = sum(1 for _ in open(part, encoding="utf-8"))
        runs = [(fmt, []) for fmt in FORMATS]
        if size == max(sizes):
            runs.append(("gexf", ["--on-disk"]))
        for fmt, extra in runs:
            out = work / f"export-{size}.{fmt}"
            seconds, peak = run(["export", str(part), "--format", fmt, "-o", str(out), *extra])
            name = fmt + (" (on disk)" if extra else "")
            print(f"{size:>5} {quads:>8} {name:>16} {seconds:>8.2f} {peak:>9.0f} {out.stat().st_size / 1024:>11.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
