"""kg sync takes the executor like kg ingest: --executor/--workers (or kg.yaml's extract.executor), the same
output on any engine, and a bad value as one line, exit 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"


def _job(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    (root / "inbox").mkdir(parents=True)
    for article in EXAMPLES.iterdir():
        shutil.copy(article, root / "inbox" / article.name)
    job = root / "job.yaml"
    job.write_text("state: state.sqlite\nsources:\n  - folder: inbox/\nto: [graph.nq]\n", encoding="utf-8")
    return job


def _sync(job: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", "sync", str(job), *options], capture_output=True, text=True,
                          timeout=600, cwd=job.parent)


def test_sync_runs_on_the_executor_it_is_given_with_the_same_output(tmp_path: Path) -> None:
    local = _job(tmp_path, "local")
    assert _sync(local).returncode == 0
    dask = _job(tmp_path, "dask")
    done = _sync(dask, "--executor", "dask-local:1")
    assert done.returncode == 0, done.stderr
    assert "2 new" in done.stderr
    lines = lambda job: sorted((job.parent / "graph.nq").read_text(encoding="utf-8").splitlines())  # noqa: E731
    assert lines(dask) == lines(local) and len(lines(local)) > 100


def test_sync_refuses_a_bad_executor_in_one_line(tmp_path: Path) -> None:
    job = _job(tmp_path, "bad")
    done = _sync(job, "--executor", "spark://x")
    assert done.returncode == 2
    assert [x for x in done.stderr.splitlines() if x.strip()] == [
        "error: unknown executor 'spark://x' (use local, dask-local:N (N >= 1) or dask://HOST:PORT)"]
    assert not (job.parent / "graph.nq").exists()
