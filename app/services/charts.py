"""Chart data and geometry for server-rendered SVG charts (no script, no network)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Cohort, Enrolment, LessonProgress, QuizStanding

WIDTH, HEIGHT, MARGIN = 600, 240, 40
MAX_POINTS = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    x: float
    y: float


def score_histogram(counts: tuple[int, ...] | list[int]) -> list[Bar]:
    """Learners per score band (0-9, 10-19, ..., 90-100), as bars in the chart's coordinates."""
    top = max(counts) or 1
    slot = (WIDTH - 2 * MARGIN) / len(counts)
    bars = []
    for index, count in enumerate(counts):
        height = (HEIGHT - 2 * MARGIN) * count / top
        label = f"{index * 10}–{index * 10 + 9}" if index < 9 else "90–100"
        bars.append(Bar(label, count, MARGIN + index * slot + 4, HEIGHT - MARGIN - height, slot - 8, height))
    return bars


def _per_day(column, *conditions) -> list[tuple[date, int]]:
    """Events counted per day in SQL: the chart needs no more than that, however many learners there are."""
    day = func.date(column)
    return [(date.fromisoformat(str(when)[:10]), count)
            for when, count in db.session.execute(select(day, func.count()).where(column.is_not(None), *conditions).group_by(day))]


def progress_over_time(cohort: Cohort, quiz_ids: list[int], lesson_ids: list[int], now: datetime) -> list[Point]:
    """The members' average course completion (lessons read and graded quizzes passed, of all in force) at the end of
    each week since the cohort began."""
    members = select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id, Enrolment.removed_at.is_(None))
    people = db.session.scalar(select(func.count()).select_from(members.subquery()))
    items_total = len(quiz_ids) + len(lesson_ids)
    if not people or not items_total:
        return []
    events = sorted(_per_day(LessonProgress.completed_at, LessonProgress.user_id.in_(members), LessonProgress.lesson_id.in_(lesson_ids))
                    + _per_day(QuizStanding.first_passed_at, QuizStanding.user_id.in_(members), QuizStanding.quiz_id.in_(quiz_ids)))
    # Whole days throughout, so the chart depends on the facts and today's date alone.
    start = min([cohort.starts_on or cohort.created_at.date(), *(day for day, _ in events[:1])])
    today = now.date()
    total_weeks = (today - start).days // 7 + 1
    ends = [min(today, start + timedelta(weeks=week + 1)) for week in range(max(0, total_weeks - MAX_POINTS), total_weeks)]
    values, done, index = [], 0, 0
    for end in ends:
        while index < len(events) and events[index][0] <= end:
            done += events[index][1]
            index += 1
        values.append((end, 100 * done / (people * items_total)))
    step = (WIDTH - 2 * MARGIN) / max(1, len(values) - 1)
    return [Point(end.strftime("%d %b %Y"), round(value, 1), MARGIN + i * step, HEIGHT - MARGIN - (HEIGHT - 2 * MARGIN) * value / 100)
            for i, (end, value) in enumerate(values)]


def polyline(points: list[Point]) -> str:
    """The SVG points attribute for a line through the points."""
    return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in points)
