"""Event coreference metrics (kg.eval.coref) on hand-computed examples, and ``kg eval --format clusters``."""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.eval.classes import default_classes
from kg.eval.coref import (
    Ratio,
    b_cubed,
    ceaf_e,
    conll_f1,
    coref_scores,
    event_mentions,
    load_clusters,
    max_assignment,
    muc,
    response_clusters,
    score_clusters,
)
from kg.eval.run import extract_gold
from kg.records import DocRecord, Document, Event, EventMention
from kg.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def _prf(ratio: Ratio) -> tuple[float, float, float]:
    return ratio.recall, ratio.precision, ratio.f1


def _f1(p: F, r: F) -> F:
    return 2 * p * r / (p + r) if p + r else F(0)


def _approx(*values: F | float) -> Any:
    return pytest.approx(tuple(float(v) for v in values))


# ------------------------------------------------------------------ the metrics by hand


def test_muc_vilain_example() -> None:
    # Vilain et al. 1995: key {A B C D}, response {A B} {C D}: one link missing, none wrong
    ratio = muc([["A", "B", "C", "D"]], [["A", "B"], ["C", "D"]])
    assert (ratio.r_num, ratio.r_den, ratio.p_num, ratio.p_den) == (2, 3, 2, 2)
    assert _prf(ratio) == _approx(F(2, 3), F(1), F(4, 5))


KEY = [list("12345"), list("67"), list("89ABC")]  # Luo 2005, figure 1: three entities, 12 mentions


@pytest.mark.parametrize(("response", "expected", "luo_f1"), [
    # (a) the 2nd and 3rd entity merged
    ([list("12345"), list("6789ABC")],
     {"muc": (F(1), F(9, 10)), "bcub": (F(1), F(5 + F(29, 7), 12)), "ceafe": (F(11, 18), F(11, 12))},
     [0.947, 0.865, 0.733]),
    # (b) the 1st and 3rd merged
    ([list("1234589ABC"), list("67")],
     {"muc": (F(1), F(9, 10)), "bcub": (F(1), F(7, 12)), "ceafe": (F(5, 9), F(5, 6))},
     [0.947, 0.737, 0.667]),
    # (c) everything in one cluster
    ([list("123456789ABC")],
     {"muc": (F(1), F(9, 11)), "bcub": (F(1), F(54, 144)), "ceafe": (F(10, 51), F(10, 17))},
     [0.9, 0.545, 0.294]),
    # (d) every mention alone
    ([[m] for m in "123456789ABC"],
     {"muc": (F(0), F(0)), "bcub": (F(1, 4), F(1)), "ceafe": (F(4, 9), F(1, 9))},
     [0.0, 0.4, 0.178]),
])  # fmt: skip
def test_luo_2005_examples(response: list[list[str]], expected: dict[str, tuple[F, F]], luo_f1: list[float]) -> None:
    """Recall and precision worked out by hand; the F1s as in Luo 2005, table 1 (MUC, B-cubed, CEAF-e)."""
    scores = coref_scores(KEY, response)
    for name, (recall, precision) in expected.items():
        assert _prf(scores[name]) == _approx(recall, precision, _f1(precision, recall)), name
    assert [round(scores[n].f1, 3) for n in ("muc", "bcub", "ceafe")] == luo_f1


def test_twinless_mentions() -> None:
    """Key {a b c} {d e f g}; response {a b} {c d} {f g h i}: e is missing, h and i are not in the key."""
    key, response = [list("abc"), list("defg")], [list("ab"), list("cd"), list("fghi")]
    scores = coref_scores(key, response)
    # MUC: {a b c} splits in 2 (1 of 2 links), {d e f g} in 3 ({d} {e} {f g}: 1 of 3); {a b} 1 of 1,
    # {c d} 0 of 1, {f g h i} splits in {f g} {h} {i}: 1 of 3
    assert _prf(scores["muc"]) == _approx(F(2, 5), F(2, 5), F(2, 5))
    # B-cubed recall: (2^2/3 + 1/3) + (1/4 + 2^2/4) over 7 key mentions; precision (2^2/2 + 2 * 1/2 + 2^2/4) / 8
    recall, precision = (F(5, 3) + F(5, 4)) / 7, F(4, 8)
    assert _prf(scores["bcub"]) == _approx(recall, precision, _f1(precision, recall))
    # CEAF-e: best alignment {a b c}-{a b} (2*2/5) and {d e f g}-{f g h i} (2*2/8): 13/10
    assert _prf(scores["ceafe"]) == _approx(F(13, 20), F(13, 30), _f1(F(13, 30), F(13, 20)))
    assert conll_f1(scores) == pytest.approx(float((F(2, 5) + _f1(precision, recall) + F(52, 100)) / 3))
    # a twinless response cluster only costs precision; a twinless key cluster only recall
    assert _prf(b_cubed([["a"]], [["a"], ["z"]])) == _approx(1, F(1, 2), F(2, 3))
    assert _prf(ceaf_e([["a"], ["y"]], [["a"]])) == _approx(F(1, 2), 1, F(2, 3))


