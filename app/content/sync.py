"""Load validated content into the database: upsert by slug, idempotent, all or nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.content.loader import Course, load_course
from app.content.render import render_markdown
from app.content.schema import Problem
from app.extensions import db
from app.models import ContentVersion, Lesson, Module, Question, Quiz


class ContentError(Exception):
    """The content has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} content problem(s)")
        self.problems = problems


@dataclass
class SyncReport:
    """What a sync did."""

    version: ContentVersion
    changed: bool
    counts: dict[str, int]


def _upsert(model: type, existing: dict[Any, Any], key: Any, values: dict[str, Any]) -> Any:
    row = existing.pop(key, None)
    if row is None:
        row = model(**values)
        db.session.add(row)
    else:
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    row.retired = False
    return row


def _retire(rows: Iterable[Any]) -> None:
    # Rows removed from the files stay in the database: learners' progress and attempts point at them.
    for row in rows:
        row.retired = True


def _apply(course: Course) -> dict[str, int]:
    modules = {m.slug: m for m in db.session.scalars(select(Module))}
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz))}
    by_slug: dict[str, Module] = {}
    for spec in course.modules:
        by_slug[spec.slug] = _upsert(Module, modules, spec.slug, {
            "slug": spec.slug, "title": spec.title, "position": spec.order, "summary": spec.summary,
        })
    db.session.flush()
    for spec in course.lessons:
        _upsert(Lesson, lessons, spec.slug, {
            "slug": spec.slug, "module_id": by_slug[spec.module].id, "position": spec.order,
            "title": spec.title, "minutes": spec.minutes, "objectives": spec.objectives,
            "sources": spec.sources, "body_html": render_markdown(spec.body), "source_file": spec.file,
        })
    question_count = 0
    for spec in course.quizzes:
        quiz = _upsert(Quiz, quizzes, spec.slug, {
            "slug": spec.slug, "module_id": by_slug[spec.module].id, "title": spec.title,
            "pass_mark": spec.pass_mark, "draw": spec.draw, "attempts_allowed": spec.attempts_allowed,
            "source_file": spec.file,
        })
        db.session.flush()
        questions = {q.key: q for q in db.session.scalars(select(Question).where(Question.quiz_id == quiz.id))}
        for position, question in enumerate(spec.questions, start=1):
            definition = question.definition
            _upsert(Question, questions, definition["id"], {
                "quiz_id": quiz.id, "key": definition["id"], "position": position, "type": definition["type"],
                "definition": definition, "source_line": question.line,
            })
        _retire(questions.values())
        question_count += len(spec.questions)
    for leftovers in (modules, lessons, quizzes):
        _retire(leftovers.values())
    return {"modules": len(course.modules), "lessons": len(course.lessons),
            "quizzes": len(course.quizzes), "questions": question_count}


def sync_content(root: Path) -> SyncReport:
    """Validate the files under `root` and upsert them; raises ContentError and writes nothing on a problem.

    Flushes only; the caller commits (or rolls back) the one transaction.
    """
    course, problems = load_course(root)
    if problems:
        raise ContentError(problems)
    version = db.session.scalar(select(ContentVersion).where(ContentVersion.content_hash == course.content_hash))
    if version is not None and version.id == db.session.scalar(select(db.func.max(ContentVersion.id))):
        counts = {"modules": len(course.modules), "lessons": len(course.lessons), "quizzes": len(course.quizzes),
                  "questions": sum(len(q.questions) for q in course.quizzes)}
        return SyncReport(version, False, counts)
    counts = _apply(course)
    version = ContentVersion(content_hash=course.content_hash, summary=", ".join(f"{v} {k}" for k, v in counts.items()))
    db.session.add(version)
    db.session.flush()
    return SyncReport(version, True, counts)


def current_version_id() -> int | None:
    """The id of the content version in force (the latest sync)."""
    return db.session.scalar(select(db.func.max(ContentVersion.id)))

