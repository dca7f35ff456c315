"""The standard-library reader a check uses for SQLite stores gives exactly what the store gives."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from levelhead.situation import Goal, Message, Situation
from levelhead.storage import Store, WrongPassphraseError, quickread

from .conftest import FAST_KDF

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _fill(store: Store) -> None:
    store.set_situation(Situation(goal=Goal.LOGISTICS, children=2, timezone="Europe/London", country="GB"))
    store.add_agreement("no-contact", {"until": "2026-12-30", "except": ["the children's health"]}, at=T0)
    store.add_agreement("window", {"days": "mon-fri", "from": "19:30", "to": "20:00", "channel": "call"}, at=T0)
    gone = store.add_agreement("off-limits", {"topics": ["money"]}, at=T0)
    store.end_agreement(gone, "settled", at=T0 + timedelta(days=2))
    store.add_agreement("no-visits", at=datetime.now(UTC) + timedelta(days=30))  # starts later
    london = T0.astimezone(ZoneInfo("Europe/London"))
    for i in range(40):
        store.log_message("me" if i % 3 else "them", f"message {i} ünïcode", london + timedelta(hours=i))
    ids = sorted(m.id for m in store.list_messages())
    store.correct_message(ids[5], "message 5, corrected")  # corrected and deleted rows stay, marked superseded
    store.delete_message(ids[30])
    store.delete_message(ids[39])


@pytest.mark.parametrize("encrypted", [False, True])
def test_the_quick_read_equals_the_store_read(tmp_path: Path, encrypted: bool) -> None:
    path = tmp_path / "levelhead.db"
    passphrase = "correct horse" if encrypted else None
    with Store.open(f"sqlite:///{path}") as store:
        store.init(encrypt=encrypted, passphrase=passphrase, kdf=FAST_KDF)
        _fill(store)
        moments = [T0 - timedelta(days=1), T0 + timedelta(hours=5), T0 + timedelta(days=1), T0 + timedelta(days=90)]
        for moment in moments:
            for limit in (10, 500):
                want = store.situation_for_check(moment, history_limit=limit)
                got = quickread.situation_for_check(path, passphrase, moment, history_limit=limit)
                assert got == want, moment
                assert [m.at.utcoffset() for m in got.history] == [m.at.utcoffset() for m in want.history]


def test_an_empty_or_uninitialised_file_reads_as_no_store(tmp_path: Path) -> None:
    path = tmp_path / "levelhead.db"
    Store.open(f"sqlite:///{path}").close()  # schema, no store
    assert quickread.situation_for_check(path, None) is None


def test_a_wrong_passphrase_is_the_stores_error(tmp_path: Path) -> None:
    path = tmp_path / "levelhead.db"
    with Store.open(f"sqlite:///{path}") as store:
        store.init(encrypt=True, passphrase="right", kdf=FAST_KDF)
    with pytest.raises(WrongPassphraseError):
        quickread.situation_for_check(path, "wrong")
    with pytest.raises(WrongPassphraseError):
        quickread.situation_for_check(path, None)


def test_an_older_schema_or_a_foreign_file_goes_the_full_way(tmp_path: Path) -> None:
    path = tmp_path / "levelhead.db"
    with Store.open(f"sqlite:///{path}") as store:
        store.init()
        store.log_message("them", "hello", T0)
    db = sqlite3.connect(path)
    db.execute("UPDATE alembic_version SET version_num = '0001'")
    db.commit()
    db.close()
    with pytest.raises(quickread.Unsuitable):
        quickread.situation_for_check(path, None)
    other = tmp_path / "other.db"
    other.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(quickread.Unsuitable):
        quickread.situation_for_check(other, None)


def test_reading_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "levelhead.db"
    with Store.open(f"sqlite:///{path}") as store:
        store.init()
        store.import_messages([Message(T0, "them", "hi")])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert quickread.situation_for_check(path, None) is not None
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
