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
