"""Learner progress: lessons read, quiz and exercise results, prerequisites, completion, where to continue."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, func, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Lesson, LessonProgress, QuizAttempt, User
from app.models.base import utcnow
from app.services import course_standings, structure, xapi
from app.services.structure import ModuleInfo, QuizInfo


def completion_percent(items_done: int, items_total: int) -> int:
    """A learner's course completion: lessons read and graded quizzes passed, out of all of them in force.

    The dashboard, the gradebook and the cohort's progress chart all count completion this one way.
    """
    return round(100 * items_done / items_total) if items_total else 0


@dataclass(frozen=True)
class QuizResult:
    """A learner's standing on one quiz, exercise or exam."""

    best: int | None = None
    attempts: int = 0
    passed: bool = False


@dataclass
class ModuleProgress:
    """One module as one learner stands on it."""

    module: ModuleInfo
    completed_lessons: set[int]
    results: dict[int, QuizResult]
    missing: list[ModuleInfo] = field(default_factory=list)  # prerequisites not yet complete

    def result(self, quiz: QuizInfo | None) -> QuizResult:
        """The learner's result on one of this module's quizzes."""
        return self.results.get(quiz.id, QuizResult()) if quiz else QuizResult()

    @property
    def graded(self) -> list[QuizInfo]:
        return ([self.module.quiz] if self.module.quiz else []) + list(self.module.exercises)

    @property
    def locked(self) -> bool:
        return bool(self.missing)

    @property
    def lessons_done(self) -> int:
        return len(self.completed_lessons)

    @property
    def lessons_total(self) -> int:
        return len(self.module.lessons)

    @property
    def best_score(self) -> int | None:
        return self.result(self.module.quiz).best

    @property
    def passed(self) -> bool:
        return self.result(self.module.quiz).passed

    @property
    def items_total(self) -> int:
        return self.lessons_total + len(self.graded)

    @property
    def items_done(self) -> int:
        return self.lessons_done + sum(self.result(quiz).passed for quiz in self.graded)

    @property
    def percent(self) -> int:
        return completion_percent(self.items_done, self.items_total) if self.items_total else 100

    @property
    def complete(self) -> bool:
        """A module is complete when its lessons are read and its quiz and exercises passed."""
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
    exam: QuizInfo | None
    exam_result: QuizResult
    continue_at: Step | None = None
    completed_at: dict[int, datetime] = field(default_factory=dict)  # lesson id -> when the learner finished it
    facts: tuple = (None,)  # everything the course map is drawn from: content version, lessons finished, quiz standings

    @property
    def modules_complete(self) -> bool:
        return bool(self.modules) and all(m.complete for m in self.modules)

    @property
    def version(self) -> int | None:
        """The content version the course was read from."""
        return self.facts[0]

    @property
    def percent(self) -> int:
        total = sum(m.items_total for m in self.modules) + (1 if self.exam else 0)
        done = sum(m.items_done for m in self.modules) + (1 if self.exam and self.exam_result.passed else 0)
        return completion_percent(done, total)

    @property
    def complete(self) -> bool:
        """The course is complete when every module is, and the final exam (if any) is passed."""
        return self.modules_complete and (self.exam is None or self.exam_result.passed)

    def for_module(self, module_id: int) -> ModuleProgress | None:
        """The progress entry of one module."""
        return next((m for m in self.modules if m.module.id == module_id), None)


def course_modules() -> list[ModuleInfo]:
    """The modules in force, in order, with their lessons, quiz and exercises."""
    return list(structure.current().modules)


def final_exam() -> QuizInfo | None:
    """The course's final exam, if the content has one."""
    return structure.current().exam


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
    else:
        return row
    course_standings.refresh(user.id)
    xapi.lesson_completed(user, lesson, row.completed_at)
    return row


# A learner's facts for the course map in one round trip: the content version in force (kind 2), finished lessons
# (kind 0) and quiz standings (kind 1). Written once as SQL: building the three statements anew on every page cost
# five times as much as running them. The first part names its columns' types, which PostgreSQL's UNION needs.
_FACTS = text(
    "SELECT 2 AS kind, max(id) AS item, CAST(NULL AS TIMESTAMP) AS at, CAST(NULL AS INTEGER) AS best,"
    " CAST(NULL AS INTEGER) AS attempts, CAST(NULL AS BOOLEAN) AS passed FROM content_versions"
    " UNION ALL SELECT 0, lesson_id, completed_at, NULL, NULL, NULL FROM lesson_progress"
    " WHERE user_id = :user AND completed_at IS NOT NULL"
    " UNION ALL SELECT 1, quiz_id, NULL, best_score, attempts, passed FROM quiz_standings WHERE user_id = :user"
).columns(kind=Integer, item=Integer, at=DateTime, best=Integer, attempts=Integer, passed=Boolean)


