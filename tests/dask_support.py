"""Helpers for the Dask tests and the scale-out benchmark: sample articles written for this project, and a
real TCP cluster (``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, each worker with its own
local directory).

Stdlib only at import (kg, typer and ``distributed`` inside the functions that need them); no pytest import.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any, Self

REPO = Path(__file__).resolve().parent.parent
WORKER_CONFIG = REPO / "examples" / "dask"  # the Dask configuration the README gives for kg's workers

# Sample news paragraphs written for these tests (no third-party text), combined into articles.
_PARAGRAPHS = (
    "{a} forces launched an offensive against {b} fighters near {t} on Tuesday, the defence ministry said. "
    "At least {n} people were killed when an air strike hit a fuel depot on the edge of {t}.",
    "The commander of the {b} brigade, {p}, was arrested by {a} troops at a checkpoint outside {t}. "
    "A spokesman for the group denied that it had planned to attack the airport.",
    "A car bomb exploded outside a police station in {t} on Friday, killing {n} officers and wounding "
    "dozens more. {a} officials blamed {b} insurgents; nobody claimed responsibility.",
    "{p}, the foreign minister, visited {t} on Sunday and met local leaders to discuss the ceasefire. "
    "She said the government would not withdraw its troops from the province before the spring.",
    "Protesters gathered in the main square of {t} to demand the release of {n} journalists detained "
    "by {a} security services last month. Police fired tear gas to disperse the crowd.",
    "{b} militants seized two villages south of {t} after heavy shelling overnight, residents said. "
    "The {a} army said it had sent reinforcements and would retake the area within days.",
)
_FILL = {
    "a": ("Syrian", "Iraqi", "Turkish", "Afghan", "Yemeni", "Libyan"),
    "b": ("Hezbollah", "Taliban", "Houthi", "Islamic State", "al-Shabaab"),
    "t": ("Idlib", "Mosul", "Kandahar", "Aleppo", "Hodeidah", "Sirte", "Raqqa"),
    "p": ("Ahmad Karimi", "Omar Haddad", "Yusuf Bakr", "Leila Nouri", "Ali Rahimi", "Sara Mansour"),
    "n": ("six", "12", "three", "20", "five", "eight"),
}


def article(number: int, paragraphs: int = 4) -> str:
    parts = []
    for j in range(paragraphs):
        template = _PARAGRAPHS[(number * 5 + j) % len(_PARAGRAPHS)]
        parts.append(template.format(**{k: v[(number * 7 + j * 3 + len(k)) % len(v)] for k, v in _FILL.items()}))
    return "\n\n".join(parts) + "\n"


def write_corpus(folder: Path, documents: int, *, bad: bool = True, paragraphs: int = 4) -> Path:
    """``documents`` articles as .txt files (front matter with a publication date), plus, with ``bad``, an
    empty file and a binary one among them (per-document failures of the reader)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(documents):
        text = f"---\nid: art-{i:03d}\ntitle: Article {i}\npublished: 2024-03-{1 + i % 28:02d}\n---\n"
        (folder / f"art-{i:03d}.txt").write_text(text + article(i, paragraphs), encoding="utf-8")
    if bad:
        (folder / f"art-{documents // 3:03d}-empty.txt").write_text("  \n", encoding="utf-8")
        (folder / f"art-{2 * documents // 3:03d}-binary.txt").write_bytes(b"\x00\x01binary\x00")
    return folder


def documents(count: int) -> list[Any]:
    """``count`` in-memory Documents of two paragraphs each."""
    from kg.records import Document

    return [Document(id=f"d{i}", text=article(i, 2), sha256=f"{i:064x}", source=f"mem:{i}") for i in range(count)]


