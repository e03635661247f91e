"""kg sync over folders and JSONL drops: new, changed, unchanged (skipped before extraction), deleted (retracted),
half-written files, syndicated duplicates, tombstones, a new mapping, and the run log. Real spaCy (the session
extractor), real N-Quads read back with pyoxigraph, a real SQLite state."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sync.articles import article
from sync.jobs import REPO, doc_ids, kg_env, literal_values, sorted_nquads, write_job

from kg.sync import Job, load_job, run
from kg.sync.report import SyncReport


def _sync(job: Path | Job, extractor: object, **options: object) -> SyncReport:
    report = run(job, extractor=extractor, **options)  # type: ignore[arg-type]
    assert report.exit_code in (0, 1), report.error
    return report


def _counts(report: SyncReport, source: str = "inbox/") -> dict[str, int]:
    counts = report.sources[source]
    return {k: getattr(counts, k) for k in ("new", "changed", "unchanged", "retracted", "duplicates", "pending")}


def _items(tmp_path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(tmp_path / "state" / "news.sqlite") as db:
        return db.execute("SELECT source, locator, doc_id, status FROM items ORDER BY locator").fetchall()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for n in range(3):
        (folder / f"a{n}.txt").write_text(article(n), encoding="utf-8")
    return folder


def test_added_changed_deleted_and_unchanged_between_passes(tmp_path: Path, inbox: Path, extractor: object) -> None:
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": "0.2s"}])
    out = tmp_path / "out" / "news.nq"

    first = _sync(job, extractor)
    assert _counts(first) == {"new": 3, "changed": 0, "unchanged": 0, "retracted": 0, "duplicates": 0, "pending": 0}
    assert doc_ids(out) == {"a0", "a1", "a2"}
    assert first.exit_code == 0 and first.run.documents == 3 and first.targets[str(out)]["triples"] > 0
    assert first.summary().startswith("synced: 3 documents, ")

    (inbox / "sub").mkdir()
    (inbox / "sub" / "b.md").write_text("---\ntitle: Late report\n---\n" + article(7), encoding="utf-8")
    (inbox / "a1.txt").write_text(article(1, edition=1), encoding="utf-8")
    (inbox / "a2.txt").unlink()
    second = _sync(job, extractor)
    assert _counts(second) == {"new": 1, "changed": 1, "unchanged": 1, "retracted": 1, "duplicates": 0, "pending": 0}
    assert doc_ids(out) == {"a0", "a1", "sub/b"}
    quotes = literal_values(out, "/doc/a1")
    assert any("risen to 101" in q for q in quotes) and not any("3 families" in q for q in quotes)

    third = _sync(job, extractor)
    assert third.run.documents == 0 and third.total("unchanged") == 3 and third.targets == {}

    lines = (tmp_path / "state" / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    logged = [json.loads(line) for line in lines]
    assert [entry["sources"]["inbox/"]["new"] for entry in logged] == [3, 1, 0]
    assert logged[1]["sources"]["inbox/"]["retracted"] == 1 and logged[1]["exit_code"] == 0
    assert {"start", "end", "seconds", "targets", "failures"} <= logged[0].keys()


def test_same_as_a_clean_run_after_changes(tmp_path: Path, inbox: Path, extractor: object) -> None:
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    _sync(job, extractor)
    (inbox / "a0.txt").write_text(article(0, edition=2), encoding="utf-8")
    (inbox / "a2.txt").unlink()
    (inbox / "c.txt").write_text(article(11), encoding="utf-8")
    _sync(job, extractor)

    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "inbox").mkdir()
    for path in inbox.iterdir():
        (clean / "inbox" / path.name).write_bytes(path.read_bytes())
    _sync(write_job(clean, [{"folder": "inbox/", "settle": 0}]), extractor)
    assert sorted_nquads(tmp_path / "out" / "news.nq") == sorted_nquads(clean / "out" / "news.nq")


def test_an_unchanged_pass_does_not_load_spacy(tmp_path: Path, inbox: Path, extractor: object) -> None:
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    _sync(job, extractor)
    code = ("import sys; import kg.sync; r = kg.sync.run(sys.argv[1]); "
            "assert r.total('unchanged') == 3 and r.run.documents == 0, r.summary(); "
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc', 'kg.extract')); "
            "assert not loaded, loaded; print('ok')")
    done = subprocess.run([sys.executable, "-c", code, str(job)], capture_output=True, text=True, env=kg_env(),
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_touched_but_unchanged_file_is_not_extracted(tmp_path: Path, inbox: Path, extractor: object) -> None:
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    _sync(job, extractor)
    (inbox / "a0.txt").write_text(article(0), encoding="utf-8")  # same bytes, new mtime
    report = _sync(job, extractor)
    assert report.run.documents == 0 and report.total("unchanged") == 3


def test_half_written_files_are_not_read_until_they_settle(tmp_path: Path, inbox: Path, extractor: object) -> None:
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": "0.5s"}])
    _sync(job, extractor)
    (inbox / "d.txt.part").write_text(article(20), encoding="utf-8")
    (inbox / "e.tmp").write_text(article(21), encoding="utf-8")
    growing = inbox / "growing.txt"
    text = article(22)
    stop = threading.Event()

    def writer() -> None:  # writes the article a few characters at a time, as a slow copy would
        with open(growing, "w", encoding="utf-8") as handle:
            for start in range(0, len(text), 8):
                if stop.is_set():
                    return
                handle.write(text[start:start + 8])
                handle.flush()
                time.sleep(0.05)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        during = _sync(job, extractor)
    finally:
        thread.join()
    assert during.total("pending") == 1 and during.run.documents == 0
    assert "growing" not in doc_ids(tmp_path / "out" / "news.nq")
    assert any("still being written" in note for note in during.run.notes)

    after = _sync(job, extractor)  # unchanged since the last scan: read now, whole
    assert _counts(after)["new"] == 1
    assert "growing" in doc_ids(tmp_path / "out" / "news.nq")
    assert any("two hours" in q for q in literal_values(tmp_path / "out" / "news.nq", "/doc/growing"))
    assert {"d", "e", "d.txt"}.isdisjoint(doc_ids(tmp_path / "out" / "news.nq"))


def test_a_syndicated_copy_is_one_document_with_both_sources(tmp_path: Path, inbox: Path, extractor: object) -> None:
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "copy.txt").write_text(article(1), encoding="utf-8")  # the same text as inbox/a1.txt
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}, {"folder": "wire/", "settle": 0}])
    report = _sync(job, extractor)
    out = tmp_path / "out" / "news.nq"
    assert report.run.documents == 3 and report.total("duplicates") == 1
    assert doc_ids(out) == {"a0", "a1", "a2"}
    rows = [r for r in _items(tmp_path) if r[2] == "a1"]
    assert sorted((Path(r[0].split(":", 1)[1]).name, r[1], r[3]) for r in rows) == [
        ("inbox", "a1.txt", "ok"), ("wire", "copy.txt", "duplicate")]

    (inbox / "a1.txt").unlink()  # one source left: the document stays
    _sync(job, extractor)
    assert "a1" in doc_ids(out)
    (tmp_path / "wire" / "copy.txt").unlink()  # none left: retracted
    last = _sync(job, extractor)
    assert "a1" not in doc_ids(out) and last.total("retracted") == 1


def test_jsonl_drops_with_tombstones(tmp_path: Path, extractor: object) -> None:
    drops = tmp_path / "drops"
    drops.mkdir()
    lines = [{"id": f"w{n}", "text": article(30 + n), "title": f"Wire {n}"} for n in range(3)]
    (drops / "001.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    job = write_job(tmp_path, [{"jsonl": "drops/", "settle": 0}])
    out = tmp_path / "out" / "news.nq"
    first = _sync(job, extractor)
    assert first.sources["drops/"].new == 3 and doc_ids(out) == {"w0", "w1", "w2"}

    (drops / "001.jsonl").unlink()  # a processed drop removed: nothing is retracted
    update = {"id": "w0", "text": article(30, edition=1), "title": "Wire 0"}
    (drops / "002.jsonl").write_text(json.dumps(update) + "\n" + json.dumps({"id": "w1", "deleted": True}) + "\n"
                                     + json.dumps({"id": "w9", "deleted": True}) + "\n", encoding="utf-8")
    second = _sync(job, extractor)
    counts = second.sources["drops/"]
    assert (counts.changed, counts.retracted, counts.failed) == (1, 1, 0)
    assert doc_ids(out) == {"w0", "w2"}
    assert any("w9" in note and "never supplied" in note for note in second.run.notes)
    assert second.exit_code == 0


def test_a_new_mapping_re_ingests_everything(tmp_path: Path, inbox: Path, extractor: object) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes((REPO / "mappings" / "default.yaml").read_bytes())
    (tmp_path / "kg.yaml").write_text(f"mapping: {mapping}\n", encoding="utf-8")
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}], config="kg.yaml")
    _sync(job, extractor)
    assert _sync(job, extractor).total("unchanged") == 3
    mapping.write_text(mapping.read_text(encoding="utf-8") + "\n# a reviewed mapping\n", encoding="utf-8")
    report = _sync(job, extractor)
    assert report.total("changed") == 3 and report.total("unchanged") == 0


def test_a_renamed_id_retracts_the_old_one(tmp_path: Path, inbox: Path, extractor: object) -> None:
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    _sync(job, extractor)
    (inbox / "a0.txt").write_text("---\nid: strike-report\n---\n" + article(0), encoding="utf-8")
    report = _sync(job, extractor)
    assert doc_ids(tmp_path / "out" / "news.nq") == {"strike-report", "a1", "a2"}
    assert report.total("retracted") == 1


def test_a_missing_folder_retracts_nothing(tmp_path: Path, inbox: Path, extractor: object) -> None:
    job = load_job(write_job(tmp_path, [{"folder": "inbox/", "settle": 0}]))  # loaded once, as --every does
    _sync(job, extractor)
    inbox.rename(tmp_path / "unmounted")
    report = _sync(job, extractor)
    assert report.exit_code == 1 and report.total("retracted") == 0
    assert doc_ids(tmp_path / "out" / "news.nq") == {"a0", "a1", "a2"}
    assert any("folder is missing" in f for f in report.run.failures)


def test_bad_files_are_dead_letters_and_the_rest_is_synced(tmp_path: Path, inbox: Path, extractor: object) -> None:
    (inbox / "binary.txt").write_bytes(b"\x00\x01binary")
    (inbox / "dup.md").write_text("---\nid: a0\n---\n" + article(40), encoding="utf-8")  # a0 is a0.txt's id
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    report = _sync(job, extractor)
    assert report.exit_code == 1 and report.run.documents == 3
    assert report.sources["inbox/"].dead == 2
    assert any("duplicate document id 'a0'" in f for f in report.run.failures)
    again = _sync(job, extractor)  # not retried until they change
    assert again.exit_code == 0 and again.run.documents == 0
    (inbox / "binary.txt").write_text(article(41), encoding="utf-8")
    fixed = _sync(job, extractor)
    assert fixed.sources["inbox/"].new == 1 and "binary" in doc_ids(tmp_path / "out" / "news.nq")


def test_a_target_added_to_the_job_gets_every_document(tmp_path: Path, inbox: Path, extractor: object) -> None:
    _sync(write_job(tmp_path, [{"folder": "inbox/", "settle": 0}]), extractor)
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}], to=["out/news.nq", "out/second.trig"])
    report = _sync(job, extractor)
    assert report.total("changed") == 3
    import pyoxigraph as ox

    second = ox.parse((tmp_path / "out" / "second.trig").read_bytes(), format=ox.RdfFormat.TRIG)
    assert len({q.graph_name for q in second}) == 3
    assert sorted_nquads(tmp_path / "out" / "news.nq") == sorted(
        str(q) for q in ox.parse((tmp_path / "out" / "second.trig").read_bytes(), format=ox.RdfFormat.TRIG))


def test_a_fixed_file_leaves_no_dead_letter(tmp_path: Path, inbox: Path, extractor: object) -> None:
    bad = inbox / "dated.md"
    bad.write_text("---\ntitle: Dated\npublished: someday\n---\n" + article(50), encoding="utf-8")
    job = write_job(tmp_path, [{"folder": "inbox/", "settle": 0}])
    first = _sync(job, extractor)
    assert first.exit_code == 1 and any("dated.md:3" in f for f in first.run.failures)
    assert [r[1:] for r in _items(tmp_path) if r[3] == "dead"] == [("dated.md", None, "dead")]
    bad.write_text("---\ntitle: Dated\npublished: 2026-11-30\n---\n" + article(50), encoding="utf-8")
    fixed = _sync(job, extractor)
    assert fixed.exit_code == 0 and fixed.sources["inbox/"].new == 1
    assert [r for r in _items(tmp_path) if r[3] == "dead"] == []
    from kg.sync import status

    assert status(job).sources[0][1].dead == 0
