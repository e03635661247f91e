"""Issue 9 item 4: when every document fails, the existing output is not replaced (every format), the run
exits 1 and the summary says nothing was written."""

from __future__ import annotations

import os
from pathlib import Path

from reliability_support import records_file_fixture, records_lines_fixture, run_kg, start_kg  # noqa: F401 - fixtures

SUFFIXES = [".ttl", ".nt", ".nq", ".trig", ".jsonld"]


def test_a_run_where_every_document_fails_leaves_every_format_as_it_was(tmp_path: Path, records_file) -> None:  # type: ignore[no-untyped-def]
    records = records_file("old.jsonl", "old", 2)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    outs = [tmp_path / f"graph{suffix}" for suffix in SUFFIXES]
    before = {}
    for out in outs:
        assert run_kg("map", str(records), "--to", str(out)).returncode == 0
        os.utime(out, (1_000_000_000, 1_000_000_000))
        before[out] = (out.read_bytes(), out.stat().st_mtime)
    runs = {out: start_kg("ingest", str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"), "--to", str(out))
            for out in outs}  # all at once: each loads the spaCy pipeline
    for out, run in runs.items():
        code = run.wait(timeout=600)
        stderr = run.stderr.read() if run.stderr else ""
        assert code == 1, (out.suffix, stderr)
        assert "nothing written" in stderr and "0 documents" in stderr, stderr
        assert (out.read_bytes(), out.stat().st_mtime) == before[out], out.suffix
        assert len(out.read_bytes()) > 1000
