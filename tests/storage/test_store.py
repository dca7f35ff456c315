"""The store against both SQLite and PostgreSQL (``store_url`` is parametrised in conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from levelhead.record import Outcome, make_entry, parse_entry, verify_bundle
from levelhead.situation import Channel, EndedBy, Goal, Message, Mood, Situation
from levelhead.storage import DamagedDataError, NotInitialisedError, Store, StoreError, WrongPassphraseError, upgrade
from levelhead.storage import store as store_module
from levelhead.storage.migrations import HEAD, SCRIPT_LOCATION
from levelhead.storage.models import CheckpointRow, MessageRow, RecordEntry

from .conftest import FAST_KDF

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as s:
        s.init()
        yield s


@pytest.fixture
def secret_store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as s:
        s.init(encrypt=True, passphrase="correct horse", kdf=FAST_KDF)
        yield s


def _fill(s: Store) -> None:
    s.set_situation(Situation(goal=Goal.LOGISTICS, children=2, timezone="Europe/London", country="GB"))
    s.add_agreement("off-limits", {"topics": ["the new partner"]}, at=T0)
    s.add_agreement("window", {"days": "mon-fri", "from": "19:30", "to": "20:00", "channel": "call"}, at=T0)
    s.import_messages([Message(T0 + timedelta(minutes=i), "me" if i % 2 else "them", f"msg {i}") for i in range(20)])
    s.add_journal("a calm day", at=T0)


def test_situation_and_agreements_round_trip(store: Store) -> None:
    assert store.situation() == Situation()
    situation = Situation(
        goal=Goal.LOGISTICS, mood=Mood.CALM, broke_up=date(2026, 10, 30), ended_by=EndedBy.THEM, children=2,
        asked_for_space=True, timezone="Europe/London", country="GB", channel=Channel.EMAIL,
    )  # fmt: skip
    store.set_situation(situation)
    assert store.situation() == situation
    store.add_agreement("no-contact", {"until": date(2026, 12, 30), "except": ["children's emergencies"]}, at=T0)
    store.add_agreement("window", {"days": "mon-fri", "from": time(19, 30), "to": "20:00", "purpose": "goodnight"})
    store.add_agreement("channels", {"channels": ["text", "email"]})
    store.add_agreement("no-visits")
    store.add_agreement("no-family")
    store.add_agreement("friendship", {"friendship": False})
    store.add_agreement("social-block", {"until": "2027-01-15"})
    store.add_agreement("off-limits", {"topics": ["money"]})
    got = store.situation_for_check()
    assert got.goal is Goal.LOGISTICS and got.children == 2
    a = got.agreements
    assert a.no_contact_until == date(2026, 12, 30) and a.no_contact_except == ("children's emergencies",)
    assert a.windows[0].start == time(19, 30) and a.windows[0].purpose == "goodnight"
    assert a.channels == frozenset({Channel.TEXT, Channel.EMAIL})
    assert a.no_visits and a.no_family_contact and a.friendship is False
    assert a.social_block_until == date(2027, 1, 15) and a.off_limits == ("money",)
    assert next(x.kind for x in store.agreements()) == "no-contact"


@pytest.mark.parametrize(
    ("kind", "details"),
    [("window", {"days": "someday", "from": "19:30", "to": "20:00"}), ("nope", {}), ("no-contact", {}),
     ("no-visits", {"extra": 1}), ("channels", {"channels": ["pigeon"]})],
)  # fmt: skip
def test_bad_agreements_are_refused(store: Store, kind: str, details: dict[str, object]) -> None:
    with pytest.raises(StoreError):
        store.add_agreement(kind, details)
    assert store.record_root()[0] == 0 and store.agreements() == []


def test_ending_an_agreement_appends_to_the_record(store: Store) -> None:
    first = store.add_agreement("off-limits", {"topics": ["holidays"]}, at=T0)
    with store.engine.connect() as conn:
        before = conn.execute(select(RecordEntry.entry).order_by(RecordEntry.seq)).scalars().all()
    store.end_agreement(first, "we agreed to talk about it", at=T0 + timedelta(days=1))
    with store.engine.connect() as conn:
        after = conn.execute(select(RecordEntry.entry).order_by(RecordEntry.seq)).scalars().all()
    assert [bytes(b) for b in after[:1]] == [bytes(b) for b in before]  # the old entry is untouched
    ended = parse_entry(bytes(after[1]))
    assert ended["kind"] == "agreement-ended" and ended["refers_to"] == 0
    assert ended["body"]["reason"] == "we agreed to talk about it"
    assert store.agreements()[0].end_reason == "we agreed to talk about it"
    with pytest.raises(StoreError, match="already ended"):
        store.end_agreement(first)
    assert store.verify().ok


def test_situation_for_check_uses_active_agreements_only(store: Store) -> None:
    gone = store.add_agreement("off-limits", {"topics": ["old topic"]}, at=T0)
    store.add_agreement("off-limits", {"topics": ["kept topic"]}, at=T0)
    later = datetime.now(UTC) + timedelta(days=10)
    store.add_agreement("no-visits", at=later)  # dated to start later: not in force before then
    store.end_agreement(gone, "settled", at=T0 + timedelta(hours=1))
    now = T0 + timedelta(days=1)
    assert store.situation_for_check(now).agreements.off_limits == ("kept topic",)
    assert not store.situation_for_check(now).agreements.no_visits
    assert store.situation_for_check(later).agreements.no_visits
    assert store.situation_for_check(T0 + timedelta(minutes=30)).agreements.off_limits == ("old topic", "kept topic")
    assert [a.id for a in store.agreements(include_ended=False)] == [2, 3]


def test_a_check_for_an_earlier_moment_uses_what_is_agreed_today(store: Store) -> None:
    store.add_agreement("no-visits")  # recorded now
    assert store.situation_for_check(T0).agreements.no_visits  # T0 is before today


def test_history_is_the_last_messages_up_to_now_in_order(store: Store) -> None:
    london = timezone(timedelta(hours=1))
    batch = [Message((T0 + timedelta(minutes=i)).astimezone(london), "them", f"m{i}") for i in range(600)]
    assert store.import_messages(reversed(batch), source="whatsapp", sha256="ab" * 32) == 600
    history = store.situation_for_check(T0 + timedelta(minutes=549)).history
    assert len(history) == 500 and history[0].text == "m50" and history[-1].text == "m549"
    assert history[0].at == batch[50].at and history[0].at.utcoffset() == timedelta(hours=1)
    assert len(store.situation_for_check(T0 + timedelta(days=1), history_limit=10).history) == 10
    assert store.message_count() == 600 and store.messages(limit=1)[0].text == "m599"


def test_drafts_are_listed_due_first(store: Store) -> None:
    now = T0
    later = store.park_draft("later", now + timedelta(hours=5), now=now)
    due = store.park_draft("due", now - timedelta(minutes=1), now=now)
    soon = store.park_draft("soon", now + timedelta(hours=1), now=now)
    assert [d.id for d in store.drafts()] == [due, soon, later]
    assert [d.text for d in store.due_drafts(now)] == ["due"]
    store.set_draft_status(due, "sent")
    assert [d.id for d in store.drafts()] == [soon, later]
    assert [d.status for d in store.drafts(status=None)] == ["sent", "parked", "parked"]
    store.delete_draft(later)
    assert [d.id for d in store.drafts()] == [soon]
    with pytest.raises(StoreError):
        store.set_draft_status(soon, "lost")
    with pytest.raises(StoreError, match="no draft"):
        store.delete_draft(later)


def test_messages_and_journal_go_into_the_record(store: Store, tmp_path: Path) -> None:
    _fill(store)
    store.log_message("me", "see you at 6", at=T0 + timedelta(hours=2))
    kinds = []
    with store.engine.connect() as conn:
        for entry in conn.execute(select(RecordEntry.entry).order_by(RecordEntry.seq)).scalars():
            kinds.append(parse_entry(bytes(entry))["kind"])
    assert kinds == ["agreement", "agreement", *["message"] * 20, "journal", "message"]
    assert [j.text for j in store.journal()] == ["a calm day"]
    result = store.verify()
    assert result.ok and result.count == 24
    bundle = tmp_path / "record.zip"
    assert store.export_bundle(bundle) == result.root == store.record_root()[1]
    assert verify_bundle(bundle).ok


def _flip(store: Store, table: str, column: str, key: str, key_value: int, offset: int = 5) -> None:
    with store.engine.begin() as conn:
        value = conn.execute(text(f"SELECT {column} FROM {table} WHERE {key} = :k"), {"k": key_value}).scalar_one()
        if isinstance(value, str):
            changed: object = value[:offset] + ("0" if value[offset] != "0" else "1") + value[offset + 1 :]
        else:
            data = bytearray(value)
            data[offset] ^= 0x01
            changed = bytes(data)
        conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE {key} = :k"), {"v": changed, "k": key_value})


def test_verify_names_the_first_bad_entry(store: Store) -> None:
    _fill(store)
    assert store.verify().ok
    _flip(store, "record_entries", "entry", "seq", 7, offset=12)
    _flip(store, "record_entries", "entry", "seq", 9, offset=12)
    result = store.verify()
    assert result.outcome is Outcome.ALTERED and result.first_bad_entry == 7, result.message


def test_verify_catches_a_changed_leaf_hash(store: Store) -> None:
    _fill(store)
    _flip(store, "record_entries", "leaf_hash", "seq", 4)
    result = store.verify()
    assert not result.ok and result.first_bad_entry == 4


@pytest.mark.parametrize("column", ["root", "time", "digest", "size"])
def test_verify_catches_a_changed_checkpoint(store: Store, column: str, tmp_path: Path) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        cp_id = conn.execute(select(CheckpointRow.id).order_by(CheckpointRow.id).limit(1).offset(2)).scalar_one()
        if column == "size":
            conn.execute(update(CheckpointRow).where(CheckpointRow.id == cp_id).values(size=CheckpointRow.size + 1))
    if column != "size":
        _flip(store, "checkpoints", column, "id", cp_id, offset=3)
    result = store.verify()
    assert not result.ok and result.bad_checkpoint == 2, result.message
    with pytest.raises(StoreError, match="does not verify"):
        store.export_bundle(tmp_path / "never-written.zip")
    assert not (tmp_path / "never-written.zip").exists()


def test_encrypted_store_round_trips_and_hides_text_in_the_record(secret_store: Store, store_url: str) -> None:
    _fill(secret_store)
    first = secret_store.agreements()[0]
    secret_store.end_agreement(first.id, "private reason")
    secret_store.park_draft("a parked draft", T0)
    with secret_store.engine.connect() as conn:
        raw = b"".join(bytes(e) for e in conn.execute(select(RecordEntry.entry)).scalars())
        blobs = b"".join(bytes(t) for t in conn.execute(select(MessageRow.text)).scalars())
    for planted in (b"msg 1", b"the new partner", b"private reason", b"a calm day"):
        assert planted not in raw and planted not in blobs
    assert b"sealed_sha256" in raw
    secret_store.close()
    with Store.open(store_url, "correct horse") as again:
        assert again.encrypted and again.journal()[0].text == "a calm day"
        assert again.agreements()[0].end_reason == "private reason"
        assert again.situation_for_check(T0 + timedelta(days=1)).history[-1].text == "msg 19"
        assert again.situation().goal is Goal.LOGISTICS and again.verify().ok


def test_wrong_or_missing_passphrase_is_a_clear_error(secret_store: Store, store_url: str) -> None:
    secret_store.close()
    with pytest.raises(WrongPassphraseError, match="wrong passphrase"):
        Store.open(store_url, "wrong")
    with pytest.raises(WrongPassphraseError, match="passphrase is needed"):
        Store.open(store_url)


def test_a_passphrase_for_a_plain_store_is_refused(store: Store, store_url: str) -> None:
    store.close()
    with pytest.raises(StoreError, match="not encrypted"):
        Store.open(store_url, "anything")


def test_flipped_ciphertext_byte_is_an_error_never_wrong_text(secret_store: Store) -> None:
    secret_store.import_messages([Message(T0, "them", "the real words")])
    secret_store.add_journal("journal words", at=T0)
    _flip(secret_store, "messages", "text", "id", 1, offset=20)
    with pytest.raises(DamagedDataError, match="messages row"):
        secret_store.situation_for_check(T0)
    with secret_store.engine.begin() as conn:  # a ciphertext moved to another row fails too
        blob = conn.execute(text("SELECT text FROM journal WHERE id = 1")).scalar_one()
        conn.execute(text("UPDATE messages SET text = :b WHERE id = 1"), {"b": blob})
    with pytest.raises(DamagedDataError):
        secret_store.messages()
    assert secret_store.journal()[0].text == "journal words"


def test_passphrase_change_keeps_data_readable(secret_store: Store, store_url: str) -> None:
    _fill(secret_store)
    with pytest.raises(WrongPassphraseError):
        secret_store.change_passphrase("not it", "new one")
    secret_store.change_passphrase("correct horse", "new one", kdf=FAST_KDF)
    secret_store.close()
    with pytest.raises(WrongPassphraseError):
        Store.open(store_url, "correct horse")
    with Store.open(store_url, "new one") as again:
        assert [m.text for m in again.messages()][:2] == ["msg 0", "msg 1"]
        assert again.verify().ok


def test_a_failure_mid_write_leaves_rows_and_root_unchanged(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(store)
    root_before, count_before = store.record_root(), store.message_count()
    real = make_entry
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> bytes:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr("levelhead.storage.store.make_entry", failing)
    with pytest.raises(RuntimeError, match="injected"):
        store.import_messages([Message(T0, "me", f"x{i}") for i in range(5)])
    assert store.record_root() == root_before and store.message_count() == count_before
    monkeypatch.setattr("levelhead.storage.store.make_entry", real)

    def broken_finish(self: object) -> None:  # the failure comes after rows and entries were inserted
        raise OSError("injected I/O error")

    monkeypatch.setattr(store_module._Tx, "finish", broken_finish)
    with pytest.raises(StoreError, match="injected I/O error"):
        store.add_agreement("no-visits")
    monkeypatch.undo()
    assert store.record_root() == root_before and store.message_count() == count_before
    assert len(store.agreements()) == 2
    store.add_journal("after the failure")  # the cached record was dropped and is rebuilt correctly
    assert store.verify().ok and store.verify().count == root_before[0] + 1


def test_an_uninitialised_store_says_so(store_url: str) -> None:
    with Store.open(store_url) as s:
        assert not s.initialised
        with pytest.raises(NotInitialisedError, match="initialise"):
            s.situation_for_check()
        s.init()
        with pytest.raises(StoreError, match="already"):
            s.init()


def test_upgrade_is_idempotent_and_the_migration_matches_the_models(store_url: str) -> None:
    assert upgrade(store_url) == HEAD
    assert upgrade(store_url) == HEAD
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from levelhead.storage.migrations import alembic_config
    from levelhead.storage.models import Base

    config = alembic_config()
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
    assert (SCRIPT_LOCATION / "env.py").is_file()
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_bad_urls_become_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="URL"):
        Store.open("not a url at all")
    with pytest.raises(StoreError, match="URL"):
        Store.open("nosuchdb://x/y")
    with pytest.raises(StoreError, match="cannot reach"):
        Store.open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        Store.open(f"sqlite:///{blocker / 'sub' / 'levelhead.db'}")


def test_default_location_follows_levelhead_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEVELHEAD_DB", raising=False)
    monkeypatch.setenv("LEVELHEAD_HOME", str(tmp_path / "home"))
    with Store.open() as s:
        s.init()
    assert (tmp_path / "home" / "levelhead.db").is_file()
    monkeypatch.setenv("LEVELHEAD_DB", f"sqlite:///{tmp_path / 'other.db'}")
    with Store.open() as s:
        assert not s.initialised
    assert (tmp_path / "other.db").is_file()


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="UTC offset"):
        store.park_draft("x", datetime(2026, 1, 1))
    with pytest.raises(StoreError, match="UTC offset"):
        store.situation_for_check(datetime(2026, 1, 1))


def test_a_draft_marked_sent_is_logged_in_the_same_transaction(store: Store) -> None:
    number = store.park_draft("See you at 5 on Saturday.", T0 + timedelta(hours=12), T0)
    size_before = store.record_root()[0]
    store.send_draft(number, T0 + timedelta(hours=13))
    assert store.drafts() == []
    assert [d.status for d in store.drafts(None)] == ["sent"]
    assert store.messages()[-1].text == "See you at 5 on Saturday."
    assert store.record_root()[0] == size_before + 1
    with pytest.raises(StoreError, match="no parked draft"):
        store.send_draft(number)
    assert store.verify().ok
