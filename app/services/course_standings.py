"""The learner x course summary rows: recomputed for one learner with each lesson completion and submission, and for
everyone when the content changes (a retired lesson or quiz no longer counts); rebuilt and checked from the facts."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import CourseStanding, LessonProgress, QuizStanding
from app.models.base import utcnow
from app.services import structure
from app.services.quiz_standings import same

FIELDS = ("lessons_done", "quizzes_passed", "last_activity_at")


def _facts(*conditions, course: structure.CourseStructure | None = None) -> dict[int, tuple[int, int, datetime | None]]:
    """Per learner (restricted by `conditions` on a user id column), what the lessons and quiz standings say of the
    course in force (or of `course`)."""
    course = course or structure.current()
    facts: dict[int, list] = {}
    for user_id, done, latest in db.session.execute(
            select(LessonProgress.user_id, func.count(), func.max(LessonProgress.completed_at))
            .where(LessonProgress.completed_at.is_not(None), LessonProgress.lesson_id.in_(structure.lesson_ids(course)),
                   *(condition(LessonProgress.user_id) for condition in conditions))
            .group_by(LessonProgress.user_id)):
        facts[user_id] = [done, 0, latest]
    for user_id, passed, latest in db.session.execute(
            select(QuizStanding.user_id, func.sum(case((QuizStanding.passed, 1), else_=0)), func.max(QuizStanding.last_submitted_at))
            .where(QuizStanding.quiz_id.in_([quiz.id for quiz in structure.graded_quizzes(course)]),
                   *(condition(QuizStanding.user_id) for condition in conditions))
            .group_by(QuizStanding.user_id)):
        entry = facts.setdefault(user_id, [0, 0, None])
        entry[1] = int(passed)
        entry[2] = latest if entry[2] is None or (latest is not None and latest > entry[2]) else entry[2]
    return {user_id: tuple(values) for user_id, values in facts.items()}


def _learner_facts():
    """One learner's lessons done (and latest) and quizzes passed (and latest) among the ids given, as one statement."""
    user_id, lessons, quizzes = bindparam("user_id"), bindparam("lessons", expanding=True), bindparam("quizzes", expanding=True)
    done = (select(func.count(), func.max(LessonProgress.completed_at))
            .where(LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None), LessonProgress.lesson_id.in_(lessons)))
    passed = (select(func.coalesce(func.sum(case((QuizStanding.passed, 1), else_=0)), 0), func.max(QuizStanding.last_submitted_at))
              .where(QuizStanding.user_id == user_id, QuizStanding.quiz_id.in_(quizzes)))
    return done.union_all(passed)


def _upsert(dialect: str):
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(CourseStanding)
    values = {name: bindparam(name) for name in (*FIELDS, "changed_at")}
    return insert.values(values | {"user_id": bindparam("user_id")}).on_conflict_do_update(index_elements=["user_id"], set_=values)


# Built once: building them cost several times what running them does, inside every submission's write lock.
_LEARNER_FACTS = _learner_facts()
_UPSERTS = {dialect: _upsert(dialect) for dialect in ("postgresql", "sqlite")}


def refresh(user_id: int) -> None:
    """Recompute one learner's row from the facts, in the caller's transaction (after a completion or a submission)."""
    course = structure.current()
    (done, lesson_latest), (passed, quiz_latest) = db.session.execute(_LEARNER_FACTS, {
        "user_id": user_id, "lessons": list(structure.lesson_ids(course)),
        "quizzes": [quiz.id for quiz in structure.graded_quizzes(course)]}).all()
    latest = max((moment for moment in (lesson_latest, quiz_latest) if moment is not None), default=None)
    db.session.execute(_UPSERTS[db.session.get_bind().dialect.name], {
        "user_id": user_id, "lessons_done": done, "quizzes_passed": int(passed), "last_activity_at": latest, "changed_at": utcnow()})


@dataclass(frozen=True)
class Drift:
    """A summary row that differed from the facts."""

    user_id: int
    field: str
    stored: object
    actual: object


def rebuild(fix: bool = True, course: structure.CourseStructure | None = None) -> list[Drift]:
    """Compare every row with a recomputation from the facts (of the course in force, or `course`); when `fix`, replace
    them all with it."""
    actual = {user_id: values for user_id, values in _facts(course=course).items() if values[0] or values[2] is not None}
    stored = {row.user_id: tuple(getattr(row, name) for name in FIELDS) for row in db.session.scalars(select(CourseStanding))}
    drifts = []
    for user_id in sorted(actual.keys() | stored.keys()):
        have, want = stored.get(user_id, (0, 0, None)), actual.get(user_id, (0, 0, None))
        drifts += [Drift(user_id, name, a, b) for name, a, b in zip(FIELDS, have, want, strict=True) if not same(a, b)]
    if fix and drifts:
        now = utcnow()
        db.session.execute(delete(CourseStanding))
        db.session.add_all(CourseStanding(user_id=user_id, **dict(zip(FIELDS, values, strict=True)), changed_at=now)
                           for user_id, values in actual.items())
        db.session.flush()
    return drifts
