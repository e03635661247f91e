"""One self-contained HTML page: cytoscape.js, the page's script and style, and the graph, all inline.

The page makes no network request at all: cytoscape.js is the npm package's ``dist/cytoscape.min.js``, copied
into the package at build time (``make install`` / ``.ci/run`` run ``npm ci`` in ``viewer/``; see
:func:`cytoscape_path`), and a Content-Security-Policy (``default-src 'none'``, scripts allowed by their
hashes only) forbids every fetch even if something tried. Article text is untrusted: the graph travels as a
JSON data block with ``<``, ``>`` and ``&`` escaped (so nothing in it can close the script element), and the
page's script shows every value with ``textContent``; labels are drawn on a canvas by cytoscape.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path
from typing import IO

from kg.errors import ConfigError
from kg.export.model import View
from kg.export.writers import cyjs_elements

_HERE = Path(__file__).resolve().parent
VENDOR = _HERE / "vendor"
PAGE = _HERE / "page"
LICENSE_NOTE = "cytoscape.js {version} (MIT licence, The Cytoscape Consortium): {license}"


def cytoscape_path() -> Path:
    """The bundled cytoscape.min.js; a clear error when the viewer was never built."""
    path = VENDOR / "cytoscape.min.js"
    if not path.is_file():
        raise ConfigError("the HTML viewer is not built: kg/export/vendor/cytoscape.min.js is missing",
                          hint="run `make viewer` (npm ci in viewer/), or install kg from a wheel")
    return path


def _script_safe(text: str) -> str:
    if "</script" in text.lower() or "<!--" in text:
        raise ConfigError("bundled script contains '</script' or '<!--' and cannot be inlined")
    return text


def _json_block(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def write_html(view: View, handle: IO[str], title: str = "kg graph") -> None:
    library = _script_safe(cytoscape_path().read_text(encoding="utf-8"))
    licence = (VENDOR / "cytoscape.LICENSE").read_text(encoding="utf-8") if (VENDOR / "cytoscape.LICENSE").is_file() else ""
    version = (VENDOR / "cytoscape.VERSION").read_text(encoding="utf-8").strip() \
        if (VENDOR / "cytoscape.VERSION").is_file() else "3"
    own = _script_safe((PAGE / "viewer.js").read_text(encoding="utf-8"))
    css = (PAGE / "viewer.css").read_text(encoding="utf-8")
    dates = sorted({d for n in view.nodes for d in n.dates} | {d for e in view.edges for d in e.dates})
    legend: dict[str, str] = {}
    for node in view.nodes:
        key = node.attrs.get("event_type") or node.cls
        legend.setdefault(str(key), node.colour)
    data = {
        "elements": cyjs_elements(view, evidence=True),
        "directed": view.directed,
        "view": view.name,
        "dates": dates,
        "totalNodes": view.total_nodes,
        "totalEdges": view.total_edges,
        "legend": [{"name": k, "color": v} for k, v in sorted(legend.items())],
    }
    csp = (f"default-src 'none'; script-src {_sha256(library)} {_sha256(own)}; style-src 'unsafe-inline'; "
           "img-src data: blob:; base-uri 'none'; form-action 'none'")
    notice = LICENSE_NOTE.format(version=version, license=" ".join(licence.split())[:2000])
    safe_title = html.escape(title)
    handle.write(f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg export">
<title>{safe_title}</title>
<style>
{css}</style>
</head>
<body>
<header>
<h1>{safe_title}</h1>
<input id="search" type="search" placeholder="Search by name" aria-label="Search by name" autocomplete="off">
<span id="matches"></span>
<span class="timeline" id="timeline">
<label for="from">From</label><input id="from" type="range"><output id="from-label"></output>
<label for="to">to</label><input id="to" type="range"><output id="to-label"></output>
</span>
<span id="count"></span>
<div class="legend" id="legend"></div>
</header>
<main>
<div id="cy" aria-label="graph"></div>
<aside id="panel"><p class="hint">Click a node or an edge to see its evidence sentences and documents.</p></aside>
</main>
<!-- {html.escape(notice).replace("--", "- -")} -->
<script type="application/json" id="kg-data">{_json_block(data)}</script>
<script>{library}</script>
<script>{own}</script>
</body>
</html>
""")
