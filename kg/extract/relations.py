"""Relations between entities that the text states, each with its evidence span.

Patterns (on the dependency parse):
- apposition: "X, the commander of Y" (commands), "X, chief of Y" (leaderOf), "X, a senior Y commander"
  (memberOf), "X, a member of Y" (memberOf);
- title before a name: "Hezbollah chief Hassan Nasrallah" (leaderOf), "Iranian general Qassem Soleimani"
  (nationality), "IRGC commander X" (commands/memberOf);
- organisations: "Y's X" and "X of Y" where X is a unit (subOrganizationOf), "X is the ... arm of Y"
  (subOrganizationOf), "Y-backed X" (affiliatedWith);
- places: "X in Y province" (locatedIn).
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc, Token

from kg.extract.entities import ORG_TYPES, PLACE_TYPES, EntityIndex
from kg.records import Entity, Relation

LEADER_WORDS = frozenset({"chief", "head", "leader", "president", "founder", "emir", "chairman", "ruler",
                          "director", "secretary-general", "king", "supreme"})
COMMAND_WORDS = frozenset({"commander", "general", "chief-of-staff"})
MEMBER_WORDS = frozenset({"member", "fighter", "officer", "spokesman", "spokeswoman", "spokesperson",
                          "soldier", "militant", "official", "operative", "adviser", "advisor", "minister",
                          "envoy", "colonel", "brigadier", "lieutenant", "captain", "major", "diplomat",
                          "ambassador", "agent", "cleric", "deputy", "aide"})
BRANCH_WORDS = frozenset({"arm", "branch", "wing", "unit", "division", "part", "brigade", "force", "affiliate"})
ROLE_WORDS = LEADER_WORDS | COMMAND_WORDS | MEMBER_WORDS


class _Relations:
    def __init__(self, doc: Doc, index: EntityIndex, sentence_of: Callable[[int], int]) -> None:
        self.doc = doc
        self.index = index
        self.entities: dict[str, Entity] = {e.id: e for e in index.entities}
        self.sentence_of = sentence_of
        self.found: dict[tuple[str, str, str], Relation] = {}

    def type_of(self, entity_id: str) -> str:
        return self.entities[entity_id].type

    def add(self, rel: str, head: str | None, tail: str | None, tokens: list[Token], rule: str, conf: float) -> None:
        if head is None or tail is None or head == tail:
            return
        key = (rel, head, tail)
        if key in self.found:
            return
        start = min(t.idx for t in tokens)
        end = max(t.idx + len(t) for t in tokens)
        self.found[key] = Relation(rel, head, tail, start, end, self.sentence_of(tokens[0].i), conf, rule)

    def org_in(self, token: Token) -> tuple[str | None, Token | None]:
        """The organisation or state a phrase names: its head, 'of Y', appositions, modifiers, possessors.

        Units, armed groups and organisations win over states ("chief of Iran's Revolutionary Guard").
        """
        found: list[tuple[int, int, str, Token]] = []
        todo = [(token, 0)]
        while todo:
            current, depth = todo.pop(0)
            entity = self.index.entity_at(current)
            if entity and self.type_of(entity) in ORG_TYPES:
                found.append((self.type_of(entity) == "state", depth, entity, current))
                continue
            if depth == 2:
                continue
            for child in current.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    todo += [(gc, depth + 1) for gc in child.children if gc.dep_ == "pobj"]
                elif child.dep_ in {"compound", "amod", "nmod", "poss", "appos"}:
                    todo.append((child, depth + 1))
        if not found:
            return None, None
        _, _, entity, tok = min(found, key=lambda item: (item[0], item[1]))
        return entity, tok

    def role_relation(self, person: str, role: Token, anchor: Token, rule: str) -> None:
        """person + role noun phrase ("the commander of Y", "a senior Y commander", "chief of Y")."""
        word = role.lemma_.lower()
        if word not in ROLE_WORDS:
            return
        org, org_tok = self.org_in(role)
        if org is None or org_tok is None:
            return
        definite = any(c.dep_ == "det" and c.lower_ == "the" for c in role.children) or not any(
            c.dep_ == "det" for c in role.children)
        via_of = org_tok.head.dep_ == "prep" or any(c.dep_ == "prep" and c.lower_ == "of" for c in role.children)
        if self.type_of(org) == "state" and org_tok.ent_type_ == "NORP" and not via_of:
            self.add("nationality", person, org, [anchor, role, org_tok], rule + "-nationality", 0.75)
            return
        if word in LEADER_WORDS and (definite or via_of):
            rel = "leaderOf"
        elif word in COMMAND_WORDS and definite and via_of:
            rel = "commands"
        elif word in COMMAND_WORDS and (word == "commander" and definite):
            rel = "commands"
        else:
            rel = "memberOf"
        self.add(rel, person, org, [anchor, role, org_tok], rule, 0.8 if rel != "memberOf" else 0.7)

    def run(self) -> list[Relation]:
        doc = self.doc
        for i in sorted(self.index.by_token):
            token = doc[i]
            person = self.index.by_token[i]
            etype = self.type_of(person)
            start, end = self.index.spans[token.i]
            if token.i != end - 1 and doc[end - 1].head.i in range(start, end):
                continue  # handle each mention once, at its head (last) token
            if etype == "person":
                # "X, the commander of Y" / "X, a senior Y commander"
                for child in token.children:
                    if child.dep_ == "appos":
                        self.role_relation(person, child, token, "apposition")
                if token.dep_ == "appos":
                    self.role_relation(person, token.head, token, "apposition")
                # "Hezbollah chief Hassan Nasrallah", "Iranian general X": a title noun before the name.
                for child in token.children:
                    if child.dep_ == "compound" and child.lemma_.lower() in ROLE_WORDS:
                        self.role_relation(person, child, token, "title")
                if start > 0:
                    prev = doc[start - 1]
                    if prev.lemma_.lower() in ROLE_WORDS and prev.i not in self.index.by_token:
                        self.role_relation(person, prev, token, "title")
                        # "Iranian general X", "Iranian Supreme Leader Ayatollah X"
                        first = start - 1
                        while first > 0 and doc[first - 1].i not in self.index.by_token and (
                                doc[first - 1].lemma_.lower() in ROLE_WORDS or doc[first - 1].pos_ in {"ADJ", "PROPN"}):
                            first -= 1
                        if first > 0:
                            found = self.index.entity_at(doc[first - 1])
                            if found and self.type_of(found) == "state":
                                self.add("nationality", person, found, [doc[first - 1], token], "demonym-title", 0.7)
            elif etype in ORG_TYPES - {"state"}:
                self.org_relations(person, token)
            elif etype in PLACE_TYPES - {"state"}:
                for prep in token.children:
                    if prep.dep_ == "prep" and prep.lower_ in {"in", "of"}:
                        for obj in prep.children:
                            found, tok = self._place_in(obj)
                            if found:
                                self.add("locatedIn", person, found, [token, tok], "place-in-place", 0.7)
        return list(self.found.values())

    def _place_in(self, token: Token) -> tuple[str | None, Token]:
        for tok in [token, *token.children]:
            found = self.index.entity_at(tok)
            if found and self.type_of(found) in PLACE_TYPES:
                return found, tok
        return None, token

    def org_relations(self, org: str, token: Token) -> None:
        own_type = self.type_of(org)
        for child in token.children:
            # "Iran's Revolutionary Guard", "Hezbollah's Radwan Force"
            if child.dep_ in {"poss", "compound", "amod", "nmod"} and own_type == "unit":
                parent = self.index.entity_at(child)
                if parent and parent != org and self.type_of(parent) in ORG_TYPES:
                    self.add("subOrganizationOf", org, parent, [child, token], "possessive-unit", 0.75)
            # "the Quds Force of the Revolutionary Guards"
            if child.dep_ == "prep" and child.lower_ == "of" and own_type == "unit":
                for obj in child.children:
                    parent, tok = self.org_in(obj)
                    if parent and tok is not None:
                        self.add("subOrganizationOf", org, parent, [token, tok], "unit-of", 0.75)
            # "the Iranian-backed group Hezbollah", "Iran-backed Houthis"
            if child.dep_ in {"amod", "compound", "npadvmod"}:
                words = {t.lower_ for t in child.subtree}
                if words & {"backed", "-backed", "supported"}:
                    for tok in child.subtree:
                        patron = self.index.entity_at(tok)
                        if patron and patron != org:
                            self.add("affiliatedWith", org, patron, [tok, token], "backed-by", 0.7)
        # "X is the de facto overseas operational arm of the Y" / "X, a unit of Y"
        links = []
        if token.dep_ == "nsubj":
            links = [c for c in token.head.children if c.dep_ in {"attr", "acomp"}]
        links += [c for c in token.children if c.dep_ == "appos"]
        for link in links:
            if link.lemma_.lower() in BRANCH_WORDS:
                for prep in link.children:
                    if prep.dep_ == "prep" and prep.lower_ == "of":
                        for obj in prep.children:
                            parent, tok = self.org_in(obj)
                            if parent and tok is not None:
                                self.add("subOrganizationOf", org, parent, [token, link, tok], "branch-of", 0.8)
            elif link.lemma_.lower() in {"group", "militia", "organization", "organisation", "movement"}:
                continue


def extract_relations(doc: Doc, index: EntityIndex, sentence_of: Callable[[int], int]) -> list[Relation]:
    return _Relations(doc, index, sentence_of).run()
