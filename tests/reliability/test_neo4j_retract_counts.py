"""`kg retract` on Neo4j tells the truth: which documents were there, what the server removed, and exit 1 when
an id was not found (it used to say "retracted 2 documents: 0 statements removed" and exit 0)."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from kg.cli import app

pytestmark = pytest.mark.neo4j

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"
runner = CliRunner()


def _graph(uri: str) -> tuple[int, int]:
    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        (nodes,), _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS c")
        (rels,), _, _ = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c")
        return nodes["c"], rels["c"]


def test_retract_reports_found_missing_and_the_servers_counts(clean_neo4j) -> None:  # type: ignore[no-untyped-def]
    uri = clean_neo4j.uri
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--to", uri]).exit_code == 0
    nodes, rels = _graph(uri)

    result = runner.invoke(app, ["retract", "harbor-strike", "no-such-doc", "--from", uri])
    after_nodes, after_rels = _graph(uri)
    gone_nodes, gone_rels = nodes - after_nodes, rels - after_rels
    assert gone_nodes > 10 and gone_rels > 10  # harbor-strike was really retracted
    assert result.exit_code == 1, result.output  # an id was not there
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"retracted 1 of 2 documents from {uri}: "
                               f"{gone_nodes} nodes, {gone_rels} relationships removed; not found: ")
    assert lines[0].endswith("not found: no-such-doc")

    again = runner.invoke(app, ["retract", "harbor-strike", "--from", uri])
    assert again.exit_code == 1
    assert again.stderr.startswith(f"retracted 0 of 1 documents from {uri}: 0 nodes, 0 relationships removed; "
                                   "not found: ")
    assert _graph(uri) == (after_nodes, after_rels)

    last = runner.invoke(app, ["retract", "front-visit", "--from", uri])
    assert last.exit_code == 0, last.output
    assert last.stderr.strip() == (f"retracted 1 of 1 documents from {uri}: {after_nodes} nodes, "
                                   f"{after_rels} relationships removed")
    assert _graph(uri) == (0, 0)
