"""Sample news articles written for the kg sync tests and benchmark (invented events, no third-party text).

``article(n)`` gives a different short report for every n (actors, places, numbers and days vary), long enough
for trafilatura to take it as an article's main text when it is served as a page.
"""

from __future__ import annotations

ACTORS = ["Syrian", "Russian", "Iranian", "Turkish", "Israeli", "Ukrainian", "Yemeni", "Iraqi", "Saudi", "Egyptian"]
PLACES = ["Aleppo", "Idlib", "Homs", "Mosul", "Kherson", "Hodeidah", "Gaza", "Kirkuk", "Deir ez-Zor", "Raqqa",
          "Marib", "Sanaa", "Basra", "Odesa", "Kharkiv", "Rafah", "Latakia", "Hama", "Tikrit", "Aden"]
ACTIONS = ["shelled", "attacked", "bombed", "raided", "struck"]
TARGETS = ["a market", "an army checkpoint", "a fuel depot", "a police station", "a bridge", "an airfield",
           "a power plant", "a village", "a supply convoy", "a hospital"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OFFICIALS = ["Ahmad Karimi", "Olena Marchenko", "Yusuf Demir", "Layla Haddad", "Omar Saleh", "Dmitri Volkov"]


def article(n: int, edition: int = 0) -> str:
    """The n-th sample article; another ``edition`` gives the same story with a changed last sentence."""
    actor = ACTORS[n % len(ACTORS)]
    place = PLACES[(n // len(ACTORS)) % len(PLACES)]
    action = ACTIONS[(n // 3) % len(ACTIONS)]
    target = TARGETS[(n // 7) % len(TARGETS)]
    day = DAYS[n % len(DAYS)]
    official = OFFICIALS[(n // 5) % len(OFFICIALS)]
    killed = 2 + n % 17
    injured = 5 + (n * 7) % 23
    ending = (f"Local officials said rescue work continued into the night and {n + edition} families were moved."
              if edition == 0 else
              f"In an update, officials said the number of families moved had risen to {n + 100 * edition}.")
    return (
        f"{actor} forces {action} {target} near {place} on {day}, killing {killed} people and injuring {injured}, "
        f"according to a statement by the regional governor.\n"
        f"Report number {n}: witnesses said the attack began shortly after dawn and lasted for about two hours.\n"
        f"Spokesman {official} said the government would hold those responsible to account and called on the "
        f"United Nations to send observers to {place}.\n"
        f"{ending}\n"
    )


def page(title: str, text: str) -> str:
    """An HTML article page around ``text``, with a navigation bar and a footer trafilatura should drop."""
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{title}</title></head><body>"
        "<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> <a href=\"/sport\">Sport</a></nav>"
        f"<article><h1>{title}</h1>\n{paragraphs}</article>"
        "<footer>Copyright The Example Gazette. All rights reserved.</footer></body></html>"
    )


_MORE = [
    "Residents of {place} described hearing {count} loud explosions before the power went out across the district.",
    "A doctor at the main hospital in {place} said staff had treated {injured} people, several of them children.",
    "The {actor} defence ministry said its units had targeted positions used by armed groups and denied hitting civilians.",
    "Spokesman {official} told reporters that the operation would continue until the area was secure.",
    "Aid agencies said roads into {place} had been closed and that convoys carrying food were turned back on {day}.",
    "The United Nations envoy called for an immediate ceasefire and urged all sides to protect civilians.",
    "Satellite images reviewed by analysts showed damage to at least {count} buildings near the {target_word}.",
    "Local council member {official} said {families} families had left their homes since the fighting began.",
    "Opposition leaders accused the government of failing to warn residents before the strikes.",
    "The foreign minister of a neighbouring state said talks on a truce would resume next week.",
    "Witnesses said armed men set up checkpoints on the road north of {place} after nightfall.",
    "An engineer at the water station said repairs could take weeks because spare parts were unavailable.",
]


def long_article(n: int, edition: int = 0, paragraphs: int = 6) -> str:
    """A longer report (about 500 words, the length of a typical news story) for the benchmark: the short
    article followed by paragraphs of further reporting, varied by ``n``."""
    actor = ACTORS[n % len(ACTORS)]
    place = PLACES[(n // len(ACTORS)) % len(PLACES)]
    values = {"actor": actor, "place": place, "day": DAYS[(n + 3) % len(DAYS)],
              "official": OFFICIALS[(n // 2) % len(OFFICIALS)], "injured": 5 + (n * 7) % 23,
              "target_word": TARGETS[(n // 7) % len(TARGETS)].split()[-1]}
    body = [article(n, edition).rstrip("\n")]
    for p in range(paragraphs):
        sentences = [_MORE[(n + p * 5 + s) % len(_MORE)].format(count=3 + (n + p + s) % 9,
                                                                families=20 + (n * (p + 1) + s) % 300, **values)
                     for s in range(4)]
        body.append(" ".join(sentences))
    return "\n".join(body) + "\n"
