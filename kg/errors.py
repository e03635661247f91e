"""One root exception and a few meaningful subclasses.

Every error carries a one-line message that says what was wrong, where (file, line, field) and what to do.
``exit_code`` is what the CLI exits with: 1 for input that could not be processed, 2 for usage and
configuration problems (bad mapping, unreachable target, wrong credentials).
"""

from __future__ import annotations


class KgError(Exception):
    """Root of all errors raised on purpose by kg."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.where = where
        self.hint = hint
        self.detail = message
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text} ({hint})"
        super().__init__(text)


class InputError(KgError):
    """A source document could not be read or parsed. The run continues with the other documents."""

    exit_code = 1


class ConfigError(KgError):
    """Bad configuration: mapping, ontology, model name, options."""

    exit_code = 2


class MappingError(ConfigError):
    """The YAML mapping is malformed or names terms the ontology does not define."""


class ModelError(ConfigError):
    """The spaCy pipeline cannot be loaded."""


class TargetError(KgError):
    """An output target (file or database) cannot be written or reached."""

    exit_code = 2


class TransientTargetError(TargetError):
    """A target failed in a way that may succeed when retried (connection lost, deadlock)."""


def yaml_syntax_error(exc: Exception, path: object, cls: type[KgError] = ConfigError,
                      hint: str | None = "fix the YAML syntax") -> KgError:
    """A PyYAML parse error as a kg error pointing at file:line."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    return cls(f"YAML syntax error: {problem}", where=where, hint=hint)
