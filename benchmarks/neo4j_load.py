"""Neo4j load throughput: kg's Neo4jWriter against rdflib-neo4j, same triples, same server, one run.

    python benchmarks/neo4j_load.py [--min-triples 200000] [--batch-size N] [--jvm tiered|c1]
                                    [--loaders kg rdflib-neo4j] [--rdflib-python PATH] [--repeat 5]
                                    [--warmup 3] [--max-warmup 20] [--fresh-schema]

What it does:

1. Builds a corpus of mapped documents: the real extractor over the 20 WikiEvents dev texts (rebuilt from
   their tokens, ``/work/shared/eval/wikievents/dev.jsonl`` or ``--wikievents``) and ``examples/articles``,
   mapped with the repo's mapping, then repeated with distinct document ids (``<id>~<copy>``) until
   ``kg.sinks.rdf.doc_triples`` counts at least ``--min-triples`` RDF triples. Entities keep their IRIs across
   copies (a country is mentioned by hundreds of documents, as in a real news feed); events, evidence and
   documents are new in every copy. The mapped documents are cached in a pickle under
   ``/tmp/kg-neo4j-bench/`` (keyed on the corpus, the extractor, the mapping and the ontology).
2. Starts one embedded Neo4j 5.26 (``tests/neo4j_support.py``) with the JVM options printed at the start.
   ``--jvm tiered`` (default) drops the test server's ``-XX:TieredStopAtLevel=1`` (C1 only, good for short
   test runs) so that the C2 compiler serves a sustained load, and gives it a 2 GiB heap.
3. Loads the same data with each loader, each time into a wiped database (every node and relationship
   deleted), each loader in its own child process so that peak memory (RSS high water mark, ``VmHWM``) is
   its own. The schema stays, as on a server in use: the ``:Resource(uri)`` uniqueness constraint that
   both loaders need (kg creates it, with its two indexes, on its first load; rdflib-neo4j finds it and
   uses it). ``--fresh-schema`` drops every constraint and index before each load as well: every load then
   also pays for new query plans, which the server runs slowly until the JVM has compiled them again (on
   the 2-core machine about 1.2 s more per load for kg and 1.4 s for rdflib-neo4j), as a load does right
   after a server start or a schema change.

   - ``kg``: ``kg.sinks.neo4j.Neo4jWriter`` with its defaults (or ``--batch-size``), given the mapped documents.
   - ``rdflib-neo4j`` (PyPI; run from its own venv, created under ``/tmp`` when the project's interpreter
     does not have it, or ``--rdflib-python``): ``Graph(store=Neo4jStore(config))`` with the configuration
     its documentation recommends (``batching=True``, default ``batch_size`` 5000,
     ``HANDLE_VOCAB_URI_STRATEGY.IGNORE``), given the same ``doc_triples`` as rdflib terms, one ``add`` each,
     then ``close(True)``.

   Timing starts when the input is in memory (imports and unpickling are not timed; the input objects are
   then frozen out of the garbage collector's way, ``gc.freeze()``, in both children) and ends when the
   loader has committed everything; it includes the loader's own setup (kg: ``Neo4jWriter`` and
   ``connect()``; rdflib-neo4j: the store and its constraint check). Warm-up: rounds of untimed full loads
   (each loader once per round) until the server's JIT compiler has settled, as on a server that has been
   up for a while: at least ``--warmup`` rounds, then more until, during every load of a round, the JVM's
   compiler threads used less CPU than 10 % of that load's time (read from ``/proc``; at most
   ``--max-warmup`` rounds). On the 2-core machine that takes about ten rounds, and while the compiler
   works it takes a core from the load: the first kg load of a fresh server takes about 5 times as long as
   a settled one, the fourth still 1.5 times. Then
   ``--repeat`` timed loads per loader, interleaved (kg, rdflib-neo4j, kg, ...) so that both see the same
   machine load; each row also prints the CPU seconds the server's compiler threads used during that load.
   The summary takes each loader's median.

Prints per loader: triples, nodes and relationships in the database after the load, seconds,
(nodes + relationships)/s, relationships/s, peak RSS (and the RSS with the input loaded, before loading),
then the ratio kg / rdflib-neo4j. The two loaders do not build the same graph (kg adds superclass labels,
provenance and digest bookkeeping; rdflib-neo4j turns every IRI object, rdf:predicate included, into a
relationship): each rate counts what that loader itself wrote.

Not a test; it takes a few minutes (the first run also extracts the corpus and may build the venv).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "kg-neo4j-bench"
WIKIEVENTS = REPO.parent / "shared" / "eval" / "wikievents" / "dev.jsonl"
EXAMPLES = REPO / "examples" / "articles"
RDFLIB_VENV = Path(tempfile.gettempdir()) / "kg-bench-rdflib-neo4j-venv"
RDFLIB_NEO4J_REQ = "rdflib-neo4j>=1.1,<2"
RDFLIB_BATCH = 5000  # rdflib-neo4j's default and documented batch size
JIT_SETTLED = 0.10  # warm-up ends when the server's JIT compiler uses less CPU than this share of every load

# ------------------------------------------------------------------ children (stdlib only at import time)


def _peak_kib() -> int:
    """This process's RSS high-water mark in KiB: VmHWM (Linux), else getrusage's ru_maxrss.

    Not ru_maxrss on Linux: exec() keeps the parent's high-water mark there, so a child of a big parent
    would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak // 1024 if sys.platform == "darwin" else peak)


