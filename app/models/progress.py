"""Learner progress: a summary row per learner and lesson, and append-only quiz attempts."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.content import Lesson, Question, Quiz


class LessonProgress(db.Model):
    """Where one learner stands on one lesson."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    lesson: Mapped[Lesson] = relationship()


class QuizAttempt(db.Model):
    """One attempt at a quiz, with the questions exactly as they were shown.

    Once submitted the row never changes, so editing a quiz never rewrites a learner's history.
    At most one attempt per learner and quiz is open at a time (a partial unique index), which
    makes a second tab or a double click resume the same attempt instead of starting another.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        Index(
            "uq_quiz_attempts_one_open",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
        # Covers the gradebook's per-learner, per-quiz aggregates without reading the snapshot blobs.
        Index("ix_quiz_attempts_results", "user_id", "quiz_id", "submitted_at", "score", "passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    content_version_id: Mapped[int | None] = mapped_column(ForeignKey("content_versions.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    pass_mark: Mapped[int]
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    answers: Mapped[list[Any] | None] = mapped_column(JSON)
    draft: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)  # answers saved while the attempt is open
    results: Mapped[list[bool] | None] = mapped_column(JSON)
    correct_count: Mapped[int | None]
    score: Mapped[int | None]
    passed: Mapped[bool | None]

    quiz: Mapped[Quiz] = relationship()

    @property
    def is_submitted(self) -> bool:
        """True once the learner has handed the attempt in."""
        return self.submitted_at is not None


class ReviewItem(db.Model):
    """A question a learner got wrong, due again for spaced review after 1, 3 and then 7 days."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("user_id", "question_id"), Index("ix_review_items_user_due", "user_id", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    stage: Mapped[int] = mapped_column(default=0)  # index into the review intervals
    due_at: Mapped[datetime]
    last_reviewed_at: Mapped[datetime | None]
    retired: Mapped[bool] = mapped_column(default=False)  # learned: answered right at the last interval

    question: Mapped[Question] = relationship()


class QuizStanding(db.Model):
    """A summary row per learner and quiz (best score, attempts, passes), kept in the submit transaction.

    Reports read these rows instead of aggregating every attempt; `flask summaries rebuild` proves they match.
    """

    __tablename__ = "quiz_standings"
    __table_args__ = (Index("ix_quiz_standings_quiz", "quiz_id", "best_score"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    best_score: Mapped[int]
    attempts: Mapped[int]
    passed: Mapped[bool]
    first_passed_at: Mapped[datetime | None]
    last_passed_at: Mapped[datetime | None]
    last_submitted_at: Mapped[datetime]


class CourseStanding(db.Model):
    """A summary row per learner of the whole course (lessons read, graded quizzes passed, last activity), kept in the
    transaction of each lesson completion and submission and rebuilt when the content changes.

    The gradebook sorts, filters and pages cohorts on these rows; `flask summaries rebuild` proves they match the facts.
    """

    __tablename__ = "course_standings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lessons_done: Mapped[int]
    quizzes_passed: Mapped[int]
    last_activity_at: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
