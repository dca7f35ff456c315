"""Verdicts on the labelled real-message set (../shared/data/ex-messages/dev.jsonl).

    python scripts/eval_ex_messages.py [--goal logistics|closure|both] [--data PATH] [--misses]

Each message is checked with the given goal, a calm mood and no history, at a
daytime moment. Reports the share of bad messages that get a verdict other
than `send`, the share of good ones that do, whether every h/i message gets
`safety`, and per-label recall of the rule family each label maps to.
The data is read from ../shared and never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import levelhead
from levelhead.situation import Situation

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ex-messages" / "dev.jsonl"
NOW = datetime.fromisoformat("2026-11-20T12:00:00+00:00")
FAMILY = {
    "a": {"TN01"},
    "b": {"TN02"},
    "c": {"TN03", "TN10"},
    "d": {"TN04"},
    "e": {"TN05"},
    "f": {"TN06"},
    "g": {"PC01"},
    "h": {"SF02", "SF03"},
    "i": {"SF01"},
}


def evaluate(rows: list[dict], goal: str, show_misses: bool) -> dict[str, float]:
    situation = Situation(goal=goal, mood="calm", timezone="UTC")
    bad_flagged = bad = good_flagged = good = 0
    danger = danger_safety = 0
    label_hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        report = levelhead.check(row["text"], situation, now=NOW)
        codes = set(report.codes)
        flagged = report.verdict is not levelhead.Verdict.SEND
        if row["good"]:
            good += 1
            good_flagged += flagged
            if flagged and show_misses:
                print(f"  [good flagged {report.verdict.label}] {sorted(codes)} {row['text'][:100]!r}")
        else:
            bad += 1
            bad_flagged += flagged
            if not flagged and show_misses:
                print(f"  [bad missed] {''.join(row['labels'])} {row['text'][:100]!r}")
        if {"h", "i"} & set(row["labels"]):
            danger += 1
            ok = report.verdict is levelhead.Verdict.SAFETY
            danger_safety += ok
            if not ok and show_misses:
                print(f"  [danger not safety] {report.verdict.label} {row['text'][:100]!r}")
        for label in row["labels"]:
            label_hits[label][1] += 1
            label_hits[label][0] += bool(FAMILY[label] & codes)
    result = {
        "bad_not_send": bad_flagged / bad,
        "good_not_send": good_flagged / good,
        "danger_safety": danger_safety / danger if danger else 1.0,
    }
    print(f"goal={goal}: {len(rows)} messages ({bad} bad, {good} good)")
    print(f"  bad messages with a verdict other than send: {bad_flagged}/{bad} = {result['bad_not_send']:.1%}")
    print(f"  good messages with a verdict other than send: {good_flagged}/{good} = {result['good_not_send']:.1%}")
    print(f"  h/i messages with verdict safety: {danger_safety}/{danger} = {result['danger_safety']:.1%}")
    print("  per-label recall of the mapped rule family:")
    for label in sorted(label_hits):
        hit, total = label_hits[label]
        print(f"    {label} ({'/'.join(sorted(FAMILY[label]))}): {hit}/{total} = {hit / total:.0%}")
        result[f"recall_{label}"] = hit / total
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--goal", choices=("logistics", "closure", "both"), default="both")
    parser.add_argument("--misses", action="store_true", help="print the messages that were misjudged")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    goals = ["logistics", "closure"] if args.goal == "both" else [args.goal]
    for goal in goals:
        evaluate(rows, goal, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
