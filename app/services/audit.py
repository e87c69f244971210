"""The audit trail: append-only (the database refuses UPDATE and DELETE) and hash-chained.

Events of a request that has not declared a write (a page being read) go in their own short write
transaction, so that reading never holds the write lock; events of a writing request (and of commands) join
its transaction and stand or fall with it.
"""

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import g, has_request_context
from sqlalchemy import insert, select, text

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow
from app.sqlite import WRITE
from app.unit_of_work import declared

GENESIS = "0" * 64
HASHED_FIELDS = ("at", "actor_id", "action", "subject_id", "target", "details", "request_id")


def event_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """The hash of an event's fields chained to the previous event's hash."""
    fields = {name: values.get(name) for name in HASHED_FIELDS}
    if isinstance(fields["at"], datetime):
        fields["at"] = fields["at"].isoformat(timespec="microseconds")
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}|{payload}".encode()).hexdigest()


def _append(connection, values: dict[str, Any]) -> None:
    if connection.dialect.name == "postgresql":  # one writer of the chain at a time
        connection.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    prev = connection.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar() or GENESIS
    connection.execute(insert(AuditEvent).values(**values, prev_hash=prev, hash=event_hash(prev, values)))


def record(action: str, actor: User | None, subject: User | int | None = None, target: str = "", **details: Any) -> None:
    """Append one event: who (actor) did what (action, target) to whose data (subject), in UTC."""
    values = {
        "at": utcnow(), "action": action, "target": target, "details": details,
        "actor_id": actor.id if actor is not None and actor.is_authenticated else None,
        "subject_id": subject.id if isinstance(subject, User) else subject,
        "request_id": g.get("request_id", "") if has_request_context() else "",
    }
    if has_request_context() and not declared():
        with db.engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
            _append(connection, values)
    else:
        _append(db.session.connection(), values)


def verify() -> tuple[int, int | None]:
    """Walk the chain; returns how many events were checked and the id of the first broken one (None if intact)."""
    prev, checked = GENESIS, 0
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    try:
        for event in events:
            values = {name: getattr(event, name) for name in HASHED_FIELDS}
            if event.prev_hash != prev or event.hash != event_hash(prev, values):
                return checked, event.id
            prev, checked = event.hash, checked + 1
    finally:
        events.close()  # a server-side cursor on PostgreSQL when the walk stops early
    return checked, None
