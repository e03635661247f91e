"""Fixtures for the reliability tests (issue 9): records files made from the example articles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def records_lines(example_records):  # type: ignore[no-untyped-def]
    """``make(prefix, n)``: n records lines (JSONL) copied from the example articles, ids ``<prefix>-<i>``."""
    from kg.records import dumps

    def make(prefix: str, n: int) -> list[str]:
        lines = []
        for i in range(n):
            record = example_records[i % len(example_records)]
            document = replace(record.document, id=f"{prefix}-{i}")
            lines.append(dumps(replace(record, document=document)) + "\n")
        return lines

    return make


@pytest.fixture
def records_file(tmp_path: Path, records_lines):  # type: ignore[no-untyped-def]
    """``make(name, prefix, n)``: a records file of n documents."""

    def make(name: str, prefix: str, n: int) -> Path:
        path = tmp_path / name
        path.write_text("".join(records_lines(prefix, n)), encoding="utf-8")
        return path

    return make
