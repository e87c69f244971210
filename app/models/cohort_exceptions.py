"""What an instructor decides for one cohort beyond the course rules: extra attempts, excusals and due dates.

These rows belong to the cohort, not to the learner's record: they change what the gradebook shows and how many
attempts a member may start, never whether a quiz was passed, training completed or a certificate earned.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.content import Quiz


class AttemptGrant(db.Model):
    """Extra attempts given to one member of a cohort at one quiz; each grant is its own row, so the history stays."""

    __tablename__ = "attempt_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    extra: Mapped[int]
    granted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    quiz: Mapped[Quiz] = relationship()


class Excusal(db.Model):
    """A member of a cohort excused from one quiz; withdrawing it deletes the row (the audit trail keeps both)."""

    __tablename__ = "excusals"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    excused_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    excused_at: Mapped[datetime] = mapped_column(default=utcnow)

    quiz: Mapped[Quiz] = relationship()


class DueDate(db.Model):
    """The date by which a cohort's members should pass one quiz."""

    __tablename__ = "cohort_due_dates"
    __table_args__ = (UniqueConstraint("cohort_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    due_on: Mapped[date]
    set_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    quiz: Mapped[Quiz] = relationship()
