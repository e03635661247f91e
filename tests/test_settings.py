"""Typed settings: kg.yaml is validated per section; every bad value is one line `kg.yaml:LINE: ...`, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ConfigError
from kg.settings import ExtractSettings, Settings, load_settings

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "articles"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kg.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "words"), [
    ("mapping: m.yaml\nextract:\n  workers: two\n", 3, ["extract.workers", "integer", "'two'"]),
    ("extract:\n  max_bytes: -5\n", 2, ["extract.max_bytes", "greater than or equal to 1", "-5"]),
    ("extract:\n  model: x\nshiny: 1\n", 3, ["unknown setting 'shiny'", "known here"]),
    ("neo4j:\n  batchsize: 5\n", 2, ["unknown setting 'neo4j.batchsize'", "did you mean 'batch_size'"]),
    ("neo4j:\n  batch_size: 2.5\n", 2, ["neo4j.batch_size", "integer"]),
    ("extract:\n  gazetteers: actors.yaml\n", 2, ["extract.gazetteers", "tuple"]),
    ("extract: 5\n", 1, ["setting 'extract'", "dictionary"]),
    ("extract:\n  workers: true\n", 2, ["extract.workers", "integer"]),
    ("rdf:\n  lock_timeout: soon\n", 2, ["rdf.lock_timeout", "number"]),
    ("- a\n- b\n", 1, ["YAML mapping"]),
    ("extract:\n  workers: [1\n", 3, ["YAML syntax error"]),
])
def test_bad_settings_are_one_line_with_file_and_line(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert "\n" not in message
    for word in words:
        assert word in message, message
    result = runner.invoke(app, ["extract", str(EXAMPLES), "-o", str(tmp_path / "r.jsonl"), "--config", str(path)])
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert lines == [f"error: {message}"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text", ["password: secret\nshiny: 1\n", "neo4j:\n  password: secret\n",
                                  "neo4j:\n  username: neo4j\n"])
def test_credentials_in_the_file_are_refused_before_any_other_check(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match="credentials do not belong") as raised:
        load_settings(path)
    assert "secret" not in str(raised.value)
    assert "NEO4J_PASSWORD" in str(raised.value)


def test_sections_defaults_and_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "extract:\n  workers: 2\n  spacy_batch_size: 8\nneo4j:\n  batch_size: 500\n")
    loaded = load_settings(path)
    assert loaded.extract.workers == 2 and loaded.extract.spacy_batch_size == 8 and loaded.neo4j.batch_size == 500
    # the spaCy batch and the Neo4j batch are two settings with two names
    assert loaded.with_options(batch_size=7).neo4j.batch_size == 7
    assert loaded.with_options(batch_size=7).extract.spacy_batch_size == 8
    assert loaded.with_options(model="en_core_web_md", workers=None).extract == ExtractSettings(
        model="en_core_web_md", workers=2, spacy_batch_size=8)
    monkeypatch.setenv("KG_MODEL", "my_model")
    assert load_settings(path).extract.model == "my_model"
    monkeypatch.chdir(tmp_path)
    assert load_settings().extract.workers == 2  # ./kg.yaml is read when present
    (tmp_path / "kg.yaml").unlink()
    assert load_settings().neo4j == Settings().neo4j
