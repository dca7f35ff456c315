"""Precision and recall of `levelhead triage` on the labelled dev set (tests/triage/devset.yml).

    python scripts/eval_triage.py [--devset PATH] [--verbose]

Asks: a found ask matches a labelled one when its text holds the label's
words (case-insensitive). Bait: a found span matches a labelled one when it
overlaps the label's words; the kind is scored separately. Facts are scored
on matched asks, for the facts the label gives. Labels marked optional count
neither way. Targets (issue 7): asks recall >= 0.9, bait precision >= 0.9.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from levelhead.situation import Situation
from levelhead.triage import Triage, triage

DEVSET = Path(__file__).resolve().parent.parent / "tests" / "triage" / "devset.yml"
RECEIVED = "2026-11-20T09:30"
TZ = "Europe/London"
TARGETS = {"asks recall": 0.9, "bait precision": 0.9}


def run_entry(entry: dict[str, Any]) -> Triage:
    """Triage one dev-set message the way the eval and the tests do."""
    received = datetime.fromisoformat(entry.get("received", RECEIVED))
    tz = entry.get("tz", TZ)
    return triage(
        entry["text"],
        received=received,
        tz=tz,
        situation=Situation(country=entry.get("country", "US"), timezone=tz),
        now=received,
    )


@dataclass
class Tally:
    tp: int = 0  # labelled and found
    fp: int = 0  # found, not labelled
    fn: int = 0  # labelled, not found
    notes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _span_of(text: str, words: str) -> tuple[int, int]:
    at = text.lower().find(words.lower())
    if at == -1:
        raise ValueError(f"label words {words!r} are not in the message {text[:40]!r}")
    return at, at + len(words)


def _facts_ok(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    wrong = []
    for key in ("when", "was"):
        if key in expected:
            want, have = expected[key], got.get(key)
            if (want in (None, "null") and have is not None) or (
                want not in (None, "null") and not (have or "").startswith(str(want))
            ):
                wrong.append(f"{key}: want {want}, got {have}")
    if "amount" in expected and expected["amount"] != got.get("amount"):
        wrong.append(f"amount: want {expected['amount']}, got {got.get('amount')}")
    for item in expected.get("items", []):
        if item not in got.get("items", []):
            wrong.append(f"items: want {item}, got {got.get('items')}")
    return wrong


def evaluate(devset: list[dict[str, Any]]) -> dict[str, Any]:
    asks, bait, safety = Tally(), Tally(), Tally()
    facts_checked = facts_right = kinds_checked = kinds_right = 0
    for entry in devset:
        result = run_entry(entry)
        wire = result.to_wire()
        text = entry["text"]
        labels = entry.get("asks", []) or []
        found = wire["asks"]
        used: set[int] = set()
        for label in labels:
            words = label["words"].lower()
            hit = next((i for i, a in enumerate(found) if i not in used and words in a["text"].lower()), None)
            if hit is None:
                if not label.get("optional"):
                    asks.fn += 1
                    asks.notes.append(f"{entry['id']}: missed ask {label['words']!r}")
                continue
            used.add(hit)
            if not label.get("optional"):
                asks.tp += 1
            if label.get("facts"):
                facts_checked += 1
                wrong = _facts_ok(label["facts"], found[hit]["facts"])
                if wrong:
                    asks.notes.append(f"{entry['id']}: facts of {label['words']!r}: {'; '.join(wrong)}")
                else:
                    facts_right += 1
        for i, a in enumerate(found):
            if i not in used:
                asks.fp += 1
                asks.notes.append(f"{entry['id']}: extra ask {a['text']!r}")
        labelled = [(_span_of(text, b["words"]), b["kind"]) for b in entry.get("bait", []) or []]
        matched_labels: set[int] = set()
        for b in wire["bait"]:
            start, end = b["span"]["start"], b["span"]["end"]
            overlapping = [i for i, ((s, e), _) in enumerate(labelled) if s < end and start < e]
            if not overlapping:
                bait.fp += 1
                bait.notes.append(f"{entry['id']}: extra bait {b['kind']} {b['text']!r}")
                continue
            bait.tp += len([i for i in overlapping if i not in matched_labels])
            for i in overlapping:
                if i not in matched_labels:
                    kinds_checked += 1
                    if labelled[i][1] == b["kind"]:
                        kinds_right += 1
                    else:
                        bait.notes.append(
                            f"{entry['id']}: kind of {b['text']!r}: want {labelled[i][1]}, got {b['kind']}"
                        )
            matched_labels.update(overlapping)
        for i, ((s, e), kind) in enumerate(labelled):
            if i not in matched_labels:
                bait.fn += 1
                bait.notes.append(f"{entry['id']}: missed bait {kind} {text[s:e]!r}")
        want_codes = set(entry.get("safety", []) or [])
        got_codes = {s["code"] for s in wire["safety"]}
        safety.tp += len(want_codes & got_codes)
        safety.fp += len(got_codes - want_codes)
        safety.fn += len(want_codes - got_codes)
        if want_codes != got_codes:
            safety.notes.append(f"{entry['id']}: safety want {sorted(want_codes)}, got {sorted(got_codes)}")
    return {
        "messages": len(devset),
        "asks": asks,
        "bait": bait,
        "safety": safety,
        "facts accuracy": facts_right / facts_checked if facts_checked else 1.0,
        "facts checked": facts_checked,
        "bait kind accuracy": kinds_right / kinds_checked if kinds_checked else 1.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss and extra")
    args = parser.parse_args()
    devset = yaml.safe_load(args.devset.read_text(encoding="utf-8"))
    scores = evaluate(devset)
    asks, bait, safety = scores["asks"], scores["bait"], scores["safety"]
    figures = {
        "asks precision": asks.precision,
        "asks recall": asks.recall,
        "bait precision": bait.precision,
        "bait recall": bait.recall,
        "bait kind accuracy": scores["bait kind accuracy"],
        "facts accuracy": scores["facts accuracy"],
        "safety precision": safety.precision,
        "safety recall": safety.recall,
    }
    print(f"dev set: {scores['messages']} messages ({args.devset})")
    print(f"asks:   {asks.tp} found, {asks.fn} missed, {asks.fp} extra")
    print(f"bait:   {bait.tp} found, {bait.fn} missed, {bait.fp} extra")
    print(f"facts:  {scores['facts checked']} asks with labelled facts")
    for name, value in figures.items():
        target = TARGETS.get(name)
        mark = "" if target is None else (f"  (target >= {target}: {'ok' if value >= target else 'MISSED'})")
        print(f"{name:<20} {value:.3f}{mark}")
    if args.verbose:
        for tally in (asks, bait, safety):
            for note in tally.notes:
                print("  " + note)
    return 0 if all(figures[k] >= v for k, v in TARGETS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
