"""One unit of work per request: reads outside any write transaction, one short declared write, one commit.

A request reads in a plain (deferred) transaction on SQLite, and statement by statement on PostgreSQL (whose
READ COMMITTED gives each statement its own snapshot either way). Right before it changes anything, the view or service
calls `write()`: that ends the read transaction and opens a write transaction (on SQLite `BEGIN
IMMEDIATE`, which takes the database-wide write lock), so everything written is decided on rows read
again inside it. Slow work (password hashing, PDF rendering, mail) happens before `write()`.
`finish_request`, the app's after-request hook, is the one place a request commits: a declared write is
committed when the page answers below 400 and rolled back otherwise, and any error page discards it.
Commands and background senders use `transaction()` instead.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_request_context, request
from flask import session as cookie_session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db
from app.sqlite import WRITE, opens_write

_DECLARED, _KEEP, _AFTER = "uow_declared", "uow_keep", "uow_after_commit"
_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class UndeclaredWrite(RuntimeError):
    """A change made before its write was declared (a request's undeclared INSERT/UPDATE/DELETE raises it only
    where UNIT_OF_WORK_STRICT is set; elsewhere it is logged)."""


def _begin_write() -> None:
    session = db.session()  # the request's (or command's) Session itself
    if session.in_transaction() and opens_write(session.connection()):
        session.info[_DECLARED] = True  # a command's or script's transaction: it holds the write lock already
        return
    if session.new or session.dirty or session.deleted:
        # Ending the read transaction would silently drop these changes.
        raise UndeclaredWrite("Call unit_of_work.write() before changing any object.")
    session.rollback()  # ends the read transaction
    session.expire_all()  # what was read before is read again inside the write transaction
    session.info[_DECLARED] = True
    session.connection(execution_options={WRITE: True})


def begin_request() -> None:
    """On PostgreSQL a request reads statement by statement, outside any transaction, until it declares its write.

    Its default isolation (READ COMMITTED) gives every statement its own snapshot inside a transaction too, so
    nothing read changes meaning; what goes is a BEGIN and a ROLLBACK round trip on every page. SQLite keeps its
    read transaction, which is one consistent snapshot and costs no round trip.
    """
    # Only for a signed-in visitor, whose user is read on every page anyway: a page that reads nothing keeps its
    # connection in the pool.
    if request.endpoint != "static" and "_user_id" in cookie_session and db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def read_in_one_transaction() -> None:
    """Read the rest of this request inside one transaction (a server-side cursor, as `yield_per` opens on
    PostgreSQL, exists only within one); nothing is written."""
    if not declared() and db.session.get_bind().dialect.name == "postgresql":
        db.session.rollback()
        db.session.connection()


def write() -> None:
    """Declare that this request writes: end its read transaction and open its (short) write transaction."""
    if not db.session.info.get(_DECLARED):
        _begin_write()


def declared() -> bool:
    """Whether this request (or command) has opened its write transaction."""
    return bool(db.session.info.get(_DECLARED))


def keep() -> None:
    """What this request wrote is complete on its own (e.g. a draft kept while a 422 page asks for more): commit it
    even though the page answers 4xx. An error page (abort, CSRF failure, exception) still discards it."""
    write()
    db.session.info[_KEEP] = True


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once this request's write is committed (never after a rollback)."""
    db.session.info.setdefault(_AFTER, []).append(callback)


def end_read() -> None:
    """End a transaction that only read, keeping what it loaded (before slow work such as talking to a server)."""
    session = db.session
    if declared() or session.new or session.dirty or session.deleted:
        raise UndeclaredWrite("end_read() ends a read; this unit of work has changes.")
    session.commit()  # nothing to write: this only releases the snapshot (and, outside requests, the lock)


def discard() -> None:
    """Throw away whatever this request wrote (error pages call this)."""
    db.session.rollback()
    _forget(db.session.info)


def _forget(info: dict) -> None:
    for key in (_DECLARED, _KEEP, _AFTER):
        info.pop(key, None)


def _transaction_ended(session, transaction) -> None:
    """A declared write ends with its transaction, however it ends (scripts and tests may commit themselves)."""
    if transaction.parent is None:
        session.info.pop(_DECLARED, None)
        session.info.pop(_KEEP, None)


def finish_request(response):
    """The one commit of a request: a declared write that ended well is committed, anything else rolled back."""
    session = db.session
    info = session.info
    if not info.get(_DECLARED):
        session.rollback()  # a read-only request: end its read transaction
        return response
    callbacks = info.pop(_AFTER, [])
    if response.status_code < 400 or (info.get(_KEEP) and response.status_code < 500):
        session.commit()
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the write is committed: the page must not claim otherwise
                current_app.logger.exception("After-commit work failed")
    else:
        discard()
    return response


@contextmanager
def transaction() -> Iterator[None]:
    """A unit of work outside a request's own (commands, senders): one write transaction, committed at the end."""
    if declared():
        raise RuntimeError("A write transaction is already open; transaction() does not nest.")
    _begin_write()
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()
    finally:
        _forget(db.session.info)


def _check_write(connection, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    """Refuse a request's INSERT, UPDATE or DELETE on a connection whose transaction was not opened to write."""
    if not has_request_context() or connection.get_execution_options().get(WRITE):
        return
    if not statement.lstrip().upper().startswith(_DML):
        return
    if current_app.config.get("UNIT_OF_WORK_STRICT"):
        raise UndeclaredWrite(f"A request wrote without unit_of_work.write(): {statement[:80]}")
    # Outside tests the write still counts (it is committed with the request) but is logged to be fixed.
    current_app.logger.error("Undeclared write in a request: %s", statement[:80])
    db.session.info[_DECLARED] = True


def register_unit_of_work(app: Flask) -> None:
    """Commit or roll back each request in one place; watch for writes a request did not declare."""
    app.before_request_funcs.setdefault(None, []).insert(0, begin_request)  # before anything reads (the signed-in user)
    app.after_request(finish_request)
    if not event.contains(db.session, "after_transaction_end", _transaction_ended):
        event.listen(db.session, "after_transaction_end", _transaction_ended)
    if not event.contains(Engine, "before_cursor_execute", _check_write):
        event.listen(Engine, "before_cursor_execute", _check_write)