def _freeze() -> None:
    """Keep the input out of the garbage collector's way (``gc.freeze()``), in both children alike.

    The input is all in memory before timing starts (hundreds of thousands of objects for rdflib-neo4j's
    triples, the mapped documents for kg), which a streaming pipeline never holds; without this, every
    full collection during the load would walk it and bill that to the loader.
    """
    import gc

    gc.collect()
    gc.freeze()


def _child_kg(args: argparse.Namespace) -> dict[str, Any]:
    import neo4j  # noqa: F401 - the sink imports the driver on connect(): not timed, as for rdflib-neo4j

    from kg.sinks.neo4j import Neo4jWriter

    with open(args.data, "rb") as handle:
        docs = pickle.load(handle)
    if args.limit:
        docs = docs[: args.limit]
    _freeze()
    base = _peak_kib()
    options: dict[str, Any] = {}
    if args.batch_size:
        options["batch_size"] = args.batch_size
    start = time.perf_counter()
    with Neo4jWriter(args.uri, **options) as writer:
        for doc in docs:
            writer.write(doc)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_kib": _peak_kib(), "base_kib": base, "docs": len(docs),
            "batch_size": writer.batch_size, "report": writer.report.summary()}


def _child_rdflib(args: argparse.Namespace) -> dict[str, Any]:
    import contextlib
    import io

    import neo4j
    from rdflib import Graph, Literal, URIRef
    from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig

    with open(args.data, "rb") as handle:
        plain = pickle.load(handle)
    if args.limit:
        plain = plain[: args.limit]
    triples = []
    for doc in plain:
        for s, p, kind, value, datatype in doc:
            o = URIRef(value) if kind == "u" else Literal(value, datatype=URIRef(datatype) if datatype else None)
            triples.append((URIRef(s), URIRef(p), o))
    del plain
    _freeze()
    base = _peak_kib()
    start = time.perf_counter()
    driver = neo4j.GraphDatabase.driver(args.uri, auth=None)
    config = Neo4jStoreConfig(handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE, batching=True,
                              batch_size=RDFLIB_BATCH)
    with contextlib.redirect_stdout(io.StringIO()):  # it prints progress to stdout
        graph = Graph(store=Neo4jStore(config=config, neo4j_driver=driver))
        for triple in triples:
            graph.add(triple)
        graph.close(True)
    driver.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_kib": _peak_kib(), "base_kib": base, "triples": len(triples),
            "batch_size": RDFLIB_BATCH}


# ------------------------------------------------------------------ corpus (parent, project venv)


