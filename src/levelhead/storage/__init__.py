"""Local storage: SQLite by default, PostgreSQL by URL. Not imported by the CLI start-up path."""

from __future__ import annotations

from levelhead.storage.errors import DamagedDataError, NotInitialisedError, StoreError, WrongPassphraseError
from levelhead.storage.migrations import upgrade
from levelhead.storage.store import AGREEMENT_KINDS, Draft, JournalEntry, Store, StoredAgreement

__all__ = [
    "AGREEMENT_KINDS",
    "DamagedDataError",
    "Draft",
    "JournalEntry",
    "NotInitialisedError",
    "Store",
    "StoreError",
    "StoredAgreement",
    "WrongPassphraseError",
    "upgrade",
]
