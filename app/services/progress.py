"""Learner progress: lessons read, quiz results, module and course completion, where to continue."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Lesson, LessonProgress, Module, QuizAttempt, User
from app.models.base import utcnow


@dataclass
class ModuleProgress:
    """One module as one learner stands on it."""

    module: Module
    lessons_done: int
    best_score: int | None
    attempts: int
    passed: bool
    completed_lessons: set[int] = field(default_factory=set)

    @property
    def lessons_total(self) -> int:
        return len(self.module.lessons)

    @property
    def items_total(self) -> int:
        return self.lessons_total + (1 if self.module.quiz else 0)

    @property
    def items_done(self) -> int:
        return self.lessons_done + (1 if self.passed else 0)

    @property
    def percent(self) -> int:
        return round(100 * self.items_done / self.items_total) if self.items_total else 100

    @property
    def complete(self) -> bool:
        """A module is complete when all its lessons are read and its quiz passed."""
        return self.items_done == self.items_total


@dataclass(frozen=True)
class Step:
    """The next thing to do: a lesson or a quiz, by slug."""

    kind: str
    slug: str
    title: str


@dataclass
class CourseProgress:
    """The whole course as one learner stands on it."""

    modules: list[ModuleProgress]
    continue_at: Step | None

    @property
    def percent(self) -> int:
        total = sum(m.items_total for m in self.modules)
        return round(100 * sum(m.items_done for m in self.modules) / total) if total else 0

    @property
    def complete(self) -> bool:
        return bool(self.modules) and all(m.complete for m in self.modules)


def course_modules() -> list[Module]:
    """The modules in force, in order, with their lessons and quiz loaded (retired content left out)."""
    modules = db.session.scalars(
        select(Module)
        .where(Module.retired.is_(False))
        .order_by(Module.position)
        .options(selectinload(Module.lessons), selectinload(Module.quiz))
    ).all()
    return list(modules)


def mark_lesson_complete(user: User, lesson: Lesson) -> LessonProgress:
    """Record that the learner finished the lesson; repeating it keeps the first completion time."""
    row = db.session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id)
    )
    if row is None:
        row = LessonProgress(user_id=user.id, lesson_id=lesson.id, completed_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            # Another request recorded it first; theirs stands.
            return mark_lesson_complete(user, lesson)
    elif row.completed_at is None:
        row.completed_at = utcnow()
    return row


def completed_lesson_ids(user: User) -> dict[int, datetime]:
    """Lesson id -> completion time, for every lesson the learner finished."""
    rows = db.session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at).where(
            LessonProgress.user_id == user.id, LessonProgress.completed_at.is_not(None)
        )
    )
    return {lesson_id: completed_at for lesson_id, completed_at in rows}


def _quiz_summaries(user: User) -> dict[int, tuple[int | None, int, bool]]:
    rows = db.session.execute(
        select(QuizAttempt.quiz_id, func.max(QuizAttempt.score), func.count(), func.max(QuizAttempt.passed))
        .where(QuizAttempt.user_id == user.id, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.quiz_id)
    )
    return {quiz_id: (best, count, bool(passed)) for quiz_id, best, count, passed in rows}


def _last_activity(user: User) -> tuple[int | None, int | None]:
    """The lesson id and quiz id the learner touched most recently (at most one is set)."""
    lesson = db.session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at)
        .where(LessonProgress.user_id == user.id)
        .order_by(LessonProgress.completed_at.desc())
        .limit(1)
    ).first()
    attempt = db.session.execute(
        select(QuizAttempt.quiz_id, func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at).label("at"))
        .where(QuizAttempt.user_id == user.id)
        .order_by(func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at).desc())
        .limit(1)
    ).first()
    if attempt and (not lesson or (lesson.completed_at or datetime.min) <= attempt.at):
        return None, attempt.quiz_id
    return (lesson.lesson_id if lesson else None), None


def _continue_at(user: User, progress: list[ModuleProgress]) -> Step | None:
    """The first unfinished step after the one the learner last worked on (wrapping to the start)."""
    steps: list[tuple[Step, int, bool]] = []
    for entry in progress:
        for lesson in entry.module.lessons:
            steps.append((Step("lesson", lesson.slug, lesson.title), lesson.id, lesson.id in entry.completed_lessons))
        quiz = entry.module.quiz
        if quiz:
            steps.append((Step("quiz", quiz.slug, quiz.title), quiz.id, entry.passed))
    lesson_id, quiz_id = _last_activity(user)
    start = 0
    for index, (step, item_id, _done) in enumerate(steps):
        if item_id == (lesson_id if step.kind == "lesson" else quiz_id):
            start = index
    ordered = steps[start:] + steps[:start]
    return next((step for step, _id, done in ordered if not done), None)


def course_progress(user: User) -> CourseProgress:
    """Every module's progress for the learner, the course total and where to continue."""
    modules = course_modules()
    done = completed_lesson_ids(user)
    quizzes = _quiz_summaries(user)
    progress = []
    for module in modules:
        lesson_ids = {lesson.id for lesson in module.lessons} & done.keys()
        best, count, passed = quizzes.get(module.quiz.id, (None, 0, False)) if module.quiz else (None, 0, False)
        entry = ModuleProgress(module, len(lesson_ids), best, count, passed, lesson_ids)
        progress.append(entry)
    return CourseProgress(progress, _continue_at(user, progress))
