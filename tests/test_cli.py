"""The CLI through typer's CliRunner and once through the installed entry point; bad input handling."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pyoxigraph as ox
import pytest
import rdflib
import typer
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "articles"
runner = CliRunner()

NEWS = "Syrian troops attacked the town of Saraqib on Monday, killing four fighters, activists said.\n"


def _bad_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "good": folder / "good.txt",
        "empty": folder / "empty.txt",
        "binary": folder / "binary.txt",
        "latin1": folder / "latin1.txt",
        "jsonl": folder / "lines.jsonl",
        "big": folder / "big.txt",
    }
    files["good"].write_text(NEWS, encoding="utf-8")
    files["empty"].write_text("  \n", encoding="utf-8")
    files["binary"].write_bytes(b"\x00\x01\x02binary\x00")
    files["latin1"].write_bytes("Caf\xe9 attack in Homs.".encode("latin-1"))
    files["jsonl"].write_text(
        json.dumps({"id": "ok-line", "text": NEWS}) + "\n" + "{not json\n" + json.dumps({"id": "no-text"}) + "\n",
        encoding="utf-8",
    )
    files["big"].write_text(NEWS * 200, encoding="utf-8")
    return files


def test_ingest_writes_rdf_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "out.trig"
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(out)])
    assert result.exit_code == 0, result.output
    assert "ingested: 2 documents" in result.stderr and "0 failures" in result.stderr
    quads = list(ox.parse(out.read_bytes(), format=ox.RdfFormat.TRIG))
    assert len({q.graph_name for q in quads}) == 2


def test_bad_inputs_are_reported_and_the_run_continues(tmp_path: Path) -> None:
    files = _bad_inputs(tmp_path / "in")
    out = tmp_path / "out.nq"
    args = ["ingest", str(tmp_path / "in"), str(tmp_path / "missing.txt"), str(tmp_path / "in" / "x.docx"),
            "--to", str(out), "--max-bytes", "5000"]
    (tmp_path / "in" / "x.docx").write_text("not really", encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    text = "\n".join(errors)
    assert str(files["empty"]) in text and str(files["binary"]) in text and str(files["latin1"]) in text
    assert f"{files['jsonl']}:2" in text and f"{files['jsonl']}:3" in text
    assert str(files["big"]) in text and str(tmp_path / "missing.txt") in text and "x.docx" in text
    assert len(errors) == 8
    assert "2 documents" in result.stderr and "8 failures" in result.stderr
    graphs = {q.graph_name.value for q in ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS)}
    assert len(graphs) == 2  # good.txt and the good JSONL line


def test_strict_stops_at_first_bad_document_and_writes_nothing(tmp_path: Path) -> None:
    _bad_inputs(tmp_path / "in")
    out = tmp_path / "out.ttl"
    out.write_text("# previous output\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--to", str(out), "--strict"])
    assert result.exit_code == 1
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1
    assert out.read_text(encoding="utf-8") == "# previous output\n"
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_extract_then_map_equals_ingest_and_records_match_schema(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    assert runner.invoke(app, ["extract", str(EXAMPLES), "-o", str(records)]).exit_code == 0
    schema = json.loads((REPO / "schemas" / "records.schema.json").read_text(encoding="utf-8"))
    lines = records.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    for line in lines:
        jsonschema.validate(json.loads(line), schema)
    mapped, ingested = tmp_path / "mapped.nt", tmp_path / "ingested.nt"
    assert runner.invoke(app, ["map", str(records), "--to", str(mapped)]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(ingested)]).exit_code == 0
    assert isomorphic(rdflib.Graph().parse(mapped), rdflib.Graph().parse(ingested))


def test_map_rejects_a_broken_records_file(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text('{"kg_records": "1.0", "document": {}}\n', encoding="utf-8")
    result = runner.invoke(app, ["map", str(records), "--to", str(tmp_path / "x.nt")])
    assert result.exit_code == 1
    assert f"{records}:1" in result.stderr
    assert not (tmp_path / "x.nt").exists()


def test_stdin_source(tmp_path: Path) -> None:
    out = tmp_path / "out.nt"
    result = runner.invoke(app, ["ingest", "-", "--to", str(out)], input=NEWS)
    assert result.exit_code == 0, result.output
    assert "#Attack" in out.read_text(encoding="utf-8")


def test_query_formats(tmp_path: Path) -> None:
    out = tmp_path / "out.nq"
    runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(out)])
    query = "SELECT ?name WHERE { ?p a kgo:Person ; kgo:name ?name } ORDER BY ?name"
    table = runner.invoke(app, ["query", query, "--data", str(out)])
    assert table.exit_code == 0, table.output
    assert "Farhad Rostami" in table.stdout and "rows)" in table.stdout
    as_json = json.loads(runner.invoke(app, ["query", query, "--data", str(out), "--format", "json"]).stdout)
    assert {"name": "Farhad Rostami"} in as_json
    rq = tmp_path / "q.rq"
    rq.write_text(query, encoding="utf-8")
    csv_out = runner.invoke(app, ["query", str(rq), "--data", str(out), "--format", "csv"]).stdout
    assert csv_out.splitlines()[0] == "name" and "Farhad Rostami" in csv_out
    bad = runner.invoke(app, ["query", "SELECT WHERE {", "--data", str(out)])
    assert bad.exit_code == 2 and "SPARQL syntax error" in bad.stderr


def test_validate_reports_violations(tmp_path: Path) -> None:
    out = tmp_path / "out.ttl"
    runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(out)])
    good = runner.invoke(app, ["validate", str(out)])
    assert good.exit_code == 0 and "conforms" in good.stdout
    graph = rdflib.Graph().parse(out)
    kgo = rdflib.Namespace("https://w3id.org/kg-news/ont#")
    graph.remove((None, kgo.modality, None))
    broken = tmp_path / "broken.ttl"
    graph.serialize(broken, format="turtle")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "modality" in result.stdout and "Violation" in result.stdout


def test_missing_model_is_one_line_with_install_hint(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(EXAMPLES), "-o", str(tmp_path / "r.jsonl"),
                                 "--model", "xx_no_such_pipeline"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "xx_no_such_pipeline" in lines[0] and "pip install" in lines[0]
    assert not (tmp_path / "r.jsonl").exists()


def test_unknown_output_extension(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(tmp_path / "out.xml")])
    assert result.exit_code == 2 and ".ttl" in result.stderr


def test_installed_entry_point_runs_as_a_subprocess(tmp_path: Path) -> None:
    exe = shutil.which("kg", path=str(Path(sys.executable).parent)) or shutil.which("kg")
    assert exe, "the kg console script is not installed"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("kg ")
    out = tmp_path / "out.jsonld"
    done = subprocess.run([exe, "ingest", str(EXAMPLES / "harbor-strike.txt"), "--to", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 documents" in done.stderr and "triples" in done.stderr
    assert done.stderr.count("\n") == 1  # not a TTY: no progress bar, just the summary
    assert len(rdflib.Graph().parse(out, format="json-ld")) > 50
    module = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in module.stdout


def test_help_shows_every_option_text_as_written() -> None:
    # Typer renders help as Rich markup, where "[word]" is a style tag and silently vanishes
    shown = " ".join(runner.invoke(app, ["extract", "--help"]).output.replace("│", " ").split())
    assert "dask://HOST:PORT (a Dask scheduler); Dask needs kg's dask extra." in shown

    def texts(command: Any) -> list[str]:  # its own help, its options', and its subcommands'
        own = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
        return own + [t for c in getattr(command, "commands", {}).values() for t in texts(c)]

    found = texts(typer.main.get_command(app))
    assert len(found) > 50 and not [t for t in found if "[" in t], "escape or rephrase square brackets in help"


@pytest.mark.parametrize("name", ["front-visit", "harbor-strike"])
def test_example_ids(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out.nq"
    runner.invoke(app, ["ingest", str(EXAMPLES), "--to", str(out)])
    assert f"/doc/{name}>" in out.read_text(encoding="utf-8")


def test_progress_is_shown_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    master, slave = pty.openpty()
    out = tmp_path / "out.nt"
    done = subprocess.run([sys.executable, "-m", "kg", "ingest", str(EXAMPLES), "--to", str(out)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, timeout=300)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 0
    assert "ingesting" in shown and "documents" in shown
    assert "ingested: 2 documents" in shown
