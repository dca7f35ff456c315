"""The bulk import path's pieces: batch fingerprints, batch encryption, multi-row inserts run behind the parser."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from levelhead.crypto import NONCE_SIZE, DataKey
from levelhead.storage import Store, StoreError, bulk
from levelhead.storage import store as store_module
from levelhead.storage.models import to_micros
from levelhead.storage.store import ChatRow

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SHA = "cd" * 32


def _chat(n: int, start: int = 0) -> list[ChatRow]:
    return [(T0 + timedelta(minutes=i), "me" if i % 3 else "them", "text", f"message {i}")
            for i in range(start, start + n)]  # fmt: skip


@pytest.mark.parametrize("key", [None, bytes(range(32))])
def test_batch_fingerprints_are_those_of_one_message_at_a_time(key: bytes | None) -> None:
    """Repeats in one minute count up; a time that comes back after 64 others starts counting again."""
    base = to_micros(T0)
    times = [base, base, base + 1, *(base + 60_000_000 * i for i in range(2, 80)), base, base + 1, -5]
    items = [(t, 0, "me" if i % 2 else "them", "text", "ok" if i % 3 else "sure") for i, t in enumerate(times)]
    items += [(base, 0, "me", "text", "ok")] * 3
    one = store_module._Fingerprints(key)
    expected = [one.of(t, way, kind, text) for t, _, way, kind, text in items]
    batched = store_module._Fingerprints(key)
    got = batched.add(items[:40]) + batched.add(items[40:])
    assert [p[5] for p in got] == expected
    assert [p[:5] for p in got] == items
    assert len(set(expected)) < len(expected)  # the reappearing minute repeats a fingerprint, as before


def test_encrypt_many_gives_fields_that_decrypt_one_by_one() -> None:
    key = DataKey(os.urandom(32))
    texts = ["ok", "", "tomorrow at 5 🌻", "ok"]
    aads = [f"messages/text/{i}".encode() for i in range(len(texts))]
    blobs = key.encrypt_many(texts, aads)
    assert [key.decrypt(blob, aad) for blob, aad in zip(blobs, aads, strict=True)] == texts
    assert len({blob[1 : 1 + NONCE_SIZE] for blob in blobs}) == len(texts)  # a fresh nonce per field
    assert blobs[0][:1] == key.encrypt("ok", aads[0])[:1]  # the same field version
    with pytest.raises(ValueError):
        key.encrypt_many(texts, aads[:-1])


@pytest.mark.parametrize("limit", [10, 25, 999])
def test_rows_go_in_whatever_the_bind_limit(new_store: Store, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """One row per statement, two and a remainder, or the whole batch in one statement: the same store."""
    monkeypatch.setattr(bulk, "bind_limit", lambda conn: limit)
    result = new_store.import_chat(_chat(23), sha256=SHA, kind="whatsapp", chunk=9)
    assert result.stored == 23
    history = new_store.history()
    assert [m.text for m in history] == [f"message {i}" for i in range(23)]
    assert new_store.verify().ok


def test_a_failed_insert_of_a_later_batch_leaves_the_store_as_before(
    new_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_store.import_chat(_chat(5), sha256="ef" * 32, kind="whatsapp")
    before = new_store.message_count(), new_store.record_root(), len(new_store.imports())
    real = bulk.insert_values
    calls = {"n": 0}

    def failing(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise StoreError("injected: disk full")
        real(*args)

    monkeypatch.setattr(bulk, "insert_values", failing)
    with pytest.raises(StoreError, match="injected"):
        new_store.import_chat(_chat(30, start=10), sha256=SHA, kind="whatsapp", chunk=7)
    assert calls["n"] == 2
    assert (new_store.message_count(), new_store.record_root(), len(new_store.imports())) == before
    assert new_store.verify().ok
    monkeypatch.setattr(bulk, "insert_values", real)
    again = new_store.import_chat(_chat(30, start=10), sha256=SHA, kind="whatsapp", chunk=7)
    assert again.stored == 30 and new_store.verify().ok


def test_uids_start_with_the_time_before_1970_too(new_store: Store) -> None:
    early = datetime(1969, 12, 31, 23, 0, tzinfo=UTC)
    rows: list[ChatRow] = [(early, "me", "text", "before"), (T0, "them", "text", "after")]
    assert new_store.import_chat(rows, sha256=SHA, kind="csv").stored == 2
    with new_store.engine.connect() as conn:
        uids = [row[0] for row in conn.exec_driver_sql("SELECT uid FROM messages ORDER BY at")]
    assert [uid[:13] for uid in uids] == [f"{to_micros(at):013x}"[-13:] for at in (early, T0)]
    assert all(len(uid) == 32 for uid in uids) and new_store.verify().ok


def test_an_error_in_the_parser_while_rows_go_in_behind_it_stores_nothing(new_store: Store) -> None:
    """The parser fails while the worker inserts the last batch: the worker finishes, then all is rolled back."""
    before = new_store.message_count(), new_store.record_root()

    def rows() -> Any:
        yield from _chat(40)
        raise StoreError("the file ends in the middle of a message")

    with pytest.raises(StoreError, match="middle of a message"):
        new_store.import_chat(rows(), sha256=SHA, kind="whatsapp", chunk=9)
    assert (new_store.message_count(), new_store.record_root()) == before
    assert new_store.verify().ok and not new_store.imports()


def test_behind_runs_one_call_at_a_time_and_raises_its_error_in_the_caller() -> None:
    done: list[int] = []
    with bulk.Behind() as behind:
        behind.submit(done.append, 1)
        behind.submit(done.append, 2)  # waits for the first
        behind.wait()
        assert done == [1, 2]

        def broken() -> None:
            raise StoreError("disk full")

        behind.submit(broken)
        with pytest.raises(StoreError, match="disk full"):
            behind.wait()
    with pytest.raises(ValueError, match="caller"), bulk.Behind() as behind:  # the caller's error wins
        behind.submit(broken)
        raise ValueError("caller")
