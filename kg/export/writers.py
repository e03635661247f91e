"""GEXF 1.3, GraphML and Cytoscape.js JSON from a :class:`~kg.export.model.View`.

- **GEXF 1.3** is streamed with lxml's incremental writer (``etree.xmlfile``): one element per node or edge is
  built, written and dropped. The graph is ``mode="dynamic"`` with ``timeformat="date"``: an event is alive on
  its date (a spell from the date to the date), an actor or place from its first event's date on, an edge on
  the dates of the events behind it, so Gephi's timeline plays the graph over time. Colour, position and size
  are the GEXF 1.3 schema's ``color``/``position``/``size`` elements, which that schema declares in the GEXF
  namespace itself. Validated in the tests with ``xmllint --schema`` against the 1.3 XSD.
- **GraphML** is written by networkx (``write_graphml_lxml``), with ``label``, ``r``/``g``/``b``, ``x``/``y``
  and ``size`` as node attributes (the names Gephi's GraphML importer uses for them) and ``weight`` on edges.
- **Cytoscape.js JSON** (``.cyjs``, what Cytoscape desktop imports and ``cytoscape({elements})`` takes):
  ``{"elements": {"nodes": [{"data": {...}, "position": {...}}], "edges": [{"data": {...}}]}}``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import IO, Any

from kg import __version__
from kg.export.model import View, VNode, clean, rgb

GEXF_NS = "http://gexf.net/1.3"
_NODE_SIZE = (6.0, 30.0)


def _size(node: VNode, heaviest: int) -> float:
    low, high = _NODE_SIZE
    return round(low + (high - low) * (node.weight / heaviest if heaviest else 0), 2)


def _types(items: list[dict[str, str | int | float]]) -> dict[str, str]:
    """Attribute name -> GEXF type; a name whose values mix types is a string."""
    found: dict[str, str] = {}
    for attrs in items:
        for key, value in attrs.items():
            kind = "integer" if isinstance(value, int) and not isinstance(value, bool) else \
                "double" if isinstance(value, float) else "string"
            if found.setdefault(key, kind) != kind:
                found[key] = "string"
    return dict(sorted(found.items()))


def _text(value: str | int | float) -> str:
    return clean(value) if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)


def write_gexf(view: View, handle: IO[bytes], description: str = "") -> None:
    from lxml import etree

    ns = f"{{{GEXF_NS}}}"
    node_types = _types([n.attrs for n in view.nodes])
    edge_types = _types([e.attrs for e in view.edges])
    heaviest = max((n.weight for n in view.nodes), default=0)
    with etree.xmlfile(handle, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{ns}gexf", nsmap={None: GEXF_NS}, version="1.3"):
            meta = etree.Element(f"{ns}meta", lastmodifieddate=date.today().isoformat())
            etree.SubElement(meta, f"{ns}creator").text = f"kg {__version__}"
            etree.SubElement(meta, f"{ns}description").text = clean(description or f"kg graph, {view.name} view")
            xf.write(meta)
            with xf.element(f"{ns}graph", defaultedgetype="directed" if view.directed else "undirected",
                            mode="dynamic", timeformat="date"):
                for cls, types in (("node", node_types), ("edge", edge_types)):
                    attributes = etree.Element(f"{ns}attributes", {"class": cls, "mode": "static"})
                    for name, kind in types.items():
                        etree.SubElement(attributes, f"{ns}attribute", id=name, title=name, type=kind)
                    xf.write(attributes)
                with xf.element(f"{ns}nodes", count=str(len(view.nodes))):
                    for node in view.nodes:
                        el = etree.Element(f"{ns}node", id=node.id, label=node.label)
                        _attvalues(el, ns, node.attrs)
                        if node.dates:
                            spells = etree.SubElement(el, f"{ns}spells")
                            if node.kind == "event":
                                for day in node.dates:
                                    etree.SubElement(spells, f"{ns}spell", start=day, end=day)
                            else:
                                etree.SubElement(spells, f"{ns}spell", start=node.dates[0])
                        r, g, b = rgb(node.colour)
                        etree.SubElement(el, f"{ns}color", r=str(r), g=str(g), b=str(b))
                        if node.x is not None and node.y is not None:
                            etree.SubElement(el, f"{ns}position", x=str(node.x), y=str(node.y), z="0.0")
                        etree.SubElement(el, f"{ns}size", value=str(_size(node, heaviest)))
                        xf.write(el)
                with xf.element(f"{ns}edges", count=str(len(view.edges))):
                    for number, edge in enumerate(view.edges):
                        el = etree.Element(f"{ns}edge", id=str(number), source=edge.source, target=edge.target,
                                           label=edge.label, weight=repr(edge.weight), kind=edge.type)
                        _attvalues(el, ns, edge.attrs)
                        if edge.dates:
                            spells = etree.SubElement(el, f"{ns}spells")
                            for day in edge.dates:
                                etree.SubElement(spells, f"{ns}spell", start=day, end=day)
                        xf.write(el)


def _attvalues(el: Any, ns: str, attrs: dict[str, str | int | float]) -> None:
    from lxml import etree

    if not attrs:
        return
    values = etree.SubElement(el, f"{ns}attvalues")
    for key, value in attrs.items():
        etree.SubElement(values, f"{ns}attvalue", {"for": key, "value": _text(value)})


def write_graphml(view: View, handle: IO[bytes]) -> None:
    import networkx as nx

    graph: nx.Graph = nx.MultiDiGraph() if view.directed else nx.Graph()
    heaviest = max((n.weight for n in view.nodes), default=0)
    for node in view.nodes:
        r, g, b = rgb(node.colour)
        data: dict[str, Any] = {"label": node.label, **{k: _graphml_value(v) for k, v in node.attrs.items()},
                                "r": r, "g": g, "b": b, "size": _size(node, heaviest)}
        if node.x is not None and node.y is not None:
            data["x"], data["y"] = float(node.x), float(node.y)
        graph.add_node(node.id, **data)
    for edge in view.edges:
        data = {"label": edge.label, "weight": edge.weight, **{k: _graphml_value(v) for k, v in edge.attrs.items()}}
        if view.directed:
            graph.add_edge(edge.source, edge.target, key=edge.type, **data)
        else:
            graph.add_edge(edge.source, edge.target, **data)
    graph.graph["name"] = f"kg {view.name} view"
    nx.write_graphml_lxml(graph, handle, encoding="utf-8", prettyprint=False, named_key_ids=True)


def _graphml_value(value: str | int | float) -> str | int | float:
    return clean(value) if isinstance(value, str) else value


def cyjs_elements(view: View, evidence: bool = False) -> dict[str, Any]:
    """The Cytoscape.js elements; with ``evidence``, each element also carries its evidence records."""
    heaviest = max((n.weight for n in view.nodes), default=0)
    nodes = []
    for node in view.nodes:
        data: dict[str, Any] = {"id": node.id, "label": node.label, "color": node.colour,
                                "size": _size(node, heaviest), **node.attrs}
        if evidence:
            data["dates"] = node.dates
            data["evidence"] = [_ev(e) for e in node.evidence]
        item: dict[str, Any] = {"data": data}
        if node.x is not None and node.y is not None:
            item["position"] = {"x": node.x, "y": node.y}
        nodes.append(item)
    edges = []
    for number, edge in enumerate(view.edges):
        data = {"id": f"e{number}", "source": edge.source, "target": edge.target, "label": edge.label,
                "weight": edge.weight, **edge.attrs}
        if evidence:
            data["dates"] = edge.dates
            data["evidence"] = [_ev(e) for e in edge.evidence]
        edges.append({"data": data})
    return {"nodes": nodes, "edges": edges}


def _ev(ev: Any) -> dict[str, Any]:
    out = {"doc": ev.doc, "quote": ev.quote, "start": ev.start}
    for key in ("sentence", "title", "published"):
        value = getattr(ev, key)
        if value is not None:
            out[key] = value
    return out


def write_cyjs(view: View, handle: IO[str]) -> None:
    document = {
        "format_version": "1.0",
        "generated_by": f"kg {__version__}",
        "target_cytoscapejs_version": "~3.35",
        "data": {"name": f"kg {view.name} view", "shared_name": f"kg {view.name} view",
                 "directed": view.directed},
        "elements": cyjs_elements(view),
    }
    json.dump(document, handle, ensure_ascii=False, separators=(",", ":"))
