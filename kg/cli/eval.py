"""``kg eval``: score the extractor on gold data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import ConfigOpt, ModelOpt, app, errors, settings


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Option("--gold", help="Gold file.")],
    fmt: Annotated[str, typer.Option("--format", help="wikievents, rams, plover, muc4 or clusters.")],
    baseline: Annotated[bool, typer.Option("--baseline", help="Also score bare spaCy NER and a naive baseline.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Score only the first N gold documents.")] = None,
    config: ConfigOpt = None, model: ModelOpt = None,
) -> None:
    """Score the extractor on gold data (precision, recall, F1)."""
    from kg.eval.run import run_eval

    with errors():
        cfg = settings(config, model=model)
        typer.echo(run_eval(gold, fmt, cfg, baseline=baseline, limit=limit), nl=False)