def _fingerprint(paths: list[Path], extra: str) -> str:
    digest = hashlib.sha256(extra.encode())
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(REPO.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_corpus(min_triples: int, wikievents: Path) -> tuple[Path, Path, int, int]:
    """Pickles of the mapped docs (for kg) and their triples (for rdflib-neo4j); (docs, triples) counts."""
    import dataclasses

    from rdflib import Literal

    from kg.sinks.rdf import doc_triples

    inputs = [wikievents, EXAMPLES, REPO / "kg" / "extract", REPO / "kg" / "mapping.py", REPO / "kg" / "records.py",
              REPO / "mappings", REPO / "ontology"]
    key = _fingerprint([p for p in inputs if p.exists()], f"v1 {min_triples}")
    CACHE.mkdir(parents=True, exist_ok=True)
    docs_path, triples_path = CACHE / f"mapped-{key}.pickle", CACHE / f"triples-{key}.pickle"
    meta_path = CACHE / f"meta-{key}.json"
    if docs_path.exists() and triples_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return docs_path, triples_path, meta["docs"], meta["triples"]

    from kg.eval.goldsets import load_gold
    from kg.extract import Extractor
    from kg.mapping import load_mapping, map_record
    from kg.records import Document
    from kg.sources import iter_documents

    started = time.perf_counter()
    documents = []
    if wikievents.exists():
        for gold in load_gold(wikievents, "wikievents"):
            sha = hashlib.sha256(gold.text.encode()).hexdigest()
            documents.append(Document(gold.id, gold.text, sha, title=gold.id, published="2024-01-15",
                                      url=f"https://news.example/{gold.id}"))
    else:
        print(f"note: {wikievents} not found; using examples/articles only", file=sys.stderr)
    documents += list(iter_documents([str(EXAMPLES)], strict=True))  # type: ignore[arg-type]
    records = list(Extractor().extract_many(documents))
    mapping = load_mapping()
    mapped: list[Any] = []
    plain: list[list[tuple[str, str, str, Any, str | None]]] = []
    triples = 0
    copy = 0
    while triples < min_triples:
        for record in records:
            doc = record.document
            doc = dataclasses.replace(doc, id=f"{doc.id}~{copy}", url=f"{doc.url}~{copy}" if doc.url else None)
            item = map_record(dataclasses.replace(record, document=doc), mapping)
            rows = []
            for s, p, o in doc_triples(item):
                if isinstance(o, Literal):
                    rows.append((str(s), str(p), "l", str(o), str(o.datatype) if o.datatype else None))
                else:
                    rows.append((str(s), str(p), "u", str(o), None))
            mapped.append(item)
            plain.append(rows)
            triples += len(rows)
            if triples >= min_triples:
                break
        copy += 1
    with open(docs_path, "wb") as handle:
        pickle.dump(mapped, handle, protocol=pickle.HIGHEST_PROTOCOL)
    with open(triples_path, "wb") as handle:
        pickle.dump(plain, handle, protocol=pickle.HIGHEST_PROTOCOL)
    meta_path.write_text(json.dumps({"docs": len(mapped), "triples": triples}))
    print(f"corpus: {len(records)} texts extracted, {len(mapped)} documents, {triples} triples "
          f"({time.perf_counter() - started:.1f} s; cached in {CACHE})")
    return docs_path, triples_path, len(mapped), triples


# ------------------------------------------------------------------ rdflib-neo4j interpreter


def rdflib_python(explicit: str | None) -> str:
    if explicit:
        return explicit
    probe = [sys.executable, "-c", "import rdflib_neo4j"]
    if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return sys.executable
    python = RDFLIB_VENV / "bin" / "python"
    check = [str(python), "-c", "import rdflib_neo4j"]
    if not python.exists() or subprocess.run(check, capture_output=True, check=False).returncode != 0:
        print(f"creating {RDFLIB_VENV} with {RDFLIB_NEO4J_REQ} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(RDFLIB_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", RDFLIB_NEO4J_REQ], check=True)
    return str(python)


def _version(python: str, module: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({module!r}))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return out.stdout.strip() or "?"


# ------------------------------------------------------------------ parent


