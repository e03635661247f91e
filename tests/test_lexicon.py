"""The extractor's data files are validated like the mapping: each problem is one ConfigError at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import ConfigError
from kg.extract.lexicon import TRAITS, load_gazetteer, load_lexicon


def test_shipped_lexicon_gives_every_event_type_its_traits() -> None:
    lexicon = load_lexicon()
    assert lexicon.entry("airstrike") is not None and {"violent", "weapon"} <= lexicon.entry("airstrike").traits
    assert lexicon.entry("killing").counts == "killed" and lexicon.entry("killing").attempt == "attack"
    assert lexicon.entry("seizure").person_object == "arrest"
    assert lexicon.entry("suicidebombing").parent == "bombing" and lexicon.entry("bombing").parent == "attack"
    assert lexicon.verbs["kill"].traits == lexicon.entry("killing").traits  # every trigger carries them
    assert all(trait in TRAITS for entry in lexicon.events.values() for trait in entry.traits)


@pytest.mark.parametrize(("body", "line", "words"), [
    ("events:\n  riot:\n    traits: [violent, noisy]\n    verbs: [riot]\n", 3, ["unknown trait 'noisy'"]),
    ("events:\n  riot:\n    traits: [violnt]\n", 3, ["did you mean 'violent'"]),
    ("events:\n  riot:\n    verbs: [riot]\n    attempt: uprising\n", 4, ["attempt 'uprising' is not an event"]),
    ("events:\n  riot:\n    counts: hurt\n", 3, ["counts must be one of killed, injured"]),
    ("events:\n  riot:\n    verbs: [riot]\n    parent: unrest\n", 4, ["parent 'unrest' is not an event"]),
    ("events:\n  riot:\n    parent: protest\n  protest:\n    parent: riot\n", 3, ["leads back to 'riot'"]),
    ("events:\n  riot: [riot]\n", 2, ["must be a mapping"]),
    ("events:\n  riot:\n    subject_role: {riot: victim}\n", 3, ["unknown role 'victim'"]),
    ("events:\n  riot:\n    verbs: [riot\n", 4, ["YAML syntax error"]),
    ("events:\n  riot:\n    objects:\n      call it off: [strike]\n", 4, ["one lemma, or a lemma and its particle"]),
])
def test_bad_lexicon_is_one_line_at_file_and_line(tmp_path: Path, body: str, line: int, words: list[str]) -> None:
    path = tmp_path / "triggers.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_lexicon(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: "), message
    for word in words:
        assert word in message


def test_duplicate_gazetteer_id_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text("actors:\n  - {id: q1, name: Alpha Brigade, type: unit}\n"
                    "  - {id: q2, name: Beta Brigade, type: unit}\n  - {id: q1, name: Gamma, type: unit}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}:4: duplicate actor id 'q1' \(first on line 2\)"):
        load_gazetteer([path])


def test_a_user_gazetteer_replaces_a_shipped_actor_by_id(tmp_path: Path) -> None:
    shipped = load_gazetteer()
    some_id = next(iter(shipped.actors))
    path = tmp_path / "actors.yaml"
    path.write_text(f"actors:\n  - {{id: {some_id}, name: Renamed Actor, type: organization}}\n", encoding="utf-8")
    assert load_gazetteer([path]).actors[some_id].name == "Renamed Actor"
