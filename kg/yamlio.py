"""Reading kg's YAML files (mapping, settings, lexicon, gazetteer, job files) with the line of every key.

``load_yaml(path)`` parses with a safe loader; mappings come back as :class:`Lined` dicts that remember the
line of each key (``data.line_of(key)``) and lists as :class:`LinedList` that remember the line of each item,
so every check can name ``file:line``. A syntax error is a one-line error at ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kg.errors import ConfigError, KgError


class Lined(dict[str, Any]):
    """A YAML mapping that knows its own line and the line of each key."""

    line: int = 1
    lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class LinedList(list[Any]):
    """A YAML sequence that knows its own line and the line of each item."""

    line: int = 1
    lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that builds :class:`Lined` / :class:`LinedList` values: libyaml's parser where PyYAML
    was built with it (about 7x faster on the shipped mapping files, with the same marks), else PyYAML's own."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Lined:
    data = Lined({str(k): v for k, v in loader.construct_mapping(node, deep=True).items()})
    data.line = node.start_mark.line + 1
    data.lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return data


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LinedList:
    data = LinedList(loader.construct_sequence(node, deep=True))
    data.line = node.start_mark.line + 1
    data.lines = [item.start_mark.line + 1 for item in node.value]
    return data


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def syntax_error(exc: Exception, path: object, cls: type[KgError] = ConfigError,
                 hint: str | None = "fix the YAML syntax", line_offset: int = 0) -> KgError:
    """A PyYAML parse error as a kg error pointing at file:line."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1 + line_offset}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    return cls(f"YAML syntax error: {problem}", where=where, hint=hint)


def parse_yaml(text: str, path: object, cls: type[KgError] = ConfigError) -> Any:
    """Parse YAML text (from ``path``, for messages) into Lined/LinedList values."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise syntax_error(exc, path, cls) from exc


def load_yaml(path: Path | str, cls: type[KgError] = ConfigError, what: str = "file") -> Any:
    """Read and parse a YAML file; a missing or unreadable file is one ``cls`` error naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise cls(f"{what} not found", where=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise cls(f"cannot read {what}: {exc}", where=str(path)) from exc
    return parse_yaml(text, path, cls)


def line_of(data: Any, *path: str | int) -> int:
    """The line of the value at ``path`` inside nested Lined/LinedList data (the nearest known line)."""
    line = getattr(data, "line", 1)
    current = data
    for key in path:
        if isinstance(current, Lined) and isinstance(key, str):
            line = current.line_of(key)
            current = current.get(key)
        elif isinstance(current, LinedList) and isinstance(key, int):
            line = current.line_of(key)
            current = current[key] if 0 <= key < len(current) else None
        else:
            break
    return line
