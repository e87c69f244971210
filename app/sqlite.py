"""SQLite connection settings: WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for declared writes."""

import sqlite3

from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.sqlite_writers import QueuedConnection, join_write_queue, use_write_queue

WRITE = "academy_write"  # execution option of a Connection whose transaction was opened to write
READ = "academy_read"  # execution option of a Connection that only reads, even outside a request
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
    # 1 MB of page cache per connection instead of 2: a worker holds several connections, the operating system
    # caches the file for all of them, and in WAL mode each connection's own cache is dropped whenever another writes.
    cursor.execute("PRAGMA cache_size=-1024")
    cursor.close()
    join_write_queue(dbapi_connection)


def _on_begin(connection) -> None:
    """Start write transactions with BEGIN IMMEDIATE, and a request's reads with plain BEGIN.

    A deferred transaction that reads and then writes can fail with "database is locked" when another
    writer got there first; taking the write lock up front makes concurrent writers wait their turn.
    A request reads in a deferred transaction (it holds no lock) until it declares its write
    (app.unit_of_work.write), which opens a new transaction with the WRITE option. Code outside a request
    (commands, scripts, senders) takes the lock up front unless it says otherwise.
    """
    if connection.dialect.name != "sqlite":
        return
    if not opens_write(connection):
        connection.exec_driver_sql("BEGIN")
        return
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, QueuedConnection):
        dbapi_connection.enter_write_queue()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, QueuedConnection):
            dbapi_connection.rollback()  # gives the turn back
        raise


def opens_write(connection) -> bool:
    """Whether this connection's transaction is (or will be) a write transaction."""
    options = connection.get_execution_options()
    return bool(options.get(WRITE) or not (has_request_context() or options.get(READ)))


def register_sqlite_events() -> None:
    """Attach the listeners once per process (they are global to every Engine)."""
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
        event.listen(Engine, "do_connect", use_write_queue)
