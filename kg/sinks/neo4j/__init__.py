"""The Neo4j sink (temporary bridge to kg.neo4j_sink while that module moves here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kg.mapping import MappedDoc
from kg.neo4j_sink import Neo4jWriter, credentials_from_env, run_cypher
from kg.sinks import Retraction

if TYPE_CHECKING:
    from kg.mapping import Mapping
    from kg.settings import Settings

__all__ = ["Neo4jSink", "credentials_from_env", "open_sink", "run_cypher"]


class Neo4jSink:
    def __init__(self, target: str, settings: Settings, mapping: Mapping) -> None:
        self.writer = Neo4jWriter(target, database=settings.neo4j.database, auth=credentials_from_env(),
                                  batch_size=settings.neo4j.batch_size, ontology=mapping.ontology,
                                  max_retries=4, retry_delay=1.0, transaction_retry_time=5.0)
        self.writer.connect()

    def write(self, doc: MappedDoc) -> None:
        self.writer.write(doc)

    def commit(self) -> None:
        self.writer.close(flush=True)

    def abort(self) -> None:
        self.writer.close(flush=False)

    def retract(self, doc_iris: Sequence[str]) -> Retraction:
        counts = self.writer.retract(doc_iris)
        return Retraction(counts={k: v for k, v in counts.items() if k != "documents"})

    def counts(self) -> dict[str, int]:
        report = self.writer.report
        return {"nodes": report.nodes_created, "relationships": report.relationships_created}


def open_sink(target: str, settings: Settings, mapping: Mapping) -> Neo4jSink:
    return Neo4jSink(target, settings, mapping)
