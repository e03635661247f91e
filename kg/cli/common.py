"""What every command shares: the typer app, the common options, turning kg errors into one line and an exit
code, and the console reporter (progress bar on a terminal, one line per failure).

Exit codes: 0 success; 1 some input could not be processed (the rest was); 2 configuration, mapping or
target errors (nothing written); 130 interrupted (SIGINT), 143 terminated (SIGTERM, e.g. by ``timeout``): the
temporary files are removed on the way out and nothing uncommitted reaches the outputs.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from kg import __version__
from kg.errors import ConfigError, KgError
from kg.reporting import RunReport
from kg.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="kg: news articles -> spaCy extraction -> YAML mapping -> RDF files or Neo4j.")

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="kg.yaml settings file (default: ./kg.yaml if present).")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="spaCy pipeline name or path (default en_core_web_sm).")]
MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="YAML mapping (default: the shipped mappings/default.yaml).")]
OntologyOpt = Annotated[Path | None, typer.Option("--ontology", help="OWL ontology in Turtle (default: the shipped one).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Stop at the first bad document instead of skipping it.")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", min=1, help="Extraction processes.")]
MaxBytesOpt = Annotated[int | None, typer.Option("--max-bytes", min=1, help="Largest document accepted, in bytes.")]
BatchOpt = Annotated[int | None, typer.Option("--batch-size", min=1, help="Neo4j rows per transaction.")]
DatabaseOpt = Annotated[str | None, typer.Option("--database", help="Neo4j database name.")]


def settings(path: Path | None, **options: Any) -> Settings:
    """kg.yaml (or --config) with the given command-line options over it; paths as strings."""
    given = {k: str(v) if isinstance(v, Path) else v for k, v in options.items()}
    return load_settings(path).with_options(**given)


class Terminated(BaseException):
    """SIGTERM arrived: unwind like KeyboardInterrupt (sinks abort, temporary files are removed)."""


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` in this process (once; more are ignored).

    Worker processes forked meanwhile inherit the handler; in them it falls back to the default action, so a
    pool's terminate() still ends them at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()
    raised = False

    def handler(signum: int, frame: object) -> None:
        nonlocal raised
        if os.getpid() != owner:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if not raised:
            raised = True
            raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def errors() -> Iterator[None]:
    """Turn kg errors into one line on stderr and their exit code; SIGINT/SIGTERM into 130/143."""
    try:
        with _sigterm_unwinds():
            yield
    except KgError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was committed, temporary files removed", err=True)
        raise typer.Exit(code=130) from None
    except Terminated:
        typer.echo("terminated: nothing was committed, temporary files removed", err=True)
        raise typer.Exit(code=143) from None


class ConsoleReporter:
    """Progress on stderr when it is a terminal; failures and notes as one line each on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> ConsoleReporter:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 TextColumn("{task.completed} documents"), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def progress(self, documents: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, documents)

    def failure(self, error: KgError) -> None:
        self._print(f"error: {error}")

    def note(self, message: str) -> None:
        self._print(f"note: {message}")

    def _print(self, line: str) -> None:
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            typer.echo(line, err=True)


def finish(report: RunReport, what: str) -> None:
    """The summary line; exit 1 when some documents failed."""
    typer.echo(f"{what}: {report.summary()}", err=True)
    if report.failures:
        raise typer.Exit(code=1)


def read_query(text: str, suffix: str) -> str:
    """A query given inline or as a file (``.rq``/``.cypher``, or any existing file path)."""
    path = Path(text)
    if text.endswith(suffix) or (len(text) < 4096 and "\n" not in text and path.is_file()):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read query file: {exc.strerror}", where=str(path)) from exc
    return text


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """kg: news articles -> knowledge graph."""
