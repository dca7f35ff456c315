"""Local storage: SQLite by default, PostgreSQL by URL.

The names below load on first use (PEP 562), so importing a light part of the
package (``levelhead.storage.quickread``, ``levelhead.storage.view``) does not
pull in SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from levelhead.storage.errors import DamagedDataError, NotInitialisedError, StoreError, WrongPassphraseError
    from levelhead.storage.migrations import upgrade
    from levelhead.storage.store import Draft, JournalEntry, Store
    from levelhead.storage.view import AGREEMENT_KINDS, StoredAgreement

_WHERE = {
    "AGREEMENT_KINDS": "view",
    "DamagedDataError": "errors",
    "Draft": "store",
    "JournalEntry": "store",
    "NotInitialisedError": "errors",
    "Store": "store",
    "StoreError": "errors",
    "StoredAgreement": "view",
    "WrongPassphraseError": "errors",
    "upgrade": "migrations",
}
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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'levelhead.storage' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"levelhead.storage.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
