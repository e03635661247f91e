"""Writing output files safely: the one way kg replaces a file (a temporary file beside it, renamed over it).

``AtomicFile(path)`` opens a temporary file in the target's folder; ``commit()`` flushes it to disk and renames
it over the target in one step, ``abort()`` removes it. Readers see the old file or the new one, never a half
written one, and a failed run leaves the old file as it was. ``atomic_write(path)`` is the same as a context
manager (commit on success, abort on error).

The temporary file is ``.<name>.<pid>.<random>.tmp``: a run killed with SIGKILL cannot remove it, so every new
``AtomicFile`` for the same target first removes those whose owner process is gone
(:func:`remove_stale_temps`). The new file keeps the mode of the file it replaces, or follows the umask when
there was none (the temporary file itself is private, 0600, while it is written).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kg.errors import TargetError


def folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _temp_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(f".{path.name}.") + r"(\d+)\.[0-9a-f]{8,}\.tmp")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temps(path: Path | str) -> list[Path]:
    """Remove the temporary files of ``path`` left by kg runs that are gone (killed); returns them.

    Only files named like this module names them (``.<name>.<pid>.<hex>.tmp``) whose pid is no longer a
    running process are removed: a run writing the same target right now keeps its file. (A pid reused by an
    unrelated process keeps a stale file until that process ends; nothing is removed by mistake.)
    """
    path = Path(path)
    pattern = _temp_pattern(path)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder_of(path)))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            continue  # another run removed it first
        except OSError:
            continue  # not ours to remove (permissions): leave it
        removed.append(Path(entry.path))
    return removed


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class AtomicFile:
    """A temporary file that replaces ``path`` on :meth:`commit` (see the module docstring)."""

    def __init__(self, path: Path | str, mode: str = "w") -> None:
        self.path = Path(path)
        directory = folder_of(self.path)
        if not directory.is_dir():
            raise TargetError("output folder does not exist", where=str(directory), hint="create it first")
        remove_stale_temps(self.path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        while True:
            name = str(directory / f".{self.path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
            try:
                fd = os.open(name, flags, 0o600)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise TargetError(f"cannot write here: {exc.strerror}", where=str(directory)) from exc
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
            os.fchmod(self.handle.fileno(), self._final_mode())
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self.name, self.path)
        except BaseException:
            self._remove()
            raise

    def _final_mode(self) -> int:
        """The mode of the file being replaced, or what the umask gives a new file."""
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return 0o666 & ~_umask()

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


def lock_path(path: Path | str) -> Path:
    """The lock file that guards ``path``: ``.<name>.lock`` beside it (kept; removing it would race)."""
    path = Path(path)
    return folder_of(path) / f".{path.name}.lock"


@contextmanager
def locked(path: Path | str, timeout: float = 60.0, what: str = "output") -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (through its lock file) for the block.

    Waits up to ``timeout`` seconds for another process holding it, then raises a TargetError naming that
    process ("locked by pid N"). The lock is an ``fcntl.flock`` on an open file, so the kernel releases it
    when the holder exits, however it exits: a killed run never leaves a stale lock. (Hand-written rather
    than ``filelock`` because the waiting side must be able to read the holder's pid, and filelock truncates
    the lock file on every attempt.)
    """
    import fcntl
    import time

    target = lock_path(path)
    try:
        fd = os.open(target, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise TargetError(f"cannot create the lock file {target.name}: {exc.strerror}", where=str(folder_of(target)),
                          hint="the output's folder must be writable") from None
    try:
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    raise TargetError(f"{what} is locked by {holder}", where=str(path),
                                      hint=f"another kg run is writing it; wait for it or raise the lock timeout "
                                           f"({timeout:g} s)") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "another process"
