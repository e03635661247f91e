"""Issue 9 item 8: config and data files are validated like the mapping — a gazetteer with a duplicate id, or a
trigger lexicon naming an event type the mapping has no rule for, is one line at file:line, exit 2, and nothing
is written (before: the unmapped events were counted and silently absent from the graph)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kg.cli import app
from kg.resources import data_path

runner = CliRunner()
ARTICLE = "Masked men mugged tourists in Kharkiv on Tuesday.\n"  # an event type the shipped lexicon lacks


def _write(tmp_path: Path, config: str) -> tuple[Path, Path]:
    (tmp_path / "kg.yaml").write_text(config, encoding="utf-8")
    article = tmp_path / "market.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return tmp_path / "kg.yaml", article


def test_event_type_without_mapping_rule_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    triggers = tmp_path / "triggers.yaml"
    shipped = (data_path("mappings") / "triggers.yaml").read_text(encoding="utf-8")
    triggers.write_text(shipped + "  mugging:\n    verbs: [mug]\n", encoding="utf-8")
    line = len(shipped.splitlines()) + 1
    config, article = _write(tmp_path, f"extract:\n  triggers: {triggers}\n")
    out = tmp_path / "out.nq"
    result = runner.invoke(app, ["ingest", str(article), "--to", str(out), "--config", str(config)])
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {triggers}:{line}: event type 'mugging' has no rule")
    assert not out.exists()


def test_unmapped_event_types_in_records_are_said_not_hidden(tmp_path: Path) -> None:
    triggers = tmp_path / "triggers.yaml"
    triggers.write_text((data_path("mappings") / "triggers.yaml").read_text(encoding="utf-8")
                        + "  mugging:\n    verbs: [mug]\n", encoding="utf-8")
    config, article = _write(tmp_path, f"extract:\n  triggers: {triggers}\n")
    records = tmp_path / "r.jsonl"
    assert runner.invoke(app, ["extract", str(article), "-o", str(records), "--config", str(config)]).exit_code == 0
    assert "mugging" in {e["type"] for e in json.loads(records.read_text())["events"]}
    result = runner.invoke(app, ["map", str(records), "--to", str(tmp_path / "out.nq")])
    assert result.exit_code == 0
    assert "note: the mapping has no rule for event type mugging: not written" in result.stderr


def test_duplicate_gazetteer_id_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    actors = tmp_path / "actors.yaml"
    actors.write_text("actors:\n  - {id: kh-brigade, name: Kharkiv Brigade, type: unit}\n"
                      "  - {id: kh-brigade, name: Kharkiv Guard, type: unit}\n", encoding="utf-8")
    config, article = _write(tmp_path, f"extract:\n  gazetteers: [{actors}]\n")
    out = tmp_path / "out.ttl"
    out.write_text("# previous output\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(article), "--to", str(out), "--config", str(config)])
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert lines == [f"error: {actors}:3: duplicate actor id 'kh-brigade' (first on line 2) "
                     "(give each actor its own id; to replace a shipped actor, list it in your own file)"]
    assert out.read_text(encoding="utf-8") == "# previous output\n"
