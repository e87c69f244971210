"""Sign-in throttling: after repeated failures an address is locked for a while, in the database, so every
worker process sees the same counts. Unknown addresses are counted the same way, so a lockout reveals
nothing about which addresses have accounts."""

from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import LoginThrottle
from app.services.accounts import normalise_email

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


def locked_until(email: str, now: datetime) -> datetime | None:
    """When the address's lock ends, if it is locked now."""
    until = db.session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.email == normalise_email(email)))
    return until if until is not None and until > now else None


def record_failure(email: str, now: datetime) -> bool:
    """Count a failed sign-in atomically; returns True when this failure locks the address."""
    key = normalise_email(email)[:254]
    stale = LoginThrottle.first_failure_at < now - WINDOW
    changed = db.session.execute(
        update(LoginThrottle).where(LoginThrottle.email == key).values(
            failures=case((stale, 1), else_=LoginThrottle.failures + 1),
            first_failure_at=case((stale, now), else_=LoginThrottle.first_failure_at),
        ).execution_options(synchronize_session=False)).rowcount
    if not changed:
        try:
            with db.session.begin_nested():
                db.session.add(LoginThrottle(email=key, failures=1, first_failure_at=now))
        except IntegrityError:  # another worker counted the first failure at the same moment
            return record_failure(email, now)
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.email == key).execution_options(populate_existing=True))
    if row.failures >= MAX_FAILURES and (row.locked_until is None or row.locked_until <= now):
        row.locked_until, row.failures = now + LOCK, 0
        return True
    return False


def clear(email: str) -> None:
    """Forget the failures of an address after a successful sign-in."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.email == normalise_email(email))
                       .values(failures=0, locked_until=None).execution_options(synchronize_session=False))
