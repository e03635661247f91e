"""Extraction: Document -> DocRecord (entities, events, relations with evidence) with a spaCy pipeline (stage 2).
May import kg.records, kg.settings, kg.resources, kg.yamlio and kg.errors; never mapping, ontology IRIs or sinks.

``Extractor(settings).extract(doc)`` handles one document, ``records(items)`` a stream of them in input order;
:mod:`kg.execution` spreads the stream over processes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from itertools import islice

from spacy.tokens import Doc

from kg.errors import InputError
from kg.extract.boilerplate import boilerplate_spans
from kg.extract.entities import extract_entities
from kg.extract.events import extract_events
from kg.extract.lexicon import load_gazetteer, load_lexicon
from kg.extract.pipeline import load_pipeline
from kg.extract.relations import extract_relations
from kg.records import DocRecord, Document
from kg.settings import ExtractSettings

CHUNK_CHARS = 20_000  # long texts are parsed in line-aligned pieces and joined back with exact offsets


class Extractor:
    def __init__(self, settings: ExtractSettings | None = None) -> None:
        self.settings = settings or ExtractSettings()
        self.gazetteer = load_gazetteer(self.settings.gazetteers)
        self.lexicon = load_lexicon(self.settings.triggers)
        self.nlp = load_pipeline(self.settings.model, self.gazetteer)
        self.nlp.max_length = max(self.nlp.max_length, CHUNK_CHARS * 4)
        meta = self.nlp.meta
        self.model_name = f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"
        self._warm_up()

    def _warm_up(self) -> None:
        """Load what the rules load lazily (country and region names, the date parser) now, not on the
        first documents."""
        text = "Iranian troops attacked Idlib province on January 18, 2015."
        self.rules(Document(id="warm-up", text=text, sha256=""), self.nlp(text))

    def extract(self, document: Document) -> DocRecord:
        return next(iter(self.extract_many([document])))

    def extract_many(self, documents: Iterable[Document]) -> Iterator[DocRecord]:
        """Parse documents with ``nlp.pipe`` (batched) and apply the rules to each, in order."""
        for batch in _batches(documents, self.settings.spacy_batch_size):
            pieces: list[str] = []
            owners: list[int] = []
            for number, document in enumerate(batch):
                for piece in _split(document.text):
                    pieces.append(piece)
                    owners.append(number)
            parsed: list[list[Doc]] = [[] for _ in batch]
            for owner, spacy_doc in zip(owners, self.nlp.pipe(pieces), strict=True):
                parsed[owner].append(spacy_doc)
            for document, docs in zip(batch, parsed, strict=True):
                spacy_doc = docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)
                yield self.rules(document, spacy_doc)

    def records(self, items: Iterable[Document | InputError]) -> Iterator[DocRecord | InputError]:
        """Extract each Document of ``items`` in order, in batches; InputErrors pass through. A document whose
        extraction fails becomes an InputError naming it, and the others of its batch are still extracted."""
        pending: list[Document] = []

        def flush() -> Iterator[DocRecord | InputError]:
            for document, record in zip(pending, self._isolated(pending), strict=True):
                where = document.source or document.id
                yield record if record is not None else InputError("extraction failed", where=where)
            pending.clear()

        for item in items:
            if isinstance(item, InputError):
                yield from flush()
                yield item
            else:
                pending.append(item)
                if len(pending) >= self.settings.spacy_batch_size:
                    yield from flush()
        yield from flush()

    def _isolated(self, documents: list[Document]) -> list[DocRecord | None]:
        try:
            return list(self.extract_many(documents))
        except (ValueError, RuntimeError, MemoryError):
            # Retry one by one so that only the failing document is lost.
            out: list[DocRecord | None] = []
            for document in documents:
                try:
                    out.append(self.extract(document))
                except (ValueError, RuntimeError, MemoryError):
                    out.append(None)
            return out

    def rules(self, document: Document, doc: Doc) -> DocRecord:
        """Everything after the spaCy pipeline: entities, events, relations."""
        if doc.text != document.text:  # only possible if a component changed the text
            raise InputError("parsed text does not match the document text", where=document.source or document.id)
        skip = boilerplate_spans(document.text)
        starts = [s for s, _ in skip]

        def ignore(start: int, end: int) -> bool:
            i = bisect.bisect_right(starts, start) - 1
            return (i >= 0 and skip[i][1] > start) or (i + 1 < len(skip) and skip[i + 1][0] < end)

        sentences = list(doc.sents)
        sentence_index = [0] * len(doc)
        for number, sent in enumerate(sentences):
            for i in range(sent.start, sent.end):
                sentence_index[i] = number

        def sentence_of(token_i: int) -> int:
            return sentence_index[token_i]

        index = extract_entities(doc, self.gazetteer, sentence_of, ignore)
        events = extract_events(doc, self.lexicon, index, sentence_of, ignore, document.published)
        relations = extract_relations(doc, index, sentence_of)
        return DocRecord(
            document=document,
            sentences=tuple((s.start_char, s.end_char) for s in sentences),
            entities=index.entities,
            events=tuple(events),
            relations=tuple(relations),
            model=self.model_name,
        )


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _split(text: str) -> list[str]:
    """Pieces of at most ~CHUNK_CHARS that end at line breaks; joined they give back ``text`` exactly."""
    if len(text) <= CHUNK_CHARS:
        return [text]
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + CHUNK_CHARS, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                match = list(re.finditer(r"[.!?]\s", text[start:end]))
                cut = start + match[-1].end() - 1 if match else text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        pieces.append(text[start:end])
        start = end
    return pieces
