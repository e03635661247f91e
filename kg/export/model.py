"""The graph for people: what the readers (RDF or Neo4j) feed in, and the views the writers draw.

A :class:`GraphBuilder` takes facts one at a time - a node with its classes and properties, the documents that
mention it, an evidence record for a node or an edge, a domain edge - and keeps, per node and per edge, the
counts, the documents and the first ``evidence_per_item`` evidence records (ordered by document and offset, so
the choice does not depend on the order the facts arrive in). Memory is bounded by the number of nodes and
edges, not by the number of evidence records.

:func:`build_view` turns what was collected into a :class:`View`: ``all`` (actors, places and events, every
domain edge between them), ``events`` (events and their participants, the role edges only) or ``actors``
(actors only; one undirected edge per pair of actors that take part in the same event or are related directly,
weighted by the events and documents that link them). Every attribute is a string or a number: lists are
flattened, absent values are left out, and attribute names are unique ignoring case (Gephi merges names that
differ only in case).
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.ontology import KGO_NS, Ontology, local_name

ROLES = ("agent", "target", "place", "instrument", "reportedBy")
PARTICIPANT_ROLES = ("agent", "target")
PROVENANCE = ("evidence", "mentionedIn", "document")
NODE_PROPERTIES = ("date", "trigger", "modality", "killed", "injured", "wikidata", "timeText")
VIEWS = ("all", "events", "actors")
LIST_SEPARATOR = " | "
MAX_LISTED = 20  # documents named in a flattened list attribute; the count attribute has them all

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# colours by class (events by their coarse type), chosen to stay apart on white and on black
PALETTE = {
    "Person": "#1f77b4", "Organization": "#17becf", "State": "#2ca02c", "ArmedGroup": "#d62728",
    "Unit": "#9467bd", "Actor": "#7f7f7f", "Place": "#8c564b", "Facility": "#bcbd22",
    "Movement": "#ff7f0e", "Contact": "#e377c2", "Conflict": "#b2182b", "Killing": "#000000",
    "Injury": "#f4a582", "Justice": "#5e3c99", "Kidnapping": "#fdb863", "Funeral": "#636363",
    "Protest": "#4daf4a", "Damage": "#a6761d", "Event": "#999999",
}


def clean(text: str) -> str:
    """Text that every XML writer accepts (XML 1.0 forbids most control characters)."""
    return _XML_UNSAFE.sub(" ", text)


def colour(cls: str, coarse: str | None) -> str:
    name = coarse or cls
    if name in PALETTE:
        return PALETTE[name]
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"#{digest[:6]}"


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


@dataclass(frozen=True, order=True)
class Evidence:
    """One supporting text span; ordered by document and offset."""

    doc: str
    start: int
    quote: str
    sentence: str | None = None
    title: str | None = None
    published: str | None = None


@dataclass
class _Node:
    iri: str
    classes: set[str] = field(default_factory=set)
    name: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    docs: set[str] = field(default_factory=set)
    published: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)  # a max-heap of the kept ones (inverted order)
    evidence_count: int = 0


@dataclass
class _Edge:
    source: str
    type: str
    target: str
    docs: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    evidence_count: int = 0


def _keep(kept: list[Evidence], ev: Evidence, limit: int) -> None:
    """Keep the ``limit`` smallest evidence records (by document, offset) seen so far."""
    if ev in kept:
        return
    if len(kept) < limit:
        kept.append(ev)
        kept.sort()
    elif limit and ev < kept[-1]:
        kept[-1] = ev
        kept.sort()


class GraphBuilder:
    """Collects facts (from either reader) about nodes, edges and their evidence."""

    def __init__(self, ontology: Ontology, evidence_per_item: int = 5) -> None:
        self.ontology = ontology
        self.limit = evidence_per_item
        self.nodes: dict[str, _Node] = {}
        self.edges: dict[tuple[str, str, str], _Edge] = {}

    def _node(self, iri: str) -> _Node:
        node = self.nodes.get(iri)
        if node is None:
            node = self.nodes[iri] = _Node(iri)
        return node

    def add_class(self, iri: str, cls: str) -> None:
        self._node(iri).classes.add(cls if "#" in cls or "/" in cls else KGO_NS + cls)

    def add_property(self, iri: str, prop: str, value: Any) -> None:
        name = local_name(prop)
        if value is None:
            return
        node = self._node(iri)
        if name == "name":
            if node.name is None or str(value) < node.name:
                node.name = str(value)
        elif name in NODE_PROPERTIES:
            values = value if isinstance(value, list) else [value]
            for item in values:
                current = node.props.get(name)
                if current is None or str(item) < str(current):  # one value, the same whatever the order
                    node.props[name] = item

    def add_mention(self, iri: str, doc: str, published: str | None = None) -> None:
        node = self._node(iri)
        node.docs.add(doc)
        if published:
            node.published.add(published)

    def add_node_evidence(self, iri: str, ev: Evidence) -> None:
        node = self._node(iri)
        node.evidence_count += 1
        _keep(node.evidence, ev, self.limit)

    def add_edge(self, source: str, prop: str, target: str) -> None:
        key = (source, local_name(prop), target)
        if key not in self.edges:
            self.edges[key] = _Edge(*key)

    def add_edge_evidence(self, source: str, prop: str, target: str, ev: Evidence) -> None:
        key = (source, local_name(prop), target)
        edge = self.edges.get(key)
        if edge is None:
            edge = self.edges[key] = _Edge(*key)
        edge.evidence_count += 1
        edge.docs.add(ev.doc)
        _keep(edge.evidence, ev, self.limit)

    def kind(self, node: _Node) -> tuple[str | None, str, str | None]:
        """(kind, most specific class local name, coarse event class) of a node; kind None for other nodes."""
        onto = self.ontology
        best: str | None = None
        for cls in sorted(node.classes):
            if best is None or len(onto.ancestors(cls)) > len(onto.ancestors(best)):
                best = cls
        if best is None:
            return None, "", None
        chain = set(onto.ancestors(best))
        for cls in node.classes:
            chain.update(onto.ancestors(cls))
        if KGO_NS + "Event" in chain:
            coarse = onto.coarse(best)
            return "event", local_name(best), local_name(coarse) if coarse else None
        if KGO_NS + "Actor" in chain:
            return "actor", local_name(best), None
        if KGO_NS + "Place" in chain:
            return "place", local_name(best), None
        return None, local_name(best), None


# ------------------------------------------------------------------ the view the writers draw


@dataclass
class VNode:
    id: str
    label: str
    kind: str
    cls: str
    colour: str
    attrs: dict[str, str | int | float]
    dates: list[str]  # event dates this node takes part in (sorted, distinct): the GEXF spells
    evidence: list[Evidence]
    weight: int  # degree + evidence, for choosing what a page draws
    x: float | None = None
    y: float | None = None


@dataclass
class VEdge:
    id: str
    source: str
    target: str
    type: str
    label: str
    weight: float
    attrs: dict[str, str | int | float]
    dates: list[str]
    evidence: list[Evidence]
    directed: bool = True


@dataclass
class View:
    name: str
    nodes: list[VNode]
    edges: list[VEdge]
    directed: bool
    total_nodes: int = 0  # before any cap
    total_edges: int = 0

    def __post_init__(self) -> None:
        self.total_nodes = self.total_nodes or len(self.nodes)
        self.total_edges = self.total_edges or len(self.edges)


def _flat(values: Iterable[str], limit: int = MAX_LISTED) -> str:
    items = sorted(set(values))
    shown = items[:limit]
    text = LIST_SEPARATOR.join(shown)
    return text + (f"{LIST_SEPARATOR}… ({len(items) - limit} more)" if len(items) > limit else "")


def _evidence_attrs(evidence: list[Evidence], count: int) -> dict[str, str | int | float]:
    attrs: dict[str, str | int | float] = {"evidence_count": count}
    if evidence:
        attrs["quotes"] = LIST_SEPARATOR.join(clean(ev.quote) for ev in evidence)
        attrs["evidence_documents"] = _flat(ev.doc for ev in evidence)
        dates = [ev.published for ev in evidence if ev.published]
        if dates:
            attrs["evidence_dates"] = _flat(dates)
    return attrs


def _event_label(cls: str, props: dict[str, Any]) -> str:
    trigger = props.get("trigger")
    date = props.get("date")
    label = f"{cls}: {trigger}" if trigger else cls
    return f"{label} ({date})" if date else label


def check_attribute_names(names: Iterable[str]) -> None:
    """Raise if two attribute names differ only in case (Gephi would merge them)."""
    seen: dict[str, str] = {}
    for name in names:
        other = seen.setdefault(name.lower(), name)
        if other != name:
            raise ValueError(f"attribute names {other!r} and {name!r} differ only in case")


def build_view(builder: GraphBuilder, view: str = "all") -> View:
    """The nodes and edges of one view, sorted by id, with flattened attributes (see the module docstring)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    nodes: dict[str, VNode] = {}
    event_dates: dict[str, str] = {}
    for iri in sorted(builder.nodes):
        raw = builder.nodes[iri]
        kind, cls, coarse = builder.kind(raw)
        props = dict(raw.props)
        date = props.get("date")
        if kind == "event" and isinstance(date, str) and _DATE.match(date):
            event_dates[iri] = date
        if kind is None or (view == "actors" and kind != "actor"):
            continue
        label = raw.name or (_event_label(cls, props) if kind == "event" else local_name(iri))
        attrs: dict[str, str | int | float] = {"kind": kind, "class": cls, "iri": iri}
        if coarse:
            attrs["event_type"] = coarse
        attrs.update({_snake(k): (clean(v) if isinstance(v, str) else v) for k, v in sorted(props.items())})
        if raw.docs:
            attrs["documents"] = _flat(raw.docs)
            attrs["document_count"] = len(raw.docs)
        if raw.published:
            attrs["first_published"] = min(raw.published)
            attrs["last_published"] = max(raw.published)
        attrs.update(_evidence_attrs(raw.evidence, raw.evidence_count))
        nodes[iri] = VNode(id=iri, label=clean(label), kind=kind, cls=cls, colour=colour(cls, coarse), attrs=attrs,
                           dates=[], evidence=list(raw.evidence), weight=raw.evidence_count)
    if view == "actors":
        edges = _actor_edges(builder, nodes, event_dates)
    else:
        edges = _domain_edges(builder, nodes, event_dates, roles_only=view == "events")
    if view == "events":  # events and what they link to: drop what no role edge reaches
        linked = {e.source for e in edges} | {e.target for e in edges}
        nodes = {k: v for k, v in nodes.items() if v.kind == "event" or k in linked}
    for edge in edges:
        for end in (edge.source, edge.target):
            nodes[end].weight += 1
            nodes[end].dates.extend(edge.dates)
    for node in nodes.values():
        own = event_dates.get(node.id)
        node.dates = sorted(set(node.dates) | ({own} if own else set()))
        if node.dates and node.kind != "event":
            node.attrs["first_event_date"] = node.dates[0]
            node.attrs["last_event_date"] = node.dates[-1]
    result = View(view, list(nodes.values()), edges, directed=view != "actors")
    check_attribute_names({k for n in result.nodes for k in n.attrs})
    check_attribute_names({k for e in result.edges for k in e.attrs})
    return result


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _domain_edges(builder: GraphBuilder, nodes: dict[str, VNode], event_dates: dict[str, str],
                  roles_only: bool) -> list[VEdge]:
    edges = []
    for key in sorted(builder.edges):
        raw = builder.edges[key]
        if raw.type in PROVENANCE or (roles_only and raw.type not in ROLES):
            continue
        if raw.source not in nodes or raw.target not in nodes:
            continue
        date = event_dates.get(raw.source) or event_dates.get(raw.target)
        attrs: dict[str, str | int | float] = {"type": raw.type}
        if date:
            attrs["date"] = date
        if raw.docs:
            attrs["documents"] = _flat(raw.docs)
            attrs["document_count"] = len(raw.docs)
        attrs.update(_evidence_attrs(raw.evidence, raw.evidence_count))
        edges.append(VEdge(id=f"{raw.source} {raw.type} {raw.target}", source=raw.source, target=raw.target,
                           type=raw.type, label=raw.type, weight=float(max(1, len(raw.docs))), attrs=attrs,
                           dates=[date] if date else [], evidence=list(raw.evidence)))
    return edges


