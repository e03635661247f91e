"""The job file: what one ``kg sync`` job reads, where it keeps its state, and which targets it keeps in step.

Validated like the mapping and ``kg.yaml``: every problem is one :class:`~kg.errors.ConfigError` naming
``job.yaml:LINE`` and the key (exit code 2), before anything is read or written. Relative paths are relative
to the job file's folder, so cron, systemd and orchestrators can start the job from anywhere::

    state: state/news.sqlite          # created when missing (and its folder, when that folder's parent exists)
    config: kg.yaml                   # optional: the kg settings (model, mapping, ...); default as for kg ingest
    sources:
      - folder: inbox/                # .txt .md .html .jsonl .rss .atom, recursive; deletions are retracted
        settle: 1s                    # a new or changed file is read once unchanged for this long
      - feed: https://example.org/rss # each entry's page fetched, its main text extracted
        content: page                 # or: entry (the text the entry carries; no page fetched)
      - jsonl: drops/                 # JSONL drops; {"id": ..., "deleted": true} is a tombstone
    to: [out/news.nq, neo4j://localhost:7687]
    fetch: {timeout: 10s, max_bytes: 5000000, attempts: 3, user_agent: "..."}
    retry: {max_attempts: 5, backoff: 1m, max_backoff: 6h}
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kg import __version__
from kg.errors import ConfigError
from kg.sinks import scheme, sink_key
from kg.yamlio import Lined, LinedList, line_of, load_yaml

DEFAULT_USER_AGENT = f"kg/{__version__} (news knowledge-graph loader; kg sync)"
SYNC_EXTENSIONS = (".nq", ".trig")  # file targets that can replace and retract one document's graph

_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True)
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: object) -> float:
    """Seconds from ``90``, ``1.5``, ``"500ms"``, ``"30s"``, ``"15m"``, ``"6h"``, ``"1d"``; ValueError otherwise.

    (A six-line regex rather than a dependency: pydantic's timedelta wants ISO 8601 ``PT15M``, which nobody
    writes in a cron-style job file.)
    """
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.fullmatch(str(value))
        if match is None:
            raise ValueError(f"not a duration: {value!r} (write e.g. 30s, 15m, 6h)")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {value!r}")
    return seconds


def _duration(value: Any) -> float:
    return parse_duration(value)


class FetchOptions(BaseModel):
    """How pages and feeds are fetched."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    _durations = field_validator("timeout", "max_retry_after", mode="before")(_duration)

    timeout: float = Field(10.0, gt=0)
    max_bytes: int = Field(5_000_000, ge=1)
    user_agent: str = Field(DEFAULT_USER_AGENT, min_length=1)
    attempts: int = Field(3, ge=1)  # tries within one pass for 429/5xx/timeouts
    max_retry_after: float = Field(60.0, ge=0)  # longer Retry-After: left to a later pass


