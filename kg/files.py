"""Writing output files safely: the one way kg replaces a file (a temporary file beside it, renamed over it).

``AtomicFile(path)`` opens a temporary file in the target's folder; ``commit()`` flushes it to disk and renames
it over the target in one step, ``abort()`` removes it. Readers see the old file or the new one, never a half
written one, and a failed run leaves the old file as it was. ``atomic_write(path)`` is the same as a context
manager (commit on success, abort on error).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kg.errors import TargetError


def folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


class AtomicFile:
    """A temporary file that replaces ``path`` on :meth:`commit` (see the module docstring)."""

    def __init__(self, path: Path | str, mode: str = "w") -> None:
        self.path = Path(path)
        directory = folder_of(self.path)
        if not directory.is_dir():
            raise TargetError("output folder does not exist", where=str(directory), hint="create it first")
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".tmp")
        self.name = name
        options: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        self.handle: IO[Any] = os.fdopen(fd, mode, **options)
        self.closed = False

    def commit(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self.name, self.path)
        except BaseException:
            self._remove()
            raise

    def abort(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._remove()

    def _remove(self) -> None:
        try:
            self.handle.close()
        finally:
            Path(self.name).unlink(missing_ok=True)


@contextmanager
def atomic_write(path: Path | str, mode: str = "w") -> Iterator[IO[Any]]:
    """Write ``path`` through an :class:`AtomicFile`: it appears only when the block ends without error."""
    out = AtomicFile(path, mode)
    try:
        yield out.handle
    except BaseException:
        out.abort()
        raise
    out.commit()
