"""The gradebook: one row per learner of a cohort, one column per graded quiz, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.input import ascii_int
from app.models import (
    Cohort,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    Quiz,
    QuizStanding,
    User,
)
from app.models.base import utcnow
from app.services.progress import QuizResult, completion_percent

PAGE_SIZE = 50
INACTIVE_DAYS = 7
SORTS = ("name", "completion", "activity", "lessons")


@dataclass(frozen=True)
class Learner:
    """The little the gradebook shows about a learner."""

    id: int
    display_name: str
    email: str


@dataclass
class Row:
    """One learner's line in the gradebook."""

    user: "Learner"
    results: dict[int, QuizResult]
    lessons_done: int
    completion: int
    last_activity: datetime | None


@dataclass
class QuizSummary:
    """A quiz column's footer: how the cohort did on it."""

    quiz: Quiz
    attempted: int
    passed: int
    average_best: float | None


@dataclass
class Gradebook:
    """The whole cohort's grades, before filtering and paging."""

    cohort: Cohort
    quizzes: list[Quiz]
    lessons_total: int
    rows: list[Row] = field(default_factory=list)

    @property
    def items_total(self) -> int:
        """Lessons and graded quizzes in force: what 100% completion means."""
        return self.lessons_total + len(self.quizzes)

    def summaries(self, rows: list[Row] | None = None) -> list[QuizSummary]:
        """Per quiz: learners who attempted it, who passed it, and their average best score."""
        rows = self.rows if rows is None else rows
        out = []
        for quiz in self.quizzes:
            bests = [row.results[quiz.id].best for row in rows if quiz.id in row.results]
            passed = sum(1 for row in rows if quiz.id in row.results and row.results[quiz.id].passed)
            out.append(QuizSummary(quiz, len(bests), passed, round(sum(bests) / len(bests), 1) if bests else None))
        return out

    def average_completion(self, rows: list[Row] | None = None) -> float | None:
        """The mean course completion of the rows."""
        rows = self.rows if rows is None else rows
        return round(sum(row.completion for row in rows) / len(rows), 1) if rows else None


def graded_quizzes() -> list[Quiz]:
    """Every graded column, in course order: each module's quiz and exercises, then the final exam."""
    quizzes = db.session.scalars(
        select(Quiz).outerjoin(Module, Module.id == Quiz.module_id)
        .where(Quiz.retired.is_(False), (Module.retired.is_(False)) | (Quiz.module_id.is_(None)))
        .order_by(Module.position.is_(None), Module.position, Quiz.kind.desc(), Quiz.slug)
    )
    return list(quizzes)


def build(cohort: Cohort) -> Gradebook:
    """Compute every current member's row; the query count does not depend on the cohort's size."""
    quizzes = graded_quizzes()
    lessons_total = db.session.scalar(
        select(func.count()).select_from(Lesson).join(Module).where(Lesson.retired.is_(False), Module.retired.is_(False)))
    members = select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id, Enrolment.removed_at.is_(None))
    users = db.session.execute(select(User.id, User.display_name, User.email).where(User.id.in_(members))).all()
    results: dict[int, dict[int, QuizResult]] = {user.id: {} for user in users}
    quiz_ids = [quiz.id for quiz in quizzes]
    last_seen: dict[int, datetime] = {}
    for user_id, quiz_id, best, count, passed, latest in db.session.execute(
        select(QuizStanding.user_id, QuizStanding.quiz_id, QuizStanding.best_score, QuizStanding.attempts,
               QuizStanding.passed, QuizStanding.last_submitted_at)
        .where(QuizStanding.user_id.in_(members), QuizStanding.quiz_id.in_(quiz_ids))
    ):
        results[user_id][quiz_id] = QuizResult(best, count, bool(passed))
        last_seen[user_id] = max(latest, last_seen.get(user_id, latest))
    lessons_done: dict[int, int] = {}
    for user_id, done, latest in db.session.execute(
        select(LessonProgress.user_id, func.count(), func.max(LessonProgress.completed_at))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Module, Module.id == Lesson.module_id)
        .where(LessonProgress.user_id.in_(members), LessonProgress.completed_at.is_not(None),
               Lesson.retired.is_(False), Module.retired.is_(False))
        .group_by(LessonProgress.user_id)
    ):
        lessons_done[user_id] = done
        last_seen[user_id] = max(latest, last_seen.get(user_id, latest))
    book = Gradebook(cohort, quizzes, lessons_total)
    items = book.items_total
    for user in users:
        passed = sum(1 for result in results[user.id].values() if result.passed)
        done = lessons_done.get(user.id, 0)
        book.rows.append(Row(Learner(*user), results[user.id], done, completion_percent(done + passed, items),
                             last_seen.get(user.id)))
    return book


def select_rows(book: Gradebook, show: str = "all", sort: str = "name", descending: bool = False,
                now: datetime | None = None) -> list[Row]:
    """The rows matching a filter, sorted: show is all, inactive, incomplete, complete or not-passed:<quiz id>."""
    now = now or utcnow()
    rows = book.rows
    if show == "inactive":
        cutoff = now - timedelta(days=INACTIVE_DAYS)
        rows = [row for row in rows if row.last_activity is None or row.last_activity < cutoff]
    elif show == "incomplete":
        rows = [row for row in rows if row.completion < 100]
    elif show == "complete":
        rows = [row for row in rows if row.completion == 100]
    elif show.startswith("not-passed:") and (quiz_id := ascii_int(show[11:])) is not None:
        rows = [row for row in rows if not (quiz_id in row.results and row.results[quiz_id].passed)]
    keys = {
        "name": lambda row: (row.user.display_name.casefold(), row.user.id),
        "completion": lambda row: (row.completion, row.user.display_name.casefold()),
        "activity": lambda row: (row.last_activity or datetime.min, row.user.display_name.casefold()),
        "lessons": lambda row: (row.lessons_done, row.user.display_name.casefold()),
    }
    if sort.startswith("quiz:") and (quiz_id := ascii_int(sort[5:])) is not None:
        key = lambda row: (row.results[quiz_id].best if quiz_id in row.results else -1, row.user.display_name.casefold())  # noqa: E731
    else:
        key = keys.get(sort, keys["name"])
    return sorted(rows, key=key, reverse=descending)
