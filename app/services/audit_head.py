"""The audit chain's head (how many events, the last one's id and hash), kept in a file the database cannot rewrite.

The chain's HMAC shows a changed event and a removed event in the middle; only something outside the database
can show that events were removed from the end, or all of them. After every commit that added events the head
is moved forward along the chain, under a file lock so that several worker processes take turns, and written
atomically (a temporary file renamed over the old one), so a reader never sees half a head.
"""

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, Engine, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.extensions import db
from app.models import AuditEvent

GENESIS = "0" * 64
APPENDED = "audit_appended"  # set in session.info by a transaction that added events
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Head:
    """The last event the head file vouches for, and how many events the chain held up to it."""

    count: int = 0
    last_id: int = 0
    hash: str = GENESIS


def head_path() -> Path:
    """Where this app keeps the head (AUDIT_HEAD_PATH)."""
    return Path(current_app.config["AUDIT_HEAD_PATH"])


def read_head(path: Path | None = None) -> Head | None:
    """The recorded head, or None when no head file exists yet."""
    path = path or head_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    return Head(int(data["count"]), int(data["last_id"]), str(data["hash"]))


def _write(path: Path, head: Head) -> None:
    # Renamed into place, so a reader sees the old head or the new one, never half. Not forced to disk: SQLite's
    # commits are not either (synchronous=NORMAL), and after a power cut a head that lags behind the database is
    # walked forward by the next event, whereas one that got ahead of a lost commit would look like tampering.
    # Only the holder of the head's lock writes, so one temporary name serves every process.
    temporary = path.with_name(f".{path.name}.new")
    try:
        temporary.write_text(json.dumps(asdict(head)))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process at a time reads the head, walks on and writes it
        yield


def write_head(head: Head) -> None:
    """Record a head outright (the migration that keys an existing chain does, once)."""
    path = head_path()
    with _locked(path):
        _write(path, head)


_unpooled: dict[str, Engine] = {}


def _own_connection() -> Connection:
    """A connection outside the app's pool: the head moves after a commit, while the committing request still holds its
    pooled connection, so taking a second one from that pool could wait for ever once every connection is so held."""
    url = db.engine.url.render_as_string(hide_password=False)
    if url not in _unpooled:  # an engine without a pool keeps no connection open, so one per database costs nothing
        _unpooled[url] = create_engine(url, poolclass=NullPool)
    return _unpooled[url].connect()


def _followed(head: Head, appended: list[tuple[int, str, str]]) -> Head | None:
    """The head moved over events just committed (id, previous hash, hash), if they continue it directly."""
    for event_id, prev_hash, event_hash in appended:
        if event_id <= head.last_id or prev_hash != head.hash:
            return None
        head = Head(head.count + 1, event_id, event_hash)
    return head


def advance_head(connection=None, appended: list[tuple[int, str, str]] | None = None) -> Head:
    """Move the head over every event that continues the chain from it; an event that does not is left for verify.

    Reads through `connection` (a migration's own) or a fresh one, unless the events just committed (`appended`)
    continue the recorded head directly: then it moves over them without reading the database, the usual case
    for a page view's event. Returns the head as it now stands.
    """
    from app.services.audit import event_hash, hashed_values

    path = head_path()
    with _locked(path):
        recorded = read_head(path)
        if recorded is None:
            log.warning("No audit head at %s: starting one from the database's chain.", path)
        head = recorded or Head()
        followed = _followed(head, appended) if appended and recorded is not None else None
        if followed is not None:
            _write(path, followed)
            return followed
        own = connection is None
        connection = _own_connection() if own else connection
        try:
            events = connection.execute(select(AuditEvent.__table__).where(AuditEvent.id > head.last_id)
                                        .order_by(AuditEvent.id).execution_options(yield_per=500))
            moved = head
            for event in events.mappings():
                if event["prev_hash"] != moved.hash or event["hash"] != event_hash(moved.hash, hashed_values(event)):
                    log.error("Audit event %s does not continue the chain from the recorded head (event %s); "
                              "run `flask audit verify`.", event["id"], moved.last_id)
                    break
                moved = Head(moved.count + 1, event["id"], event["hash"])
            events.close()
        finally:
            if own:
                connection.close()
        if moved != head or recorded is None:
            _write(path, moved)
        return moved


def move_head(appended: list[tuple[int, str, str]] | None = None) -> None:
    """Advance the head after events were committed; a failure is logged, never raised (the events stand)."""
    try:
        advance_head(appended=appended)
    except Exception:  # the commit has happened; a head left behind shows in verify, a 500 would help nobody
        log.exception("Could not update the audit head file; `flask audit verify` will report the gap.")


def after_commit(session: Session) -> None:
    """After a commit that added audit events, move the head over them."""
    # The head is walked from the database: a savepoint rolled back within the transaction may have taken some
    # of the events it added with it.
    if session.info.pop(APPENDED, False):
        move_head()


def after_rollback(session: Session) -> None:
    """A rolled-back transaction added nothing."""
    session.info.pop(APPENDED, None)
