"""The sink registry: one table from a target's scheme or extension to a lazily imported sink."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ConfigError
from kg.sinks import SINKS, is_database, scheme, sink_key

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"


@pytest.mark.parametrize(("target", "key"), [
    ("out/graph.nq", ".nq"), ("g.TTL", ".ttl"), ("a.b/c.jsonld", ".jsonld"), ("x.trig", ".trig"), ("x.nt", ".nt"),
    ("bolt://localhost:7687", "bolt"), ("neo4j+s://db.example:7687", "neo4j+s"), ("NEO4J://h", "neo4j"),
])
def test_known_targets(target: str, key: str) -> None:
    assert sink_key(target) == key
    assert is_database(target) == (not key.startswith("."))


@pytest.mark.parametrize(("target", "what"), [
    ("http://localhost:7474", "scheme 'http://'"), ("out.xml", "extension '.xml'"), ("out", "no extension"),
    ("s3://bucket/x.nq", "scheme 's3://'"),
])
def test_unknown_targets_name_the_known_ones(target: str, what: str) -> None:
    with pytest.raises(ConfigError) as raised:
        sink_key(target)
    message = str(raised.value)
    assert what in message and "\n" not in message
    for known in (".nq", ".ttl", "bolt://", "neo4j://"):
        assert known in message


def test_scheme_is_found_once_for_every_target() -> None:
    assert scheme("bolt+ssc://h:1") == "bolt+ssc"
    assert scheme("C:/data/x.nq") is None and scheme("./a://b.nq") is None
    assert {k for k in SINKS if not k.startswith(".")} == {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}


@pytest.mark.parametrize("args", [
    ["ingest", str(EXAMPLES), "--to", "http://localhost:7474/db"],
    ["map", "records.jsonl", "--to", "graph.xml"],
    ["retract", "doc-1", "--from", "graph.rdf"],
])
def test_cli_refuses_unknown_targets_before_reading_anything(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no sink for target" in lines[0] and ".nq" in lines[0] and "bolt://" in lines[0]


def test_file_sinks_do_not_import_the_database_driver(tmp_path: Path) -> None:
    probe = ("import sys; from kg.mapping import load_mapping; from kg.settings import Settings; "
             "from kg.sinks import open_sink; "
             f"s = open_sink({str(tmp_path / 'x.nq')!r}, Settings(), load_mapping()); s.abort(); "
             "print(sorted({m.split('.')[2] if m.startswith('kg.sinks.') else m for m in sys.modules "
             "if m == 'neo4j' or m.startswith('kg.sinks.')}))")  # the rdf package and its modules, only
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['rdf']"
