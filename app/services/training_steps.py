"""Where a hire goes next on one required training, and what a renewed yearly cycle asks them to redo."""

from dataclasses import dataclass
from datetime import datetime

from app.models import HireTraining
from app.services.progress import CourseProgress, ModuleProgress, Step
from app.services.structure import QuizInfo
from app.services.training_progress import last_passes


@dataclass(frozen=True)
class Renewal:
    """A renewed yearly cycle: when it started and the quizzes to pass again."""

    started_at: datetime
    quizzes: list[QuizInfo]


def _required(course: CourseProgress, training: HireTraining) -> list[ModuleProgress]:
    """The training's modules and, before them, any prerequisites still missing, in course order."""
    rule = training.assignment
    wanted = {entry.module.id for entry in course.modules} if rule.whole_course else {m.id for m in rule.modules}
    by_slug = {entry.module.slug: entry for entry in course.modules}
    pending = [entry for entry in course.modules if entry.module.id in wanted]
    while pending:  # a locked module opens only after its prerequisites, so those come first
        entry = pending.pop()
        for module in entry.missing:
            if module.id not in wanted:
                wanted.add(module.id)
                pending.append(by_slug[module.slug])
    return [entry for entry in course.modules if entry.module.id in wanted]


def next_step(course: CourseProgress, training: HireTraining, passes: dict[int, datetime]) -> Step | None:
    """The first unfinished, open lesson or quiz of this training (a renewal's quizzes count only if passed again)."""
    renewed = training.cycle > 1
    for entry in _required(course, training):
        if entry.locked:
            continue
        for lesson in entry.module.lessons:
            if lesson.id not in entry.completed_lessons:
                return Step("lesson", lesson.slug, lesson.title)
        for quiz in entry.graded:
            passed = passes.get(quiz.id, datetime.min) >= training.assigned_at if renewed else entry.result(quiz).passed
            if not passed:
                return Step("quiz", quiz.slug, quiz.title)
    if training.assignment.whole_course and course.exam and course.modules_complete and not course.exam_result.passed:
        return Step("quiz", course.exam.slug, course.exam.title)
    return None


def renewal(course: CourseProgress, training: HireTraining, passes: dict[int, datetime]) -> Renewal | None:
    """For an unfinished renewed cycle, its start and the required quizzes not passed since then."""
    if training.cycle < 2 or training.completed_at is not None:
        return None
    quizzes = [quiz for entry in _required(course, training) for quiz in entry.graded
               if passes.get(quiz.id, datetime.min) < training.assigned_at]
    return Renewal(training.assigned_at, quizzes)


def plan(user_id: int, course: CourseProgress, trainings: list[HireTraining]) -> dict[int, tuple[Step | None, Renewal | None]]:
    """Training id -> (next step, renewal), for the learner's dashboard, in one query for the passes."""
    passes = last_passes(user_id) if trainings else {}
    return {t.id: (next_step(course, t, passes), renewal(course, t, passes)) for t in trainings}
