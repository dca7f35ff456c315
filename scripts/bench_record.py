"""Speed of verifying a large record, in memory and from an exported bundle.

    PYTHONPATH=src python3 scripts/bench_record.py [--entries 1000000] [--rounds 3]

Builds a record of ``--entries`` canonical entries of about 100 bytes each
with a checkpoint every 10,000 entries, then reports the median wall time of
``--rounds`` runs of: ``verify_entries`` over (entry bytes, stored leaf hash)
rows held in memory, and ``verify_bundle`` of the exported zip (read, footer
hash, zip checks, recompute). The bar is 10 s for a million entries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from levelhead.record import MerkleLog, VerifyResult, make_entry, verify_bundle, verify_entries, write_bundle

AT = "2025-01-01T09:30:00+00:00"


def build(count: int) -> tuple[list[bytes], list[bytes], MerkleLog]:
    entries, leaves, log = [], [], MerkleLog()
    for seq in range(count):
        entry = make_entry(seq, "message", f"Pickup 5 pm Friday #{seq:07d}", at=AT)
        leaves.append(log.append(entry)[1])
        entries.append(entry)
    return entries, leaves, log


def median_time(rounds: int, run: Callable[[], VerifyResult]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        if not result.ok:
            sys.exit(f"verification failed: {result.message}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    entries, leaves, log = build(args.entries)
    checkpoints = [log.checkpoint(AT, size) for size in range(10_000, args.entries + 1, 10_000)]
    checkpoints.append(log.checkpoint(AT))
    built = time.perf_counter() - start
    mean_size = sum(map(len, entries)) / max(1, len(entries))
    print(f"{args.entries:,} entries of {mean_size:.0f} bytes on average, {len(checkpoints)} checkpoints")
    print(f"build (make_entry + MerkleLog.append):   {built:6.2f} s")

    in_memory = median_time(args.rounds, lambda: verify_entries(entries, checkpoints, leaves))
    print(f"verify_entries, in memory (median of {args.rounds}): {in_memory:6.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.levelhead.zip"
        start = time.perf_counter()
        write_bundle(path, entries, checkpoints)
        print(
            f"write_bundle:                            {time.perf_counter() - start:6.2f} s "
            f"({path.stat().st_size / 1e6:.0f} MB)"
        )
        from_bundle = median_time(args.rounds, lambda: verify_bundle(path))
    print(f"verify_bundle (median of {args.rounds}):            {from_bundle:6.2f} s")
    worst = max(in_memory, from_bundle)
    print(f"bar: under 10 s -> {'met' if worst < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
