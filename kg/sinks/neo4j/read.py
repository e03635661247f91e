"""Read queries against Neo4j for ``kg cypher``: the user's own Cypher in a read transaction, results as plain
Python values.
"""

from __future__ import annotations

import re
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


# ------------------------------------------------------------------ what kg cypher refuses to send

# Procedures `kg cypher` may CALL: read-only, and they say nothing about the server beyond the graph's own
# schema (names of labels, types and keys; the schema as a graph; the properties per label and type) and the
# server's version. Not db.indexes / db.constraints: Neo4j 5 has neither (SHOW INDEXES / SHOW CONSTRAINTS are
# not procedure calls and pass). Anything else is refused: dbms.listConfig shows the server's settings,
# apoc.load.* and apoc.import.* read files and URLs, apoc.cypher.* run any query text, gds.* and the like may
# be expensive or write to the server's disk.
READ_PROCEDURES = ("db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
                   "db.schema.nodeTypeProperties", "db.schema.relTypeProperties", "dbms.components")
# Functions with a namespace are user-defined (apoc.*, ...) unless Neo4j ships them; the ones it ships:
BUILTIN_FUNCTION_NAMESPACES = ("date", "datetime", "localdatetime", "localtime", "time", "duration", "point",
                               "vector.similarity")
BUILTIN_FUNCTIONS = ("db.nameFromElementId",)

# A // comment ends at any line end Python knows: the check may see more of a query as code than the server
# does, never less. Block comments do not nest (as in Cypher; were they nested, the check would see more code).
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TOKENS = re.compile(
    rf"(?P<comment>//[^{_LINE_BREAKS}]*|/\*.*?\*/)"
    r"|(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<quoted>`(?:[^`]|``)*`)"
    r"|(?P<name>\w+)"
    r"|(?P<open>/\*|['\"`])"  # a comment, string or quoted name that never ends
    r"|(?P<symbol>[^\w\s])"
    r"|\s+",
    re.S,
)


def _tokens(query: str) -> list[tuple[str, str]]:
    """``(kind, text)`` of the query without comments, whitespace and the text of string literals.

    Kinds: ``name`` (a bare word), ``quoted`` (a backtick-quoted name, unquoted), ``string``, ``symbol``.
    """
    out: list[tuple[str, str]] = []
    for match in _TOKENS.finditer(query):
        kind = match.lastgroup
        if kind is None or kind == "comment":
            continue
        if kind == "open":
            raise ConfigError("Cypher syntax error: a comment, string or `name` is not closed")
        text = match.group()
        if kind == "quoted":
            text = text[1:-1].replace("``", "`")
        elif kind == "string":
            text = ""  # what a string says is never a keyword
        out.append((kind, text))
    return out


def _name_at(tokens: list[tuple[str, str]], i: int) -> tuple[str, int]:
    """The dotted name starting at ``tokens[i]`` (bare or quoted parts) and the index after it."""
    parts = [tokens[i][1]]
    i += 1
    while i + 1 < len(tokens) and tokens[i] == ("symbol", ".") and tokens[i + 1][0] in ("name", "quoted"):
        parts.append(tokens[i + 1][1])
        i += 2
    return ".".join(parts), i


def check_read_only(query: str) -> None:
    """Refuse, before anything is sent, what a read transaction would still let through: ``LOAD CSV`` (it reads
    the server's files and any URL) and calls of procedures and user-defined functions other than
    :data:`READ_PROCEDURES` and Neo4j's own functions. Comments and string literals are left out first, so
    ``RETURN 'LOAD CSV'`` passes and ``LOAD/**/CSV`` does not; keywords are matched in any case. A
    ConfigError (one line, exit 2) names what was refused.
    """
    tokens = _tokens(query)
    words = [(i, text.upper()) for i, (kind, text) in enumerate(tokens) if kind == "name"]
    for (i, word), (j, after) in zip(words, words[1:], strict=False):
        if word == "LOAD" and after == "CSV" and all(tokens[k][0] == "symbol" for k in range(i + 1, j)):
            raise ConfigError("refusing LOAD CSV: `kg cypher` only reads the graph (LOAD CSV reads files and URLs)")
    allowed = {name.casefold() for name in READ_PROCEDURES}
    functions = {name.casefold() for name in BUILTIN_FUNCTIONS}
    namespaces = tuple(ns.casefold() + "." for ns in BUILTIN_FUNCTION_NAMESPACES)
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        before = tokens[i - 1] if i else ("symbol", "")
        i += 1
        if kind not in ("name", "quoted") or before == ("symbol", "."):
            continue
        variable = before in (("symbol", "$"), ("symbol", ":")) or (before[0] == "name" and before[1].upper() == "AS")
        if kind == "name" and text.upper() == "CALL" and not variable:  # (not $call, :call or AS call)
            if i < len(tokens) and tokens[i][0] in ("name", "quoted"):
                name, i = _name_at(tokens, i)
                if name.casefold() not in allowed:
                    raise ConfigError(f"refusing procedure {name}: `kg cypher` calls only read-only procedures",
                                      hint="allowed: " + ", ".join(READ_PROCEDURES))
            continue  # CALL { ... } and CALL (x) { ... } are subqueries: their clauses are checked like any other
        name, end = _name_at(tokens, i - 1)
        if "." in name and end < len(tokens) and tokens[end] == ("symbol", "("):
            folded = name.casefold()
            if folded not in functions and not folded.startswith(namespaces):
                raise ConfigError(f"refusing function {name}(): `kg cypher` calls only Neo4j's own functions")
        i = end


@quiet_driver_logs()
def run_cypher(
    uri: str,
    query: str,
    params: Mapping[str, Any] | None = None,
    database: str | None = None,
    auth: tuple[str, str] | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """Run a read query in a read transaction; returns (column names, rows of plain Python values).

    A syntax error, a query that tries to write, or one :func:`check_read_only` refuses is a ConfigError
    (exit 2); connection problems are TargetErrors. ``query`` is the user's own Cypher; ``params`` are sent as
    parameters.
    """
    check_read_only(query)
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
