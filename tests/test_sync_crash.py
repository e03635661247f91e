"""kg sync passes as real processes: two started at once (one runs, the other exits 0 "skipped: locked by pid N"),
a pass killed with SIGKILL mid-way and then rerun (equal to a clean run: sorted N-Quads, and node/relationship
counts in the embedded Neo4j), and a pass that died after committing its outputs but before its state."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sync.articles import article
from sync.jobs import doc_ids, kg, kg_env, sorted_nquads, write_job

DOCS = 40


def _corpus(folder: Path, count: int = DOCS) -> Path:
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    for n in range(count):
        (inbox / f"story-{n:03d}.txt").write_text(article(n), encoding="utf-8")
    return inbox


def _start(job: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kg", "sync", str(job)], cwd=job.parent, env=kg_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the pass ended before it could be killed: {proc.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting for the pass to start writing"
        time.sleep(0.05)


def _runs(folder: Path) -> int:
    with sqlite3.connect(folder / "state" / "news.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM runs").fetchone()[0])


def _writing(out_folder: Path) -> Callable[[], bool]:
    return lambda: any(p.name.startswith(".news.nq.") and p.name.endswith(".tmp") for p in out_folder.iterdir())


def test_two_passes_at_once_one_is_skipped(tmp_path: Path) -> None:
    _corpus(tmp_path, 12)
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    first, second = _start(job), _start(job)
    outputs = {proc.pid: proc.communicate(timeout=300) for proc in (first, second)}
    assert (first.returncode, second.returncode) == (0, 0), outputs
    skipped = [pid for pid, (_, err) in outputs.items() if "skipped: locked by pid" in err]
    assert len(skipped) == 1, outputs
    other = first.pid if skipped[0] == second.pid else second.pid
    assert f"skipped: locked by pid {other}" in outputs[skipped[0]][1]
    assert "synced: 12 documents" in outputs[other][1]
    assert len(doc_ids(tmp_path / "out" / "news.nq")) == 12
    assert _runs(tmp_path) == 1  # the skipped pass wrote no state


def _clean_run(tmp_path: Path, to: list[str] | None = None) -> Path:
    clean = tmp_path / "clean"
    _corpus(clean)
    done = kg("sync", str(write_job(clean, [{"folder": "inbox/", "settle": 0}], to=to)), cwd=clean)
    assert done.returncode == 0, done.stderr
    return clean


def test_killed_mid_pass_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    work = tmp_path / "work"
    _corpus(work)
    job = write_job(work, [{"folder": "inbox/", "settle": 0}])
    proc = _start(job)
    _wait_for(_writing(work / "out"), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _runs(work) == 0  # nothing of the killed pass reached the state

    rerun = kg("sync", str(job), cwd=work)
    assert rerun.returncode == 0, rerun.stderr
    assert f"synced: {DOCS} documents" in rerun.stderr
    clean = _clean_run(tmp_path)
    assert sorted_nquads(work / "out" / "news.nq") == sorted_nquads(clean / "out" / "news.nq")


def test_outputs_committed_but_state_not_then_rerun(tmp_path: Path) -> None:
    """The window between the targets' commit and the state's: the state still says what the last pass saw."""
    work = tmp_path / "work"
    inbox = _corpus(work)
    job = write_job(work, [{"folder": "inbox/", "settle": 0}])
    assert kg("sync", str(job), cwd=work).returncode == 0
    saved = work / "saved-state"
    shutil.copytree(work / "state", saved)
    (inbox / "story-001.txt").write_text(article(1, edition=1), encoding="utf-8")
    (inbox / "story-002.txt").unlink()
    assert kg("sync", str(job), cwd=work).returncode == 0
    shutil.rmtree(work / "state")
    shutil.copytree(saved, work / "state")  # as if the pass had died right after committing its outputs

    rerun = kg("sync", str(job), cwd=work)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 changed" in rerun.stderr and "1 retracted" in rerun.stderr
    clean = tmp_path / "clean"
    shutil.copytree(inbox, clean / "inbox")
    assert kg("sync", str(write_job(clean, [{"folder": "inbox/", "settle": 0}])), cwd=clean).returncode == 0
    assert sorted_nquads(work / "out" / "news.nq") == sorted_nquads(clean / "out" / "news.nq")


def _neo4j_counts(uri: str) -> tuple[int, int, int]:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
        rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
        docs = driver.execute_query("MATCH (d:Document) RETURN count(d) AS c").records[0]["c"]
    return int(nodes), int(rels), int(docs)


def _wipe(uri: str) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")


@pytest.mark.neo4j
def test_killed_mid_pass_with_neo4j_and_nq_then_rerun_equals_a_clean_run(tmp_path: Path, clean_neo4j) -> None:  # type: ignore[no-untyped-def]
    uri = clean_neo4j.uri
    work = tmp_path / "work"
    _corpus(work)
    (work / "kg.yaml").write_text("neo4j:\n  batch_size: 200\nextract:\n  spacy_batch_size: 4\n", encoding="utf-8")
    job = write_job(work, [{"folder": "inbox/", "settle": 0}], to=["out/news.nq", uri], config="kg.yaml")
    proc = _start(job)
    _wait_for(lambda: _neo4j_counts(uri)[2] > 0, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _runs(work) == 0
    partial = _neo4j_counts(uri)[2]
    assert 0 < partial

    rerun = kg("sync", str(job), cwd=work)
    assert rerun.returncode == 0, rerun.stderr
    after_rerun = _neo4j_counts(uri)
    assert after_rerun[2] == DOCS

    _wipe(uri)
    clean = _clean_run(tmp_path, to=["out/news.nq", uri])
    assert _neo4j_counts(uri) == after_rerun
    assert sorted_nquads(work / "out" / "news.nq") == sorted_nquads(clean / "out" / "news.nq")


@pytest.mark.neo4j
def test_neo4j_and_nq_stay_in_step_across_changes(tmp_path: Path, clean_neo4j) -> None:  # type: ignore[no-untyped-def]
    uri = clean_neo4j.uri
    inbox = _corpus(tmp_path, 6)
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}], to=["out/news.nq", uri])
    assert kg("sync", str(job), cwd=tmp_path).returncode == 0
    (inbox / "story-000.txt").unlink()
    (inbox / "story-001.txt").write_text(article(1, edition=3), encoding="utf-8")
    done = kg("sync", str(job), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _neo4j_counts(uri)[2] == len(doc_ids(tmp_path / "out" / "news.nq")) == 5
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        ids = {r["id"] for r in driver.execute_query("MATCH (d:Document) RETURN d.docId AS id").records}
    assert ids == doc_ids(tmp_path / "out" / "news.nq")
    counts = _neo4j_counts(uri)
    _wipe(uri)
    clean = tmp_path / "clean"
    shutil.copytree(inbox, clean / "inbox")
    assert kg("sync", str(write_job(clean, [{"folder": "inbox/", "settle": 0}], to=["out/news.nq", uri])),
              cwd=clean).returncode == 0
    assert _neo4j_counts(uri) == counts


def test_a_target_that_cannot_be_reached_is_exit_2_and_the_next_pass_redoes_it(tmp_path: Path) -> None:
    _corpus(tmp_path, 3)
    port = 1  # nothing listens there
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}], to=["out/news.nq", f"bolt://127.0.0.1:{port}"])
    done = kg("sync", str(job), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")], done.stderr
    assert not (tmp_path / "out" / "news.nq").exists()  # the targets are kept in step: nothing written
    with sqlite3.connect(tmp_path / "state" / "news.sqlite") as db:
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
        assert db.execute("SELECT exit_code FROM runs").fetchall() == [(2,)]
    assert os.path.getsize(tmp_path / "state" / "runs.jsonl") > 0
