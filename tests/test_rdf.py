"""RDF output: every format read back by rdflib and pyoxigraph, named graphs, determinism, atomicity,
quad-file updates and retraction, golden graphs, streaming memory (every format, merges too), the shape of the
streamed Turtle/TriG/JSON-LD."""

from __future__ import annotations

import os
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.mapping import MappedDoc, map_record
from kg.records import DocRecord, Document
from kg.sinks.rdf import FORMATS, RdfWriter, retract_rdf, write_rdf

GOLDEN = Path(__file__).resolve().parent / "golden"
OX = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
      ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD}
RDFLIB = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld"}


@pytest.fixture(scope="module")
def mapped(example_records, mapping) -> list[MappedDoc]:  # type: ignore[no-untyped-def]
    return [map_record(r, mapping) for r in example_records]


def _ox_quads(path: Path) -> list[ox.Quad]:
    with open(path, "rb") as handle:
        return list(ox.parse(handle, format=OX[path.suffix]))


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_every_format_reads_back_with_two_parsers(tmp_path: Path, mapped: list[MappedDoc], suffix: str) -> None:
    out = tmp_path / f"graph{suffix}"
    written = write_rdf(mapped, out)
    quads = _ox_quads(out)
    dataset = rdflib.Dataset()
    dataset.parse(out, format=RDFLIB[suffix])
    rdflib_count = sum(len(g) for g in dataset.graphs())
    distinct = {(q.subject, q.predicate, q.object) for q in quads}
    assert len(quads) == rdflib_count
    assert len(distinct) > 500
    if suffix in {".nq", ".trig"}:
        graphs = {q.graph_name.value for q in quads}
        assert graphs == {m.doc_iri for m in mapped}
        assert written == len(quads)
    else:
        assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads)


def test_all_formats_hold_the_same_triples(tmp_path: Path, mapped: list[MappedDoc]) -> None:
    graphs = {}
    for suffix in FORMATS:
        out = tmp_path / f"graph{suffix}"
        write_rdf(mapped, out)
        dataset = rdflib.Dataset()
        dataset.parse(out, format=RDFLIB[suffix])
        union = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        graphs[suffix] = union
    reference = graphs[".nt"]
    for suffix, graph in graphs.items():
        assert isomorphic(graph, reference), suffix


def test_two_runs_give_identical_sorted_nquads(tmp_path: Path, extractor, mapping) -> None:  # type: ignore[no-untyped-def]
    from kg.sources import iter_documents

    outputs = []
    for run in range(2):
        docs = list(iter_documents([str(Path(__file__).resolve().parent.parent / "examples" / "articles")]))
        records = list(extractor.extract_many(docs))
        out = tmp_path / f"run{run}.nq"
        write_rdf([map_record(r, mapping) for r in records], out)
        outputs.append(sorted(out.read_text(encoding="utf-8").splitlines()))
    assert outputs[0] == outputs[1]


def test_golden_graph_is_isomorphic(tmp_path: Path, mapping) -> None:  # type: ignore[no-untyped-def]
    """A fixed records line (tests/golden/records.jsonl) maps to exactly tests/golden/expected.ttl."""
    from kg.records import read_records

    records = list(read_records(GOLDEN / "records.jsonl"))
    out = tmp_path / "out.ttl"
    write_rdf([map_record(r, mapping) for r in records], out)
    produced = rdflib.Graph().parse(out)
    expected = rdflib.Graph().parse(GOLDEN / "expected.ttl")
    assert isomorphic(produced, expected)


def test_failed_write_keeps_previous_output_and_leaves_no_temp(tmp_path: Path, mapped: list[MappedDoc]) -> None:
    for suffix in (".nt", ".ttl"):
        out = tmp_path / f"graph{suffix}"
        write_rdf(mapped[:1], out)
        before = out.read_bytes()

        def failing():  # type: ignore[no-untyped-def]
            yield mapped[1]
            raise RuntimeError("boom in the middle")

        with pytest.raises(RuntimeError):
            write_rdf(failing(), out)
        assert out.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def _changed(doc: MappedDoc, record: DocRecord, mapping) -> MappedDoc:  # type: ignore[no-untyped-def]
    text = record.document.text + "\nA late addition."
    changed = replace(record, document=replace(record.document, text=text, sha256="f" * 64))
    return map_record(changed, mapping)


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_quad_file_update_and_retract(tmp_path: Path, mapped, example_records, mapping, suffix) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph{suffix}"
    a, b = mapped
    write_rdf([a, b], out)
    b_quads = {q for q in _ox_quads(out) if q.graph_name.value == b.doc_iri}
    # re-ingest a changed A: its graph is replaced, B's graph is untouched
    a2 = _changed(a, example_records[0], mapping)
    write_rdf([a2], out)
    quads = _ox_quads(out)
    assert {q for q in quads if q.graph_name.value == b.doc_iri} == b_quads
    shas = {q.object.value for q in quads if q.predicate.value.endswith("#sha256")}
    assert "f" * 64 in shas and a.doc_iri in {q.graph_name.value for q in quads}
    assert len([q for q in quads if q.predicate.value.endswith("#sha256")]) == 2
    # retract A: only B's graph remains, and entities B also mentions survive
    removed = retract_rdf(out, [a.doc_iri])
    after = _ox_quads(out)
    assert removed > 0
    assert {q.graph_name.value for q in after} == {b.doc_iri}
    assert set(after) == b_quads


