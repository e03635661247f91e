"""Issue 9 item 5: no litter. A run stopped by SIGTERM, SIGINT or `timeout` removes its temporary file and
exits 143/130 with one line; one killed with SIGKILL cannot, so the next run removes temporary files whose
owner process is gone (and only those). The output keeps its mode, or follows the umask when new.

The runs read their records from a named pipe that the test keeps open, so each is caught mid-run, with its
first document already in its temporary file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
from reliability_support import (  # noqa: F401 - fixtures
    kg_command,
    kg_env,
    one_line,
    open_fifo_writer,
    records_file_fixture,
    records_lines_fixture,
    run_kg,
    start_kg,
    temps,
    wait_for,
)


def _default_sigint() -> None:
    """SIGINT as a terminal delivers it (a shell starts background jobs with it ignored, and so would the run)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def _mid_run(tmp_path: Path, records_lines, out: Path, wrap: list[str] | None = None) -> Iterator[tuple[subprocess.Popen[str], IO[str]]]:  # type: ignore[no-untyped-def]
    """A `kg map` writing ``out`` from a pipe, with a first document written and more to come."""
    fifo = tmp_path / "records.jsonl"
    os.mkfifo(fifo)
    command = [*(wrap or []), *kg_command("map", str(fifo), "--to", str(out))]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kg_env(),
                           preexec_fn=_default_sigint)  # noqa: PLW1509
    with open_fifo_writer(fifo) as writer:
        writer.writelines(records_lines("new", 1))
        writer.flush()
        assert wait_for(lambda: len(temps(out)) == 1), "the run never started its temporary file"
        try:
            yield run, writer
        finally:
            if run.poll() is None:
                run.kill()
            run.wait(timeout=60)


def _existing(out: Path, records_file, mode: int) -> bytes:  # type: ignore[no-untyped-def]
    assert run_kg("map", str(records_file("old.jsonl", "old", 2)), "--to", str(out)).returncode == 0
    out.chmod(mode)
    return out.read_bytes()


@pytest.mark.parametrize(("signum", "code", "word"), [(signal.SIGTERM, 143, "terminated"),
                                                      (signal.SIGINT, 130, "interrupted")])
def test_a_signal_removes_the_temporary_file(tmp_path: Path, records_file, records_lines, signum: int, code: int,  # type: ignore[no-untyped-def]
                                             word: str) -> None:
    out = tmp_path / "graph.nq"
    before = _existing(out, records_file, 0o640)
    with _mid_run(tmp_path, records_lines, out) as (run, _):
        run.send_signal(signum)
        assert run.wait(timeout=60) == code
        stderr = run.stderr.read() if run.stderr else ""
    assert word in one_line(stderr)
    assert temps(out) == []
    assert out.read_bytes() == before and stat.S_IMODE(out.stat().st_mode) == 0o640


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_timeout_leaves_no_temporary_file(tmp_path: Path, records_file, records_lines, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph{suffix}"
    before = _existing(out, records_file, 0o644)
    with _mid_run(tmp_path, records_lines, out, wrap=["timeout", "-s", "TERM", "20"]) as (run, _):
        assert run.wait(timeout=120) == 124  # timeout's own code: the command was stopped
        stderr = run.stderr.read() if run.stderr else ""
    assert "terminated" in one_line(stderr)
    assert temps(out) == []
    assert out.read_bytes() == before


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path, records_file, records_lines) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "graph.nq"
    _existing(out, records_file, 0o644)
    with _mid_run(tmp_path, records_lines, out) as (run, _):
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
    left = temps(out)
    assert len(left) == 1  # nothing can clean up after SIGKILL ...
    # ... and a temporary file of a live run (this test process) is not to be touched
    live = out.parent / f".{out.name}.{os.getpid()}.0123456789ab.tmp"
    live.write_text("a run in progress", encoding="utf-8")
    done = run_kg("map", str(records_file("again.jsonl", "again", 1)), "--to", str(out))
    assert done.returncode == 0, done.stderr
    assert temps(out) == [live]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_output_follows_the_umask(tmp_path: Path, records_file, umask: int, mode: int) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "graph.nq"
    records = records_file("new.jsonl", "new", 1)
    done = subprocess.run(kg_command("map", str(records), "--to", str(out)), capture_output=True, text=True,
                          env=kg_env(), preexec_fn=lambda: os.umask(umask), timeout=300)  # noqa: PLW1509
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == mode


@pytest.mark.parametrize("suffix", [".nq", ".ttl"])
def test_a_replaced_output_keeps_its_mode(tmp_path: Path, records_file, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph{suffix}"
    _existing(out, records_file, 0o664)
    done = start_kg("map", str(records_file("new.jsonl", "new", 1)), "--to", str(out))
    assert done.wait(timeout=300) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o664
