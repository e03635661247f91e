"""Sentence boundaries the parser must respect: line and paragraph breaks, and the edges of boilerplate.

The pipeline component ``kg_lines`` (added before the parser by :func:`kg.extract.pipeline.load_pipeline`)
marks the first word after a line break as a sentence start, so that a title, a subtitle, a newsletter line
and the paragraph after it are never one sentence (spaCy's parser keeps boundaries set before it). One
exception: a single line break inside a sentence of hard-wrapped text, where the line does not end like a
sentence and the next line goes on in lower case, is no boundary. A blank line always is.

Offsets in ``doc.user_data[BREAKS]`` (character offsets into the Doc's text; the extractor puts the edges
of boilerplate spans there, see :func:`boundary_offsets`) start sentences too: no sentence crosses a
boilerplate span. Without that entry the component finds the boilerplate of the Doc's own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.boilerplate import boilerplate_spans

BREAKS = "kg_breaks"  # user_data key: character offsets where a sentence must start
TEXT = "kg_text"  # user_data key: the text the Doc was made from (``doc.text`` rebuilds it from every token)
_LINE_BREAK = re.compile(r"\n\s*")
_ENDS_SENTENCE = frozenset(".!?:;\"'”’)»…|")
_HORIZONTAL = " \t\r\f\v\u00a0"


def line_starts(text: str) -> list[int]:
    """Offsets of the first character of each line that starts a sentence (not the first line)."""
    starts: list[int] = []
    for match in _LINE_BREAK.finditer(text):
        start = match.end()
        if start >= len(text):
            break
        if match.group().count("\n") == 1 and text[start].islower():
            i = match.start() - 1
            while i >= 0 and text[i] in _HORIZONTAL:
                i -= 1
            if i >= 0 and text[i] not in _ENDS_SENTENCE:
                continue  # hard-wrapped text: the sentence goes on on the next line
        starts.append(start)
    return starts


def doc_text(doc: Doc) -> str:
    """The Doc's text: the one the extractor made it from, else rebuilt by spaCy (a Doc's text cannot change)."""
    text = doc.user_data.get(TEXT)
    return text if isinstance(text, str) else doc.text


def boundary_offsets(spans: Iterable[tuple[int, int]]) -> list[int]:
    """Where sentences must start so that none crosses one of ``spans`` (boilerplate): at both edges."""
    return sorted({offset for span in spans for offset in span})


def set_sentence_starts(doc: Doc, offsets: Iterable[int]) -> int:
    """Mark the first non-space token at or after each offset as a sentence start; how many were marked."""
    wanted = sorted(set(offsets))
    if len(doc) < 2 or not wanted:
        return 0
    idx = doc.to_array(IDX)
    marked = 0
    for i in numpy.searchsorted(idx, wanted).tolist():
        while i < len(doc) and doc[i].is_space:
            i += 1
        if 0 < i < len(doc):
            token = doc[i]
            if token.is_sent_start is not True:
                token.is_sent_start = True
                marked += 1
    return marked


@Language.factory("kg_lines")
def _make_lines(nlp: Language, name: str) -> LineBreaks:
    return LineBreaks()


class LineBreaks:
    """Pipeline component: line breaks and boilerplate edges start sentences (see the module docstring)."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        breaks = doc.user_data.get(BREAKS)
        if breaks is None:
            breaks = boundary_offsets(boilerplate_spans(text))
        set_sentence_starts(doc, [*line_starts(text), *breaks])
        return doc


def sentence_spans(sentences: Sequence[Span]) -> list[tuple[int, int]]:
    """Character spans of the sentences without the whitespace (line breaks) at their edges."""
    spans: list[tuple[int, int]] = []
    for sent in sentences:
        start, end = sent.start, sent.end
        while start < end and sent.doc[start].is_space:
            start += 1
        while end > start and sent.doc[end - 1].is_space:
            end -= 1
        if start == end:
            spans.append((sent.start_char, sent.start_char))
        else:
            spans.append((sent.doc[start].idx, sent.doc[end - 1].idx + len(sent.doc[end - 1].text)))
    return spans
