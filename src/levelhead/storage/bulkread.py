"""Every stored message, the agreements and the time zone, read in bulk for the analytics.

``levelhead stats`` reads the whole history (100,000 messages and more) in a fresh process. Per-row ORM
objects, and even a tuple and a datetime per message, cost more than all the figures, so the messages
come back as columns (:class:`Conversation`): numpy arrays of times, sides and kinds, and the texts.

A SQLite file is read with the standard library on a read-only connection (no SQLAlchemy import, nothing
written beside the file). SQLite hands back each column of the whole table as one string
(``group_concat``), which numpy splits: about a third of the time of fetching 100,000 rows. Any other
database, or a SQLite store that needs more care (a schema that is not the newest, a locked file), is
read row by row through SQLAlchemy Core: its schema is brought up to date first, as
:meth:`Store.open <levelhead.storage.store.Store.open>` does, but only once the passphrase has unlocked
the key, so a wrong passphrase writes nothing. Both ways read the rows :data:`MESSAGE_ROWS` names and
unseal them as :mod:`levelhead.storage.view` does, so they give what :meth:`Store.history
<levelhead.storage.store.Store.history>` gives; a test holds them to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from levelhead.storage.errors import DamagedDataError
from levelhead.storage.migrations import HEAD
from levelhead.storage.view import (
    StoredAgreement,
    from_micros,
    sealed_aad,
    stored_agreement,
    stored_situation,
    to_micros,
    unlock,
    unseal,
)

if TYPE_CHECKING:
    from datetime import datetime

    from levelhead.crypto import DataKey

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.uint8]
# One query, its rows as tuples: the same SQL runs on the sqlite3 module and on a SQLAlchemy connection.
Query = Callable[[str], Sequence[Sequence[Any]]]

KINDS = ("text", "media", "deleted")  # Conversation.kind holds the index; any other kind reads as len(KINDS)
# The rows that make up the conversation: the one place that says which stored messages count.
MESSAGE_ROWS = "FROM messages WHERE NOT superseded"  # the conversation: corrected and deleted rows left out
_KIND_CODE = "CASE kind WHEN 'text' THEN 0 WHEN 'media' THEN 1 WHEN 'deleted' THEN 2 ELSE 3 END"
_SIDE_CODE = "CASE direction WHEN 'them' THEN 0 WHEN 'me' THEN 1 ELSE 2 END"
# SQLite: each column as one string (digits, or the texts back to back with their lengths in bytes), in
# table order; the rows are put in time order after (group_concat's order is not guaranteed).
_COLUMNS_SQL = (
    f"SELECT count(*), group_concat(id), group_concat(at), group_concat({_SIDE_CODE}, ''),"
    f" group_concat({_KIND_CODE}, ''), group_concat(length(text)), CAST(group_concat(text, '') AS BLOB),"
    f" {{uids}} {MESSAGE_ROWS}"
)
_ROWS_SQL = f"SELECT id, uid, at, {_SIDE_CODE}, {_KIND_CODE}, text {MESSAGE_ROWS} ORDER BY at, id"
_AGREEMENTS_SQL = (
    "SELECT id, uid, kind, details, created_at, ended_at, end_reason FROM agreements ORDER BY created_at, id"
)


class _MessageLike(Protocol):
    """What :meth:`Conversation.of` reads from a message (:class:`levelhead.storage.store.StoredMessage`)."""

    @property
    def at(self) -> datetime: ...
    @property
    def direction(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Conversation:
    """The stored messages as columns, oldest first, all the same length."""

    at: Ints  # UTC microseconds since the epoch
    from_me: Bools  # True: sent by me, False: by them
    kind: Codes  # index into KINDS
    text: list[str]

    def __len__(self) -> int:
        return len(self.text)

    @classmethod
    def of(cls, messages: Iterable[_MessageLike]) -> Conversation:
        """The columns of messages with aware times, in the order given (e.g. :meth:`Store.history`'s)."""
        items = list(messages)
        odd = {m.direction for m in items} - {"me", "them"}
        if odd:
            raise ValueError(f"a message's direction must be 'me' or 'them' (got {sorted(odd)[0]!r})")
        codes = {kind: i for i, kind in enumerate(KINDS)}
        return cls(
            np.asarray([to_micros(m.at) for m in items], np.int64),
            np.asarray([m.direction == "me" for m in items], np.bool_),
            np.asarray([codes.get(m.kind, len(KINDS)) for m in items], np.uint8),
            [m.text for m in items],
        )

    def direction(self, i: int) -> str:
        return "me" if self.from_me[i] else "them"

    def kind_name(self, i: int) -> str:
        code = int(self.kind[i])
        return KINDS[code] if code < len(KINDS) else "other"

    def moment(self, i: int) -> datetime:
        return from_micros(int(self.at[i]))


@dataclass(frozen=True, slots=True)
class StoredHistory:
    """What the analytics read from a store."""

    conversation: Conversation
    agreements: list[StoredAgreement]  # every agreement, ended ones too, oldest first
    timezone: str | None  # the situation's time zone


class Unsuitable(Exception):
    """This SQLite file needs the full path (SQLAlchemy, schema upgrade)."""


def read(url: str | None, passphrase: str | None) -> StoredHistory | None:
    """The history of the store at ``url`` (``None``: the default store); ``None`` when it has no store yet.

    Errors are :class:`levelhead.storage.StoreError` (a wrong passphrase: ``WrongPassphraseError``).
    """
    from levelhead.paths import default_db_path

    path = _sqlite_file(url) if url else default_db_path()
    if path is not None and path.is_file():
        try:
            return read_sqlite(path, passphrase)
        except Unsuitable:
            pass
    return read_database(url, passphrase)


def _sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL (anything fancier takes the SQLAlchemy path)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url == prefix + ":memory:":
        return None
    return Path(url[len(prefix) :])


def read_sqlite(path: Path, passphrase: str | None) -> StoredHistory | None:
    """Read a SQLite store with the standard library; :class:`Unsuitable` when it needs the full path."""
    wal = path.with_name(path.name + "-wal")
    # Read-only, writing nothing beside the file (as make_readonly_sqlite_engine); with a -wal file left
    # by an unclean stop, mode=ro still sees its content.
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=10)
    except sqlite3.Error as err:
        raise Unsuitable(str(err)) from None
    try:

        def query(sql: str) -> list[Any]:
            return conn.execute(sql).fetchall()

        try:
            version = query("SELECT version_num FROM alembic_version")
            if not version or version[0][0] != HEAD:
                raise Unsuitable("the schema is not the newest")
            initialised, key = _unlock(query, passphrase)
            if not initialised:
                return None
            zone, agreements = _settings(query, key)
            return StoredHistory(_sqlite_messages(query, key), agreements, zone)
        except sqlite3.Error as err:
            raise Unsuitable(str(err)) from None
    finally:
        conn.close()


