"""What an incremental ``kg sync`` pass costs against the full run of the same job, measured side by side.

    python benchmarks/sync_incremental.py [--docs 1000] [--changed 10] [--settle 1s] [--length long|short]

Writes ``--docs`` sample articles (tests/sync/articles.py, written for this project; ``long``: about 460 words,
the length of a typical news story, the default; ``short``: about 80 words) into a folder, then runs
``python -m kg sync JOB`` as a process, as cron would, three times against one .nq target:

1. the full run (empty state: every document extracted and written);
2. an unchanged re-run (target: <= 2 % of the full run);
3. a re-run after ``--changed`` documents were rewritten (target: <= 5 % of the full run).

Wall-clock seconds of each process, start to exit (interpreter start and imports included, and for the third
pass the settle wait for the rewritten files and the spaCy pipeline load). Prints both ratios.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from sync.articles import article, long_article  # noqa: E402 - the tests' sample articles


def _pass(job: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", "sync", str(job)], cwd=job.parent, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"kg sync failed ({done.returncode}): {done.stderr}")
    return seconds, done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--settle", default="1s", help="the folder source's settle time (default: the default, 1s)")
    parser.add_argument("--length", choices=("long", "short"), default="long")
    args = parser.parse_args()
    write = long_article if args.length == "long" else article
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("KG_CONFIG", None)
    with tempfile.TemporaryDirectory(prefix="kg-sync-bench-") as tmp:
        root = Path(tmp)
        inbox = root / "inbox"
        inbox.mkdir()
        (root / "out").mkdir()
        for n in range(args.docs):
            (inbox / f"story-{n:05d}.txt").write_text(write(n), encoding="utf-8")
        job = root / "job.yaml"
        job.write_text(f"state: state/bench.sqlite\nsources:\n  - folder: inbox/\n    settle: {args.settle}\n"
                       "to: [out/bench.nq]\n", encoding="utf-8")

        full, full_line = _pass(job, env)
        print(f"full run        {full:8.2f} s   {full_line}")
        unchanged, unchanged_line = _pass(job, env)
        print(f"unchanged       {unchanged:8.2f} s   {unchanged_line}")
        step = max(1, args.docs // max(1, args.changed))
        for n in range(0, args.docs, step)[:args.changed]:
            (inbox / f"story-{n:05d}.txt").write_text(write(n, edition=1), encoding="utf-8")
        changed, changed_line = _pass(job, env)
        print(f"{args.changed} changed      {changed:8.2f} s   {changed_line}")
        size = (root / "out" / "bench.nq").stat().st_size
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in inbox.iterdir()) / args.docs
        print(f"target: {size / 1e6:.1f} MB of N-Quads; {words:.0f} words per article; settle {args.settle}")
    print(f"unchanged / full = {unchanged / full:.2%}   (target <= 2%)")
    print(f"{args.changed} changed / full = {changed / full:.2%}   (target <= 5%)")


if __name__ == "__main__":
    main()
