"""Run settings, one model per concern, validated with pydantic: defaults, then ``kg.yaml`` (or ``$KG_CONFIG``,
or ``--config FILE``), then ``KG_MODEL`` from the environment, then command-line options.

pydantic because spaCy already depends on it (no new dependency), it validates nested settings with precise
locations, and its errors are data we can turn into one ``kg.yaml:LINE: ...`` line. Credentials are never
settings: they come from the environment only (NEO4J_USERNAME / NEO4J_PASSWORD).

Example ``kg.yaml``::

    mapping: mappings/default.yaml
    extract:
      model: en_core_web_md        # any installed spaCy pipeline, by name or path
      gazetteers: [my_actors.yaml] # extra actors, merged over the shipped gazetteer
      workers: 2                   # extraction processes
      spacy_batch_size: 16         # documents per nlp.pipe batch
      executor: local              # or dask-local:N, or dask://HOST:PORT (needs pip install 'kg[dask]')
    neo4j:
      database: neo4j
      batch_size: 10000            # rows per transaction
    rdf:
      lock_timeout: 60             # seconds to wait for another run writing the same file
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kg.errors import ConfigError
from kg.yamlio import Lined, line_of, load_yaml

CONFIG_ENV = "KG_CONFIG"
MODEL_ENV = "KG_MODEL"
DEFAULT_FILE = "kg.yaml"
CREDENTIAL_KEYS = frozenset({"password", "username", "user", "auth", "credentials", "neo4j_password",
                             "neo4j_username"})

_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True)


class ExtractSettings(BaseModel):
    """How documents are read and extracted."""

    model_config = _STRICT

    model: str = Field("en_core_web_sm", min_length=1)
    gazetteers: tuple[str, ...] = Field((), strict=False)
    triggers: str | None = None
    executor: str = Field("local", min_length=1)
    workers: int = Field(1, ge=1)
    spacy_batch_size: int = Field(16, ge=1)
    max_bytes: int = Field(5_000_000, ge=1)
    shard_chars: int = Field(30_000, ge=1)  # Dask executors: characters of text per task (~5k words, >= 1 s)
    connect_timeout: float = Field(10.0, gt=0, strict=False)  # Dask executors: seconds to reach the scheduler

    @field_validator("executor")
    @classmethod
    def _executor_form(cls, value: str) -> str:
        parse_executor(value)
        return value


EXECUTOR_FORMS = "local, dask-local:N (N >= 1) or dask://HOST:PORT"
_EXECUTOR = re.compile(r"(?P<local>local)|dask-local:(?P<workers>[1-9][0-9]{0,3})"
                       r"|dask://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>[0-9]{1,5})")


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    """A parsed ``extract.executor``: ``local``, a LocalCluster of ``workers`` or the scheduler at ``address``."""

    kind: str  # "local" | "dask-local" | "dask"
    workers: int | None = None
    address: str | None = None  # tcp://HOST:PORT


def parse_executor(value: str) -> ExecutorSpec:
    """``local``, ``dask-local:N`` or ``dask://HOST:PORT``; anything else is a ValueError saying the forms."""
    match = _EXECUTOR.fullmatch(value.strip())
    if match is None or (match["port"] is not None and not 0 < int(match["port"]) < 65536):
        raise ValueError(f"executor must be {EXECUTOR_FORMS}")
    if match["local"]:
        return ExecutorSpec("local")
    if match["workers"]:
        return ExecutorSpec("dask-local", workers=int(match["workers"]))
    return ExecutorSpec("dask", address=f"tcp://{match['host']}:{match['port']}")


class Neo4jSettings(BaseModel):
    """How the Neo4j sink writes."""

    model_config = _STRICT

    database: str | None = None
    batch_size: int = Field(10_000, ge=1)


class RdfSettings(BaseModel):
    """How RDF files are written."""

    model_config = _STRICT

    lock_timeout: float = Field(60.0, ge=0, strict=False)


