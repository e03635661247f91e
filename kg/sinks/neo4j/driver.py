"""The Neo4j driver as the sink uses it: imported lazily, opened on a checked URI, its errors as one-line
kg errors that never contain the password; credentials from the environment only.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, LiteralString

from kg.errors import ConfigError, KgError, TargetError

DEFAULT_USER = "neo4j"
DRIVER_LOGGER = "neo4j"  # the driver's loggers are this one and its children (neo4j.io, neo4j.pool, ...)

# ------------------------------------------------------------------ errors and connections


def credentials_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """``(NEO4J_USERNAME or "neo4j", NEO4J_PASSWORD)``; ``None`` (no auth) when there is no password."""
    env = os.environ if environ is None else environ
    password = env.get("NEO4J_PASSWORD")
    if not password:
        return None
    return env.get("NEO4J_USERNAME") or DEFAULT_USER, password


def safe_uri(uri: str) -> str:
    """The URI without any ``user:password@`` part, for messages."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@", r"\1", uri)


def _one_line(text: str, secret: str | None = None, limit: int = 300) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    line = lines[0] if lines else ""
    if secret:
        line = line.replace(secret, "***")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _driver_module() -> Any:
    try:
        import neo4j
    except ImportError as exc:  # pragma: no cover - the driver is a dependency
        raise ConfigError("the neo4j Python driver is not installed", hint="pip install neo4j") from exc
    return neo4j


_SOCKET_REASON = re.compile(r"\(reason (.+)\)\s*$", re.S)


def _reason(exc: BaseException, secret: str | None) -> str:
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) and message else str(exc) or type(exc).__name__
    found = _SOCKET_REASON.search(text)  # driver connection errors end in "(reason [Errno 111] ...)"
    if found:
        return _one_line(found.group(1), secret)
    return _one_line(text, secret)


def _map_error(exc: BaseException, uri: str, auth: tuple[str, str] | None, database: str | None) -> KgError:
    """A driver exception as a clean one-line KgError (never containing the password)."""
    neo4j = _driver_module()
    errors = neo4j.exceptions
    secret = auth[1] if auth else None
    where = safe_uri(uri)
    code = str(getattr(exc, "code", "") or "")
    if isinstance(exc, errors.AuthError) or code.startswith("Neo.ClientError.Security."):
        if code.endswith("AuthenticationRateLimit"):
            return TargetError(f"authentication rate limit reached at {where}",
                               hint="wait a few seconds and check NEO4J_USERNAME / NEO4J_PASSWORD")
        if code.endswith("Forbidden") or isinstance(exc, errors.Forbidden):
            return TargetError(f"not allowed at {where}: {_reason(exc, secret)}")
        if auth is None:
            return TargetError(f"authentication failed at {where}: the server requires credentials",
                               hint="set NEO4J_USERNAME and NEO4J_PASSWORD")
        return TargetError(f"authentication failed for user {auth[0]!r} at {where}",
                           hint="check NEO4J_USERNAME / NEO4J_PASSWORD")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return TargetError(f"database {database!r} does not exist at {where}")
    if isinstance(exc, (errors.ServiceUnavailable, errors.SessionExpired)):
        return TargetError(f"cannot reach Neo4j at {where}: {_reason(exc, secret)}",
                           hint="is the server running and the URI right?")
    if isinstance(exc, (errors.ConfigurationError, ValueError)):
        return TargetError(f"cannot use Neo4j URI {where!r}: {_reason(exc, secret)}",
                           hint="use bolt://host:7687 or neo4j://host:7687")
    return TargetError(f"Neo4j at {where} failed: {_reason(exc, secret)}")


URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def _open_driver(uri: str, auth: tuple[str, str] | None, **config: Any) -> Any:
    neo4j = _driver_module()
    scheme = uri.partition("://")[0].lower() if "://" in uri else ""
    if scheme not in URI_SCHEMES:  # the 6.x driver would also take http(s):// (its Query API preview)
        raise TargetError(f"cannot use Neo4j URI {safe_uri(uri)!r}",
                          hint=f"use one of {', '.join(s + '://' for s in URI_SCHEMES)}, e.g. bolt://localhost:7687")
    try:
        return neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF", **config)
    except Exception as exc:  # invalid URI / config
        raise _map_error(exc, uri, auth, None) from None


class _Rows(list[Any]):
    """A query parameter list whose ``repr`` is its length.

    The driver formats every query's parameters for its debug log before it knows whether anything logs
    (``Bolt5x5.run``); for a batch of 10,000 rows that ``repr`` cost about as much as packing the rows, on
    the thread that sends them. This also keeps article text out of the driver's debug log.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _literal(query: str) -> LiteralString:
    """Our queries are built from whitelisted names only; tell the driver's typing so."""
    return query  # mypy treats LiteralString as str; the driver's annotations want it


class _QuietState:
    lock = threading.Lock()
    users = 0
    raised = False  # whether quiet_driver_logs() raised the level (and so restores it)


@contextmanager
def quiet_driver_logs() -> Iterator[None]:
    """While kg talks to Neo4j, drop the driver's own log records below CRITICAL.

    The driver logs every retry of a transaction and every lost connection as warnings and errors, some over
    two lines, and Python prints them on stderr when the application set no logging up: a server killed in
    the middle of a load gave about 50 lines before kg's one-line error. kg reports the same itself, one
    ``kg.neo4j`` warning per retry and one error at the end. A level the application gave the ``neo4j``
    logger is left as it is. Counted, so writers and readers may overlap, in any threads.
    """
    logger = logging.getLogger(DRIVER_LOGGER)
    with _QuietState.lock:
        if _QuietState.users == 0:
            _QuietState.raised = logger.level == logging.NOTSET
            if _QuietState.raised:
                logger.setLevel(logging.CRITICAL)
        _QuietState.users += 1
    try:
        yield
    finally:
        with _QuietState.lock:
            _QuietState.users -= 1
            if _QuietState.users == 0 and _QuietState.raised:
                logger.setLevel(logging.NOTSET)
                _QuietState.raised = False
