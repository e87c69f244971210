"""Reading the audit trail: search by action, person and dates."""

from datetime import date, datetime, time

from sqlalchemy import or_, select

from app.extensions import db
from app.models import AuditEvent, User

MAX_ROWS = 5000


def _day(text: str, end: bool) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), time.max if end else time.min) if text else None
    except ValueError:
        return None


def search(action: str = "", person: str = "", start: str = "", end: str = "") -> list[AuditEvent]:
    """Events matching the filters, newest first (at most MAX_ROWS); bad dates are ignored."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(MAX_ROWS)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if person:
        ids = select(User.id).where(or_(User.email.contains(person.lower(), autoescape=True),
                                        User.display_name.contains(person, autoescape=True)))
        query = query.where(or_(AuditEvent.actor_id.in_(ids), AuditEvent.subject_id.in_(ids)))
    if (since := _day(start, end=False)) is not None:
        query = query.where(AuditEvent.at >= since)
    if (until := _day(end, end=True)) is not None:
        query = query.where(AuditEvent.at <= until)
    return list(db.session.scalars(query))


def names(user_ids: list[int | None]) -> dict[int, str]:
    """User id -> e-mail, for the people on a page of events."""
    ids = {uid for uid in user_ids if uid}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}
