"""Time expressions -> ISO dates, relative to the document's publication date.

Only expressions that name a day are resolved ("Wednesday", "Oct. 8", "January 18, 2015", "two weeks ago",
"yesterday"); vague ones ("in recent days", "late January", "the following day") stay unresolved, and
without a publication date only expressions that carry their own year are resolved. Never guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

_WEEKDAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = (r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
          r"oct(ober)?|nov(ember)?|dec(ember)?)\.?")
_NUMBER = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an)"
_DAY_PATTERNS = [
    re.compile(rf"^(last |this |on |earlier |late |early )?{_WEEKDAY}('s)?( night| morning| evening| afternoon)?$"),
    re.compile(rf"^(on )?{_MONTH} \d{{1,2}}(st|nd|rd|th)?(,? \d{{4}})?$"),
    re.compile(rf"^(on )?(the )?\d{{1,2}}(st|nd|rd|th)? (of )?{_MONTH}(,? \d{{4}})?$"),
    re.compile(rf"^{_NUMBER} (days?|weeks?) ago$"),
    re.compile(r"^(yesterday|today|tonight)$"),
    re.compile(r"^\d{4}-\d{2}-\d{2}$"),
]
_HAS_YEAR = re.compile(r"\b(1[89]|20)\d{2}\b")
# "a two-day strike", "the 48-hour ceasefire", "a five-year-old boy", "a decade-long war": how long, not when
_DURATION = re.compile(r"-(second|minute|hour|day|night|week|month|year|decade)s?(-long|-old)?$|-long$|\bold$")


def is_duration(text: str, preposition: str | None = None) -> bool:
    """Whether a DATE or TIME expression says how long or how old, not when: a hyphenated length ("two-day",
    "five-year-old"), an age ("40 years old"), or the object of "for" ("for three days")."""
    return bool(_DURATION.search(_clean(text))) or preposition == "for"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("’", "'"))


def _base(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published[:10])
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def resolve_date(text: str, published: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) for a time expression, or None when it does not name a day unambiguously."""
    cleaned = _clean(text)
    if not any(p.match(cleaned) for p in _DAY_PATTERNS):
        return None
    base = _base(published)
    if base is None and not _HAS_YEAR.search(cleaned):
        return None
    import dateparser  # heavy import, only when a day expression is seen

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    phrase = re.sub(r"^(on|last|this|earlier|late|early) ", "", cleaned)
    phrase = re.sub(r"('s)?( night| morning| evening| afternoon)$", "", phrase)
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        return None
    day: date = parsed.date()
    return day.isoformat()
