"""``kg export``: each format read back by a second reader - GEXF by the GEXF 1.3 XSD (xmllint) and lxml,
GraphML by networkx, Cytoscape.js JSON by the ``cytoscape`` npm package run headless in node - the views, the
attributes rules, the XSS fixture in every format, the HTML cap, and RDF/Neo4j parity.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from lxml import etree

from kg.export import export
from kg.mapping import map_record
from kg.sinks.rdf import write_rdf

REPO = Path(__file__).resolve().parent.parent
GEXF_XSD = REPO.parent / "shared" / "schemas" / "gexf-1.3" / "gexf.xsd"
CYTOSCAPE = REPO / "viewer" / "node_modules" / "cytoscape"
GEXF = "{http://gexf.net/1.3}"
KGO = "https://w3id.org/kg-news/ont#"
ID = "https://w3id.org/kg-news/id/"
EVIL = "<script>alert(1)</script>"
EVIL_QUOTE = "</script><img src=x onerror=alert(2)> & \"quotes\" 'too'"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory, example_records, mapping) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("export") / "examples.nq"
    write_rdf([map_record(r, mapping) for r in example_records], out)
    return out


def xss_graph(path: Path) -> Path:
    """A graph whose names and quotes are markup: an entity named <script>alert(1)</script>."""
    def n(local: str) -> ox.NamedNode:
        return ox.NamedNode(local if local.startswith("http") else KGO + local)

    doc, person, state, event = n(ID + "doc/evil"), n(ID + "person/evil"), n(ID + "state/x"), n(ID + "event/evil/0-5")
    ev_node, ev_edge = n(ID + "doc/evil/ev/1"), n(ID + "doc/evil/ev/2")
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (doc, n(rdf + "type"), n("Document")), (doc, n("docId"), ox.Literal("evil<b>doc</b>")),
        (doc, n("title"), ox.Literal("<i>title</i>")),
        (doc, n("published"), ox.Literal("2024-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
        (person, n(rdf + "type"), n("Person")), (person, n("name"), ox.Literal(EVIL)), (person, n("mentionedIn"), doc),
        (state, n(rdf + "type"), n("State")), (state, n("name"), ox.Literal("X\x0bLand & <Co>")),
        (state, n("mentionedIn"), doc),
        (event, n(rdf + "type"), n("Attack")), (event, n("trigger"), ox.Literal("<b>hit</b>")),
        (event, n("date"), ox.Literal("2024-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
        (event, n("mentionedIn"), doc), (event, n("agent"), person), (event, n("target"), state),
        (ev_node, n(rdf + "type"), n("Evidence")), (ev_node, n("document"), doc), (ev_node, n("quote"), ox.Literal(EVIL_QUOTE)),
        (ev_node, n("sentenceText"), ox.Literal(f"They said {EVIL_QUOTE} loudly.")),
        (ev_node, n("charStart"), ox.Literal("0", datatype=integer)), (person, n("evidence"), ev_node),
        (ev_edge, n(rdf + "type"), n(rdf + "Statement")), (ev_edge, n(rdf + "subject"), event),
        (ev_edge, n(rdf + "predicate"), n("agent")), (ev_edge, n(rdf + "object"), person),
        (ev_edge, n("document"), doc), (ev_edge, n("quote"), ox.Literal(EVIL)),
        (ev_edge, n("charStart"), ox.Literal("3", datatype=integer)),
    ]
    quads = [ox.Quad(s, p, o, doc) for s, p, o in triples]
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    return path


def xmllint(path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("xmllint") is None:
        pytest.fail("xmllint is missing: apt-get install libxml2-utils (.ci/run installs it)")
    return subprocess.run(["xmllint", "--noout", "--schema", str(GEXF_XSD), str(path)], capture_output=True,
                          text=True, timeout=120)


NODE_LOAD = r"""
const cytoscape = require(process.argv[1]);
const doc = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const cy = cytoscape({ headless: true, elements: doc.elements, styleEnabled: false, layout: { name: 'preset' } });
const out = { nodes: cy.nodes().length, edges: cy.edges().length, labels: {}, dangling: 0, positioned: 0 };
cy.nodes().forEach(n => { out.labels[n.id()] = n.data('label'); if (n.position().x !== 0 || n.position().y !== 0) out.positioned++; });
cy.edges().forEach(e => { if (e.source().empty() || e.target().empty()) out.dangling++; });
out.degreeOfFirst = cy.nodes().length ? cy.nodes()[0].degree() : 0;
console.log(JSON.stringify(out));
"""


def cytoscape_load(path: Path) -> dict[str, Any]:
    if shutil.which("node") is None or not CYTOSCAPE.is_dir():
        pytest.fail("node and viewer/node_modules/cytoscape are needed: run `make viewer`")
    done = subprocess.run(["node", "-e", NODE_LOAD, str(CYTOSCAPE), str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def run_kg(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "kg", *args], env=env, capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------ GEXF


@pytest.mark.parametrize("view", ["all", "events", "actors"])
def test_gexf_is_valid_gexf_1_3_with_spells(graph: Path, tmp_path: Path, view: str) -> None:
    out = tmp_path / f"{view}.gexf"
    report = export([str(graph)], out, view=view)
    checked = xmllint(out)
    assert checked.returncode == 0, checked.stderr
    root = etree.parse(str(out)).getroot()
    assert root.get("version") == "1.3"
    g = root.find(f"{GEXF}graph")
    assert g is not None and g.get("mode") == "dynamic" and g.get("timeformat") == "date"
    nodes = root.findall(f"{GEXF}graph/{GEXF}nodes/{GEXF}node")
    edges = root.findall(f"{GEXF}graph/{GEXF}edges/{GEXF}edge")
    assert len(nodes) == report.nodes > 0 and len(edges) == report.edges > 0
    spells = [s for el in nodes + edges for s in el.iter(f"{GEXF}spell")]
    if view != "actors":  # in the examples, no two actors share a dated event
        assert spells, "event dates become spells for Gephi's timeline"
    assert all(s.get("start", "").startswith("2024-03") for s in spells)
    for el in nodes:  # every node has a colour, a label, and attribute values for declared attributes only
        assert el.find(f"{GEXF}color") is not None and el.get("label")
    declared = {a.get("id") for a in root.iter(f"{GEXF}attribute")}
    used = {v.get("for") for v in root.iter(f"{GEXF}attvalue")}
    assert used <= declared
    assert all(v.get("value") not in (None, "", "None") for v in root.iter(f"{GEXF}attvalue"))


def test_events_have_a_one_day_spell_and_actors_start_at_their_first_event(graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.gexf"
    export([str(graph)], out)
    root = etree.parse(str(out)).getroot()
    by_id = {n.get("id"): n for n in root.iter(f"{GEXF}node")}
    tours = by_id[ID + "event/front-visit/17-22"]
    assert [(s.get("start"), s.get("end")) for s in tours.iter(f"{GEXF}spell")] == [("2024-03-12", "2024-03-12")]
    rostami = by_id[ID + "person/farhad-rostami"]
    (spell,) = list(rostami.iter(f"{GEXF}spell"))
    assert spell.get("end") is None and spell.get("start") == "2024-03-12"


# ------------------------------------------------------------------ GraphML


@pytest.mark.parametrize("view", ["all", "events", "actors"])
def test_graphml_read_back_by_networkx_with_attributes(graph: Path, tmp_path: Path, view: str) -> None:
    out = tmp_path / f"{view}.graphml"
    report = export([str(graph)], out, view=view)
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == report.nodes and g.number_of_edges() == report.edges
    assert g.is_directed() == (view != "actors")
    for _, data in g.nodes(data=True):
        assert {"label", "kind", "class", "iri", "r", "g", "b", "x", "y", "size"} <= set(data)
        assert all(v is not None and not isinstance(v, list | dict) for v in data.values())
        assert len({k.lower() for k in data}) == len(data)
    events = [d for _, d in g.nodes(data=True) if d["kind"] == "event"]
    if view != "actors":
        killing = [d for d in events if d.get("killed")]
        assert killing and all(isinstance(d["killed"], int) for d in killing)
        assert any(d.get("quotes") for d in events)
    else:
        assert events == []
        weights = [d["weight"] for _, _, d in g.edges(data=True)]
        assert weights and all(w >= 1 for w in weights)


def test_actor_view_weights_links_by_events_and_documents(graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "actors.cyjs"
    export([str(graph)], out, view="actors")
    doc = json.loads(out.read_text(encoding="utf-8"))
    names = {n["data"]["id"]: n["data"]["label"] for n in doc["elements"]["nodes"]}
    assert set(n["data"]["kind"] for n in doc["elements"]["nodes"]) == {"actor"}
    links = {frozenset((names[e["data"]["source"]], names[e["data"]["target"]])): e["data"]
             for e in doc["elements"]["edges"]}
    commands = links[frozenset(("Farhad Rostami", "Saberin Force"))]
    assert "commands" in commands["relations"] and commands["document_count"] >= 1
    shared = [d for d in links.values() if d["events"] >= 1]
    assert shared and all(d["weight"] >= d["events"] and d["document_count"] >= 1 for d in shared)


# ------------------------------------------------------------------ Cytoscape.js JSON


@pytest.mark.parametrize("view", ["all", "actors"])
def test_cyjs_loads_in_headless_cytoscape(graph: Path, tmp_path: Path, view: str) -> None:
    out = tmp_path / f"{view}.cyjs"
    report = export([str(graph)], out, view=view)
    loaded = cytoscape_load(out)
    assert loaded["nodes"] == report.nodes and loaded["edges"] == report.edges and loaded["dangling"] == 0
    assert loaded["positioned"] == report.nodes  # the precomputed layout travels with the elements
    doc = json.loads(out.read_text(encoding="utf-8"))
    for element in doc["elements"]["nodes"] + doc["elements"]["edges"]:
        values = element["data"].values()
        assert all(v is not None and not isinstance(v, list | dict) for v in values)  # flat, no nulls
        assert len({k.lower() for k in element["data"]}) == len(element["data"])


# ------------------------------------------------------------------ untrusted text in every format


def test_markup_in_names_and_quotes_survives_every_format_as_text(tmp_path: Path) -> None:
    source = xss_graph(tmp_path / "evil.nq")
    person = ID + "person/evil"
    gexf, graphml, cyjs, page = (tmp_path / f"evil.{x}" for x in ("gexf", "graphml", "cyjs", "html"))
    for out in (gexf, graphml, cyjs, page):
        export([str(source)], out)
    assert xmllint(gexf).returncode == 0  # also: the vertical tab in a name did not make invalid XML
    labels = {n.get("id"): n.get("label") for n in etree.parse(str(gexf)).getroot().iter(f"{GEXF}node")}
    assert labels[person] == EVIL and labels[ID + "state/x"] == "X Land & <Co>"
    quotes = [v.get("value") for v in etree.parse(str(gexf)).getroot().iter(f"{GEXF}attvalue") if v.get("for") == "quotes"]
    assert EVIL_QUOTE in quotes
    g = nx.read_graphml(graphml)
    assert g.nodes[person]["label"] == EVIL and g.nodes[person]["quotes"] == EVIL_QUOTE
    assert cytoscape_load(cyjs)["labels"][person] == EVIL
    html = page.read_text(encoding="utf-8")
    assert EVIL not in html and "<img" not in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html  # in the data block, escaped
    assert html.count("<script") == 3  # the data block, cytoscape.js, the page's script: nothing injected


# ------------------------------------------------------------------ the HTML page's cap, CLI, errors


def test_html_page_is_capped_at_the_most_connected_nodes(graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "capped.html"
    full = export([str(graph)], tmp_path / "full.cyjs")  # the file formats are not capped
    assert full.nodes > 10 and len(json.loads((tmp_path / "full.cyjs").read_text())["elements"]["nodes"]) == full.nodes
    report = export([str(graph)], out, max_nodes=10)
    assert report.nodes == 10 and report.total_nodes == full.nodes and report.edges <= report.total_edges
    data = _page_data(out)
    assert len(data["elements"]["nodes"]) == 10 and data["totalNodes"] == full.nodes
    ids = {n["data"]["id"] for n in data["elements"]["nodes"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in data["elements"]["edges"])
    assert ID + "state/iran" in ids  # the best connected node is kept


def _page_data(path: Path) -> dict[str, Any]:
    html = path.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="kg-data">') + len('<script type="application/json" id="kg-data">')
    return json.loads(html[start:html.index("</script>", start)])  # type: ignore[no-any-return]


def test_cli_export_and_its_errors(graph: Path, tmp_path: Path) -> None:
    done = run_kg("export", str(graph), "--format", "gexf", "--view", "events", "-o", str(tmp_path / "g.gexf"))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("exported: ") and "events view, gexf" in done.stderr
    bad_ext = run_kg("export", str(graph), "-o", str(tmp_path / "g.png"))
    assert bad_ext.returncode == 2 and "cannot tell the export format" in bad_ext.stderr
    bad_view = run_kg("export", str(graph), "--view", "people", "-o", str(tmp_path / "g.gexf"))
    assert bad_view.returncode == 2 and "unknown view 'people'" in bad_view.stderr
    missing = run_kg("export", str(tmp_path / "none.nq"), "-o", str(tmp_path / "g.gexf"))
    assert missing.returncode == 1 and missing.stderr.strip() == f"error: {tmp_path / 'none.nq'}: no such file"
    broken = tmp_path / "broken.nq"
    broken.write_text("<urn:a> <urn:b> not rdf .\n", encoding="utf-8")
    before = (tmp_path / "g.gexf").read_bytes()
    failed = run_kg("export", str(broken), "-o", str(tmp_path / "g.gexf"))
    assert failed.returncode == 1 and "cannot parse RDF" in failed.stderr
    assert (tmp_path / "g.gexf").read_bytes() == before  # nothing already written is lost
    assert not list(tmp_path.glob(".g.gexf.*"))  # nor half-written


def test_the_same_graph_gives_the_same_file_in_every_process(graph: Path, tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):  # string hashing differs between the two processes
        out = tmp_path / f"run{seed}.cyjs"
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "kg", "export", str(graph), "-o", str(out)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_on_disk_store_gives_the_same_export(graph: Path, tmp_path: Path) -> None:
    memory, disk = tmp_path / "m.cyjs", tmp_path / "d.cyjs"
    export([str(graph)], memory)
    export([str(graph)], disk, on_disk=True)
    assert json.loads(memory.read_text(encoding="utf-8")) == json.loads(disk.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ from Neo4j


@pytest.mark.neo4j
def test_export_from_neo4j_equals_export_from_rdf(clean_neo4j, graph: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded = run_kg("ingest", str(REPO / "examples" / "articles"), "--to", clean_neo4j.uri)
    assert loaded.returncode == 0, loaded.stderr
    for view in ("all", "actors"):
        from_rdf, from_neo4j = tmp_path / f"rdf-{view}.cyjs", tmp_path / f"neo4j-{view}.cyjs"
        export([str(graph)], from_rdf, view=view)
        done = run_kg("export", clean_neo4j.uri, "--view", view, "-o", str(from_neo4j))
        assert done.returncode == 0, done.stderr
        rdf_doc = json.loads(from_rdf.read_text(encoding="utf-8"))
        neo_doc = json.loads(from_neo4j.read_text(encoding="utf-8"))
        assert neo_doc["elements"] == rdf_doc["elements"]
    gexf = tmp_path / "neo4j.gexf"
    assert run_kg("export", clean_neo4j.uri, "-o", str(gexf)).returncode == 0
    assert xmllint(gexf).returncode == 0


def test_wheel_ships_the_viewer_and_exports_html_without_a_checkout(graph: Path, tmp_path: Path) -> None:
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
                   check=True, timeout=600)
    (wheel,) = tmp_path.glob("kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("kg/export/vendor/cytoscape.min.js", "kg/export/vendor/cytoscape.LICENSE",
                     "kg/export/page/viewer.js", "kg/export/page/viewer.css"):
        assert required in names, required
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-m", "kg", "export", str(graph), "-o", "page.html"], cwd=elsewhere,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(unpacked)}, timeout=300)
    assert done.returncode == 0, done.stderr
    page = (elsewhere / "page.html").read_text(encoding="utf-8")
    library = (unpacked / "kg" / "export" / "vendor" / "cytoscape.min.js").read_text(encoding="utf-8")
    assert library in page and "MIT licence" in page
