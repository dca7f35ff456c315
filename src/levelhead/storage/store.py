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
- ``message``: ``{"message": uid, "at", "direction", "source", "import_sha256", "text"}`` (or ``sealed_sha256``)
- ``import``: ``{"sha256": file hash, "source": ..., "count": n}``, written once per import batch
- ``journal``: ``{"journal": uid, "at", "text"}`` (or ``sealed_sha256``)

Drafts and the situation settings are working state, not records: they are
not in the record, and a discarded draft is deleted (wiped by ``secure_delete``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, Self

from sqlalchemy import Engine, delete, func, insert, inspect, select, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from levelhead.config import ConfigError, agreements_from_mapping, situation_from_mapping
from levelhead.crypto import Argon2Params, DataKey, DecryptionError, Keyring, KeyringError, WrongPassphrase
from levelhead.record import (
    Checkpoint,
    MerkleLog,
    Outcome,
    VerifyResult,
    canonical_json,
    make_entry,
    verify_entries,
    write_bundle,
)
from levelhead.situation import Agreements, Message, Situation
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
    AgreementRow,
    CheckpointRow,
    DraftRow,
    JournalRow,
    KeyringRow,
    MessageRow,
    RecordEntry,
    Settings,
    StoreInfo,
)

HISTORY_LIMIT = 500
AGREEMENT_KINDS = (
    "no-contact", "window", "off-limits", "channels", "no-visits", "no-family", "friendship", "social-block",
)  # fmt: skip
DRAFT_STATUSES = ("parked", "sent", "discarded")
_DETAIL_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {  # kind: (required, optional)
    "no-contact": (frozenset({"until"}), frozenset({"except"})),
    "window": (frozenset({"days", "from", "to"}), frozenset({"channel", "purpose"})),
    "off-limits": (frozenset({"topics"}), frozenset()),
    "channels": (frozenset({"channels"}), frozenset()),
    "no-visits": (frozenset(), frozenset()),
    "no-family": (frozenset(), frozenset()),
    "friendship": (frozenset({"friendship"}), frozenset()),
    "social-block": (frozenset({"until"}), frozenset()),
}
_SITUATION_FIELDS = (
    "goal", "mood", "broke_up", "ended_by", "children", "asked_for_space", "new_partner", "abuse_history",
    "timezone", "country", "channel",
)  # fmt: skip


@dataclass(frozen=True)
class StoredAgreement:
    id: int
    uid: str
    kind: str
    details: dict[str, Any]
    created_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.created_at <= moment and (self.ended_at is None or self.ended_at > moment)


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


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def _agreement_mapping(kind: str, details: Mapping[str, Any]) -> dict[str, Any]:
    """The ``[agreements]`` settings (as in levelhead.toml) that one stored agreement stands for."""
    if kind == "no-contact":
        return {"no_contact_until": details["until"], "no_contact_except": list(details.get("except", []))}
    if kind == "window":
        return {"windows": [dict(details)]}
    if kind == "off-limits":
        topics = details["topics"]
        return {"off_limits": [topics] if isinstance(topics, str) else list(topics)}
    if kind == "channels":
        return {"channels": list(details["channels"])}
    if kind == "no-visits":
        return {"no_visits": True}
    if kind == "no-family":
        return {"no_family_contact": True}
    if kind == "friendship":
        return {"friendship": details["friendship"]}
    return {"social_block_until": details["until"]}


