"""Spaced review: every question answered wrongly comes back after 1, 3 and 7 days until it is learned."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Question, QuizAttempt, ReviewItem, User
from app.models.base import utcnow
from app.questions import question_type

INTERVALS = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
SESSION_SIZE = 10


# Built once: each wrong answer of a submission looks its item up inside the write lock.
_ITEM = select(ReviewItem).where(ReviewItem.user_id == bindparam("user_id"), ReviewItem.question_id == bindparam("question_id"))


def _item(user_id: int, question_id: int) -> ReviewItem | None:
    return db.session.scalar(_ITEM, {"user_id": user_id, "question_id": question_id})


def schedule_again(user_id: int, question_id: int, now: datetime) -> ReviewItem:
    """Put a missed question (back) at the first interval."""
    item = _item(user_id, question_id)
    if item is None:
        item = ReviewItem(user_id=user_id, question_id=question_id)
        db.session.add(item)
    item.stage, item.due_at, item.retired = 0, now + INTERVALS[0], False
    return item


def record_quiz_results(attempt: QuizAttempt) -> None:
    """After a graded attempt, queue every question the learner got wrong for review."""
    now = attempt.submitted_at or utcnow()
    for shown, right in zip(attempt.snapshot, attempt.results or [], strict=False):
        if not right and shown.get("question_id"):
            schedule_again(attempt.user_id, shown["question_id"], now)
    db.session.flush()


def record_review_answer(item: ReviewItem, right: bool, now: datetime | None = None) -> None:
    """Right moves the question to the next interval (after the last, it is learned); wrong starts over."""
    now = now or utcnow()
    item.last_reviewed_at = now
    if not right:
        item.stage, item.due_at = 0, now + INTERVALS[0]
    elif item.stage + 1 < len(INTERVALS):
        item.stage += 1
        item.due_at = now + INTERVALS[item.stage]
    else:
        item.retired = True


def _due_query(user: User, now: datetime):
    return (
        select(ReviewItem)
        .join(ReviewItem.question)
        .where(ReviewItem.user_id == user.id, ReviewItem.retired.is_(False), ReviewItem.due_at <= now,
               Question.retired.is_(False))
    )


def due_count(user: User, now: datetime | None = None) -> int:
    """How many review questions are due for the learner now."""
    query = _due_query(user, now or utcnow()).with_only_columns(func.count())
    return db.session.scalar(query)


def due_items(user: User, now: datetime | None = None) -> list[ReviewItem]:
    """The next review session: the questions due longest, at most SESSION_SIZE."""
    query = _due_query(user, now or utcnow()).order_by(ReviewItem.due_at, ReviewItem.id).limit(SESSION_SIZE)
    return list(db.session.scalars(query.options(selectinload(ReviewItem.question))))


def present(item: ReviewItem) -> dict[str, Any]:
    """A due question as shown for review; a fixed order per item keeps a re-shown form consistent."""
    question = item.question
    # A seeded display order, not a secret.
    return question_type(question.type).present(question.definition, random.Random(item.id * 7919 + item.stage))  # nosec B311


def next_due(user: User) -> datetime | None:
    """When the learner's next review question falls due (None if nothing is queued)."""
    return db.session.scalar(
        select(func.min(ReviewItem.due_at)).where(ReviewItem.user_id == user.id, ReviewItem.retired.is_(False))
    )


def _plural(count: int, one: str, many: str) -> str:
    """"1 hour", "3 hours"."""
    return f"{count} {one if count == 1 else many}"


def _days(days: int) -> str:
    """"tomorrow", "in 3 days"."""
    return "tomorrow" if days == 1 else f"in {days} days"


@dataclass(frozen=True)
class Tally:
    """A review round's outcome: how many were right, and when the answered questions come back."""

    right: int
    total: int
    back_in: tuple[tuple[int, int], ...]  # (days until due again, how many), soonest first
    learned: int

    def sentence(self) -> str:
        """The round in words, e.g. "You got 4 of 5 right; 1 comes back tomorrow, 4 come back in 3 days."."""
        parts = [f"{count} {'comes' if count == 1 else 'come'} back {_days(days)}" for days, count in self.back_in]
        if self.learned:
            parts.append(f"{self.learned} {'is' if self.learned == 1 else 'are'} learned and will not come back")
        return f"You got {self.right} of {self.total} right" + ("; " + ", ".join(parts) if parts else "") + "."


def tally(answered: list[tuple[ReviewItem, bool]]) -> Tally:
    """Count a round of answers recorded by record_review_answer, reading each item's new place in the schedule."""
    back: dict[int, int] = {}
    for item, _right in answered:
        if not item.retired:
            days = INTERVALS[item.stage].days
            back[days] = back.get(days, 0) + 1
    return Tally(sum(right for _item, right in answered), len(answered), tuple(sorted(back.items())),
                 sum(item.retired for item, _right in answered))


def due_in_words(when: datetime, now: datetime | None = None) -> str:
    """How soon a review question falls due, in words ("in 5 hours", "tomorrow", "in 3 days")."""
    seconds = (when - (now or utcnow())).total_seconds()
    if seconds < 3600:
        return "within the hour"
    if seconds < 24 * 3600:
        return "in " + _plural(int(seconds // 3600), "hour", "hours")
    return _days(int(-(-seconds // (24 * 3600))))
