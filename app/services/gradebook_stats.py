"""The gradebook's figures over the learners a view shows, each one grouped query over the summary rows.

The cohort-wide figures (quiz summaries, the weekly chart) are kept per process as plain immutable values, keyed by
a fingerprint of the facts read in the same request: the active members, the latest join and removal, and the
latest change to any member's course row (every completion, submission and content sync changes it). A changed
fact changes the key, so a kept value is never stale; a bounded number of them is kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from app.extensions import db
from app.kept import Kept
from app.models import CourseStanding, Enrolment, Excusal, QuizStanding
from app.services import charts
from app.services.gradebook import Gradebook, View
from app.services.progress import completion_percent
from app.services.structure import QuizInfo

BANDS = 10  # 0-9, 10-19, ..., 90-100


@dataclass(frozen=True)
class QuizSummary:
    """A quiz column's footer: how the learners did on it, and how many best scores fall in each 10-point band."""

    quiz: QuizInfo
    attempted: int
    passed: int
    average_best: float | None
    bands: tuple[int, ...]


def quiz_summaries(book: Gradebook, learners) -> list[QuizSummary]:
    """Per graded quiz: learners (of the `learners` subquery) who attempted it, passed it, their average best and its bands."""
    band = case((QuizStanding.best_score >= 90, 9), else_=QuizStanding.best_score // 10)
    figures: dict[int, dict] = {quiz.id: {"attempted": 0, "passed": 0, "sum": 0, "bands": [0] * BANDS} for quiz in book.quizzes}
    for quiz_id, in_band, count, passed, total in db.session.execute(
            select(QuizStanding.quiz_id, band, func.count(), func.sum(case((QuizStanding.passed, 1), else_=0)),
                   func.sum(QuizStanding.best_score))
            .where(QuizStanding.user_id.in_(select(learners.c.id)), QuizStanding.quiz_id.in_(list(figures)))
            .group_by(QuizStanding.quiz_id, band)):
        entry = figures[quiz_id]
        entry["attempted"] += count
        entry["passed"] += int(passed)
        entry["sum"] += int(total)
        entry["bands"][min(max(int(in_band), 0), BANDS - 1)] += count
    return [QuizSummary(quiz, f["attempted"], f["passed"], round(f["sum"] / f["attempted"], 1) if f["attempted"] else None,
                        tuple(f["bands"])) for quiz in book.quizzes for f in [figures[quiz.id]]]


def average_completion(book: Gradebook, learners) -> float | None:
    """The mean course completion of the learners, each counted as the dashboard counts it."""
    counts = db.session.execute(select(learners.c.items_done, func.count()).group_by(learners.c.items_done)).all()
    people = sum(count for _done, count in counts)
    if not people:
        return None
    return round(sum(completion_percent(int(done), book.items_total) * count for done, count in counts) / people, 1)


_kept = Kept(256)


def _fingerprint(book: Gradebook) -> tuple:
    """What every cohort-wide figure depends on, in one indexed query."""
    active = Enrolment.removed_at.is_(None)
    return tuple(db.session.execute(
        select(func.sum(case((active, 1), else_=0)), func.max(Enrolment.joined_at), func.max(Enrolment.removed_at),
               func.max(case((active, CourseStanding.changed_at))))
        .select_from(Enrolment).outerjoin(CourseStanding, CourseStanding.user_id == Enrolment.user_id)
        .where(Enrolment.cohort_id == book.cohort.id)).one())


def _excusals(book: Gradebook) -> tuple:
    """A fingerprint of the cohort's excusals: any excusal made raises the latest time, any withdrawn lowers the count."""
    return tuple(db.session.execute(select(func.count(), func.max(Excusal.excused_at))
                                    .where(Excusal.cohort_id == book.cohort.id)).one())


@dataclass(frozen=True)
class Figures:
    """What the gradebook shows above and below its rows."""

    summaries: tuple[QuizSummary, ...]
    average: float | None
    progress: tuple[charts.Point, ...]
    key: tuple | None = None  # what they were kept under (None: counted afresh for this request)


def drawn(figures: Figures, variant: Any, draw: Callable[[], str]) -> str:
    """The charts' markup for these figures, drawn once per cohort state and `variant` while the figures are kept."""
    return draw() if figures.key is None else _kept.get_or(figures.key + ("drawn", variant), draw)


def figures(book: Gradebook, view: View, learners, now: datetime) -> Figures:
    """The quiz summaries and average completion of the learners shown, and the cohort's weekly progress."""
    key = (str(db.engine.url), book.cohort.id, book.quizzes, book.lessons, _fingerprint(book), now.date())
    progress = _kept.get_or(key + ("progress",), lambda: tuple(charts.progress_over_time(
        book.cohort, [quiz.id for quiz in book.quizzes], list(book.lessons), now)))
    def rows() -> tuple:
        return tuple(quiz_summaries(book, learners)), average_completion(book, learners)

    # Who is inactive changes with the time of day as well as with the facts: that filter is counted afresh.
    if view.show == "inactive":
        return Figures(*rows(), progress)
    # Who has not passed a quiz also depends on the cohort's excusals, so they join that filter's key.
    excusals = _excusals(book) if view.show.startswith("not-passed:") else ()
    kept = key + ("rows", view.show, excusals)
    return Figures(*_kept.get_or(kept, rows), progress, kept)
