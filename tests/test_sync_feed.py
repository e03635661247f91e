"""kg sync over RSS/Atom feeds served by a real http.server on 127.0.0.1: conditional GET (304), 429 then 200
honouring Retry-After, 500 until dead-lettered, a slow page, a page over the size cap, the user agent, entries
falling off the feed (kept), a syndicated copy under a second URL (one document, both sources), kg status."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync.articles import article, page
from sync.jobs import doc_ids, literal_values, write_job
from sync.server import FakeClock, FeedServer, Reply, html_reply, rss
from typer.testing import CliRunner

from kg.cli import app
from kg.sources.feed import parse_feed
from kg.sync import run, status
from kg.sync.report import SyncReport

FEED = "/feed.xml"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    yield srv
    srv.stop()


def _entries(server: FeedServer, numbers: list[int]) -> list[tuple[str, str, str]]:
    return [(f"urn:story:{n}", server.url(f"/story/{n}"), f"Story {n}") for n in numbers]


def _serve(server: FeedServer, numbers: list[int], etag: str = '"v1"') -> None:
    server.routes[FEED] = [Reply(200, rss(_entries(server, numbers)), {"Content-Type": "application/rss+xml"},
                                 etag=etag)]
    for n in numbers:
        server.routes.setdefault(f"/story/{n}", [html_reply(page(f"Story {n}", article(100 + n)))])


def _job(tmp_path: Path, server: FeedServer, **fetch: object) -> Path:
    options = {"timeout": "2s", "attempts": 2, **fetch}
    return write_job(tmp_path, [{"feed": server.url(FEED), "name": "gazette"}], fetch=options,
                     retry={"max_attempts": 3, "backoff": "1m"})


def _sync(job: Path, extractor: object, clock: FakeClock) -> SyncReport:
    report = run(job, extractor=extractor, clock=clock)  # type: ignore[arg-type]
    assert report.exit_code in (0, 1), report.error
    return report


def test_feed_pages_are_ingested_and_a_304_fetches_nothing(tmp_path: Path, server: FeedServer,
                                                           extractor: object) -> None:
    _serve(server, [1, 2, 3])
    job = _job(tmp_path, server)
    clock = FakeClock()
    first = _sync(job, extractor, clock)
    out = tmp_path / "out" / "news.nq"
    assert first.sources["gazette"].new == 3 and first.exit_code == 0
    assert doc_ids(out) == {"urn:story:1", "urn:story:2", "urn:story:3"}
    assert any("Report number 101" in q for q in literal_values(out, "urn%3Astory%3A1"))
    assert not any("All rights reserved" in q for q in literal_values(out, "urn%3Astory%3A1"))  # main text only
    assert all(r.headers.get("User-Agent", "").startswith("kg/") for r in server.requests)

    clock.advance(900)
    second = _sync(job, extractor, clock)
    feed_hits = server.hits(FEED)
    assert feed_hits[-1].headers.get("If-None-Match") == '"v1"'
    assert second.run.documents == 0 and len(server.hits("/story/1")) == 1  # 304: no page fetched again


def test_new_entries_are_fetched_and_entries_off_the_feed_are_kept(tmp_path: Path, server: FeedServer,
                                                                    extractor: object) -> None:
    _serve(server, [1, 2])
    job = _job(tmp_path, server)
    clock = FakeClock()
    _sync(job, extractor, clock)
    _serve(server, [3, 2], etag='"v2"')  # 1 fell off, 3 is new
    report = _sync(job, extractor, clock)
    counts = report.sources["gazette"]
    assert (counts.new, counts.unchanged, counts.retracted) == (1, 1, 0)
    assert doc_ids(tmp_path / "out" / "news.nq") == {"urn:story:1", "urn:story:2", "urn:story:3"}
    assert len(server.hits("/story/2")) == 1


def test_429_then_200_honours_retry_after(tmp_path: Path, server: FeedServer, extractor: object) -> None:
    _serve(server, [1])
    server.routes["/story/1"] = [Reply(429, b"slow down", {"Retry-After": "1"}),
                                 html_reply(page("Story 1", article(101)))]
    report = _sync(_job(tmp_path, server), extractor, FakeClock())
    hits = server.hits("/story/1")
    assert len(hits) == 2 and hits[1].at - hits[0].at >= 0.95
    assert report.sources["gazette"].new == 1 and report.exit_code == 0


def test_a_page_that_keeps_failing_ends_as_a_dead_letter(tmp_path: Path, server: FeedServer,
                                                         extractor: object) -> None:
    _serve(server, [1, 2])
    server.routes["/story/2"] = [Reply(500, b"oops")]
    job = _job(tmp_path, server)
    clock = FakeClock()
    first = _sync(job, extractor, clock)
    assert first.exit_code == 1 and first.sources["gazette"].new == 1 and first.sources["gazette"].failed == 1
    assert len(server.hits("/story/2")) == 2  # tried twice within the pass (attempts: 2)

    waiting = status(job, now=clock.now())
    summary = waiting.sources[0][1]
    assert (summary.documents, summary.retry, summary.dead) == (1, 1, 0)
    assert summary.next_retry == clock.now() + 60

    early = _sync(job, extractor, clock)  # not due yet: not fetched, and the job is not blocked
    assert early.sources["gazette"].waiting == 1 and len(server.hits("/story/2")) == 2 and early.exit_code == 0
    clock.advance(61)
    _sync(job, extractor, clock)
    clock.advance(121)
    last = _sync(job, extractor, clock)
    assert last.sources["gazette"].dead == 1
    result = CliRunner().invoke(app, ["status", str(job)])
    assert result.exit_code == 0, result.output
    assert "gazette: 1 documents" in result.stdout
    assert "dead letters: 1" in result.stdout and "/story/2" in result.stdout and "HTTP 500" in result.stdout
    clock.advance(10_000)
    _sync(job, extractor, clock)
    assert len(server.hits("/story/2")) == 6  # 3 passes x 2 attempts, then never again


def test_a_slow_page_times_out_and_the_rest_is_synced(tmp_path: Path, server: FeedServer, extractor: object) -> None:
    _serve(server, [1, 2])
    server.routes["/story/2"] = [html_reply(page("Story 2", article(102)), delay=3.0)]
    report = _sync(_job(tmp_path, server, attempts=1), extractor, FakeClock())
    assert report.sources["gazette"].new == 1 and report.exit_code == 1
    assert any("/story/2" in f and ("timed out" in f or "too slow" in f) for f in report.run.failures)


def test_a_page_over_the_size_cap_is_dead_at_once(tmp_path: Path, server: FeedServer, extractor: object) -> None:
    _serve(server, [1, 2])
    server.routes["/story/2"] = [html_reply(page("Story 2", article(102) * 200))]
    job = _job(tmp_path, server, max_bytes=20_000)
    report = _sync(job, extractor, FakeClock())
    assert report.sources["gazette"].dead == 1 and len(server.hits("/story/2")) == 1
    assert any("size cap" in f for f in report.run.failures)
    with sqlite3.connect(tmp_path / "state" / "news.sqlite") as db:
        (row,) = db.execute("SELECT status, attempts FROM items WHERE locator = 'urn:story:2'").fetchall()
    assert row == ("dead", 1)


def test_a_syndicated_copy_is_one_document_with_both_sources(tmp_path: Path, server: FeedServer,
                                                              extractor: object) -> None:
    _serve(server, [1, 2])
    server.routes["/story/2"] = [html_reply(page("Story 1", article(101)))]  # the same article as /story/1
    report = _sync(_job(tmp_path, server), extractor, FakeClock())
    assert report.run.documents == 1 and report.sources["gazette"].duplicates == 1
    assert doc_ids(tmp_path / "out" / "news.nq") == {"urn:story:1"}
    with sqlite3.connect(tmp_path / "state" / "news.sqlite") as db:
        rows = db.execute("SELECT url, doc_id, status FROM items ORDER BY url").fetchall()
    assert rows == [(server.url("/story/1"), "urn:story:1", "ok"), (server.url("/story/2"), "urn:story:1", "duplicate")]


def test_an_unreachable_feed_is_a_source_failure(tmp_path: Path, server: FeedServer, extractor: object) -> None:
    server.routes[FEED] = [Reply(503, b"down")]
    job = _job(tmp_path, server)
    report = _sync(job, extractor, FakeClock())
    assert report.exit_code == 1 and report.sources["gazette"].error is not None
    summary = status(job).sources[0][1]
    assert summary.last_failure is not None and "HTTP 503" in (summary.last_error or "")


def test_feed_entry_content_mode_fetches_no_page(tmp_path: Path, server: FeedServer, extractor: object) -> None:
    body = rss(_entries(server, [5])).replace(b"<title>Story 5</title>",
                                              b"<title>Story 5</title><description>" + article(105).encode()
                                              + b"</description>")
    server.routes[FEED] = [Reply(200, body)]
    job = write_job(tmp_path, [{"feed": server.url(FEED), "content": "entry"}])
    report = _sync(job, extractor, FakeClock())
    assert report.run.documents == 1 and server.hits("/story/5") == []


def test_parse_feed_reads_atom_and_refuses_html() -> None:
    atom = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b'<entry><id>tag:x,2026:1</id><link href="http://x/1"/><title>One</title>'
            b'<updated>2026-11-30T10:00:00Z</updated><content type="html">&lt;p&gt;Text&lt;/p&gt;</content></entry>'
            b"</feed>")
    entries = parse_feed(atom, "atom")
    assert not isinstance(entries, Exception)
    assert [(e.id, e.link, e.published) for e in entries] == [("tag:x,2026:1", "http://x/1", "2026-11-30T10:00:00+00:00")]
    refused = parse_feed(b"<html><body>not a feed</body></html>", "page.html")
    assert isinstance(refused, Exception) and "not an RSS or Atom feed" in str(refused)


def test_a_saved_feed_file_is_a_source_kind(tmp_path: Path) -> None:
    from kg.sources import iter_documents

    body = rss([("urn:a", "http://x/a", "A")]).replace(
        b"<title>A</title>", b"<title>A</title><description>&lt;p&gt;" + article(1).encode() + b"&lt;/p&gt;</description>")
    (tmp_path / "saved.rss").write_bytes(body)
    docs = list(iter_documents([str(tmp_path / "saved.rss")]))
    assert [getattr(d, "id", None) for d in docs] == ["urn:a"]
    assert "Report number 1" in docs[0].text  # type: ignore[union-attr]


def test_last_modified_is_sent_back_and_the_state_is_wal(tmp_path: Path, server: FeedServer,
                                                         extractor: object) -> None:
    stamp = "Mon, 30 Nov 2026 10:00:00 GMT"
    server.routes[FEED] = [Reply(200, rss(_entries(server, [1])), {"Last-Modified": stamp}),
                           Reply(304, b"", {"Last-Modified": stamp})]
    server.routes["/story/1"] = [html_reply(page("Story 1", article(101)))]
    job = _job(tmp_path, server)
    clock = FakeClock()
    _sync(job, extractor, clock)
    second = _sync(job, extractor, clock)
    assert server.hits(FEED)[1].headers.get("If-Modified-Since") == stamp
    assert "If-None-Match" not in server.hits(FEED)[1].headers
    assert second.run.documents == 0 and second.exit_code == 0
    with sqlite3.connect(tmp_path / "state" / "news.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT etag, last_modified, http_status FROM feeds").fetchall() == [(None, stamp, 304)]


def test_a_long_retry_after_is_left_to_a_later_pass(tmp_path: Path, server: FeedServer, extractor: object) -> None:
    _serve(server, [1])
    server.routes["/story/1"] = [Reply(503, b"busy", {"Retry-After": "3600"}), html_reply(page("S", article(101)))]
    job = _job(tmp_path, server)
    clock = FakeClock()
    first = _sync(job, extractor, clock)
    assert len(server.hits("/story/1")) == 1 and first.sources["gazette"].failed == 1  # not waited for in the pass
    assert status(job, now=clock.now()).sources[0][1].next_retry == clock.now() + 3600
    clock.advance(1800)
    assert _sync(job, extractor, clock).sources["gazette"].waiting == 1
    clock.advance(1801)
    assert _sync(job, extractor, clock).sources["gazette"].new == 1


def test_retry_after_as_an_http_date() -> None:
    from kg.sync.fetch import retry_after_seconds

    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Mon, 30 Nov 2026 10:01:00 GMT", now=1_796_032_800.0) == 60
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
