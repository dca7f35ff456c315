#!/usr/bin/env python3
"""Benchmark the shipped tone model on the GoEmotions dev split.

    python scripts/bench_tone.py [--data ../shared/data/goemotions] [--model PATH] [--json OUT] [--per-class]

Reports dev macro-F1 for the three taxonomies (label sets exactly as `levelhead tone` prints them;
--per-class adds each group and Ekman label's F1), latency one message at a time (median, p99),
per-sentence scoring of ~60-word drafts (``sentences()``, as the emotion module uses it) against
scoring each draft whole, batch throughput, model file size, load time, and VADER's throughput on the
same texts in the same run as a reference (needs the `bench` extra).
Pin the process to one core for the single-core figures: `taskset -c 0 python scripts/bench_tone.py`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from levelhead.tone.model import MODEL_PATH, ToneModel  # noqa: E402
from levelhead.tone.types import TAXONOMIES  # noqa: E402


def read_split(data: Path, taxonomy: str, split: str) -> tuple[list[str], list[set[str]]]:
    names = (data / taxonomy / "labels.txt").read_text(encoding="utf-8").split()
    texts, labels = [], []
    with (data / taxonomy / f"{split}.tsv").open(encoding="utf-8") as f:
        for line in f:
            text, ids, _ = line.rstrip("\n").split("\t")
            texts.append(text)
            labels.append({names[int(i)] for i in ids.split(",")})
    return texts, labels


def class_f1(truth: list[set[str]], pred: list[list[str]], names: tuple[str, ...]) -> dict[str, float]:
    """F1 of each class over the label sets (the GoEmotions paper's multi-label setup)."""
    scores = {}
    for name in names:
        tp = sum(1 for t, p in zip(truth, pred, strict=True) if name in t and name in p)
        fp = sum(1 for t, p in zip(truth, pred, strict=True) if name not in t and name in p)
        fn = sum(1 for t, p in zip(truth, pred, strict=True) if name in t and name not in p)
        scores[name] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "goemotions")
    ap.add_argument("--model", type=Path, default=MODEL_PATH)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--per-class", action="store_true", help="also print dev F1 per group and Ekman label")
    args = ap.parse_args()
    report: dict[str, float] = {}

    loads = []
    for _ in range(5):
        t = time.perf_counter()
        model = ToneModel(args.model)
        loads.append(time.perf_counter() - t)
    report["model_mb"] = args.model.stat().st_size / 1e6
    report["load_ms_median"] = statistics.median(loads) * 1e3

    texts, _ = read_split(args.data, "original", "dev")
    scores = model.score_many(texts)
    for tax, names in TAXONOMIES.items():
        _, truth = read_split(args.data, tax, "dev")
        per_class = class_f1(truth, [s.labels[tax] for s in scores], names)
        report[f"dev_macro_f1_{tax}"] = float(np.mean(list(per_class.values())))
        if args.per_class and tax != "original":
            print(f"{tax} per class: " + ", ".join(f"{k} {v:.3f}" for k, v in per_class.items()))

    # One message at a time, on a fresh model so the word cache starts cold, as in a real session.
    model = ToneModel(args.model)
    times = []
    for text in texts:
        t = time.perf_counter()
        model.score(text)
        times.append(time.perf_counter() - t)
    report["latency_ms_median"] = statistics.median(times) * 1e3
    report["latency_ms_p99"] = float(np.percentile(times, 99)) * 1e3

    # Drafts of about 60 words, several sentences each: per-sentence results versus the whole draft once.
    drafts, words = [], 0
    current: list[str] = []
    for text in texts:
        current.append(text.rstrip(".!? ") + ".")
        words += len(text.split())
        if words >= 60:
            drafts.append(" ".join(current))
            current, words = [], 0
    for name, fn in (("draft_whole", model.score), ("draft_sentences", model.sentences)):
        times = []
        for draft in drafts:
            t = time.perf_counter()
            fn(draft)
            times.append(time.perf_counter() - t)
        report[f"{name}_ms_median"] = statistics.median(times) * 1e3

    t = time.perf_counter()
    for i in range(0, len(texts), 1000):
        model.score_many(texts[i : i + 1000])
    report["batch_texts_per_s"] = len(texts) / (time.perf_counter() - t)

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("vaderSentiment not installed: no reference figure (pip install vadersentiment)")
    else:
        vader = SentimentIntensityAnalyzer()
        t = time.perf_counter()
        for text in texts:
            vader.polarity_scores(text)
        report["vader_texts_per_s"] = len(texts) / (time.perf_counter() - t)
        t = time.perf_counter()
        for text in texts:
            model.score(text)
        report["tone_single_texts_per_s"] = len(texts) / (time.perf_counter() - t)
        report["speed_vs_vader_single"] = report["tone_single_texts_per_s"] / report["vader_texts_per_s"]
        report["speed_vs_vader_batch"] = report["batch_texts_per_s"] / report["vader_texts_per_s"]

    for key, value in report.items():
        print(f"{key:>24}: {value:.4f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
