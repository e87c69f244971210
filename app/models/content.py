"""Course content loaded from lessons/ and quizzes/, keyed by the stable slugs in the files."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow


class ContentVersion(db.Model):
    """One row per sync that changed the content: its hash, time and counts."""

    __tablename__ = "content_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(String(255), default="")


class Module(db.Model):
    """A unit of the course: ordered lessons and one quiz."""

    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    summary: Mapped[str] = mapped_column(Text, default="")
    requires: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Completing a training that requires this module also needs the organisation's policy acknowledged.
    acknowledge_policy: Mapped[bool] = mapped_column(default=False)
    retired: Mapped[bool] = mapped_column(default=False)

    # The lessons, quiz and exercises in force; retired rows stay in the tables for learners' history.
    lessons: Mapped[list["Lesson"]] = relationship(
        primaryjoin="and_(Module.id == Lesson.module_id, Lesson.retired.is_(False))",
        order_by="Lesson.position",
        viewonly=True,
    )
    quiz: Mapped["Quiz | None"] = relationship(
        primaryjoin="and_(Module.id == Quiz.module_id, Quiz.kind == 'quiz', Quiz.retired.is_(False))", viewonly=True
    )
    exercises: Mapped[list["Quiz"]] = relationship(
        primaryjoin="and_(Module.id == Quiz.module_id, Quiz.kind == 'exercise', Quiz.retired.is_(False))",
        order_by="Quiz.slug",
        viewonly=True,
    )


class Lesson(db.Model):
    """A lesson; its Markdown is rendered and sanitised once, when the content is synced."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_html: Mapped[str] = mapped_column(Text)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source_file: Mapped[str] = mapped_column(String(255))
    retired: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module] = relationship()


class Quiz(db.Model):
    """A graded set of questions: a module's quiz, a scenario exercise, or the final exam (no module)."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="quiz")
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    pass_mark: Mapped[int]
    draw: Mapped[int]
    draw_per_module: Mapped[int | None]
    attempts_allowed: Mapped[int] = mapped_column(default=0)
    source_file: Mapped[str] = mapped_column(String(255))
    retired: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module | None] = relationship()
    questions: Mapped[list["Question"]] = relationship(
        primaryjoin="and_(Quiz.id == Question.quiz_id, Question.retired.is_(False))",
        order_by="Question.position",
        viewonly=True,
    )


class Question(db.Model):
    """One question of a bank; `definition` holds its type-specific fields as written in the file."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(40))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_line: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz] = relationship()


class GlossaryTerm(db.Model):
    """A key term, defined in (and linking to) the lesson that teaches it."""

    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    term: Mapped[str] = mapped_column(String(120))
    definition: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    retired: Mapped[bool] = mapped_column(default=False)

    lesson: Mapped[Lesson] = relationship()
