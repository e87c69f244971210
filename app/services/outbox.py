"""Claiming outbox rows (queued e-mail, queued xAPI statements) so that two senders never send one row twice.

An outbox table has the columns `status` ("queued" until it is sent or set aside), `next_attempt_at`,
`claim` and `claimed_until`. A sender claims due rows for a short lease before it sends them: the claim is
an UPDATE that re-checks that each row is still queued and unclaimed, so of two senders racing for a row
(two gunicorn workers, a worker and cron) only one gets it. A sender that dies leaves its rows claimed
until the lease runs out; then another sender takes them.
"""

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from app import unit_of_work
from app.extensions import db
from app.models.base import utcnow

LEASE = timedelta(minutes=2)


def claim(model, limit: int, due_only: bool = True, after_id: int = 0) -> list:
    """Claim up to `limit` queued rows of `model`, oldest first, for this sender; commits the claim.

    `due_only` leaves out rows still waiting out a retry delay; `after_id` leaves out the rows up to that id
    (a sender going through the queue once passes the last id it tried, so a row it just failed is not
    taken again in the same run).
    """
    now, token = utcnow(), str(uuid.uuid4())
    free = (model.claimed_until.is_(None)) | (model.claimed_until < now)
    candidates = select(model.id).where(model.status == "queued", free)
    if due_only:
        candidates = candidates.where(model.next_attempt_at <= now)
    if after_id:
        candidates = candidates.where(model.id > after_id)
    # Committed at once: no transaction (on SQLite, no write lock) stays open while talking to the other side.
    with unit_of_work.transaction():
        ids = list(db.session.scalars(candidates.order_by(model.id).limit(limit)))
        if ids:
            # Re-checked in the UPDATE itself: of two senders racing for a row only one matches it.
            db.session.execute(update(model).where(model.id.in_(ids), model.status == "queued", free)
                               .values(claim=token, claimed_until=now + LEASE).execution_options(synchronize_session=False))
        claimed = select(model).where(model.claim == token).order_by(model.id)
        # populate_existing: rows this session already holds must show the claim just written, or clearing it is lost.
        rows = list(db.session.scalars(claimed.execution_options(populate_existing=True)))
    return rows


def release(row) -> None:
    """Give up the claim on a row whose outcome is being recorded (the caller commits)."""
    row.claim, row.claimed_until = None, None


def retry_delay(attempts: int, first: timedelta, longest: timedelta) -> timedelta:
    """A delay that doubles with each failed attempt, from `first` up to `longest`."""
    return min(first * 2 ** min(max(attempts - 1, 0), 20), longest)