def check_agreement(kind: str, details: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one agreement; returns its details as plain JSON values. Errors are :class:`StoreError`."""
    if kind not in _DETAIL_KEYS:
        raise StoreError(f"unknown agreement kind {kind!r} (use {', '.join(AGREEMENT_KINDS)})")
    if not isinstance(details, Mapping):
        raise StoreError(f"{kind} agreement details must be a mapping")
    plain = _jsonable(details)
    required, optional = _DETAIL_KEYS[kind]
    missing, unknown = required - set(plain), set(plain) - required - optional
    if missing:
        raise StoreError(f"{kind} agreement needs {', '.join(sorted(missing))}")
    if unknown:
        raise StoreError(f"{kind} agreement does not take {', '.join(sorted(unknown))}")
    try:
        agreements_from_mapping(_agreement_mapping(kind, plain))
    except (ConfigError, TypeError) as err:
        raise StoreError(f"{kind} agreement: {err}") from None
    assert isinstance(plain, dict)
    return plain


def merge_agreements(active: Sequence[StoredAgreement]) -> Agreements:
    """The engine's view of the active agreements, oldest first.

    Windows and off-limits topics accumulate; no-visits and no-family hold if any
    says so; for no-contact, channels, friendship and social-block the newest wins.
    """
    merged: dict[str, Any] = {}
    for agreement in sorted(active, key=lambda a: (a.created_at, a.id)):
        for key, value in _agreement_mapping(agreement.kind, agreement.details).items():
            if key in ("windows", "off_limits"):
                merged[key] = [*merged.get(key, []), *value]
            else:
                merged[key] = value
    try:
        return agreements_from_mapping(merged)
    except ConfigError as err:
        raise DamagedDataError(f"the stored agreements do not read back: {err}") from None


def _situation_mapping(situation: Situation) -> dict[str, Any]:
    values = {name: _jsonable(getattr(situation, name)) for name in _SITUATION_FIELDS}
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
        return self._key.encrypt(text, f"{table}/{column}/{uid}".encode())

    def _unseal(self, table: str, column: str, uid: str, blob: bytes) -> str:
        try:
            if self._key is None:
                return bytes(blob).decode("utf-8")
            return self._key.decrypt(bytes(blob), f"{table}/{column}/{uid}".encode())
        except (DecryptionError, UnicodeDecodeError) as err:
            raise DamagedDataError(f"{table} row {uid}: the stored {column} is damaged ({err})") from None

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
        if row is None:
            return Situation()
        text = self._unseal("settings", "situation", row.uid, row.situation)
        try:
            return situation_from_mapping(json.loads(text))
        except (ConfigError, ValueError) as err:
            raise DamagedDataError(f"the stored situation does not read back: {err}") from None

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
        text = self._unseal("agreements", "details", row.uid, row.details)
        try:
            details = json.loads(text)
        except ValueError:
            raise DamagedDataError(f"agreements row {row.uid}: the details are not JSON") from None
        reason = None if row.end_reason is None else self._unseal("agreements", "end_reason", row.uid, row.end_reason)
        return StoredAgreement(row.id, row.uid, row.kind, details, row.created_at, row.ended_at, reason)

    # --- the view the engine reads --------------------------------------------------------------------------------

    def situation_for_check(self, now: datetime | None = None, history_limit: int = HISTORY_LIMIT) -> Situation:
        """The situation at ``now``: stored fields, the agreements active then, and the last messages up to then."""
        self._need_init()
        moment = _utc(now)
        with self._session("reading the situation") as session:
            base = self._read_situation(session)
            rows = session.scalars(
                select(AgreementRow)
                .where(AgreementRow.created_at <= moment)
                .where((AgreementRow.ended_at.is_(None)) | (AgreementRow.ended_at > moment))
                .order_by(AgreementRow.created_at, AgreementRow.id)
            )
            active = [self._agreement(row) for row in rows]
            recent = session.execute(
                select(MessageRow.uid, MessageRow.at, MessageRow.utc_offset, MessageRow.direction, MessageRow.text)
                .where(MessageRow.at <= moment)
                .order_by(MessageRow.at.desc(), MessageRow.id.desc())
                .limit(history_limit)
            ).all()
        history = tuple(self._message(*row) for row in reversed(recent))
        return Situation(**{name: getattr(base, name) for name in _SITUATION_FIELDS},
                         agreements=merge_agreements(active), history=history)  # fmt: skip

    def _message(self, uid: str, at: datetime, offset: int, direction: str, blob: bytes) -> Message:
        if direction not in ("me", "them"):
            raise DamagedDataError(f"messages row {uid}: direction {direction!r}")
        sender: Literal["me", "them"] = "me" if direction == "me" else "them"
        local = at.astimezone(timezone(timedelta(seconds=offset)))
        return Message(local, sender, self._unseal("messages", "text", uid, blob))

    # --- messages and journal ------------------------------------------------------------------------------------

    def log_message(self, direction: Literal["me", "them"], text: str, at: datetime | None = None,
                    source: str = "manual") -> None:  # fmt: skip
        """Log one sent (``me``) or received (``them``) message."""
        self.import_messages([Message(_utc(at), direction, text)], source=source)

    def import_messages(self, messages: Iterable[Message], source: str = "import",
                        sha256: str | None = None) -> int:  # fmt: skip
        """Store a batch of messages in one transaction; with ``sha256`` (of the imported file) an ``import``
        entry is recorded too. Returns the number stored."""
        batch = list(messages)
        for m in batch:
            if m.sender not in ("me", "them"):
                raise StoreError(f"a message is from 'me' or 'them' (got {m.sender!r})")
            _utc(m.at)
        with self._write("storing messages") as tx:
            rows: list[dict[str, Any]] = []
            for m in batch:
                uid = uuid.uuid4().hex
                blob = self._seal("messages", "text", uid, m.text)
                offset = m.at.utcoffset() or timedelta(0)
                body = {"message": uid, "at": m.at.isoformat(), "direction": m.sender, "source": source,
                        "import_sha256": sha256, **self._sealed_body(blob, "text", m.text)}  # fmt: skip
                seq = tx.append("message", body)
                rows.append({"uid": uid, "at": m.at, "utc_offset": int(offset.total_seconds()),
                             "direction": m.sender, "text": blob, "source": source, "import_sha256": sha256,
                             "record_seq": seq})  # fmt: skip
            if sha256 is not None:
                tx.append("import", {"sha256": sha256, "source": source, "count": len(batch)})
            tx.flush()
            if rows:
                tx.session.execute(insert(MessageRow), rows)
        return len(batch)

    def messages(self, limit: int | None = None) -> list[Message]:
        """Stored messages in time order (the last ``limit`` when given)."""
        self._need_init()
        with self._session("reading messages") as session:
            query = select(MessageRow.uid, MessageRow.at, MessageRow.utc_offset, MessageRow.direction, MessageRow.text)
            query = query.order_by(MessageRow.at.desc(), MessageRow.id.desc())
            rows = session.execute(query if limit is None else query.limit(limit)).all()
        return [self._message(*row) for row in reversed(rows)]

    def message_count(self) -> int:
        self._need_init()
        with self._session("counting messages") as session:
            return session.scalar(select(func.count()).select_from(MessageRow)) or 0

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

    def journal(self) -> list[JournalEntry]:
        self._need_init()
        with self._session("reading the journal") as session:
            rows = session.scalars(select(JournalRow).order_by(JournalRow.at, JournalRow.id)).all()
            return [JournalEntry(r.id, r.at, self._unseal("journal", "text", r.uid, r.text)) for r in rows]

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
        return verify_entries(entries, checkpoints, leaves, digests)

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
        if not info:
            if passphrase:
                raise StoreError("this store is not encrypted, but a passphrase was given: nothing was opened")
            return None, False
        data = conn.execute(select(KeyringRow.data).where(KeyringRow.id == 1)).scalar()
    if data is None:
        raise DamagedDataError("the store is marked encrypted but its keyring is missing")
    if not passphrase:
        raise WrongPassphraseError("this store is encrypted: its passphrase is needed")
    try:
        return Keyring.from_json(data).unlock(passphrase), True
    except WrongPassphrase:
        raise WrongPassphraseError("wrong passphrase: the store was not opened and nothing was changed") from None
    except KeyringError as err:
        raise DamagedDataError(f"the stored keyring is damaged: {err}") from None
