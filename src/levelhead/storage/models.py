"""SQLAlchemy 2.0 typed ORM models of the store.

Times are stored as UTC microseconds since the epoch (``BIGINT``): identical on
SQLite and PostgreSQL, sortable, indexable. Free text lives in ``LargeBinary``
columns holding either UTF-8 (plain store) or an AES-GCM field from
:mod:`levelhead.crypto` (encrypted store); every such row has a random ``uid``
that, with the table and column, forms the associated data of its ciphertext.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,  # "text" is a column name below
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from levelhead.storage.view import EPOCH as EPOCH
from levelhead.storage.view import from_micros as from_micros
from levelhead.storage.view import to_micros as to_micros


class UtcTime(TypeDecorator[datetime]):
    """An aware datetime kept as UTC microseconds; read back as an aware UTC datetime."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        return None if value is None else to_micros(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_micros(int(value))


class Base(DeclarativeBase):
    pass


class StoreInfo(Base):
    """One row: that the store was initialised, when, and whether free text is encrypted."""

    __tablename__ = "store_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcTime())
    encrypted: Mapped[bool] = mapped_column(Boolean)


class KeyringRow(Base):
    """The wrapped data key (:class:`levelhead.crypto.Keyring` JSON); present only in an encrypted store."""

    __tablename__ = "keyring"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcTime())


class Settings(Base):
    """One row: the situation fields (goal, mood, ...) as JSON, sealed like any free text."""

    __tablename__ = "settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    situation: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UtcTime())


class AgreementRow(Base):
    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    details: Mapped[bytes] = mapped_column(LargeBinary)  # JSON, sealed
    created_at: Mapped[datetime] = mapped_column(UtcTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcTime(), nullable=True)
    end_reason: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    record_seq: Mapped[int] = mapped_column(ForeignKey("record_entries.seq"))
    end_record_seq: Mapped[int | None] = mapped_column(ForeignKey("record_entries.seq"), nullable=True)


class DraftRow(Base):
    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    text: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    due_at: Mapped[datetime] = mapped_column(UtcTime())
    created_at: Mapped[datetime] = mapped_column(UtcTime())
    status: Mapped[str] = mapped_column(String(16))
    __table_args__ = (Index("ix_drafts_status_due", "status", "due_at"),)


_CORRECTIONS = sql_text("corrects IS NOT NULL")  # the partial index over corrections


class MessageRow(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(UtcTime())
    utc_offset: Mapped[int] = mapped_column(Integer)  # seconds: gives back the time as it was written
    direction: Mapped[str] = mapped_column(String(4))  # me | them
    text: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    source: Mapped[str] = mapped_column(String(64))
    import_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    record_seq: Mapped[int] = mapped_column(ForeignKey("record_entries.seq"))
    kind: Mapped[str] = mapped_column(String(8), server_default="text")  # text | media | deleted
    # Keyed hash of time, direction, kind, text (and the repeat count): how overlapping imports skip
    # what is stored already. NULL for messages logged by hand. See Store.import_chat.
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Corrected or deleted: the row and its record entry stay, readers of the conversation skip it.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    superseded_at: Mapped[datetime | None] = mapped_column(UtcTime(), nullable=True)
    superseded_reason: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    superseded_record_seq: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.seq", name="fk_messages_superseded_record_seq"), nullable=True
    )
    corrects: Mapped[int | None] = mapped_column(  # on a correction: the message it replaces
        ForeignKey("messages.id", name="fk_messages_corrects"), nullable=True
    )
    __table_args__ = (
        Index("ix_messages_at", "at"),
        UniqueConstraint("fingerprint", name="uq_messages_fingerprint"),
        Index("ix_messages_corrects", "corrects", sqlite_where=_CORRECTIONS, postgresql_where=_CORRECTIONS),
    )


class ImportRow(Base):
    """One imported file: its SHA-256 (re-importing it changes nothing), format and what it added."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    imported_at: Mapped[datetime] = mapped_column(UtcTime())
    stored: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)  # system lines and other people's messages
    record_seq: Mapped[int] = mapped_column(ForeignKey("record_entries.seq"))


class JournalRow(Base):
    __tablename__ = "journal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(UtcTime())
    text: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    record_seq: Mapped[int] = mapped_column(ForeignKey("record_entries.seq"))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # deleted
    superseded_at: Mapped[datetime | None] = mapped_column(UtcTime(), nullable=True)
    superseded_reason: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    superseded_record_seq: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.seq", name="fk_journal_superseded_record_seq"), nullable=True
    )


class RecordEntry(Base):
    """One entry of the Merkle record: canonical JSON bytes and the leaf hash stored beside them."""

    __tablename__ = "record_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)


class CheckpointRow(Base):
    """A checkpoint written with every record transaction: size, root (hex), time and digest."""

    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    time: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