class Settings(BaseModel):
    """Everything a run is configured by (never credentials)."""

    model_config = _STRICT

    mapping: str | None = None
    ontology: str | None = None
    extract: ExtractSettings = ExtractSettings()
    neo4j: Neo4jSettings = Neo4jSettings()
    rdf: RdfSettings = RdfSettings()

    def with_options(self, **options: Any) -> Settings:
        """A copy with the command-line options that were given (None means not given).

        Option names are the CLI's: ``model``, ``workers``, ``max_bytes`` (extract); ``batch_size``,
        ``database`` (neo4j); ``lock_timeout`` (rdf); ``mapping``, ``ontology``.
        """
        given = {k: v for k, v in options.items() if v is not None}
        sections: dict[str, dict[str, Any]] = {"extract": {}, "neo4j": {}, "rdf": {}, "": {}}
        for key, value in given.items():
            section = _OPTION_SECTIONS.get(key)
            if section is None:
                raise ValueError(f"unknown option {key!r}")
            sections[section][key] = value
        return self.model_copy(update={
            **sections[""],
            "extract": self.extract.model_copy(update=sections["extract"]),
            "neo4j": self.neo4j.model_copy(update=sections["neo4j"]),
            "rdf": self.rdf.model_copy(update=sections["rdf"]),
        })


_OPTION_SECTIONS = {
    **{name: "extract" for name in ExtractSettings.model_fields},
    **{name: "neo4j" for name in Neo4jSettings.model_fields},
    **{name: "rdf" for name in RdfSettings.model_fields},
    "mapping": "", "ontology": "",
}


def load_settings(path: Path | str | None = None) -> Settings:
    """Read kg.yaml (explicit path, $KG_CONFIG, or ./kg.yaml if present) and KG_MODEL from the environment.

    Every problem is one :class:`ConfigError` naming ``file:line`` and the setting (exit code 2).
    """
    explicit = path or os.environ.get(CONFIG_ENV)
    candidate = Path(explicit) if explicit else Path(DEFAULT_FILE)
    data: Any = {}
    if explicit or candidate.exists():
        data = load_yaml(candidate, what="config file")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError("config must be a YAML mapping (key: value)", where=f"{candidate}:1")
        _refuse_credentials(data, candidate)
    if os.environ.get(MODEL_ENV):
        extract = dict(data.get("extract") or {}) if isinstance(data.get("extract"), dict) else data.get("extract")
        if isinstance(extract, dict):
            extract["model"] = os.environ[MODEL_ENV]
            data = {**data, "extract": extract}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise _settings_error(exc, data, candidate) from None


def _refuse_credentials(data: dict[str, Any], path: Path, prefix: tuple[str, ...] = ()) -> None:
    for key, value in data.items():
        if str(key).lower() in CREDENTIAL_KEYS:
            raise ConfigError(f"credentials do not belong in {path.name} ('{'.'.join((*prefix, str(key)))}')",
                              where=f"{path}:{line_of(data, str(key))}",
                              hint="set NEO4J_USERNAME and NEO4J_PASSWORD in the environment")
        if isinstance(value, dict):
            _refuse_credentials(value, path, (*prefix, str(key)))


def _settings_error(exc: ValidationError, data: Any, path: Path) -> ConfigError:
    first = exc.errors()[0]
    loc = tuple(first["loc"])
    name = ".".join(str(p) for p in loc)
    where = f"{path}:{line_of(data, *loc)}" if isinstance(data, Lined) else str(path)
    if first["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        known = list(model.model_fields)
        nearest = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean '{nearest[0]}'? " if nearest else ""
        return ConfigError(f"unknown setting '{name}'", where=where, hint=f"{hint}known here: {', '.join(known)}")
    value = first.get("input")
    shown = f" (got {value!r})" if not isinstance(value, dict) else ""
    message = first["msg"].removeprefix("Value error, ").rstrip(".")  # a validator's own message, as written
    return ConfigError(f"setting '{name}': {message}{shown}", where=where)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Settings
    for part in loc:
        annotation = model.model_fields[str(part)].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return model
