"""`kg cypher` is read-only in fact: a read transaction still lets LOAD CSV read the server's files (and any URL)
and lets procedures and user-defined functions do what they like, so kg refuses those before sending the query.
Comments and string literals do not count; keywords match in any case."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ConfigError
from kg.sinks.neo4j.read import READ_PROCEDURES, check_read_only

QUERIES = Path(__file__).resolve().parents[2] / "examples" / "queries"
PASSWD = "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l"
runner = CliRunner()


@pytest.mark.parametrize("query", [
    PASSWD,
    "load csv from 'file:///etc/passwd' as l return l",
    "LOAD/**/CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "LOAD // a comment\nCSV FROM 'file:///etc/passwd' AS l RETURN l",
    "LOAD\u00a0CSV FROM 'x' AS l RETURN l",
    "LOAD\ufeffCSV FROM 'x' AS l RETURN l",
    "// a comment up to a line separator\u2028LOAD CSV FROM 'x' AS l RETURN l",
    "MATCH (n) CALL (n) { LOAD CSV FROM 'x' AS l RETURN l } RETURN n",
    "CALL { LOAD CSV WITH HEADERS FROM 'https://example.org/x.csv' AS l RETURN l } RETURN l",
])
def test_load_csv_is_refused(query: str) -> None:
    with pytest.raises(ConfigError, match="refusing LOAD CSV"):
        check_read_only(query)


@pytest.mark.parametrize(("query", "name"), [
    ("CALL apoc.load.json('file:///etc/passwd')", "apoc.load.json"),
    ("call APOC.load.json('file:///etc/passwd')", "APOC.load.json"),
    ("CALL `apoc`.`load`.`json`('file:///etc/passwd')", "apoc.load.json"),
    ("CALL `apoc.load.json`('file:///etc/passwd')", "apoc.load.json"),
    ("CALL apoc/**/.load . json('file:///etc/passwd')", "apoc.load.json"),
    ("CALL apoc.cypher.run('LOAD CSV FROM $u AS l RETURN l', {u: 'file:///etc/passwd'})", "apoc.cypher.run"),
    ("CALL dbms.listConfig() YIELD name, value RETURN name, value", "dbms.listConfig"),
    ("CALL db.labels() YIELD label CALL dbms.listConfig() YIELD name RETURN label, name", "dbms.listConfig"),
    ("MATCH (n) CALL (n) { CALL apoc.nodes.delete(n, 1) YIELD value RETURN value } RETURN n", "apoc.nodes.delete"),
    ("CALL myprocedure", "myprocedure"),
    ("CALL db.labels.more()", "db.labels.more"),
])
def test_procedures_outside_the_allowlist_are_refused(query: str, name: str) -> None:
    with pytest.raises(ConfigError, match=rf"^refusing procedure {name}: .*\(allowed: db\.labels, "):
        check_read_only(query)


@pytest.mark.parametrize("query", [
    "RETURN apoc.cypher.runFirstColumnSingle('LOAD CSV FROM \"file:///etc/passwd\" AS l RETURN l', {})",
    "RETURN `apoc`.cypher.runFirstColumnMany('MATCH (n) RETURN n', {})",
    "MATCH (n) RETURN {k: apoc.text.join([n.name], '')} AS m",
])
def test_user_defined_functions_are_refused(query: str) -> None:
    with pytest.raises(ConfigError, match=r"refusing function apoc\.(cypher|text)\."):
        check_read_only(query)


@pytest.mark.parametrize("query", ["RETURN 'LOAD CSV", "RETURN 1 /* LOAD CSV", "MATCH (n:`LOAD CSV) RETURN n"])
def test_what_is_not_closed_is_refused(query: str) -> None:
    with pytest.raises(ConfigError, match="not closed"):
        check_read_only(query)


@pytest.mark.parametrize("query", [
    "RETURN 'LOAD CSV' AS x",
    'RETURN "CALL apoc.load.json(\'file:///etc/passwd\')" AS x',
    "RETURN 'it\\'s LOAD CSV, \\\\' AS x",
    "// LOAD CSV FROM 'file:///etc/passwd'\nMATCH (n) RETURN n",
    "/* CALL dbms.listConfig() */ RETURN 1",
    "MATCH (n:`LOAD CSV`) RETURN n",
    "MATCH (n) WHERE n.load = 'csv' RETURN n.call",
    "WITH 1 AS call RETURN call",
    *(f"CALL {name}()" for name in READ_PROCEDURES),
    "call DB.LABELS() YIELD label RETURN label",
    "CALL `db`.`labels`() YIELD label RETURN label",
    "CALL { MATCH (n) RETURN n } RETURN n",
    "MATCH (n) CALL (n) { RETURN n.name AS name } RETURN name",
    "RETURN date.truncate('month', date('2024-03-05')) AS d, duration.between(date(), date()) AS z",
    "RETURN point.distance(point({x: 1, y: 2}), point({x: 0, y: 0})) AS d",
    "MATCH (n) RETURN db.nameFromElementId(elementId(n)) AS db, n {.name, .uri}",
    "SHOW INDEXES YIELD name RETURN name",
    *(p.read_text(encoding="utf-8") for p in sorted(QUERIES.glob("*.cypher"))),
])
def test_read_queries_pass(query: str) -> None:
    check_read_only(query)  # raises if refused


@pytest.mark.neo4j
def test_kg_cypher_does_not_load_a_file_through_the_server(clean_neo4j) -> None:  # type: ignore[no-untyped-def]
    uri = clean_neo4j.uri
    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:  # the test server itself would serve the file
        records, _, _ = driver.execute_query(PASSWD, routing_="r")
    assert any("root:" in str(r["l"]) for r in records)

    result = runner.invoke(app, ["cypher", PASSWD, "--to", uri])
    assert result.exit_code == 2
    assert "root:" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: refusing LOAD CSV")
    ok = runner.invoke(app, ["cypher", "CALL db.labels() YIELD label RETURN count(label) AS n", "--to", uri])
    assert ok.exit_code == 0, ok.output