def test_perfect_empty_and_invalid() -> None:
    same = coref_scores(KEY, KEY)
    assert all(_prf(r) == (1.0, 1.0, 1.0) for r in same.values()) and conll_f1(same) == 1.0
    empty = coref_scores(KEY, [])
    assert all(r.precision == 0.0 and r.recall == 0.0 for r in empty.values())
    with pytest.raises(ValueError, match="in two clusters"):
        muc([["a", "b"], ["b"]], [["a"]])


def test_max_assignment_is_optimal() -> None:
    assert max_assignment([[0.4, 0.8], [0.5, 0.0]]) == [(0, 1), (1, 0)]
    generator = random.Random(7)
    for _ in range(200):
        rows, cols = generator.randint(1, 5), generator.randint(1, 5)
        weights = [[generator.choice([0.0, generator.random()]) for _ in range(cols)] for _ in range(rows)]
        pairs = max_assignment(weights)
        assert len(pairs) == min(rows, cols)
        assert len({r for r, _ in pairs}) == len({c for _, c in pairs}) == len(pairs)
        best = max(sum(weights[r][c] for r, c in zip(chosen, perm, strict=False))
                   for chosen in itertools.combinations(range(rows), min(rows, cols))
                   for perm in itertools.permutations(range(cols), min(rows, cols)))
        assert sum(weights[r][c] for r, c in pairs) == pytest.approx(best)


# ------------------------------------------------------------------ response clusters from events


def merged_event(event_id: str, cls: str, spans: tuple[tuple[int, int], ...], text: str = "") -> Event:
    """An event of several mentions, as the extractor gives them (records 1.1)."""
    mentions = tuple(EventMention(s, e, text[s:e] or "x", 0, "t", 1.0) for s, e in spans)
    return Event(event_id, cls, *spans[0], mentions[0].trigger, 0, 1.0, "t", mentions=mentions)


def test_response_clusters_use_event_mentions_when_given() -> None:
    key = [[(0, 6), (20, 26)], [(30, 36)]]
    single = [Event("V1", "attack", 0, 5, "attac", 0, 1.0, "t"), Event("V2", "attack", 21, 26, "x", 0, 1.0, "t"),
              Event("V3", "killing", 40, 45, "x", 0, 1.0, "t")]
    assert event_mentions(single[0]) == ((0, 5),)
    # overlapping response mentions take the key mention's identity; (40, 45) overlaps none: twinless
    assert response_clusters(key, single) == [[(0, 6)], [(20, 26)], [("twinless", 2, 40, 45)]]
    merged = [merged_event("V1", "attack", ((0, 5), (21, 26))),
              Event("V3", "killing", 30, 36, "x", 0, 1.0, "t")]
    assert response_clusters(key, merged) == [[(0, 6), (20, 26)], [(30, 36)]]
    assert all(_prf(r) == (1.0, 1.0, 1.0) for r in coref_scores(key, response_clusters(key, merged)).values())


# ------------------------------------------------------------------ the clusters gold format

DOCS: list[dict[str, Any]] = [
    {
        "id": "c1",
        "text": "A drone strike hit a fuel depot in Hodeidah on Monday. The strike killed three workers. "
                "Officials said the attack was launched from the sea.",
        # (class, [(mention text, occurrence)])
        "events": [("Airstrike", [("drone strike", 0), ("hit", 0), ("strike", 1), ("attack", 0)]),
                   ("Killing", [("killed", 0)]), ("Statement", [("said", 0)])],
    },
    {
        "id": "c2",
        "text": "Police arrested two men in Kabul. The arrests followed a bombing at a market. "
                "The blast injured five people.",
        "events": [("Arrest", [("arrested", 0), ("arrests", 0)]), ("Bombing", [("bombing", 0), ("blast", 0)]),
                   ("Injury", [("injured", 0)])],
    },
]


