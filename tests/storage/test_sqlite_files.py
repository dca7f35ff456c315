"""SQLite only: what lands in the files (db, -wal, -shm), crash safety, disk full, damaged files."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text

from levelhead.situation import Message
from levelhead.storage import Store, StoreError, WrongPassphraseError

from .conftest import FAST_KDF

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PLANTED = "PLANTED-zq81-secret"
SRC = Path(__file__).resolve().parents[2] / "src"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _assert_absent(folder: Path, needle: str) -> None:
    for name, data in _files(folder).items():
        for form in (needle.encode("utf-8"), needle.encode("utf-16-le")):
            assert form not in data, f"{needle!r} found in {name}"


def _checkpoint(store: Store) -> None:
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    path.mkdir()
    return path


def _url(folder: Path) -> str:
    return f"sqlite:///{folder / 'levelhead.db'}"


def test_pragmas_are_set_on_every_connection(folder: Path) -> None:
    with Store.open(_url(folder)) as store, store.engine.connect() as conn:
        values = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in
                  ("journal_mode", "foreign_keys", "secure_delete", "synchronous")]  # fmt: skip
    assert values == ["wal", 1, 1, 1]


def test_planted_text_never_reaches_the_files_of_an_encrypted_store(folder: Path, tmp_path: Path) -> None:
    with Store.open(_url(folder)) as store:
        store.init(encrypt=True, passphrase="pass phrase", kdf=FAST_KDF)
        agreement = store.add_agreement("off-limits", {"topics": [PLANTED]}, at=T0)
        store.add_agreement("window", {"days": "mon-fri", "from": "19:30", "to": "20:00", "purpose": PLANTED})
        store.end_agreement(agreement, f"reason {PLANTED}")
        store.import_messages([Message(T0, "them", f"hello {PLANTED}")], sha256="cd" * 32)
        store.log_message("me", PLANTED, at=T0 + timedelta(minutes=1))
        store.add_journal(PLANTED)
        draft = store.park_draft(PLANTED, T0)
        assert (folder / "levelhead.db-wal").exists()
        _assert_absent(folder, PLANTED)  # while open, with the WAL full
        _checkpoint(store)
        _assert_absent(folder, PLANTED)
        store.delete_draft(draft)
        _checkpoint(store)
        _assert_absent(folder, PLANTED)
        bundle = tmp_path / "bundle.zip"
        store.export_bundle(bundle)
        assert PLANTED.encode() not in bundle.read_bytes()
        assert store.situation_for_check(T0 + timedelta(days=1)).history[-1].text == PLANTED
    _assert_absent(folder, PLANTED)


def test_secure_delete_wipes_a_deleted_draft_of_a_plain_store(folder: Path) -> None:
    with Store.open(_url(folder)) as store:
        store.init()
        draft = store.park_draft(PLANTED, T0)
        _checkpoint(store)
        assert PLANTED.encode() in (folder / "levelhead.db").read_bytes()  # plain store: the text is there
        store.delete_draft(draft)
        _checkpoint(store)
        _assert_absent(folder, PLANTED)


def test_wrong_passphrase_leaves_every_file_byte_identical(folder: Path) -> None:
    with Store.open(_url(folder)) as store:
        store.init(encrypt=True, passphrase="right", kdf=FAST_KDF)
        store.add_journal("something")
    before = _files(folder)
    with pytest.raises(WrongPassphraseError):
        Store.open(_url(folder), "wrong")
    with pytest.raises(WrongPassphraseError):
        Store.open(_url(folder))
    assert _files(folder) == before
    with Store.open(_url(folder), "right") as store:
        assert store.journal()[0].text == "something"


def test_a_damaged_database_file_is_reported_and_left_alone(folder: Path) -> None:
    with Store.open(_url(folder)) as store:
        store.init()
        store.add_journal("x")
    db = folder / "levelhead.db"
    data = bytearray(db.read_bytes())
    data[0:16] = b"definitely not!!"
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"damaged|not a levelhead database"):
        Store.open(_url(folder))
    assert db.read_bytes() == bytes(data)


def test_disk_full_is_a_clear_error_and_nothing_is_half_written(folder: Path) -> None:
    store = Store.open(_url(folder))
    store.init()
    store.import_messages([Message(T0, "me", "before")])
    root, count = store.record_root(), store.message_count()
    with store.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def limit(dbapi_connection: sqlite3.Connection, record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    store.engine.dispose()
    event.listen(store.engine, "connect", limit)
    big = [Message(T0 + timedelta(seconds=i), "them", "x" * 500) for i in range(2000)]
    with pytest.raises(StoreError, match="disk is full"):
        store.import_messages(big)
    event.remove(store.engine, "connect", limit)
    store.engine.dispose()
    assert store.record_root() == root and store.message_count() == count and store.verify().ok
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    store.import_messages(big[:10])
    assert store.verify().ok
    store.close()


@pytest.fixture
def child_env() -> Iterator[dict[str, str]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), str(SRC.parent), env.get("PYTHONPATH")]))
    yield env


def test_kill_9_during_writes_leaves_a_sound_store(folder: Path, child_env: dict[str, str]) -> None:
    url = _url(folder)
    with Store.open(url) as store:
        store.init()
    rng = random.Random(1234)
    for _ in range(20):
        child = subprocess.Popen([sys.executable, "-m", "tests.storage.writer_process", url], env=child_env,
                                 cwd=SRC.parent, stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.3))
        child.kill()  # SIGKILL
        child.wait()
        child.stdout.close()
    raw = sqlite3.connect(folder / "levelhead.db")
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        raw.close()
    with Store.open(url) as store:
        result = store.verify()
        assert result.ok, result.message
        messages = store.messages()
        assert messages and len(messages) % 10 == 0  # no half batch
        with store.engine.connect() as conn:
            imports = conn.execute(text("SELECT count(DISTINCT import_sha256) FROM messages")).scalar()
            partial = conn.execute(text("SELECT count(*) FROM (SELECT import_sha256 FROM messages "
                                        "GROUP BY import_sha256 HAVING count(*) != 10) AS g")).scalar()  # fmt: skip
        assert imports == len(messages) // 10 and partial == 0
        store.add_journal("after the crashes")
        assert store.verify().ok
