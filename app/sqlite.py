"""SQLite connection settings: WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for writes."""

import sqlite3

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORCE_WRITE = "force_write"  # set in connection.info to take the write lock even during a GET
BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_connection, _record) -> None:
    """Configure every new SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take over transaction control from pysqlite so that _on_begin decides how each one starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(connection) -> None:
    """Start write transactions with BEGIN IMMEDIATE.

    A deferred transaction that reads and then writes can fail with "database is locked" when another
    writer got there first; taking the write lock up front makes concurrent writers wait their turn.
    Read-only requests keep plain BEGIN so that readers never queue behind writers.
    """
    if connection.dialect.name != "sqlite":
        return
    read_only = has_request_context() and request.method in READ_ONLY_METHODS and not connection.info.get(FORCE_WRITE)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def register_sqlite_events() -> None:
    """Attach the listeners once per process (they are global to every Engine)."""
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
