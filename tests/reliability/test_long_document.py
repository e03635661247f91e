"""Issue 9 item 1: a long document is parsed and extracted in pieces, and every step after parsing is linear in
its length. Checked by structure, not by timing: no parse longer than a piece (the pieces are never joined),
and the work of entity merging and event coreference (lookups, candidate pairs) grows in proportion to the text.
The text is made of articles written for kg's tests, repeated."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from spacy.tokens import Doc

from kg.extract import CHUNK_CHARS, Extractor
from kg.records import DocRecord, Document

REPO = Path(__file__).resolve().parents[2]


def _articles() -> list[str]:
    texts = []
    for path in sorted((REPO / "examples" / "articles").iterdir()):
        body = path.read_text(encoding="utf-8")
        texts.append(body.split("---\n", 2)[-1] if body.startswith("---") else body)
    with open(REPO / "tests" / "data" / "event_clusters.jsonl", encoding="utf-8") as handle:
        texts += [json.loads(line)["text"] for line in handle]
    return texts


def long_text(size: int) -> str:
    articles, out, total, i = _articles(), [], 0, 0
    while total < size:
        out.append(articles[i % len(articles)].strip())
        total += len(out[-1]) + 2
        i += 1
    return "\n\n".join(out)


def extract(extractor: Extractor, text: str) -> DocRecord:
    document = Document(id="long", text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    return extractor.extract(document)


def test_long_document_is_processed_in_pieces_in_linear_work(extractor: Extractor,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []  # the length of every text the pipeline parses
    pipe = extractor.nlp.pipe

    def spy(texts: Iterable[Doc], **kwargs: object) -> Iterator[Doc]:
        for doc in pipe(texts, **kwargs):  # type: ignore[arg-type]
            parsed.append(len(doc.text))
            yield doc

    monkeypatch.setattr(extractor.nlp, "pipe", spy)
    small, large = long_text(100_000), long_text(200_000)
    runs = []
    for text in (small, large):
        parsed.clear()
        record = extract(extractor, text)
        stats = extractor.stats
        assert sum(parsed) == len(text) and max(parsed) <= CHUNK_CHARS  # never the whole text in one parse
        mentions = sum(len(e.all_mentions()) for e in record.events)
        runs.append((stats, mentions, record))
        assert stats.pieces >= len(text) // CHUNK_CHARS and stats.longest_piece <= CHUNK_CHARS
        assert stats.coref_pairs <= 60 * mentions  # a window of candidates per mention, not all earlier events
    (s_small, m_small, r_small), (s_large, m_large, r_large) = runs
    assert 1.7 <= m_large / m_small <= 2.3  # twice the text, twice the mentions ...
    assert s_large.coref_pairs / s_small.coref_pairs <= 2.5  # ... and about twice the coreference work
    assert s_large.entity_lookups / s_small.entity_lookups <= 2.5
    # offsets are the document's: every mention and sentence lies where its text says
    for record, text in ((r_small, small), (r_large, large)):
        assert all(text[m.start:m.end] == m.trigger for e in record.events for m in e.all_mentions())
        assert all(text[m.start:m.end] == m.text for e in record.entities for m in e.mentions)
        assert [s for s, _ in record.sentences] == sorted(s for s, _ in record.sentences)
    # the same article repeated far apart is one entity but not one event
    names = [e.name for e in r_large.entities]
    assert names.count("Farhad Rostami") == 1
    visits = [e for e in r_large.events if e.type == "visit" and "visited" in {m.trigger for m in e.all_mentions()}]
    assert len(visits) >= 5