def _wipe(uri: str, schema: bool) -> None:
    """Delete every node and relationship; with ``schema`` also every constraint and index."""
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        with driver.session() as session:  # CALL ... IN TRANSACTIONS needs an auto-commit transaction
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        if not schema:
            return
        for name in [r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name")[0]]:
            driver.execute_query(f"DROP CONSTRAINT `{name}`")
        for name in [r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name, type "
                                                             "WHERE type <> 'LOOKUP'")[0]]:
            driver.execute_query(f"DROP INDEX `{name}`")


def _compiler_cpu(pid: int) -> float:
    """CPU seconds used so far by the JIT compiler threads of process ``pid`` (Linux; 0.0 elsewhere)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue  # the thread has ended
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if "CompilerThre" in name:
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _graph_counts(uri: str) -> tuple[int, int]:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        (n,), _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS c")
        (r,), _, _ = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c")
    return int(n["c"]), int(r["c"])


def _run_child(python: str, loader: str, data: Path, uri: str, batch_size: int | None, limit: int) -> dict[str, Any]:
    cmd = [python, str(Path(__file__).resolve()), "--child", loader, "--data", str(data), "--uri", uri,
           "--limit", str(limit)]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{loader} loader failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-triples", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=None, help="kg's batch size (default: the writer's)")
    parser.add_argument("--loaders", nargs="+", default=["kg", "rdflib-neo4j"], choices=["kg", "rdflib-neo4j"])
    parser.add_argument("--jvm", choices=["tiered", "c1"], default="tiered")
    parser.add_argument("--heap", default="2g", help="JVM -Xmx with --jvm tiered")
    parser.add_argument("--rdflib-python", default=None, help="an interpreter that has rdflib-neo4j")
    parser.add_argument("--wikievents", type=Path, default=WIKIEVENTS)
    parser.add_argument("--repeat", type=int, default=5, help="loads per loader (interleaved); the median counts")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds of loads first, at least")
    parser.add_argument("--max-warmup", type=int, default=20,
                        help="more warm-up rounds until the server's JIT compiler has settled, at most")
    parser.add_argument("--fresh-schema", action="store_true",
                        help="also drop every constraint and index before each load (new query plans each time)")
    parser.add_argument("--child", choices=["kg", "rdflib-neo4j"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = _child_kg(args) if args.child == "kg" else _child_rdflib(args)
        print(json.dumps(result))
        return

    sys.path.insert(0, str(REPO / "tests"))
    import neo4j_support

    docs_path, triples_path, n_docs, n_triples = build_corpus(args.min_triples, args.wikievents)
    python_rdflib = rdflib_python(args.rdflib_python) if "rdflib-neo4j" in args.loaders else ""

    jvm = list(neo4j_support.JVM_OPTS)
    if args.jvm == "tiered":
        jvm = [o for o in jvm if not o.startswith(("-XX:TieredStopAtLevel", "-Xmx", "-Xms"))]
        jvm = [f"-Xms{args.heap}", f"-Xmx{args.heap}", *jvm]
    neo4j_support.JVM_OPTS[:] = jvm  # read by Neo4jServer.start()
    neo4j_support.build()

    print(f"data: {n_docs} documents, {n_triples} triples (kg.sinks.rdf.doc_triples)")
    print(f"python {sys.version.split()[0]}, neo4j driver {_version(sys.executable, 'neo4j')}, "
          f"neo4j-rust-ext {_version(sys.executable, 'neo4j-rust-ext')}; rdflib-neo4j "
          f"{_version(python_rdflib, 'rdflib-neo4j') if python_rdflib else '-'} "
          f"(driver {_version(python_rdflib, 'neo4j') if python_rdflib else '-'}); {os.cpu_count()} CPUs")
    print("Neo4j 5.26 Community (embedded, page cache 256 MiB), JVM: " + " ".join(
        o for o in jvm if not o.startswith(("--add-opens", "-Dio.netty", "-Djdk.nio", "-Dlog4j2"))))

    print("between loads: all nodes and relationships deleted; "
          + ("constraints and indexes dropped too" if args.fresh_schema else "constraints and indexes kept"))

    loaders = {"kg": (sys.executable, docs_path), "rdflib-neo4j": (python_rdflib, triples_path)}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in args.loaders}
    with tempfile.TemporaryDirectory(prefix="kg-neo4j-bench-") as home:
        server = neo4j_support.Neo4jServer(Path(home) / "neo4j")
        server.start()
        pid = server.pid
        try:
            rounds, settled, jit = 0, False, []
            while rounds < args.warmup or (rounds < args.max_warmup and not settled):
                settled, shares = True, []
                for name in args.loaders:
                    python, data = loaders[name]
                    _wipe(server.uri, args.fresh_schema)
                    before = _compiler_cpu(pid)
                    result = _run_child(python, name, data, server.uri, args.batch_size, 0)
                    share = (_compiler_cpu(pid) - before) / result["seconds"]
                    settled = settled and share < JIT_SETTLED
                    shares.append(f"{name} {share:.0%}")
                jit.append(", ".join(shares))
                rounds += 1
            print(f"warm-up: {rounds} untimed round(s), each loader once; the server's JIT compiler CPU as a share "
                  f"of each load's time: " + "; ".join(jit))
            print(f"then {args.repeat} timed load(s) per loader, interleaved")
            print(_HEADER)
            for rep in range(args.repeat):  # loaders interleaved, so both see the same machine load
                for name in args.loaders:
                    python, data = loaders[name]
                    _wipe(server.uri, args.fresh_schema)
                    before = _compiler_cpu(pid)
                    result = _run_child(python, name, data, server.uri, args.batch_size, 0)
                    result["jit"] = _compiler_cpu(pid) - before
                    result["nodes"], result["rels"] = _graph_counts(server.uri)
                    runs[name].append(result)
                    _print_row(f"{name} #{rep + 1}", result, n_triples)
        finally:
            server.stop()
    _print_summary(runs, n_triples)


_HEADER = (f"{'loader':16} {'triples':>8} {'nodes':>7} {'rels':>7} {'seconds':>8} {'nodes+rels/s':>13} "
           f"{'rels/s':>8} {'peak RSS':>9} {'input RSS':>9} {'JIT s':>5}  batch")


def _print_row(name: str, r: dict[str, Any], triples: int) -> None:
    seconds = r["seconds"]
    print(f"{name:16} {triples:>8} {r['nodes']:>7} {r['rels']:>7} {seconds:>8.2f} "
          f"{(r['nodes'] + r['rels']) / seconds:>13,.0f} {r['rels'] / seconds:>8,.0f} "
          f"{r['peak_kib'] / 1024:>5.0f} MiB {r['base_kib'] / 1024:>5.0f} MiB {r.get('jit', 0.0):>5.2f}  "
          f"{r['batch_size']}", flush=True)


def _median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(results, key=lambda r: r["seconds"])
    median = dict(ordered[(len(ordered) - 1) // 2])
    median["peak_kib"] = max(r["peak_kib"] for r in results)
    return median


def _print_summary(runs: dict[str, list[dict[str, Any]]], triples: int) -> None:
    medians = {name: _median_run(results) for name, results in runs.items() if results}
    print(f"median of {max(len(r) for r in runs.values())} run(s) each (peak RSS: the highest):")
    for name, result in medians.items():
        _print_row(name, result, triples)
    if "kg" in medians and "rdflib-neo4j" in medians:
        kg, other = medians["kg"], medians["rdflib-neo4j"]
        ratio_all = ((kg["nodes"] + kg["rels"]) / kg["seconds"]) / ((other["nodes"] + other["rels"]) / other["seconds"])
        ratio_rels = (kg["rels"] / kg["seconds"]) / (other["rels"] / other["seconds"])
        print(f"kg / rdflib-neo4j: {ratio_all:.1f}x nodes+rels/s, {ratio_rels:.1f}x rels/s, "
              f"{other['seconds'] / kg['seconds']:.1f}x triples/s ({triples / kg['seconds']:,.0f} vs "
              f"{triples / other['seconds']:,.0f}); peak RSS {kg['peak_kib'] / 1024:.0f} vs "
              f"{other['peak_kib'] / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