def test_retract_refuses_triple_files(tmp_path: Path, mapped) -> None:  # type: ignore[no-untyped-def]
    from kg.errors import ConfigError

    out = tmp_path / "graph.ttl"
    write_rdf(mapped, out)
    with pytest.raises(ConfigError, match="only .nq and .trig"):
        retract_rdf(out, [mapped[0].doc_iri])


def test_text_with_rdf_syntax_is_escaped(tmp_path: Path, extractor, mapping) -> None:  # type: ignore[no-untyped-def]
    text = 'General Ali "The Hammer" Karimi said <script>x</script> \\n "quoted" \\"; the army attacked Homs.\r\nDone.'
    record = extractor.extract(Document(id='weird "id" <x>', text=text, sha256="a" * 64))
    mapped_doc = map_record(record, mapping)
    for suffix in (".nt", ".nq", ".ttl", ".trig", ".jsonld"):
        out = tmp_path / f"weird{suffix}"
        write_rdf([mapped_doc], out)
        quads = _ox_quads(out)
        quotes = {q.object.value for q in quads if q.predicate.value.endswith("#sentenceText")}
        assert any("<script>x</script>" in s for s in quotes), suffix


@pytest.mark.parametrize("suffixes", [(".nt", ".nq"), (".ttl", ".trig", ".jsonld")])
def test_writer_memory_does_not_grow_with_documents(tmp_path: Path, mapped, suffixes) -> None:  # type: ignore[no-untyped-def]
    """Peak memory while streaming 400 documents stays within 1.5x that of 40, in every format (issue 13)."""

    def peak(count: int, out: Path) -> int:
        tracemalloc.start()
        with RdfWriter(out) as writer:
            for i in range(count):
                doc = mapped[i % 2]
                writer.write(replace(doc, doc_iri=f"{doc.doc_iri}-{i}"))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    for suffix in suffixes:
        small = peak(40, tmp_path / f"small{suffix}")
        large = peak(400, tmp_path / f"large{suffix}")
        assert large < small * 1.5, (suffix, small, large)
        assert os.path.getsize(tmp_path / f"large{suffix}") > 9 * os.path.getsize(tmp_path / f"small{suffix}")


def _copies(mapped: list[MappedDoc], count: int, tag: str = "") -> list[MappedDoc]:
    return [replace(mapped[i % 2], doc_iri=f"{mapped[i % 2].doc_iri}-{tag}{i}") for i in range(count)]


def test_trig_merge_memory_does_not_grow_with_the_existing_file(tmp_path: Path, mapped) -> None:  # type: ignore[no-untyped-def]
    """Merging into an existing .trig streams the old file: the peak is the same for 40 or 400 kept graphs."""

    def peak(existing: int) -> int:
        out = tmp_path / f"merge{existing}.trig"
        write_rdf(_copies(mapped, existing), out)
        tracemalloc.start()
        write_rdf(_copies(mapped, 2, "new"), out)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len({q.graph_name.value for q in _ox_quads(out)}) == existing + 2
        return top

    small, large = peak(40), peak(400)
    assert large < small * 1.5, (small, large)


def test_streamed_turtle_groups_each_subject_of_a_document(tmp_path: Path, mapped) -> None:  # type: ignore[no-untyped-def]
    for doc in mapped:
        out = tmp_path / "one.ttl"
        write_rdf([doc], out)
        text = out.read_text(encoding="utf-8")
        starts = [line.split(" ", 1)[0] for line in text.splitlines() if line.startswith("<")]
        subjects = {str(q.subject) for q in _ox_quads(out)}
        assert len(starts) == len(set(starts)) == len(subjects)  # one block per subject, all its properties
        assert text.count("@prefix kgo:") == 1 and "kgo:Evidence" in text


def test_merged_trig_has_one_prefix_header_and_one_block_per_graph(tmp_path: Path, mapped) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "graph.trig"
    write_rdf(_copies(mapped, 4), out)
    write_rdf(_copies(mapped, 3, "new"), out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("@prefix ") and text.count("@prefix kgo:") == 1
    blocks = [line for line in text.splitlines() if line.endswith("{")]
    assert len(blocks) == len(set(blocks)) == 7


def test_streamed_jsonld_is_one_json_document(tmp_path: Path, mapped) -> None:  # type: ignore[no-untyped-def]
    import json

    out = tmp_path / "graph.jsonld"
    write_rdf(_copies(mapped, 3), out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, list) and all("@id" in node for node in data)
    assert len(set(_ox_quads(out))) == len(rdflib.Graph().parse(out, format="json-ld")) > 1000


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_every_format_is_byte_for_byte_deterministic(tmp_path: Path, mapped, suffix: str) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_rdf(_copies(mapped, 3), first)
    write_rdf(_copies(mapped, 3), second)
    assert first.read_bytes() == second.read_bytes()
