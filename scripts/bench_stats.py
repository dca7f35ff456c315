"""Benchmark `levelhead stats` over a store of generated messages.

    PYTHONPATH=src python3 scripts/bench_stats.py [--messages 100000] [--runs 5] [--encrypt] [--no-tone]
                                                   [--store FILE]

Fills a temporary store (two sides, replies minutes to days apart, media and deleted messages, a
no-contact agreement and a contact window; ``--store FILE`` keeps it there and reuses it next time),
then times, median of the runs: the whole command as a user runs it (`levelhead stats --format json`
in a fresh process, interpreter start included: the figure the target is for, < 1 s on a plain
store), with the CPU time it used (steadier than wall time on a busy machine); and inside one
process, the bulk read of the history and computing every figure (tone included: sampled).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from levelhead.analytics import compute
from levelhead.crypto import Argon2Params
from levelhead.storage import Store, bulkread
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


def fill(url: str, count: int, passphrase: str | None) -> None:
    with Store.open(url) as store:
        store.init(encrypt=passphrase is not None, passphrase=passphrase, kdf=Argon2Params(1, 1024, 1))
        start = time.perf_counter()
        store.import_chat(chat(count), sha256="0" * 64, kind="csv")
        fill = time.perf_counter() - start
        last = store.history()[-1].at
        store.add_agreement(
            "window", {"days": "mon-fri", "from": "19:00", "to": "20:30"}, at=last - timedelta(weeks=30)
        )
        store.add_agreement("no-contact", {"until": (last - timedelta(weeks=10)).date()}, at=last - timedelta(weeks=12))
    print(f"filled {count:,} messages in {fill:.1f} s")


def end_to_end(url: str, passphrase: str | None, no_tone: bool, runs: int) -> None:
    env = {**os.environ, "LEVELHEAD_DB": url, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    env.pop("LEVELHEAD_PASSPHRASE", None)
    if passphrase:
        env["LEVELHEAD_PASSPHRASE"] = passphrase
    command = [sys.executable, "-m", "levelhead", "stats", "--format", "json", *(["--no-tone"] if no_tone else [])]
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(
        f"`{' '.join(['levelhead', *command[3:]])}` end to end (process start included): "
        f"median {statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU over {runs} runs "
        f"(target < 1 s; load average {os.getloadavg()[0]:.2f})"
    )


def in_process(url: str, passphrase: str | None, no_tone: bool, runs: int) -> None:
    reads, computes = [], []
    data: dict[str, Any] = {}
    for _ in range(runs):
        t0 = time.perf_counter()
        stored = bulkread.read(url, passphrase)
        t1 = time.perf_counter()
        assert stored is not None
        chat = stored.conversation
        data = compute(chat, stored.agreements, now=chat.moment(len(chat) - 1), weeks=8, tone=not no_tone)
        reads.append(t1 - t0)
        computes.append(time.perf_counter() - t1)
    tone = data["tone"]
    sampled = f"sampled, {tone['sample_per_week']} per side and week" if tone["available"] else "off"
    print(f"tone: {sampled}; weeks: {len(data['weekly'])}")
    print(
        f"in one process: bulk read median {statistics.median(reads):.3f} s; "
        f"compute median {statistics.median(computes):.3f} s (the model loads in the first run)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--encrypt", action="store_true")
    ap.add_argument("--no-tone", action="store_true")
    ap.add_argument("--store", type=Path, help="keep the store in this file (reused when it exists)")
    args = ap.parse_args()
    passphrase = PASSPHRASE if args.encrypt else None
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "bench.db"
        url = f"sqlite:///{path.resolve()}"
        if not path.exists():
            fill(url, args.messages, passphrase)
        with Store.open(url, passphrase) as store:
            count = store.message_count()
        print(f"store: sqlite, encrypted={args.encrypt}, {count:,} messages")
        end_to_end(url, passphrase, args.no_tone, args.runs)
        in_process(url, passphrase, args.no_tone, args.runs)


if __name__ == "__main__":
    main()