def _actor_edges(builder: GraphBuilder, actors: dict[str, VNode], event_dates: dict[str, str]) -> list[VEdge]:
    """One undirected edge per pair of actors linked by shared events or by a direct relation."""
    participants: dict[str, set[str]] = {}
    for (source, prop, target) in builder.edges:
        if prop in PARTICIPANT_ROLES and target in actors:
            participants.setdefault(source, set()).add(target)
    pairs: dict[tuple[str, str], dict[str, Any]] = {}

    def pair(a: str, b: str) -> dict[str, Any]:
        key = (a, b) if a < b else (b, a)
        return pairs.setdefault(key, {"events": set(), "docs": set(), "types": set(), "relations": set(),
                                      "dates": set(), "evidence": []})

    for event in sorted(participants):
        members = sorted(participants[event])
        raw_event = builder.nodes.get(event)
        event_cls = builder.kind(raw_event)[1] if raw_event else ""
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                link = pair(a, b)
                link["events"].add(event)
                if raw_event:
                    link["docs"].update(raw_event.docs)
                    for ev in raw_event.evidence:
                        _keep(link["evidence"], ev, builder.limit)
                if event_cls:
                    link["types"].add(event_cls)
                if event in event_dates:
                    link["dates"].add(event_dates[event])
    for (source, prop, target), raw in builder.edges.items():
        if prop in PROVENANCE or prop in ROLES or source not in actors or target not in actors or source == target:
            continue
        link = pair(source, target)
        link["relations"].add(prop)
        link["docs"].update(raw.docs)
        for ev in raw.evidence:
            _keep(link["evidence"], ev, builder.limit)
    edges = []
    for (a, b), link in sorted(pairs.items()):
        events, docs = len(link["events"]), len(link["docs"])
        attrs: dict[str, str | int | float] = {"events": events, "document_count": docs,
                                               "relation_count": len(link["relations"])}
        if link["types"]:
            attrs["event_types"] = _flat(link["types"])
        if link["relations"]:
            attrs["relations"] = _flat(link["relations"])
        if docs:
            attrs["documents"] = _flat(link["docs"])
        if link["dates"]:
            attrs["first_date"] = min(link["dates"])
            attrs["last_date"] = max(link["dates"])
        attrs.update(_evidence_attrs(link["evidence"], len(link["evidence"])))
        label = f"{events} event{'s' if events != 1 else ''}" if events else _flat(link["relations"])
        edges.append(VEdge(id=f"{a} -- {b}", source=a, target=b, type="linked", label=label,
                           weight=float(events + len(link["relations"])), attrs=attrs, dates=sorted(link["dates"]),
                           evidence=list(link["evidence"]), directed=False))
    return edges


