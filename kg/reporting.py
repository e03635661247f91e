"""What a run did (:class:`RunReport`) and how the library tells its caller while it runs (:class:`Reporter`).

The library never prints: the jobs in :mod:`kg.run` call a Reporter (progress, per-document failures, notes)
and return a RunReport. The CLI's reporter draws a progress bar and prints one line per failure on stderr;
an orchestrator passes its own, or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from kg.errors import KgError
from kg.records import DocRecord


class Reporter(Protocol):
    def progress(self, documents: int) -> None:
        """``documents`` more documents are done."""

    def failure(self, error: KgError) -> None:
        """A document could not be processed (the run goes on)."""

    def note(self, message: str) -> None:
        """Something the user should know that is not a failure (one line)."""


class SilentReporter:
    """A reporter that keeps nothing: what matters is in the RunReport."""

    def progress(self, documents: int) -> None:
        pass

    def failure(self, error: KgError) -> None:
        pass

    def note(self, message: str) -> None:
        pass


@dataclass(slots=True)
class RunReport:
    """What a run did, printed at the end of every command."""

    documents: int = 0
    entities: int = 0
    events: int = 0
    relations: int = 0
    outputs: dict[str, int] = field(default_factory=dict)  # what the target counted: triples, or nodes, ...
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, record: DocRecord) -> None:
        self.documents += 1
        self.entities += len(record.entities)
        self.events += len(record.events)
        self.relations += len(record.relations)

    def summary(self) -> str:
        written = "".join(f"{value} {key.replace('_', ' ')}, " for key, value in self.outputs.items())
        return (
            f"{self.documents} documents, {self.entities} entities, {self.events} events, "
            f"{self.relations} relations, {written}{len(self.failures)} failures, {self.seconds:.2f} s"
        )
