"""The store's one error type, and the translation of database failures into clear messages."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


class StoreError(Exception):
    """Something a user can cause or fix: bad URL, server down, locked/damaged database, disk full, I/O error."""


class WrongPassphraseError(StoreError):
    """The passphrase does not unlock the store (nothing was written)."""


class DamagedDataError(StoreError):
    """A stored field does not decrypt or decode: the database was changed outside levelhead."""


class NotInitialisedError(StoreError):
    """The database has no store yet: call ``Store.init`` (``levelhead init``)."""


_SQLITE_HINTS = (
    ("database or disk is full", "the disk is full (or the database reached its size limit): nothing was written"),
    ("disk i/o error", "a disk I/O error occurred: nothing was written; check the disk"),
    ("database is locked", "the database is locked by another program: close it and try again"),
    ("file is not a database", "the file is not a levelhead database, or it is damaged (it was not changed)"),
    ("malformed", "the database file is damaged; it was not repaired (restore a backup or an exported bundle)"),
    ("unable to open database file", "cannot open the database file (missing folder or no permission)"),
    ("readonly database", "the database is read-only: no permission to write it"),
)


def describe(err: BaseException, doing: str) -> str:
    """A one-line message for ``err`` that says what failed while ``doing`` what."""
    orig = getattr(err, "orig", None) or err
    raw = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = raw.lower()
    for needle, hint in _SQLITE_HINTS:
        if needle in low:
            return f"{doing}: {hint} ({raw})"
    if "connection refused" in low or "could not connect" in low or "connection failed" in low:
        return f"{doing}: cannot reach the database server ({raw})"
    if "does not exist" in low and "database" in low:
        return f"{doing}: the database does not exist on the server ({raw})"
    if "password authentication failed" in low or "authentication" in low:
        return f"{doing}: the database server refused the login ({raw})"
    return f"{doing}: {raw}"


@contextmanager
def store_errors(doing: str) -> Iterator[None]:
    """Turn database, driver and file errors into :class:`StoreError`; other errors pass through."""
    from sqlalchemy import exc as sa_exc  # here, so that the error types load without SQLAlchemy

    try:
        yield
    except StoreError:
        raise
    except sa_exc.ArgumentError as err:
        raise StoreError(f"{doing}: not a usable database URL ({err})") from err
    except sa_exc.NoSuchModuleError as err:
        raise StoreError(f"{doing}: unsupported database URL ({err})") from err
    except ImportError as err:
        raise StoreError(f"{doing}: the database driver is not installed ({err})") from err
    except (sa_exc.DBAPIError, sqlite3.Error) as err:
        raise StoreError(describe(err, doing)) from err
    except OSError as err:
        raise StoreError(f"{doing}: {err.strerror or err}" + (f" ({err.filename})" if err.filename else "")) from err
