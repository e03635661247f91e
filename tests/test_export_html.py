"""The HTML export in a real browser: Debian's chromium, headless, driven by Playwright (``executable_path``; never
``playwright install``). Every request that is not for the file itself is blocked and counted (there must be
none), the console must stay free of errors, the node count the page shows must equal the graph's, and clicks
on a node and on an edge must show their evidence. The seed article's page is kept as a screenshot in
``tests/artifacts/`` (or ``$KG_TEST_ARTIFACTS``) to be looked at.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kg.export import export
from kg.mapping import map_record
from kg.sinks.rdf import write_rdf

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "article.txt"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ID = "https://w3id.org/kg-news/id/"
ARTIFACTS = Path(os.environ.get("KG_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))

if os.environ.get("CI"):  # in CI nothing is skipped: a missing Playwright is a failure
    import playwright.sync_api as sync_api
else:
    sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Visit:
    page: Any
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)")
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, viewport={"width": 1400, "height": 850})
        try:
            yield context
        finally:
            context.close()


def open_page(browser: Any, path: Path) -> Iterator[Visit]:
    page = browser.new_page()
    visit = Visit(page)

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url == path.as_uri():
            request_route.continue_()
        else:
            visit.blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: visit.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: visit.console_errors.append(str(exc)))

    def dialog(d: Any) -> None:
        visit.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.on("request", lambda req: visit.blocked.append(req.url)
            if not req.url.startswith(("file:", "data:", "about:", "blob:")) and req.url not in visit.blocked else None)
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    try:
        yield visit
    finally:
        page.close()


def click_element(page: Any, element_id: str) -> None:
    """A real mouse click on a node (its rendered position) or an edge (its midpoint)."""
    point = page.evaluate("""(id) => {
        const cy = window.kgView, ele = cy.getElementById(id);
        const p = ele.isNode() ? ele.renderedPosition() : ele.renderedMidpoint();
        const box = cy.container().getBoundingClientRect();
        return { x: box.left + p.x, y: box.top + p.y };
    }""", element_id)
    page.mouse.click(point["x"], point["y"])


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory: pytest.TempPathFactory, extractor, mapping) -> Path:  # type: ignore[no-untyped-def]
    from kg.sources import iter_documents

    docs = list(iter_documents([str(SEED)], strict=True))
    out = tmp_path_factory.mktemp("seed") / "seed.nq"
    write_rdf([map_record(r, mapping) for r in extractor.extract_many(docs)], out)
    return out


def test_seed_article_page_in_a_real_browser(browser: Any, seed_graph: Path, tmp_path: Path) -> None:
    page_file, cyjs = tmp_path / "seed.html", tmp_path / "seed.cyjs"
    report = export([str(seed_graph)], page_file, title="Seed article")
    export([str(seed_graph)], cyjs)
    graph = json.loads(cyjs.read_text(encoding="utf-8"))["elements"]
    assert report.nodes == len(graph["nodes"]) > 10
    for visit in open_page(browser, page_file):
        page = visit.page
        shown = int(page.get_attribute("#count", "data-nodes"))
        assert shown == len(graph["nodes"]) == page.evaluate("window.kgView.nodes().length")
        assert page.text_content("#count").startswith(f"{shown} nodes · {len(graph['edges'])} edges")
        # click the node with the most evidence: its sentences and documents appear in the panel
        node = max(graph["nodes"], key=lambda n: (n["data"].get("evidence_count", 0), n["data"]["id"]))["data"]
        click_element(page, node["id"])
        page.wait_for_selector(f"#panel[data-shown='{node['id']}']", timeout=10_000)
        assert page.text_content("#panel h2") == node["label"]
        quotes = page.locator("#panel blockquote")
        assert quotes.count() >= 1
        cite = quotes.first.locator("cite").text_content() or ""
        assert cite.split(" · ")[0] in node["evidence_documents"].split(" | ")  # the document it is from
        assert page.locator("#panel blockquote mark").count() == quotes.count()
        # and an edge
        edge = next(e["data"] for e in graph["edges"] if e["data"].get("evidence_count"))
        click_element(page, edge["id"])
        page.wait_for_selector(f"#panel[data-shown='{edge['id']}']", timeout=10_000)
        assert page.locator("#panel blockquote").count() >= 1
        # search by name
        page.fill("#search", "soleimani")
        matched = page.evaluate("window.kgView.nodes('.match').map(n => n.data('label'))")
        assert matched and all("soleimani" in label.lower() for label in matched)
        assert page.text_content("#matches") == f"{len(matched)} match{'es' if len(matched) > 1 else ''}"
        page.fill("#search", "")
        # the timeline: narrowing the range to the first date hides what happened later
        dates = page.evaluate("JSON.parse(document.getElementById('kg-data').textContent).dates")
        if len(dates) > 1:
            page.evaluate("""() => { const to = document.getElementById('to'); to.value = '0';
                                     to.dispatchEvent(new Event('input')); }""")
            assert int(page.get_attribute("#count", "data-nodes")) < shown
            page.evaluate("""(n) => { const to = document.getElementById('to'); to.value = String(n);
                                      to.dispatchEvent(new Event('input')); }""", len(dates) - 1)
            assert int(page.get_attribute("#count", "data-nodes")) == shown
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "seed-graph.png"))
        assert visit.blocked == [] and visit.console_errors == [] and visit.dialogs == []
    assert (ARTIFACTS / "seed-graph.png").stat().st_size > 20_000


def test_example_articles_page_and_its_cap(browser: Any, tmp_path: Path, example_records, mapping) -> None:  # type: ignore[no-untyped-def]
    graph = tmp_path / "examples.nq"
    write_rdf([map_record(r, mapping) for r in example_records], graph)
    page_file = tmp_path / "examples.html"
    total = export([str(graph)], page_file, title="kg: examples/articles").total_nodes
    for visit in open_page(browser, page_file):
        assert int(visit.page.get_attribute("#count", "data-nodes")) == total > 12
        rostami = ID + "person/farhad-rostami"
        click_element(visit.page, rostami)
        visit.page.wait_for_selector(f"#panel[data-shown='{rostami}']", timeout=10_000)
        assert visit.page.text_content("#panel h2") == "Farhad Rostami"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(ARTIFACTS / "examples-graph.png"))  # the README's picture (docs/)
        assert visit.blocked == [] and visit.console_errors == []
    capped = tmp_path / "capped.html"
    export([str(graph)], capped, max_nodes=12)
    for visit in open_page(browser, capped):
        text = visit.page.text_content("#count")
        assert text.startswith("12 nodes") and f"(the 12 most connected of {total} nodes)" in text
        assert visit.blocked == [] and visit.console_errors == []


def test_markup_from_articles_renders_as_text(browser: Any, tmp_path: Path) -> None:
    from test_export import EVIL, EVIL_QUOTE, xss_graph

    page_file = tmp_path / "evil.html"
    export([str(xss_graph(tmp_path / "evil.nq"))], page_file)
    for visit in open_page(browser, page_file):
        page = visit.page
        person = ID + "person/evil"
        assert page.evaluate("(id) => window.kgView.getElementById(id).data('label')", person) == EVIL
        click_element(page, person)
        page.wait_for_selector(f"#panel[data-shown='{person}']", timeout=10_000)
        assert page.text_content("#panel h2") == EVIL
        assert EVIL_QUOTE in page.text_content("#panel blockquote")
        page.fill("#search", "<script>")
        assert page.text_content("#matches") == "1 match"
        assert page.evaluate("document.querySelectorAll('script').length") == 3
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert visit.dialogs == [] and visit.blocked == [] and visit.console_errors == []
