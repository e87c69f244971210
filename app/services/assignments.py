"""Required training: assignment rules, each hire's cycles, completion and yearly renewal."""

from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    Assignment,
    HireTraining,
    Membership,
    Module,
    Organisation,
    User,
)
from app.models.base import utcnow
from app.services import certificates, training_progress
from app.services.local_time import local_date

RENEWAL_GRACE_DAYS = 30  # a renewed yearly training is due this long after the last one expired
AUDIENCES = ("hire", "role", "everyone")


class AssignmentError(ValueError):
    """An assignment that cannot be made; the message is safe to show."""


def create(organisation: Organisation, manager: User, title: str, module_slugs: list[str], audience: str,
           hire_id: int | None, job_role: str, due_date: date | None, due_days: int | None, yearly: bool,
           today: date) -> Assignment:
    """A rule requiring modules (or the whole course, when none are named) of hires, applied at once to the hires it matches."""
    if audience not in AUDIENCES:
        raise AssignmentError("Choose who the training is for.")
    if (due_date is None) == (due_days is None):
        raise AssignmentError("Give either a fixed due date or a number of days after the hire date.")
    modules = list(db.session.scalars(select(Module).where(Module.slug.in_(module_slugs), Module.retired.is_(False))))
    if len(modules) != len(set(module_slugs)):
        raise AssignmentError("Choose modules from the list.")
    if audience == "role" and not job_role.strip():
        raise AssignmentError("Give the job role this training is for.")
    rule = Assignment(organisation_id=organisation.id, title=title.strip(), modules=modules, whole_course=not module_slugs,
                      audience=audience, hire_id=hire_id if audience == "hire" else None,
                      job_role=job_role.strip() if audience == "role" else "",
                      due_date=due_date, due_days=due_days, yearly=yearly, created_by=manager.id)
    db.session.add(rule)
    db.session.flush()
    hires = db.session.scalars(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.kind == "hire", Membership.removed_at.is_(None)))
    matched = [m for m in hires if applies(rule, m)]
    if audience == "hire" and not matched:
        raise AssignmentError("That person is not a current hire of your organisation.")
    for membership in matched:
        _start_cycle(rule, membership.user_id, 1, due_on(rule, membership, today))
    return rule


def change(rule: Assignment, title: str, module_slugs: list[str], due_date: date | None, due_days: int | None,
           yearly: bool, today: date) -> dict[str, tuple[object, object]]:
    """Change what an assignment requires and when; its open cycles follow, finished ones stay as they were.

    Returns field -> (before, after) for what changed, for the audit trail.
    """
    if rule.ended_at is not None:
        raise AssignmentError("This training has ended; assign it again instead.")
    if (due_date is None) == (due_days is None):
        raise AssignmentError("Give either a fixed due date or a number of days after the hire date.")
    modules = list(db.session.scalars(select(Module).where(Module.slug.in_(module_slugs), Module.retired.is_(False))))
    if len(modules) != len(set(module_slugs)):
        raise AssignmentError("Choose modules from the list.")
    before = {"title": rule.title, "modules": _covers(rule), "due_date": rule.due_date, "due_days": rule.due_days,
              "yearly": rule.yearly}
    rule.title, rule.modules, rule.whole_course = title.strip(), modules, not module_slugs
    rule.due_date, rule.due_days, rule.yearly = due_date, due_days, yearly
    after = {"title": rule.title, "modules": _covers(rule), "due_date": rule.due_date, "due_days": rule.due_days,
             "yearly": rule.yearly}
    changes = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    if changes:
        db.session.flush()
        _refresh_open_cycles(rule, today, due_changed="due_date" in changes or "due_days" in changes)
    return changes


def _covers(rule: Assignment) -> str:
    return "the whole course" if rule.whole_course else ", ".join(m.slug for m in rule.modules)


def _refresh_open_cycles(rule: Assignment, today: date, due_changed: bool) -> None:
    """Re-date and re-judge the rule's open cycles, so every status row says what the changed rule asks."""
    open_cycles = list(db.session.scalars(select(HireTraining).where(
        HireTraining.assignment_id == rule.id, HireTraining.completed_at.is_(None))))
    memberships = {m.user_id: m for m in db.session.scalars(select(Membership).where(
        Membership.organisation_id == rule.organisation_id, Membership.user_id.in_([t.user_id for t in open_cycles])))}
    for training in open_cycles:
        if due_changed and training.cycle == 1 and training.user_id in memberships:
            training.due_on = due_on(rule, memberships[training.user_id], today)
        training.started_at, training.policy_pending = None, False  # recomputed from the facts just below
    db.session.flush()
    for user in db.session.scalars(select(User).where(User.id.in_({t.user_id for t in open_cycles}))):
        refresh_completions(user)


