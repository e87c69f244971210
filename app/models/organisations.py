"""Groups of learners: an instructor's cohorts (classes) and who is enrolled in them."""

import secrets
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.people import User

# Letters and digits that cannot be mistaken for one another when read aloud or copied from a board.
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    """A random join code such as K7QX-M3TP (stored without the hyphen)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Cohort(db.Model):
    """An instructor's class, joined with a code or an invitation link."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True, default=new_join_code)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    instructor: Mapped[User] = relationship()

    @property
    def display_code(self) -> str:
        """The join code split in two halves for reading."""
        return f"{self.join_code[:4]}-{self.join_code[4:]}"

    def open_for_joining(self, today: date) -> bool:
        """A learner may join until the cohort ends or is archived."""
        return self.archived_at is None and (self.ends_on is None or today <= self.ends_on)


class Enrolment(db.Model):
    """A learner's membership of a cohort; removal keeps the row (and all the learner's history)."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()
