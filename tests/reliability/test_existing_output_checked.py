"""Issue 9 item 3: an existing output is parsed before what is kept of it is merged (streamed, by pyoxigraph's
parser). A corrupt line is exit 2 naming file:line, and the file stays exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_support import one_line, records_file_fixture, records_lines_fixture, run_kg, temps  # noqa: F401 - fixtures

TRIG_LINE = '<https://w3id.org/kg-news/id/doc/x> { <no-scheme> <https://w3id.org/kg-news/ont#title> "t" . }\n'


def _corrupt(out: Path, line: int) -> None:
    """Line ``line`` becomes bad: a truncated N-Quads line (as a crash leaves it), or a bad TriG statement."""
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    if out.suffix == ".nq":
        lines.insert(line - 1, lines[line - 1][:40] + "\n")
    else:
        lines.insert(line - 1, TRIG_LINE)
    out.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_corrupt_existing_output_is_refused_at_its_line(tmp_path: Path, records_file, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph{suffix}"
    assert run_kg("map", str(records_file("old.jsonl", "old", 2)), "--to", str(out)).returncode == 0
    _corrupt(out, 7)
    before = out.read_bytes()
    done = run_kg("map", str(records_file("new.jsonl", "new", 2)), "--to", str(out))
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert f"{out}:7" in line and "not valid" in line, line
    assert out.read_bytes() == before
    assert temps(out) == []


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_retract_from_a_corrupt_file_is_refused_at_its_line(tmp_path: Path, records_file, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph{suffix}"
    assert run_kg("map", str(records_file("old.jsonl", "old", 2)), "--to", str(out)).returncode == 0
    _corrupt(out, 5)
    before = out.read_bytes()
    done = run_kg("retract", "old-0", "--from", str(out))
    assert done.returncode == 2, done.stderr
    assert f"{out}:5" in one_line(done.stderr)
    assert out.read_bytes() == before
    assert temps(out) == []
