"""Result tables (columns and rows of plain values) and the one way kg prints them: table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from kg.errors import ConfigError


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[object]]


def format_table(table: Table, fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps([dict(zip(table.columns, row, strict=True)) for row in table.rows],
                          ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(table.columns)
        writer.writerows([["" if v is None else v for v in row] for row in table.rows])
        return buffer.getvalue()
    if fmt != "table":
        raise ConfigError(f"unknown format '{fmt}'", hint="use table, csv or json")
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in table.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(table.columns)]
    line = " | ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body, f"({len(cells)} rows)"]) + "\n"
