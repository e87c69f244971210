"""Spaced review: every question answered wrongly comes back after 1, 3 and 7 days until it is learned."""

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Question, QuizAttempt, ReviewItem, User
from app.models.base import utcnow
from app.questions import question_type

INTERVALS = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
SESSION_SIZE = 10


def _item(user_id: int, question_id: int) -> ReviewItem | None:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.user_id == user_id, ReviewItem.question_id == question_id))


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
