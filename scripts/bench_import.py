"""Benchmark the WhatsApp importer on a generated export: parse alone, and parse + store.

    PYTHONPATH=src python3 scripts/bench_import.py [--messages 1000000] [--repeat 3] [--tz UTC]
        [--sizes 250000,500000,1000000] [--others-python /tmp/bench-venv/bin/python] [--skip-parse]

Writes an Android-style export (two authors, multi-line messages, media, edited, deleted and system
lines) to a temporary file, then times ``parse_file`` (median of the runs) and the streaming
``iter_messages`` path, and reports messages/s and peak memory (max RSS of a separate child process per
mode, so the figure is that mode's alone).

Store: the import as ``levelhead import FILE --me Alex`` does it (streamed from the file into a new
SQLite store, one transaction), into a plain and an encrypted store; each run is a fresh child process
and a fresh database, timed inside the child (interpreter start excluded), with its own peak RSS; the
peak is also measured for each of ``--sizes`` to show it stays flat. Targets for 1M messages: < 10 s
plain, < 20 s encrypted, peak < 100 MB.

whatstk and chat-miner (parse only, same file, same run) are run when importable here, or through
``--others-python``: an interpreter of a throwaway venv that has them (never the project's deps).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
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

PASSPHRASE = "bench passphrase"
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
    elif mode == "stream":
        sum(1 for _ in iter_messages(path, Clock(resolve_zone(tz))))
    elif mode == "init":
        make_store(path, encrypted=tz == "1")
        return
    else:
        print(store_once(path, tz, encrypted=mode == "store-encrypted"))
        return
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
    ap.add_argument("--sizes", default="250000,500000,1000000", help="message counts for the peak-memory series")
    ap.add_argument("--others-python", help="interpreter with whatstk / chat-miner installed (throwaway venv)")
    ap.add_argument("--skip-parse", action="store_true", help="leave out the parse-only figures")
    ap.add_argument("--skip-store", action="store_true", help="leave out parse + store (and the --sizes series)")
    ap.add_argument("--child", choices=("full", "stream", "store", "store-encrypted", "init"), help=argparse.SUPPRESS)
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
        if not args.skip_parse:
            peaks = {mode: peak(mode, path, args.tz) for _, mode, _ in modes}  # before this process grows
            for label, mode, fn in modes:
                wall, cpu, n = timed(fn, args.repeat)
                print(
                    f"{label:26s} {n:,} messages: {wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.repeat}); "
                    f"{n / wall:,.0f} msg/s wall, {n / cpu:,.0f} msg/s CPU; peak RSS {peaks[mode]:,.0f} MiB"
                )
        for mode in () if args.skip_store else ("store", "store-encrypted"):
            runs = [stored_child(mode, path, args.tz) for _ in range(args.repeat)]
            wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            n, rss = runs[0][2], max(r[3] for r in runs)
            print(
                f"{'parse + ' + mode:26s} {n:,} stored: {wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.repeat}); "
                f"{n / wall:,.0f} msg/s wall; peak RSS {rss:,.0f} MiB"
            )
        compare(path, args.repeat, args.others_python)
        sizes = [] if args.skip_store else [int(x) for x in args.sizes.split(",") if x.strip()]
        if sizes:
            series = []
            for count in sizes:
                sized = Path(tmp) / f"chat-{count}.txt"
                generate(sized, count)
                rss = [stored_child(mode, sized, args.tz)[3] for mode in ("store", "store-encrypted")]
                series.append(f"{count:,}: {rss[0]:,.0f} / {rss[1]:,.0f} MiB")
                sized.unlink()
            print("peak RSS of parse + store (plain / encrypted) by size: " + "; ".join(series))


def make_store(path: Path, encrypted: bool) -> str:
    """An initialised, empty store at ``path`` (a database URL), as `levelhead init` leaves it."""
    from levelhead.crypto import Argon2Params
    from levelhead.storage import Store

    url = f"sqlite:///{path}"
    with Store.open(url) as store:  # the encrypted bench store uses a cheap KDF: unlocking is not measured here
        store.init(encrypt=encrypted, passphrase=PASSPHRASE if encrypted else None, kdf=Argon2Params(1, 1024, 1))
    return url


def store_once(path: Path, tz: str, encrypted: bool) -> str:
    """Import ``path`` into a fresh, initialised store as `levelhead import` does; "wall cpu count peak_mib".

    The store is created in a separate process first, so this one only opens it and imports (as a user's
    `levelhead import` does: the schema is already there)."""
    from levelhead.history.cli import _import_whatsapp
    from levelhead.storage import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        subprocess.run([sys.executable, __file__, "--child", "init", "--path", str(db), "--tz", str(int(encrypted))],
                       check=True)  # fmt: skip
        with Store.open(f"sqlite:///{db}", PASSPHRASE if encrypted else None) as store:
            start, cpu = time.perf_counter(), time.process_time()
            result, _ = _import_whatsapp(store, path, "Alex", tz, None)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    status = Path("/proc/self/status").read_text()
    peak_mib = int(status.split("VmHWM:", 1)[1].split()[0]) / 1024
    return f"{wall} {cpu} {result.stored} {peak_mib}"


def stored_child(mode: str, path: Path, tz: str) -> tuple[float, float, int, float]:
    """(wall s, CPU s, messages stored, peak RSS MiB) of one import in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--path", str(path), "--tz", tz],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall, cpu, n, rss = out.stdout.split()
    return float(wall), float(cpu), int(n), float(rss)


