"""Fast per-document word lists: lower-cased forms and lemmas of every token, read from the Doc's arrays.

Building spaCy ``Token`` objects for every token in every rule is a large part of the rules' cost; the
rules use these lists to find the few tokens worth looking at and only then touch ``Token`` objects.
"""

from __future__ import annotations

from spacy.attrs import LEMMA, LOWER
from spacy.tokens import Doc


def words(doc: Doc) -> tuple[list[str], list[str]]:
    """(lower-cased texts, lower-cased lemmas) of the tokens, in order; computed once per Doc."""
    cached = doc.user_data.get("kg_words")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    strings = doc.vocab.strings
    seen: dict[int, str] = {}

    def text(key: int) -> str:
        value = seen.get(key)
        if value is None:
            value = seen[key] = strings[key].lower()
        return value

    rows: list[list[int]] = doc.to_array([LOWER, LEMMA]).tolist() if len(doc) else []
    lowers = [text(row[0]) for row in rows]
    lemmas = [text(row[1]) for row in rows]
    doc.user_data["kg_words"] = (lowers, lemmas)
    return lowers, lemmas
