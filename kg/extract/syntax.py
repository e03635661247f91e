"""Repairs of one parse error the rules meet often, shared by the argument and modality rules."""

from __future__ import annotations

from spacy.tokens import Token


def joined_head(token: Token) -> Token:
    """What a token hangs on, except that a verb joined by "and" to a verb's object is joined to that verb:
    the parser often reads "attacking the village and killing civilians" as "the village and killing"."""
    head = token.head
    if token.dep_ == "conj" and token.pos_ == "VERB" and head.dep_ == "dobj" and head.pos_ != "VERB":
        return head.head
    return head
