"""Corrections and deletions of messages and notes, on SQLite and PostgreSQL: new record entries, the
originals kept and marked superseded, and every reader of the conversation leaving them out."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from levelhead.record import parse_entry, verify_bundle
from levelhead.situation import Message
from levelhead.storage import Store, StoreError, WrongPassphraseError
from levelhead.storage.models import RecordEntry

from .conftest import FAST_KDF

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=3)


@pytest.fixture
def store(new_store: Store) -> Store:
    new_store.import_messages([
        Message(T0, "them", "Can you take them Sunday?"),
        Message(T0 + timedelta(minutes=5), "me", "Yes, at 10."),
        Message(T0 + timedelta(minutes=30), "me", "Are you there?"),
    ])  # fmt: skip
    return new_store


def _ids(s: Store) -> list[int]:
    return [m.id for m in s.list_messages()]


def _entries(s: Store) -> list[bytes]:
    with s.engine.connect() as conn:
        return [bytes(e) for e in conn.execute(select(RecordEntry.entry).order_by(RecordEntry.seq)).scalars()]


def _everything(s: Store) -> tuple[object, ...]:
    """All that a failed correction or deletion must leave as it was."""
    return (s.record_root(), s.list_messages(include_superseded=True), s.journal(include_deleted=True))


def test_the_listing_is_newest_first_with_ids(store: Store) -> None:
    listed = store.list_messages()
    assert [m.text for m in listed] == ["Are you there?", "Yes, at 10.", "Can you take them Sunday?"]
    assert [m.direction for m in listed] == ["me", "me", "them"]
    assert {m.status for m in listed} == {"current"} and listed[0].at == T0 + timedelta(minutes=30)
    assert [m.text for m in store.list_messages(limit=1)] == ["Are you there?"]


def test_a_correction_takes_the_place_of_the_message(store: Store, tmp_path: Path) -> None:
    newest, middle, oldest = _ids(store)
    before = _entries(store)
    new_id = store.correct_message(middle, "Yes, at 11.", reason="I misread my own note", at=LATER)

    texts = ["Can you take them Sunday?", "Yes, at 11.", "Are you there?"]
    assert [m.text for m in store.history()] == texts
    assert [m.text for m in store.messages()] == texts
    assert [m.text for m in store.situation_for_check(LATER).history] == texts
    assert store.situation_for_check(LATER).history[1].at == T0 + timedelta(minutes=5)  # the original time
    assert store.message_count() == 3
    assert _ids(store) == [newest, new_id, oldest]

    everything = {m.id: m for m in store.list_messages(include_superseded=True)}
    assert everything[middle].status == "corrected" and everything[middle].corrected_by == new_id
    assert everything[middle].text == "Yes, at 10." and everything[middle].reason == "I misread my own note"
    assert everything[middle].changed_at == LATER
    assert everything[new_id].status == "current" and everything[new_id].corrects == middle

    after = _entries(store)
    assert after[: len(before)] == before  # the original entry is untouched
    entry = parse_entry(after[-1])
    assert entry["kind"] == "correction" and entry["refers_to"] == 1
    assert entry["body"]["at"] == LATER.isoformat()
    if not store.encrypted:
        assert entry["body"]["text"] == "Yes, at 11." and entry["body"]["reason"] == "I misread my own note"
    else:
        assert {"sealed_sha256", "reason_sealed_sha256"} <= entry["body"].keys()
    assert store.verify().ok and store.verify().count == len(before) + 1
    store.export_bundle(tmp_path / "record.zip")
    assert verify_bundle(tmp_path / "record.zip").ok


def test_a_correction_can_be_corrected_or_deleted_in_turn(store: Store) -> None:
    _, middle, _ = _ids(store)
    first = store.correct_message(middle, "Yes, at 11.")
    second = store.correct_message(first, "Yes, at 11:30.")
    assert [m.text for m in store.history()][1] == "Yes, at 11:30."
    store.delete_message(second)
    assert [m.text for m in store.history()] == ["Can you take them Sunday?", "Are you there?"]
    statuses = {m.id: m.status for m in store.list_messages(include_superseded=True)}
    assert [statuses[i] for i in (middle, first, second)] == ["corrected", "corrected", "deleted"]
    assert store.verify().ok


def test_a_deleted_message_leaves_the_conversation_not_the_record(store: Store) -> None:
    newest, middle, oldest = _ids(store)
    before = _entries(store)
    store.delete_message(newest, reason="logged twice", at=LATER)
    assert [m.text for m in store.history()] == ["Can you take them Sunday?", "Yes, at 10."]
    assert [m.text for m in store.situation_for_check(LATER).history] == ["Can you take them Sunday?", "Yes, at 10."]
    assert store.message_count() == 2 and _ids(store) == [middle, oldest]
    gone = store.list_messages(include_superseded=True)[0]
    assert (gone.id, gone.status, gone.text, gone.reason) == (newest, "deleted", "Are you there?", "logged twice")
    after = _entries(store)
    assert after[: len(before)] == before
    entry = parse_entry(after[-1])
    assert entry["kind"] == "deleted" and entry["refers_to"] == 2
    assert store.verify().ok


@pytest.mark.parametrize("change", ["correct", "delete"])
def test_mistakes_are_clear_errors_and_change_nothing(store: Store, change: str) -> None:
    newest, middle, _ = _ids(store)
    new_id = store.correct_message(middle, "Yes, at 11.")
    store.delete_message(newest)
    before = _everything(store)

    def attempt(message_id: int) -> None:
        if change == "correct":
            store.correct_message(message_id, "something else", reason="a reason")
        else:
            store.delete_message(message_id, reason="a reason")

    for message_id, needle in ((999, "no message 999"), (0, "no message 0"), (-1, "no message -1"),
                               (2**63, "no message"), (newest, "deleted already"),
                               (middle, f"corrected already: its corrected version is message {new_id}")):  # fmt: skip
        with pytest.raises(StoreError, match=needle):
            attempt(message_id)
        assert _everything(store) == before
    if change == "correct":
        for text, needle in (("", "empty"), ("  \n", "empty"), ("Yes, at 11.", "already says that")):
            with pytest.raises(StoreError, match=needle):
                store.correct_message(new_id, text)
            assert _everything(store) == before


def test_a_blank_reason_is_no_reason(store: Store) -> None:
    newest, _, _ = _ids(store)
    store.delete_message(newest, reason="   ")
    assert store.list_messages(include_superseded=True)[0].reason is None
    assert "reason" not in json.dumps(parse_entry(_entries(store)[-1])["body"])


def test_an_imported_message_deleted_stays_deleted_when_an_overlapping_export_comes(store: Store) -> None:
    chat = [(T0 + timedelta(days=1, minutes=i), "them" if i % 2 else "me", "text", f"imported {i}") for i in range(4)]
    store.import_chat(chat, sha256="ab" * 32, kind="whatsapp")
    target = next(m for m in store.list_messages() if m.text == "imported 2")
    store.delete_message(target.id)
    store.correct_message(next(m.id for m in store.list_messages() if m.text == "imported 1"), "imported one")
    again = store.import_chat([*chat, (T0 + timedelta(days=2), "me", "text", "new")], sha256="cd" * 32,
                              kind="whatsapp")  # fmt: skip
    assert (again.stored, again.duplicates) == (1, 4)
    texts = [m.text for m in store.history()]
    assert "imported 2" not in texts and "imported 1" not in texts and "imported one" in texts and "new" in texts


def test_a_correction_keeps_media_and_gives_a_deleted_one_its_text(store: Store) -> None:
    chat = [(T0 + timedelta(days=1), "them", "media", "photo caption"), (T0 + timedelta(days=1, minutes=1), "them",
            "deleted", "")]  # fmt: skip
    store.import_chat(chat, sha256="ef" * 32, kind="whatsapp")
    deleted_in_app, media = store.list_messages(limit=2)
    store.correct_message(media.id, "photo of the school form")
    store.correct_message(deleted_in_app.id, "I remember: it said sorry")
    kinds = {m.text: m.kind for m in store.history()}
    assert kinds["photo of the school form"] == "media" and kinds["I remember: it said sorry"] == "text"


def test_notes_can_be_deleted_not_erased(store: Store) -> None:
    keep = store.add_journal("a calm day", at=T0)
    drop = store.add_journal("an angry draft I wrote down", at=T0 + timedelta(hours=1))
    store.delete_journal(drop, reason="not me", at=LATER)
    assert [e.text for e in store.journal()] == ["a calm day"]
    both = store.journal(include_deleted=True)
    assert [(e.id, e.deleted_at, e.reason) for e in both] == [(keep, None, None), (drop, LATER, "not me")]
    entry = parse_entry(_entries(store)[-1])
    assert entry["kind"] == "deleted" and "journal" in entry["body"] and store.verify().ok
    before = _everything(store)
    for entry_id, needle in ((drop, "deleted already"), (42, "no note 42"), (2**40, "no note")):
        with pytest.raises(StoreError, match=needle):
            store.delete_journal(entry_id)
    assert _everything(store) == before


def test_an_encrypted_store_seals_the_new_text_and_the_reasons(tmp_path: Path) -> None:
    path = tmp_path / "levelhead.db"
    with Store.open(f"sqlite:///{path}") as s:
        s.init(encrypt=True, passphrase="correct horse", kdf=FAST_KDF)
        s.log_message("them", "original words", T0)
        s.log_message("me", "second words", T0 + timedelta(minutes=1))
        first, second = sorted(_ids(s))
        s.correct_message(first, "planted correction xyzzy", reason="planted reason plugh")
        s.delete_message(second, reason="planted deletion reason quux")
        note = s.add_journal("a note")
        s.delete_journal(note, reason="planted note reason frob")
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for planted in (b"xyzzy", b"plugh", b"quux", b"frob"):
        assert planted not in data
    with pytest.raises(WrongPassphraseError):
        Store.open(f"sqlite:///{path}", "wrong")
    with Store.open(f"sqlite:///{path}", "correct horse") as s:
        assert [m.text for m in s.history()] == ["planted correction xyzzy"]
        reasons = {m.reason for m in s.list_messages(include_superseded=True)}
        assert reasons == {None, "planted reason plugh", "planted deletion reason quux"}
        assert s.journal(include_deleted=True)[0].reason == "planted note reason frob"


def test_a_store_from_before_corrections_upgrades_in_place(store_url: str) -> None:
    from alembic import command

    from levelhead.storage.db import make_engine, resolve_url
    from levelhead.storage.migrations import HEAD, alembic_config

    engine = make_engine(resolve_url(store_url))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0002")
    finally:
        engine.dispose()
    with Store.open(store_url) as s:  # opening upgrades to the newest schema
        s.init()
        s.log_message("them", "from before", T0)
    engine = make_engine(resolve_url(store_url))
    try:
        with engine.begin() as conn:  # down to 0002 with a message in it, and up again on the next open
            command.downgrade(alembic_config(conn), "0002")
    finally:
        engine.dispose()
    with Store.open(store_url) as s:
        (old,) = s.list_messages()
        assert old.status == "current" and old.text == "from before"
        s.correct_message(old.id, "corrected after the upgrade")
        assert [m.text for m in s.history()] == ["corrected after the upgrade"] and s.verify().ok
    from levelhead.storage.migrations import upgrade

    assert upgrade(store_url) == HEAD


def test_the_quick_read_skips_superseded_rows_like_the_store(tmp_path: Path) -> None:
    from levelhead.storage import quickread

    path = tmp_path / "levelhead.db"
    with Store.open(f"sqlite:///{path}") as s:
        s.init()
        for i in range(6):
            s.log_message("me" if i % 2 else "them", f"message {i}", T0 + timedelta(minutes=i))
        ids = sorted(_ids(s))
        s.correct_message(ids[1], "message one, corrected")
        s.delete_message(ids[4])
        want = s.situation_for_check(LATER)
    got = quickread.situation_for_check(path, None, LATER)
    assert got == want
    assert [m.text for m in want.history] == ["message 0", "message one, corrected", "message 2", "message 3",
                                              "message 5"]  # fmt: skip
    with sqlite3.connect(path) as conn:  # the rows are all still there
        assert conn.execute("SELECT count(*), sum(superseded) FROM messages").fetchone() == (7, 2)