def end(rule: Assignment, now: datetime | None = None) -> None:
    """End an assignment: its cycles stay as evidence but no longer count for compliance, reminders or renewals."""
    if rule.ended_at is not None:
        raise AssignmentError("This training has already ended.")
    rule.ended_at = now or utcnow()
    db.session.flush()


def applies(rule: Assignment, membership: Membership) -> bool:
    """Whether an assignment rule covers this hire."""
    if rule.audience == "everyone":
        return True
    if rule.audience == "role":
        return membership.job_role.strip().casefold() == rule.job_role.casefold()
    return rule.hire_id == membership.user_id


def due_on(rule: Assignment, membership: Membership, today: date) -> date:
    """A fixed due date, or the hire date (today if unknown) plus the rule's days (at most the last day there is)."""
    if rule.due_date is not None:
        return rule.due_date
    start = membership.hire_date or today
    return start + timedelta(days=rule.due_days) if start <= date.max - timedelta(days=rule.due_days) else date.max


def _start_cycle(rule: Assignment, user_id: int, cycle: int, due: date) -> HireTraining | None:
    try:
        with db.session.begin_nested():
            training = HireTraining(assignment_id=rule.id, user_id=user_id, cycle=cycle, due_on=due)
            db.session.add(training)
        return training
    except IntegrityError:  # already there (a repeated join or renewal)
        return None


def apply_rules_to_new_hire(membership: Membership, today: date) -> int:
    """Give a hire who just joined every role-based or everyone assignment they match; returns how many."""
    rules = db.session.scalars(select(Assignment).where(
        Assignment.organisation_id == membership.organisation_id, Assignment.audience != "hire", Assignment.ended_at.is_(None)))
    started = [_start_cycle(rule, membership.user_id, 1, due_on(rule, membership, today))
               for rule in rules if applies(rule, membership)]
    return sum(1 for training in started if training)


def is_complete(training: HireTraining, user: User) -> bool:
    """Whether this cycle's requirement is met now (lessons, quizzes, a renewal's new passes, the policy)."""
    return training_progress.standings(user, [training])[training.id].complete


def refresh_completions(user: User, now: datetime | None = None) -> list[HireTraining]:
    """Bring the person's open cycles up to date with what they have done; mark the complete ones and certify them."""
    now = now or utcnow()
    trainings = training_progress.open_trainings(user.id)
    standings = training_progress.standings(user, trainings)
    completed = []
    for training in trainings:
        standing = standings[training.id]
        training.started_at, training.policy_pending = standing.started_at, standing.policy_pending
        if standing.complete:
            training.completed_at, training.policy_pending = now, False
            if training.assignment.yearly:
                training.expires_on = _one_year_after(local_date(training.assignment.organisation, now))
            certificates.issue(training, user)
            completed.append(training)
    return completed


def _one_year_after(day: date) -> date:
    if day.year == date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def renew_expired(today: date, organisation_id: int | None = None) -> list[HireTraining]:
    """Start the next cycle of every yearly training (of one organisation, if given) that has expired and has no newer cycle."""
    query = select(HireTraining).join(Assignment).where(
        Assignment.yearly.is_(True), Assignment.ended_at.is_(None), HireTraining.expires_on.is_not(None),
        HireTraining.expires_on < today)
    if organisation_id is not None:
        query = query.where(Assignment.organisation_id == organisation_id)
    expired = db.session.scalars(query).all()
    started = []
    for training in expired:
        later = db.session.scalar(select(exists().where(
            HireTraining.assignment_id == training.assignment_id, HireTraining.user_id == training.user_id,
            HireTraining.cycle > training.cycle)))
        still_hired = db.session.scalar(select(exists().where(
            Membership.organisation_id == training.assignment.organisation_id, Membership.user_id == training.user_id,
            Membership.removed_at.is_(None))))
        if not later and still_hired:
            renewal = _start_cycle(training.assignment, training.user_id, training.cycle + 1,
                                   training.expires_on + timedelta(days=RENEWAL_GRACE_DAYS))
            if renewal:
                started.append(renewal)
    return started
