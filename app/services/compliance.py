"""Compliance status of each hire's required training, the matrix's cells, and a hire's own cycles."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Assignment,
    Certificate,
    HireTraining,
    Membership,
    User,
)

STATUSES = ("Assigned", "In progress", "Policy to acknowledge", "Completed", "Overdue", "Expiring", "Expired")
EXPIRING_DAYS = 30


def status_of(training: "HireTraining | TrainingFacts", today: date) -> str:
    """One cycle's status on a given day (the organisation's date), from the cycle's row alone."""
    if training.completed_at is not None:
        if training.expires_on is not None:
            if training.expires_on < today:
                return "Expired"
            if training.expires_on - today <= timedelta(days=EXPIRING_DAYS):
                return "Expiring"
        return "Completed"
    if training.due_on < today:
        return "Overdue"
    if training.policy_pending:
        return "Policy to acknowledge"
    return "In progress" if training.started_at else "Assigned"


@dataclass(frozen=True)
class TrainingFacts:
    """The dates of one training cycle, read as plain values (the matrix can hold thousands)."""

    id: int
    user_id: int
    assignment_id: int
    cycle: int
    assigned_at: datetime
    due_on: date
    completed_at: datetime | None
    expires_on: date | None
    started_at: datetime | None
    policy_pending: bool


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str
    email: str


@dataclass(frozen=True)
class Placement:
    job_role: str
    hire_date: date | None


@dataclass
class Cell:
    """A hire's latest cycle of one assignment, with its status."""

    training: TrainingFacts
    status: str


@dataclass
class HireRow:
    """One hire's line of the matrix."""

    user: Person
    membership: Placement
    cells: dict[int, Cell] = field(default_factory=dict)


def history(organisation_id: int, user_id: int) -> list[HireTraining]:
    """Every cycle of every assignment this hire has had in the organisation, newest first."""
    return list(db.session.scalars(select(HireTraining).join(Assignment).where(
        Assignment.organisation_id == organisation_id, HireTraining.user_id == user_id)
        .order_by(HireTraining.assigned_at.desc(), HireTraining.id.desc())))


def trainings_for(user: User) -> list[HireTraining]:
    """The learner's own current cycles of required training still in force, soonest due first."""
    trainings = db.session.scalars(select(HireTraining).join(Assignment).join(
        Membership, (Membership.organisation_id == Assignment.organisation_id) & (Membership.user_id == HireTraining.user_id))
        .where(HireTraining.user_id == user.id, Membership.removed_at.is_(None), Assignment.ended_at.is_(None))
        .order_by(HireTraining.due_on)
        .options(selectinload(HireTraining.assignment).selectinload(Assignment.modules),
                 selectinload(HireTraining.assignment).selectinload(Assignment.organisation))).all()
    latest: dict[int, HireTraining] = {}
    for training in trainings:
        if training.assignment_id not in latest or training.cycle > latest[training.assignment_id].cycle:
            latest[training.assignment_id] = training
    return sorted(latest.values(), key=lambda t: t.due_on)


def certificates_by_training(user: User) -> dict[int, Certificate]:
    """The learner's certificates, by the training cycle they prove."""
    return {c.hire_training_id: c for c in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id))}
