"""Rebuild event_clusters.jsonl (the `clusters` gold format) from the marked-up articles in event_clusters.md.

    python tests/data/event_clusters.py [--check]

Each article becomes {"id", "text", "events": [{"class", "mentions": [[start, end], ...]}]}, events in the
order of their first mention; --check only compares with the file and exits 1 when it differs.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "event_clusters.md"
TARGET = HERE / "event_clusters.jsonl"
_MARK = re.compile(r"\[([^\]]+)\]\{([a-z]+)\}")


def articles(source: str) -> list[dict[str, Any]]:
    out = []
    for block in source.split("\n=== ")[1:]:
        name, _, body = block.partition("\n")
        classes: dict[str, str] = {}
        lines = []
        for line in body.strip("\n").split("\n"):
            if line.startswith("@"):
                key, cls = line[1:].split()
                classes[key] = cls
            else:
                lines.append(line)
        marked = "\n".join(lines) + "\n"
        text, mentions, pos = [], {}, 0
        length = 0
        for match in _MARK.finditer(marked):
            text.append(marked[pos: match.start()])
            length += match.start() - pos
            mentions.setdefault(match.group(2), []).append([length, length + len(match.group(1))])
            text.append(match.group(1))
            length += len(match.group(1))
            pos = match.end()
        text.append(marked[pos:])
        unknown = set(mentions) - set(classes)
        if unknown:
            raise SystemExit(f"{name}: no class for {sorted(unknown)}")
        events = [{"class": classes[key], "mentions": spans}
                  for key, spans in sorted(mentions.items(), key=lambda kv: kv[1][0][0])]
        out.append({"id": name.strip(), "text": "".join(text), "events": events})
    return out


def main() -> int:
    lines = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles(SOURCE.read_text(encoding="utf-8")))
    if "--check" in sys.argv[1:]:
        return 0 if TARGET.exists() and TARGET.read_text(encoding="utf-8") == lines else 1
    TARGET.write_text(lines, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
