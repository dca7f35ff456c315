"""Store.import_chat on SQLite and PostgreSQL: all or nothing, re-import, overlaps, batch record entries."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from levelhead.history import ImportFailed
from levelhead.record import parse_entry
from levelhead.storage import Store, StoreError
from levelhead.storage import store as store_module
from levelhead.storage.models import RecordEntry, to_micros
from levelhead.storage.store import ChatRow

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SHA = "ab" * 32


def _chat(n: int, start: int = 0) -> list[ChatRow]:
    return [(T0 + timedelta(minutes=i), "me" if i % 3 else "them", "media" if i % 11 == 0 else "text", f"message {i}")
            for i in range(start, start + n)]  # fmt: skip


@pytest.fixture
def store(new_store: Store) -> Store:
    new_store.log_message("me", "a message logged by hand", at=T0 - timedelta(days=1))
    return new_store


def _snapshot(s: Store) -> tuple[int, tuple[int, str], int]:
    return s.message_count(), s.record_root(), len(s.imports())


def test_import_chat_stores_skips_and_records(store: Store) -> None:
    rows = [*_chat(30), (T0, "system", "system", "Messages are end-to-end encrypted")]
    result = store.import_chat(rows, sha256=SHA, kind="whatsapp", chunk=7)
    assert (result.stored, result.duplicates, result.skipped, result.already) == (30, 0, 1, False)
    history = store.history()
    assert len(history) == 31 and sum(m.kind == "media" for m in history) == 3
    assert store.verify().ok and store.verify().count == 1 + 5 + 1  # hand-logged, 5 batches of 7 or less, import
    again = store.import_chat(rows, sha256=SHA, kind="whatsapp")
    assert again.already and again.stored == 0 and again.imported_at == result.imported_at
    overlap = store.import_chat(_chat(20, start=25), sha256="cd" * 32, kind="whatsapp", chunk=4)
    assert (overlap.stored, overlap.duplicates) == (15, 5)
    assert store.message_count() == 1 + 45 and store.verify().ok


@pytest.mark.parametrize("where", ["store", "parser"])
def test_a_failure_mid_import_leaves_rows_and_root_as_before(
    store: Store, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    store.import_chat(_chat(10), sha256=SHA, kind="whatsapp")
    before = _snapshot(store)
    if where == "store":  # the database fails after half the rows (and their record entries) were inserted
        real = Store._store_batch
        calls = {"n": 0}

        def failing(self: Store, *args: Any, **kwargs: Any) -> int:
            calls["n"] += 1
            if calls["n"] == 3:
                raise StoreError("injected: disk I/O error")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Store, "_store_batch", failing)
        rows: Any = _chat(100, start=10)
        error: type[Exception] = StoreError
    else:  # the file turns out to be broken half way through

        def broken() -> Iterator[ChatRow]:
            yield from _chat(50, start=10)
            raise ImportFailed("line 51: not UTF-8 text")

        rows, error = broken(), ImportFailed
    with pytest.raises(error):
        store.import_chat(rows, sha256="ef" * 32, kind="whatsapp", chunk=20)
    monkeypatch.undo()
    assert _snapshot(store) == before
    assert store.verify().ok
    assert store.import_chat(_chat(5, start=200), sha256="12" * 32, kind="whatsapp").stored == 5
    assert store.verify().ok


def test_bad_rows_are_refused(store: Store) -> None:
    before = _snapshot(store)
    for row in ((T0, "us", "text", "x"), (T0.replace(tzinfo=None), "me", "text", "x"), (T0, "me", "sticker", "x"),
                (T0, "me", "text", "lone \ud800 surrogate")):  # fmt: skip
        with pytest.raises(StoreError):
            store.import_chat([*_chat(3), row], sha256=SHA, kind="csv")
    assert _snapshot(store) == before


TRICKY = ["plain", 'quote " and \\ backslash', "emoji 🌻 and RTL שלום", "line\nbreak\u2028\x00", "\u202f\u200e", ""]


def _rows_of(store: Store) -> list[tuple[int, str, int]]:
    """(id, uid, record_seq) of every imported message, in insertion order."""
    with store.engine.connect() as conn:
        found = conn.execute(text("SELECT id, uid, record_seq FROM messages WHERE fingerprint IS NOT NULL ORDER BY id"))
        return [(row[0], row[1], row[2]) for row in found]


def _tamper(store: Store, sql: str, **params: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_a_batch_entry_lists_each_stored_message(store: Store) -> None:
    rows = [(T0 + timedelta(minutes=i), "me", "text", t) for i, t in enumerate(TRICKY)]
    store.import_chat([*rows, *_chat(20, start=10)], sha256=SHA, kind="whatsapp", source="wa 'x' \"y\"", chunk=8)
    stored = _rows_of(store)
    assert len(stored) == 26 and len({seq for _, _, seq in stored}) == 4  # ceil(26 / 8) entries
    with Session(store.engine) as session:
        entries = {r.seq: parse_entry(bytes(r.entry)) for r in session.scalars(select(RecordEntry))}
    for seq in {seq for _, _, seq in stored}:
        entry = entries[seq]
        assert entry["kind"] == "messages" and entry["body"]["source"] == "wa 'x' \"y\""
        assert len(entry["body"]["digests"]) == sum(s == seq for _, _, s in stored)
        assert "text" not in entry["body"]  # the texts are in the rows; the entry holds their digests
    result = store.verify()
    assert result.ok, result.message
    assert [m.text for m in store.history()[1 : 1 + len(TRICKY)]] == TRICKY  # after the hand-logged one


@pytest.mark.parametrize(
    ("column", "value"),
    [("text", b"message 5!"), ("at", None), ("utc_offset", 3600), ("direction", "me"), ("kind", "media"),
     ("fingerprint", "0" * 64), ("uid", "f" * 32), ("source", "telegram"), ("import_sha256", "cd" * 32)],
)  # fmt: skip
def test_verify_names_a_changed_imported_message(store: Store, column: str, value: Any) -> None:
    store.import_chat(_chat(12), sha256=SHA, kind="whatsapp", chunk=5)
    assert store.verify().ok
    row_id, uid, seq = _rows_of(store)[6]  # the second message of the second batch (from "them", a text)
    if column == "at":
        value = to_micros(T0) + 1
    if column == "text" and store.encrypted:
        with store.engine.connect() as conn:
            blob = bytes(conn.execute(text("SELECT text FROM messages WHERE id = :id"), {"id": row_id}).scalar_one())
        value = blob[:-1] + bytes([blob[-1] ^ 1])  # one flipped bit of the ciphertext
    _tamper(store, f"UPDATE messages SET {column} = :value WHERE id = :id", value=value, id=row_id)
    result = store.verify()
    assert not result.ok and result.first_bad_entry == seq, result.message
    assert result.bad_message == (value if column == "uid" else uid) and f"(id {row_id})" in result.message


def test_verify_notices_a_missing_or_an_extra_imported_message(store: Store) -> None:
    store.import_chat(_chat(12), sha256=SHA, kind="whatsapp", chunk=5)
    (_, _, first_seq), *_, (last_id, _, last_seq) = _rows_of(store)
    _tamper(store, "DELETE FROM messages WHERE id = :id", id=last_id)
    result = store.verify()
    assert not result.ok and result.first_bad_entry == last_seq and "missing" in result.message, result.message
    store_two = _rows_of(store)[0][0]
    _tamper(store, "UPDATE messages SET record_seq = :seq WHERE id = :id", seq=first_seq - 1, id=store_two)
    result = store.verify()  # the first batch now misses its first message (it claims the hand-logged entry)
    assert not result.ok and result.first_bad_entry == first_seq, result.message


def test_fingerprints_are_the_hmac_and_sha256_of_earlier_versions() -> None:
    key = bytes(range(32))
    at = to_micros(T0)
    material = f"{at}|me|text|0|ok".encode()
    keyed, plain = store_module._Fingerprints(key), store_module._Fingerprints(None)
    assert keyed.of(at, "me", "text", "ok") == f"{at:016x}" + hmac.new(key, material, "sha256").hexdigest()[:48]
    assert plain.of(at, "me", "text", "ok") == f"{at:016x}" + hashlib.sha256(material).hexdigest()[:48]
    again = f"{at}|me|text|1|ok".encode()  # the same message again in the same minute: the next count
    assert keyed.of(at, "me", "text", "ok") == f"{at:016x}" + hmac.new(key, again, "sha256").hexdigest()[:48]


def test_a_store_with_per_message_entries_still_verifies_and_merges(store: Store) -> None:
    """Imports written before batch entries: one ``message`` entry per row, same fingerprints."""
    counter = store_module._Fingerprints(store._fingerprint_key())
    old = [(at, way, kind, body, counter.of(to_micros(at), way, kind, body)) for at, way, kind, body in _chat(10)]
    with store._write("an import as earlier versions stored it") as tx:
        store._store_messages(tx, old, "whatsapp", "ef" * 32)
        tx.append("import", {"sha256": "ef" * 32, "source": "whatsapp", "count": 10})
    assert store.verify().ok
    overlap = store.import_chat(_chat(15, start=5), sha256=SHA, kind="whatsapp", chunk=4)
    assert (overlap.stored, overlap.duplicates) == (10, 5)
    assert store.message_count() == 1 + 20 and store.verify().ok


def test_an_export_bundle_of_batch_entries_verifies_offline(store: Store, tmp_path: Any) -> None:
    from levelhead.record import verify_bundle

    store.import_chat(_chat(30), sha256=SHA, kind="whatsapp", chunk=7)
    root = store.export_bundle(tmp_path / "record.zip")
    result = verify_bundle(tmp_path / "record.zip")
    assert result.ok and result.root == root and result.count == 1 + 5 + 1, result.message
