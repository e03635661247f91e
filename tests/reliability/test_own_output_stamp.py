"""An .nq file kg wrote, unchanged since, is merged without being parsed again (kg.sinks.rdf.quadfile.stamp):
the same result as the checked path, and any other change to the file brings the full check back."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import TargetError
from kg.mapping import MappedDoc, map_record
from kg.sinks.rdf import RdfWriter, retract_graphs, write_rdf
from kg.sinks.rdf.quadfile import stamp, stamped

STAMP = "user.kg.nquads"


@pytest.fixture(scope="module")
def docs(example_records, mapping) -> list[MappedDoc]:  # type: ignore[no-untyped-def]
    mapped = [map_record(r, mapping) for r in example_records]
    return [replace(mapped[i % len(mapped)], doc_iri=f"{mapped[i % len(mapped)].doc_iri}-{i}") for i in range(6)]


def _quads(path: Path) -> set[ox.Quad]:
    return set(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def _unstamp(path: Path) -> None:
    os.removexattr(path, STAMP)
    assert not stamped(path)


def test_kg_stamps_the_nq_files_it_writes_and_nothing_else(tmp_path: Path, docs: list[MappedDoc]) -> None:
    write_rdf(docs[:2], tmp_path / "a.nq")
    write_rdf(docs[:2], tmp_path / "a.trig")
    assert stamped(tmp_path / "a.nq")
    assert not stamped(tmp_path / "a.trig")
    with open(tmp_path / "a.nq", "ab") as handle:  # any later write: the stamp no longer matches
        handle.write(b"\n")
    assert not stamped(tmp_path / "a.nq")


def test_merge_and_retract_give_the_same_graphs_with_and_without_the_stamp(tmp_path: Path,
                                                                          docs: list[MappedDoc]) -> None:
    results = []
    for name, trusted in (("fast", True), ("checked", False)):
        out = tmp_path / f"{name}.nq"
        write_rdf(docs[:4], out)
        if not trusted:
            _unstamp(out)
        changed = replace(docs[1], nodes=docs[1].nodes[:-1])  # one node fewer: its graph must be replaced
        write_rdf([changed, docs[4]], out)
        assert stamped(out)  # the merged file is kg's own too
        merged = _quads(out)
        if not trusted:
            _unstamp(out)
        retraction = retract_graphs(out, [docs[2].doc_iri, "https://w3id.org/kg-news/id/doc/never-written"])
        assert stamped(out)
        results.append((merged, retraction, _quads(out)))
    (fast_merged, fast_retraction, fast_after), (checked_merged, checked_retraction, checked_after) = results
    assert fast_merged == checked_merged
    assert {q.graph_name.value for q in fast_merged} == {d.doc_iri for d in docs[:5]}
    assert fast_retraction == checked_retraction
    assert fast_retraction.found == [docs[2].doc_iri] and fast_retraction.counts["quads"] > 0
    assert fast_after == checked_after
    assert docs[2].doc_iri not in {q.graph_name.value for q in fast_after}


def test_a_stamped_file_is_not_parsed_again(tmp_path: Path, docs: list[MappedDoc]) -> None:
    """What the stamp buys: the kept lines are copied by their graph, unparsed. (A file edited behind kg's
    back and stamped again by hand passes as it is, which is how the test sees the parser was skipped.)"""
    out = tmp_path / "graph.nq"
    write_rdf(docs[:2], out)
    foreign = b'<no-scheme> <p> "x" <' + docs[0].doc_iri.encode() + b'> .\n'
    with open(out, "r+b") as handle:
        handle.seek(0, os.SEEK_END)
        handle.write(foreign)
        stamp(handle)
    write_rdf([docs[2]], out)  # keeps docs[0]'s lines, the foreign one included, without parsing them
    assert foreign in out.read_bytes()


def test_a_file_changed_in_place_is_checked_in_full(tmp_path: Path, docs: list[MappedDoc]) -> None:
    out = tmp_path / "graph.nq"
    write_rdf(docs[:2], out)
    time.sleep(0.05)  # past the file system's timestamp granularity (coarse: a few ms), as any later edit is
    data = bytearray(out.read_bytes())
    line_3 = data.index(b"\n", data.index(b"\n") + 1) + 1
    data[line_3] = ord("x")  # same size: the third line no longer starts with an IRI
    with open(out, "r+b") as handle:
        handle.write(data)
    with pytest.raises(TargetError) as error:
        write_rdf([docs[2]], out)
    assert error.value.where == f"{out}:3"


def test_quads_in_the_default_graph_keep_the_file_unstamped(tmp_path: Path, docs: list[MappedDoc]) -> None:
    """The unparsed copy reads a line's graph from its last term, so it is only for files whose every quad
    is in a named graph; a default-graph triple kept from someone else's file stays, and keeps it checked."""
    out = tmp_path / "graph.nq"
    triple = b'<https://example.org/s> <https://example.org/p> <' + docs[0].doc_iri.encode() + b'> .\n'
    out.write_bytes(triple)
    write_rdf([docs[0]], out)
    assert not stamped(out)
    write_rdf([docs[1]], out)
    retract_graphs(out, [docs[1].doc_iri])
    assert not stamped(out)
    assert ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                   ox.NamedNode(docs[0].doc_iri), ox.DefaultGraph()) in _quads(out)
    assert docs[0].doc_iri in {q.graph_name.value for q in _quads(out) if isinstance(q.graph_name, ox.NamedNode)}


def test_writer_with_no_document_leaves_the_stamp_as_it_was(tmp_path: Path, docs: list[MappedDoc]) -> None:
    out = tmp_path / "graph.nq"
    write_rdf(docs[:1], out)
    before = (out.read_bytes(), os.getxattr(out, STAMP))
    with RdfWriter(out):
        pass
    assert (out.read_bytes(), os.getxattr(out, STAMP)) == before
