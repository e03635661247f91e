"""Writing job files and reading targets back (with pyoxigraph, a second parser beside kg's own writer)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

REPO = Path(__file__).resolve().parents[2]
DOC_BASE = "https://w3id.org/kg-news/id/doc/"


def write_job(folder: Path, sources: list[dict[str, Any]], to: list[str] | None = None, **extra: Any) -> Path:
    """A job file in ``folder`` (state in folder/state/, output folder/out/news.nq unless ``to`` says)."""
    (folder / "out").mkdir(exist_ok=True)
    job = {"state": "state/news.sqlite", "sources": sources, "to": to or ["out/news.nq"], **extra}
    path = folder / "job.yaml"
    path.write_text(yaml.safe_dump(job, sort_keys=False), encoding="utf-8")
    return path


def quads(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path.read_bytes(), format=ox.RdfFormat.N_QUADS)) if path.exists() else []


def graphs(path: Path) -> set[str]:
    """The document graphs of an N-Quads file (document IRIs)."""
    return {q.graph_name.value for q in quads(path) if isinstance(q.graph_name, ox.NamedNode)}


def doc_ids(path: Path) -> set[str]:
    from urllib.parse import unquote

    return {unquote(g[len(DOC_BASE):]) for g in graphs(path) if g.startswith(DOC_BASE)}


def sorted_nquads(path: Path) -> list[str]:
    """The file's quads re-serialised one per line by pyoxigraph, sorted: equal for equal graphs."""
    return sorted(str(q) for q in quads(path))


def literal_values(path: Path, graph_suffix: str) -> set[str]:
    return {q.object.value for q in quads(path)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith(graph_suffix)
            and isinstance(q.object, ox.Literal)}


def kg(*args: str, cwd: Path, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m kg ARGS`` in a subprocess, with this worktree's kg."""
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=kg_env(env))


def kg_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_USERNAME", "NEO4J_PASSWORD", "KG_CONFIG")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return {**env, **(extra or {})}
