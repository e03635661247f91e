"""kg sync --every: passes on a fixed grid driven by an injected clock; the CLI loop; kg status; the report
object an orchestrator gets from kg.sync.run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sync.articles import article
from sync.jobs import kg, write_job
from sync.server import FakeClock

from kg.errors import KgError
from kg.sync import SyncReport, loop, run, status


def test_passes_run_on_a_fixed_grid(tmp_path: Path, extractor: object) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text(article(1), encoding="utf-8")
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    clock = FakeClock()
    start = clock.now()
    starts: list[float] = []

    def seen(report: SyncReport) -> None:
        starts.append(report.started)
        if len(starts) == 2:
            (tmp_path / "inbox" / "b.txt").write_text(article(2), encoding="utf-8")
        if len(starts) == 3:
            clock.advance(2000)  # this pass overran two ticks

    reports = loop(job, 900, clock=clock, passes=5, on_report=seen, extractor=extractor)
    assert starts == [start, start + 900, start + 1800, start + 4500, start + 5400]
    assert [r.run.documents for r in reports] == [1, 0, 1, 0, 0]
    assert clock.slept[:2] == [900, 900]


def test_an_error_in_one_pass_does_not_end_the_loop(tmp_path: Path, extractor: object) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text(article(1), encoding="utf-8")
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}], to=["out/news.nq", "bolt://127.0.0.1:1"])
    errors: list[KgError] = []
    reports = loop(job, 60, clock=FakeClock(), passes=2, on_error=errors.append, extractor=extractor)
    assert len(errors) == 2 and [r.exit_code for r in reports] == [2, 2]
    with pytest.raises(KgError):
        loop(job, 60, clock=FakeClock(), passes=1, extractor=extractor)


def test_cli_every_with_passes(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text(article(1), encoding="utf-8")
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": "0.3s"}])  # the pipeline loads while a.txt settles
    done = kg("sync", str(job), "--every", "1s", "--passes", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summaries = [line for line in done.stderr.splitlines() if line.startswith("synced:")]
    assert len(summaries) == 2 and "synced: 1 documents" in summaries[0] and "1 unchanged" in summaries[1]
    entries = [json.loads(x) for x in (tmp_path / "state" / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(entries) == 2


def test_status_lists_each_source(tmp_path: Path, extractor: object) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "wire").mkdir()
    for n in range(2):
        (tmp_path / "inbox" / f"a{n}.txt").write_text(article(n), encoding="utf-8")
    (tmp_path / "wire" / "bad.txt").write_bytes(b"\xff\xfe not utf-8")
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0, "name": "desk"}, {"folder": "wire/", "settle": 0}])
    clock = FakeClock()
    report = run(job, extractor=extractor, clock=clock)  # type: ignore[arg-type]
    assert report.exit_code == 1
    found = status(job, now=clock.now() + 300)
    (desk, desk_summary), (wire, wire_summary) = found.sources
    assert (desk, desk_summary.documents, desk_summary.last_success) == ("desk", 2, clock.now())
    assert (wire, wire_summary.documents, wire_summary.dead) == ("wire/", 0, 1)
    text = "\n".join(found.lines())
    assert "desk: 2 documents" in text and "fresh: 5 min ago" in text
    assert "wire/: 0 documents" in text and "bad.txt" in text and "not valid UTF-8" in text
    as_json = kg("status", str(job), "--json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [s["name"] for s in data["sources"]] == ["desk", "wire/"] and data["last_run"]["exit_code"] == 1


def test_the_report_object(tmp_path: Path, extractor: object) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text(article(3), encoding="utf-8")
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    report = run(job, extractor=extractor)  # type: ignore[arg-type]
    assert report.exit_code == 0 and report.skipped is None
    assert report.run.documents == 1 and report.run.events >= 1
    assert report.sources["inbox/"].new == 1
    assert report.to_json()["sources"]["inbox/"]["new"] == 1
    assert report.summary().startswith("synced: 1 documents") and "1 new" in report.summary()
