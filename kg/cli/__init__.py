"""The ``kg`` command line: parse options, call the library (kg.run, kg.query, kg.eval, ...), print.
May import any kg package; holds no stage logic. One module per group of commands, all on one typer app.
"""

from kg.cli import eval, export, load, query, serve, sync  # noqa: F401 - importing a module registers its commands
from kg.cli.common import app

__all__ = ["app"]
