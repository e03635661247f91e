"""kg sync job files: validated like the mapping (one line ``job.yaml:LINE: ...``, exit 2, nothing written);
durations; the digest of model + lexicon + mapping, computed without spaCy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ConfigError
from kg.settings import Settings
from kg.sync import load_job, parse_duration
from kg.sync.digest import MODEL_ALIASES, ingest_digest, model_meta

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent


def _job(tmp_path: Path, text: str) -> Path:
    (tmp_path / "inbox").mkdir(exist_ok=True)
    (tmp_path / "out").mkdir(exist_ok=True)
    path = tmp_path / "job.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
state: state/news.sqlite
sources:
  - folder: inbox/
to: [out/news.nq]
"""


def _one_line_exit_2(tmp_path: Path, job: Path, line: int, *words: str) -> str:
    result = runner.invoke(app, ["sync", str(job)])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {job}:{line}: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert not (tmp_path / "state").exists()  # nothing created
    assert list((tmp_path / "out").iterdir()) == []
    return lines[0]


def test_good_job_loads_with_paths_relative_to_the_job_file(tmp_path: Path) -> None:
    job = load_job(_job(tmp_path, GOOD))
    assert job.state == tmp_path / "state" / "news.sqlite"
    assert [s.kind for s in job.sources] == ["folder"]
    assert job.sources[0].path == tmp_path / "inbox"
    assert job.targets == (str(tmp_path / "out" / "news.nq"),)
    assert job.run_log == tmp_path / "state" / "runs.jsonl"


def test_unknown_key_is_one_line_with_its_line_and_the_nearest_key(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD + "retyr:\n  max_attempts: 3\n")
    _one_line_exit_2(tmp_path, job, 5, "unknown key 'retyr'", "did you mean 'retry'")


def test_unknown_key_inside_a_source(tmp_path: Path) -> None:
    job = _job(tmp_path, "state: s/x.sqlite\nsources:\n  - folder: inbox/\n    setle: 2s\nto: out/a.nq\n")
    _one_line_exit_2(tmp_path, job, 4, "sources.0.setle", "did you mean 'settle'")


def test_missing_state_folder_parent(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD.replace("state/news.sqlite", "no/such/folder/news.sqlite"))
    _one_line_exit_2(tmp_path, job, 1, "state folder's parent does not exist")


def test_unknown_target_scheme(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD.replace("to: [out/news.nq]", "to:\n  - out/news.nq\n  - mongodb://localhost/kg"))
    _one_line_exit_2(tmp_path, job, 6, "no sink for target 'mongodb://localhost/kg'", "scheme 'mongodb://'")


def test_a_target_that_cannot_replace_documents_is_refused(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD.replace("out/news.nq", "out/news.ttl"))
    _one_line_exit_2(tmp_path, job, 4, "cannot be kept in sync", ".nq")


def test_credentials_in_a_target_are_refused_without_echoing_them(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD.replace("[out/news.nq]", "['neo4j://kg:hunter2@localhost:7687']"))
    line = _one_line_exit_2(tmp_path, job, 4, "credentials do not belong in the job file", "NEO4J_PASSWORD")
    assert "hunter2" not in line


@pytest.mark.parametrize(("text", "line", "words"), [
    ("state: s/x.sqlite\nsources:\n  - folder: inbox/\n    feed: http://x/\nto: out/a.nq\n", 3, ["exactly one of"]),
    ("state: s/x.sqlite\nsources:\n  - feed: ftp://example.org/rss\nto: out/a.nq\n", 3, ["http(s) URL"]),
    ("state: s/x.sqlite\nsources:\n  - folder: nowhere/\nto: out/a.nq\n", 3, ["folder not found"]),
    ("state: s/x.sqlite\nsources:\n  - folder: inbox/\n    settle: soon\nto: out/a.nq\n", 4, ["not a duration"]),
    ("state: s/x.sqlite\nsources: []\nto: out/a.nq\n", 2, ["sources"]),
    ("state: s/x.sqlite\nsources:\n  - folder: inbox/\n", 1, ["missing key 'to'"]),
    ("state: s/x.sqlite\nsources:\n  - folder: inbox/\nto: nofolder/a.nq\n", 4, ["output folder does not exist"]),
    ("state: [s/x.sqlite\n", 2, ["YAML syntax error"]),
])
def test_bad_job_files(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    _one_line_exit_2(tmp_path, _job(tmp_path, text), line, *words)


def test_missing_job_file_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sync", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "job file not found" in result.stderr


def test_status_before_any_pass_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", str(_job(tmp_path, GOOD))])
    assert result.exit_code == 2
    assert "the job has not run" in result.stderr
    assert not (tmp_path / "state").exists()


def test_bad_every_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sync", str(_job(tmp_path, GOOD)), "--every", "often"])
    assert result.exit_code == 2
    assert "--every" in result.stderr and "not a duration" in result.stderr


def test_parse_duration() -> None:
    assert parse_duration("15m") == 900
    assert parse_duration("500ms") == 0.5
    assert parse_duration("1.5h") == 5400
    assert parse_duration(30) == 30
    assert parse_duration("2d") == 172800
    for bad in ("fifteen", "-3s", "15 minutes", True):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_model_aliases_match_the_extractor() -> None:
    from kg.extract.pipeline import ALIASES

    assert MODEL_ALIASES == ALIASES


def test_digest_follows_model_lexicon_mapping_and_ontology(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_bytes((REPO / "mappings" / "default.yaml").read_bytes())
    base = Settings()
    with_copy = Settings(mapping=str(mapping))
    assert ingest_digest(base) == ingest_digest(with_copy)  # same bytes, same digest
    mapping.write_bytes(mapping.read_bytes() + b"\n# edited\n")
    assert ingest_digest(with_copy) != ingest_digest(base)
    triggers = tmp_path / "t.yaml"
    triggers.write_bytes((REPO / "mappings" / "triggers.yaml").read_bytes() + b"\n# edited\n")
    assert ingest_digest(base.with_options(triggers=str(triggers))) != ingest_digest(base)
    assert ingest_digest(base.with_options(model="some_other_pipeline")) != ingest_digest(base)
    assert b'"version"' in model_meta("en_core_web_sm")  # the installed pipeline's meta.json


def test_digest_does_not_import_spacy() -> None:
    code = ("import sys; from kg.settings import Settings; from kg.sync.digest import ingest_digest; "
            "ingest_digest(Settings()); assert 'spacy' not in sys.modules, 'spacy imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr


def test_config_error_names_the_file(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD + "config: missing-kg.yaml\n")
    _one_line_exit_2(tmp_path, job, 5, "config file not found")
    with pytest.raises(ConfigError):
        load_job(job)


def test_a_state_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD)
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "news.sqlite").write_text("not a database, just some text\n" * 100, encoding="utf-8")
    result = runner.invoke(app, ["sync", str(job)])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "cannot open the state database" in lines[0], lines
    assert list((tmp_path / "out").iterdir()) == []


def test_nothing_to_do_connects_to_nothing(tmp_path: Path) -> None:
    job = _job(tmp_path, GOOD.replace("[out/news.nq]", "[out/news.nq, 'bolt://127.0.0.1:1']"))
    result = runner.invoke(app, ["sync", str(job)])  # an empty inbox: no pipeline, no connection
    assert result.exit_code == 0, result.output
    assert "synced: 0 documents" in result.stderr
