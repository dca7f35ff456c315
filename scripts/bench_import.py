"""Benchmark the WhatsApp importer on a generated export.

    PYTHONPATH=src python3 scripts/bench_import.py [--messages 1000000] [--repeat 3] [--tz UTC]

Writes an Android-style export (two authors, multi-line messages, media, edited, deleted and system
lines) to a temporary file, then times ``parse_file`` (median of the runs) and the streaming
``iter_messages`` path, and reports messages/s and peak memory (max RSS of a separate child process per
mode, so the figure is that mode's alone). Compares with whatstk or chat-miner only when installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from levelhead.history import parse_file
from levelhead.history.model import Clock, resolve_zone
from levelhead.history.whatsapp import iter_messages

WORDS = "ok sure see you at the station tomorrow kids are fine can you send the papers thanks no worries".split()


def generate(path: Path, count: int, seed: int = 7) -> None:
    """An Android export with ``count`` messages, about 10% of them multi-line."""
    rng = random.Random(seed)
    at = datetime(2021, 3, 1, 8, 0)
    authors = ("Alex", "Sam 🌻")
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"{at:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted. Tap to learn more.\n")
        for i in range(count - 1):
            at += timedelta(seconds=rng.randint(5, 600))
            head = f"{at.day:02d}/{at.month:02d}/{at.year}, {at:%H:%M} - "
            r = rng.random()
            if r < 0.003:
                fh.write(f"{head}Sam 🌻 changed their phone number to a new number. Tap to message it.\n")
                continue
            body = " ".join(rng.choices(WORDS, k=rng.randint(2, 14)))
            if r < 0.05:
                body = "<Media omitted>"
            elif r < 0.06:
                body = "This message was deleted"
            elif r < 0.08:
                body += " <This message was edited>"
            elif r < 0.18:
                body += "\n" + " ".join(rng.choices(WORDS, k=6)) + "\n" + " ".join(rng.choices(WORDS, k=3))
            fh.write(f"{head}{authors[i % 2 if r > 0.5 else (i + 1) % 2]}: {body}\n")


def calibrate() -> str:
    """A machine-speed yardstick, to compare figures taken on different (or busy) machines."""
    start = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return f"calibration: 10M-iteration Python loop {time.process_time() - start:.2f} s CPU"


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds (CPU time shows the cost on a busy, shared machine)."""
    walls, cpus = [], []
    n = 0
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        n = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), n


def peak(mode: str, path: Path, tz: str) -> float:
    """Max RSS (MiB) of a fresh process that runs one parse in ``mode``."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--path", str(path), "--tz", tz],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip())


def child(mode: str, path: Path, tz: str) -> None:
    if mode == "full":
        parse_file(path, kind="whatsapp", me="Alex", tz=tz)
    else:
        sum(1 for _ in iter_messages(path, Clock(resolve_zone(tz))))
    try:  # VmHWM is this process's own peak; ru_maxrss can carry the parent's over fork/exec
        status = Path("/proc/self/status").read_text()
        print(int(status.split("VmHWM:", 1)[1].split()[0]) / 1024)
    except (OSError, IndexError, ValueError):
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tz", default="UTC", help="zone for the wall-clock times (default UTC)")
    ap.add_argument("--child", choices=("full", "stream"), help=argparse.SUPPRESS)
    ap.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.path, args.tz)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "WhatsApp Chat with Sam.txt"
        generate(path, args.messages)
        size = path.stat().st_size / 2**20
        print(f"generated {args.messages:,} messages, {size:.1f} MiB; {calibrate()}")

        def full() -> int:
            return len(parse_file(path, kind="whatsapp", me="Alex", tz=args.tz).messages)

        def stream() -> int:
            return sum(1 for _ in iter_messages(path, Clock(resolve_zone(args.tz))))

        modes = (("parse_file", "full", full), ("iter_messages (streaming)", "stream", stream))
        peaks = {mode: peak(mode, path, args.tz) for _, mode, _ in modes}  # before this process grows
        for label, mode, fn in modes:
            wall, cpu, n = timed(fn, args.repeat)
            print(f"{label:26s} {n:,} messages: {wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.repeat}); "
                  f"{n / wall:,.0f} msg/s wall, {n / cpu:,.0f} msg/s CPU; peak RSS {peaks[mode]:,.0f} MiB")
        compare(path, args.repeat)


def compare(path: Path, repeat: int) -> None:
    """Optional comparison with other parsers, only when already installed."""
    if importlib.util.find_spec("whatstk"):
        from whatstk import df_from_txt_whatsapp  # type: ignore[import-not-found]

        secs, _, n = timed(lambda: len(df_from_txt_whatsapp(str(path))), repeat)
        print(f"{'whatstk':28s} {n:,} messages in {secs:.2f} s: {n / secs:,.0f} messages/s")
    if importlib.util.find_spec("chatminer"):
        from chatminer.chatparsers import WhatsAppParser  # type: ignore[import-not-found]

        def run() -> int:
            parser = WhatsAppParser(str(path))
            parser.parse_file()
            return len(parser.parsed_messages.get_df())

        secs, _, n = timed(run, repeat)
        print(f"{'chat-miner':28s} {n:,} messages in {secs:.2f} s: {n / secs:,.0f} messages/s")


if __name__ == "__main__":
    main()