def cap(view: View, max_nodes: int, max_edges: int) -> View:
    """The ``max_nodes`` heaviest nodes (degree + evidence; ties by id) and the heaviest edges among them."""
    if len(view.nodes) <= max_nodes and len(view.edges) <= max_edges:
        return view
    kept_nodes = heapq.nsmallest(max_nodes, view.nodes, key=lambda n: (-n.weight, n.id))
    keep = {n.id for n in kept_nodes}
    among = [e for e in view.edges if e.source in keep and e.target in keep]
    kept_edges = heapq.nsmallest(max_edges, among, key=lambda e: (-e.weight, e.id))
    return View(view.name, sorted(kept_nodes, key=lambda n: n.id), sorted(kept_edges, key=lambda e: e.id),
                view.directed, total_nodes=view.total_nodes, total_edges=view.total_edges)


FA2_MAX = 1500  # ForceAtlas2 (dense numpy, O(n^2) a step) on components up to this size
SPECTRAL_MAX = 4000  # larger components get a spectral layout (dense eigenvectors); beyond, no positions
_SPACING = 50.0  # px between neighbouring nodes, about
_ISOLATE = 120.0  # px a lone node takes (its label is wider than its dot)


def _spectral(graph: Any) -> dict[str, tuple[float, float]]:
    """Laplacian eigenmap: the eigenvectors of the 2nd and 3rd smallest eigenvalues (numpy's symmetric
    solver; networkx's own spectral layout uses the general one without scipy, minutes for a few thousand)."""
    import networkx as nx
    import numpy as np

    nodes = list(graph)
    adjacency = nx.to_numpy_array(graph, nodelist=nodes)
    laplacian = np.diag(adjacency.sum(axis=1)) - adjacency
    _, vectors = np.linalg.eigh(laplacian)
    coords = vectors[:, 1:3]
    return {node: (float(coords[i, 0]), float(coords[i, 1])) for i, node in enumerate(nodes)}


