"""The wheel ships the ontology, mappings and schema, and kg finds them without a source checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_data_and_finds_it_without_a_checkout(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
                   check=True, timeout=600)
    (wheel,) = tmp_path.glob("kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("kg/_data/ontology/kg.ttl", "kg/_data/ontology/shapes.ttl", "kg/_data/mappings/default.yaml",
                     "kg/_data/mappings/gazetteer.yaml", "kg/_data/mappings/triggers.yaml",
                     "kg/_data/mappings/alignment.yaml", "kg/_data/schemas/records.schema.json"):
        assert required in names, required
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = ("import kg.resources as r, kg.mapping as m; "
             "print(r.data_path('ontology')); print(m.load_mapping().path)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(unpacked), "PATH": ""}, check=True)
    ontology_dir, mapping_path = done.stdout.split()
    assert Path(ontology_dir) == unpacked / "kg" / "_data" / "ontology"
    assert Path(mapping_path) == unpacked / "kg" / "_data" / "mappings" / "default.yaml"


PLOVER_GOLD = """[
{"id": "GSR-DOCUMENT-0001", "event": "DOCUMENT"},
{"id": "GSR-ASSAULT-0001", "event": "ASSAULT", "textInfo": {"markup": "(SRC: Rebels) (EVT: shelled) (TAR: the town)."}}
]
"""


def test_wheel_eval_finds_the_alignment_without_a_checkout(tmp_path: Path) -> None:
    """Gold loading and scoring from an unpacked wheel, outside the repository (no spaCy model needed)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
                   check=True, timeout=600)
    (wheel,) = tmp_path.glob("kg-*.whl")
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "gold.json").write_text(PLOVER_GOLD, encoding="utf-8")
    probe = ("from kg.eval.goldsets import load_alignment, load_gold; from kg.eval.scoring import score; "
             "a = load_alignment(); print(a['plover']['types']['ASSAULT']); "
             "r = score(load_gold('gold.json', 'plover'), {}, fmt='plover'); t = r['triggers_cls']; "
             "print(t.tp, t.fp, t.fn, r['events_unaligned'])")
    done = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, capture_output=True, text=True,
                          env={"PYTHONPATH": str(unpacked), "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["attack", "0 0 1 0"]
