"""Child process of the kill -9 test: writes batches to a store until it is killed."""

from __future__ import annotations

import hashlib
import os
import sys
from datetime import UTC, datetime, timedelta

from levelhead.situation import Message
from levelhead.storage import Store


def main(url: str) -> None:
    with Store.open(url) as store:
        print("ready", flush=True)
        n = 0
        while True:
            n += 1
            at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
            batch = [Message(at, "them", f"batch {n} line {i}") for i in range(10)]
            store.import_messages(
                batch, source="kill-test", sha256=hashlib.sha256(f"{os.getpid()}-{n}".encode()).hexdigest()
            )
            store.add_journal(f"entry {n}", at=at)
            if n % 5 == 0:
                store.park_draft(f"draft {n}", at)


if __name__ == "__main__":
    main(sys.argv[1])
