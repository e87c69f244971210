"""Writing the audit trail (append-only; the request commits it with everything else)."""

from typing import Any

from flask import g, has_request_context

from app.extensions import db
from app.models import AuditEvent, User


def record(action: str, actor: User | None, subject: User | int | None = None, target: str = "", **details: Any) -> AuditEvent:
    """Add one audit event: who (actor) did what (action, target) to whose data (subject)."""
    subject_id = subject.id if isinstance(subject, User) else subject
    event = AuditEvent(
        action=action, actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        subject_id=subject_id, target=target, details=details,
        request_id=g.get("request_id", "") if has_request_context() else "",
    )
    db.session.add(event)
    return event
