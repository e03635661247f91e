"""Tests for kg.extract.boilerplate: web boilerplate spans in plain text (sign-ups, appeals, share lines)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from kg.extract.boilerplate import boilerplate_spans

SEED = Path(__file__).parents[2] / "shared/seed/article.txt"

REAL = [
    "Rebels shell government positions outside the provincial capital",
    "Rebel fighters shelled army positions outside the provincial capital on Sunday, a military spokesman said.",
    "The offensive, backed by air support from allied jets, began before dawn and lasted several hours.",
    "\u201cWe will not withdraw,\u201d the commander told reporters, adding that reinforcements would arrive soon.",
    "Aid groups said they could not reach the town and called on donors to support the relief effort.",
    "Share prices on the local exchange fell sharply after the announcement.",
    "The brigade was commanded by Col. Adel Nasser, who had led the unit since 2012.",
    "Our correspondent in the capital reports that membership of the militia has doubled since the spring.",
    "Supporters of the governor queued outside the hospital to donate blood for the wounded.",
    "Copyright disputes over the footage delayed its broadcast by several days.",
]
JUNK_LINES = [
    "Get the Evening Brief by email and never miss a headline Free Sign Up",
    "Subscribe to our newsletter",
    "Read more: Army says border crossing will reopen next week",
    "Advertisement",
    "Share on Facebook",
    "Follow us on Twitter",
    "We use cookies to improve your experience. By continuing you accept our cookie policy.",
    "© 2016 Example Media Group",
    "All rights reserved.",
    "Comments (3)",
]
APPEAL = [
    "I’ll tell you the truth: covering this region is hard, and it is not getting easier.",
    "I'm proud to work at the Example Herald with reporters who go where others will not go.",
    (
        "Independent journalism costs money. Your support, through membership, keeps our reporters in the field. "
        "Will you become a member today?"
    ),
    "Thank you,",
    "Maria Lindqvist, Managing Editor",
    "We’re really pleased that you’ve read 12 Example Herald articles this month.",
    "We have not put up a paywall, so for as little as $5 a month you can help support our journalism.",
    "12 comments",
]


def covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def touches(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def line_span(text: str, line: str) -> tuple[int, int]:
    start = text.index(line)
    return start, start + len(line)


def test_boilerplate_in_written_article() -> None:
    body = [*REAL[:2], JUNK_LINES[0], *REAL[2:4], JUNK_LINES[2], *REAL[4:], JUNK_LINES[9], ""]
    text = "\n".join(body + APPEAL)
    spans = boilerplate_spans(text)
    for line in [JUNK_LINES[0], JUNK_LINES[2], JUNK_LINES[9], *APPEAL]:
        assert covered(spans, *line_span(text, line)), line
    for line in REAL:
        assert not touches(spans, *line_span(text, line)), line
    assert spans[-1][1] == len(text)  # the appeal block runs to the end
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))


@pytest.mark.parametrize("junk", JUNK_LINES)
def test_single_boilerplate_lines(junk: str) -> None:
    text = "\n".join([REAL[1], junk, REAL[2]])
    spans = boilerplate_spans(text)
    assert covered(spans, *line_span(text, junk)), junk
    assert not touches(spans, *line_span(text, REAL[1]))
    assert not touches(spans, *line_span(text, REAL[2]))


def test_sign_off_needs_name_and_title() -> None:
    text = "Thank you,\nDavid Cohen, Senior Editor\nThe talks resumed in Geneva on Monday after a week-long pause."
    spans = boilerplate_spans(text)
    assert covered(spans, 0, text.index("\nThe talks"))
    assert not touches(spans, *line_span(text, "The talks resumed in Geneva on Monday after a week-long pause."))
    # Without a "Name, Title" line after it, "Thank you," is left alone.
    text = "Thank you,\nThe talks resumed in Geneva on Monday after a week-long pause, officials said."
    assert boilerplate_spans(text) == []


def test_plain_news_has_no_boilerplate() -> None:
    assert boilerplate_spans("\n".join(REAL)) == []
    assert boilerplate_spans("") == []


def test_appeal_block_is_not_taken_from_the_middle() -> None:
    # An appeal followed by more news: only the appeal line is flagged, the news after it is kept.
    text = "\n".join([REAL[1], APPEAL[2], REAL[2], REAL[6]])
    spans = boilerplate_spans(text)
    assert covered(spans, *line_span(text, APPEAL[2]))
    for line in (REAL[1], REAL[2], REAL[6]):
        assert not touches(spans, *line_span(text, line))


@pytest.mark.skipif(not SEED.exists(), reason="seed article not available")
def test_boilerplate_in_seed_article() -> None:
    text = SEED.read_text(encoding="utf-8")
    spans = boilerplate_spans(text)
    appeal_start = text.index("I\u2019ll tell you the truth")
    assert covered(spans, appeal_start, len(text))
    signup = next(line for line in text.split("\n") if line.startswith("Get The Times of Israel"))
    assert covered(spans, *line_span(text, signup))
    news = [line for line in text[:appeal_start].split("\n") if line.strip() and line != signup]
    assert any("Soleimani" in line for line in news)
    assert any("Hamedani" in line for line in news)
    assert any("Allahdadi" in line for line in news)
    for line in news:
        assert not touches(spans, *line_span(text, line)), line
