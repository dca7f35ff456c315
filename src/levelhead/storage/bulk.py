"""Bulk writes of an import: many rows per INSERT statement, run behind the parser.

A large import is parsing (Python, holding the GIL) and inserting (the database, which works without
it). :class:`Behind` lets the two overlap, one batch apart; :func:`insert_values` keeps the inserts to a
few statements a batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from itertools import chain
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:  # the thread pool is imported by the first import that needs it
    from concurrent.futures import Future, ThreadPoolExecutor

    from sqlalchemy.engine import Connection

# Parameters per statement: a few statements per batch, while the compiled statement stays small (SQLite's
# grows with its VALUES list: 50,000 parameters cost 15 MB of peak memory).
STATEMENT_PARAMETERS = 10_000
_SQLITE_MIN_BIND_LIMIT = 999  # the smallest SQLITE_MAX_VARIABLE_NUMBER of any build
_POSTGRESQL_BIND_LIMIT = 65535  # the wire protocol counts parameters in 16 bits


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of plain values through the driver (no per-row ORM work)."""
    insert_values(conn, table, columns, list(chain.from_iterable(rows)))


def insert_values(conn: Connection, table: str, columns: Sequence[str], values: list[Any]) -> None:
    """Insert rows given as their values one after the other (``len(columns)`` per row): the bulk import path.

    Many rows per INSERT statement (a batch of an import is a few statements: far cheaper than one per row),
    up to the bound parameters the database takes; the rest with executemany."""
    if not values:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    width = len(columns)
    one = f"({', '.join([mark] * width)})"
    per = min(min(bind_limit(conn), STATEMENT_PARAMETERS) // width, len(values) // width)
    step = per * width
    whole = len(values) - len(values) % step if step else 0
    if whole:
        sql = head + ", ".join([one] * per)
        for lo in range(0, whole, step):
            conn.exec_driver_sql(sql, tuple(values[lo : lo + step]))
    if whole < len(values):
        rest = [tuple(values[lo : lo + width]) for lo in range(whole, len(values), width)]
        conn.exec_driver_sql(head + one, rest)


def bind_limit(conn: Connection) -> int:
    """The most bound parameters one statement may hold on this connection."""
    if conn.dialect.name != "sqlite":
        return _POSTGRESQL_BIND_LIMIT
    driver = conn.connection.driver_connection
    try:
        return int(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))  # type: ignore[union-attr]
    except (AttributeError, sqlite3.Error):
        return _SQLITE_MIN_BIND_LIMIT


class Behind:
    """One database call at a time in a worker thread, while the caller goes on (with the next batch).

    The connection is used by one thread at a time: the caller calls :meth:`wait` before it touches the
    database itself. An error of the call comes out of the next :meth:`wait` (or the end of the ``with``
    block) in the caller's thread, where it rolls the transaction back as any other would; when the caller
    fails first, the ``with`` block still waits for the call before the rollback, and the caller's error
    is the one raised.
    """

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._job: Future[None] | None = None

    def submit(self, call: Callable[..., None], *args: Any) -> None:
        self.wait()
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(1, thread_name_prefix="levelhead-insert")
        self._job = self._pool.submit(call, *args)

    def wait(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.result()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._job is not None:
                self._job.exception()  # waits; the caller's error wins over the call's
                self._job = None
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
