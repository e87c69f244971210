"""Reading the audit trail: search by action, person and dates, page by page or as a CSV export."""

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased

from app import unit_of_work
from app.extensions import db
from app.models import AuditEvent, User
from app.pagination import Page, paged

MAX_ROWS = 5000  # the newest events the page lets one page through
EXPORT_MAX = 100_000  # the newest events one CSV export holds
EXPORT_HEADER = ["When (UTC)", "Action", "Who", "Whose data", "Target", "Details", "Request id", "Event id"]


def _day(text: str, end: bool) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), time.max if end else time.min) if text else None
    except ValueError:
        return None


def _matching(statement: Select, action: str = "", person: str = "", start: str = "", end: str = "") -> Select:
    """The statement narrowed by the filters. An action ending in "." means every action of that group
    ("login." is login.success, login.failure…); any other action is matched exactly. Bad dates are ignored."""
    if action.endswith("."):
        statement = statement.where(AuditEvent.action.startswith(action, autoescape=True))
    elif action:
        statement = statement.where(AuditEvent.action == action)
    if person:
        ids = select(User.id).where(or_(User.email.contains(person.lower(), autoescape=True),
                                        User.display_name.contains(person, autoescape=True)))
        statement = statement.where(or_(AuditEvent.actor_id.in_(ids), AuditEvent.subject_id.in_(ids)))
    if (since := _day(start, end=False)) is not None:
        statement = statement.where(AuditEvent.at >= since)
    if (until := _day(end, end=True)) is not None:
        statement = statement.where(AuditEvent.at <= until)
    return statement


def page(number: int, size: int, **filters: str) -> Page[AuditEvent]:
    """One page of the events matching the filters, newest first, counted and paged in SQL (within MAX_ROWS)."""
    total = min(db.session.scalar(_matching(select(func.count()).select_from(AuditEvent), **filters)) or 0, MAX_ROWS)
    return paged(_matching(select(AuditEvent).order_by(AuditEvent.id.desc()), **filters), total, number, size)


def count(**filters: str) -> int:
    """How many events match the filters."""
    return db.session.scalar(_matching(select(func.count()).select_from(AuditEvent), **filters)) or 0


def actions() -> list[str]:
    """Every action the trail holds, sorted (read from the action index)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def action_groups(names: list[str]) -> list[tuple[str, list[str]]]:
    """The actions grouped by the part before the dot ("login" -> login.failure, login.success…), for a select list."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.partition(".")[0], []).append(name)
    return sorted(groups.items())


def export_rows(**filters: str) -> Iterator[list[Any]]:
    """The CSV rows of the events matching the filters, newest first (at most EXPORT_MAX), with both people's e-mail."""
    actor, subject = aliased(User), aliased(User)
    statement = (select(AuditEvent, actor.email, subject.email)
                 .outerjoin(actor, actor.id == AuditEvent.actor_id).outerjoin(subject, subject.id == AuditEvent.subject_id)
                 .order_by(AuditEvent.id.desc()).limit(EXPORT_MAX).execution_options(yield_per=1000))
    unit_of_work.read_in_one_transaction()
    for event, actor_email, subject_email in db.session.execute(_matching(statement, **filters)):
        details = "; ".join(f"{key}={value}" for key, value in (event.details or {}).items())
        yield [event.at.strftime("%Y-%m-%d %H:%M:%S"), event.action, actor_email or "", subject_email or "",
               event.target, details, event.request_id, event.id]


def names(user_ids: list[int | None]) -> dict[int, str]:
    """User id -> e-mail, for the people on a page of events."""
    ids = {uid for uid in user_ids if uid}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}
