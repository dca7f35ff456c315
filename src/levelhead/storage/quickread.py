"""The situation a check reads, from a SQLite store, with the standard library alone.

``levelhead check`` runs once per draft; importing SQLAlchemy would cost more
than the whole check. For the default store (a SQLite file) this module runs
the three reads of :meth:`Store.situation_for_check
<levelhead.storage.store.Store.situation_for_check>` as plain SQL on a
read-only connection and builds the result with the same functions
(:mod:`levelhead.storage.view`); a test holds the two to the same answer.

Anything unusual (a schema that is not the newest, a locked or damaged file)
raises :class:`Unsuitable`, and the caller opens the store the full way, which
migrates, explains errors, and so on.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from levelhead.situation import Situation
from levelhead.storage.migrations import HEAD
from levelhead.storage.view import (
    from_micros,
    situation_view,
    stored_agreement,
    stored_message,
    stored_situation,
    to_micros,
    unlock,
)

HISTORY_LIMIT = 500


class Unsuitable(Exception):
    """This store needs the full path (:class:`levelhead.storage.store.Store`)."""


def _connect(path: Path) -> sqlite3.Connection:
    """Read-only, writing nothing beside the file (as :func:`levelhead.storage.db.make_readonly_sqlite_engine`)."""
    wal = path.with_name(path.name + "-wal")
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?immutable=1")
    return sqlite3.connect(uri, uri=True, timeout=10)


def situation_for_check(
    path: Path, passphrase: str | None, now: datetime | None = None, history_limit: int = HISTORY_LIMIT
) -> Situation | None:
    """The situation at ``now`` (aware), or None when the file holds no initialised store.

    Raises :class:`levelhead.storage.StoreError` (wrong passphrase, damaged field) like the store does,
    and :class:`Unsuitable` when the full path should answer instead.
    """
    moment = now or datetime.now(UTC)
    started_by = max(moment, datetime.now(UTC))
    try:
        conn = _connect(path)
    except sqlite3.Error as err:
        raise Unsuitable(str(err)) from None
    try:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if version is None or version[0] != HEAD:
            raise Unsuitable("the schema is not the newest")
        header = conn.execute("SELECT encrypted FROM store_info WHERE id = 1").fetchone()
        if header is None:
            return None
        keyring = conn.execute("SELECT data FROM keyring WHERE id = 1").fetchone() if header[0] else None
        key = unlock(bool(header[0]), keyring[0] if keyring else None, passphrase)
        settings = conn.execute("SELECT uid, situation FROM settings WHERE id = 1").fetchone()
        agreements = conn.execute(
            "SELECT id, uid, kind, details, created_at, ended_at, end_reason FROM agreements"
            " WHERE created_at <= ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY created_at, id",
            (to_micros(started_by), to_micros(moment)),
        ).fetchall()
        messages = conn.execute(
            "SELECT uid, at, utc_offset, direction, text FROM messages"
            " WHERE at <= ? AND NOT superseded ORDER BY at DESC, id DESC LIMIT ?",
            (to_micros(moment), history_limit),
        ).fetchall()
    except sqlite3.Error as err:
        raise Unsuitable(str(err)) from None
    finally:
        conn.close()
    base = Situation() if settings is None else stored_situation(key, settings[0], settings[1])
    active = [
        stored_agreement(key, id_, uid, kind, details, from_micros(made), _maybe_time(ended), reason)
        for id_, uid, kind, details, made, ended, reason in agreements
    ]
    recent = (stored_message(key, uid, from_micros(at), offset, d, text) for uid, at, offset, d, text in messages)
    return situation_view(base, active, recent)


def _maybe_time(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)
