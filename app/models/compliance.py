"""Required training: assignment rules, each hire's due cycles, certificates, reminders sent, and e-mail."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.content import Module
from app.models.employers import Organisation
from app.models.people import User

# The modules an assignment requires, as real references: a module cannot vanish from under a requirement.
assignment_modules = Table(
    "assignment_modules",
    db.metadata,
    Column("assignment_id", ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", ForeignKey("modules.id"), primary_key=True, index=True),
)


class Assignment(db.Model):
    """A rule: these modules (or the whole course) are required of one hire, a job role, or everyone."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("audience IN ('hire', 'role', 'everyone')", name="audience_known"),
        CheckConstraint("(due_date IS NOT NULL) OR (due_days IS NOT NULL)", name="has_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    whole_course: Mapped[bool] = mapped_column(default=False)  # every module in force, and the final exam
    audience: Mapped[str] = mapped_column(String(10))
    hire_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    job_role: Mapped[str] = mapped_column(String(80), default="")
    due_date: Mapped[date | None]  # a fixed date ...
    due_days: Mapped[int | None]  # ... or this many days after the hire date
    yearly: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An ended rule and its cycles are kept as evidence but no longer count for compliance or reminders.
    ended_at: Mapped[datetime | None]

    modules: Mapped[list[Module]] = relationship(secondary=assignment_modules, order_by=Module.position)
    organisation: Mapped[Organisation] = relationship()


class HireTraining(db.Model):
    """One hire's cycle of one assignment: due, completed, and (for yearly training) expiring."""

    __tablename__ = "hire_trainings"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=1)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date]
    completed_at: Mapped[datetime | None]
    expires_on: Mapped[date | None]
    # Kept up to date by assignments.refresh_completions, so every page reads one status from the row.
    started_at: Mapped[datetime | None]  # first work on a required module since the cycle was assigned
    policy_pending: Mapped[bool] = mapped_column(default=False)  # only the policy acknowledgement is missing

    assignment: Mapped[Assignment] = relationship()
    user: Mapped[User] = relationship()


class Certificate(db.Model):
    """Proof of a completed training cycle or of the whole course; checked publicly by its unguessable code."""

    __tablename__ = "certificates"
    __table_args__ = (
        # Exactly one of the two: a certificate proves either one training cycle or the whole course.
        CheckConstraint("(hire_training_id IS NULL) <> (course_holder_id IS NULL)", name="proves_one_thing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    hire_training_id: Mapped[int | None] = mapped_column(ForeignKey("hire_trainings.id"), unique=True)
    # Set only on a course-completion certificate: the unique key allows one per learner.
    course_holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    organisation_name: Mapped[str] = mapped_column(String(160))
    learner_name: Mapped[str] = mapped_column(String(80))
    training_title: Mapped[str] = mapped_column(String(160))
    completed_on: Mapped[date]
    expires_on: Mapped[date | None]
    content_version_id: Mapped[int | None] = mapped_column(ForeignKey("content_versions.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")

    hire_training: Mapped[HireTraining | None] = relationship()

    @property
    def for_course(self) -> bool:
        """True for the certificate of the whole course, False for one of required training."""
        return self.course_holder_id is not None


class ReminderSent(db.Model):
    """A reminder that went out; the unique key is what stops the same reminder going twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))  # e.g. "training:12:due-7" or "digest:3:2026-11-27"
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailMessage(db.Model):
    """An e-mail in the outbox: queued with the request's data, delivered by a sender outside it, retried on failure.

    `body` is what may be shown: a personal link (password reset, invitation) is never stored in it. In its
    place stands a placeholder, and `meta["link"]` holds what the sender needs to make the link at send
    time, which is useless without the app's SECRET_KEY (see app.services.mail).
    """

    __tablename__ = "email_messages"
    __table_args__ = (Index("ix_email_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, sent, failed (with the reason in last_error)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A sender claims a message for a short lease before sending it, so two senders never send it twice.
    claim: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
