"""Store.import_chat on SQLite and PostgreSQL: all or nothing, re-import, overlaps, bulk record entries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from levelhead.history import ImportFailed
from levelhead.record import make_entry
from levelhead.storage import Store, StoreError
from levelhead.storage import store as store_module
from levelhead.storage.store import ChatRow

from .conftest import FAST_KDF

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SHA = "ab" * 32


def _chat(n: int, start: int = 0) -> list[ChatRow]:
    return [(T0 + timedelta(minutes=i), "me" if i % 3 else "them", "media" if i % 11 == 0 else "text", f"message {i}")
            for i in range(start, start + n)]  # fmt: skip


@pytest.fixture(params=["plain", "encrypted"])
def store(request: pytest.FixtureRequest, store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as s:
        if request.param == "plain":
            s.init()
        else:
            s.init(encrypt=True, passphrase="correct horse", kdf=FAST_KDF)
        s.log_message("me", "a message logged by hand", at=T0 - timedelta(days=1))
        yield s


def _snapshot(s: Store) -> tuple[int, tuple[int, str], int]:
    return s.message_count(), s.record_root(), len(s.imports())


def test_import_chat_stores_skips_and_records(store: Store) -> None:
    rows = [*_chat(30), (T0, "system", "system", "Messages are end-to-end encrypted")]
    result = store.import_chat(rows, sha256=SHA, kind="whatsapp", chunk=7)
    assert (result.stored, result.duplicates, result.skipped, result.already) == (30, 0, 1, False)
    history = store.history()
    assert len(history) == 31 and sum(m.kind == "media" for m in history) == 3
    assert store.verify().ok and store.verify().count == 1 + 30 + 1  # hand-logged, messages, the import entry
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
        real = Store._store_messages
        calls = {"n": 0}

        def failing(self: Store, *args: Any, **kwargs: Any) -> int:
            calls["n"] += 1
            if calls["n"] == 3:
                raise StoreError("injected: disk I/O error")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Store, "_store_messages", failing)
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


@pytest.mark.parametrize("text", ["plain", 'quote " and \\ backslash', "emoji 🌻 and RTL שלום", "line\nbreak\u2028\x00",
                                  "\u202f\u200e"])  # fmt: skip
@pytest.mark.parametrize("sha", [None, SHA])
def test_bulk_entries_are_canonical(text: str, sha: str | None) -> None:
    for kind in ("text", "media"):
        for sealed in (False, True):
            body: dict[str, Any] = {"message": "0" * 32, "at": T0.isoformat(), "direction": "me", "source": "wa 'x'",
                                    "import_sha256": sha}  # fmt: skip
            body.update({"sealed_sha256": "f" * 64} if sealed else {"text": text})
            if kind != "text":
                body["kind"] = kind
            fixed = (f'"import_sha256":{"null" if sha is None else store_module._json_str(sha)},',
                     store_module._json_str("wa 'x'"))  # fmt: skip
            stamp = "2026-11-22T10:00:00+00:00"
            assert store_module._fast_message_entry(7, stamp, body, fixed) == make_entry(7, "message", body, at=stamp)
