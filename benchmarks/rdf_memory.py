"""Peak traced (Python) memory of the RDF writer as the number of documents grows, per format.

    python benchmarks/rdf_memory.py [--docs 200 2000 20000]

Maps the example articles once, then writes N copies (distinct document IRIs) and prints the peak traced
memory per format. Every format is streamed, so every line should stay flat. (benchmarks/rdf_formats.py
measures seconds and peak RSS of fresh processes, side by side with N-Quads.)
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

from kg.extract import Extractor
from kg.mapping import load_mapping, map_record
from kg.sinks.rdf import RdfWriter
from kg.sources import iter_documents

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument("--formats", nargs="+", default=[".nt", ".nq", ".ttl", ".trig", ".jsonld"])
    args = parser.parse_args()
    mapping = load_mapping()
    records = list(Extractor().extract_many(list(iter_documents([str(EXAMPLES)]))))
    mapped = [map_record(r, mapping) for r in records]
    print(f"{'format':8} {'docs':>7} {'triples':>10} {'peak MiB':>9} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in args.formats:
            for count in args.docs:
                out = Path(tmp) / f"bench{suffix}"
                tracemalloc.start()
                start = time.perf_counter()
                with RdfWriter(out) as writer:
                    for i in range(count):
                        doc = mapped[i % len(mapped)]
                        writer.write(replace(doc, doc_iri=f"{doc.doc_iri}-{i}"))
                seconds = time.perf_counter() - start
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(f"{suffix:8} {count:>7} {writer.triples:>10} {peak / 2**20:>9.1f} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
