"""Benchmark `levelhead stats` over a store of generated messages.

    PYTHONPATH=src python3 scripts/bench_stats.py [--messages 100000] [--runs 5] [--encrypt] [--no-tone]

Fills a temporary store (two sides, replies minutes to days apart, media and deleted messages, a
no-contact agreement and a contact window), then times, median of the runs: reading the history,
computing every figure (tone included: sampled), and the whole command as a user runs it
(`levelhead stats --format json` in a fresh process, interpreter start included). Target: < 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from levelhead.analytics import compute
from levelhead.crypto import Argon2Params
from levelhead.storage import Store
from levelhead.storage.store import ChatRow

WORDS = "ok sure see you at the station tomorrow kids are fine can you send the papers thanks no worries".split()
PASSPHRASE = "bench passphrase"


def chat(count: int, seed: int = 11) -> Iterator[ChatRow]:
    rng = random.Random(seed)
    at = datetime(2022, 1, 3, 8, 0, tzinfo=UTC)
    side = "me"
    for _ in range(count):
        # about 90 messages a day: bursts minutes apart, a quiet night, now and then a silent day or two
        at += timedelta(seconds=rng.choice((20, 60, 120, 300, 600, 900, 1800, 3600)) * rng.random())
        if rng.random() < 0.02:
            at += timedelta(hours=rng.choice((8, 10, 12, 30, 50)))
        if rng.random() < 0.45:
            side = "them" if side == "me" else "me"
        r = rng.random()
        kind = "media" if r < 0.04 else "deleted" if r < 0.05 else "text"
        yield at, side, kind, "" if kind == "deleted" else " ".join(rng.choices(WORDS, k=rng.randint(1, 16)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--encrypt", action="store_true")
    ap.add_argument("--no-tone", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        passphrase = PASSPHRASE if args.encrypt else None
        with Store.open(url) as store:
            store.init(encrypt=args.encrypt, passphrase=passphrase, kdf=Argon2Params(1, 1024, 1))
            start = time.perf_counter()
            store.import_chat(chat(args.messages), sha256="0" * 64, kind="csv")
            fill = time.perf_counter() - start
            last = store.history()[-1].at
            store.add_agreement(
                "window", {"days": "mon-fri", "from": "19:00", "to": "20:30"}, at=last - timedelta(weeks=30)
            )
            store.add_agreement(
                "no-contact", {"until": (last - timedelta(weeks=10)).date()}, at=last - timedelta(weeks=12)
            )
        print(f"store: sqlite, encrypted={args.encrypt}, {args.messages:,} messages (filled in {fill:.1f} s)")
        reads, computes, totals = [], [], []
        for _ in range(args.runs):
            with Store.open(url, passphrase) as store:
                t0 = time.perf_counter()
                messages, agreements = store.history(), store.agreements()
                t1 = time.perf_counter()
                data = compute(messages, agreements, now=last, weeks=8, tone=not args.no_tone)
                t2 = time.perf_counter()
            reads.append(t1 - t0)
            computes.append(t2 - t1)
            totals.append(t2 - t0)
        tone = data["tone"]
        sampled = f"sampled, {tone['sample_per_week']} per side and week" if tone["available"] else "off"
        print(f"tone: {sampled}; weeks: {len(data['weekly'])}")
        print(
            f"read history: median {statistics.median(reads):.3f} s; "
            f"compute: median {statistics.median(computes):.3f} s; "
            f"both: median {statistics.median(totals):.3f} s over {args.runs} runs (target < 1 s)"
        )
        env = {**os.environ, "LEVELHEAD_DB": url, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
        if passphrase:
            env["LEVELHEAD_PASSPHRASE"] = passphrase
        command = [
            sys.executable,
            "-m",
            "levelhead",
            "stats",
            "--format",
            "json",
            *(["--no-tone"] if args.no_tone else []),
        ]
        walls = []
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - t)
        end_to_end = statistics.median(walls)
        print(f"`levelhead stats --format json` end to end (process start included): median {end_to_end:.3f} s")


if __name__ == "__main__":
    main()
