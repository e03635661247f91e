"""Neo4j through the CLI on the embedded server: ingest, idempotence, retraction, Cypher vs SPARQL parity,
credentials, unreachable servers, and a server stopped in the middle of a load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import neo4j
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.query import sparql

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "articles"
QUERIES = REPO / "examples" / "queries"
runner = CliRunner()


def counts(uri: str, auth: Any = None) -> dict[str, int]:
    with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
        records, _, _ = driver.execute_query("""
            MATCH (n) WITH count(n) AS nodes, sum(size(keys(n))) AS nprops, sum(size(labels(n))) AS labels
            OPTIONAL MATCH ()-[r]->() WITH nodes, nprops, labels, count(r) AS rels, sum(size(keys(r))) AS rprops
            RETURN nodes, rels, nprops + coalesce(rprops, 0) AS props, labels""")
        return dict(records[0])


def cypher_rows(uri: str, query: str) -> list[tuple[Any, ...]]:
    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        records, _, _ = driver.execute_query(query)
        return [tuple(r.values()) for r in records]


def test_ingest_is_idempotent_and_retract_removes_only_one_document(clean_neo4j) -> None:  # type: ignore[no-untyped-def]
    uri = clean_neo4j.uri
    first = runner.invoke(app, ["ingest", str(EXAMPLES), "--to", uri])
    assert first.exit_code == 0, first.output
    before = counts(uri)
    assert before["nodes"] > 50 and before["rels"] > 50
    again = runner.invoke(app, ["ingest", str(EXAMPLES), "--to", uri, "--batch-size", "7"])
    assert again.exit_code == 0, again.output
    assert counts(uri) == before
    gone = runner.invoke(app, ["retract", "harbor-strike", "--from", uri])
    assert gone.exit_code == 0, gone.output
    names = {r[0] for r in cypher_rows(uri, "MATCH (n:Resource) WHERE n.name IS NOT NULL RETURN n.name")}
    assert "Houthis" not in names and "Farhad Rostami" in names
    docs = {r[0] for r in cypher_rows(uri, "MATCH (d:Document) RETURN d.docId")}
    assert docs == {"front-visit"}
    # re-ingesting brings back exactly the first state
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--to", uri]).exit_code == 0
    assert counts(uri) == before


@pytest.mark.parametrize("name", ["events_by_agent", "units_and_commanders", "events_at_place_between_dates",
                                  "evidence_for_fact"])
def test_cypher_and_sparql_give_the_same_answers(clean_neo4j, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    uri = clean_neo4j.uri
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--to", uri]).exit_code == 0
    rdf = tmp_path / "examples.trig"
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(rdf)]).exit_code == 0
    from_rdf = [tuple(row) for row in sparql((QUERIES / f"{name}.rq").read_text(encoding="utf-8"), [rdf]).rows]
    from_neo4j = cypher_rows(uri, (QUERIES / f"{name}.cypher").read_text(encoding="utf-8"))
    assert from_rdf, f"{name} found nothing"
    assert from_neo4j == from_rdf


def test_kg_cypher_prints_a_table(clean_neo4j) -> None:  # type: ignore[no-untyped-def]
    uri = clean_neo4j.uri
    runner.invoke(app, ["ingest", str(EXAMPLES), "--to", uri])
    result = runner.invoke(app, ["cypher", "MATCH (p:Person) RETURN p.name AS name ORDER BY name", "--to", uri])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].strip() == "name" and "Farhad Rostami" in result.stdout
    as_json = runner.invoke(app, ["cypher", str(QUERIES / "units_and_commanders.cypher"), "--to", uri,
                                  "--format", "json"])
    assert {"unit": "Saberin Force", "commander": "Farhad Rostami"} in json.loads(as_json.stdout)


def test_unreachable_neo4j_is_one_line_exit_2() -> None:
    import neo4j_support

    uri = f"bolt://127.0.0.1:{neo4j_support.free_port()}"
    result = runner.invoke(app, ["ingest", str(EXAMPLES / "harbor-strike.txt"), "--to", uri])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and uri in lines[0]


def test_authentication(neo4j_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import neo4j_support

    secret = "s3cret-Pa55"
    with neo4j_support.Neo4jServer(tmp_path / "auth-home", password=secret) as server:
        monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
        monkeypatch.setenv("NEO4J_PASSWORD", "wrong-" + secret)
        bad = runner.invoke(app, ["ingest", str(EXAMPLES / "harbor-strike.txt"), "--to", server.uri])
        assert bad.exit_code == 2
        lines = [line for line in bad.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "authentication failed" in lines[0]
        assert secret not in bad.output and secret not in bad.stderr
        time.sleep(5.5)  # the server locks the user briefly after failed logins
        monkeypatch.setenv("NEO4J_PASSWORD", secret)
        good = runner.invoke(app, ["ingest", str(EXAMPLES / "harbor-strike.txt"), "--to", server.uri])
        assert good.exit_code == 0, good.output
        assert secret not in good.output and secret not in good.stderr
        assert counts(server.uri, auth=("neo4j", secret))["nodes"] > 10


def _many_records(tmp_path: Path, copies: int) -> Path:
    records = tmp_path / "records.jsonl"
    assert runner.invoke(app, ["extract", str(EXAMPLES), "-o", str(records)]).exit_code == 0
    lines = records.read_text(encoding="utf-8").splitlines()
    many = tmp_path / "many.jsonl"
    with open(many, "w", encoding="utf-8") as out:
        for i in range(copies):
            for line in lines:
                data = json.loads(line)
                data["document"]["id"] = f"{data['document']['id']}-{i}"
                out.write(json.dumps(data) + "\n")
    return many


def test_server_stopped_mid_load_then_next_run_completes(neo4j_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import neo4j_support

    many = _many_records(tmp_path, 80)
    kg = [sys.executable, "-m", "kg", "map", str(many), "--batch-size", "200"]
    env = {**os.environ, "CI": os.environ.get("CI", "")}
    with neo4j_support.Neo4jServer(tmp_path / "victim") as server:
        uri = server.uri
        loader = subprocess.Popen([*kg, "--to", uri], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and loader.poll() is None:
            try:
                if cypher_rows(uri, "MATCH (d:Document) RETURN count(d)")[0][0] >= 10:
                    break
            except neo4j.exceptions.Neo4jError:
                pass
            time.sleep(0.2)
        assert loader.poll() is None, "the load finished before the server could be stopped"
        server.kill()
        _, stderr = loader.communicate(timeout=180)
        assert loader.returncode == 2
        errors = [line for line in stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and uri in errors[0]
        server.restart()
        again = subprocess.run([*kg, "--to", uri], capture_output=True, text=True, env=env, timeout=600)
        assert again.returncode == 0, again.stderr
        after_recovery = counts(uri)
        docs = cypher_rows(uri, "MATCH (d:Document) RETURN count(d)")[0][0]
        assert docs == 160
        # the same records loaded once into an empty database give exactly the same graph
        with neo4j.GraphDatabase.driver(uri, auth=None) as driver, driver.session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
        clean = subprocess.run([*kg, "--to", uri], capture_output=True, text=True, env=env, timeout=600)
        assert clean.returncode == 0, clean.stderr
        assert counts(uri) == after_recovery