def layout(view: View, seed: int = 7) -> bool:
    """Positions: each connected component laid out on its own (ForceAtlas2 from networkx, numpy only; a
    Laplacian eigenmap past ``FA2_MAX`` nodes), then the components packed in rows, largest first, isolated nodes
    last in a grid. Returns False (no positions) when a component is past ``SPECTRAL_MAX`` nodes: Gephi and
    Cytoscape lay such graphs out themselves."""
    if not view.nodes:
        return False
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(n.id for n in view.nodes))
    graph.add_edges_from((e.source, e.target) for e in view.edges if e.source != e.target)
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    if len(components[0]) > SPECTRAL_MAX:
        return False
    boxes: list[tuple[float, dict[str, tuple[float, float]]]] = []
    for members in components:
        if len(members) == 1:
            boxes.append((_ISOLATE, {members[0]: (0.0, 0.0)}))
            continue
        # a fresh graph in sorted order: a subgraph view iterates over a set for small subsets, so its node
        # order (and so the layout) would change with Python's string hash seed from run to run
        sub = nx.Graph()
        sub.add_nodes_from(members)
        sub.add_edges_from(sorted(tuple(sorted(e)) for e in graph.subgraph(members).edges()))
        if len(members) <= 3:  # a pair or a triangle: nothing to optimise (and thousands of them add up)
            raw = nx.circular_layout(sub)
        elif len(members) <= FA2_MAX:
            steps = 60 if len(members) <= 30 else 200 if len(members) <= 300 else 50
            # overlap prevention (node_size) keeps leaves off their hub; weak gravity lets branches spread
            raw = nx.forceatlas2_layout(sub, max_iter=steps, seed=seed, scaling_ratio=3.0,
                                        node_size=dict.fromkeys(members, 3.0))
        else:
            raw = _spectral(sub)
        side = _SPACING * (len(members) ** 0.5) * 2.4
        scaled = nx.rescale_layout_dict(raw, scale=side / 2)
        boxes.append((side + _SPACING, {k: (float(v[0]), float(v[1])) for k, v in scaled.items()}))
    width = max(max(side for side, _ in boxes), sum(side * side for side, _ in boxes) ** 0.5 * 1.15)
    x = y = row = 0.0
    positions: dict[str, tuple[float, float]] = {}
    for side, coords in boxes:  # shelf packing: left to right, a new row when the width is used up
        if x + side > width and x > 0:
            x, y, row = 0.0, y + row, 0.0
        for key, (px, py) in coords.items():
            positions[key] = (x + side / 2 + px, y + side / 2 + py)
        x += side
        row = max(row, side)
    cx = sum(p[0] for p in positions.values()) / len(positions)
    cy = sum(p[1] for p in positions.values()) / len(positions)
    for node in view.nodes:
        px, py = positions[node.id]
        node.x, node.y = round(px - cx, 2), round(py - cy, 2)
    return True
