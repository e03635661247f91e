/* kg export --format html: the page's own code. Everything shown comes from the JSON data block and is
   inserted with textContent / createTextNode only, never as HTML. No network request is ever made. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  var cy = cytoscape({
    container: $("cy"),
    elements: data.elements,
    layout: { name: "preset", fit: true, padding: 30 },
    minZoom: 0.05,
    maxZoom: 6,
    style: [
      { selector: "node", style: {
        "background-color": "data(color)", "width": "data(size)", "height": "data(size)",
        "label": "data(label)", "font-size": 9, "min-zoomed-font-size": 7, "text-valign": "bottom",
        "text-margin-y": 2, "text-wrap": "ellipsis", "text-max-width": 140, "color": "#222",
        "text-outline-color": "#fff", "text-outline-width": 1.5 } },
      { selector: "node[kind = 'place']", style: { "shape": "diamond" } },
      { selector: "node[kind = 'event']", style: { "shape": "round-rectangle" } },
      { selector: "edge", style: {
        "width": "mapData(weight, 1, 20, 1, 6)", "line-color": "#b5b5b5", "curve-style": "bezier",
        "target-arrow-color": "#b5b5b5", "target-arrow-shape": data.directed ? "triangle" : "none",
        "arrow-scale": 0.7, "label": "data(label)", "font-size": 7, "min-zoomed-font-size": 10,
        "color": "#666", "text-rotation": "autorotate" } },
      { selector: ".faded", style: { "opacity": 0.15 } },
      { selector: ".match", style: { "border-width": 3, "border-color": "#ff9800" } },
      { selector: ".off", style: { "display": "none" } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#111", "line-color": "#111",
                                        "target-arrow-color": "#111" } }
    ]
  });
  window.kgView = cy;

  // ------------------------------------------------------------ counts
  function showCount() {
    var shown = cy.nodes().not(".off").length, edges = cy.edges().not(".off").length;
    var text = shown + " nodes · " + edges + " edges";
    if (data.totalNodes > cy.nodes().length) {
      text += " (the " + cy.nodes().length + " most connected of " + data.totalNodes + " nodes)";
    }
    $("count").textContent = text;
    $("count").setAttribute("data-nodes", String(shown));
  }

  // ------------------------------------------------------------ search by name
  function search() {
    var q = $("search").value.trim().toLowerCase();
    cy.batch(function () {
      cy.elements().removeClass("match faded");
      if (!q) { $("matches").textContent = ""; return; }
      var hits = cy.nodes().filter(function (n) { return String(n.data("label")).toLowerCase().indexOf(q) >= 0; });
      cy.elements().not(hits).addClass("faded");
      hits.addClass("match");
      $("matches").textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    });
  }
  $("search").addEventListener("input", search);
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var hits = cy.nodes(".match");
      if (hits.length) { cy.animate({ fit: { eles: hits, padding: 80 } }, { duration: 300 }); }
    }
  });

  // ------------------------------------------------------------ timeline filter
  var dates = data.dates;
  function inRange(ele, lo, hi) {
    var own = ele.data("dates");
    if (!own || !own.length) { return true; }  // undated: always shown
    for (var i = 0; i < own.length; i++) { if (own[i] >= lo && own[i] <= hi) { return true; } }
    return false;
  }
  function timeline() {
    var a = Number($("from").value), b = Number($("to").value);
    if (a > b) { var t = a; a = b; b = t; }
    var lo = dates[a], hi = dates[b];
    $("from-label").textContent = lo;
    $("to-label").textContent = hi;
    cy.batch(function () {
      cy.elements().forEach(function (ele) {
        if (inRange(ele, lo, hi)) { ele.removeClass("off"); } else { ele.addClass("off"); }
      });
    });
    showCount();
  }
  if (dates.length) {
    ["from", "to"].forEach(function (id) {
      var input = $(id);
      input.min = "0"; input.max = String(dates.length - 1); input.step = "1";
      input.value = id === "from" ? "0" : String(dates.length - 1);
      input.addEventListener("input", timeline);
    });
    timeline();
  } else {
    $("timeline").hidden = true;
  }

  // ------------------------------------------------------------ evidence panel
  var SHOWN = ["class", "event_type", "date", "trigger", "modality", "killed", "injured", "wikidata",
               "type", "events", "relations", "event_types", "document_count", "evidence_count",
               "first_event_date", "last_event_date", "first_date", "last_date", "iri"];
  function sentence(ev) {
    var box = el("blockquote");
    var text = ev.sentence || ev.quote;
    var at = ev.sentence ? text.indexOf(ev.quote) : -1;
    if (at >= 0 && ev.quote) {
      box.appendChild(document.createTextNode(text.slice(0, at)));
      box.appendChild(el("mark", ev.quote));
      box.appendChild(document.createTextNode(text.slice(at + ev.quote.length)));
    } else {
      box.appendChild(el("mark", ev.quote));
      if (ev.sentence) { box.appendChild(document.createTextNode(" — " + ev.sentence)); }
    }
    var cite = [ev.doc];
    if (ev.title) { cite.push(ev.title); }
    if (ev.published) { cite.push(ev.published); }
    box.appendChild(el("cite", cite.join(" · ")));
    return box;
  }
  function show(ele) {
    var panel = $("panel"), d = ele.data();
    panel.replaceChildren();
    panel.appendChild(el("h2", ele.isNode() ? d.label : (cy.getElementById(d.source).data("label") + " → " +
      d.label + " → " + cy.getElementById(d.target).data("label"))));
    panel.appendChild(el("p", ele.isNode() ? (d.kind + " · " + d["class"]) : "edge", "meta"));
    var list = el("dl");
    SHOWN.forEach(function (key) {
      if (d[key] === undefined || d[key] === null || d[key] === "") { return; }
      list.appendChild(el("dt", key.replace(/_/g, " ")));
      list.appendChild(el("dd", d[key]));
    });
    panel.appendChild(list);
    var evidence = d.evidence || [];
    var total = d.evidence_count || evidence.length;
    panel.appendChild(el("h3", "Evidence" + (total > evidence.length ? " (" + evidence.length + " of " + total + ")" : "")));
    if (!evidence.length) { panel.appendChild(el("p", "No evidence sentence recorded.", "hint")); }
    evidence.forEach(function (ev) { panel.appendChild(sentence(ev)); });
    if (d.documents) {
      panel.appendChild(el("h3", "Documents"));
      panel.appendChild(el("p", d.documents));
    }
    panel.setAttribute("data-shown", d.id);
  }
  cy.on("tap", "node, edge", function (evt) { show(evt.target); });

  // ------------------------------------------------------------ legend
  var legend = $("legend");
  data.legend.forEach(function (item) {
    var key = el("span", item.name);
    key.style.setProperty("--c", item.color);
    legend.appendChild(key);
  });
  showCount();
  document.body.setAttribute("data-ready", "true");
}());
