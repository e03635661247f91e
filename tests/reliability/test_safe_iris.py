"""Issue 9 item 7: safe IRIs. Every IRI component is percent-encoded (``/``, dot-segments and every reserved
character), so distinct document ids give distinct IRIs, all inside the base, none of them inside another
document's IRI space (``<doc IRI>/...``, where its evidence lives), and both rdflib and pyoxigraph read them.
A property test (hypothesis) over arbitrary ids, and the ids of the issue."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.mapping import Mapping, load_mapping, slug

MAPPING = load_mapping()
BASE = MAPPING.base
# arbitrary text, lone surrogates included (a file name that was not UTF-8 becomes one), plus the nasty ones
IDS = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40),
    st.lists(st.sampled_from([".", "..", "/", "%", "%2E", "%2e", "ev", "a", "#", "?", " ", "~"]), max_size=8).map("".join),
)


def _iris(mapping: Mapping, doc_id: str) -> dict[str, str]:
    doc = mapping.document_iri(doc_id)
    return {"document": doc, "event": mapping.event_iri(doc_id, 3, 9),
            "evidence": f"{doc}/ev/0123456789abcdef"}  # how kg.mapping._evidence_iri builds them


def _segments(iri: str) -> list[str]:
    return urlsplit(iri).path.split("/")


def _normalised(iri: str) -> str:
    """What a normalising tool makes of it: percent-decoded dots (RFC 3986 / WHATWG), dot-segments removed."""
    parts = urlsplit(iri)
    segments = ["." if unquote(s).lower() == "." else ".." if unquote(s) == ".." else s for s in parts.path.split("/")]
    return f"{parts.scheme}://{parts.netloc}{posixpath.normpath('/'.join(segments))}"


def _read_back(iri: str) -> tuple[str, str]:
    line = f"<{iri}> <https://w3id.org/kg-news/ont#p> <{iri}> <{iri}> .\n"
    quad = next(iter(ox.parse(line.encode("utf-8"), format=ox.RdfFormat.N_QUADS)))
    dataset = rdflib.Dataset()
    dataset.parse(data=line, format="nquads")
    (s, _, o, g), = dataset.quads((None, None, None, None))
    assert str(s) == str(o) == str(g.identifier if hasattr(g, "identifier") else g)
    return quad.subject.value, str(s)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=IDS, b=IDS)
def test_distinct_ids_give_distinct_iris_inside_the_base_and_their_own_space(a: str, b: str) -> None:
    ia, ib = _iris(MAPPING, a), _iris(MAPPING, b)
    for iris in (ia, ib):
        for iri in iris.values():
            assert iri.startswith(BASE)
            assert _normalised(iri).startswith(BASE.rstrip("/"))  # no id climbs out of the base
            assert not {".", ".."} & set(_segments(iri))
        assert _segments(iris["document"])[-1] and "/" not in iris["document"][len(BASE + "doc/"):]
        assert iris["evidence"].startswith(iris["document"] + "/")  # the Neo4j sink relies on this
    if a != b:
        assert ia["document"] != ib["document"] and ia["event"] != ib["event"]
        assert _normalised(ia["document"]) != _normalised(ib["document"])
        for iri in ib.values():  # nothing of b lies in a's space
            assert not iri.startswith(ia["document"] + "/") and iri != ia["document"]


@settings(max_examples=150, deadline=None)
@given(doc_id=IDS)
def test_both_parsers_read_every_minted_iri(doc_id: str) -> None:
    for iri in _iris(MAPPING, doc_id).values():
        assert _read_back(iri) == (iri, iri)


@settings(max_examples=150, deadline=None)
@given(name=IDS)
def test_entity_names_stay_one_segment(name: str) -> None:
    iri = MAPPING.entity_iri("https://w3id.org/kg-news/ont#Person", name)
    assert iri.startswith(BASE + "person/") and "/" not in iri[len(BASE + "person/"):]
    assert slug(name) not in {".", ".."}
    assert _read_back(iri) == (iri, iri)


@pytest.mark.parametrize(("doc_id", "expected"), [
    ("../../etc/passwd", "doc/..%2F..%2Fetc%2Fpasswd"),
    ("a/b/c", "doc/a%2Fb%2Fc"),
    ("a/ev/0123456789abcdef", "doc/a%2Fev%2F0123456789abcdef"),
    ("..", "doc/%FF.."),
    ("front-visit", "doc/front-visit"),
])
def test_the_ids_of_the_issue(doc_id: str, expected: str) -> None:
    iri = MAPPING.document_iri(doc_id)
    assert iri == BASE + expected
    assert iri != _iris(MAPPING, "a")["evidence"]
    assert _normalised(iri) == iri
