"""Exceptions an instructor makes for one member of a cohort: extra attempts at a quiz, and excusal from a quiz.

Both are cohort matters only: an excusal changes what the gradebook shows and filters, never a pass, a course
completion or a certificate; a grant counts only while the learner is still a member of the cohort that gave it.
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AttemptGrant, Cohort, Enrolment, Excusal, Quiz, User

MAX_GRANT = 10


class ExceptionError(ValueError):
    """A grant or excusal that cannot be made; the message is safe to show."""


@dataclass(frozen=True)
class GrantTotal:
    """Extra attempts a learner holds at one quiz in one cohort."""

    quiz: Quiz
    extra: int


def limited_quizzes() -> list[Quiz]:
    """Quizzes in force that limit attempts: the only ones an extra attempt means anything for."""
    return list(db.session.scalars(select(Quiz).where(Quiz.retired.is_(False), Quiz.attempts_allowed > 0).order_by(Quiz.id)))


def grant(cohort: Cohort, learner: User, quiz: Quiz, extra: int, by: User) -> AttemptGrant:
    """Give the learner `extra` more attempts at a quiz that has an attempt limit."""
    if not quiz.attempts_allowed or quiz.retired:
        raise ExceptionError("That quiz has no attempt limit, so there is nothing to grant.")
    if not 1 <= extra <= MAX_GRANT:
        raise ExceptionError(f"Grant between 1 and {MAX_GRANT} attempts at a time.")
    row = AttemptGrant(cohort_id=cohort.id, user_id=learner.id, quiz_id=quiz.id, extra=extra, granted_by=by.id)
    db.session.add(row)
    db.session.flush()
    return row


def grants_for(cohort: Cohort, user_id: int) -> list[GrantTotal]:
    """The learner's extra attempts in this cohort, totalled per quiz."""
    rows = db.session.execute(
        select(AttemptGrant.quiz_id, func.sum(AttemptGrant.extra))
        .where(AttemptGrant.cohort_id == cohort.id, AttemptGrant.user_id == user_id).group_by(AttemptGrant.quiz_id)).all()
    quizzes = {quiz.id: quiz for quiz in db.session.scalars(select(Quiz).where(Quiz.id.in_([q for q, _n in rows])))}
    return [GrantTotal(quizzes[quiz_id], int(extra)) for quiz_id, extra in rows]


def extra_attempts(user_id: int, quiz_id: int) -> int:
    """Extra attempts the learner holds at a quiz, from the cohorts they still belong to (removal ends a grant)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(AttemptGrant.extra), 0))
        .join(Enrolment, (Enrolment.cohort_id == AttemptGrant.cohort_id) & (Enrolment.user_id == AttemptGrant.user_id))
        .where(AttemptGrant.user_id == user_id, AttemptGrant.quiz_id == quiz_id, Enrolment.removed_at.is_(None))) or 0)


def excuse(cohort: Cohort, learner: User, quiz: Quiz, by: User) -> bool:
    """Excuse the learner from a quiz in this cohort; False when they already were."""
    try:
        with db.session.begin_nested():
            db.session.add(Excusal(cohort_id=cohort.id, user_id=learner.id, quiz_id=quiz.id, excused_by=by.id))
    except IntegrityError:  # already excused (perhaps from another tab a moment ago)
        return False
    return True


def withdraw(cohort: Cohort, user_id: int, quiz_id: int) -> bool:
    """Withdraw an excusal; False when there was none."""
    return db.session.execute(delete(Excusal).where(
        Excusal.cohort_id == cohort.id, Excusal.user_id == user_id, Excusal.quiz_id == quiz_id)).rowcount == 1


def excusals_for(cohort: Cohort, user_id: int) -> list[Excusal]:
    """The learner's excusals in this cohort."""
    return list(db.session.scalars(select(Excusal).where(Excusal.cohort_id == cohort.id, Excusal.user_id == user_id)
                                   .order_by(Excusal.quiz_id)))


def excused(cohort_id: int) -> set[tuple[int, int]]:
    """Every (learner id, quiz id) excused in the cohort, in one query."""
    return set(db.session.execute(select(Excusal.user_id, Excusal.quiz_id).where(Excusal.cohort_id == cohort_id)).all())