_OTHERS = """
import statistics, sys, time
path, repeat = sys.argv[1], int(sys.argv[2])
def timed(fn):
    walls = []
    for _ in range(repeat):
        t = time.perf_counter(); n = fn(); walls.append(time.perf_counter() - t)
    return statistics.median(walls), n
try:
    try:
        from whatstk.whatsapp.parser import df_from_whatsapp as df_from_txt_whatsapp  # whatstk >= 0.5
    except ImportError:
        from whatstk import df_from_txt_whatsapp
    import inspect
    extra = {"max_size": None} if "max_size" in inspect.signature(df_from_txt_whatsapp).parameters else {}
    secs, n = timed(lambda: len(df_from_txt_whatsapp(path, hformat="%d/%m/%Y, %H:%M - %name:", **extra)))
    print(f"whatstk (format given) {n} {secs}")
except ImportError:
    print("whatstk not installed")
try:
    from chatminer.chatparsers import WhatsAppParser
    def run():
        parser = WhatsAppParser(path); parser.parse_file(); return len(parser.parsed_messages.get_df())
    secs, n = timed(run)
    print(f"chat-miner {n} {secs}")
except ImportError:
    print("chat-miner not installed")
"""


def compare(path: Path, repeat: int, others_python: str | None = None) -> None:
    """whatstk and chat-miner on the same file: here when importable, else through ``others_python``."""
    if others_python:
        out = subprocess.run([others_python, "-c", _OTHERS, str(path), str(repeat)], capture_output=True, text=True)
        for line in out.stdout.splitlines():
            if line.endswith("not installed"):
                print(f"{line} in {others_python}")
                continue
            *name, n, secs = line.split()
            print(
                f"{' '.join(name):28s} {int(n):,} messages in {float(secs):.2f} s: "
                f"{int(n) / float(secs):,.0f} messages/s (median of {repeat})"
            )
        if out.returncode:
            print(f"comparison failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}")
        return
    if not importlib.util.find_spec("whatstk") and not importlib.util.find_spec("chatminer"):
        print("whatstk / chat-miner: not installed here (use --others-python with a throwaway venv that has them)")
    if importlib.util.find_spec("whatstk"):
        from whatstk.whatsapp.parser import df_from_whatsapp as df_from_txt_whatsapp  # type: ignore[import-not-found]

        extra = {"max_size": None} if "max_size" in inspect.signature(df_from_txt_whatsapp).parameters else {}
        fmt = "%d/%m/%Y, %H:%M - %name:"
        secs, _, n = timed(lambda: len(df_from_txt_whatsapp(str(path), hformat=fmt, **extra)), repeat)
        print(f"{'whatstk (format given)':28s} {n:,} messages in {secs:.2f} s: {n / secs:,.0f} messages/s")
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