def read_database(url: str | None, passphrase: str | None) -> StoredHistory | None:
    """Read any store through SQLAlchemy Core, bringing its schema up to date once the key is unlocked."""
    from sqlalchemy import inspect

    from levelhead.storage.db import make_engine, resolve_url
    from levelhead.storage.errors import store_errors
    from levelhead.storage.migrations import current_revision, upgrade_engine

    with store_errors("reading the history"):
        engine = make_engine(resolve_url(url))
        try:
            with engine.connect() as conn:
                if not inspect(conn).has_table("store_info"):
                    return None
                initialised, key = _unlock(lambda sql: conn.exec_driver_sql(sql).all(), passphrase)
                behind = current_revision(conn) != HEAD
            if not initialised:
                return None
            if behind:
                upgrade_engine(engine)
            with engine.connect() as conn:
                query: Query = lambda sql: conn.exec_driver_sql(sql).all()  # noqa: E731
                zone, agreements = _settings(query, key)
                return StoredHistory(_row_messages(query(_ROWS_SQL), key), agreements, zone)
        finally:
            engine.dispose()


def _unlock(query: Query, passphrase: str | None) -> tuple[bool, DataKey | None]:
    """Whether the store was initialised, and its data key (``None``: a plain store); writes nothing."""
    header = query("SELECT encrypted FROM store_info WHERE id = 1")
    if not header:
        return False, None
    encrypted = bool(header[0][0])
    keyring = query("SELECT data FROM keyring WHERE id = 1") if encrypted else []
    return True, unlock(encrypted, keyring[0][0] if keyring else None, passphrase)


def _settings(query: Query, key: DataKey | None) -> tuple[str | None, list[StoredAgreement]]:
    """The situation's time zone and every agreement."""
    settings = query("SELECT uid, situation FROM settings WHERE id = 1")
    zone = stored_situation(key, settings[0][0], bytes(settings[0][1])).timezone if settings else None
    agreements = [
        stored_agreement(key, id_, uid, kind, bytes(details), from_micros(made),
                         None if ended is None else from_micros(ended), None if reason is None else bytes(reason))
        for id_, uid, kind, details, made, ended, reason in query(_AGREEMENTS_SQL)
    ]  # fmt: skip
    return zone, agreements


