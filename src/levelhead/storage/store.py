"""The repository: everything levelhead remembers, in one database, with the record beside it.

Transactions: every public write is one database transaction. Rows and the
record entries that describe them (and the checkpoint of the new record size)
commit together or not at all; on any failure the rows and the record root are
exactly as before. SQLite writes start with ``BEGIN IMMEDIATE``; PostgreSQL
writes lock the ``store_info`` row, so concurrent writers queue.

Encryption: with a passphrase, free text (message bodies, drafts, journal text,
agreement details and end reasons, and the situation settings) is sealed with
the store's :class:`~levelhead.crypto.DataKey`; the associated data is
``table/column/uid`` with a random per-row ``uid``. Record entries of an
encrypted store never hold the text: their body keeps ``sealed_sha256``, the
SHA-256 of the stored ciphertext, so the record (and an exported bundle) proves
the stored ciphertext unchanged without revealing anything. Non-secret metadata
(kinds, times, message direction and source, import hashes) stays readable.

Record entry bodies (``kind``: body):

- ``agreement``: ``{"agreement": uid, "kind": ..., "details": {...}}`` (or ``sealed_sha256``)
- ``agreement-ended``: ``{"agreement": uid, "reason": ...}`` (or ``sealed_sha256``), ``refers_to`` = seq
- ``message``: ``{"message": uid, "at", "direction", "source", "import_sha256", "text"}`` (or ``sealed_sha256``),
  plus ``"kind"`` for media and deleted messages
- ``messages``: ``{"digests": [...], "source": ..., "import_sha256": ...}``: one entry per batch of an imported
  file, listing the SHA-256 of each stored row in insertion order (see ``_message_digest``); the rows refer to it
  by ``record_seq``, and :meth:`Store.verify` recomputes every row's digest, naming the first that differs
- ``import``: ``{"sha256": file hash, "source": ..., "count": n}``, written once per import batch; an imported
  file (:meth:`Store.import_chat`) adds ``"kind"``, ``"skipped_duplicates"`` and ``"skipped"``

Imported files: one transaction per file, streamed in batches (memory stays flat for a million messages).
The ``imports`` table keeps each file's SHA-256, so importing it again changes nothing; every imported
message has a fingerprint (unique) so an overlapping, later export adds only what is new. Message uids
and fingerprints start with the time, so their unique indexes grow at the end.
- ``journal``: ``{"journal": uid, "at", "text"}`` (or ``sealed_sha256``)
- ``correction``: ``{"message": new uid, "corrects": old uid, "at": when corrected, "text"}`` (or
  ``sealed_sha256``), plus ``"kind"`` for media and ``"reason"`` (or ``reason_sealed_sha256``) when given;
  ``refers_to`` = seq of the corrected message's entry
- ``deleted``: ``{"message": uid, "at": when deleted}`` or ``{"journal": uid, "at"}``, plus the reason as above;
  ``refers_to`` = seq of the deleted row's entry

Corrections and deletions never change or remove a message or note: the row and its entry stay, the row is
marked ``superseded`` (with when, why and the superseding entry), and a correction is a new row whose
``corrects`` names the row it replaces. Everything that reads the conversation skips ``superseded`` rows.

Drafts and the situation settings are working state, not records: they are
not in the record, and a discarded draft is deleted (wiped by ``secure_delete``).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple, Self

from sqlalchemy import Engine, delete, func, insert, inspect, select, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from levelhead.crypto import Argon2Params, DataKey, Keyring, KeyringError, WrongPassphrase
from levelhead.record import (
    Checkpoint,
    MerkleLog,
    Outcome,
    VerifyResult,
    canonical_json,
    make_entry,
    now_iso,
    parse_entry,
    verify_entries,
    write_bundle,
)
from levelhead.situation import Message, Situation
from levelhead.storage import bulk
from levelhead.storage.db import BEGIN_OPTION, make_engine, make_readonly_sqlite_engine, resolve_url, sqlite_path
from levelhead.storage.errors import (
    DamagedDataError,
    NotInitialisedError,
    StoreError,
    WrongPassphraseError,
    store_errors,
)
from levelhead.storage.migrations import upgrade_engine
from levelhead.storage.models import (
    EPOCH,
    AgreementRow,
    CheckpointRow,
    DraftRow,
    ImportRow,
    JournalRow,
    KeyringRow,
    MessageRow,
    RecordEntry,
    Settings,
    StoreInfo,
    to_micros,
)
from levelhead.storage.view import (
    SITUATION_FIELDS,
    check_agreement,
    jsonable,
    local_time,
    sealed_aad,
    situation_view,
    stored_agreement,
    stored_message,
    stored_situation,
    unlock,
    unseal,
)
from levelhead.storage.view import (
    StoredAgreement as StoredAgreement,  # re-exported: callers import it from here too
)
from levelhead.storage.view import (
    merge_agreements as merge_agreements,  # re-exported
)

HISTORY_LIMIT = 500
IMPORT_CHUNK = 5000  # messages per batch of an import: bounded memory, one transaction for the whole file
MESSAGE_KINDS = ("text", "media", "deleted")
# One imported message: (at, direction me|them|other|system, kind text|media|deleted|system, text).
ChatRow = tuple[datetime, str, str, str]
DRAFT_STATUSES = ("parked", "sent", "discarded")


@dataclass(frozen=True)
class Draft:
    id: int
    text: str
    due_at: datetime
    created_at: datetime
    status: str

    def is_due(self, moment: datetime) -> bool:
        return self.due_at <= moment


@dataclass(frozen=True)
class JournalEntry:
    id: int
    at: datetime
    text: str
    deleted_at: datetime | None = None  # set only in the list with deleted notes
    reason: str | None = None  # why it was deleted, if a reason was given


@dataclass(frozen=True)
class LoggedMessage:
    """A stored message as ``levelhead log list`` shows it: its id, and what became of it.

    ``status``: ``current`` (part of the conversation), ``corrected`` (``corrected_by`` took its place) or
    ``deleted``. ``corrects``: the message this one is a correction of.
    """

    id: int
    at: datetime  # in the UTC offset it was written with
    direction: str  # me | them
    kind: str  # text | media | deleted (deleted in the chat app, before it was imported)
    text: str
    source: str
    status: Literal["current", "corrected", "deleted"] = "current"
    corrects: int | None = None
    corrected_by: int | None = None
    reason: str | None = None  # why it was corrected or deleted
    changed_at: datetime | None = None  # when it was corrected or deleted


@dataclass(frozen=True)
class ImportResult:
    """What one import did. ``already``: the file was imported before (at ``imported_at``); nothing changed."""

    sha256: str
    kind: str
    stored: int
    duplicates: int  # already in the store (an overlapping export)
    skipped: int  # system lines and messages from other people in a group
    imported_at: datetime
    already: bool = False


@dataclass(frozen=True)
class StoredImport:
    sha256: str
    kind: str
    imported_at: datetime
    stored: int
    duplicates: int
    skipped: int


class StoredMessage(NamedTuple):
    """A stored message as the analytics read it: UTC time, ``me``/``them``, kind and text (a tuple: cheap)."""

    at: datetime
    direction: str
    kind: str
    text: str
    utc_offset: int = 0  # seconds east of UTC where it was written

    @property
    def sender(self) -> str:
        """The direction under the name :class:`levelhead.situation.Message` uses (pace_stats reads it)."""
        return self.direction


class _Fingerprints:
    """The fingerprint of each imported message: a keyed hash of its time, direction, kind and text, and of
    how many identical messages came just before it in the same file (two "ok" sent in the same minute are
    two messages; a later export of the same chat counts them the same way).

    The keyed hash is HMAC-SHA256 (RFC 2104) written out with the key's inner and outer hash states made
    once: the same digests as :func:`hmac.new`, at a third of its cost per message."""

    _RECENT = 64  # timestamps remembered: exports go back in time only a little (clock changes)

    def __init__(self, key: bytes | None) -> None:
        self._keyed = key is not None
        block = (key or b"").ljust(64, b"\0")  # the data key's derivations are 32 bytes: no pre-hashing
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._recent: dict[int, dict[tuple[str, str, str], int]] = {}

    def of(self, micros: int, direction: str, kind: str, text: str) -> str:
        """The fingerprint of a message at ``micros`` (UTC microseconds since the epoch)."""
        return self.add([(micros, 0, direction, kind, text)])[0][5]

    def add(self, items: Sequence[tuple[int, int, str, str, str]]) -> list[_Pending]:
        """``items`` (micros, offset, direction, kind, text) with their fingerprints appended, in one loop (the
        bulk import path; :meth:`of` is the one-message form, and counts repeats across calls the same way)."""
        recent, keyed, inner, outer, sha = self._recent, self._keyed, self._inner, self._outer, hashlib.sha256
        out: list[_Pending] = []
        append = out.append
        last = None
        seen: dict[tuple[str, str, str], int] = {}
        head = ""
        for micros, offset, direction, kind, text in items:
            if micros != last:
                last, head = micros, f"{micros:016x}"
                got = recent.get(micros)
                if got is None:
                    got = recent[micros] = {}
                    if len(recent) > self._RECENT:
                        del recent[next(iter(recent))]
                seen = got
            key = (direction, kind, text)
            n = seen.get(key, 0)
            seen[key] = n + 1
            material = f"{micros}|{direction}|{kind}|{n}|{text}".encode("utf-8", "surrogatepass")
            if keyed:
                h = inner.copy()
                h.update(material)
                o = outer.copy()
                o.update(h.digest())
                digest = o.hexdigest()
            else:
                digest = sha(material).hexdigest()
            # The time (stored in the clear anyway) goes first, so the unique index grows at its end.
            append((micros, offset, direction, kind, text, head + digest[:48]))
        return out


# One message of an import on its way in: (UTC microseconds, UTC offset in seconds, direction, kind, text,
# fingerprint).
_Pending = tuple[int, int, str, str, str, str]
_MICROSECOND = timedelta(microseconds=1)
_MESSAGE_COLUMNS = ("uid", "at", "utc_offset", "direction", "text", "source", "import_sha256", "record_seq", "kind",
                    "fingerprint")  # fmt: skip


def _message_digest(source: str, sha256: str | None, uid: str, micros: int, offset: int, direction: str, kind: str,
                    fingerprint: str | None, blob: bytes) -> str:  # fmt: skip
    """SHA-256 (hex) of one stored message row, as a ``messages`` record entry lists it.

    Hashed: the canonical JSON of ``[source, import_sha256]``, then of ``[uid, at (UTC microseconds),
    utc_offset, direction, kind, fingerprint]``, then the stored text bytes (the ciphertext in an encrypted
    store). Each JSON array ends where it ends, so no two different rows hash the same bytes.
    """
    head = canonical_json([source, sha256]) + canonical_json([uid, micros, offset, direction, kind, fingerprint])
    return hashlib.sha256(head + blob).hexdigest()


_BATCH_MARK = b'},"kind":"messages","seq":'  # in canonical entry bytes only where the entry's own kind is


@dataclass
class _Tx:
    """One write transaction: the session plus the record entries it appends."""

    session: Session
    log: MerkleLog
    pending: list[dict[str, Any]] = field(default_factory=list)
    appended: int = 0

    def append(self, kind: str, body: Any, **extra: Any) -> int:
        seq = self.log.size
        entry = make_entry(seq, kind, body, **extra)
        _, leaf = self.log.append(entry)
        self.pending.append({"seq": seq, "entry": entry, "leaf_hash": leaf})
        self.appended += 1
        return seq

    def flush(self) -> None:
        """Insert the pending record entries (before rows that refer to them)."""
        if self.pending:
            self.session.execute(insert(RecordEntry), self.pending)
            self.pending = []

    def finish(self) -> None:
        self.flush()
        if self.appended:
            cp = self.log.checkpoint()
            self.session.add(CheckpointRow(size=cp.size, root=cp.root, time=cp.time, digest=cp.digest))
            self.session.flush()


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise StoreError(f"a time needs a UTC offset (got {moment.isoformat()})")
    return moment


def _situation_mapping(situation: Situation) -> dict[str, Any]:
    values = {name: jsonable(getattr(situation, name)) for name in SITUATION_FIELDS}
    return {k: v for k, v in values.items() if v is not None}


class Store:
    """The store. Open with :meth:`open`; use as a context manager or call :meth:`close`."""

    def __init__(self, engine: Engine, url: URL, key: DataKey | None, encrypted: bool | None) -> None:
        self.engine = engine
        self.url = url
        self._key = key
        self._encrypted = encrypted  # None: not initialised
        self._write_engine = engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        self._log: MerkleLog | None = None

    # --- opening ------------------------------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, passphrase: str | None = None) -> Store:
        """Open (creating the schema when needed) the store at ``url`` (``None``: the default store).

        An encrypted store needs its passphrase. A wrong or missing passphrase
        raises :class:`WrongPassphraseError` before anything is written: an
        existing SQLite file is checked through a read-only connection first.
        """
        with store_errors("opening the store"):
            parsed = resolve_url(url)
            path = sqlite_path(parsed)
            checked: tuple[DataKey | None, bool | None] | None = None
            if path is not None and path.exists():
                readonly = make_readonly_sqlite_engine(path)
                try:
                    checked = _unlock(readonly, passphrase)
                finally:
                    readonly.dispose()
            engine = make_engine(parsed)
            try:
                if checked is None:
                    checked = _unlock(engine, passphrase)
                upgrade_engine(engine)
            except BaseException:
                engine.dispose()
                raise
            key, encrypted = checked
            store = cls(engine, parsed, key, encrypted)
            store._pending_passphrase = passphrase if encrypted is None else None
            return store

    _pending_passphrase: str | None = None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def initialised(self) -> bool:
        return self._encrypted is not None

    @property
    def encrypted(self) -> bool:
        return bool(self._encrypted)

    def init(self, encrypt: bool = False, passphrase: str | None = None, kdf: Argon2Params | None = None) -> None:
        """Create the store: plain, or with free text encrypted under ``passphrase``."""
        if self._encrypted is not None:
            raise StoreError("this store is already initialised")
        passphrase = passphrase or self._pending_passphrase
        if encrypt and not passphrase:
            raise StoreError("an encrypted store needs a passphrase")
        if not encrypt and passphrase:
            raise StoreError("a passphrase was given for a store without encryption: choose encrypt=True or none")
        keyring: Keyring | None = None
        key: DataKey | None = None
        if encrypt:
            assert passphrase is not None
            keyring, key = Keyring.create(passphrase, kdf)
        now = datetime.now(UTC)
        with store_errors("initialising the store"), Session(self._write_engine) as session, session.begin():
            if session.get(StoreInfo, 1) is not None:
                raise StoreError("this store is already initialised")
            session.add(StoreInfo(id=1, created_at=now, encrypted=encrypt))
            if keyring is not None:
                session.add(KeyringRow(id=1, data=keyring.to_json(), updated_at=now))
        self._key, self._encrypted, self._pending_passphrase = key, encrypt, None

    def change_passphrase(self, old: str, new: str, kdf: Argon2Params | None = None) -> None:
        """Re-wrap the data key for ``new``; no stored field changes."""
        self._need_init()
        if not self._encrypted:
            raise StoreError("this store is not encrypted: there is no passphrase to change")
        with self._session("changing the passphrase", write=True) as session:
            row = session.get(KeyringRow, 1)
            if row is None:
                raise DamagedDataError("the store is marked encrypted but its keyring is missing")
            try:
                keyring = Keyring.from_json(row.data).rewrap(old, new, kdf)
            except WrongPassphrase:
                raise WrongPassphraseError("the old passphrase is wrong: nothing was changed") from None
            except (KeyringError, ValueError) as err:
                raise StoreError(f"cannot change the passphrase: {err}") from None
            row.data = keyring.to_json()
            row.updated_at = datetime.now(UTC)

    # --- sessions and sealing -------------------------------------------------------------------------------------

    def _need_init(self) -> None:
        if self._encrypted is None:
            raise NotInitialisedError("this database has no levelhead store yet: initialise it first (levelhead init)")

    @contextmanager
    def _session(self, doing: str, write: bool = False) -> Iterator[Session]:
        with store_errors(doing), Session(self._write_engine if write else self.engine) as session, session.begin():
            yield session

    @contextmanager
    def _write(self, doing: str) -> Iterator[_Tx]:
        """One transaction for rows and record together; the cached record follows only a commit."""
        self._need_init()
        try:
            with store_errors(doing), Session(self._write_engine) as session, session.begin():
                # PostgreSQL: queue behind other writers (SQLite: BEGIN IMMEDIATE did that already).
                session.execute(select(StoreInfo.id).where(StoreInfo.id == 1).with_for_update())
                tx = _Tx(session, self._current_log(session))
                yield tx
                tx.finish()
        except BaseException:
            self._log = None  # it may hold entries that were rolled back
            raise

    def _current_log(self, session: Session) -> MerkleLog:
        top = session.scalar(select(func.max(RecordEntry.seq)))
        size = 0 if top is None else top + 1
        log = self._log
        if log is None or log.size > size:
            log = MerkleLog()
        if log.size < size:
            rows = session.execute(
                select(RecordEntry.leaf_hash).where(RecordEntry.seq >= log.size).order_by(RecordEntry.seq)
            ).scalars()
            for leaf in rows:
                log.append_leaf_hash(bytes(leaf))
        if log.size != size:
            raise DamagedDataError("the record's sequence numbers have gaps: run verify")
        self._log = log
        return log

    def _seal(self, table: str, column: str, uid: str, text: str) -> bytes:
        if self._key is None:
            return text.encode("utf-8")
        return self._key.encrypt(text, sealed_aad(table, column, uid))

    def _unseal(self, table: str, column: str, uid: str, blob: bytes) -> str:
        return unseal(self._key, table, column, uid, blob)

    def _sealed_body(self, blob: bytes, name: str, text: Any) -> dict[str, Any]:
        """What a record entry keeps of a sealed field: the text, or in an encrypted store the blob's SHA-256."""
        if self._key is None:
            return {name: text}
        return {"sealed_sha256": hashlib.sha256(blob).hexdigest()}

    # --- situation ------------------------------------------------------------------------------------------------

    def situation(self) -> Situation:
        """The stored situation fields (no agreements, no history); an empty Situation when none are stored."""
        self._need_init()
        with self._session("reading the situation") as session:
            return self._read_situation(session)

    def _read_situation(self, session: Session) -> Situation:
        row = session.get(Settings, 1)
        return Situation() if row is None else stored_situation(self._key, row.uid, row.situation)

    def set_situation(self, situation: Situation) -> None:
        """Store the situation fields; its agreements and history are ignored (they have their own tables)."""
        self._need_init()
        data = canonical_json(_situation_mapping(situation)).decode()
        now = datetime.now(UTC)
        with self._session("saving the situation", write=True) as session:
            row = session.get(Settings, 1)
            if row is None:
                uid = uuid.uuid4().hex
                session.add(Settings(id=1, uid=uid, situation=self._seal("settings", "situation", uid, data),
                                     updated_at=now))  # fmt: skip
            else:
                row.situation = self._seal("settings", "situation", row.uid, data)
                row.updated_at = now

    # --- agreements -----------------------------------------------------------------------------------------------

    def add_agreement(self, kind: str, details: Mapping[str, Any] | None = None, at: datetime | None = None) -> int:
        """Record an agreement (see :data:`AGREEMENT_KINDS`); returns its id."""
        plain = check_agreement(kind, details or {})
        created = _utc(at)
        uid = uuid.uuid4().hex
        blob = self._seal("agreements", "details", uid, canonical_json(plain).decode())
        with self._write("recording the agreement") as tx:
            body = {"agreement": uid, "kind": kind, **self._sealed_body(blob, "details", plain)}
            seq = tx.append("agreement", body)
            tx.flush()
            row = AgreementRow(uid=uid, kind=kind, details=blob, created_at=created, record_seq=seq)
            tx.session.add(row)
            tx.session.flush()
            return row.id

    def end_agreement(self, agreement_id: int, reason: str = "", at: datetime | None = None) -> None:
        """End an agreement: the row gets its end, and the record a new ``agreement-ended`` entry."""
        ended = _utc(at)
        with self._write("ending the agreement") as tx:
            row = tx.session.get(AgreementRow, agreement_id)
            if row is None:
                raise StoreError(f"no agreement {agreement_id}")
            if row.ended_at is not None:
                raise StoreError(f"agreement {agreement_id} has already ended")
            blob = self._seal("agreements", "end_reason", row.uid, reason)
            body = {"agreement": row.uid, **self._sealed_body(blob, "reason", reason)}
            seq = tx.append("agreement-ended", body, refers_to=row.record_seq)
            tx.flush()
            row.ended_at, row.end_reason, row.end_record_seq = ended, blob, seq

    def agreements(self, include_ended: bool = True) -> list[StoredAgreement]:
        self._need_init()
        with self._session("reading the agreements") as session:
            query = select(AgreementRow).order_by(AgreementRow.created_at, AgreementRow.id)
            if not include_ended:
                query = query.where(AgreementRow.ended_at.is_(None))
            return [self._agreement(row) for row in session.scalars(query)]

    def _agreement(self, row: AgreementRow) -> StoredAgreement:
        return stored_agreement(self._key, row.id, row.uid, row.kind, row.details, row.created_at, row.ended_at,
                                row.end_reason)  # fmt: skip

    # --- the view the engine reads --------------------------------------------------------------------------------

    def situation_for_check(self, now: datetime | None = None, history_limit: int = HISTORY_LIMIT) -> Situation:
        """The situation at ``now``: stored fields, the agreements in force then, and the last messages up to then.

        An agreement is in force at ``now`` once it has started and until it ends. A check for a past moment
        asks "what if I sent it then" with what is agreed today, so agreements made since still count;
        one dated to start in the future does not count before its start.
        """
        self._need_init()
        moment = _utc(now)
        started_by = max(moment, datetime.now(UTC))
        with self._session("reading the situation") as session:
            base = self._read_situation(session)
            rows = session.scalars(
                select(AgreementRow)
                .where(AgreementRow.created_at <= started_by)
                .where((AgreementRow.ended_at.is_(None)) | (AgreementRow.ended_at > moment))
                .order_by(AgreementRow.created_at, AgreementRow.id)
            )
            active = [self._agreement(row) for row in rows]
            recent = session.execute(
                select(MessageRow.uid, MessageRow.at, MessageRow.utc_offset, MessageRow.direction, MessageRow.text)
                .where(MessageRow.at <= moment, MessageRow.superseded.is_(False))
                .order_by(MessageRow.at.desc(), MessageRow.id.desc())
                .limit(history_limit)
            ).all()
        return situation_view(base, active, (self._message(*row) for row in recent))

    def _message(self, uid: str, at: datetime, offset: int, direction: str, blob: bytes) -> Message:
        return stored_message(self._key, uid, at, offset, direction, blob)

    # --- messages and journal ------------------------------------------------------------------------------------

    def log_message(self, direction: Literal["me", "them"], text: str, at: datetime | None = None,
                    source: str = "manual") -> None:  # fmt: skip
        """Log one sent (``me``) or received (``them``) message."""
        self.import_messages([Message(_utc(at), direction, text)], source=source)

    def import_messages(self, messages: Iterable[Message], source: str = "import",
                        sha256: str | None = None) -> int:  # fmt: skip
        """Store a batch of messages in one transaction; with ``sha256`` (of the imported file) an ``import``
        entry is recorded too. Returns the number stored. No de-duplication: files go through
        :meth:`import_chat`."""
        batch = list(messages)
        for m in batch:
            if m.sender not in ("me", "them"):
                raise StoreError(f"a message is from 'me' or 'them' (got {m.sender!r})")
            _utc(m.at)
        with self._write("storing messages") as tx:
            self._store_messages(tx, [(m.at, m.sender, "text", m.text, None) for m in batch], source, sha256)
            if sha256 is not None:
                tx.append("import", {"sha256": sha256, "source": source, "count": len(batch)})
        return len(batch)

    def import_chat(self, messages: Iterable[ChatRow], *, sha256: str, kind: str, source: str | None = None,
                    chunk: int = IMPORT_CHUNK) -> ImportResult:  # fmt: skip
        """Store an imported chat in one transaction, streaming: ``messages`` may be a generator of millions.

        Each item is ``(at, direction, kind, text)``: direction ``me``/``them`` is stored; ``system`` and
        ``other`` (someone else in a group) are counted as skipped. A file whose ``sha256`` was imported
        before changes nothing (``already`` is set). Messages already stored (an overlapping, later export
        of the same chat) are skipped by fingerprint. An error from the iterator (e.g. the parser's
        ``ImportFailed``) or the database rolls everything back: rows and record root stay as they were.
        """
        self._need_init()
        try:
            return self._import_chat(messages, sha256, kind, source or kind, chunk)
        except UnicodeEncodeError as err:  # a lone surrogate: not text any database should hold
            raise StoreError(f"a message is not valid Unicode text ({err.reason}): nothing was stored") from None

    def _import_chat(self, messages: Iterable[ChatRow], sha256: str, kind: str, source: str, chunk: int
                     ) -> ImportResult:  # fmt: skip
        with self._write("importing the chat") as tx:
            before = tx.session.scalars(select(ImportRow).where(ImportRow.sha256 == sha256)).first()
            if before is not None:
                return ImportResult(sha256, before.kind, 0, 0, 0, before.imported_at, already=True)
            fingerprints = _Fingerprints(self._fingerprint_key())
            stored = duplicates = skipped = 0
            pending: list[tuple[int, int, str, str, str]] = []
            append = pending.append
            last: datetime | None = None
            micros = offset = 0
            kinds = MESSAGE_KINDS
            with bulk.Behind() as behind:
                for at, direction, message_kind, text in messages:
                    if direction != "me" and direction != "them":
                        if direction not in ("other", "system"):
                            raise StoreError(f"a message is from me, them, other or system (got {direction!r})")
                        skipped += 1
                        continue
                    if message_kind not in kinds:
                        raise StoreError(f"a stored message is text, media or deleted (got {message_kind!r})")
                    if at is not last:  # parsers hand the same object to the messages of one minute
                        if at.tzinfo is None:
                            _utc(at)  # raises the error that names the time
                        delta = at.utcoffset()
                        micros, last = (at - EPOCH) // _MICROSECOND, at
                        offset = int(delta.total_seconds()) if delta else 0
                    append((micros, offset, direction, message_kind, text))
                    if len(pending) >= chunk:
                        batch = fingerprints.add(pending)
                        behind.wait()  # the last batch's rows are in: the connection is ours, _fresh sees them
                        added = self._store_batch(tx, self._fresh(tx.session, batch), source, sha256, behind)
                        stored, duplicates = stored + added, duplicates + len(batch) - added
                        pending.clear()
                behind.wait()
                if pending:
                    batch = fingerprints.add(pending)
                    added = self._store_batch(tx, self._fresh(tx.session, batch), source, sha256)
                    stored, duplicates = stored + added, duplicates + len(batch) - added
            imported_at = datetime.now(UTC)
            body = {"sha256": sha256, "source": source, "kind": kind, "count": stored,
                    "skipped_duplicates": duplicates, "skipped": skipped}  # fmt: skip
            seq = tx.append("import", body)
            tx.flush()
            tx.session.add(ImportRow(sha256=sha256, kind=kind, imported_at=imported_at, stored=stored,
                                     duplicates=duplicates, skipped=skipped, record_seq=seq))  # fmt: skip
            tx.session.flush()
        return ImportResult(sha256, kind, stored, duplicates, skipped, imported_at)

    def imports(self) -> list[StoredImport]:
        """The imported files, oldest first."""
        self._need_init()
        with self._session("reading the imports") as session:
            rows = session.scalars(select(ImportRow).order_by(ImportRow.imported_at, ImportRow.id)).all()
            return [StoredImport(r.sha256, r.kind, r.imported_at, r.stored, r.duplicates, r.skipped) for r in rows]

    def find_import(self, sha256: str) -> StoredImport | None:
        """The import of the file with this SHA-256, if it was imported."""
        return next((i for i in self.imports() if i.sha256 == sha256), None)

    def _fingerprint_key(self) -> bytes | None:
        """The HMAC key of message fingerprints: derived from the data key, so an encrypted store's
        fingerprints reveal nothing about the text. ``None`` (plain SHA-256) for a plain store."""
        if self._key is None:
            return None
        return self._key.derive(b"levelhead/messages/fingerprint/v1")

    @staticmethod
    def _fresh(session: Session, pending: list[_Pending]) -> list[_Pending]:
        """The pending messages whose fingerprint is not stored yet.

        A fingerprint starts with its message's time, so only a stored message of the same time can share it:
        one indexed range query finds which of the batch's times are taken at all (for a new chat none, or
        the minute a batch boundary falls in), and only the messages of those times are looked up.
        """
        conn = session.connection()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        limit = 4 * len(pending)  # more taken times than that: look every message up
        sql = f"SELECT DISTINCT at FROM messages WHERE at >= {mark} AND at <= {mark} LIMIT {limit}"
        span = (min(p[0] for p in pending), max(p[0] for p in pending))
        taken = {row[0] for row in conn.exec_driver_sql(sql, span)}
        if not taken:
            return pending
        suspects = pending if len(taken) >= limit else [p for p in pending if p[0] in taken]
        known: set[str] = set()
        for lo in range(0, len(suspects), 900):  # under SQLite's smallest limit of bound parameters
            part = [p[5] for p in suspects[lo : lo + 900]]
            sql = f"SELECT fingerprint FROM messages WHERE fingerprint IN ({', '.join([mark] * len(part))})"
            known.update(row[0] for row in conn.exec_driver_sql(sql, tuple(part)))
        return [p for p in pending if p[5] not in known] if known else pending

    def _store_messages(self, tx: _Tx, items: Sequence[tuple[datetime, str, str, str, str | None]], source: str,
                        sha256: str | None) -> int:  # fmt: skip
        """Seal the texts, append one ``message`` record entry each and insert entries and rows (messages
        logged one by one; imported files go through :meth:`_store_batch`)."""
        if not items:
            return 0
        stamp = now_iso()
        noise = os.urandom(10 * len(items)).hex()
        entries: list[tuple[int, bytes, bytes]] = []
        rows: list[tuple[Any, ...]] = []
        log, sealed = tx.log, self._key is not None
        for i, (at, direction, kind, text, fingerprint) in enumerate(items):
            micros = (at - EPOCH) // _MICROSECOND
            uid = f"{micros:013x}"[-13:] + noise[20 * i : 20 * i + 19]  # time first: index inserts append
            blob = self._seal("messages", "text", uid, text)
            body: dict[str, Any] = {"message": uid, "at": at.isoformat(), "direction": direction, "source": source,
                                    "import_sha256": sha256}  # fmt: skip
            if sealed:
                body["sealed_sha256"] = hashlib.sha256(blob).hexdigest()
            else:
                body["text"] = text
            if kind != "text":
                body["kind"] = kind
            seq = log.size
            entry = make_entry(seq, "message", body, at=stamp)
            _, leaf = log.append(entry)
            entries.append((seq, entry, leaf))
            offset = at.utcoffset()
            rows.append((uid, micros, int(offset.total_seconds()) if offset else 0, direction, blob, source, sha256,
                         seq, kind, fingerprint))  # fmt: skip
        tx.appended += len(entries)
        tx.flush()
        bulk.insert_rows(tx.session.connection(), "record_entries", ("seq", "entry", "leaf_hash"), entries)
        bulk.insert_rows(tx.session.connection(), "messages", _MESSAGE_COLUMNS, rows)
        return len(rows)

    def _store_batch(self, tx: _Tx, items: Sequence[_Pending], source: str, sha256: str | None,
                     behind: bulk.Behind | None = None) -> int:  # fmt: skip
        """Seal the texts and insert the rows under one ``messages`` record entry listing each row's digest
        (:func:`_message_digest`), in the order the rows go in; rows go through the driver's executemany."""
        if not items:
            return 0
        seq = tx.log.size  # of the entry appended below, which goes in first (the rows refer to it)
        context = canonical_json([source, sha256])
        noise = os.urandom(10 * len(items)).hex()
        # Time first, so index inserts append: the fingerprint starts with the time in 16 hex digits.
        uids = [(fingerprint[3:16] if micros >= 0 else f"{micros:013x}"[-13:]) + noise[20 * i : 20 * i + 19]
                for i, (micros, *_, fingerprint) in enumerate(items)]  # fmt: skip
        texts = [item[4] for item in items]
        if self._key is None:
            blobs = [text.encode() for text in texts]
        else:
            prefix = sealed_aad("messages", "text", "")
            blobs = self._key.encrypt_many(texts, [prefix + uid.encode() for uid in uids])
        sha = hashlib.sha256
        digests: list[str] = []
        values: list[Any] = []  # the rows' values one after the other, as the multi-row INSERT binds them
        add_digest, add_values = digests.append, values.extend
        for uid, blob, (micros, offset, direction, kind, _, fingerprint) in zip(uids, blobs, items, strict=True):
            # _message_digest written out: uid and fingerprint are hex, direction and kind plain words here
            head = f'["{uid}",{micros},{offset},"{direction}","{kind}","{fingerprint}"]'.encode()
            add_digest(sha(context + head + blob).hexdigest())
            add_values((uid, micros, offset, direction, blob, source, sha256, seq, kind, fingerprint))
        uid, micros, offset, direction, kind, fingerprint, blob = (uids[0], *items[0][:4], items[0][5], blobs[0])
        if _message_digest(source, sha256, uid, micros, offset, direction, kind, fingerprint, blob) != digests[0]:
            raise StoreError("internal error: a message digest differs from its canonical form")
        tx.append("messages", {"digests": digests, "import_sha256": sha256, "source": source})
        tx.flush()
        if behind is None:
            bulk.insert_values(tx.session.connection(), "messages", _MESSAGE_COLUMNS, values)
        else:  # the rows go in while the caller parses the next batch
            behind.submit(bulk.insert_values, tx.session.connection(), "messages", _MESSAGE_COLUMNS, values)
        return len(items)

    def history(self, since: datetime | None = None) -> list[StoredMessage]:
        """Every message of the conversation (from ``since`` on) in time order, with its kind: what the
        analytics read. Corrected and deleted messages are left out (a correction stands in its place).

        Read through the driver (no per-row ORM work): 100,000 messages must load in a fraction of a second.
        """
        self._need_init()
        sql = "SELECT uid, at, utc_offset, direction, kind, text FROM messages WHERE NOT superseded"
        params: tuple[Any, ...] = ()
        with self._session("reading the history") as session:
            conn = session.connection()
            if since is not None:
                sql += " AND at >= " + ("?" if conn.dialect.paramstyle == "qmark" else "%s")
                params = (to_micros(_utc(since)),)
            rows = conn.exec_driver_sql(sql + " ORDER BY at, id", params).all()
        unseal, epoch, micro = self._unseal, EPOCH, _MICROSECOND
        if self._key is None:
            try:
                return [StoredMessage(epoch + at * micro, direction, kind, bytes(blob).decode(), offset)
                        for _, at, offset, direction, kind, blob in rows]  # fmt: skip
            except UnicodeDecodeError:
                pass  # name the damaged row below
        return [StoredMessage(epoch + at * micro, direction, kind, unseal("messages", "text", uid, blob), offset)
                for uid, at, offset, direction, kind, blob in rows]  # fmt: skip

    def messages(self, limit: int | None = None) -> list[Message]:
        """The conversation's messages in time order (the last ``limit`` when given)."""
        self._need_init()
        with self._session("reading messages") as session:
            query = select(MessageRow.uid, MessageRow.at, MessageRow.utc_offset, MessageRow.direction, MessageRow.text)
            query = query.where(MessageRow.superseded.is_(False)).order_by(MessageRow.at.desc(), MessageRow.id.desc())
            rows = session.execute(query if limit is None else query.limit(limit)).all()
        return [self._message(*row) for row in reversed(rows)]

    def message_count(self) -> int:
        """Messages in the conversation (corrected and deleted ones not counted)."""
        self._need_init()
        with self._session("counting messages") as session:
            query = select(func.count()).select_from(MessageRow).where(MessageRow.superseded.is_(False))
            return session.scalar(query) or 0

    def add_journal(self, text: str, at: datetime | None = None) -> int:
        moment = _utc(at)
        uid = uuid.uuid4().hex
        blob = self._seal("journal", "text", uid, text)
        with self._write("saving the journal entry") as tx:
            body = {"journal": uid, "at": moment.isoformat(), **self._sealed_body(blob, "text", text)}
            seq = tx.append("journal", body)
            tx.flush()
            row = JournalRow(uid=uid, at=moment, text=blob, record_seq=seq)
            tx.session.add(row)
            tx.session.flush()
            return row.id

    def journal(self, include_deleted: bool = False) -> list[JournalEntry]:
        """The notes, oldest first; deleted ones (with when and why) only with ``include_deleted``."""
        self._need_init()
        with self._session("reading the journal") as session:
            query = select(JournalRow).order_by(JournalRow.at, JournalRow.id)
            if not include_deleted:
                query = query.where(JournalRow.superseded.is_(False))
            return [JournalEntry(r.id, r.at, self._unseal("journal", "text", r.uid, r.text), r.superseded_at,
                                 self._unseal_reason("journal", r.uid, r.superseded_reason))
                    for r in session.scalars(query)]  # fmt: skip

    # --- corrections and deletions: new record entries, the old rows marked superseded --------------------------

    def list_messages(self, limit: int | None = None, include_superseded: bool = False) -> list[LoggedMessage]:
        """Stored messages newest first, with their ids (``levelhead log list``).

        Only the conversation by default; with ``include_superseded`` also the corrected and deleted ones.
        """
        self._need_init()
        with self._session("listing messages") as session:
            query = select(MessageRow).order_by(MessageRow.at.desc(), MessageRow.id.desc())
            if not include_superseded:
                query = query.where(MessageRow.superseded.is_(False))
            rows = session.scalars(query if limit is None else query.limit(limit)).all()
            corrected_by: dict[int, int] = {}
            if any(row.superseded for row in rows):  # corrections are few: the partial index finds them all
                found = session.execute(select(MessageRow.corrects, MessageRow.id)
                                        .where(MessageRow.corrects.is_not(None))).all()  # fmt: skip
                corrected_by = {old: new for old, new in found if old is not None}
            return [self._logged(row, corrected_by.get(row.id)) for row in rows]

    def _logged(self, row: MessageRow, corrected_by: int | None) -> LoggedMessage:
        status: Literal["current", "corrected", "deleted"] = "current"
        if row.superseded:
            status = "deleted" if corrected_by is None else "corrected"
        return LoggedMessage(row.id, local_time(row.at, row.utc_offset), row.direction, row.kind,
                             self._unseal("messages", "text", row.uid, row.text), row.source, status, row.corrects,
                             corrected_by, self._unseal_reason("messages", row.uid, row.superseded_reason),
                             row.superseded_at)  # fmt: skip

    def correct_message(self, message_id: int, text: str, reason: str | None = None,
                        at: datetime | None = None) -> int:  # fmt: skip
        """Correct a message: a new row with ``text`` takes its place in the conversation (same time, same
        sender) and the record gets a ``correction`` entry; the original row and entry stay, marked
        superseded. ``at``: when the correction is made (default now). Returns the new message's id."""
        if not text.strip():
            raise StoreError("the corrected text is empty: nothing was changed")
        moment = _utc(at)
        with self._write("correcting the message") as tx:
            old = self._current_message(tx.session, message_id)
            if self._unseal("messages", "text", old.uid, old.text) == text:
                raise StoreError(f"message {message_id} already says that: nothing was changed")
            uid = uuid.uuid4().hex
            blob = self._seal("messages", "text", uid, text)
            why = self._seal_reason("messages", old.uid, reason)
            kind = "text" if old.kind == "deleted" else old.kind  # a text for one deleted in the chat app
            body = {"message": uid, "corrects": old.uid, "at": moment.isoformat(),
                    **self._sealed_body(blob, "text", text), **({"kind": kind} if kind != "text" else {}),
                    **self._reason_body(why, reason)}  # fmt: skip
            seq = tx.append("correction", body, refers_to=old.record_seq)
            tx.flush()
            new = MessageRow(uid=uid, at=old.at, utc_offset=old.utc_offset, direction=old.direction, text=blob,
                             source="correction", record_seq=seq, kind=kind, corrects=old.id)  # fmt: skip
            tx.session.add(new)
            self._supersede(old, moment, why, seq)
            tx.session.flush()
            return new.id

    def delete_message(self, message_id: int, reason: str | None = None, at: datetime | None = None) -> None:
        """Take a message out of the conversation: the record gets a ``deleted`` entry; the row and its
        entry stay (the record keeps everything), marked superseded."""
        moment = _utc(at)
        with self._write("deleting the message") as tx:
            row = self._current_message(tx.session, message_id)
            why = self._seal_reason("messages", row.uid, reason)
            body = {"message": row.uid, "at": moment.isoformat(), **self._reason_body(why, reason)}
            seq = tx.append("deleted", body, refers_to=row.record_seq)
            tx.flush()
            self._supersede(row, moment, why, seq)

    def delete_journal(self, entry_id: int, reason: str | None = None, at: datetime | None = None) -> None:
        """Take a note out of the journal: a ``deleted`` record entry; the row stays, marked superseded."""
        moment = _utc(at)
        with self._write("deleting the note") as tx:
            row = tx.session.get(JournalRow, entry_id) if 0 < entry_id < 2**31 else None
            if row is None:
                raise StoreError(f"no note {entry_id} (`levelhead journal` lists them with their ids)")
            if row.superseded:
                raise StoreError(f"note {entry_id} was deleted already")
            why = self._seal_reason("journal", row.uid, reason)
            body = {"journal": row.uid, "at": moment.isoformat(), **self._reason_body(why, reason)}
            seq = tx.append("deleted", body, refers_to=row.record_seq)
            tx.flush()
            self._supersede(row, moment, why, seq)

    @staticmethod
    def _current_message(session: Session, message_id: int) -> MessageRow:
        """The message row to correct or delete; a clear error when it is unknown or superseded already."""
        row = session.get(MessageRow, message_id) if 0 < message_id < 2**31 else None
        if row is None:
            raise StoreError(f"no message {message_id} (`levelhead log list` shows them with their ids)")
        if row.superseded:
            newer = session.scalar(select(MessageRow.id).where(MessageRow.corrects == row.id))
            if newer is None:
                raise StoreError(f"message {message_id} was deleted already")
            raise StoreError(f"message {message_id} was corrected already: its corrected version is message {newer}")
        return row

    @staticmethod
    def _supersede(row: MessageRow | JournalRow, at: datetime, reason: bytes | None, seq: int) -> None:
        row.superseded, row.superseded_at, row.superseded_reason, row.superseded_record_seq = True, at, reason, seq

    def _seal_reason(self, table: str, uid: str, reason: str | None) -> bytes | None:
        """The sealed reason of a correction or deletion (``None`` when none was given)."""
        if reason is None or not reason.strip():
            return None
        return self._seal(table, "superseded_reason", uid, reason)

    def _unseal_reason(self, table: str, uid: str, blob: bytes | None) -> str | None:
        return None if blob is None else self._unseal(table, "superseded_reason", uid, blob)

    def _reason_body(self, blob: bytes | None, reason: str | None) -> dict[str, Any]:
        """What a correction or deletion entry keeps of its reason: the text, or the SHA-256 of the sealed text."""
        if blob is None:
            return {}
        if self._key is None:
            return {"reason": reason}
        return {"reason_sealed_sha256": hashlib.sha256(blob).hexdigest()}

    # --- drafts ---------------------------------------------------------------------------------------------------

    def park_draft(self, text: str, due: datetime, now: datetime | None = None) -> int:
        """Park a draft until ``due``; returns its id."""
        self._need_init()
        uid = uuid.uuid4().hex
        row = DraftRow(uid=uid, text=self._seal("drafts", "text", uid, text), due_at=_utc(due),
                       created_at=_utc(now), status="parked")  # fmt: skip
        with self._session("parking the draft", write=True) as session:
            session.add(row)
            session.flush()
            return row.id

    def drafts(self, status: str | None = "parked") -> list[Draft]:
        """Drafts (parked ones by default), soonest due first: the ones due now come before the others."""
        self._need_init()
        with self._session("reading drafts") as session:
            query = select(DraftRow).order_by(DraftRow.due_at, DraftRow.id)
            if status is not None:
                query = query.where(DraftRow.status == status)
            return [self._draft(row) for row in session.scalars(query)]

    def due_drafts(self, now: datetime | None = None) -> list[Draft]:
        """Parked drafts whose time has come: what a recheck looks at."""
        moment = _utc(now)
        return [d for d in self.drafts() if d.is_due(moment)]

    def _draft(self, row: DraftRow) -> Draft:
        return Draft(row.id, self._unseal("drafts", "text", row.uid, row.text), row.due_at, row.created_at, row.status)

    def set_draft_status(self, draft_id: int, status: str) -> None:
        if status not in DRAFT_STATUSES:
            raise StoreError(f"unknown draft status {status!r} (use {', '.join(DRAFT_STATUSES)})")
        self._need_init()
        with self._session("updating the draft", write=True) as session:
            done = session.execute(update(DraftRow).where(DraftRow.id == draft_id).values(status=status))
            if getattr(done, "rowcount", 1) == 0:
                raise StoreError(f"no draft {draft_id}")

    def send_draft(self, draft_id: int, at: datetime | None = None) -> None:
        """Log a parked draft as a message you sent (into the record) and mark it sent, in one transaction."""
        moment = _utc(at)
        with self._write("logging the draft as sent") as tx:
            row = tx.session.get(DraftRow, draft_id)
            if row is None or row.status != "parked":
                raise StoreError(f"no parked draft {draft_id}")
            text = self._unseal("drafts", "text", row.uid, row.text)
            self._store_messages(tx, [(moment, "me", "text", text, None)], "draft", None)
            row.status = "sent"

    def delete_draft(self, draft_id: int) -> None:
        """Delete a draft for good (``secure_delete`` overwrites its bytes in SQLite)."""
        self._need_init()
        with self._session("deleting the draft", write=True) as session:
            done = session.execute(delete(DraftRow).where(DraftRow.id == draft_id))
            if getattr(done, "rowcount", 1) == 0:
                raise StoreError(f"no draft {draft_id}")

    # --- the record -----------------------------------------------------------------------------------------------

    def _record(self) -> tuple[list[bytes], list[bytes], list[Checkpoint] | None, list[str], VerifyResult | None]:
        with self._session("reading the record") as session:
            rows = session.execute(select(RecordEntry.seq, RecordEntry.entry, RecordEntry.leaf_hash)
                                   .order_by(RecordEntry.seq)).all()  # fmt: skip
            cp_rows = session.execute(
                select(CheckpointRow.size, CheckpointRow.root, CheckpointRow.time, CheckpointRow.digest).order_by(
                    CheckpointRow.id
                )
            ).all()
        entries = [bytes(r.entry) for r in rows]
        leaves = [bytes(r.leaf_hash) for r in rows]
        for i, r in enumerate(rows):
            if r.seq != i:
                problem = VerifyResult(Outcome.ALTERED, f"entry {i} is missing (the next stored seq is {r.seq})",
                                       count=i, first_bad_entry=i)  # fmt: skip
                return entries, leaves, None, [], problem
        checkpoints: list[Checkpoint] = []
        for i, c in enumerate(cp_rows):
            try:
                checkpoints.append(Checkpoint(c.size, c.root, c.time))
            except ValueError as err:
                problem = VerifyResult(Outcome.ALTERED, f"checkpoint {i} was altered: {err}", bad_checkpoint=i)
                return entries, leaves, None, [], problem
        return entries, leaves, checkpoints, [c.digest for c in cp_rows], None

    def verify(self) -> VerifyResult:
        """Recompute the record from the stored entries and hold it against leaf hashes and checkpoints."""
        self._need_init()
        entries, leaves, checkpoints, digests, problem = self._record()
        if problem is not None or checkpoints is None:
            assert problem is not None
            return problem
        result = verify_entries(entries, checkpoints, leaves, digests)
        if not result.ok:
            return result
        return self._verify_imported(entries) or result

    def _verify_imported(self, entries: Sequence[bytes]) -> VerifyResult | None:
        """Hold every imported message row against the digest its ``messages`` entry lists (the entries are
        verified already); ``None`` when all match, else the first row that differs (in insertion order) or
        the first batch with rows missing. Streams the rows: memory stays flat for a million messages."""
        batches = {seq for seq, entry in enumerate(entries) if _BATCH_MARK in entry}
        batches = {seq for seq in batches if parse_entry(entries[seq])["kind"] == "messages"}
        if not batches:
            return None
        open_: dict[int, tuple[list[str], list[int]]] = {}  # batch seq -> its digests, and how many rows seen
        done: set[int] = set()
        sql = ("SELECT id, record_seq, uid, at, utc_offset, direction, kind, fingerprint, source, import_sha256, text"
               " FROM messages ORDER BY id")  # fmt: skip
        with self._session("checking the messages against the record") as session:
            rows = session.connection().execution_options(stream_results=True).exec_driver_sql(sql)
            for row_id, seq, uid, at, offset, direction, kind, fingerprint, source, sha256, blob in rows:
                if seq not in batches:
                    continue  # logged one by one: the text is in its own entry
                batch = open_.get(seq)
                if batch is None:
                    listed = parse_entry(entries[seq])["body"].get("digests")
                    batch = open_[seq] = (listed if isinstance(listed, list) else [], [0])
                digests, seen = batch
                position = seen[0]
                if seq in done or position >= len(digests):
                    return VerifyResult(Outcome.ALTERED, f"message {uid} (id {row_id}) claims record entry {seq}, "
                                        "which does not list it", first_bad_entry=seq, bad_message=uid)  # fmt: skip
                digest = _message_digest(source, sha256, uid, at, offset, direction, kind, fingerprint, bytes(blob))
                if digest != digests[position]:
                    return VerifyResult(Outcome.ALTERED, f"message {uid} (id {row_id}) does not match record entry "
                                        f"{seq} (message {position + 1} of {len(digests)} there): the stored message "
                                        "was changed", first_bad_entry=seq, bad_message=uid)  # fmt: skip
                seen[0] = position + 1
                if position + 1 == len(digests):
                    del open_[seq]
                    done.add(seq)
        for seq in sorted(batches - done):
            found = open_[seq][1][0] if seq in open_ else 0
            listed = parse_entry(entries[seq])["body"].get("digests")
            if isinstance(listed, list) and len(listed) == found:
                continue  # an empty batch (never written, but not wrong)
            return VerifyResult(Outcome.ALTERED, f"record entry {seq} lists {len(listed or [])} messages but only "
                                f"{found} are stored: message {found + 1} of the entry is missing",
                                first_bad_entry=seq)  # fmt: skip
        return None

    def record_root(self) -> tuple[int, str]:
        """(size, root hex) of the stored record, recomputed from the stored leaf hashes."""
        self._need_init()
        with self._session("reading the record") as session:
            leaves = session.scalars(select(RecordEntry.leaf_hash).order_by(RecordEntry.seq)).all()
        log = MerkleLog.from_leaf_hashes(bytes(leaf) for leaf in leaves)
        return log.size, log.root().hex()

    def export_bundle(self, path: str | Path) -> str:
        """Write the record as a self-verifying bundle (see :func:`levelhead.record.write_bundle`); returns its root.

        Refuses a record that does not verify. In an encrypted store the bundle
        holds no free text, only the SHA-256 of each sealed field.
        """
        self._need_init()
        entries, leaves, checkpoints, digests, problem = self._record()
        if problem is None and checkpoints is not None:
            problem = verify_entries(entries, checkpoints, leaves, digests)  # digests cover checkpoint times too
        if problem is None or not problem.ok or checkpoints is None:
            why = problem.message if problem is not None else "unreadable checkpoints"
            raise StoreError(f"refusing to export a record that does not verify: {why}")
        with store_errors("writing the bundle"):
            try:
                return write_bundle(path, entries, checkpoints)
            except ValueError as err:
                raise StoreError(str(err)) from None


def _unlock(engine: Engine, passphrase: str | None) -> tuple[DataKey | None, bool | None]:
    """Read the store header and unlock the key, writing nothing. ``(key, encrypted)``; encrypted None: no store."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("store_info"):
            return None, None
        info = conn.execute(select(StoreInfo.encrypted).where(StoreInfo.id == 1)).scalar()
        if info is None:
            return None, None
        keyring = conn.execute(select(KeyringRow.data).where(KeyringRow.id == 1)).scalar() if info else None
    return unlock(bool(info), keyring, passphrase), bool(info)
