"""Issue 9 item 6: per-document errors stay per document — impossible dates in front matter, folders nested
deeper than Python's recursion limit, and arbitrary bytes in every reader never end a run with a traceback."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.records import Document
from kg.sources import iter_documents

runner = CliRunner()
NEWS = "Rebel fighters shelled army positions outside the provincial capital on Sunday.\n"


@pytest.mark.parametrize("value", ["2024-02-30", "2024-13-01", "0000-01-01", "2023-02-29"])
def test_impossible_published_date_is_that_documents_error(tmp_path: Path, value: str) -> None:
    bad = tmp_path / "a.md"
    bad.write_text(f"---\ntitle: Shelling\npublished: {value}\n---\n{NEWS}", encoding="utf-8")
    good = tmp_path / "b.md"
    good.write_text(f"---\npublished: 2024-02-29\n---\n{NEWS}", encoding="utf-8")
    items = list(iter_documents([str(bad), str(good)]))
    assert isinstance(items[0], InputError)
    assert str(items[0]).startswith(f"{bad}:3: published is not a valid date")
    assert isinstance(items[1], Document) and items[1].published == "2024-02-29"
    out = tmp_path / "r.jsonl"
    result = runner.invoke(app, ["extract", str(bad), str(good), "-o", str(out)])
    assert result.exit_code == 1  # the run went on: one failure
    assert "Traceback" not in result.output
    assert f"error: {bad}:3: published is not a valid date" in result.stderr
    assert [json.loads(line)["document"]["id"] for line in out.read_text().splitlines()] == ["b"]


def test_dates_written_as_yaml_timestamps_still_work(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(f"---\npublished: 2024-05-02 10:30:00\n---\n{NEWS}", encoding="utf-8")
    (doc,) = iter_documents([str(path)])
    assert isinstance(doc, Document) and doc.published == "2024-05-02T10:30:00"


def test_folder_nested_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    depth = sys.getrecursionlimit() + 100
    current = tmp_path / "root"
    current.mkdir()
    (current / "top.txt").write_text(NEWS, encoding="utf-8")
    fd = os.open(current, os.O_RDONLY)
    try:  # build it with relative mkdir calls: the whole path would pass PATH_MAX
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as handle:
            handle.write(NEWS)
    finally:
        os.close(fd)
    try:
        items = list(iter_documents([str(tmp_path / "root")]))
        assert [i.id for i in items if isinstance(i, Document)] == ["d/" * depth + "deep", "top"]  # depth first
    finally:
        _remove_chain(current, depth)  # shutil.rmtree (pytest's clean-up) recurses and would fail on it


def _remove_chain(root: Path, depth: int) -> None:
    fds = [os.open(root, os.O_RDONLY)]
    for _ in range(depth):
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    os.unlink("deep.txt", dir_fd=fds[-1])
    while len(fds) > 1:
        os.close(fds.pop())
        os.rmdir("d", dir_fd=fds[-1])
    os.close(fds[0])


FRONT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".md", ".jsonl", ".html"]))
def test_readers_never_raise_on_arbitrary_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    for item in iter_documents([str(path)], max_bytes=1500):
        assert isinstance(item, Document | InputError)
        if isinstance(item, InputError):
            assert "\n" not in str(item) and str(item).startswith(str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=FRONT, body=st.text(max_size=100))
def test_front_matter_parser_never_raises(tmp_path: Path, block: str, body: str) -> None:
    path = tmp_path / "fm.md"
    path.write_text(f"---\n{block}\n---\n{body}", encoding="utf-8", errors="surrogatepass")
    for item in iter_documents([str(path)]):
        assert isinstance(item, Document | InputError)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.dictionaries(st.sampled_from(["id", "title", "published", "url", "source", "text", "x"]),
                            st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                                         max_leaves=6)))
def test_jsonl_lines_of_any_shape_never_raise(tmp_path: Path, meta: dict[str, object]) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_text(json.dumps(meta) + "\n" + json.dumps({"text": NEWS}) + "\n", encoding="utf-8")
    items = list(iter_documents([str(path)]))
    assert isinstance(items[-1], Document)
