"""Transactions: one per request or CLI command, and SQLite's locking made to fit it.

Service verbs only flush. The request commits once at the end when it succeeded, or rolls
back, so a verb and everything it causes land together or not at all.

On SQLite (WAL) readers never wait for the writer, but a transaction that has read and then
writes fails at once with SQLITE_BUSY when another connection committed in between. So
nothing is begun for reads: each SELECT sees the newest committed data, as under
PostgreSQL's READ COMMITTED, and holds no lock. The first write (or `write_lock()`) begins
IMMEDIATE, which waits for other writers on the busy timeout instead of failing. Work done
before that point (rendering Markdown, checking input) therefore never blocks anybody.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from forum.extensions import db

# How long a SQLite writer waits for another writer before "database is locked".
BUSY_TIMEOUT_MS = 10_000
# Statements that read; anything else on SQLite first takes the write lock.
_READS = ("SELECT", "PRAGMA")


def _sqlite_connection(connection: Any) -> Any:
    """Return the sqlite3 connection under a SQLAlchemy connection."""
    return connection.connection.dbapi_connection


def _begin_immediate(dbapi_connection: Any) -> None:
    """Take SQLite's write lock unless this connection already is in a transaction."""
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def configure_sqlite(engine: Engine) -> None:
    """Turn on WAL, a busy timeout and foreign keys, and take the write lock only to write."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver begins nothing; we decide below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: the pragmas below wait
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(
        connection: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if not statement.lstrip().upper().startswith(_READS):
            _begin_immediate(_sqlite_connection(connection))


def write_lock() -> None:
    """Take the database's write lock now, so the reads that follow see the latest data.

    On SQLite this begins IMMEDIATE; on PostgreSQL it does nothing (use FOR UPDATE there).
    Call it before a read whose value decides a write, such as the next post's position.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        _begin_immediate(_sqlite_connection(connection))


def try_write_lock() -> bool:
    """Take the write lock if nobody holds it, without waiting; return whether it is ours.

    For writes that may be skipped, like moving a read mark while showing a page: reading
    never waits for a writer. On PostgreSQL rows are locked as written, so always True.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return True
    dbapi_connection = _sqlite_connection(connection)
    if dbapi_connection.in_transaction:
        return True
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # another connection writes: "database is locked"
        return False
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return True


def finish_request(status_code: int) -> None:
    """Commit the request's transaction when it succeeded (below 400), else roll it back."""
    if status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
