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
