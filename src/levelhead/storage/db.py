"""Where the store lives and how connections are made.

Default: the SQLite file ``levelhead.db`` in the data dir (env ``LEVELHEAD_HOME``,
else the platform's user data dir). ``LEVELHEAD_DB`` or an explicit URL selects
another database, e.g. PostgreSQL through psycopg 3 (``postgresql+psycopg://...``;
a plain ``postgresql://`` URL is read as psycopg 3 too).

Every SQLite connection gets WAL, ``foreign_keys=ON``, ``secure_delete=ON`` and
``synchronous=NORMAL``. Transactions are begun by SQLAlchemy (``BEGIN``, or
``BEGIN IMMEDIATE`` for the store's writes so two writers queue instead of
failing half way), not by the driver's implicit mode.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from levelhead.paths import DB_NAME, data_dir

__all__ = ["DB_NAME", "data_dir", "default_url", "make_engine", "resolve_url", "sqlite_path"]

BEGIN_OPTION = "levelhead_sqlite_begin"


def default_url() -> str:
    """``LEVELHEAD_DB`` if set, else the SQLite file in the data dir."""
    env = os.environ.get("LEVELHEAD_DB")
    if env:
        return env
    return f"sqlite:///{data_dir() / DB_NAME}"


def resolve_url(url: str | None) -> URL:
    """Parse the URL (``None``: :func:`default_url`); ``postgresql://`` means psycopg 3."""
    parsed = make_url(url or default_url())
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; ``None`` for other databases and for in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _sqlite_connect(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN itself
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def make_engine(url: URL) -> Engine:
    """An engine for the store; SQLite files get their directory created and the pragmas above."""
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_readonly_sqlite_engine(path: Path) -> Engine:
    """Read a SQLite file without writing anything next to it.

    With no ``-wal`` file the database is complete in the main file and is opened
    ``immutable`` (no locks, no ``-shm``/``-wal`` created). After an unclean stop
    (a ``-wal`` exists) it is opened ``mode=ro`` so the WAL's content is seen;
    SQLite may then touch the ``-shm`` index, never the data.
    """
    from sqlalchemy.pool import NullPool

    wal = path.with_name(path.name + "-wal")
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?immutable=1")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=10)

    return create_engine("sqlite://", creator=connect, poolclass=NullPool)
