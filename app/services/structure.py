"""The course's structure (modules, lessons, quizzes in force) as plain immutable values, cached per content version.

No ORM instance is kept between requests: an instance cached by one request belongs to that request's session,
and after a rollback or the end of the request it is expired or detached and fails in every later request. A
snapshot of plain values is safe to share across threads and requests.
"""

import threading
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ContentVersion, Module, Quiz


@dataclass(frozen=True)
class LessonInfo:
    """A lesson in force, as the course map shows it."""

    id: int
    slug: str
    title: str
    position: int
    minutes: int
    module_id: int


@dataclass(frozen=True)
class QuizInfo:
    """A quiz, exercise or exam in force."""

    id: int
    slug: str
    title: str
    kind: str
    pass_mark: int
    module_id: int | None
    draw: int
    draw_per_module: int | None
    attempts_allowed: int


@dataclass(frozen=True)
class ModuleInfo:
    """A module in force with its lessons (in order), quiz and exercises."""

    id: int
    slug: str
    title: str
    position: int
    summary: str
    requires: tuple[str, ...]
    lessons: tuple[LessonInfo, ...]
    quiz: QuizInfo | None
    exercises: tuple[QuizInfo, ...]
    acknowledge_policy: bool = False  # required training of this module also needs the employer's policy acknowledged


@dataclass(frozen=True)
class CourseStructure:
    """Every module in force, in order, and the final exam."""

    modules: tuple[ModuleInfo, ...]
    exam: QuizInfo | None
    version: int | None = None  # the content version it was read from (None: read afresh, not through the cache)


def _quiz(quiz: Quiz | None) -> QuizInfo | None:
    if quiz is None:
        return None
    return QuizInfo(quiz.id, quiz.slug, quiz.title, quiz.kind, quiz.pass_mark, quiz.module_id, quiz.draw, quiz.draw_per_module,
                    quiz.attempts_allowed)


def _module(module: Module) -> ModuleInfo:
    lessons = tuple(LessonInfo(lesson.id, lesson.slug, lesson.title, lesson.position, lesson.minutes, lesson.module_id)
                    for lesson in module.lessons)
    return ModuleInfo(module.id, module.slug, module.title, module.position, module.summary or "", tuple(module.requires or ()),
                      lessons, _quiz(module.quiz), tuple(_quiz(quiz) for quiz in module.exercises), module.acknowledge_policy)


def load() -> CourseStructure:
    """Read the structure in force from the database."""
    modules = db.session.scalars(
        select(Module)
        .where(Module.retired.is_(False))
        .order_by(Module.position)
        .options(selectinload(Module.lessons), selectinload(Module.quiz), selectinload(Module.exercises))
    )
    exam = db.session.scalar(select(Quiz).where(Quiz.kind == "exam", Quiz.retired.is_(False)))
    return CourseStructure(tuple(_module(module) for module in modules), _quiz(exam))


def graded_quizzes(course: CourseStructure) -> tuple[QuizInfo, ...]:
    """Every graded quiz in course order: each module's quiz and exercises, then the final exam."""
    quizzes = [quiz for module in course.modules
               for quiz in ([module.quiz] if module.quiz else []) + sorted(module.exercises, key=lambda q: q.slug)]
    return tuple(quizzes + ([course.exam] if course.exam else []))


def lesson_ids(course: CourseStructure) -> tuple[int, ...]:
    """Every lesson in force, in course order."""
    return tuple(lesson.id for module in course.modules for lesson in module.lessons)


# The structure changes only when content is synced, which records a new content version; each process keeps
# the snapshot of the version in force, per database.
_cache: dict[str, tuple[int | None, CourseStructure]] = {}
_lock = threading.Lock()


def current() -> CourseStructure:
    """The structure of the content version in force, from the cache when that version was read before."""
    return of_version(db.session.scalar(select(func.max(ContentVersion.id))))


def of_version(version: int | None) -> CourseStructure:
    """The structure of `version`, the content version in force read in this transaction (from the cache when read before)."""
    key = str(db.engine.url)
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    structure = replace(load(), version=version)
    with _lock:
        _cache[key] = (version, structure)
    return structure
