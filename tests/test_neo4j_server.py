"""Smoke tests for the real Neo4j test server (tests/neo4j_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

neo4j = pytest.importorskip("neo4j")

# tests/ has no __init__.py, so pytest puts it on sys.path
import neo4j_support
from neo4j_support import Neo4jServer, Neo4jUnavailable

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def built() -> None:
    try:
        neo4j_support.build()
    except Neo4jUnavailable as e:
        pytest.skip(f"Neo4j test server unavailable: {e.reason}")


def test_no_auth_return_1_and_create_match(built: None, tmp_path: Path) -> None:
    with Neo4jServer(tmp_path / "neo4j") as server:
        assert server.running
        assert server.uri == f"bolt://127.0.0.1:{server.port}"
        with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
            records, _, _ = driver.execute_query("RETURN 1 AS x")
            assert records[0]["x"] == 1
            driver.execute_query(
                "CREATE (:Article {id: $id, title: $title})", id="a1", title="Hello"
            )
            records, _, _ = driver.execute_query(
                "MATCH (a:Article {id: $id}) RETURN a.title AS t", id="a1"
            )
            assert [r["t"] for r in records] == ["Hello"]
    assert not server.running
    assert (tmp_path / "neo4j" / "launcher.log").is_file()


def test_auth_right_and_wrong_password(built: None, tmp_path: Path) -> None:
    password = "test-pw-Xq7!"
    with Neo4jServer(tmp_path / "neo4j", password=password) as server:
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", password)) as driver:
            records, _, _ = driver.execute_query("RETURN 1 AS x")
            assert records[0]["x"] == 1
        with (
            neo4j.GraphDatabase.driver(
                server.uri, auth=("neo4j", "wrong-password")
            ) as driver,
            pytest.raises(neo4j.exceptions.AuthError),
        ):
            driver.execute_query("RETURN 1")
        # The password never reaches the command line or the launcher's log.
        assert password not in (server.home / "launcher.log").read_text(
            errors="replace"
        )

    # Restarting on the same home with the same password keeps working (no "same password" error).
    server.restart()
    try:
        with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
            driver.verify_connectivity()
    finally:
        server.stop()


def test_kill_then_restart_keeps_committed_data(built: None, tmp_path: Path) -> None:
    server = Neo4jServer(tmp_path / "neo4j")
    server.start()
    try:
        port = server.port
        with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
            driver.execute_query("UNWIND range(1, 100) AS i CREATE (:Entity {n: i})")
        server.kill()  # no clean shutdown, no checkpoint
        assert not server.running

        server.restart()
        assert server.port == port
        with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
            records, _, _ = driver.execute_query(
                "MATCH (e:Entity) RETURN count(e) AS c, sum(e.n) AS s"
            )
            assert (records[0]["c"], records[0]["s"]) == (100, 5050)
    finally:
        server.stop()
