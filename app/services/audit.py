"""The audit trail: append-only (the database refuses UPDATE, DELETE and TRUNCATE) and chained with an HMAC.

Each event's hash is an HMAC (key AUDIT_KEY, never stored in the database) over its fields and the previous
event's hash, so nobody with only database access can change, remove or re-hash an event unseen; the head file
(app.services.audit_head) shows events removed from the end.

Events of a request that has not declared a write (a page being read) go in their own short write
transaction, grouped with those of the worker's other threads viewing pages at the same moment, so that reading
never holds the write lock and the page is shown only once its event is committed; events of a writing request
(and of commands) join its transaction and stand or fall with it.
"""

import hashlib
import hmac
import json
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app, g, has_request_context
from sqlalchemy import insert, select, text

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow
from app.services.audit_head import APPENDED, GENESIS, Head, move_head, read_head
from app.sqlite import WRITE
from app.unit_of_work import declared

HASHED_FIELDS = ("at", "actor_id", "action", "subject_id", "target", "details", "request_id")


def hashed_values(event: Any) -> dict[str, Any]:
    """The fields the chain covers, from an AuditEvent or a row mapping."""
    if isinstance(event, Mapping):
        return {name: event[name] for name in HASHED_FIELDS}
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def event_hash(prev_hash: str, values: dict[str, Any], key: str | None = None) -> str:
    """The HMAC-SHA-256 (AUDIT_KEY by default) of an event's fields chained to the previous event's hash."""
    fields = {name: values.get(name) for name in HASHED_FIELDS}
    if isinstance(fields["at"], datetime):
        fields["at"] = fields["at"].isoformat(timespec="microseconds")
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    secret = (key or current_app.config["AUDIT_KEY"]).encode()
    return hmac.new(secret, f"{prev_hash}|{payload}".encode(), hashlib.sha256).hexdigest()


# Built once: building the statements cost more than running them, and every page that shows another person's
# results appends an event.
_LAST_HASH = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
_INSERT = insert(AuditEvent).returning(AuditEvent.id)
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(4242)")


def _append(connection, batch: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """Insert the events after the chain's last, in order; returns each one's id, previous hash and hash (for the head
    to move over)."""
    if connection.dialect.name == "postgresql":  # one writer of the chain at a time
        connection.execute(_CHAIN_LOCK)
    prev = connection.execute(_LAST_HASH).scalar() or GENESIS
    appended = []
    for values in batch:
        digest = event_hash(prev, values)
        event_id = connection.execute(_INSERT, {**values, "prev_hash": prev, "hash": digest}).scalar_one()
        appended.append((event_id, prev, digest))
        prev = digest
    return appended


class _Waiting:
    """A page view's event waiting for a writer to append it."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values, self.done, self.error = values, False, None


class _ViewEvents:
    """Page views' events of one database, appended in groups: the thread that finds the writer free appends every
    event waiting by then in one transaction and moves the head once, and the others find theirs written. One
    transaction and one head move per event had every thread of a busy worker queue for the lock (and the head's)."""

    def __init__(self) -> None:
        self.writer, self.guard, self.waiting = threading.Lock(), threading.Lock(), []

    def append(self, values: dict[str, Any]) -> None:
        mine = _Waiting(values)
        with self.guard:
            self.waiting.append(mine)
        with self.writer:
            if not mine.done:
                with self.guard:
                    batch, self.waiting = self.waiting, []
                try:
                    with db.engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
                        appended = _append(connection, [event.values for event in batch])
                except BaseException as error:
                    for event in batch:
                        event.error = error
                    raise
                finally:
                    for event in batch:
                        event.done = True
                move_head(appended)
        if mine.error is not None:
            raise RuntimeError("The audit event could not be recorded.") from mine.error


_view_events: dict[str, _ViewEvents] = {}
_view_events_guard = threading.Lock()


def _view_events_of_database() -> _ViewEvents:
    key = f"{db.engine.url}|{current_app.config.get('AUDIT_HEAD_PATH')}"
    with _view_events_guard:
        return _view_events.setdefault(key, _ViewEvents())


def record(action: str, actor: User | None, subject: User | int | None = None, target: str = "", **details: Any) -> None:
    """Append one event: who (actor) did what (action, target) to whose data (subject), in UTC."""
    values = {
        "at": utcnow(), "action": action, "target": target, "details": details,
        "actor_id": actor.id if actor is not None and actor.is_authenticated else None,
        "subject_id": subject.id if isinstance(subject, User) else subject,
        "request_id": g.get("request_id", "") if has_request_context() else "",
    }
    if has_request_context() and not declared():
        _view_events_of_database().append(values)
    else:
        _append(db.session.connection(), [values])
        db.session.info[APPENDED] = True  # the head moves on after the commit (audit_head.after_commit)


class Verdict(NamedTuple):
    """What `verify` found: events checked, the first broken one's id (or None), and what is wrong ("" if nothing)."""

    checked: int
    broken: int | None
    problem: str
    end: Head = Head()  # the last good event the walk reached


def verify() -> Verdict:
    """Walk the chain and compare it with the recorded head; a missing, changed or re-hashed event is reported."""
    head = read_head()
    prev, checked, reached, end = GENESIS, 0, None, Head()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    try:
        for event in events:
            if event.prev_hash != prev or event.hash != event_hash(prev, hashed_values(event)):
                return Verdict(checked, event.id, f"The audit trail is broken at event {event.id} (after {checked} good events): "
                                                  "an event was changed or re-hashed, or the one before it was removed.")
            prev, checked, end = event.hash, checked + 1, Head(checked + 1, event.id, event.hash)
            if head is not None and event.id == head.last_id:
                reached = end
    finally:
        events.close()  # a server-side cursor on PostgreSQL when the walk stops early
    if head is None:
        if checked:
            return Verdict(checked, None, f"The audit head file is missing, so removed events cannot be ruled out ({checked} events).", end)
        return Verdict(0, None, "", end)
    if reached != head:
        return Verdict(checked, None, f"The audit trail holds {checked} good events, but its head records {head.count} events up to event "
                                      f"{head.last_id}: events were removed from the end, or the whole trail was replaced.", end)
    return Verdict(checked, None, "", end)
