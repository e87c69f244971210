"""Throttling kept in the database, so every worker and server shares the counts.

Each attempt is claimed (counted) atomically BEFORE the work it guards, such as a password check, so
concurrent requests can never get more checks than the limit allows. Past a free allowance each further
attempt must wait a delay that doubles up to a ceiling, instead of a lockout: a stranger can slow an
account but never shut its owner out, who can always get in through a reset link (which clears the
account's count). Counts are forgotten after a quiet period. Unknown addresses are counted exactly like
known ones, so a delay reveals nothing about which addresses have accounts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import case, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Throttle


@dataclass(frozen=True)
class Rule:
    """A limit: `free` attempts, then a delay of `first` seconds doubling up to `ceiling`; forgotten after `quiet`."""

    name: str
    free: int
    first: int
    ceiling: int
    quiet: timedelta = timedelta(hours=1)

    def delay(self, hits: int) -> int:
        """Seconds to wait after the attempt numbered `hits`."""
        if hits < self.free:
            return 0
        return min(self.first * 2 ** min(hits - self.free, 20), self.ceiling)


SIGN_IN_ACCOUNT = Rule("sign-in:account", free=5, first=30, ceiling=15 * 60)
# Counted after each failure, not claimed, so a school or office signing in at once behind one address is
# never slowed; it slows spraying one password over many accounts.
SIGN_IN_CLIENT = Rule("sign-in:client", free=30, first=10, ceiling=15 * 60)
PASSWORD_CHANGE = Rule("password-change:account", free=5, first=30, ceiling=15 * 60)
# Every message the public can make us send to an address (reset links, sign-up messages) shares one count.
MAIL_TO_ADDRESS = Rule("mail:address", free=3, first=60, ceiling=60 * 60)
RESET_CLIENT = Rule("reset:client", free=20, first=10, ceiling=15 * 60)
REGISTER_CLIENT = Rule("register:client", free=50, first=10, ceiling=15 * 60)  # a class signing up together


def _key(rule: Rule, subject: str | int) -> str:
    return f"{rule.name}:{subject}"[:320]


def _hit(rule: Rule, key: str, now: datetime, only_when_open: bool) -> int | None:
    """Count one hit atomically and set the delay it earns; None when `only_when_open` and a delay is running."""
    forgotten = Throttle.last_at < now - rule.quiet
    condition = [Throttle.key == key, Throttle.blocked_until <= now] if only_when_open else [Throttle.key == key]
    # A conditional UPDATE: on PostgreSQL a concurrent claim waits for this row and re-checks the condition
    # against the committed result; on SQLite the write transaction already serialises claims.
    hits = db.session.scalar(
        update(Throttle).where(*condition).values(hits=case((forgotten, 1), else_=Throttle.hits + 1), last_at=now)
        .returning(Throttle.hits).execution_options(synchronize_session=False))
    if hits is None:
        if db.session.scalar(select(Throttle.id).where(Throttle.key == key)) is not None:
            return None
        try:
            with db.session.begin_nested():
                db.session.execute(insert(Throttle).values(key=key, hits=1, last_at=now, blocked_until=now))
        except IntegrityError:  # another worker made the row at the same moment
            return _hit(rule, key, now, only_when_open)
        hits = 1
    if wait := rule.delay(hits):
        db.session.execute(update(Throttle).where(Throttle.key == key)
                           .values(blocked_until=now + timedelta(seconds=wait)).execution_options(synchronize_session=False))
    return hits


def waiting(rule: Rule, subject: str | int, now: datetime) -> int:
    """Seconds left before the subject may try again under this rule (0: now)."""
    blocked = db.session.scalar(select(Throttle.blocked_until).where(Throttle.key == _key(rule, subject)))
    return max(1, ceil((blocked - now).total_seconds())) if blocked is not None and blocked > now else 0


def claim(rule: Rule, subject: str | int, now: datetime) -> int:
    """Count one attempt before doing its work; 0 when it may go ahead, else the seconds left to wait."""
    while _hit(rule, _key(rule, subject), now, only_when_open=True) is None:
        if wait := waiting(rule, subject, now):
            return wait
    return 0


def count(rule: Rule, subject: str | int, now: datetime) -> int:
    """Count an attempt after the fact (a failure), so that only failures slow the subject; the delay it earns."""
    return rule.delay(_hit(rule, _key(rule, subject), now, only_when_open=False))


def claim_all(claims: list[tuple[Rule, str | int]], now: datetime) -> tuple[Rule, int] | None:
    """Claim under each rule in turn; the first rule that refuses and its wait, or None when all allow it."""
    for rule, subject in claims:
        if wait := claim(rule, subject, now):
            return rule, wait
    return None


def release(rule: Rule, subject: str | int, now: datetime) -> None:
    """Forget the attempts counted for this subject (the owner proved who they are)."""
    db.session.execute(update(Throttle).where(Throttle.key == _key(rule, subject))
                       .values(hits=0, blocked_until=now).execution_options(synchronize_session=False))
