"""Benchmark the store: 10 agreements and 100,000 messages, then time the store read, the whole
``levelhead check`` command against that store, and verify.

    PYTHONPATH=src python3 scripts/bench_store.py [--messages 100000] [--encrypt] [--url URL]

Targets: situation_for_check (the last 500 messages, active agreements) under 20 ms, and the whole
``levelhead check`` command (a new process: start-up, store read, rules, output) under 150 ms; medians.
The same command with ``--no-store`` is measured in the same run as the peer, so the store's share shows,
and the interpreter starting and doing nothing, as the floor of any Python command on this machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from levelhead.crypto import Argon2Params
from levelhead.situation import Goal, Message, Situation
from levelhead.storage import Store

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--encrypt", action="store_true")
    parser.add_argument("--url", help="database URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with Store.open(url) as store:
            store.init(encrypt=args.encrypt, passphrase="bench" if args.encrypt else None,
                       kdf=Argon2Params(1, 1024, 1))  # fmt: skip
            store.set_situation(Situation(goal=Goal.LOGISTICS, children=2, timezone="Europe/London", country="GB"))
            for i in range(10):
                store.add_agreement("off-limits", {"topics": [f"topic {i}"]}, at=T0)
            start = time.perf_counter()
            batch = 10_000
            for lo in range(0, args.messages, batch):
                store.import_messages(
                    [Message(T0 + timedelta(minutes=i), "me" if i % 2 else "them", f"message number {i}")
                     for i in range(lo, min(lo + batch, args.messages))],
                    source="bench",
                )  # fmt: skip
            fill = time.perf_counter() - start
            now = T0 + timedelta(minutes=args.messages + 1)
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                situation = store.situation_for_check(now)
                times.append((time.perf_counter() - t) * 1000)
            assert len(situation.history) == 500 and len(situation.agreements.off_limits) == 10
            command = _command_times(url, args.runs, args.encrypt, Path(tmp) / "cache")
            t = time.perf_counter()
            result = store.verify()
            verify_s = time.perf_counter() - t
            assert result.ok, result.message
        print(f"store: {url.split(':')[0]}, encrypted={args.encrypt}, {args.messages} messages, 10 agreements")
        print(f"fill: {fill:.1f} s ({args.messages / fill:,.0f} messages/s)")
        print(f"situation_for_check: median {statistics.median(times):.2f} ms, min {min(times):.2f} ms "
              f"over {args.runs} runs (target < 20 ms)")  # fmt: skip
        for label, (walls, cpus) in command.items():
            name = label if label.startswith("floor") else f"levelhead check {label}"
            target = " (target < 150 ms)" if label == "with the store" else ""
            print(f"{name}: median {statistics.median(walls):.0f} ms, min {min(walls):.0f} ms "
                  f"over {len(walls)} runs{target}; CPU median {statistics.median(cpus):.0f} ms")  # fmt: skip
        print(f"verify: {verify_s:.2f} s for {result.count} entries")


DRAFT = "Can I pick up the kids at 5 on Saturday? I can bring the school bags and the inhaler."


def _command_times(url: str, runs: int, encrypt: bool, cache: Path) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU time (ms) of whole ``levelhead check`` processes, with the store and without (the peer),
    interleaved. CPU time (user + system of the child) is the steadier figure on a busy or shared machine."""
    src = Path(__file__).resolve().parent.parent / "src"
    # As installed: bytecode written (pip compiles it at install), so drop a "don't write bytecode" setting.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"LEVELHEAD_DB": url, "PYTHONPATH": str(src), "LEVELHEAD_CACHE_DIR": str(cache)}
    if encrypt:
        env["LEVELHEAD_PASSPHRASE"] = "bench"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src / "levelhead")], check=True, capture_output=True)
    # The installed command when there is one (as a user runs it), else ``python -m levelhead``.
    script = Path(sys.executable).with_name("levelhead")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "levelhead"]
    base = [*command, "check", DRAFT, "--goal", "logistics", "--now", "2025-03-11T18:00"]
    first = "first run (fills the start-up caches)"
    labels = (first, "with the store", "--no-store", "floor: the interpreter alone (python -c pass)")
    times: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in labels}
    floor = [sys.executable, "-c", "pass"]
    for _ in range(runs):
        for label, argv in (("with the store", base), ("--no-store", [*base, "--no-store"]), (labels[-1], floor)):
            t, cpu = time.perf_counter(), _children_cpu()
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            elapsed, used = (time.perf_counter() - t) * 1000, (_children_cpu() - cpu) * 1000
            if not times[first][0]:
                label = first  # a user's first check ever
            times[label][0].append(elapsed)
            times[label][1].append(used)
            if label == first:
                continue
            if proc.returncode not in (0, 1):
                raise SystemExit(f"levelhead check failed: {proc.stderr}")
    return times


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
