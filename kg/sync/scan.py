"""Folders and JSONL drops: listing, telling a finished file from one still being written, reading, tombstones.

A file counts once its size and mtime are unchanged across two scans (the second ``settle`` seconds after the
first, or the previous pass's scan); names ending in ``.part``, ``.tmp``, ``.partial``, ``.crdownload`` or
``.swp`` and hidden entries are never read. A listing that could not see every folder is *incomplete*: no
document is retracted on the strength of it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.sources import KINDS, READERS
from kg.sources.common import Item

IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".swp", ".download")

Stat = tuple[int, int]  # size, mtime_ns


@dataclass
class Listing:
    files: dict[str, Stat] = field(default_factory=dict)  # relative path -> stat
    complete: bool = True
    errors: list[InputError] = field(default_factory=list)


def list_files(root: Path, extensions: tuple[str, ...] | None = None) -> Listing:
    """Every readable file under ``root`` (or ``root`` itself when it is a file), by path relative to it.

    Iterative (a folder nested thousands deep is fine), hidden entries skipped, symlinked folders followed once.
    """
    wanted = tuple(extensions) if extensions is not None else tuple(KINDS)
    listing = Listing()
    if root.is_file():
        try:
            st = root.stat()
        except OSError as exc:
            listing.complete = False
            listing.errors.append(InputError(f"cannot read: {exc.strerror or exc}", where=str(root)))
            return listing
        listing.files[root.name] = (st.st_size, st.st_mtime_ns)
        return listing
    if not root.is_dir():
        listing.complete = False
        listing.errors.append(InputError("folder is missing (unmounted?); nothing is retracted", where=str(root)))
        return listing
    visited = {os.path.realpath(root)}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                found = [e for e in entries if not e.name.startswith(".")]
        except OSError as exc:
            listing.complete = False
            listing.errors.append(InputError(f"cannot list folder: {exc.strerror or exc}", where=str(folder)))
            continue
        for entry in found:
            try:
                if entry.is_dir():
                    real = os.path.realpath(entry.path)
                    if real not in visited:
                        visited.add(real)
                        stack.append(Path(entry.path))
                    continue
                name = entry.name.lower()
                if not entry.is_file() or name.endswith(IN_PROGRESS_SUFFIXES) or not name.endswith(wanted):
                    continue
                st = entry.stat()
            except OSError as exc:
                listing.complete = False
                listing.errors.append(InputError(f"cannot read: {exc.strerror or exc}", where=entry.path))
                continue
            rel = Path(entry.path).relative_to(root).as_posix()
            listing.files[rel] = (st.st_size, st.st_mtime_ns)
    listing.files = dict(sorted(listing.files.items()))
    return listing


def settle(root: Path, candidates: dict[str, Stat], wait: float) -> tuple[dict[str, Stat], dict[str, Stat]]:
    """(stable, still moving): the candidates whose size and mtime are the same ``wait`` seconds later."""
    if not candidates:
        return {}, {}
    if wait > 0:
        time.sleep(wait)
    stable: dict[str, Stat] = {}
    moving: dict[str, Stat] = {}
    for rel, before in candidates.items():
        path = root / rel if root.is_dir() else root
        try:
            st = path.stat()
        except OSError:
            continue  # gone between the scans: the next listing says so
        now = (st.st_size, st.st_mtime_ns)
        (stable if now == before else moving)[rel] = now
    return stable, moving


def file_path(root: Path, rel: str) -> Path:
    return root / rel if root.is_dir() else root


def default_id(rel: str) -> str:
    """The id ``kg ingest FOLDER`` gives a file: its path under the folder without the extension."""
    return Path(rel).with_suffix("").as_posix()


def read_file(root: Path, rel: str, max_bytes: int) -> Iterator[Item]:
    """The documents of one file, through the reader its extension names (as ``kg ingest`` reads it)."""
    path = file_path(root, rel)
    try:
        yield from READERS[KINDS[path.suffix.lower()]](path, default_id(rel), max_bytes)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", where=str(path))


@dataclass(frozen=True, slots=True)
class Tombstone:
    doc_id: str
    where: str


def tombstones(path: Path) -> dict[str, Tombstone]:
    """The tombstone lines of a JSONL file (``{"id": ..., "deleted": true}``), by ``path:line``."""
    found: dict[str, Tombstone] = {}
    try:
        with open(path, "rb") as handle:
            for lineno, raw in enumerate(handle, 1):
                if b'"deleted"' not in raw:
                    continue
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue
                if isinstance(obj, dict) and obj.get("deleted") is True and isinstance(obj.get("id"), (str, int)):
                    where = f"{path}:{lineno}"
                    found[where] = Tombstone(str(obj["id"]), where)
    except OSError:
        pass  # the reader reports it
    return found
