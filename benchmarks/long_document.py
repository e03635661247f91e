"""Long documents: seconds and peak RSS of `kg extract` on one document of 1, 5 and 50 MB of text, and the same
text split into 100 documents for comparison (issue 9: a 5 MB document within 1 GB and 1.5x the time of the
split text).

Usage: python benchmarks/long_document.py [--sizes 1 5 50] [--split 5] [--pieces 100]

The text is made at run time of the texts of ../shared/eval (WikiEvents, RAMS, MUC-4) when that folder is there,
else of the example articles and the articles of tests/data, joined by blank lines and repeated to the size.
Each run is a fresh `python -m kg extract` process (so the pipeline load is counted), with --max-bytes above
the size; its peak RSS and CPU seconds are read with os.wait4. For information only; not a test. On a shared machine
other work slows every run down (wall seconds), but not their CPU seconds: compare those.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "eval"
MB = 1_000_000


def paragraphs() -> list[str]:
    """Texts to build long documents from (their paragraphs)."""
    texts: list[str] = []
    if SHARED.is_dir():
        with open(SHARED / "wikievents" / "dev.jsonl", encoding="utf-8") as handle:
            texts += [" ".join(json.loads(line)["tokens"]) for line in handle]
        with open(SHARED / "rams" / "dev.jsonlines", encoding="utf-8") as handle:
            texts += [" ".join(" ".join(s) for s in json.loads(line)["sentences"]) for line in handle]
        with open(SHARED / "muc4" / "train.json", encoding="utf-8") as handle:
            texts += [json.loads(line)["doctext"] for line in handle]
    else:
        for path in sorted((REPO / "examples" / "articles").iterdir()):
            body = path.read_text(encoding="utf-8")
            texts.append(body.split("---\n", 2)[-1] if body.startswith("---") else body)
        with open(REPO / "tests" / "data" / "event_clusters.jsonl", encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle]
    return [p.strip() for t in texts for p in t.split("\n") if p.strip()]


def text_of(size: int, parts: list[str]) -> str:
    out: list[str] = []
    total = i = 0
    while total < size:
        part = parts[i % len(parts)]
        out.append(part)
        total += len(part.encode("utf-8")) + 2
        i += 1
    return "\n\n".join(out)


def run(source: Path, limit: int) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak RSS (MB) of one `kg extract` process on ``source``."""
    out = source.with_suffix(".records.jsonl")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "kg", "extract", str(source), "-o", str(out),
                                "--max-bytes", str(limit)], env=env, cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"kg extract failed on {source}: {stderr.strip()}")
    out.unlink(missing_ok=True)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 50], help="MB of text in one document")
    parser.add_argument("--split", type=float, nargs="*", default=[5], help="sizes also run as --pieces documents")
    parser.add_argument("--pieces", type=int, default=100)
    args = parser.parse_args()
    parts = paragraphs()
    source = "../shared/eval texts" if SHARED.is_dir() else "the example and test articles"
    print(f"text from {source}; one `kg extract` process per run (pipeline load included)")
    print(f"{'run':<34}{'seconds':>10}{'CPU s':>10}{'peak RSS':>12}")
    with tempfile.TemporaryDirectory() as folder:
        for size_mb in args.sizes:
            size = int(size_mb * MB)
            text = text_of(size, parts)
            single = Path(folder) / f"one-{size_mb:g}mb.txt"
            single.write_text(text, encoding="utf-8")
            seconds, cpu, rss = run(single, size * 2)
            print(f"{f'{size_mb:g} MB, 1 document':<34}{seconds:>10.1f}{cpu:>10.1f}{rss:>9.0f} MB", flush=True)
            if size_mb in args.split:
                chunks = text.split("\n\n")
                step = max(1, len(chunks) // args.pieces)
                docs = ["\n\n".join(chunks[i:i + step]) for i in range(0, len(chunks), step)]
                split = Path(folder) / f"split-{size_mb:g}mb.jsonl"
                with open(split, "w", encoding="utf-8") as handle:
                    for n, doc in enumerate(docs):
                        handle.write(json.dumps({"id": f"part{n}", "text": doc}) + "\n")
                split_s, split_cpu, split_rss = run(split, size * 2)
                label = f"{size_mb:g} MB, {len(docs)} documents"
                print(f"{label:<34}{split_s:>10.1f}{split_cpu:>10.1f}{split_rss:>9.0f} MB   one document: "
                      f"x{seconds / split_s:.2f} the time, x{cpu / split_cpu:.2f} the CPU", flush=True)


if __name__ == "__main__":
    main()
