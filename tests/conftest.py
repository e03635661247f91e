"""Shared fixtures: the extractor (loaded once), example records, and the embedded Neo4j server.

The Neo4j server is built from Maven Central and started once per session. In CI (CI=true) a server that
cannot be built or started fails the run; elsewhere the Neo4j tests are skipped with the reason, and the
end-of-run summary says plainly that they did not run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "articles"
SEED = REPO.parent / "shared" / "seed" / "article.txt"

_neo4j_skipped: list[str] = []


@pytest.fixture(scope="session")
def extractor():  # type: ignore[no-untyped-def]
    from kg.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def example_records(extractor):  # type: ignore[no-untyped-def]
    from kg.sources import iter_documents

    docs = list(iter_documents([str(EXAMPLES)], strict=True))
    return list(extractor.extract_many(docs))


@pytest.fixture(scope="session")
def mapping():  # type: ignore[no-untyped-def]
    from kg.mapping import load_mapping

    return load_mapping()


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One embedded Neo4j 5.26 (no auth) for the whole session."""
    import neo4j_support

    try:
        neo4j_support.build()
        server = neo4j_support.Neo4jServer(tmp_path_factory.mktemp("neo4j-home"))
        server.start()
    except neo4j_support.Neo4jUnavailable as exc:
        reason = f"Neo4j tests did not run: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        _neo4j_skipped.append(reason)
        pytest.skip(reason)
    try:
        yield server
    finally:
        if server.running:
            server.stop()


@pytest.fixture
def clean_neo4j(neo4j_server):  # type: ignore[no-untyped-def]
    """The session server, emptied before the test."""
    import neo4j

    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=None) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    return neo4j_server


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if _neo4j_skipped:
        terminalreporter.write_line(_neo4j_skipped[0] + " (needs Java 17+ and Maven; see README)", red=True)
