"""Seconds and peak RSS of the RDF writer per format and per number of documents, side by side.

    python benchmarks/rdf_formats.py [--docs 1000 5000] [--repeat 3] [--merge 100]

Extracts the example articles once, then, for every format and size, runs a fresh process that maps N
distinct copies of them (document ids ``<id>-<i>``, so every document has its own IRIs and evidence) and
writes them to one file with ``kg.sinks.rdf.RdfWriter``. Only the writing is timed (``write`` + ``commit``);
the mapping of each copy is not: wall seconds and CPU seconds (the CPU figure is steadier on a shared
machine). Peak RSS is the child process's own (VmHWM, which includes loading the mapping and the
ontology); "base" is its RSS before the first document and "writing" the largest RSS sampled while writing, so
"growth" is what writing added. Runs are interleaved (every format at one size,
then again), and the median of ``--repeat`` runs is printed. ``--merge K`` also times writing K new
documents into the existing quad file of N documents (.nq, .trig): the old file is parsed, streamed and
its graphs kept.

Targets (issue 13): every format within 1.5x the N-Quads time; peak RSS independent of N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"
SUFFIXES = [".nq", ".nt", ".ttl", ".trig", ".jsonld"]


def _rss_mib() -> float:
    """Peak RSS of this process: VmHWM (ru_maxrss would carry the parent's peak over the exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(records_path: Path, out: Path, count: int, first: int) -> dict[str, float]:
    """Map and write ``count`` copies (ids from ``first``) to ``out``; what it cost."""
    from kg.mapping import load_mapping, map_record
    from kg.records import read_records
    from kg.sinks.rdf import RdfWriter

    mapping = load_mapping()
    records = list(read_records(records_path))
    base = current = _current_rss_mib()
    seconds = cpu = 0.0
    writer = RdfWriter(out)
    for i in range(first, first + count):
        record = records[i % len(records)]
        document = replace(record.document, id=f"{record.document.id}-{i}")
        mapped = map_record(replace(record, document=document), mapping)
        start, start_cpu = time.perf_counter(), time.process_time()
        writer.write(mapped)
        seconds += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        if i % 20 == 0:
            current = max(current, _current_rss_mib())
    start, start_cpu = time.perf_counter(), time.process_time()
    writer.commit()
    seconds += time.perf_counter() - start
    cpu += time.process_time() - start_cpu
    return {"seconds": seconds, "cpu": cpu, "triples": writer.triples, "base": base, "peak": _rss_mib(),
            "writing": max(current, _current_rss_mib()), "bytes": out.stat().st_size}


def _run(records: Path, out: Path, count: int, first: int = 0) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", str(records), str(out), str(count), str(first)],
                          capture_output=True, text=True, check=True, env={**os.environ})
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--formats", nargs="+", default=SUFFIXES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--merge", type=int, default=100, help="documents merged into the existing .nq/.trig")
    parser.add_argument("--child", nargs=4, metavar=("RECORDS", "OUT", "COUNT", "FIRST"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        records, out, count, first = args.child
        print(json.dumps(child(Path(records), Path(out), int(count), int(first))))
        return

    from kg.extract import Extractor
    from kg.records import dumps
    from kg.sources import iter_documents

    with tempfile.TemporaryDirectory() as tmp:
        records_path = Path(tmp) / "records.jsonl"
        records = list(Extractor().extract_many(list(iter_documents([str(EXAMPLES)]))))
        records_path.write_text("".join(dumps(r) + "\n" for r in records), encoding="utf-8")
        results: dict[tuple[str, int], list[dict[str, float]]] = {}
        merges: dict[tuple[str, int], list[dict[str, float]]] = {}
        for _ in range(args.repeat):
            for count in args.docs:
                for suffix in args.formats:
                    out = Path(tmp) / f"bench{suffix}"
                    out.unlink(missing_ok=True)
                    results.setdefault((suffix, count), []).append(_run(records_path, out, count))
                    if args.merge and suffix in {".nq", ".trig"}:
                        merges.setdefault((suffix, count), []).append(_run(records_path, out, args.merge, count))
                    out.unlink()

    print(f"RDF writer, {len(records)} example articles copied N times; median of {args.repeat} runs; "
          f"seconds = writing only; RSS of a fresh process per run")
    print(f"{'format':8} {'docs':>6} {'triples':>9} {'MB':>7} {'wall s':>7} {'x .nq':>6} {'cpu s':>7} "
          f"{'x .nq':>6} {'peak MiB':>9} {'base MiB':>9} {'writing':>8} {'growth':>7}")
    for count in args.docs:
        nq = results.get((".nq", count))
        for suffix in args.formats:
            runs = results[(suffix, count)]
            seconds = statistics.median(r["seconds"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            peak = max(r["peak"] for r in runs)
            base = statistics.median(r["base"] for r in runs)
            writing = max(r["writing"] for r in runs)
            wall_ratio = f"{seconds / statistics.median(r['seconds'] for r in nq):6.2f}" if nq else "     -"
            cpu_ratio = f"{cpu / statistics.median(r['cpu'] for r in nq):6.2f}" if nq else "     -"
            print(f"{suffix:8} {count:>6} {int(runs[0]['triples']):>9} {runs[0]['bytes'] / 1e6:>7.1f} "
                  f"{seconds:>7.2f} {wall_ratio} {cpu:>7.2f} {cpu_ratio} {peak:>9.1f} {base:>9.1f} "
                  f"{writing:>8.1f} {writing - base:>7.1f}")
    if merges:
        print(f"\nmerge: {args.merge} new documents written into the existing file of N documents "
              f"(old file parsed and its graphs kept)")
        print(f"{'format':8} {'docs':>6} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9} {'writing':>8}")
        for (suffix, count), runs in sorted(merges.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            print(f"{suffix:8} {count:>6} {statistics.median(r['seconds'] for r in runs):>7.2f} "
                  f"{statistics.median(r['cpu'] for r in runs):>7.2f} {max(r['peak'] for r in runs):>9.1f} "
                  f"{max(r['writing'] for r in runs):>8.1f}")


if __name__ == "__main__":
    main()
