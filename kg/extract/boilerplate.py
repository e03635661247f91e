"""Web boilerplate inside plain text: newsletter prompts, membership appeals, share lines, comment counters,
copyright notices and the like, found as character spans to ignore, so that offsets of the real text stay unchanged.
"""

from __future__ import annotations

import re

#
# A line (= paragraph) is boilerplate on its own when it is short and matches one of _LINE_RULES, or when it is
# an appeal: it asks for money/membership (_APPEAL) while addressing the reader (_ADDRESS) and is not reported
# speech. At the end of a document, the block from the first appeal/editor-letter line on is boilerplate when
# every line after it is appeal-like, a sign-off, addresses the reader, or is short.

_I = re.IGNORECASE
_MAX_LINE = 300  # single-line rules only fire on lines up to this long; navigation lines are short
_SHORT_LINE = 60  # inside an end-of-article appeal, a line this short (sign-off, name, button) goes with it
_APOS = "['’]"

_LINE_RULES: tuple[re.Pattern[str], ...] = (
    # newsletter sign-up prompts
    re.compile(r"^(?:get|receive)\b.*\b(?:by|via|in\s+your)\s+e-?mail\b.*\b(?:sign\s?up|subscribe)\W*$", _I),
    re.compile(r"\b(?:newsletters?|e-?mail|inbox)\b.*\b(?:sign\s?up|subscribe)\W*$", _I),
    re.compile(r"\b(?:subscribe|sign\s?up)\s+(?:to|for)\s+(?:our|the)\b.{0,40}\bnewsletters?\b", _I),
    # reading meters
    re.compile(rf"\byou{_APOS}ve\s+read\b.{{0,60}}\barticles?\b|\byou\s+have\s+read\b.{{0,60}}\barticles?\b", _I),
    re.compile(r"\b(?:free\s+)?articles?\s+(?:left|remaining)\s+this\s+(?:month|week)\b", _I),
    # comment counters and buttons
    re.compile(r"^(?:\d[\d,.]*k?\s+)?comments?\s*(?:[(\[]\d+[)\]]|\d+)?$", _I),
    re.compile(r"^(?:view|show|read|load|add|post|leave|hide|see)\s+(?:all\s+|the\s+|a\s+)?(?:\d+\s+)?comments?\b", _I),
    re.compile(r"^(?:join|start)\s+the\s+(?:conversation|discussion)\W*$", _I),
    # link lists and ads
    re.compile(
        r"^(?:read\s+more|related(?:\s+(?:articles?|stories|coverage|content|posts?))?|see\s+also|more\s+on\s+this"
        r"(?:\s+story)?|recommended(?:\s+for\s+you)?|most\s+(?:read|popular)|you\s+may\s+also\s+like)"
        r"(?:\s*[:»›|–—-].*)?$",
        _I,
    ),
    re.compile(
        r"^(?:advertisement|sponsored(?:\s+content)?|paid\s+content|story\s+continues\s+below"
        r"(?:\s+advertisement)?)\W*$",
        _I,
    ),
    # share / follow
    re.compile(
        r"^(?:share|tweet|pin|e-?mail|print)(?:\s+(?:this(?:\s+(?:article|story|page|post))?|on|via|to)\b.*)?$", _I
    ),
    re.compile(r"^(?:follow|like)\s+(?:us|me)\b", _I),
    # cookie notices
    re.compile(
        r"\b(?:we\s+use\s+cookies|(?:this|our)\s+(?:web)?site\s+uses\s+cookies|cookie\s+(?:policy|settings|"
        r"preferences|consent)|accept\s+(?:all\s+)?cookies)\b",
        _I,
    ),
    # copyright
    re.compile(r"^(?:©|\(c\)\s|copyright\s*(?:©|\(c\))?\s*(?:\d{4}|by\b))|\ball\s+rights\s+reserved\b", _I),
)