def learner_facts(user: User) -> tuple[int | None, dict[int, datetime], dict[int, QuizResult]]:
    """The content version in force, the learner's finished lessons (id -> when) and quiz standings (id -> result)."""
    version, done, results = None, {}, {}
    for kind, item, at, best, attempts, passed in db.session.execute(_FACTS, {"user": user.id}):
        if kind == 2:
            version = item
        elif kind == 0:
            done[item] = at
        else:
            results[item] = QuizResult(best, attempts, bool(passed))
    return version, done, results


def _last_activity(user: User) -> tuple[int | None, int | None]:
    """The lesson id and quiz id the learner touched most recently (at most one is set)."""
    lesson = db.session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at)
        .where(LessonProgress.user_id == user.id)
        .order_by(LessonProgress.completed_at.desc())
        .limit(1)
    ).first()
    touched = func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at)
    attempt = db.session.execute(
        select(QuizAttempt.quiz_id, touched.label("at")).where(QuizAttempt.user_id == user.id).order_by(touched.desc()).limit(1)
    ).first()
    if attempt and (not lesson or (lesson.completed_at or datetime.min) <= attempt.at):
        return None, attempt.quiz_id
    return (lesson.lesson_id if lesson else None), None


def _continue_at(user: User, course: CourseProgress) -> Step | None:
    """The first unfinished, unlocked step after the one the learner last worked on (wrapping round)."""
    steps: list[tuple[Step, int, bool]] = []
    for entry in course.modules:
        if entry.locked:
            continue
        for lesson in entry.module.lessons:
            steps.append((Step("lesson", lesson.slug, lesson.title), lesson.id, lesson.id in entry.completed_lessons))
        for quiz in entry.graded:
            steps.append((Step("quiz", quiz.slug, quiz.title), -quiz.id, entry.result(quiz).passed))
    if course.exam and course.modules_complete:
        steps.append((Step("quiz", course.exam.slug, course.exam.title), -course.exam.id, course.exam_result.passed))
    lesson_id, quiz_id = _last_activity(user)
    last = lesson_id if lesson_id is not None else (-quiz_id if quiz_id is not None else None)
    start = next((index for index, (_step, key, _done) in enumerate(steps) if key == last), 0)
    ordered = steps[start:] + steps[:start]
    return next((step for step, _key, done in ordered if not done), None)


def course_progress(user: User, where_to_continue: bool = False) -> CourseProgress:
    """Every module's progress for the learner, the exam, the course total and (if asked) where to continue."""
    version, done, results = learner_facts(user)
    course_structure = structure.of_version(version)
    modules, exam = course_structure.modules, course_structure.exam
    entries = [ModuleProgress(module, {lesson.id for lesson in module.lessons} & done.keys(), results) for module in modules]
    by_slug = {entry.module.slug: entry for entry in entries}
    for entry in entries:
        entry.missing = [by_slug[slug].module for slug in entry.module.requires
                         if slug in by_slug and not by_slug[slug].complete]
    course = CourseProgress(entries, exam, results.get(exam.id, QuizResult()) if exam else QuizResult(), completed_at=done,
                            facts=(course_structure.version, tuple(sorted(done)), tuple(sorted(results.items()))))
    if where_to_continue:  # two more queries, which only the dashboard shows
        course.continue_at = _continue_at(user, course)
    return course


@dataclass(frozen=True)
class NextStep:
    """Where a learner goes after passing a quiz: a step to take, and the modules still open before the exam."""

    step: Step | None
    module: ModuleInfo | None = None  # the module the step belongs to (None for the final exam)
    left: tuple[ModuleInfo, ...] = ()


def _first_open_step(entry: ModuleProgress) -> Step:
    """A module's first unread lesson, or its quiz once every lesson is read."""
    for lesson in entry.module.lessons:
        if lesson.id not in entry.completed_lessons:
            return Step("lesson", lesson.slug, lesson.title)
    quiz = next((quiz for quiz in entry.graded if not entry.result(quiz).passed), None)
    if quiz is not None:
        return Step("quiz", quiz.slug, quiz.title)
    first = entry.module.lessons[0]
    return Step("lesson", first.slug, first.title)


def next_after_quiz(user: User, quiz_module_id: int | None) -> NextStep | None:
    """After a passed module quiz: the next unfinished, open module in course order, else the final exam once
    every module is complete, else the modules left before it. None after the exam, or with nothing left."""
    if quiz_module_id is None:
        return None
    course = course_progress(user)
    if course.modules_complete:
        if course.exam is None or course.exam_result.passed:
            return None
        return NextStep(Step("exam", course.exam.slug, course.exam.title))
    left = tuple(entry.module for entry in course.modules if not entry.complete)
    index = next((i for i, entry in enumerate(course.modules) if entry.module.id == quiz_module_id), -1)
    ahead = [entry for entry in course.modules[index + 1:] if not entry.complete and not entry.locked]
    if ahead:
        return NextStep(_first_open_step(ahead[0]), ahead[0].module, left)
    return NextStep(None, None, left)
