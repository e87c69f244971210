"""Chart data and geometry for server-rendered SVG charts (no script, no network)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, Enrolment, Lesson, LessonProgress, Module, QuizStanding
from app.services.progress import completion_percent

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


def score_histogram(scores: list[int]) -> list[Bar]:
    """Learners per score band (0-9, 10-19, ..., 90-100), as bars in the chart's coordinates."""
    counts = [0] * 10
    for score in scores:
        counts[min(score // 10, 9)] += 1
    top = max(counts) or 1
    slot = (WIDTH - 2 * MARGIN) / len(counts)
    bars = []
    for index, count in enumerate(counts):
        height = (HEIGHT - 2 * MARGIN) * count / top
        label = f"{index * 10}–{index * 10 + 9}" if index < 9 else "90–100"
        bars.append(Bar(label, count, MARGIN + index * slot + 4, HEIGHT - MARGIN - height, slot - 8, height))
    return bars


def progress_over_time(cohort: Cohort, quiz_ids: list[int], items_total: int, now: datetime) -> list[Point]:
    """The members' average course completion (as the gradebook counts it) at the end of each week since the cohort began."""
    members = select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id, Enrolment.removed_at.is_(None))
    member_ids = list(db.session.scalars(members))
    lessons = db.session.execute(
        select(LessonProgress.user_id, LessonProgress.completed_at).join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Module, Module.id == Lesson.module_id)
        .where(LessonProgress.user_id.in_(members), LessonProgress.completed_at.is_not(None),
               Lesson.retired.is_(False), Module.retired.is_(False)))
    first_passes = db.session.execute(
        select(QuizStanding.user_id, QuizStanding.first_passed_at)
        .where(QuizStanding.user_id.in_(members), QuizStanding.first_passed_at.is_not(None), QuizStanding.quiz_id.in_(quiz_ids)))
    if not member_ids or not items_total:
        return []
    events = sorted((when, user_id) for user_id, when in [*lessons, *first_passes])
    start = datetime.combine(cohort.starts_on, datetime.min.time()) if cohort.starts_on else cohort.created_at
    start = min([start, *(when for when, _ in events[:1])])
    total_weeks = (now - start).days // 7 + 1
    ends = [min(now, start + timedelta(weeks=week + 1)) for week in range(max(0, total_weeks - MAX_POINTS), total_weeks)]
    done = dict.fromkeys(member_ids, 0)
    values, index = [], 0
    for end in ends:
        while index < len(events) and events[index][0] <= end:
            done[events[index][1]] += 1
            index += 1
        values.append((end, sum(completion_percent(count, items_total) for count in done.values()) / len(done)))
    step = (WIDTH - 2 * MARGIN) / max(1, len(values) - 1)
    return [Point(end.strftime("%d %b"), round(value, 1), MARGIN + i * step, HEIGHT - MARGIN - (HEIGHT - 2 * MARGIN) * value / 100)
            for i, (end, value) in enumerate(values)]


def polyline(points: list[Point]) -> str:
    """The SVG points attribute for a line through the points."""
    return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in points)
