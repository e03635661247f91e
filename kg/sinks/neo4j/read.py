"""Read queries against Neo4j for ``kg cypher``: the user's own Cypher in a read transaction, results as plain
Python values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from kg.errors import ConfigError, KgError
from kg.sinks.neo4j.driver import _driver_module, _literal, _map_error, _open_driver, _reason, quiet_driver_logs

# ------------------------------------------------------------------ read queries (kg cypher)


def _plain(value: Any) -> Any:
    """Driver values as plain Python: nodes/relationships become dicts, temporal values ISO strings."""
    neo4j = _driver_module()
    graph = neo4j.graph
    if isinstance(value, graph.Node):
        return {"_labels": sorted(value.labels), **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, graph.Relationship):
        out: dict[str, Any] = {"_type": value.type}
        if value.start_node is not None and "uri" in value.start_node:
            out["_start"] = value.start_node["uri"]
        if value.end_node is not None and "uri" in value.end_node:
            out["_end"] = value.end_node["uri"]
        out.update({k: _plain(v) for k, v in value.items()})
        return out
    if isinstance(value, graph.Path):
        items: list[Any] = [_plain(value.start_node)]
        for rel in value.relationships:
            items += [_plain(rel), _plain(rel.end_node)]
        return items
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    iso = getattr(value, "iso_format", None)
    if callable(iso):
        return iso()
    return str(value)


@quiet_driver_logs()
def run_cypher(
    uri: str,
    query: str,
    params: Mapping[str, Any] | None = None,
    database: str | None = None,
    auth: tuple[str, str] | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """Run a read query in a read transaction; returns (column names, rows of plain Python values).

    A syntax error or a query that tries to write is a ConfigError (exit 2); connection problems are
    TargetErrors. ``query`` is the user's own Cypher; ``params`` are sent as parameters.
    """
    neo4j = _driver_module()
    errors = neo4j.exceptions
    driver = _open_driver(uri, auth, connection_timeout=15.0, max_transaction_retry_time=5.0)
    try:
        driver.verify_connectivity()  # fail fast: execute_read would retry an unreachable server
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:

            def work(tx: Any) -> tuple[list[str], list[list[Any]]]:
                result = tx.run(_literal(query), dict(params or {}))
                keys = list(result.keys())
                return keys, [[_plain(v) for v in record.values()] for record in result]

            return cast(tuple[list[str], list[list[Any]]], session.execute_read(work))
    except errors.CypherSyntaxError as exc:
        raise ConfigError(f"Cypher syntax error: {_reason(exc, auth[1] if auth else None)}") from None
    except errors.ClientError as exc:
        code = str(getattr(exc, "code", "") or "")
        if "AccessMode" in code or "ForbiddenDueToTransactionType" in code or "WriteOnReadOnly" in code:
            raise ConfigError("the query tries to write; `kg cypher` runs read-only queries") from None
        if code.startswith("Neo.ClientError.Statement.") and not isinstance(exc, errors.AuthError):
            raise ConfigError(f"Cypher query failed: {_reason(exc, auth[1] if auth else None)}") from None
        raise _map_error(exc, uri, auth, database) from None
    except KgError:
        raise
    except Exception as exc:
        raise _map_error(exc, uri, auth, database) from None
    finally:
        driver.close()
