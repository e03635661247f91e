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
from kg.extract.assemble import Assembler, Piece, Stats, headline_count
from kg.extract.boilerplate import boilerplate_spans
from kg.extract.coref_events import event_parents
from kg.extract.entities import extract_entities
from kg.extract.events import extract_events
from kg.extract.lexicon import load_gazetteer, load_lexicon
from kg.extract.pipeline import load_pipeline
from kg.extract.relations import extract_relations
from kg.extract.sentences import BREAKS, TEXT, boundary_offsets, doc_text, sentence_spans
from kg.records import DocRecord, Document
from kg.settings import ExtractSettings

CHUNK_CHARS = 20_000  # texts are parsed and extracted in line-aligned pieces of at most this many characters
BATCH_CHARS = 100_000  # characters per nlp.pipe batch: a batch's memory grows with its text
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")

Spans = list[tuple[int, int]]


class Extractor:
    def __init__(self, settings: ExtractSettings | None = None) -> None:
        self.settings = settings or ExtractSettings()
        self.gazetteer = load_gazetteer(self.settings.gazetteers)
        self.lexicon = load_lexicon(self.settings.triggers)
        self.nlp = load_pipeline(self.settings.model, self.gazetteer)
        self.nlp.max_length = max(self.nlp.max_length, CHUNK_CHARS * 4)
        meta = self.nlp.meta
        self.model_name = f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"
        self.stats = Stats()  # of the last document extracted
        self.tree = event_parents(self.lexicon.events)
        self.ongoing = frozenset(key for key, entry in self.lexicon.events.items() if "ongoing" in entry.traits)
        self._warm_up()

    def _warm_up(self) -> None:
        """Load what the rules load lazily (country and region names, the date parser) now, not on the
        first documents."""
        text = "Iranian troops attacked Idlib province on January 18, 2015."
        self.rules(Document(id="warm-up", text=text, sha256=""), self.nlp(text))

    def extract(self, document: Document) -> DocRecord:
        return next(iter(self.extract_many([document])))

    def extract_many(self, documents: Iterable[Document]) -> Iterator[DocRecord]:
        """Parse documents with ``nlp.pipe`` and apply the rules to each, in order.

        Each text is parsed in line-aligned pieces of at most CHUNK_CHARS, in batches of at most BATCH_CHARS
        (or ``spacy_batch_size`` pieces); the rules run on each piece as soon as it is parsed, and the pieces
        of a document are assembled into its record (:mod:`kg.extract.assemble`). Memory is bounded by the
        batch, whatever the length of a document."""
        for batch in _batches(documents, self.settings.spacy_batch_size):
            assemblers: dict[int, Assembler] = {}
            skips: dict[int, Spans] = {}
            for (number, offset, length, last), doc in self._parsed(batch, skips):
                document = batch[number]
                assembler = assemblers.get(number) or Assembler(document, self.gazetteer, self.model_name, self.tree, self.ongoing)
                assemblers[number] = assembler
                assembler.add(self._piece(document, doc, offset, skips[number]), length)
                if last:
                    del assemblers[number], skips[number]
                    record = assembler.finish()
                    self.stats = assembler.stats
                    yield record

    def _parsed(self, batch: list[Document], skips: dict[int, Spans]) -> Iterator[tuple[tuple[int, int, int, bool], Doc]]:
        """(document number, piece offset, piece length, last piece?) and the parsed piece, in order."""
        pending: list[tuple[tuple[int, int, int, bool], Doc]] = []
        size = 0
        for number, document in enumerate(batch):
            skips[number] = skip = boilerplate_spans(document.text)
            edges = boundary_offsets(skip)
            pieces = split_text(document.text)
            for index, (offset, piece) in enumerate(pieces):
                doc = self.nlp.make_doc(piece)
                first = bisect.bisect_right(edges, offset)
                last = bisect.bisect_left(edges, offset + len(piece))
                doc.user_data[BREAKS] = [o - offset for o in edges[first:last]]
                doc.user_data[TEXT] = piece
                pending.append(((number, offset, len(piece), index == len(pieces) - 1), doc))
                size += len(piece)
                if size >= BATCH_CHARS or len(pending) >= self.settings.spacy_batch_size:
                    yield from self._pipe(pending)
                    pending, size = [], 0
        yield from self._pipe(pending)

    def _pipe(self, pending: list[tuple[tuple[int, int, int, bool], Doc]]) -> Iterator[tuple[tuple[int, int, int, bool], Doc]]:
        if not pending:
            return
        parsed = self.nlp.pipe([doc for _, doc in pending], batch_size=len(pending))
        for (meta, _), doc in zip(pending, parsed, strict=True):
            yield meta, doc

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
        """Everything after the spaCy pipeline for a text parsed in one piece: entities, events, relations."""
        if doc.text != document.text:  # only possible if a component changed the text
            raise InputError("parsed text does not match the document text", where=document.source or document.id)
        assembler = Assembler(document, self.gazetteer, self.model_name, self.tree, self.ongoing)
        assembler.add(self._piece(document, doc, 0, boilerplate_spans(document.text)), len(document.text))
        return assembler.finish()

    def _piece(self, document: Document, doc: Doc, offset: int, skip: Spans) -> Piece:
        """The rules on one parsed piece of a document (at ``offset``); boilerplate ``skip`` spans are
        document offsets."""
        text = doc_text(doc)
        if text != document.text[offset: offset + len(text)]:
            raise InputError("parsed text does not match the document text", where=document.source or document.id)
        local = [(max(s - offset, 0), e - offset) for s, e in skip if e > offset and s < offset + len(text)]
        starts = [s for s, _ in local]

        def ignore(start: int, end: int) -> bool:
            i = bisect.bisect_right(starts, start) - 1
            return (i >= 0 and local[i][1] > start) or (i + 1 < len(local) and local[i + 1][0] < end)

        sentences = list(doc.sents)
        sentence_index = [0] * len(doc)
        for number, sent in enumerate(sentences):
            for i in range(sent.start, sent.end):
                sentence_index[i] = number

        def sentence_of(token_i: int) -> int:
            return sentence_index[token_i]

        spans = sentence_spans(sentences)
        headline = headline_count(text, spans) if offset == 0 else 0
        index = extract_entities(doc, self.gazetteer, sentence_of, ignore)
        found = extract_events(doc, self.lexicon, index, sentence_of, ignore, document.published, headline)
        relations = extract_relations(doc, index, sentence_of)
        years = [int(y) for ent in doc.ents if ent.label_ == "DATE" for y in _YEAR.findall(ent.text)]
        return Piece(offset, spans, index.entities, found, tuple(relations), years)


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def split_text(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) of at most ~``limit`` characters that end at line breaks (else at a sentence end, else at
    a space); joined they give back ``text`` exactly."""
    return list(_offsets(_split(text, limit)))


def _offsets(pieces: list[str]) -> Iterator[tuple[int, str]]:
    start = 0
    for piece in pieces:
        yield start, piece
        start += len(piece)


def _split(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Pieces of at most ~``limit`` characters that end at line breaks; joined they give back ``text`` exactly."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                match = list(re.finditer(r"[.!?]\s", text[start:end]))
                cut = start + match[-1].end() - 1 if match else text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        pieces.append(text[start:end])
        start = end
    return pieces
