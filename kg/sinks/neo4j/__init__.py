"""The Neo4j sink: mapped documents -> a property graph (see :mod:`kg.sinks.neo4j.writer` for the model)."""

from kg.sinks.neo4j.cypher import (
    PLAN_OPTIONS,
    allowed_keys,
    allowed_labels,
    allowed_rel_types,
    check_query,
    constraint_statements,
    digest_query,
    documents_query,
    domain_rel_types,
    edges_query,
    evidence_query,
    merge_edge_clause,
    nodes_query,
    retract_queries,
)
from kg.sinks.neo4j.driver import URI_SCHEMES, credentials_from_env, safe_uri
from kg.sinks.neo4j.read import run_cypher
from kg.sinks.neo4j.rows import DocRows, RowBuilder
from kg.sinks.neo4j.writer import DEFAULT_BATCH_SIZE, Neo4jReport, Neo4jWriter, write_neo4j

__all__ = [
    "DEFAULT_BATCH_SIZE", "PLAN_OPTIONS", "URI_SCHEMES", "DocRows", "Neo4jReport", "Neo4jWriter", "RowBuilder",
    "allowed_keys", "allowed_labels", "allowed_rel_types", "check_query", "constraint_statements",
    "credentials_from_env", "digest_query", "documents_query", "domain_rel_types", "edges_query", "evidence_query",
    "merge_edge_clause", "nodes_query", "retract_queries", "run_cypher", "safe_uri", "write_neo4j",
]