def cli_run(corpus: Path, config: Path, out: Path, engine: str) -> dict[str, object]:
    """``kg extract`` and ``kg ingest`` (to N-Quads) of ``corpus`` with ``--executor engine``, in this process:
    the records file, the sorted N-Quads lines and the failure lines (the corpus has two bad files)."""
    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    records = runner.invoke(app, ["extract", str(corpus), "-o", str(out / "r.jsonl"), "--config", str(config),
                                  "--executor", engine])
    quads = runner.invoke(app, ["ingest", str(corpus), "--to", str(out / "g.nq"), "--config", str(config),
                                "--executor", engine])
    assert records.exit_code == quads.exit_code == 1, records.output + quads.output
    return {"records": (out / "r.jsonl").read_bytes(), "quads": sorted((out / "g.nq").read_bytes().splitlines()),
            "failures": [x for x in quads.stderr.splitlines() if x.startswith("error:")]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _dask() -> list[str]:
    """The ``dask`` command of this interpreter's environment."""
    command = Path(sys.executable).parent / "dask"
    if command.exists():
        return [str(command)]
    return [sys.executable, "-m", "dask"]


class TcpCluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, with kg importable from ``pythonpath``."""

    def __init__(self, home: Path, pythonpath: str | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        # as the README says to start workers: with the Dask configuration the repository ships for them
        self.env = {**os.environ, "PYTHONPATH": pythonpath or str(REPO), "DASK_CONFIG": str(WORKER_CONFIG)}
        self.env.pop("MALLOC_TRIM_THRESHOLD_", None)
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    def __enter__(self) -> Self:
        self.start_scheduler()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.home / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        return subprocess.Popen([*_dask(), *args], stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                cwd=self.home, start_new_session=True)

    def start_scheduler(self) -> None:
        self.scheduler = self._spawn("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                                   "--no-dashboard", "--no-show"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.scheduler.poll() is not None:
                raise RuntimeError(f"dask scheduler exited: {(self.home / 'scheduler.log').read_text()[-2000:]}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("dask scheduler did not start within 120 s")

    def start_worker(self, name: str, *, nanny: bool = True) -> subprocess.Popen[bytes]:
        local = self.home / f"{name}-local"
        local.mkdir(parents=True, exist_ok=True)
        worker = self._spawn(name, ["worker", self.address, "--name", name, "--nthreads", "1", "--nworkers", "1",
                                    "--local-directory", str(local), "--no-dashboard",
                                    "--nanny" if nanny else "--no-nanny"])
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, count: int, timeout: float = 180) -> None:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=timeout)

    def stop(self) -> None:
        for process in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self._logs:
            log.close()


# ---- run on the workers with Client.run (and here): count model loads, inject a per-document fault ----

def count_spacy_loads() -> None:
    """Count the calls of ``spacy.load`` in this process from now on (each real load goes through)."""
    import spacy

    if hasattr(spacy.load, "calls"):
        return
    original = spacy.load

    def load(*args: object, **kwargs: object) -> object:
        load.calls += 1  # type: ignore[attr-defined]
        return original(*args, **kwargs)  # type: ignore[arg-type]

    load.calls = 0  # type: ignore[attr-defined]
    spacy.load = load  # type: ignore[assignment]


def spacy_loads() -> int:
    import spacy

    return int(getattr(spacy.load, "calls", -1))


POISON = "\nThis sentence makes the extraction rules fail."


def inject_failure() -> None:
    """Make the real extractor's rules raise ValueError on any document that contains :data:`POISON` (the
    rules run on each parsed piece of a document: ``Extractor._piece``)."""
    from kg.extract import Extractor

    original = Extractor.__dict__.get("_original_piece", Extractor._piece)

    def piece(self: Extractor, document: object, *args: object) -> object:
        if POISON in getattr(document, "text", ""):
            raise ValueError("injected failure")
        return original(self, document, *args)  # type: ignore[arg-type]

    Extractor._original_piece = original  # type: ignore[attr-defined]
    Extractor._piece = piece  # type: ignore[assignment,method-assign]


def remove_failure() -> None:
    from kg.extract import Extractor

    if "_original_piece" in Extractor.__dict__:
        Extractor._piece = Extractor.__dict__["_original_piece"]  # type: ignore[method-assign]
        del Extractor._original_piece  # type: ignore[attr-defined]
