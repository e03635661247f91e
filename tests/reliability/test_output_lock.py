"""Issue 9 item 2: outputs are locked. Two runs writing the same file at once never both exit 0 with documents
lost: each merges into the file as it is when it commits, under an exclusive lock; a run that cannot get the
lock in --lock-timeout seconds exits 2 naming the pid that holds it. Same for `kg map`, `kg ingest` and
`kg retract`. Real processes, a real lock."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from reliability_support import (  # noqa: F401 - fixtures
    doc_iri,
    doc_iris,
    graphs,
    one_line,
    open_fifo_writer,
    records_file_fixture,
    records_lines_fixture,
    run_kg,
    start_kg,
    temps,
    wait_for,
)

from kg.files import locked

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_two_map_runs_at_once_both_end_in_the_file(tmp_path: Path, records_file, records_lines, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph{suffix}"
    # an existing file big enough that copying it takes a while: the two commits overlap
    assert run_kg("map", str(records_file("base.jsonl", "base", 200)), "--to", str(out)).returncode == 0
    fifos = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for fifo in fifos:
        os.mkfifo(fifo)
    runs = [start_kg("map", str(fifo), "--to", str(out)) for fifo in fifos]
    writers = [open_fifo_writer(fifo) for fifo in fifos]  # closed below, together
    for writer, prefix in zip(writers, ["a", "b"], strict=True):
        writer.writelines(records_lines(prefix, 3))
        writer.flush()
    # both runs have their documents (each in its own temporary file) before either commits
    wait_for(lambda: len(temps(out)) == 2, seconds=30)
    for writer in writers:
        writer.close()
    results = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in runs]
    for code, stderr in results:
        assert code == 0, stderr
    assert graphs(out) == doc_iris("base", 200) | doc_iris("a", 3) | doc_iris("b", 3)
    assert temps(out) == []


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_two_ingest_runs_at_once_both_end_in_the_file(tmp_path: Path, records_file, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph{suffix}"
    assert run_kg("map", str(records_file("base.jsonl", "base", 200)), "--to", str(out)).returncode == 0
    sources = []
    for name in ("front-visit.md", "harbor-strike.txt"):
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        shutil.copy(EXAMPLES / name, folder / name)
        sources.append(folder)
    runs = [start_kg("ingest", str(folder), "--to", str(out)) for folder in sources]
    results = [(run.wait(timeout=600), run.stderr.read() if run.stderr else "") for run in runs]
    for code, stderr in results:
        assert code == 0, stderr
    assert graphs(out) == doc_iris("base", 200) | {doc_iri("front-visit"), doc_iri("harbor-strike")}


@pytest.mark.parametrize("command", ["map", "retract"])
def test_a_held_lock_is_waited_for_then_named(tmp_path: Path, records_file, command: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "graph.nq"
    assert run_kg("map", str(records_file("base.jsonl", "base", 2)), "--to", str(out)).returncode == 0
    before = out.read_bytes()
    args = (["map", str(records_file("new.jsonl", "new", 2)), "--to", str(out)] if command == "map"
            else ["retract", "base-0", "--from", str(out)])
    with locked(out):  # this test process holds the lock
        done = run_kg(*args, "--lock-timeout", "0.5")
    assert done.returncode == 2, done.stderr
    assert f"locked by pid {os.getpid()}" in one_line(done.stderr)
    assert out.read_bytes() == before
    assert temps(out) == []


def test_map_and_retract_at_once_both_take_effect(tmp_path: Path, records_file) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "graph.trig"
    assert run_kg("map", str(records_file("base.jsonl", "base", 50)), "--to", str(out)).returncode == 0
    with locked(out):  # both runs start and wait for the lock; they take it in turn once it is released
        runs = [start_kg("map", str(records_file("new.jsonl", "new", 2)), "--to", str(out)),
                start_kg("retract", "base-0", "base-1", "--from", str(out))]
        assert wait_for(lambda: len(temps(out)) == 1, seconds=120)  # the map run is at its commit
    results = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in runs]
    for code, stderr in results:
        assert code == 0, stderr
    assert graphs(out) == (doc_iris("base", 50) - {doc_iri("base-0"), doc_iri("base-1")}) | doc_iris("new", 2)
