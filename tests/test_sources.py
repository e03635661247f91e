"""Tests for kg.sources: reading files, directories, JSONL and stdin into Documents, (boilerplate: test_boilerplate.py)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.records import Document
from kg.sources import SUPPORTED_EXTENSIONS, iter_documents

SEED = Path(__file__).parents[2] / "shared/seed/article.txt"

NEWS = (
    "The defence ministry said on Tuesday that two brigades had moved towards the northern border.\n"
    "Witnesses reported columns of trucks on the coastal highway near the port city.\n"
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def read_all(*paths: str | Path, **kwargs: object) -> list[Document | InputError]:
    return list(iter_documents([str(p) for p in paths], **kwargs))  # type: ignore[arg-type]


def only_doc(*paths: str | Path, **kwargs: object) -> Document:
    items = read_all(*paths, **kwargs)
    assert len(items) == 1, items
    assert isinstance(items[0], Document), items[0]
    return items[0]


def only_error(*paths: str | Path, **kwargs: object) -> InputError:
    items = read_all(*paths, **kwargs)
    assert len(items) == 1, items
    assert isinstance(items[0], InputError), items[0]
    return items[0]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------------- plain text


def test_txt_without_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", NEWS)
    doc = only_doc(path)
    assert doc.id == "report"
    assert doc.text == NEWS
    assert doc.sha256 == sha(NEWS)
    assert doc.source == str(path)
    assert (doc.title, doc.published, doc.url) == (None, None, None)


def test_txt_with_front_matter(tmp_path: Path) -> None:
    content = (
        "---\n"
        "id: border-2015\n"
        "title: Troops move north\n"
        "published: 2015-10-14\n"
        "url: https://example.org/border\n"
        "source: Example Wire\n"
        "tags: [ignored, key]\n"
        "---\n" + NEWS
    )
    doc = only_doc(write(tmp_path / "a.txt", content))
    assert doc.id == "border-2015"
    assert doc.title == "Troops move north"
    assert doc.published == "2015-10-14"  # YAML parsed it to a date object
    assert doc.url == "https://example.org/border"
    assert doc.source == "Example Wire"
    assert doc.text == NEWS  # front matter removed, offsets start at the body
    assert doc.sha256 == sha(NEWS)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2015-10-14 08:30:00", "2015-10-14T08:30:00"),
        ("2015-10-14T08:30:00+02:00", "2015-10-14T08:30:00+02:00"),
        ('"2015-10-14"', "2015-10-14"),
        ('"October 14, 2015"', "2015-10-14"),
        ('"Wed, 14 Oct 2015 08:30:00 +0000"', "2015-10-14T08:30:00+00:00"),
    ],
)
def test_front_matter_dates_are_iso(tmp_path: Path, given: str, expected: str) -> None:
    doc = only_doc(write(tmp_path / "a.txt", f"---\npublished: {given}\n---\n{NEWS}"))
    assert doc.published == expected


def test_front_matter_without_id_uses_file_name(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "story.md", f"---\ntitle: T\n---\n{NEWS}"))
    assert doc.id == "story"
    assert doc.title == "T"


def test_markdown_is_plain_text(tmp_path: Path) -> None:
    text = "# Heading\n\nSome *emphasis* stays as written.\n"
    doc = only_doc(write(tmp_path / "note.md", text))
    assert doc.id == "note"
    assert doc.text == text


def test_malformed_front_matter_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.txt", "---\ntitle: ok\nurl: [unclosed\nid: x\n---\nBody text.\n")
    err = only_error(path)
    assert err.where is not None and err.where.startswith(f"{path}:")
    line = int(err.where.rsplit(":", 1)[1])
    assert 3 <= line <= 5
    assert "front matter" in str(err)


def test_unclosed_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "open.txt", "---\ntitle: never closed\nBody text.\n")
    err = only_error(path)
    assert err.where == f"{path}:1"
    assert "never closed" in str(err)


def test_front_matter_not_a_mapping(tmp_path: Path) -> None:
    err = only_error(write(tmp_path / "list.txt", "---\n- a\n- b\n---\nBody.\n"))
    assert "front matter" in str(err)


def test_front_matter_bad_value_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "d.txt", "---\ntitle: fine\npublished: sometime soon\n---\nBody.\n")
    err = only_error(path)
    assert err.where == f"{path}:3"
    assert "published" in str(err)

    path = write(tmp_path / "e.txt", "---\ntitle:\n  nested: map\n---\nBody.\n")
    err = only_error(path)
    assert err.where == f"{path}:2"
    assert "title" in str(err)


def test_front_matter_only_is_empty(tmp_path: Path) -> None:
    err = only_error(write(tmp_path / "fm.txt", "---\ntitle: nothing else\n---\n\n  \n"))
    assert "empty" in str(err)


def test_bom_and_crlf_are_normalised(tmp_path: Path) -> None:
    raw = "\ufeffFirst line.\r\nSecond line.\r\nThird\rline.\r\n".encode()
    doc = only_doc(write(tmp_path / "win.txt", raw))
    assert doc.text == "First line.\nSecond line.\nThird\nline.\n"
    assert doc.sha256 == sha(doc.text)


def test_bom_before_front_matter(tmp_path: Path) -> None:
    doc = only_doc(write(tmp_path / "b.md", "\ufeff---\r\nid: with-bom\r\n---\r\nBody.\r\n"))
    assert doc.id == "with-bom"
    assert doc.text == "Body.\n"


# ---------------------------------------------------------------------------------------------------- HTML

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Brigades move north | Example News</title>
<meta property="og:title" content="Brigades move north">
<meta property="article:published_time" content="2015-10-14T09:00:00Z">
<link rel="canonical" href="https://news.example.org/brigades-move-north">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/about">About</a></nav>
<article>
<h1>Brigades move north</h1>
<p>The defence ministry said on Tuesday that two brigades had moved towards the northern border, in the largest
deployment the region has seen this year, according to officials familiar with the plans.</p>
<p>Witnesses reported long columns of trucks and armoured vehicles on the coastal highway near the port city,
and residents said checkpoints had been set up on the main roads leading out of town.</p>
<p>A spokesman for the ministry declined to say how long the troops would remain in the area, but said the
move was a precaution after weeks of rising tension along the frontier.</p>
</article>
<footer>Copyright 2015 Example News. All rights reserved.</footer>
</body></html>
"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", ARTICLE_HTML)
    doc = only_doc(path)
    assert doc.id == "page"
    assert "two brigades had moved towards the northern border" in doc.text
    assert "declined to say how long" in doc.text
    assert "Home" not in doc.text and "All rights reserved" not in doc.text
    assert doc.title == "Brigades move north"
    assert doc.published is not None and doc.published.startswith("2015-10-14")
    assert doc.url == "https://news.example.org/brigades-move-north"
    assert doc.sha256 == sha(doc.text)
    assert doc.source == str(path)


def test_htm_extension_and_declared_charset(tmp_path: Path) -> None:
    html = ARTICLE_HTML.replace('charset="utf-8"', 'charset="windows-1252"').replace("Tuesday", "Tuesday’s")
    doc = only_doc(write(tmp_path / "legacy.htm", html.encode("cp1252")))
    assert "Tuesday’s" in doc.text


def test_html_without_article_text(tmp_path: Path) -> None:
    err = only_error(write(tmp_path / "blank.html", "<html><head><title>x</title></head><body></body></html>"))
    assert "no article text" in str(err)


# ---------------------------------------------------------------------------------------------------- JSONL


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "n1",
                "text": "First story.\r\nSecond paragraph.",
                "title": "One",
                "published": "2015-10-14",
                "url": "https://example.org/1",
                "source": "wire",
            }
        ),
        "",
        json.dumps({"text": "A story without an id."}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "n5"}),
        json.dumps({"text": "   "}),
        json.dumps({"text": 42}),
        "   ",
        json.dumps({"text": "Last one.", "published": "2015-10-15T10:00:00"}),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    items = read_all(path)
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [d.id for d in docs] == ["n1", "feed-3", "feed-10"]
    first = docs[0]
    assert first.text == "First story.\nSecond paragraph."
    assert (first.title, first.published, first.url, first.source) == (
        "One",
        "2015-10-14",
        "https://example.org/1",
        "wire",
    )
    assert docs[1].source == f"{path}:3"
    assert docs[2].published == "2015-10-15T10:00:00"
    assert [e.where for e in errors] == [f"{path}:{n}" for n in (4, 5, 6, 7, 8)]
    assert "not valid JSON" in str(errors[0])
    assert "not a JSON object" in str(errors[1])
    assert all("text" in str(e) for e in errors[2:])


def test_jsonl_line_too_large_is_skipped(tmp_path: Path) -> None:
    big = json.dumps({"text": "x" * 500})
    path = write(tmp_path / "f.jsonl", json.dumps({"text": "small"}) + "\n" + big + "\n" + json.dumps({"text": "ok"}))
    items = read_all(path, max_bytes=100)
    assert isinstance(items[0], Document) and items[0].text == "small"
    assert isinstance(items[1], InputError) and items[1].where == f"{path}:2"
    assert str(len(big)) in str(items[1]) and "100" in str(items[1])
    assert isinstance(items[2], Document) and items[2].text == "ok" and items[2].id == "f-3"


def test_jsonl_empty_and_binary(tmp_path: Path) -> None:
    assert "empty" in str(only_error(write(tmp_path / "e.jsonl", "\n\n  \n")))
    assert "binary file" in str(only_error(write(tmp_path / "b.jsonl", b'{"text": "a"}\n\x00\x01\x02')))


def test_jsonl_invalid_utf8_line(tmp_path: Path) -> None:
    path = write(tmp_path / "u.jsonl", b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    items = read_all(path)
    assert isinstance(items[0], Document)
    assert isinstance(items[1], InputError) and items[1].where == f"{path}:2"
    assert "UTF-8" in str(items[1])


# ---------------------------------------------------------------------------------------------------- directories


def test_directory_recursion_sorted_and_filtered(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "b.txt", "B text.")
    write(root / "a.md", "A text.")
    write(root / "sub" / "z.txt", "Z text.")
    write(root / "sub" / "deeper" / "c.html", ARTICLE_HTML)
    write(root / "c.jsonl", json.dumps({"text": "J text."}) + "\n")
    write(root / "notes.docx", "ignored: unknown extension inside a directory")
    write(root / ".hidden.txt", "ignored: hidden file")
    write(root / ".git" / "x.txt", "ignored: hidden directory")
    items = read_all(root)
    assert all(isinstance(i, Document) for i in items), items
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.id for d in docs] == ["a", "b", "c-1", "sub/deeper/c", "sub/z"]
    assert docs[0].source == str(root / "a.md")
    assert read_all(root) == items  # stable


def test_directory_is_read_lazily(tmp_path: Path) -> None:
    for n in range(3):
        write(tmp_path / f"{n}.txt", f"Text {n}.")
    stream = iter_documents([str(tmp_path)])
    first = next(stream)
    assert isinstance(first, Document) and first.id == "0"
    (tmp_path / "2.txt").unlink()  # not read yet: its absence shows up only when reached
    rest = list(stream)
    assert [d.id for d in rest if isinstance(d, Document)] == ["1"]


def test_duplicate_ids_are_errors(tmp_path: Path) -> None:
    write(tmp_path / "d" / "same.txt", "One.")
    write(tmp_path / "d" / "same.md", "Two.")
    items = read_all(tmp_path / "d")
    assert isinstance(items[0], Document) and items[0].id == "same"
    assert isinstance(items[1], InputError) and "duplicate document id" in str(items[1])


# ---------------------------------------------------------------------------------------------------- stdin


def test_stdin_document() -> None:
    text = "Read from a pipe.\r\nSecond line."
    doc = only_doc("-", stdin=io.StringIO(text))
    normalised = "Read from a pipe.\nSecond line."
    assert doc.text == normalised
    assert doc.sha256 == sha(normalised)
    assert doc.id == f"sha256:{sha(normalised)[:16]}"
    assert doc.source == "-"


def test_stdin_empty_and_too_large() -> None:
    assert "empty" in str(only_error("-", stdin=io.StringIO("  \n")))
    err = only_error("-", stdin=io.StringIO("x" * 50), max_bytes=10)
    assert "10" in str(err) and "--max-bytes" in str(err)


def test_stdin_mixed_with_files(tmp_path: Path) -> None:
    path = write(tmp_path / "f.txt", "From a file.")
    items = read_all(path, "-", stdin=io.StringIO("From stdin."))
    assert [i.text for i in items if isinstance(i, Document)] == ["From a file.", "From stdin."]


# ---------------------------------------------------------------------------------------------------- bad input


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    assert "empty" in str(only_error(write(tmp_path / "e.txt", "")))
    assert "empty" in str(only_error(write(tmp_path / "w.md", " \n\t\r\n")))


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    err = only_error(path)
    assert "binary file" in str(err)
    assert err.where == str(path)


def test_invalid_utf8_names_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "latin1.txt", b"Caf\xc3\xa9 ok.\nNa\xefve text.\n")
    err = only_error(path)
    assert "byte 12" in str(err)
    assert "UTF-8" in str(err) and "convert" in str(err)


def test_too_large_file(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "word " * 100)
    err = only_error(path, max_bytes=100)
    assert "500 bytes" in str(err) and "100 bytes" in str(err)
    assert "--max-bytes" in str(err)
    assert isinstance(only_doc(path, max_bytes=500), Document)


def test_unknown_extension_lists_supported(tmp_path: Path) -> None:
    path = write(tmp_path / "report.pdf", "not really a pdf")
    err = only_error(path)
    assert err.where == str(path)
    assert ".pdf" in str(err)
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in str(err)


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    err = only_error(missing)
    assert "no such file or directory" in str(err)
    assert err.where == str(missing)


def test_errors_are_yielded_and_reading_continues(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", "Fine.")
    items = read_all(tmp_path / "missing.txt", good)
    assert isinstance(items[0], InputError)
    assert isinstance(items[1], Document)


def test_strict_raises_first_error(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", "Fine.")
    empty = write(tmp_path / "empty.txt", "")
    stream = iter_documents([str(good), str(empty), str(tmp_path / "missing.txt")], strict=True)
    assert isinstance(next(stream), Document)
    with pytest.raises(InputError, match="empty"):
        next(stream)
