"""Writers to one SQLite file queue for its write lock, so each goes the moment the previous one commits.

SQLite makes a writer that finds the database locked sleep and retry (1, 2, 5, 10 … up to 100 ms between tries),
however soon the lock comes free: with a few threads writing at once, most of a write's time went in those sleeps
and the latest arrival often went first. Here a declared write (BEGIN IMMEDIATE) first takes a lock of the process
(threads wake as soon as it is free) and then a file lock beside the database (the other server processes), and
holds both until its transaction commits or rolls back. A thread that already holds the queue (a second connection
inside its own write) is left to SQLite's own locking, as before, rather than waiting for itself.
"""

import fcntl
import sqlite3
import threading
import time

TIMEOUT_SECONDS = 10.0  # as long as SQLite's busy timeout: then "database is locked", as before


class _Queue:
    """The turn-taking of every writer to one database file in this process."""

    def __init__(self, path: str) -> None:
        self.turn = threading.Lock()
        self.owner: int | None = None
        self.path = f"{path}-writers"
        self.handle = None

    def enter(self) -> bool:
        """Wait for this file's write turn; False when this thread holds it already (nothing to release then)."""
        if self.owner == threading.get_ident():
            return False
        deadline = time.monotonic() + TIMEOUT_SECONDS
        if not self.turn.acquire(timeout=TIMEOUT_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        try:
            self.handle = open(self.path, "a")  # noqa: SIM115 - closed by leave(), when the turn is given back
            pause = 0.0002
            while True:  # a file lock has no timeout of its own; the other process's writer is one short transaction
                try:
                    fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise sqlite3.OperationalError("database is locked") from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except BaseException:
            if self.handle is not None:
                self.handle.close()
                self.handle = None
            self.turn.release()
            raise
        self.owner = threading.get_ident()
        return True

    def leave(self) -> None:
        self.owner = None
        try:
            self.handle.close()  # closing the file gives its lock back
        finally:
            self.handle = None
            self.turn.release()


_queues: dict[str, _Queue] = {}
_queues_lock = threading.Lock()


def _queue_for(path: str) -> _Queue:
    with _queues_lock:
        if path not in _queues:
            _queues[path] = _Queue(path)
        return _queues[path]


class QueuedConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions take their turn in the file's queue, and give it back on commit,
    rollback or close."""

    queue: _Queue | None = None
    holding = False

    def enter_write_queue(self) -> None:
        """Take this file's write turn (before BEGIN IMMEDIATE)."""
        if self.queue is not None and not self.holding:
            self.holding = self.queue.enter()

    def _leave(self) -> None:
        if self.holding:
            self.holding = False
            self.queue.leave()

    def commit(self) -> None:
        try:
            sqlite3.Connection.commit(self)
        finally:
            self._leave()

    def rollback(self) -> None:
        try:
            sqlite3.Connection.rollback(self)
        finally:
            self._leave()

    def close(self) -> None:
        try:
            sqlite3.Connection.close(self)
        finally:
            self._leave()


def use_write_queue(dialect, _record, cargs, cparams) -> None:
    """Make every connection to a SQLite file a QueuedConnection (an in-memory database has no other writers)."""
    if dialect.name == "sqlite" and "factory" not in cparams and not cparams.get("uri"):
        path = cargs[0] if cargs else cparams.get("database", "")
        if path and path != ":memory:":
            cparams["factory"] = QueuedConnection


def join_write_queue(dbapi_connection: sqlite3.Connection) -> None:
    """Attach the queue of the file a connection just made has open."""
    if isinstance(dbapi_connection, QueuedConnection):
        path = next((row[2] for row in dbapi_connection.execute("PRAGMA database_list") if row[1] == "main"), "")
        if path:
            dbapi_connection.queue = _queue_for(path)