def _sqlite_messages(query: Query, key: DataKey | None) -> Conversation:
    """The messages from one row of whole columns (SQLite)."""
    uids_sql = "''" if key is None else "group_concat(uid)"  # a plain store needs the uid only to name a bad row
    count, ids, ats, sides, kinds, lengths, joined, uid_list = query(_COLUMNS_SQL.format(uids=uids_sql))[0]
    if not count:
        return Conversation(np.zeros(0, np.int64), np.zeros(0, np.bool_), np.zeros(0, np.uint8), [])
    id_, at, sizes = _numbers(ids), _numbers(ats), _numbers(lengths)
    side = np.frombuffer(sides.encode("ascii"), np.uint8) - ord("0")
    kind = np.frombuffer(kinds.encode("ascii"), np.uint8) - ord("0")
    if not len(id_) == len(at) == len(sizes) == len(side) == len(kind) == count:
        raise DamagedDataError("the messages table does not read back as whole columns")
    uids: list[str] = uid_list.split(",") if key is not None else []
    if uids and len(uids) != count:
        raise DamagedDataError("the messages table does not read back as whole columns")
    texts = _split_texts(joined, sizes) if key is None else None
    blobs: list[bytes] = []
    if texts is None:
        ends = np.cumsum(sizes).tolist()
        blobs = [joined[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    order = _time_order(at, id_)
    if order is not None:
        at, id_, side, kind = at[order], id_[order], side[order], kind[order]
        positions = order.tolist()
        texts = [texts[i] for i in positions] if texts is not None else None
        blobs = [blobs[i] for i in positions] if blobs else blobs
        uids = [uids[i] for i in positions] if uids else uids
    if np.any(side > 1):
        bad = query("SELECT uid, direction FROM messages WHERE direction NOT IN ('me', 'them') LIMIT 1")
        raise DamagedDataError(f"messages row {bad[0][0]}: direction {bad[0][1]!r}")
    if texts is None:

        def uid_at(i: int) -> str:
            return uids[i] if uids else str(query(f"SELECT uid FROM messages WHERE id = {int(id_[i])}")[0][0])

        texts = _texts(key, uids, blobs, uid_at)
    return Conversation(at, side == 1, kind, texts)


def _split_texts(joined: bytes, sizes: Ints) -> list[str] | None:
    """The UTF-8 texts stored back to back in ``joined`` (``sizes`` in bytes), decoded in one go.

    ``None`` when that cannot be done safely (a text that is not UTF-8, or that does not start on a
    character): the caller then decodes them one by one and names a damaged one.
    """
    data = np.frombuffer(joined, np.uint8)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    first_bytes = data[starts[sizes > 0]]
    if np.any(first_bytes & 0xC0 == 0x80):  # a text starting with a continuation byte: damaged
        return None
    try:
        whole = joined.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Character offsets from byte offsets: less the continuation bytes (10xxxxxx) before them.
    continuation = np.flatnonzero(data & 0xC0 == 0x80)
    first = (starts - np.searchsorted(continuation, starts)).tolist()
    last = (ends - np.searchsorted(continuation, ends)).tolist()
    return [whole[a:b] for a, b in zip(first, last, strict=True)]


def _numbers(joined: str) -> Ints:
    """Integers from a comma-separated string (numpy's text parser: a tenth of the time of str.split)."""
    numbers: Ints = np.fromstring(joined, np.int64, sep=",")
    return numbers


def _time_order(at: Ints, id_: Ints) -> Ints | None:
    """The permutation that puts rows in (at, id) order; ``None`` when they already are."""
    step, id_step = np.diff(at), np.diff(id_)
    if np.all((step > 0) | ((step == 0) & (id_step > 0))):
        return None
    order: Ints = np.lexsort((id_, at))
    return order


def _row_messages(rows: Sequence[Sequence[Any]], key: DataKey | None) -> Conversation:
    """The messages from rows (id, uid, at, side code, kind code, text) in time order."""
    if not rows:
        return Conversation(np.zeros(0, np.int64), np.zeros(0, np.bool_), np.zeros(0, np.uint8), [])
    _, uids, ats, sides, kinds, blobs = zip(*rows, strict=True)
    side = np.asarray(sides, np.uint8)
    if np.any(side > 1):
        raise DamagedDataError(f"messages row {uids[int(np.argmax(side > 1))]}: direction is not me or them")
    uid_list = list(uids)
    texts = _texts(key, uid_list, [bytes(b) for b in blobs], uid_list.__getitem__)
    return Conversation(np.asarray(ats, np.int64), side == 1, np.asarray(kinds, np.uint8), texts)


def _texts(key: DataKey | None, uids: list[str], blobs: list[bytes], uid_at: Callable[[int], str]) -> list[str]:
    """Every message text, unsealed; a damaged one is named (its uid) by :func:`levelhead.storage.view.unseal`."""
    if key is None:
        try:
            return [blob.decode("utf-8") for blob in blobs]
        except UnicodeDecodeError:
            for i, blob in enumerate(blobs):
                unseal(None, "messages", "text", uid_at(i), blob)
            raise
    from levelhead.crypto import DecryptionError

    try:  # unseal's work for the whole batch: the same associated data
        prefix = sealed_aad("messages", "text", "")
        return key.decrypt_many(blobs, [prefix + uid.encode() for uid in uids])
    except DecryptionError:
        return [unseal(key, "messages", "text", uid, blob) for uid, blob in zip(uids, blobs, strict=True)]
