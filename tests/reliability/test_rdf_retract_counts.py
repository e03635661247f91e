"""Issue 9 item 9, for quad files: `kg retract` says which documents were found and how many quads went, and
exits 1 when an id was not there (before: "retracted 1 documents" and exit 0 for an id that was never loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_retract_from_a_quad_file_reports_found_missing_and_quads(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"graph{suffix}"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(out)]).exit_code == 0
    before = out.read_bytes()

    missing = runner.invoke(app, ["retract", "no-such-doc", "--from", str(out)])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"retracted 0 of 1 documents from {out}: 0 quads removed; not found: no-such-doc"
    assert out.read_bytes() == before  # nothing found, nothing changed

    both = runner.invoke(app, ["retract", "harbor-strike", "no-such-doc", "--from", str(out)])
    assert both.exit_code == 1
    line = both.stderr.strip()
    assert line.startswith(f"retracted 1 of 2 documents from {out}: ") and line.endswith("not found: no-such-doc")
    removed = int(line.split(": ")[1].split(" quads")[0])
    assert removed > 20
    assert "harbor-strike" not in out.read_text(encoding="utf-8")
    assert "front-visit" in out.read_text(encoding="utf-8")
