"""``kg sync JOB.yaml [--every 15m]`` and ``kg status JOB.yaml``: the scheduled incremental jobs of :mod:`kg.sync`."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from kg.cli.common import ConfigOpt, ConsoleReporter, WorkersOpt, app, errors
from kg.cli.load import ExecutorOpt
from kg.errors import ConfigError, KgError

JobArg = Annotated[Path, typer.Argument(help="The job file (YAML: state, sources, to).")]


@app.command()
def sync(
    job: JobArg,
    every: Annotated[str | None, typer.Option("--every", help="Run a pass now and then every DURATION (30s, 15m, 1h).")] = None,
    passes: Annotated[int | None, typer.Option("--passes", min=1, help="With --every: stop after this many passes.")] = None,
    config: ConfigOpt = None, executor: ExecutorOpt = None, workers: WorkersOpt = None,
) -> None:
    """Run one pass of a sync job: ingest what is new or changed, retract what is gone, skip the rest.

    Exit 0 when done (or skipped: another pass holds the job), 1 when some documents or sources failed (the
    rest were synced), 2 for a bad job file, configuration or target.
    """
    from kg.settings import load_settings
    from kg.sync import SyncReport, load_job, loop, parse_duration, run

    with errors(), ConsoleReporter("syncing") as reporter:
        loaded = load_job(job)
        cfg = load_settings(config if config is not None else loaded.config).with_options(
            executor=executor, workers=workers)
        if every is None:
            report = run(loaded, settings=cfg, reporter=reporter)
            typer.echo(report.summary(), err=True)
            raise typer.Exit(code=report.exit_code)
        try:
            period = parse_duration(every)
        except ValueError as exc:
            raise ConfigError(f"--every: {exc}") from None
        if period <= 0:
            raise ConfigError("--every must be longer than 0 s")
        signal.signal(signal.SIGTERM, _stop)  # systemd stops a service with SIGTERM: end between passes

        def shown(report_: SyncReport) -> None:
            typer.echo(report_.summary(), err=True)

        def failed(exc: KgError) -> None:
            typer.echo(f"error: {exc}", err=True)

        reports = loop(loaded, period, passes=passes, settings=cfg, reporter=reporter, on_report=shown,
                       on_error=failed)
    raise typer.Exit(code=max((r.exit_code for r in reports), default=0))


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@app.command()
def status(
    job: JobArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Per source of a sync job: documents, last success and failure, freshness, retries and dead letters."""
    from kg.sync import status as job_status

    with errors():
        found = job_status(job)
    if as_json:
        typer.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        for line in found.lines():
            typer.echo(line)
