"""Passphrase change time: re-wrapping the data key with the default Argon2id settings.

    python scripts/bench_crypto.py [--rounds 5]

The change re-wraps only the data key, so its cost does not depend on the store's size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from levelhead.crypto import Keyring


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    keyring, _ = Keyring.create("first passphrase")
    times = []
    for i in range(args.rounds):
        start = time.perf_counter()
        keyring = keyring.rewrap("first passphrase" if i == 0 else f"passphrase {i - 1}", f"passphrase {i}")
        times.append(time.perf_counter() - start)
    print(f"passphrase change (unlock + re-wrap): median {statistics.median(times) * 1000:.0f} ms over {args.rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
