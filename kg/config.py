"""Run configuration: defaults, then an optional ``kg.yaml``, then environment variables, then CLI options.

Credentials are read from the environment only (NEO4J_USERNAME / NEO4J_PASSWORD), never from the config
file's text on a command line and never printed.

Example ``kg.yaml``::

    model: en_core_web_md        # any installed spaCy pipeline, by name or path
    gazetteers: [my_actors.yaml] # extra actors, merged over the shipped gazetteer
    mapping: mappings/default.yaml
    workers: 2
    batch_size: 10000            # Neo4j rows per transaction
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from kg.errors import ConfigError, yaml_syntax_error

CONFIG_ENV = "KG_CONFIG"
DEFAULT_FILE = "kg.yaml"


@dataclass(frozen=True)
class Config:
    model: str = "en_core_web_sm"
    gazetteers: tuple[str, ...] = ()
    triggers: str | None = None
    mapping: str | None = None
    ontology: str | None = None
    workers: int = 1
    batch_size: int = 10000
    max_bytes: int = 5_000_000
    database: str | None = None

    def with_options(self, **options: Any) -> Config:
        """A copy with the CLI options that were given (None means not given)."""
        given = {k: v for k, v in options.items() if v is not None}
        return replace(self, **given)


def load_config(path: Path | str | None = None) -> Config:
    """Read kg.yaml (explicit path, $KG_CONFIG, or ./kg.yaml if present) and KG_MODEL from the environment."""
    explicit = path or os.environ.get(CONFIG_ENV)
    candidate = Path(explicit) if explicit else Path(DEFAULT_FILE)
    values: dict[str, Any] = {}
    if explicit or candidate.exists():
        try:
            data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
        except FileNotFoundError as exc:
            raise ConfigError("config file not found", where=str(candidate)) from exc
        except yaml.YAMLError as exc:
            raise yaml_syntax_error(exc, candidate) from exc
        if not isinstance(data, dict):
            raise ConfigError("config must be a YAML mapping", where=str(candidate))
        known = {f.name: f for f in fields(Config)}
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"unknown setting '{key}'", where=str(candidate),
                                  hint=f"known settings: {', '.join(known)}")
            if key in {"password", "username"}:
                raise ConfigError("credentials do not belong in kg.yaml", where=str(candidate),
                                  hint="set NEO4J_USERNAME and NEO4J_PASSWORD in the environment")
            values[key] = tuple(value) if key == "gazetteers" else value
    if os.environ.get("KG_MODEL"):
        values["model"] = os.environ["KG_MODEL"]
    try:
        return Config(**values)
    except TypeError as exc:
        raise ConfigError(f"bad setting: {exc}", where=str(candidate)) from exc
