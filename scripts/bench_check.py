"""Speed of a full draft check, beside VADER on the same drafts, and CLI start-up time.

    python scripts/bench_check.py [--rounds 7] [--repeat 200]

Reports medians over rounds: microseconds per check of a 60-word draft
(in-process, one core, every rule on), VADER's ``polarity_scores`` on the same
drafts in the same run, their ratio, and ``levelhead --help`` wall time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import datetime

import levelhead
from levelhead.rule import select_rules

# Sixty-word drafts written for this benchmark: calm logistics, mixed, heated.
DRAFTS = [
    "Hi, just confirming the plan for this weekend. I can collect the kids from school at 3:30 on Friday and "
    "bring them back to yours by 6 PM on Sunday. Emma has a birthday party on Saturday at 2, so I will take her. "
    "Could you pack her swimming bag and the permission slip? Thanks, and let me know if anything changes.",
    "I know you are busy but you never tell me anything about the school trip and I always find out last. "
    "I feel like you don't care what I think. Can you send me the form by Thursday? Also I still have your "
    "blue jacket and the books, I can drop them at the front desk on Monday morning if that works.",
    "WHY did you not answer me last night??? I waited up for hours and I can't stop thinking about you. "
    "Remember when we used to talk every night? I miss you so much and I need you to call me today. After "
    "everything I did for you, the least you can do is reply. Please, just this once, answer me.",
    "The car insurance renewal came through and it is going up to $640 for the year. I can pay half before the "
    "15th if you transfer your share by the end of the month. The documents are in the shared folder. I also "
    "need the spare key back when you drop Max off on Wednesday at 5:30. Thanks.",
]


def _sixty(text: str) -> str:
    words = text.split()
    return " ".join((words * 2)[:60])


def time_per_call(func, drafts: list[str], repeat: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(repeat):
        for d in drafts:
            func(d)
    return (time.perf_counter() - start) / (repeat * len(drafts)) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    drafts = [_sixty(d) for d in DRAFTS]
    situation = levelhead.Situation(goal="logistics", mood="calm", timezone="UTC")
    now = datetime.fromisoformat("2026-11-20T12:00:00+00:00")
    rules = select_rules()
    levelhead.check(drafts[0], situation, now=now, rules=rules)  # warm caches (phrase data, model)

    def ours(d: str) -> object:
        return levelhead.check(d, situation, now=now, rules=rules)

    def ours_fresh(d: str) -> object:
        return levelhead.check(d, situation, now=now)

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("vaderSentiment is not installed (pip install -e '.[bench]')", file=sys.stderr)
        return 2
    vader = SentimentIntensityAnalyzer()
    lh, lh_fresh, vd = [], [], []
    for _ in range(args.rounds):
        lh.append(time_per_call(ours, drafts, args.repeat))
        lh_fresh.append(time_per_call(ours_fresh, drafts, args.repeat // 4 or 1))
        vd.append(time_per_call(vader.polarity_scores, drafts, args.repeat))
    med_lh, med_fresh, med_vd = statistics.median(lh), statistics.median(lh_fresh), statistics.median(vd)
    print(f"draft words: {[len(d.split()) for d in drafts]}, rules: {len(rules)}, rounds: {args.rounds}")
    print(f"levelhead.check (rules chosen once): median {med_lh:8.1f} us per draft")
    print(f"levelhead.check (rules chosen per call): median {med_fresh:8.1f} us per draft")
    print(f"VADER polarity_scores:               median {med_vd:8.1f} us per draft")
    print(f"ratio levelhead / VADER:             {med_lh / med_vd:8.2f}")
    startup = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "levelhead", "--help"], capture_output=True, check=True)
        startup.append((time.perf_counter() - t) * 1000)
    print(f"levelhead --help: median {statistics.median(startup):.0f} ms over {args.rounds} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
