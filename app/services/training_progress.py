"""Where each hire stands on their open training, kept on the cycle's own row in a fixed number of queries.

A cycle row carries `started_at` (first work on a required module since it was assigned) and `policy_pending`
(every module done, only the policy acknowledgement missing), so every page derives one status from the row
and the organisation's date alone.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Assignment, Attestation, HireTraining, Lesson, LessonProgress, Membership, PolicyVersion, Quiz, QuizAttempt, QuizStanding, User
from app.services.progress import CourseProgress, course_progress


@dataclass(frozen=True)
class Standing:
    """What the facts say of one open cycle."""

    complete: bool
    started_at: datetime | None
    policy_pending: bool


# Built once: every submission and lesson completion reads it inside the write lock.
_OPEN_TRAININGS = (
    select(HireTraining).join(Assignment).join(Membership, (Membership.organisation_id == Assignment.organisation_id)
                                               & (Membership.user_id == HireTraining.user_id))
    .where(HireTraining.user_id == bindparam("user_id"), HireTraining.completed_at.is_(None), Membership.removed_at.is_(None),
           Assignment.ended_at.is_(None))
    .options(selectinload(HireTraining.assignment).selectinload(Assignment.modules),
             selectinload(HireTraining.assignment).selectinload(Assignment.organisation)))


def open_trainings(user_id: int) -> list[HireTraining]:
    """The person's unfinished cycles of assignments in force, in organisations they still belong to, with rules and modules."""
    return list(db.session.scalars(_OPEN_TRAININGS, {"user_id": user_id}))


def _activity(user_id: int) -> dict[int, datetime]:
    """Module id -> the person's latest lesson or quiz activity in it."""
    latest: dict[int, datetime] = {}
    lessons = select(Lesson.module_id, func.max(LessonProgress.completed_at)).join(Lesson, Lesson.id == LessonProgress.lesson_id) \
        .where(LessonProgress.user_id == user_id).group_by(Lesson.module_id)
    attempts = select(Quiz.module_id, func.max(func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at))) \
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id).where(QuizAttempt.user_id == user_id, Quiz.module_id.is_not(None)) \
        .group_by(Quiz.module_id)
    for module_id, when in [*db.session.execute(lessons), *db.session.execute(attempts)]:
        if when is not None and when > latest.get(module_id, datetime.min):
            latest[module_id] = when
    return latest


def last_passes(user_id: int) -> dict[int, datetime]:
    """Quiz id -> when the person last passed it (a renewal needs a pass after the cycle began)."""
    return dict(db.session.execute(select(QuizStanding.quiz_id, QuizStanding.last_passed_at).where(
        QuizStanding.user_id == user_id, QuizStanding.last_passed_at.is_not(None))).all())


def _unacknowledged(user_id: int, organisation_ids: set[int]) -> set[int]:
    """The organisations whose current policy version this person has not acknowledged."""
    if not organisation_ids:
        return set()
    latest = select(PolicyVersion.organisation_id, func.max(PolicyVersion.version).label("version")) \
        .where(PolicyVersion.organisation_id.in_(organisation_ids)).group_by(PolicyVersion.organisation_id).subquery()
    current = select(PolicyVersion.organisation_id, PolicyVersion.id).join(
        latest, (latest.c.organisation_id == PolicyVersion.organisation_id) & (latest.c.version == PolicyVersion.version))
    acknowledged = set(db.session.scalars(select(Attestation.policy_version_id).where(Attestation.user_id == user_id)))
    return {organisation_id for organisation_id, version_id in db.session.execute(current) if version_id not in acknowledged}


def _standing(training: HireTraining, course: CourseProgress, activity: dict[int, datetime], passes: dict[int, datetime],
              unacknowledged: set[int]) -> Standing:
    """Fails closed: an empty or dangling requirement, or a module not in the course, is never complete."""
    rule = training.assignment
    entries = {entry.module.id: entry for entry in course.modules}
    wanted = list(entries) if rule.whole_course else [m.id for m in rule.modules]
    sound = bool(wanted) and all(module_id in entries for module_id in wanted)
    started = [activity[m] for m in wanted if activity.get(m, datetime.min) >= training.assigned_at]
    started_at = training.started_at or (min(started) if started else None)
    done = sound and all(entries[m].complete for m in wanted) and (not rule.whole_course or course.complete)
    if done and training.cycle > 1:
        graded = [quiz.id for m in wanted for quiz in entries[m].graded]
        done = all(passes.get(quiz_id, datetime.min) >= training.assigned_at for quiz_id in graded)
    needs_policy = any(entries[m].module.acknowledge_policy for m in wanted if m in entries)
    waiting = done and needs_policy and rule.organisation_id in unacknowledged
    return Standing(done and not waiting, started_at, waiting)


def standings(user: User, trainings: list[HireTraining]) -> dict[int, Standing]:
    """Training id -> standing, for a person's open cycles, in the same few queries however many there are."""
    if not trainings:
        return {}
    course, activity, passes = course_progress(user), _activity(user.id), last_passes(user.id)
    unacknowledged = _unacknowledged(user.id, {t.assignment.organisation_id for t in trainings})
    return {t.id: _standing(t, course, activity, passes, unacknowledged) for t in trainings}


@dataclass
class Drift:
    """A cycle whose stored standing differed from the facts."""

    training_id: int
    user_id: int
    field: str
    stored: object
    actual: object


def rebuild(fix: bool = True) -> list[Drift]:
    """Recompute every open cycle's standing from the facts; report each difference, and store the facts when `fix`.

    A cycle found complete is marked and certified as the learner's next action would have done.
    """
    from app.services.assignments import refresh_completions  # assignments builds on this module

    user_ids = db.session.scalars(select(HireTraining.user_id).distinct().where(HireTraining.completed_at.is_(None))).all()
    drifts: list[Drift] = []
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)):
        trainings = open_trainings(user.id)
        found = standings(user, trainings)
        for training in trainings:
            standing = found[training.id]
            for name, actual in (("started_at", standing.started_at), ("policy_pending", standing.policy_pending),
                                 ("complete", standing.complete)):
                stored = training.completed_at is not None if name == "complete" else getattr(training, name)
                if stored != actual:
                    drifts.append(Drift(training.id, user.id, name, stored, actual))
        if fix:
            refresh_completions(user)
    return drifts
