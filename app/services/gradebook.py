"""The gradebook: one row per learner of a cohort, one column per graded quiz, filtered, sorted and paged in SQL.

Rows come from the summary rows (learner x course and learner x quiz standings), so a page costs the same few
queries whether the cohort has ten learners or ten thousand, and the CSV streams from the same query.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.input import ascii_int
from app.models import Cohort, CourseStanding, Enrolment, Excusal, QuizStanding, User
from app.pagination import Page, page_count
from app.services import cohort_exceptions, structure
from app.services.progress import QuizResult, completion_percent
from app.services.structure import QuizInfo

PAGE_SIZE = 50
INACTIVE_DAYS = 7
SORTS = ("name", "completion", "activity", "lessons")
SHOWS = ("all", "inactive", "incomplete", "complete")


@dataclass(frozen=True)
class Learner:
    """The little the gradebook shows about a learner."""

    id: int
    display_name: str
    email: str


@dataclass(frozen=True)
class Row:
    """One learner's line in the gradebook."""

    user: Learner
    results: dict[int, QuizResult]
    lessons_done: int
    completion: int
    last_activity: datetime | None
    excused: frozenset[int] = frozenset()  # quiz ids this learner is excused from in the cohort


@dataclass(frozen=True)
class View:
    """What the instructor asked to see: a filter (all, inactive, incomplete, complete, not-passed:<quiz id>) and a sort."""

    show: str = "all"
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class Gradebook:
    """A cohort's columns: the graded quizzes and lessons in force, which is what 100% completion means."""

    cohort: Cohort
    quizzes: tuple[QuizInfo, ...]
    lessons: tuple[int, ...]

    @property
    def lessons_total(self) -> int:
        return len(self.lessons)

    @property
    def items_total(self) -> int:
        """Lessons and graded quizzes in force."""
        return len(self.lessons) + len(self.quizzes)


def graded_quizzes() -> tuple[QuizInfo, ...]:
    """Every graded column, in course order."""
    return structure.graded_quizzes(structure.current())


def build(cohort: Cohort) -> Gradebook:
    """The cohort's gradebook columns, from the cached course structure (no query of its own)."""
    course = structure.current()
    return Gradebook(cohort, structure.graded_quizzes(course), structure.lesson_ids(course))


def _members(book: Gradebook):
    return select(Enrolment.user_id).where(Enrolment.cohort_id == book.cohort.id, Enrolment.removed_at.is_(None))


def _learners(book: Gradebook, view: View, now: datetime) -> tuple[Select, dict]:
    """The filtered learners with their totals (lessons done, items done, last activity), and the sort keys by name."""
    lessons_done = func.coalesce(CourseStanding.lessons_done, 0)
    items_done = lessons_done + func.coalesce(CourseStanding.quizzes_passed, 0)
    latest = CourseStanding.last_activity_at
    query = (select(User.id, User.display_name, User.email, lessons_done.label("lessons_done"), items_done.label("items_done"),
                    latest.label("latest"))
             .select_from(Enrolment).join(User, User.id == Enrolment.user_id)
             .outerjoin(CourseStanding, CourseStanding.user_id == Enrolment.user_id)
             .where(Enrolment.cohort_id == book.cohort.id, Enrolment.removed_at.is_(None)))
    if view.show == "inactive":
        query = query.where(or_(latest.is_(None), latest < now - timedelta(days=INACTIVE_DAYS)))
    elif view.show == "incomplete":
        query = query.where(items_done < book.items_total)
    elif view.show == "complete":
        query = query.where(items_done >= book.items_total)
    elif view.show.startswith("not-passed:") and (quiz_id := ascii_int(view.show[11:])) is not None:
        query = query.where(~exists().where(QuizStanding.user_id == User.id, QuizStanding.quiz_id == quiz_id, QuizStanding.passed))
        # An excused learner is not missing the quiz, as far as this cohort is concerned.
        query = query.where(~exists().where(Excusal.cohort_id == book.cohort.id, Excusal.user_id == User.id, Excusal.quiz_id == quiz_id))
    keys = {"name": None, "completion": items_done, "activity": func.coalesce(latest, datetime.min), "lessons": lessons_done}
    if view.sort.startswith("quiz:") and (quiz_id := ascii_int(view.sort[5:])) is not None:
        standing = aliased(QuizStanding)
        query = query.outerjoin(standing, and_(standing.user_id == User.id, standing.quiz_id == quiz_id))
        keys[view.sort] = func.coalesce(standing.best_score, -1)
    return query, keys


def _ordered(query: Select, keys: dict, view: View) -> Select:
    key = keys.get(view.sort)
    order = [key, func.lower(User.display_name), User.id] if key is not None else [func.lower(User.display_name), User.id]
    return query.order_by(*(column.desc() for column in order) if view.descending else order)


def _rows(book: Gradebook, learners: list) -> list[Row]:
    """Rows for these learners, with every graded quiz's standing and the cohort's excusals (two queries)."""
    results: dict[int, dict[int, QuizResult]] = {learner.id: {} for learner in learners}
    excused: dict[int, set[int]] = {learner.id: set() for learner in learners}
    if learners:
        for user_id, quiz_id in cohort_exceptions.excused(book.cohort.id):
            if user_id in excused:
                excused[user_id].add(quiz_id)
        # Columns only, read through the connection: the ORM's row processing was a third of the page's time.
        for user_id, quiz_id, best, count, passed in db.session.connection().execute(
                select(QuizStanding.user_id, QuizStanding.quiz_id, QuizStanding.best_score, QuizStanding.attempts, QuizStanding.passed)
                .where(QuizStanding.user_id.in_(list(results)), QuizStanding.quiz_id.in_([q.id for q in book.quizzes]))):
            results[user_id][quiz_id] = QuizResult(best, count, bool(passed))
    return [Row(Learner(learner.id, learner.display_name, learner.email), results[learner.id], learner.lessons_done,
                completion_percent(learner.items_done, book.items_total), learner.latest, frozenset(excused[learner.id]))
            for learner in learners]


def page(book: Gradebook, view: View, number: int, now: datetime, size: int = PAGE_SIZE) -> Page[Row]:
    """One page of rows (1-based `number`, past the end: the last page) and how many learners match the filter."""
    query, keys = _learners(book, view, now)
    counted = _ordered(query.add_columns(func.count().over().label("matching")), keys, view)
    number = max(1, number)
    listed = db.session.execute(counted.limit(size).offset((number - 1) * size)).all()
    total = listed[0].matching if listed else db.session.scalar(select(func.count()).select_from(query.subquery()))
    if not listed and total:  # past the end (the list shrank, or a hand-edited address): the last page
        number = page_count(total, size)
        listed = db.session.execute(counted.limit(size).offset((number - 1) * size)).all()
    return Page(_rows(book, listed), number, page_count(total, size), total, size)


def every_row(book: Gradebook, view: View, now: datetime, batch: int = 500) -> Iterator[Row]:
    """Every matching row in order, a batch at a time (for the CSV, which streams)."""
    query, keys = _learners(book, view, now)
    ordered = _ordered(query, keys, view)
    offset = 0
    while learners := db.session.execute(ordered.limit(batch).offset(offset)).all():
        yield from _rows(book, learners)
        offset += batch


def members_count(book: Gradebook) -> int:
    """How many learners the cohort has now."""
    return db.session.scalar(select(func.count()).select_from(_members(book).subquery()))


def matching(book: Gradebook, view: View, now: datetime):
    """The learners a view shows (columns id and items_done), as a subquery for aggregates over the same learners."""
    query, _keys = _learners(book, view, now)
    return query.subquery()
