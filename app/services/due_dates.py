"""Cohort due dates: when an instructor wants the cohort's members to have passed each quiz."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from app.extensions import db
from app.models import Cohort, DueDate, Enrolment, Excusal, Quiz, User

LATEST_YEAR = 2100


class DueDateError(ValueError):
    """A due date that cannot be set; the message is safe to show."""


@dataclass(frozen=True)
class LearnerDue:
    """A quiz's due date as one learner sees it: the earliest of their cohorts' dates."""

    quiz_id: int
    due_on: date
    cohort: str


def set_due(cohort: Cohort, quiz: Quiz, due_on: date, today: date, by: User) -> DueDate:
    """Set (or move) the cohort's due date for a quiz; a date in the past is refused, since no one could meet it."""
    if quiz.retired:
        raise DueDateError("That quiz is no longer part of the course.")
    if due_on < today:
        raise DueDateError("The due date is in the past. Choose today or a later date.")
    if due_on.year > LATEST_YEAR:
        raise DueDateError(f"Choose a date before {LATEST_YEAR}.")
    row = db.session.scalar(select(DueDate).where(DueDate.cohort_id == cohort.id, DueDate.quiz_id == quiz.id))
    if row is None:
        row = DueDate(cohort_id=cohort.id, quiz_id=quiz.id, due_on=due_on, set_by=by.id)
        db.session.add(row)
    else:
        row.due_on, row.set_by = due_on, by.id
    db.session.flush()
    return row


def clear_due(cohort: Cohort, quiz_id: int) -> bool:
    """Remove the cohort's due date for a quiz; False when there was none."""
    return db.session.execute(delete(DueDate).where(DueDate.cohort_id == cohort.id, DueDate.quiz_id == quiz_id)).rowcount == 1


def for_cohort(cohort_id: int) -> dict[int, date]:
    """Quiz id -> due date for the cohort, in one query."""
    return dict(db.session.execute(select(DueDate.quiz_id, DueDate.due_on).where(DueDate.cohort_id == cohort_id)).all())


def for_learner(user: User) -> dict[int, LearnerDue]:
    """Quiz id -> the earliest due date from the learner's current, open cohorts, leaving out quizzes they are excused from."""
    excused = select(Excusal.id).where(Excusal.cohort_id == DueDate.cohort_id, Excusal.user_id == user.id,
                                       Excusal.quiz_id == DueDate.quiz_id).exists()
    rows = db.session.execute(
        select(DueDate.quiz_id, DueDate.due_on, Cohort.name).join(Cohort, Cohort.id == DueDate.cohort_id)
        .join(Enrolment, Enrolment.cohort_id == DueDate.cohort_id)
        .where(Enrolment.user_id == user.id, Enrolment.removed_at.is_(None), Cohort.archived_at.is_(None),
               ~excused)
        .order_by(DueDate.due_on.desc()))
    return {quiz_id: LearnerDue(quiz_id, due_on, name) for quiz_id, due_on, name in rows}  # the earliest wins
