"""Extraction on a real TCP Dask cluster started here: ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, each with its own local directory. The same output as in-process; a worker killed with SIGKILL in
the middle of a job (its shards run again on another worker, the output is the same); a worker whose kg
installation extracts differently is refused."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import dask_support
from distributed import Client

from kg.errors import InputError
from kg.execution import InProcess, executor
from kg.execution_dask import DaskExecutor
from kg.records import DocRecord, dumps
from kg.settings import ExtractSettings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tcp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dask_support.TcpCluster]:
    with dask_support.TcpCluster(tmp_path_factory.mktemp("tcp")) as cluster:
        cluster.start_worker("w1")
        cluster.start_worker("w2")
        cluster.wait_for_workers(2)
        yield cluster


def test_a_tcp_cluster_gives_the_in_process_output(tcp: dask_support.TcpCluster, tmp_path: Path) -> None:
    corpus = dask_support.write_corpus(tmp_path / "articles", 12)
    config = tmp_path / "kg.yaml"
    config.write_text("extract:\n  shard_chars: 3000\n", encoding="utf-8")
    (tmp_path / "local").mkdir()
    (tmp_path / "tcp").mkdir()
    local = dask_support.cli_run(corpus, config, tmp_path / "local", "local")
    dask = dask_support.cli_run(corpus, config, tmp_path / "tcp", "dask://" + tcp.address.removeprefix("tcp://"))
    assert dask == local
    assert len(local["failures"]) == 2 and len(local["quads"]) > 500  # type: ignore[arg-type]


def test_workers_started_with_the_shipped_dask_config_run_as_dask_local_ones(tcp: dask_support.TcpCluster) -> None:
    """examples/dask/kg-worker.yaml: the nanny sets no trim threshold and the workers run no profiler."""
    with Client(tcp.address, timeout=30, set_as_default=False) as client:
        seen = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                   __import__("dask").config.get("distributed.worker.profile.enabled")))
    assert list(seen.values()) == [(None, False), (None, False)]


def test_a_worker_killed_mid_job_loses_nothing(tcp: dask_support.TcpCluster, extractor) -> None:  # type: ignore[no-untyped-def]
    documents = dask_support.documents(40)
    settings = ExtractSettings(executor="dask://" + tcp.address.removeprefix("tcp://"), shard_chars=1200)
    engine = executor(settings)
    assert isinstance(engine, DaskExecutor)
    results: list[DocRecord | InputError] = []
    raised: list[BaseException] = []

    def consume() -> None:
        try:
            results.extend(engine.run(documents, settings))
        except BaseException as exc:  # noqa: BLE001 - checked below
            raised.append(exc)

    job = threading.Thread(target=consume)
    with Client(tcp.address, timeout=30, set_as_default=False) as client:
        pids = client.run(os.getpid)  # worker address -> pid of the worker process (the nanny restarts it)
        job.start()
        victim, lost = "", []
        deadline = time.monotonic() + 300
        while not victim and time.monotonic() < deadline and job.is_alive():
            if engine.shards:  # the job is under way: some shards are back
                for address, keys in client.processing().items():
                    shards = [str(k) for k in keys if str(k).startswith("kg-shard-")]
                    if shards:
                        victim, lost = address, shards
                        break
            time.sleep(0.02)
        assert victim, "no worker was busy with a shard"
        os.kill(pids[victim], signal.SIGKILL)
        job.join(600)
    assert not raised, raised
    expected = list(InProcess(extractor).run(documents, settings))
    assert [dumps(r) for r in results] == [dumps(r) for r in expected]  # type: ignore[arg-type]
    done = {s.key: s for s in engine.shards}
    assert len(done) == len(engine.shards)
    for key in lost:  # what the killed worker was running was done again, elsewhere
        assert done[key].worker != victim
    assert any(s.worker == victim for s in engine.shards)  # it had done some before it died
    assert {s.builds for s in engine.shards} == {1}  # every worker process built its extractor once


@pytest.mark.parametrize("edited", ["triggers.yaml", "nouns.yaml"])
def test_a_worker_with_another_lexicon_is_refused(tmp_path: Path, edited: str) -> None:
    other = tmp_path / "other-kg"  # a kg installation whose shipped trigger lexicon or noun classes have a local edit
    for name in ("kg", "mappings", "ontology", "schemas"):
        shutil.copytree(REPO / name, other / name, ignore=shutil.ignore_patterns("__pycache__"))
    changed = other / "mappings" / edited
    changed.write_text(changed.read_text(encoding="utf-8") + "# a local edit\n", encoding="utf-8")
    corpus = dask_support.write_corpus(tmp_path / "articles", 3, bad=False)
    out = tmp_path / "r.jsonl"
    with dask_support.TcpCluster(tmp_path / "cluster", pythonpath=str(other)) as cluster:
        cluster.start_worker("odd")
        cluster.wait_for_workers(1)
        result = subprocess.run([sys.executable, "-m", "kg", "extract", str(corpus), "-o", str(out), "--executor",
                                 "dask://" + cluster.address.removeprefix("tcp://")],
                                capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                                timeout=600)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Dask worker tcp://127.0.0.1:"), result.stderr
    assert "another lexicon than this client" in lines[0] and "install the same kg" in lines[0]
    assert not out.exists()

