"""Extraction on Dask distributed, on a real ``LocalCluster(processes=True)`` of 2 workers and on the
``dask-local:N`` clusters kg starts itself: the same output as in-process, in input order, a bounded number of
shards in flight, the model loaded once per worker, per-document failures, and the one-line errors (a bad
executor, the missing extra, an unreachable scheduler)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

pytest.importorskip("distributed")  # the dask extra is in the test extra: CI always has it

import dask
import dask_support
from distributed import Client, LocalCluster

from kg.cli import app
from kg.errors import InputError
from kg.execution import InProcess, executor
from kg.execution_dask import DaskExecutor, _connect
from kg.records import DocRecord, Document, dumps
from kg.settings import ExtractSettings, parse_executor

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
SHARD_CHARS = 3000  # ~3 sample articles per task: several tasks per worker on a small corpus


@pytest.fixture(scope="module")
def cluster() -> Iterator[Client]:
    """A real LocalCluster of 2 worker processes (one thread each), counting spaCy model loads in each."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0", silence_logs=logging.ERROR) as local, \
            Client(local, set_as_default=False) as client:
        client.run(dask_support.count_spacy_loads)
        yield client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dask_support.write_corpus(tmp_path_factory.mktemp("corpus") / "articles", 18)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "kg.yaml"
    path.write_text(f"extract:\n  shard_chars: {SHARD_CHARS}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(corpus: Path, config: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The in-process run: records file, N-Quads and failure lines."""
    return dask_support.cli_run(corpus, config, tmp_path_factory.mktemp("local"), "local")


def test_local_cluster_gives_the_in_process_output_and_loads_the_model_once_per_worker(
        cluster: Client, corpus: Path, config: Path, reference: dict[str, object], tmp_path: Path) -> None:
    address = cluster.scheduler.address
    first = dask_support.cli_run(corpus, config, tmp_path, "dask://" + address.removeprefix("tcp://"))
    assert first == reference
    assert len(reference["failures"]) == 2 and all("art-" in x for x in reference["failures"])  # type: ignore[arg-type]
    assert len(reference["quads"]) > 1000  # type: ignore[arg-type]
    # Four runs (extract and ingest, twice): each worker process loaded the spaCy model once.
    again = dask_support.cli_run(corpus, config, tmp_path, "dask://" + address.removeprefix("tcp://"))
    assert again == reference
    assert sorted(cluster.run(dask_support.spacy_loads).values()) == [1, 1]


def test_results_come_in_input_order_with_a_bounded_number_of_shards_in_flight(
        cluster: Client, extractor) -> None:  # type: ignore[no-untyped-def]
    documents = dask_support.documents(48)
    settings = ExtractSettings(executor="dask://" + cluster.scheduler.address.removeprefix("tcp://"),
                               shard_chars=1200)
    engine = executor(settings)
    assert isinstance(engine, DaskExecutor)
    read = 0

    def source() -> Iterator[Document]:
        nonlocal read
        for document in documents:
            read += 1
            yield document

    results: list[DocRecord | InputError] = []
    ahead = 0
    for result in engine.run(source(), settings):
        results.append(result)
        ahead = max(ahead, read - len(results))
    expected = list(InProcess(extractor).run(documents, settings))
    assert [dumps(r) for r in results if isinstance(r, DocRecord)] == [dumps(r) for r in expected]  # type: ignore[arg-type]
    assert len(results) == 48
    per_shard = max(s.documents for s in engine.shards)
    assert len(engine.shards) >= 12 and per_shard <= 4
    # 2 workers x 2 shards in flight, plus the shard being handed out: never the whole corpus.
    assert ahead <= 5 * per_shard < len(documents), ahead
    assert {s.index for s in engine.shards} == set(range(len(engine.shards)))
    assert len({s.worker for s in engine.shards}) == 2  # both workers took shards
    assert {s.builds for s in engine.shards} == {1}  # each built its extractor once


def test_a_document_failing_on_a_worker_is_a_per_document_failure(
        cluster: Client, extractor, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Fault injection: the real extractor's rules raise on one document (in the workers, and here for the
    in-process comparison); everything else is real."""
    documents = dask_support.documents(10)
    poisoned = Document(id="d4", text=documents[4].text + dask_support.POISON, sha256="0" * 64, source="mem:poisoned")
    documents[4] = poisoned
    settings = ExtractSettings(executor="dask://" + cluster.scheduler.address.removeprefix("tcp://"),
                               shard_chars=1200)
    cluster.run(dask_support.inject_failure)
    try:
        results = list(executor(settings).run(documents, settings))
    finally:
        cluster.run(dask_support.remove_failure)
    dask_support.inject_failure()
    try:
        local = list(InProcess(extractor).run(documents, settings))
    finally:
        dask_support.remove_failure()
    failures = [r for r in results if isinstance(r, InputError)]
    assert [str(f) for f in failures] == ["mem:poisoned: extraction failed"]
    assert isinstance(results[4], InputError) and results[4].where == "mem:poisoned"
    assert [str(r) if isinstance(r, InputError) else dumps(r) for r in results] == \
        [str(r) if isinstance(r, InputError) else dumps(r) for r in local]


@pytest.mark.parametrize("workers", [1, 2])
def test_dask_local_clusters_give_byte_identical_output(
        workers: int, corpus: Path, config: Path, reference: dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    result = subprocess.run([sys.executable, "-m", "kg", "ingest", str(corpus), "--to", str(out), "--config",
                             str(config), "--executor", f"dask-local:{workers}"],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=600)
    assert result.returncode == 1, result.stderr
    assert sorted(out.read_bytes().splitlines()) == reference["quads"]
    lines = result.stderr.splitlines()
    assert [x for x in lines if x.startswith("error:")] == reference["failures"]
    assert len(lines) == 3 and lines[-1].startswith("ingested: 18 documents"), result.stderr  # nothing else printed


def test_dask_local_workers_keep_glibcs_trim_threshold_and_do_not_profile() -> None:
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 for its workers, which costs spaCy 28% more CPU
    (benchmarks/scale_out.py); the workers of kg's dask-local cluster start without it. Nothing is there to
    show a profile, so the workers do not sample their stacks; the scheduler's HTTP server (health checks)
    listens on the loopback interface only."""
    settings = ExtractSettings(executor="dask-local:1")
    with _connect(parse_executor(settings.executor), settings) as client:
        seen = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                   dask.config.get("distributed.worker.profile.enabled")))
        port = client.scheduler_info()["services"]["dashboard"]  # Dask's name for the scheduler's HTTP server
        bound = client.run_on_scheduler(lambda dask_scheduler: sorted(
            sock.getsockname()[0] for sock in dask_scheduler.http_server._sockets.values()))
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=30)
    assert list(seen.values()) == [(os.environ.get("MALLOC_TRIM_THRESHOLD_"), False)]
    assert bound == ["127.0.0.1"]
    assert (health.status_code, health.text) == (200, "ok")


