"""A Neo4j server killed in the middle of `kg ingest`: the run ends with exit 2 and a short stderr, kg's own
one-line warning per retry and one final error line, without the driver's retry and connection logs (about
50 lines before)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import neo4j
import pytest

from kg.sinks.neo4j.driver import quiet_driver_logs

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "articles"
RETRIES = 3  # Neo4jSink: max_retries=4 attempts, so at most 3 retries


def _documents(path: Path, copies: int) -> Path:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.iterdir())]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(copies):
            for j, text in enumerate(texts):
                out.write(json.dumps({"id": f"article-{j}-{i}", "text": text}) + "\n")
    return path


def _documents_in(uri: str) -> int:
    with neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        records, _, _ = driver.execute_query("MATCH (d:Document) RETURN count(d) AS c")
        return int(records[0]["c"])


@pytest.mark.neo4j
def test_server_killed_mid_ingest_gives_one_line_per_retry_then_one_error(neo4j_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import neo4j_support

    source = _documents(tmp_path / "many.jsonl", 300)
    with neo4j_support.Neo4jServer(tmp_path / "victim") as server:
        uri = server.uri
        loader = subprocess.Popen([sys.executable, "-m", "kg", "ingest", str(source), "--to", uri,
                                   "--batch-size", "200"], cwd=REPO, env={**os.environ},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and loader.poll() is None:
            try:
                if _documents_in(uri) >= 10:
                    break
            except neo4j.exceptions.Neo4jError:
                pass
            time.sleep(0.2)
        assert loader.poll() is None, "the load finished before the server could be stopped"
        server.kill()
        _, stderr = loader.communicate(timeout=300)
    assert loader.returncode == 2
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) <= RETRIES + 2, stderr
    *warnings, error = lines
    assert error.startswith("error: ") and uri in error and "gave up" in error
    assert warnings and all(w.startswith(f"Neo4j at {uri} ") for w in warnings), stderr


def test_quiet_while_in_use_and_a_level_the_application_chose_is_kept() -> None:
    logger = logging.getLogger("neo4j")
    before = logger.level
    try:
        logger.setLevel(logging.NOTSET)
        with quiet_driver_logs():
            with quiet_driver_logs():  # a second writer (or reader) at the same time
                assert logger.level == logging.CRITICAL
            assert logger.level == logging.CRITICAL
        assert logger.level == logging.NOTSET
        logger.setLevel(logging.DEBUG)  # the application wants the driver's logs
        with quiet_driver_logs():
            assert logger.level == logging.DEBUG
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(before)