class RetryOptions(BaseModel):
    """How a failing document is retried across passes before it is dead-lettered."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    _durations = field_validator("backoff", "max_backoff", mode="before")(_duration)

    max_attempts: int = Field(5, ge=1)
    backoff: float = Field(60.0, ge=0)  # wait after the first failed pass; doubles each time
    max_backoff: float = Field(6 * 3600.0, ge=0)


class _FolderSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    _durations = field_validator("settle", mode="before")(_duration)
    folder: str = Field(min_length=1)
    settle: float = Field(1.0, ge=0)
    name: str | None = None


class _JsonlSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    _durations = field_validator("settle", mode="before")(_duration)
    jsonl: str = Field(min_length=1)
    settle: float = Field(1.0, ge=0)
    name: str | None = None


class _FeedSpec(BaseModel):
    model_config = _STRICT
    feed: str = Field(min_length=1)
    content: Literal["page", "entry"] = "page"
    name: str | None = None


_SPECS: dict[str, type[BaseModel]] = {"folder": _FolderSpec, "feed": _FeedSpec, "jsonl": _JsonlSpec}


class _JobFile(BaseModel):
    model_config = _STRICT
    state: str = Field(min_length=1)
    config: str | None = None
    sources: list[Any] = Field(min_length=1)
    to: str | list[str]
    fetch: FetchOptions = FetchOptions()
    retry: RetryOptions = RetryOptions()


@dataclass(frozen=True)
class Source:
    """One source of a job: ``kind`` is folder, feed or jsonl; ``key`` names it in the state."""

    kind: str
    location: str  # an absolute path, or the feed URL
    name: str  # as the user wrote it (or their `name:`), for status lines
    settle: float = 1.0
    content: str = "page"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.location}"

    @property
    def path(self) -> Path:
        return Path(self.location)


@dataclass(frozen=True)
class Job:
    """A validated job (see the module docstring)."""

    path: Path | None
    state: Path
    sources: tuple[Source, ...]
    targets: tuple[str, ...]
    config: Path | None = None
    fetch: FetchOptions = FetchOptions()
    retry: RetryOptions = RetryOptions()

    @property
    def run_log(self) -> Path:
        return self.state.parent / "runs.jsonl"


def load_job(path: Path | str) -> Job:
    """Read and validate a job file (one ConfigError naming ``file:line`` on the first problem)."""
    path = Path(path)
    data = load_yaml(path, what="job file")
    if not isinstance(data, Lined):
        raise ConfigError("a job file must be a YAML mapping (state:, sources:, to:)", where=f"{path}:1")
    try:
        raw = _JobFile.model_validate(data)
    except ValidationError as exc:
        raise _error(exc, data, path, _JobFile) from None
    base = path.resolve().parent
    return Job(
        path=path,
        state=_state_path(raw.state, base, f"{path}:{line_of(data, 'state')}"),
        sources=tuple(_source(item, index, data, path, base) for index, item in enumerate(raw.sources)),
        targets=_targets(raw.to, data, path, base),
        config=_config_path(raw.config, base, f"{path}:{line_of(data, 'config')}"),
        fetch=raw.fetch,
        retry=raw.retry,
    )


def _state_path(value: str, base: Path, where: str) -> Path:
    state = _resolve(value, base)
    if state.is_dir():
        raise ConfigError("state is a folder; give a file such as state/news.sqlite", where=where)
    folder = state.parent
    if not folder.is_dir() and not folder.parent.is_dir():
        raise ConfigError(f"the state folder's parent does not exist: {folder.parent}", where=where,
                          hint="create it, or point `state:` somewhere that exists")
    return state


def _config_path(value: str | None, base: Path, where: str) -> Path | None:
    if value is None:
        return None
    config = _resolve(value, base)
    if not config.is_file():
        raise ConfigError(f"config file not found: {config}", where=where)
    return config


def _source(item: Any, index: int, data: Lined, path: Path, base: Path) -> Source:
    where = f"{path}:{line_of(data, 'sources', index)}"
    kinds = [k for k in _SPECS if isinstance(item, dict) and k in item]
    if not isinstance(item, dict) or len(kinds) != 1:
        found = ", ".join(map(str, item)) if isinstance(item, dict) else repr(item)
        raise ConfigError(f"source {index + 1} must have exactly one of folder:, feed:, jsonl: (got {found})",
                          where=where, hint="e.g. `- folder: inbox/`")
    kind = kinds[0]
    model = _SPECS[kind]
    try:
        spec: Any = model.model_validate(item)
    except ValidationError as exc:
        raise _error(exc, item, path, model, prefix=f"sources.{index}.") from None
    location = str(getattr(spec, kind))
    key_where = f"{path}:{line_of(data, 'sources', index, kind)}"
    if kind == "feed":
        parts = urlsplit(location)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ConfigError(f"feed must be an http(s) URL, not {location!r}", where=key_where)
        if parts.username or parts.password:
            raise ConfigError("credentials do not belong in a feed URL of the job file", where=key_where)
        return Source("feed", location, spec.name or location, content=spec.content)
    resolved = _resolve(location, base)
    if not resolved.exists():
        raise ConfigError(f"{kind} not found: {resolved}", where=key_where, hint="create it, or fix the path")
    if kind == "folder" and not resolved.is_dir():
        raise ConfigError(f"folder is not a folder: {resolved}", where=key_where)
    return Source(kind, str(resolved), spec.name or location, settle=spec.settle)


def _targets(value: str | list[str], data: Lined, path: Path, base: Path) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not items:
        raise ConfigError("`to:` names no target", where=f"{path}:{line_of(data, 'to')}")
    targets: list[str] = []
    for index, target in enumerate(items):
        where = f"{path}:{line_of(data, 'to', index) if isinstance(data.get('to'), LinedList) else line_of(data, 'to')}"
        try:
            key = sink_key(target)
        except ConfigError as exc:
            raise ConfigError(exc.detail, where=where, hint=exc.hint) from None
        if scheme(target) is not None:
            if urlsplit(target).username or urlsplit(target).password:
                raise ConfigError("credentials do not belong in the job file", where=where,
                                  hint="set NEO4J_USERNAME and NEO4J_PASSWORD in the environment")
            resolved = target
        else:
            if key not in SYNC_EXTENSIONS:
                raise ConfigError(f"target '{target}' cannot be kept in sync: only {', '.join(SYNC_EXTENSIONS)} files "
                                  "(one graph per document) and Neo4j replace and retract single documents",
                                  where=where, hint="write .nq or .trig")
            file = _resolve(target, base)
            if not file.parent.is_dir():
                raise ConfigError(f"output folder does not exist: {file.parent}", where=where, hint="create it first")
            resolved = str(file)
        if resolved in targets:
            raise ConfigError(f"target '{target}' is listed twice", where=where)
        targets.append(resolved)
    return tuple(targets)


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _error(exc: ValidationError, data: Any, path: Path, model: type[BaseModel], prefix: str = "") -> ConfigError:
    first = exc.errors()[0]
    loc = tuple(first["loc"])
    name = prefix + ".".join(str(p) for p in loc)
    where = f"{path}:{line_of(data, *loc) if isinstance(data, (Lined, LinedList)) else 1}"
    if first["type"] == "extra_forbidden":
        owner = model
        for part in loc[:-1]:
            annotation = owner.model_fields[str(part)].annotation if str(part) in owner.model_fields else None
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                owner = annotation
        known = list(owner.model_fields)
        nearest = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean '{nearest[0]}'? " if nearest else ""
        return ConfigError(f"unknown key '{name}'", where=where, hint=f"{hint}known here: {', '.join(known)}")
    if first["type"] == "missing":
        return ConfigError(f"missing key '{name}'", where=where)
    value = first.get("input")
    shown = f" (got {value!r})" if not isinstance(value, (dict, list)) else ""
    return ConfigError(f"'{name}': {first['msg'].rstrip('.')}{shown}", where=where)