@pytest.mark.neo4j
def test_neo4j_counts_are_the_same_with_dask(clean_neo4j, cluster: Client, corpus: Path, config: Path) -> None:  # type: ignore[no-untyped-def]
    import neo4j

    def counts() -> tuple[int, int]:
        with neo4j.GraphDatabase.driver(clean_neo4j.uri, auth=None) as driver:
            nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
            rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
            driver.execute_query("MATCH (n) DETACH DELETE n")
            return nodes, rels

    lines = {}
    found = {}
    for engine in ("local", "dask://" + cluster.scheduler.address.removeprefix("tcp://")):
        result = runner.invoke(app, ["ingest", str(corpus), "--to", clean_neo4j.uri, "--config", str(config),
                                     "--executor", engine])
        assert result.exit_code == 1, result.output
        found[engine] = counts()
        lines[engine] = result.stderr.splitlines()[-1].rsplit(",", 1)[0]  # the summary without the time
    local, dask = found.values()
    assert local == dask and local[0] > 100 and local[1] > 100
    assert len(set(lines.values())) == 1, lines


@pytest.mark.parametrize(("text", "line"), [("extract:\n  executor: dask-locl:2\n", 2),
                                            ("mapping: m.yaml\nextract:\n  model: x\n  executor: dask://host\n", 4),
                                            ("extract:\n  executor: dask-local:0\n", 2)])
def test_a_bad_executor_in_kg_yaml_is_one_line_with_its_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "kg.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(REPO / "examples" / "articles"), "-o", str(tmp_path / "r.jsonl"),
                                 "--config", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}:{line}: setting 'extract.executor': executor must be local, dask-local:N (N >= 1) or "
        f"dask://HOST:PORT (got {parse_value(text)!r})"]
    assert not (tmp_path / "r.jsonl").exists()


def parse_value(text: str) -> str:
    return text.split("executor: ")[1].split("\n")[0]


def test_a_bad_executor_option_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(REPO / "examples" / "articles"), "-o", str(tmp_path / "r.jsonl"),
                                 "--executor", "spark://h:1"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: unknown executor 'spark://h:1' (use local, dask-local:N (N >= 1) or dask://HOST:PORT)"]
    assert parse_executor("dask://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"


# A finder that refuses to import `distributed`, as if the dask extra were not installed.
_HIDE_DISTRIBUTED = """
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "distributed" or name.startswith("distributed."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Refuse())
from kg.cli import app
app(prog_name="kg")
"""


def test_without_the_dask_extra_a_dask_executor_is_one_line_saying_how_to_install_it(tmp_path: Path) -> None:
    previous = tmp_path / "r.jsonl"
    previous.write_text("previous\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", _HIDE_DISTRIBUTED, "extract", str(REPO / "examples" / "articles"),
                             "-o", str(previous), "--executor", "dask-local:2"],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "error: executor 'dask-local:2' needs Dask distributed, which is not installed (pip install 'kg[dask]')"]
    assert previous.read_text(encoding="utf-8") == "previous\n"
    local = subprocess.run([sys.executable, "-c", _HIDE_DISTRIBUTED, "extract", str(REPO / "examples" / "articles"),
                            "-o", str(previous)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert local.returncode == 0, local.stderr  # the local executor does not need it


def test_an_unreachable_scheduler_is_one_line_exit_2_within_the_timeout(tmp_path: Path) -> None:
    port = dask_support.free_port()  # nothing listens there
    config = tmp_path / "kg.yaml"
    config.write_text("extract:\n  connect_timeout: 3\n", encoding="utf-8")
    previous = tmp_path / "g.nq"
    previous.write_text("", encoding="utf-8")
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "kg", "ingest", str(REPO / "examples" / "articles"), "--to",
                             str(previous), "--executor", f"dask://127.0.0.1:{port}", "--config", str(config)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"error: Dask scheduler tcp://127.0.0.1:{port} unreachable within 3 s (OSError) (start one with "
        "`dask scheduler` (workers: `dask worker HOST:PORT --nthreads 1`), or check --executor)"]
    assert time.monotonic() - start < 60
    assert previous.read_text(encoding="utf-8") == ""
