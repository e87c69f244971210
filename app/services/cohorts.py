"""Cohorts: creating them, joining with a code, removing members and archiving (history is kept)."""

import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Cohort, Enrolment, User
from app.models.base import utcnow
from app.models.organisations import JOIN_CODE_LENGTH


class CohortError(ValueError):
    """A cohort action that cannot be carried out; the message is safe to show."""


def normalise_code(code: str) -> str:
    """Join codes ignore case, spaces and hyphens."""
    return re.sub(r"[\s-]+", "", code or "").upper()


def create_cohort(instructor: User, name: str, starts_on: date | None, ends_on: date | None) -> Cohort:
    """A new cohort with a fresh, unique join code."""
    if starts_on and ends_on and ends_on < starts_on:
        raise CohortError("The end date must be on or after the start date.")
    for _ in range(5):
        cohort = Cohort(name=name.strip(), instructor_id=instructor.id, starts_on=starts_on, ends_on=ends_on)
        try:
            with db.session.begin_nested():
                db.session.add(cohort)
            return cohort
        except IntegrityError:  # a join code collision: draw another
            continue
    raise CohortError("Could not create a join code; please try again.")


def find_by_code(code: str) -> Cohort | None:
    """The cohort with this join code, if any."""
    code = normalise_code(code)
    if len(code) != JOIN_CODE_LENGTH:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code))


def join(user: User, code: str, today: date) -> tuple[Cohort, bool]:
    """Enrol the learner in the cohort with this code; returns the cohort and whether they were new to it."""
    cohort = find_by_code(code)
    if cohort is None:
        raise CohortError("That join code is not valid. Check it with your instructor.")
    if not cohort.open_for_joining(today):
        raise CohortError("That cohort has ended or been archived, so it can no longer be joined.")
    if user.role != "student":
        raise CohortError("Only learner accounts can join a cohort.")
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id))
    if enrolment is not None and enrolment.removed_at is None:
        return cohort, False
    if enrolment is None:
        try:
            with db.session.begin_nested():
                db.session.add(Enrolment(cohort_id=cohort.id, user_id=user.id))
        except IntegrityError:  # joined from another tab at the same moment
            return cohort, False
    else:
        enrolment.removed_at, enrolment.joined_at = None, utcnow()
    return cohort, True


def active_enrolment(cohort: Cohort, user_id: int) -> Enrolment | None:
    """The learner's current membership of the cohort, if they are a member."""
    return db.session.scalar(select(Enrolment).where(
        Enrolment.cohort_id == cohort.id, Enrolment.user_id == user_id, Enrolment.removed_at.is_(None)))


def remove_member(cohort: Cohort, user_id: int) -> Enrolment:
    """Take a learner out of the cohort; their attempts and progress stay."""
    enrolment = active_enrolment(cohort, user_id)
    if enrolment is None:
        raise CohortError("That learner is not a member of this cohort.")
    enrolment.removed_at = utcnow()
    return enrolment


def archive(cohort: Cohort) -> None:
    """Close the cohort: no one can join it any more; its records stay readable."""
    if cohort.archived_at is None:
        cohort.archived_at = utcnow()


def member_counts(cohort_ids: list[int]) -> dict[int, int]:
    """Cohort id -> number of current members."""
    rows = db.session.execute(
        select(Enrolment.cohort_id, func.count()).where(Enrolment.cohort_id.in_(cohort_ids), Enrolment.removed_at.is_(None))
        .group_by(Enrolment.cohort_id)
    )
    return dict(rows.all())


def learner_cohorts(user: User) -> list[Cohort]:
    """The cohorts the learner currently belongs to."""
    return list(db.session.scalars(
        select(Cohort).join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user.id, Enrolment.removed_at.is_(None)).order_by(Cohort.name)
    ))
