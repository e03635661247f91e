"""``kg export``: the graph as GEXF, GraphML, Cytoscape.js JSON or a self-contained HTML page."""
