"""Helpers for the reliability tests: `kg` run as a real process (``python -m kg`` with this checkout first on
the path), temporary files, graphs read back by pyoxigraph, and the fixtures ``records_lines``/``records_file``
(records files made from the example articles). A test module imports the fixtures it uses from here (a
conftest.py in this folder would shadow tests/conftest.py, which other tests import as ``conftest``)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[2]
OX = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
      ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD}


def kg_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{path}" if path else str(REPO)}


def kg_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def run_kg(*args: str, timeout: float = 300, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(kg_command(*args), capture_output=True, text=True, timeout=timeout, env=kg_env(),
                          **options)  # type: ignore[call-overload]


def start_kg(*args: str, **options: object) -> subprocess.Popen[str]:
    return subprocess.Popen(kg_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=kg_env(), **options)  # type: ignore[call-overload]


def temps(out: Path) -> list[Path]:
    """Temporary copies of ``out`` beside it (however they are named: ``.<name>.*.tmp``)."""
    return sorted(out.parent.glob(f".{out.name}.*.tmp"))


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def graphs(path: Path) -> set[str]:
    """The named graphs of a quad file, read by pyoxigraph."""
    return {q.graph_name.value for q in ox.parse(path=str(path), format=OX[path.suffix])
            if isinstance(q.graph_name, ox.NamedNode)}


def doc_iri(doc_id: str) -> str:
    from kg.mapping import load_mapping

    return load_mapping().document_iri(doc_id)


def doc_iris(prefix: str, n: int) -> set[str]:
    return {doc_iri(f"{prefix}-{i}") for i in range(n)}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]



@pytest.fixture(scope="session", name="records_lines")
def records_lines_fixture(example_records):  # type: ignore[no-untyped-def]
    """``make(prefix, n)``: n records lines (JSONL) copied from the example articles, ids ``<prefix>-<i>``."""
    from kg.records import dumps

    def make(prefix: str, n: int) -> list[str]:
        lines = []
        for i in range(n):
            record = example_records[i % len(example_records)]
            document = replace(record.document, id=f"{prefix}-{i}")
            lines.append(dumps(replace(record, document=document)) + "\n")
        return lines

    return make


@pytest.fixture(name="records_file")
def records_file_fixture(tmp_path: Path, records_lines):  # type: ignore[no-untyped-def]
    """``make(name, prefix, n)``: a records file of n documents."""

    def make(name: str, prefix: str, n: int) -> Path:
        path = tmp_path / name
        path.write_text("".join(records_lines(prefix, n)), encoding="utf-8")
        return path

    return make

__all__: Sequence[str] = ["OX", "REPO", "doc_iri", "doc_iris", "graphs", "kg_command", "kg_env", "one_line", "open_fifo_writer", "records_file_fixture", "records_lines_fixture",
                          "run_kg", "start_kg", "temps", "wait_for"]


def open_fifo_writer(path: Path, seconds: float = 120) -> IO[str]:
    """Open a named pipe for writing once its reader (the run under test) has opened it; fail, not hang."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "w", encoding="utf-8")