# Asking for money or membership.
_APPEAL = re.compile(
    r"\b(?:donat(?:e|es|ing|ion|ions)|become\s+an?\s+(?:member|subscriber|supporter|patron)|join\s+(?:our|the)\s+"
    r"\w*\s*community|membership|paywall|subscribe\s+(?:today|now)|(?:your|reader)\s+support|support\s+(?:our|us|"
    r"independent|quality)\b)|[$€£]\s?\d+(?:\.\d\d)?\s+(?:a|per)\s+(?:month|week|year)\b",
    _I,
)
# Speaking to the reader ("our correspondent ... membership" in a news sentence is not an appeal).
_ADDRESS = re.compile(r"\b(?:you|your|readers?)\b|^(?:please\s+)?(?:support|donate|become|join|subscribe)\b", _I)
# Quotes or attribution: a news sentence reporting what someone asked for, not an appeal.
_REPORTED = re.compile(r"[\"“”]|\b(?:said|says|told|according\s+to|stated)\b", _I)
# How an editor's letter to the reader opens.
_LETTER_OPENER = re.compile(
    rf"^(?:I{_APOS}ll\s+(?:tell\s+you\s+the\s+truth|be\s+honest)|I{_APOS}m\s+proud\s+to\s+(?:work|write)\s+(?:at|for)|"
    rf"we{_APOS}re\s+(?:really\s+|so\s+)?(?:pleased|glad|delighted|happy)\s+(?:that\s+)?you|dear\s+(?:reader|friend)s?\b|"
    rf"(?:so\s+)?(?:now\s+)?we\s+have\s+a\s+(?:small\s+)?(?:request|favou?r)\b|before\s+you\s+go\b|"
    rf"if\s+you\s+(?:value|like|enjoy|appreciate)\s+(?:our|this|what)\b)",
    _I,
)
# First person or the publication speaking about itself: continues an appeal block, never starts one.
_FIRST_PERSON = re.compile(
    rf"^(?:I|I{_APOS}(?:m|ll|ve|d)|we|we{_APOS}(?:re|ve|ll)|our|that{_APOS}s\s+why\s+we)\b|"
    r"\bour\s+(?:team|reporting|journalism|journalists|work|newsroom|readers|coverage|mission)\b",
    _I,
)
_SIGNOFF = re.compile(
    r"^(?:thank\s+you(?:\s+for\s+reading)?|thanks|sincerely|(?:best|kind|warm)\s+regards|regards|yours"
    r"(?:\s+(?:truly|sincerely))?|with\s+gratitude)\s*[,.!—–-]?$",
    _I,
)
_NAME_TITLE = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,4}\s*,\s+\w.{0,80}$")


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of web boilerplate in ``text``, sorted and non-overlapping.

    Works line by line (a line is a paragraph) and is conservative: ordinary news sentences, including ones that
    quote a spokesman or mention "air support", are never flagged. The text itself is not changed, so offsets
    computed on it stay valid; callers skip sentences that fall inside a span.
    """
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    flagged = [_is_boilerplate_line(line) for _, _, line in lines]
    for i, (_, _, line) in enumerate(lines):
        if _SIGNOFF.match(line):
            j = _next_nonblank(lines, i)
            if j is not None and _NAME_TITLE.match(lines[j][2]):
                flagged[i] = flagged[j] = True

    spans: list[tuple[int, int]] = []
    tail = _appeal_tail(lines)
    for i, (start, end, line) in enumerate(lines[:tail]):
        if flagged[i] and line:
            spans.append((start, end))
    if tail < len(lines):
        spans.append((lines[tail][0], len(text)))
    return _merge(spans, text)


def _is_boilerplate_line(line: str) -> bool:
    if not line or len(line) > _MAX_LINE * 2:
        return False
    if len(line) <= _MAX_LINE and any(rule.search(line) for rule in _LINE_RULES):
        return True
    return _is_appeal(line)


def _is_appeal(line: str) -> bool:
    return bool(_APPEAL.search(line) and _ADDRESS.search(line) and not _REPORTED.search(line))


def _appeal_tail(lines: list[tuple[int, int, str]]) -> int:
    """Index of the first line of the closing appeal block, or len(lines) when the document has none."""
    start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i][2]
        if not _continues_appeal(line):
            break
        if line and (_is_appeal(line) or _LETTER_OPENER.match(line)):
            start = i
    return start


def _continues_appeal(line: str) -> bool:
    if len(line) <= _SHORT_LINE or _is_boilerplate_line(line) or _LETTER_OPENER.match(line):
        return True
    if _REPORTED.search(line):
        return False
    return bool(_FIRST_PERSON.search(line) or re.search(r"\b(?:you|your)\b", line, _I))


def _next_nonblank(lines: list[tuple[int, int, str]], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j][2]:
            return j
    return None


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join spans separated only by whitespace."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