def _span(text: str, part: str, nth: int) -> list[int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return [start, start + len(part)]


def _line(spec: dict[str, Any]) -> dict[str, Any]:
    events = [{"class": cls, "mentions": [_span(spec["text"], m, n) for m, n in mentions]}
              for cls, mentions in spec["events"]]
    return {"id": spec["id"], "text": spec["text"], "events": events}


@pytest.fixture(scope="module")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clusters") / "clusters.jsonl"
    path.write_text("".join(json.dumps(_line(d)) + "\n" for d in DOCS), encoding="utf-8")
    return path


def test_load_clusters(gold_file: Path) -> None:
    docs = load_clusters(gold_file, default_classes())
    c1 = docs[0]
    assert [(c.cls, [c1.text[s:e] for s, e in c.mentions]) for c in c1.events] == [
        ("airstrike", ["drone strike", "hit", "strike", "attack"]), ("killing", ["killed"]), ("statement", ["said"])]
    assert [g.cls for g in c1.gold_doc().events] == ["airstrike", "airstrike", "airstrike", "killing", "statement",
                                                     "airstrike"]  # in text order


def test_bad_cluster_files_name_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(_line(DOCS[0]))
    cases = {
        "{not json": r"bad\.jsonl:2: not JSON",
        json.dumps({"id": "x", "text": "abc", "events": [{"class": "Airstrik", "mentions": [[0, 1]]}]}):
            r"bad\.jsonl:2: event 1: unknown event class 'Airstrik'",
        json.dumps({"id": "x", "text": "abc", "events": [{"class": "Airstrike", "mentions": [[2, 9]]}]}):
            r"bad\.jsonl:2: event 1: mention \[2, 9\] is not a \[start, end\] span",
        json.dumps({"id": "x", "text": "abc", "events": [{"class": "Airstrike", "mentions": [[0, 1]]},
                                                         {"class": "Killing", "mentions": [[0, 1]]}]}):
            r"bad\.jsonl:2: event 2: mention \[0, 1\] is in two events",
        json.dumps({"id": "x", "text": "abc"}): r"bad\.jsonl:2: field 'events'",
    }  # fmt: skip
    for line, message in cases.items():
        path = tmp_path / "bad.jsonl"
        path.write_text(good + "\n" + line + "\n", encoding="utf-8")
        with pytest.raises(InputError, match=message):
            load_clusters(path, default_classes())


def test_extractor_output_the_hand_counts_assume(gold_file: Path) -> None:
    docs = load_clusters(gold_file, default_classes())
    records, _ = extract_gold(docs, Settings())

    def events(doc_id: str) -> list[tuple[str, str, list[str]]]:
        return [(e.trigger, e.type, [m.trigger for m in e.all_mentions()]) for e in records[doc_id].events]

    # the extractor merges the mentions of one happening (kg.extract.coref_events); no event for "said"
    assert events("c1") == [("drone strike", "airstrike", ["drone strike", "hit", "strike", "attack"]),
                            ("killed", "killing", ["killed"])]
    assert events("c2") == [("arrested", "arrest", ["arrested", "arrests"]),
                            ("bombing", "bombing", ["bombing", "blast"]), ("injured", "injury", ["injured"])]


def test_kg_eval_clusters_prints_the_hand_counts(gold_file: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold_file), "--format", "clusters"])
    assert result.exit_code == 0, result.output
    report = result.output

    def row(label: str) -> list[float]:
        line = next(line for line in report.splitlines() if line.startswith(label))
        return [float(x) for x in line[len(label):].split()[:3]]

    # 11 gold mentions, 5 predicted events of 10 mentions, each on a gold mention of the same coarse class
    # (triggers are scored one per mention); "said" missed
    line = next(line for line in report.splitlines() if line.startswith("trigger classification"))
    assert line.endswith("10/0/1")
    # the events are the key clusters but for "said": MUC finds all 5 links and predicts no wrong one
    assert row("event coreference MUC") == [1.0, 1.0, 1.0]
    # B-cubed recall: c1 (4 * 4/4 + 1 + 0) + c2 (2 + 2 + 1) = 10 of 11 mentions; precision 10/10
    assert row("event coreference B-cubed") == [1.0, round(10 / 11, 3), round(2 * (10 / 11) / (1 + 10 / 11), 3)]
    # CEAF-e: every response cluster is a key cluster: Phi = 5 over 6 key / 5 response clusters
    assert row("event coreference CEAF-e") == [1.0, round(5 / 6, 3), round(10 / 11, 3)]
    conll = (1 + 2 * (10 / 11) / (1 + 10 / 11) + 10 / 11) / 3
    assert row("event coreference CoNLL F1") == [round(conll, 3)]
    assert row("system events per gold event") == [round(5 / 6, 3)]
    assert "argument" not in report  # the format has no argument gold


def test_score_clusters_with_merged_events(gold_file: Path) -> None:
    """When the extractor merges mentions into one event, its clusters are scored as such (no spaCy here)."""
    docs = load_clusters(gold_file, default_classes())
    c2 = docs[1]

    def merged(cls: str, *spans: tuple[int, int]) -> Event:
        return merged_event("V", cls, spans, c2.text)

    arrest, bombing, injury = (c.mentions for c in c2.events)
    record = DocRecord(Document("c2", c2.text, "0" * 64), ((0, len(c2.text)),), (), (
        merged("arrest", *arrest), merged("bombing", *bombing), merged("injury", *injury)))  # fmt: skip
    results = score_clusters([c2], {"c2": record}, default_classes())
    for name in ("coref_muc", "coref_bcub", "coref_ceafe"):
        value = results[name]
        assert isinstance(value, Ratio) and _prf(value) == (1.0, 1.0, 1.0)
    assert results["coref_conll"] == 1.0 and results["events_per_gold"] == 1.0


def test_example_clusters_file_loads() -> None:
    docs = load_clusters(REPO / "examples" / "eval" / "event-coref.jsonl", default_classes())
    assert len(docs) >= 2 and all(d.events for d in docs)
    assert any(len(c.mentions) > 1 for d in docs for c in d.events)
